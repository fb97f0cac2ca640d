// XDP: global initializers folded through the builtins clang folds there: bpf_htonl /
// bpf_htons of constants (__builtin_constant_p selecting __builtin_bswap32/16) in a
// .rodata table of backends, __builtin_bswap64 and __builtin_expect in .data, a
// __builtin_constant_p of a constant and of a global's value. The program matches the
// packet's IPv4 destination and UDP port against the table.
// @input 00112233445566778899aabb08004500001c0001000040110000c0a800010a00000a3039005000080000
// @input 00112233445566778899aabb08004500001c0001000040110000c0a800010a00000b3039005000080000
// @input 00112233445566778899aabb08004500001c0001000040110000c0a800010a00000a303901bb00080000
// @input 00112233445566778899aabb08004500001c0001000040110000c0a800010a00000c3039005000080000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

TS_RESULTS(4);

struct backend {
	__be32 addr;
	__be16 port;
	__u16 weight;
};

static const struct backend backends[] = {
	{ .addr = bpf_htonl(0x0a00000a), .port = bpf_htons(80), .weight = 3 },
	{ .addr = bpf_htonl(0x0a00000b), .port = bpf_htons(80), .weight = 5 },
	{ .addr = bpf_htonl(0x0a00000a), .port = bpf_htons(443), .weight = 7 },
};

__u64 magic = __builtin_bswap64(0x0102030405060708ULL);
__u32 expected = __builtin_expect(42, 1);
int folded = __builtin_constant_p(3) ? 11 : 13;
int not_folded = __builtin_constant_p(magic) ? 17 : 19;

SEC("xdp")
int global_init_builtins(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct udphdr *udp = (void *)(ip + 1);
	__u32 hit = 0;

	if ((void *)(udp + 1) > end)
		return XDP_PASS;
	for (int i = 0; i < 3; i++) {
		if (backends[i].addr == ip->daddr && backends[i].port == udp->dest)
			hit = backends[i].weight;
	}
	ts_put(&results, 0, hit);
	ts_put(&results, 1, magic ^ expected);
	ts_put(&results, 2, folded * 100 + not_folded);
	ts_put(&results, 3, bpf_ntohs(udp->dest));
	return hit ? XDP_TX : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
