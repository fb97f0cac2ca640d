// XDP: a big static function called once in the source, from an __always_inline wrapper
// that two programs use (libbpf-tools' filetop shape: kretprobes calling probe_entry
// through finish). clang inlines the wrapper first, so the function has two calls and
// stays one BPF-to-BPF sub-program; the results are those of the inlined semantics.
// @input 00112233445566778899aabb08004500002800010000400679c40a0000010a000002303900501234567800000000501200fa00000000
// @input 00112233445566778899aabb0800450000280001000040117a9b0a0000010a00000204d2003500140000
// @input 00112233445566778899aabb86dd
// @prog count_ingress
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

TS_RESULTS(4);

struct flow_stat {
	__u64 packets;
	__u64 bytes;
	__u32 max_len;
	__u32 last_proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct flow_stat);
} flows SEC(".maps");

/* Big enough (several helper calls, branches) that clang's inliner keeps it a call
 * once it has two callers. */
static int account(struct xdp_md *ctx, __u32 direction)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct flow_stat zero = {}, *st;
	__u32 len = (__u32)(end - data);
	__u32 key;

	if ((void *)(ip + 1) > end)
		return -1;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return -2;
	key = (ip->saddr ^ ip->daddr ^ (ip->protocol << 8)) * 2654435761u;
	key = (key >> 26) ^ direction;
	st = bpf_map_lookup_elem(&flows, &key);
	if (!st) {
		bpf_map_update_elem(&flows, &key, &zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&flows, &key);
		if (!st)
			return -3;
	}
	st->packets++;
	st->bytes += len;
	if (len > st->max_len)
		st->max_len = len;
	st->last_proto = ip->protocol;
	ts_put(&results, 0, key);
	ts_put(&results, 1, st->packets);
	ts_put(&results, 2, ip->protocol == IPPROTO_TCP ? 6 : ip->protocol == IPPROTO_UDP ? 17 : 0);
	return (int)key;
}

static __always_inline int finish(struct xdp_md *ctx, __u32 direction)
{
	int r = account(ctx, direction);

	ts_put(&results, 3, r < 0 ? -r : r + 100);
	return r == -2 ? XDP_PASS : r < 0 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int count_ingress(struct xdp_md *ctx)
{
	return finish(ctx, 0);
}

SEC("xdp")
int count_egress(struct xdp_md *ctx)
{
	return finish(ctx, 1);
}

char LICENSE[] SEC("license") = "GPL";
