// perf_event program (load-only): reads struct bpf_perf_event_data (sample period and
// registers), bpf_perf_prog_read_value, counts samples per CPU in an array.
// @load-only
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} samples SEC(".maps");

__u64 total_period;

SEC("perf_event")
int on_sample(struct bpf_perf_event_data *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	if (cpu >= 64)
		return 0;
	__u64 *c = bpf_map_lookup_elem(&samples, &cpu);
	if (c)
		__sync_fetch_and_add(c, 1);
	__sync_fetch_and_add(&total_period, ctx->sample_period);
	struct bpf_perf_event_value v = {};
	if (bpf_perf_prog_read_value(ctx, &v, sizeof(v)) == 0 && v.enabled > v.running)
		bpf_printk("multiplexed %llu/%llu", v.running, v.enabled);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
