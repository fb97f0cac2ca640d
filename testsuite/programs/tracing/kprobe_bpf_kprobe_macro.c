// kprobe on do_nanosleep written with BPF_KPROBE (x86 PT_REGS), reading a parameter and
// the comm; emits a ring-buffer record with bpf_ringbuf_output and counts in a hash.
// @load-only
// @cflags -D__TARGET_ARCH_x86
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct rec {
	__u64 arg;
	__u32 pid;
	__u32 mode;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8192);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

SEC("kprobe/do_nanosleep")
int BPF_KPROBE(nanosleep_entry, void *timer, int mode)
{
	struct rec r = {};
	r.arg = (__u64)timer;
	r.mode = mode;
	r.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(&r.comm, sizeof(r.comm));
	__u64 one = 1, *c = bpf_map_lookup_elem(&calls, &r.pid);
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		bpf_map_update_elem(&calls, &r.pid, &one, BPF_ANY);
	bpf_ringbuf_output(&rb, &r, sizeof(r), 0);
	return 0;
}

SEC("kretprobe/do_nanosleep")
int BPF_KRETPROBE(nanosleep_exit, int ret)
{
	if (ret)
		bpf_printk("nanosleep returned %d", ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
