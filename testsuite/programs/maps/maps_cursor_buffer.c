// XDP: packet fields pushed into a map value's byte buffer at a cursor kept in the same
// value (`buf->pos`), the way event tracers fill their per-CPU scratch buffers: each push
// stores at `data[pos & MASK]` and moves `pos`. The stores into `data` cannot reach `pos`
// (the mask keeps them below it), so `pos` may stay in a register and be stored once; the
// order of the fields depends on the packet, and a family code from a switch is pushed
// first. Ports and addresses are swapped with glibc-style shift-and-mask macros. A
// volatile counter in the value is stored twice and both stores must happen (the second
// reads nothing in between but is a volatile access). The buffer, the cursor and the
// results map are compared after all runs.
// @input 00112233445566778899aabb08004500001c000100004011f9cc0a0000010a00000204d2162e000800000000
// @input 00112233445566778899aabb0800450000280001000040060000c0a80001c0a800640050a4b1000000000000000050020000000000000000
// @input 00112233445566778899aabb86dd6000000000081140fd00000000000000000000000000000001
// @input 00112233445566778899aabb0806000108000604000100112233445566
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

#define SWAP16(x) ((unsigned short int)((((x) >> 8) & 0xff) | (((x) & 0xff) << 8)))
#define SWAP32(x) ((((x) & 0xff000000) >> 24) | (((x) & 0x00ff0000) >> 8) | \
		   (((x) & 0x0000ff00) << 8) | (((x) & 0x000000ff) << 24))

#define BUF_SIZE 4096
#define POS_MASK 2047

struct scratch {
	__u8 data[BUF_SIZE];
	__u64 pos;
	__u32 seq;
	__u8 params;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

static __always_inline void push_u8(__u8 *data, __u64 *pos, __u8 v)
{
	*(__u8 *)&data[*pos & POS_MASK] = v;
	*pos += sizeof(__u8);
}

static __always_inline void push_u16(__u8 *data, __u64 *pos, __u16 v)
{
	*(__u16 *)&data[*pos & POS_MASK] = v;
	*pos += sizeof(__u16);
}

static __always_inline void push_u32(__u8 *data, __u64 *pos, __u32 v)
{
	*(__u32 *)&data[*pos & POS_MASK] = v;
	*pos += sizeof(__u32);
}

static __always_inline __u8 family_code(__u16 proto)
{
	switch (proto) {
	case ETH_P_IP:
		return 2;
	case ETH_P_IPV6:
		return 10;
	case ETH_P_ARP:
		return 7;
	default:
		return 0;
	}
}

/* Not inlined: the buffer arrives as a parameter, as in a shared helper. */
static __attribute__((noinline)) int push_ipv4(struct scratch *s, struct iphdr *ip, int inbound)
{
	__u16 sport = 0, dport = 0;
	__u16 *ports = (__u16 *)(ip + 1);

	sport = ports[0];
	dport = ports[1];
	push_u8(s->data, &s->pos, ip->protocol);
	if (inbound) {
		push_u32(s->data, &s->pos, SWAP32(ip->daddr));
		push_u16(s->data, &s->pos, SWAP16(dport));
		push_u32(s->data, &s->pos, SWAP32(ip->saddr));
		push_u16(s->data, &s->pos, SWAP16(sport));
	} else {
		push_u32(s->data, &s->pos, SWAP32(ip->saddr));
		push_u16(s->data, &s->pos, SWAP16(sport));
		push_u32(s->data, &s->pos, SWAP32(ip->daddr));
		push_u16(s->data, &s->pos, SWAP16(dport));
	}
	s->params++;
	return 13;
}

SEC("xdp")
int cursor_buffer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct scratch *s;
	__u32 zero = 0;
	__u64 start;
	int len = 0;

	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return XDP_ABORTED;
	start = s->pos;
	*(volatile __u32 *)&s->seq = 1;
	*(volatile __u32 *)&s->seq = (__u32)start + 2;
	__u16 proto = SWAP16(eth->h_proto);
	push_u8(s->data, &s->pos, family_code(proto));
	push_u16(s->data, &s->pos, proto);
	ip = (void *)(eth + 1);
	if (proto == ETH_P_IP && (void *)(ip + 1) + 4 <= end)
		len = push_ipv4(s, ip, eth->h_dest[5] & 1);
	ts_put(&results, 0, s->pos - start);
	ts_put(&results, 1, len);
	ts_put(&results, 2, s->seq);
	ts_put(&results, 3, SWAP16(proto) ^ SWAP32((__u32)start));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
