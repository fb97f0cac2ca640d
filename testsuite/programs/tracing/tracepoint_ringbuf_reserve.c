// tracepoint syscalls/sys_enter_write: ring buffer reserve/submit and reserve/discard
// paths, bpf_get_current_comm into the reserved record, bpf_ringbuf_query.
// @load-only
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct write_args {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__u64 fd;
	__u64 buf;
	__u64 count;
};

struct write_event {
	__u32 fd;
	__u32 big;
	__u64 count;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16384);
} writes SEC(".maps");

__u64 dropped;

SEC("tracepoint/syscalls/sys_enter_write")
int on_write(struct write_args *ctx)
{
	if (bpf_ringbuf_query(&writes, BPF_RB_AVAIL_DATA) > 8192) {
		dropped++;
		return 0;
	}
	struct write_event *e = bpf_ringbuf_reserve(&writes, sizeof(*e), 0);
	if (!e)
		return 0;
	e->fd = ctx->fd;
	e->count = ctx->count;
	e->big = ctx->count > 4096;
	if (bpf_get_current_comm(e->comm, sizeof(e->comm)) < 0 || e->fd > 2) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	bpf_ringbuf_submit(e, e->big ? BPF_RB_FORCE_WAKEUP : 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
