// XDP: parses up to two VLAN tags (802.1AD outer + 802.1Q inner, or a single 802.1Q),
// counts packets per innermost VLAN id in a hash map, drops VLAN 100 and frames whose
// tag is cut off, records the last priority (PCP) and tag depth in globals.
// Runs:
//   1. untagged IPv4
//   2. 802.1Q vid 10 pcp 5
//   3. 802.1Q vid 100 (blocked)
//   4. QinQ 802.1AD 300 / 802.1Q 10
//   5. three tags
//   6. 802.1Q vid 10 again
//   7. inner tag cut off
// @input 00112233445566778899aabb08004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb8100a00a08004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb8100006408004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb88a8612c8100000a86dd6000000000081140fe800000000000000000000000000001fe8000000000000000000000000000020001000200080000
// @input 00112233445566778899aabb88a80001810000028100000308004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb8100000a0806000108000604000166778899aabb0a0000010000000000000a000002
// @input 00112233445566778899aabb88a8012c8100000a
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct vlan_tag {
    __be16 tci;
    __be16 encap_proto;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u16);
    __type(value, __u64);
} per_vlan SEC(".maps");

__u32 last_pcp;
__u32 last_depth;
__u16 last_inner_proto;

static __always_inline int is_vlan(__be16 p)
{
    return p == bpf_htons(ETH_P_8021Q) || p == bpf_htons(ETH_P_8021AD);
}

SEC("xdp")
int vlan_parse(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return XDP_DROP;
    __be16 proto = eth->h_proto;
    void *cursor = eth + 1;
    __u16 vid = 0;
    __u32 depth = 0, pcp = 0;

#pragma unroll
    for (int i = 0; i < 2; i++) {
        if (!is_vlan(proto))
            break;
        struct vlan_tag *tag = cursor;
        if ((void *)(tag + 1) > end)
            return XDP_DROP;
        __u16 tci = bpf_ntohs(tag->tci);
        vid = tci & 0x0fff;
        pcp = tci >> 13;
        proto = tag->encap_proto;
        cursor = tag + 1;
        depth++;
    }
    last_depth = depth;
    last_inner_proto = bpf_ntohs(proto);
    if (depth == 0)
        return XDP_PASS;
    last_pcp = pcp;
    __u64 one = 1, *n = bpf_map_lookup_elem(&per_vlan, &vid);
    if (n)
        __sync_fetch_and_add(n, 1);
    else
        bpf_map_update_elem(&per_vlan, &vid, &one, BPF_NOEXIST);
    if (vid == 100 || is_vlan(proto))   /* blocked VLAN, or a third tag */
        return XDP_DROP;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
