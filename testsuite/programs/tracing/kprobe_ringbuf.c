// kprobe feeding a ring buffer and a perf event array; bpf_printk with a static format.
// @load-only
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct event { __u32 pid; __u32 cpu; char comm[16]; __u64 ts; };

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, sizeof(__u32)); __uint(value_size, sizeof(__u32)); } perf SEC(".maps");

SEC("kprobe/do_nanosleep")
int on_nanosleep(struct pt_regs *ctx)
{
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return 0;
    e->pid = bpf_get_current_pid_tgid() >> 32;
    e->cpu = bpf_get_smp_processor_id();
    e->ts = bpf_ktime_get_ns();
    bpf_get_current_comm(e->comm, sizeof(e->comm));
    struct event copy = *e;
    bpf_ringbuf_submit(e, 0);
    bpf_perf_event_output(ctx, &perf, BPF_F_CURRENT_CPU, &copy, sizeof(copy));
    bpf_printk("nanosleep pid=%d cpu=%d", copy.pid, copy.cpu);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
