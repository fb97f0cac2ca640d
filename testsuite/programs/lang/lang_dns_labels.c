// XDP: walks DNS question-name labels in a UDP payload with a bounded loop and per-byte
// bounds checks (a while loop with an explicit iteration cap), computes the name length,
// label count and a case-insensitive hash; malformed names are dropped.
// @input 02000000000102000000000208004500003d00014000401126ad0a0000010a0000029c4000350029000000000000000000000000000003777777074578616d706c6503636f6d0000010001
// @input 02000000000102000000000208004500002f00014000401126bb0a0000010a0000029c400035001b000000000000000000000000000001610000010001
// @input 02000000000102000000000208004500002c00014000401126be0a0000010a0000029c40003500180000000000000000000000000000c00c0001
// @input 02000000000102000000000208004500002b00014000401126bf0a0000010a0000029c40003500170000000000000000000000000000056162
// @input 02000000000102000000000208004500004800014000401126a20a0000010a0000029c400035003400000000000000000000000000001e78787878787878787878787878787878787878787878787878787878787800
// @input 02000000000102000000000208004500002b00014000401126bf0a0000010a0000029c40005000170000000000000000000000000000016100
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

TS_RESULTS(3);

#define DNS_HDR 12
#define MAX_NAME 32

SEC("xdp")
int dns_labels(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct udphdr *uh = (void *)(iph + 1);
	if ((void *)(uh + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5 || iph->protocol != IPPROTO_UDP ||
	    uh->dest != bpf_htons(53))
		return XDP_PASS;
	__u8 *q = (__u8 *)(uh + 1) + DNS_HDR;
	__u32 pos = 0, labels = 0, hash = 5381, left = 0;
	int steps = 0;
	while (steps < MAX_NAME) {
		steps++;
		__u8 *c = q + pos;
		if ((void *)(c + 1) > end)
			return XDP_DROP;
		if (left == 0) {
			if (*c == 0)
				break;
			if (*c > 63)
				return XDP_DROP; /* compression pointers are not allowed here */
			left = *c;
			labels++;
			hash = hash * 33 + '.';
		} else {
			__u8 ch = *c;
			if (ch >= 'A' && ch <= 'Z')
				ch += 32;
			hash = hash * 33 + ch;
			left--;
		}
		pos++;
	}
	if (steps >= MAX_NAME)
		return XDP_DROP;
	ts_put(&results, 0, pos);
	ts_put(&results, 1, labels);
	ts_put(&results, 2, hash);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
