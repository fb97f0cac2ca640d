// Harness self-test (not a testsuite program): one XDP program in variants that
// differ in exactly one observable way, so the tests in
// Tests/TestsuiteTests/HarnessSelfTests.swift can show that the comparison notices.
//   -DVARIANT=0  baseline
//   -DVARIANT=1  other return value for IPv4
//   -DVARIANT=2  other byte written into the packet
//   -DVARIANT=3  other value stored in the array map
//   -DVARIANT=4  other value stored in a global variable (.bss)
//   -DVARIANT=5  no bounds check before reading the packet: the verifier refuses it
// @input 00112233445566778899aabb0800450000140000
// @input 00112233445566778899aabb86dd
// @input 00112233445566778899aabb0806
// Also exercises the loader's dumps: a hash map filled in unsorted key order and a
// per-CPU array whose per-CPU values are summed.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef VARIANT
#define VARIANT 0
#endif

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u32);
} seen SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} runs SEC(".maps");

__u32 last_len;

static __always_inline void bump(__u32 slot, __u64 by)
{
    __u64 *v = bpf_map_lookup_elem(&counts, &slot);
    if (v)
        *v += by;
}

SEC("xdp")
int selftest(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = (void *)data;
    __u32 zero = 0, one = 1;
    __u64 *r = bpf_map_lookup_elem(&runs, &zero);
    if (r)
        *r += 1;
    __u32 k1 = 30, k2 = 10, k3 = 20; /* inserted out of key order */
    bpf_map_update_elem(&seen, &k1, &one, BPF_ANY);
    bpf_map_update_elem(&seen, &k2, &one, BPF_ANY);
    bpf_map_update_elem(&seen, &k3, &one, BPF_ANY);
#if VARIANT != 5
    if ((void *)(eth + 1) > (void *)end)
        return XDP_ABORTED;
#endif
    last_len = (__u32)(end - data) + (VARIANT == 4);
    data[0] = VARIANT == 2 ? 0xab : 0xaa;
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        bump(0, VARIANT == 3 ? 2 : 1);
        return VARIANT == 1 ? XDP_DROP : XDP_PASS;
    }
    bump(1, 1);
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
