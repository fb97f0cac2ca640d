// A helper with five arguments: bpf_snprintf(out, size, fmt, args, nargs) formatting
// numbers into a buffer stored in a map (deterministic text), plus bpf_probe_read_kernel
// of a stack object (3 args) and the returned lengths.
// @ctx 01000000000000000200000000000000
// @ctx 15cd5b07000000000500000000000000
// @ctx ffffffffffffffffffffffffffffffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

struct line {
	char text[48];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct line);
} lines SEC(".maps");

static const char fmt[] = "a=%llu b=%lld c=%llx s=%s";
static const char word[] = "ok";

SEC("raw_tp/sys_enter")
int helper_5args(__u64 *ctx)
{
	__u32 zero = 0;
	struct line *l = bpf_map_lookup_elem(&lines, &zero);
	if (!l)
		return 0;
	__u64 args[4] = { ctx[0], (__u64)-(__s64)ctx[1], ctx[0] ^ ctx[1], (__u64)(unsigned long)word };
	long n = bpf_snprintf(l->text, sizeof(l->text), fmt, args, sizeof(args));
	ts_put(&results, 0, (__u64)n);
	__u64 copy[2] = {};
	long e = bpf_probe_read_kernel(copy, sizeof(copy), args);
	ts_put(&results, 1, (__u64)e + copy[0] + copy[1]);
	ts_put(&results, 2, l->text[0] + l->text[2]);
	return (int)n;
}

char LICENSE[] SEC("license") = "GPL";
