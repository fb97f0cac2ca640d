// kprobe on do_sys_openat2 (load-only): bpf_get_stackid into a STACK_TRACE map with
// BPF_F_USER_STACK / kernel stacks, counts per stack id in a hash, and bpf_get_stack into a
// per-CPU scratch buffer.
// @load-only
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

#define DEPTH 16

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 256);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct key {
	__s32 kstack;
	__s32 ustack;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[DEPTH]);
} scratch SEC(".maps");

SEC("kprobe/do_sys_openat2")
int openat_stacks(struct pt_regs *ctx)
{
	struct key k = {
		.kstack = bpf_get_stackid(ctx, &stacks, 0),
		.ustack = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK),
	};
	__u64 one = 1, *c = bpf_map_lookup_elem(&counts, &k);
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST);
	__u32 zero = 0;
	__u64 *buf = bpf_map_lookup_elem(&scratch, &zero);
	if (buf) {
		long n = bpf_get_stack(ctx, buf, DEPTH * sizeof(__u64), 0);
		if (n > 0)
			bpf_printk("stack bytes %ld first %llx", n, buf[0]);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
