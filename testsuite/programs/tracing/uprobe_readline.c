// uprobe/uretprobe pair (load-only, attached by the user later): entry stores a start
// marker keyed by pid_tgid, return reads the user string with bpf_probe_read_user_str into a
// ring-buffer record; BPF_KPROBE/BPF_KRETPROBE macros with PT_REGS access.
// @load-only
// @cflags -D__TARGET_ARCH_x86
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct line_event {
	__u32 pid;
	__u32 len;
	char text[80];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 14);
} lines SEC(".maps");

SEC("uprobe")
int BPF_KPROBE(readline_entry, const char *prompt)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 p = (__u64)prompt;
	bpf_map_update_elem(&inflight, &id, &p, BPF_ANY);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(readline_exit, const char *ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!bpf_map_lookup_elem(&inflight, &id))
		return 0;
	bpf_map_delete_elem(&inflight, &id);
	if (!ret)
		return 0;
	struct line_event *e = bpf_ringbuf_reserve(&lines, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = id >> 32;
	long n = bpf_probe_read_user_str(e->text, sizeof(e->text), ret);
	e->len = n > 0 ? n : 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
