// XDP: walks IPv6 extension headers the way xdp-tools' and bpf-examples' parsing helpers
// do: a counted loop (at most six headers) around a switch on the next-header value,
// each case moving the cursor by its own length — (len + 1) * 8 for hop-by-hop,
// routing, destination options and mobility, (len + 2) * 4 for AH, 8 for a fragment —
// and returning on anything else. The cursor is a struct field updated in place. The
// loop stays a loop, as in clang's build; the verifier prunes its iterations because
// the constant parts of the lengths go to the pointer's fixed offset
// (PointerOffsets) and the widest case is walked first (SwitchOrder). Records the
// upper-layer protocol, the header count and the L4 offset; drops TCP to port 23.
// Runs: plain TCP; hop-by-hop, destination options (16 bytes), TCP; fragment, UDP;
// AH (24 bytes), TCP; routing, AH (12 bytes), fragment, ICMPv6; seven headers (over
// the limit); destination options cut off; no next header; an unknown protocol after
// hop-by-hop.
// @input 00112233445566778899aabb86dd6000000000140640fe800000000000000000000000000001fe8000000000000000000000000000020001001700000001000000005002ffff00000000
// @input 00112233445566778899aabb86dd60000000002c0040fe800000000000000000000000000001fe8000000000000000000000000000023c00000000000000060100000000000000000000000000000001001700000001000000005002ffff00000000
// @input 00112233445566778899aabb86dd6000000000102c40fe800000000000000000000000000001fe80000000000000000000000000000211000000000012340001003500080000
// @input 00112233445566778899aabb86dd60000000002c3340fe800000000000000000000000000001fe8000000000000000000000000000020604000000000000000000000000000000000000000000000001001700000001000000005002ffff00000000
// @input 00112233445566778899aabb86dd6000000000242b40fe800000000000000000000000000001fe80000000000000000000000000000233000000000000002c01000000000000000000003a000000000012348000000000000000
// @input 00112233445566778899aabb86dd60000000004c0040fe800000000000000000000000000001fe80000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006000000000000000001001700000001000000005002ffff00000000
// @input 00112233445566778899aabb86dd60000000000a3c40fe800000000000000000000000000001fe80000000000000000000000000000206030000000000000000
// @input 00112233445566778899aabb86dd6000000000003b40fe800000000000000000000000000001fe800000000000000000000000000002
// @input 00112233445566778899aabb86dd6000000000100040fe800000000000000000000000000001fe80000000000000000000000000000263000000000000000000000000000000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

TS_RESULTS(4);

struct cursor {
	void *pos;
};

struct ext_hdr {
	__u8 nexthdr;
	__u8 len;
};

/* The protocol after the extension headers (the cursor left on its header), -1 when a
 * header is cut off or there are too many. */
static __always_inline int skip_extensions(struct cursor *c, void *end, __u8 next)
{
	for (int i = 0; i < 6; i++) {
		struct ext_hdr *h = c->pos;
		if ((void *)(h + 1) > end)
			return -1;
		switch (next) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case 135: /* mobility */
			c->pos = (char *)h + (h->len + 1) * 8;
			next = h->nexthdr;
			break;
		case IPPROTO_AH:
			c->pos = (char *)h + (h->len + 2) * 4;
			next = h->nexthdr;
			break;
		case IPPROTO_FRAGMENT:
			c->pos = (char *)h + 8;
			next = h->nexthdr;
			break;
		default:
			return next;
		}
	}
	return -1;
}

SEC("xdp")
int ipv6_ext_switch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	if ((void *)(ip6 + 1) > end)
		return XDP_ABORTED;
	struct cursor c = { .pos = ip6 + 1 };
	int proto = skip_extensions(&c, end, ip6->nexthdr);
	ts_put(&results, 0, (__u32)proto);
	if (proto < 0)
		return XDP_DROP;
	ts_put(&results, 1, (char *)c.pos - (char *)data);
	if (proto == IPPROTO_TCP) {
		__be16 *ports = c.pos;
		if ((void *)(ports + 2) > end)
			return XDP_DROP;
		ts_put(&results, 2, bpf_ntohs(ports[1]));
		if (ports[1] == bpf_htons(23))
			return XDP_DROP;
	}
	ts_add(&results, 3, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
