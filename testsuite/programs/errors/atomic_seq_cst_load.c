// BPF has no sequentially consistent load or store (nor a fence to make one): refused,
// as clang refuses it, instead of compiled as a plain load.
// @expect-error sequentially consistent (seq_cst) atomic load/store is not supported in BPF
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 counter;

SEC("xdp")
int seq_cst_load(struct xdp_md *ctx)
{
    return __atomic_load_n(&counter, __ATOMIC_SEQ_CST) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
