// raw_tp: a map value pointer looked up while four values that must survive the lookup
// call hold r6-r9, which die right after (stored into it); the pointer is then read in a
// loop of helper calls. Split, not spilled: copied into a register that frees (as clang's
// allocator keeps libbpf-tools' execsnoop event pointer in a register). The loop counter
// is a map key read back: at an offset from r10 that is not a multiple of 8 the verifier
// forgets its bounds and rejects the loop.
// @ctx 05000000000000000300000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct ev { __u64 a, b, c, d, sum; __u32 n; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ev);
} evs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} table SEC(".maps");

SEC("raw_tp/sys_enter")
int split_event(unsigned long long *ctx)
{
	__u64 a = ctx[0], b = ctx[1], c = ctx[0] ^ ctx[1], d = ctx[0] * 7 + ctx[1];
	__u32 k0 = 0;
	__u64 *first = bpf_map_lookup_elem(&table, &k0);
	if (!first)
		return 0;
	struct ev *e = bpf_map_lookup_elem(&evs, &k0);
	if (!e)
		return 0;
	e->a = a + *first;
	e->b = b;
	e->c = c;
	e->d = d;
	for (__u32 i = 1; i < 8; i++) {
		__u64 *t = bpf_map_lookup_elem(&table, &i);
		if (!t)
			break;
		*t += e->a * i + e->n;
		e->sum += *t;
		e->n++;
	}
	*first += e->sum;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
