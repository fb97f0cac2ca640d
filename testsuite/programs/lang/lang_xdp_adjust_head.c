// Packet-shaping helpers that change data: bpf_xdp_adjust_head to push and pop an
// encapsulation header (re-derived pointers afterwards), bpf_xdp_adjust_tail to trim, and
// the output packet compared.
// @input 02000000000102000000000208004500002000014000401126ca0a0000010a00000200010002000c000061626364
// @input 02000000000102000000000288b5080000244500001c00014000401126ce0a0000010a0000020001000200080000
// @input 02000000000102000000000288b508
// @input 020000000001020000000002123430313233343536373839616263646566
// @input 02000000000102000000000212343031
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct shim {
	__be16 magic;
	__be16 len;
};

SEC("xdp")
int xdp_adjust_head(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	__u16 proto = bpf_ntohs(eth->h_proto);
	if (proto == 0x88b5) { /* decapsulate: drop the shim after the Ethernet header */
		struct ethhdr copy;
		struct shim *s = (void *)(eth + 1);
		if ((void *)(s + 1) > end)
			return XDP_DROP;
		__builtin_memcpy(&copy, eth, sizeof(copy));
		copy.h_proto = s->magic;
		if (bpf_xdp_adjust_head(ctx, (int)sizeof(struct shim)))
			return XDP_ABORTED;
		data = (void *)(long)ctx->data;
		end = (void *)(long)ctx->data_end;
		eth = data;
		if ((void *)(eth + 1) > end)
			return XDP_ABORTED;
		__builtin_memcpy(eth, &copy, sizeof(copy));
		return XDP_PASS;
	}
	if (proto == 0x0800) { /* encapsulate */
		struct ethhdr copy;
		__builtin_memcpy(&copy, eth, sizeof(copy));
		__u16 len = end - data;
		if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct shim)))
			return XDP_ABORTED;
		data = (void *)(long)ctx->data;
		end = (void *)(long)ctx->data_end;
		eth = data;
		struct shim *s = (void *)(eth + 1);
		if ((void *)(s + 1) > end)
			return XDP_ABORTED;
		__builtin_memcpy(eth, &copy, sizeof(copy));
		eth->h_proto = bpf_htons(0x88b5);
		s->magic = bpf_htons(0x0800);
		s->len = bpf_htons(len);
		return XDP_TX;
	}
	if (end - data > 20 && bpf_xdp_adjust_tail(ctx, -4) == 0)
		return XDP_REDIRECT;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
