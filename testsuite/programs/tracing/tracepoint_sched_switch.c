// tracepoint sched/sched_switch with a hand-written context struct matching the format
// file; perf event array output of a record and per-pid switch counts.
// @load-only
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Layout of /sys/kernel/tracing/events/sched/sched_switch/format */
struct sched_switch_ctx {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	char prev_comm[16];
	__s32 prev_pid;
	__s32 prev_prio;
	__s64 prev_state;
	char next_comm[16];
	__s32 next_pid;
	__s32 next_prio;
};

struct switch_event {
	__s32 prev_pid;
	__s32 next_pid;
	__s64 prev_state;
	char next_comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __s32);
	__type(value, __u64);
} switches SEC(".maps");

SEC("tracepoint/sched/sched_switch")
int on_switch(struct sched_switch_ctx *ctx)
{
	struct switch_event ev;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.prev_pid = ctx->prev_pid;
	ev.next_pid = ctx->next_pid;
	ev.prev_state = ctx->prev_state;
	__builtin_memcpy(ev.next_comm, ctx->next_comm, sizeof(ev.next_comm));
	if (ev.next_pid == 0)
		return 0;
	__u64 *n = bpf_map_lookup_elem(&switches, &ev.next_pid);
	if (n) {
		__sync_fetch_and_add(n, 1);
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&switches, &ev.next_pid, &one, BPF_ANY);
	}
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
