// A global data section becomes one array map value, which the kernel caps at a few
// MiB: a 32 GiB initialized global is refused (the compiler used to stop, out of memory,
// making its bytes; found by scripts/mutate-compile.py).
// @expect-error variable 'counters' of 34359738360 bytes is larger than a BPF global data section can hold (at most 67108864 bytes)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 counters[4294967295] SEC(".data.counters") = { 3, 4 };

SEC("xdp")
int big_global(struct xdp_md *ctx)
{
	return counters[ctx->rx_queue_index & 1] ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
