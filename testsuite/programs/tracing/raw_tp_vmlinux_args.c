// raw_tp program written against vmlinux.h: its context is struct
// bpf_raw_tracepoint_args (preserve_access_index there), so each ctx->args[i] is a ctx
// load whose offset carries a CO-RE relocation (access string 0:0:i).
// @vmlinux
// @ctx 0500000000000000ffffffffffffffff0300000000000000
// @ctx 0700000000000000020000000000000009000000000000ff
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} out SEC(".maps");

static __always_inline void put(__u32 k, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&out, &k);
	if (p)
		*p = *p * 31 + v;
}

SEC("raw_tp/sys_enter")
int args(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 a = ctx->args[0], b = ctx->args[1], c = ctx->args[2];
	put(0, a);
	put(1, b);
	put(2, c);
	__u32 k = 3;
	__u64 *s = bpf_map_lookup_elem(&out, &k);
	if (s)
		*s += a * 3 + (c >> 56) + ((__s64)b < 0 ? 100 : 0);
	return a > c ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
