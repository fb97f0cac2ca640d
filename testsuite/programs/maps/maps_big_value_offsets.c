// XDP: a map value of 160 KiB written and read at offsets beyond the 16-bit offset field of
// BPF loads and stores (40000, 70000, 131072 + k): the compiler must add the offset to the
// pointer first. The results map records what was read back.
// @input 00112233445566778899aabb08004500001c000100004011f9cc0a0000010a00000204d2
// @input 00112233445566778899aabb86dd6000000000081140fd00000000000000000000000000000001
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

struct big {
	__u8 head[16];
	__u8 bulk[163840 - 16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct big);
} store SEC(".maps");

SEC("xdp")
int big_value_offsets(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	struct big *b;

	if ((void *)(data + 14) > end)
		return XDP_ABORTED;
	b = bpf_map_lookup_elem(&store, &zero);
	if (!b)
		return XDP_ABORTED;
	b->bulk[40000] += data[12];
	*(__u32 *)&b->bulk[70000] += (__u32)data[13] << 8 | data[5];
	*(__u64 *)&b->bulk[131072] = *(__u64 *)&b->bulk[70000] * 3 + b->bulk[40000];
	__sync_fetch_and_add((__u64 *)&b->bulk[150000], 1);
	ts_put(&results, 0, b->bulk[40000]);
	ts_put(&results, 1, *(__u32 *)&b->bulk[70000]);
	ts_put(&results, 2, *(__u64 *)&b->bulk[131072]);
	ts_put(&results, 3, *(__u64 *)&b->bulk[150000]);
	return b->bulk[40000] & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
