// Open-coded iterators through loop macros whose kfuncs and cleanup function are
// declared in a header (libbpf >= 1.2's bpf_for / bpf_repeat / bpf_for_each shape):
// the destroy kfunc named by __attribute__((cleanup)) in a header macro is found through
// the loop's own reference to it. Also a cleanup function defined further down the file.
// @vmlinux
// @input 00000000000000000000000008000503a1b2c3d4e5f6a7b8c9d0
// @input 0000000000000000000000000800ff00ffffffffffffffffffff
// @input 00000000000000000000000008000009000102030405060708090a
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "ts_iter_macros.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 6);
	__type(key, __u32);
	__type(value, __u64);
} results SEC(".maps");

static __always_inline void put(__u32 slot, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&results, &slot);
	if (p)
		*p = *p * 31 + v;
}

__u64 released;

static void release(__u32 *tag);

SEC("xdp")
int iterate(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	if ((void *)(p + 26) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	__u64 word;
	__builtin_memcpy(&word, p + 16, sizeof(word));
	int n = p[14] & 15, i, sum = 0;
	ts_for(i, 0, n)
		sum += ((word >> ((i & 7) * 8)) & 0xff) ^ i;
	put(0, sum);

	int rounds = 0;
	ts_repeat(p[15] & 7)
		rounds++;
	put(1, rounds);

	int *v, hits = 0;
	ts_for_each(num, v, 2, 2 + (p[15] & 15)) {
		if (*v == 9)
			break;
		hits += *v;
	}
	put(2, hits);

	released = 0;
	{
		__u32 tag __attribute__((cleanup(release))) = p[14];
		put(3, released);
	}
	put(4, released);
	return XDP_PASS;
}

static void release(__u32 *tag) { released = released * 256 + *tag + 1; }

char LICENSE[] SEC("license") = "GPL";
