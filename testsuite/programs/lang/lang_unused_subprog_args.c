// XDP: a static, not inlined function whose second and third parameters it never reads
// (as libbpf-tools' handle_* functions shared by a tp_btf and a raw_tp program), called
// from two places with different arguments, one of them a value computed only to be
// passed; a second function given the same arguments reads all of them. Both builds
// must return and count the same.
// @input 00112233445566778899aabb08004500001c000100004011f9cc0a0000010a00000204d2162e000800000000
// @input ffffffffffff0102030405060806000108000604000100112233445566
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

static __attribute__((noinline)) int first_only(__u64 a, __u64 b, __u32 c)
{
	return (int)(a * 3 + 1);
}

static __attribute__((noinline)) int every_one(__u64 a, __u64 b, __u32 c)
{
	return (int)(a + b * 5 + c);
}

SEC("xdp")
int unused_subprog_args(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	__u64 proto = eth->h_proto;
	__u64 len = end - data;
	int x = first_only(proto, len * 7 + eth->h_dest[0], ctx->ingress_ifindex);
	int y = first_only(len, proto, 9);
	int z = every_one(proto, len, eth->h_source[5]);
	ts_put(&results, 0, x);
	ts_put(&results, 1, y);
	ts_put(&results, 2, z);
	return (x + y + z) & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
