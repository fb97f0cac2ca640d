// XDP: verifies the IPv4 header checksum with a bounded loop over 16-bit words (IHL from
// the header, options included), passes valid packets, drops corrupt or truncated ones.
// @input 02000000000102000000000208004500001f00014000401126cb0a0000010a00000200010002000b0000616263
// @input 0200000000010200000000020800470000300001400040068ebf0a0000010a00000201010100940400000001000200000001000000005002020000000000
// @input 02000000000102000000000208004500001c00014000401127ce0a0000010a0000020001000200080000
// @input 02000000000102000000000286dd6000000000081140fd000000000000000000000000000001fd0000000000000000000000000000020001000200080000
// @input 02000000000102000000000208004f00004400014000401108920a0000010a00000201010101010101010101010101010101010101010101010101010101010101010101
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

TS_RESULTS(3);

SEC("xdp")
int ipv4_csum_verify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	if ((void *)(iph + 1) > end)
		return XDP_ABORTED;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 words = iph->ihl * 2;
	if (words < 10)
		return XDP_DROP;
	__u16 *w = (__u16 *)iph;
	__u32 sum = 0;
	for (__u32 i = 0; i < 30; i++) {
		if (i >= words)
			break;
		if ((void *)(w + 1) > end)
			return XDP_DROP;
		sum += *w++;
	}
	__u16 folded = ts_csum_fold(sum);
	ts_put(&results, 0, folded);
	ts_put(&results, 1, words);
	if (folded != 0) {
		ts_add(&results, 2, 1);
		return XDP_DROP;
	}
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
