// XDP: small non-static functions without __noinline are inlined at their calls, as
// clang's inliner does (their bodies are emitted as well): one returns a map value
// pointer, which a call to a global function could not (the verifier only allows
// scalars back from global functions); another is called from two places.
// @input 00112233445566778899aabb08004500001c000100004011f9cc0a0000010a00000204d2
// @input 00112233445566778899aabb86dd6000000000081140fd0000000000000000000000000000000133
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

struct scratch {
	__u64 v[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} buf SEC(".maps");

const struct scratch blank = { .v = { 1, 2, 3, 4 } };

void *get_buf(const void *init)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(&buf, &zero, init, BPF_ANY))
		return 0;
	return bpf_map_lookup_elem(&buf, &zero);
}

int mix(int a, int b)
{
	return a * 31 + (b ^ 0x55);
}

SEC("xdp")
int global_func_inlined(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct scratch *s;

	if ((void *)(data + 14) > end)
		return XDP_ABORTED;
	s = get_buf(&blank);
	if (!s)
		return XDP_ABORTED;
	s->v[1] += data[12];
	ts_put(&results, 0, s->v[0] + s->v[1]);
	ts_put(&results, 1, mix(data[12], data[13]));
	ts_put(&results, 2, mix(data[13], 7));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
