// XDP: a load balancer's real selection in katran's shape. A connection-rate check sets a
// flag ("flooded", true when its counter map cannot be read or the rate is over the
// limit); the flow is hashed onto a ring of reals; the choice is remembered in an LRU
// table unless the service's flags, the flag or a TCP RST say not to — one test of three
// conditions, the flag among them. Tested alone, the flag is 0 on some paths and 1 on
// others and known on each, so the verifier walks every path from the rate check to that
// test twice; tested together with the service's flags (clang's SimplifyCFG folds the
// conditions into one `or`, swift-bpfcc's `CommonTargetBranches` too) it decides nothing.
// Runs: TCP SYN to service 1, TCP ACK of the same flow, TCP RST, UDP to service 2 (which
// bypasses the LRU), a non-IPv4 frame, a cut TCP header. All run in one second of the
// packets' clock, over the rate limit of 3 from the fourth packet on.
// @input 00112233445566778899aabb08004500002800014000400626cd0a0000010a0000029c40005000000001000000005002ffff00000000
// @input 00112233445566778899aabb08004500002800014000400626cd0a0000010a0000029c40005000000001000000005010ffff00000000
// @input 00112233445566778899aabb08004500002800014000400626cd0a0000010a0000029c40005000000001000000005004ffff00000000
// @input 00112233445566778899aabb08004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb86dd00000000
// @input 00112233445566778899aabb08004500001800014000400626dd0a0000010a0000029c400050
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

TS_RESULTS(6);

#define RING_SIZE 64
#define MAX_RATE 3
#define F_LRU_BYPASS 2

struct flow {
	__be32 src;
	__be32 dst;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct service {
	__u32 flags;
	__u32 ring;
};

struct rate {
	__u64 count;
	__u64 since;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct service);
} services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rate);
} rates SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4 * RING_SIZE);
	__type(key, __u32);
	__type(value, __u32);
} rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, struct flow);
	__type(value, __u32);
} chosen SEC(".maps");

static __always_inline __u32 rol(__u32 w, unsigned int s)
{
	return (w << s) | (w >> ((-s) & 31));
}

static __always_inline __u32 mix(__u32 a, __u32 b, __u32 c)
{
	c ^= b; c -= rol(b, 14);
	a ^= c; a -= rol(c, 11);
	b ^= a; b -= rol(a, 25);
	c ^= b; c -= rol(b, 16);
	a ^= c; a -= rol(c, 4);
	b ^= a; b -= rol(a, 14);
	c ^= b; c -= rol(b, 24);
	return c;
}

/* `tick`: the packet's clock (its IP id, in place of bpf_ktime_get_ns: the maps must come
 * out the same in both builds' runs). */
static __always_inline int flooded(__u64 *now, __u64 tick)
{
	__u32 k = 0;
	struct rate *r = bpf_map_lookup_elem(&rates, &k);

	if (!r)
		return 1;
	*now = tick;
	if (*now - r->since > 1000000000ull) {
		r->count = 1;
		r->since = *now;
	} else {
		r->count += 1;
		if (r->count > MAX_RATE)
			return 1;
	}
	return 0;
}

static __always_inline int pick_real(struct flow *fl, struct service *svc, __u8 tcp_flags, __u64 tick, __u32 *real)
{
	__u64 now = 0;
	int under = flooded(&now, tick);
	__u32 a = fl->src, b = fl->dport | (__u32)fl->sport << 16, c = 0x9e3779b9 + fl->proto;

	/* What the hash covers depends on the service and the packet: paths that meet
	 * again before the hash, each walked once per value of a flag known on it. */
	if (svc->flags & 1)
		b = fl->dport;
	if (tcp_flags & 0x02)
		c ^= 0x5bd1e995;
	if (fl->proto == IPPROTO_UDP)
		a ^= fl->dst;
	__u32 hash = mix(a, b, c) % RING_SIZE;
	__u32 key = svc->ring * RING_SIZE + hash;
	__u32 *pos = bpf_map_lookup_elem(&rings, &key);

	if (!pos)
		return 0;
	*real = *pos ? *pos : hash + 1;
	if (!(svc->flags & F_LRU_BYPASS) && !under && !(tcp_flags & 0x04)) {
		__u32 v = *real;
		bpf_map_update_elem(&chosen, fl, &v, BPF_ANY);
		ts_add(&results, 5, 1);
	}
	return 1;
}

SEC("xdp")
int flood_flag_lru(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct flow fl;
	__u8 tcp_flags = 0;
	__u32 real = 0, k;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) {
		ts_add(&results, 0, 1);
		return XDP_PASS;
	}
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	__builtin_memset(&fl, 0, sizeof(fl));
	fl.src = ip->saddr;
	fl.dst = ip->daddr;
	fl.proto = ip->protocol;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);
		if ((void *)(tcp + 1) > end) {
			ts_add(&results, 1, 1);
			return XDP_DROP;
		}
		fl.sport = tcp->source;
		fl.dport = tcp->dest;
		tcp_flags = ((__u8 *)tcp)[13];
		k = 1;
	} else {
		k = 2;
	}
	struct service *svc = bpf_map_lookup_elem(&services, &k);
	if (!svc)
		return XDP_ABORTED;
	/* The services' flags and rings, set on the first packet: service 2 bypasses the LRU. */
	if (svc->ring == 0) {
		svc->ring = k;
		svc->flags = k == 2 ? F_LRU_BYPASS : 0;
	}
	if (!pick_real(&fl, svc, tcp_flags, (__u64)bpf_ntohs(ip->id) * 400000000ull, &real))
		return XDP_DROP;
	ts_put(&results, 2, real);
	ts_put(&results, 3, fl.proto);
	ts_add(&results, 4, tcp_flags);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
