// raw_tp (sched_switch-like) written with libbpf's BPF_PROG macro: typed arguments
// unpacked from the u64 array, mixed widths, results in an array map.
// @ctx 0100000000000000001000000000000000300000000000000204000000000000
// @ctx 000000000000000000500000000000000010000000000000ffffffff00000000
// @ctx ffffffff00000000000000000000000000000000000000000100000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} out SEC(".maps");

static __always_inline void put(__u32 k, __s64 v)
{
	bpf_map_update_elem(&out, &k, &v, BPF_ANY);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_args, int preempt, __u64 prev, __u64 next, unsigned int prev_state)
{
	put(0, preempt);
	put(1, (__s64)(next - prev));
	put(2, (__s32)prev_state);
	put(3, (preempt ? -1 : 1) * (__s64)(prev_state & 0xff));
	return prev_state > 0x100;
}

char LICENSE[] SEC("license") = "GPL";
