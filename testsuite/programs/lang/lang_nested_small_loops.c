// Small inner loops inside loops: a two-round do-while whose body starts with a switch
// on packet data, and a three-round for loop reading its counter, each nested in a loop
// that data bounds. Both compilers unroll the inner loops (the verifier then walks
// their rounds once per outer iteration, not once per path through them).
// @input 000000000000000000000000080005030102030405060708090a0b0c
// @input 0000000000000000000000000800ff00f1f2f3f4f5f6f7f8f9fafbfc
// @input 000000000000000000000000080002070000000000000000000000ff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

SEC("xdp")
int nested_small_loops(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	if ((void *)(p + 28) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	__u32 rounds = p[14] & 7, mode = p[15];
	__u64 acc = 1, mix = 0;
	for (__u32 o = 0; o < rounds; o++) {
		int i = 0;
		do {
			i++;
			switch (mode & 3) {
			case 0:
				acc = acc * 3 + i;
				break;
			case 2:
				acc ^= (__u64)p[16 + i] << (8 * i);
				/* fall through */
			default:
				acc += acc >> (i + 1);
			}
		} while (i < 2);
		for (int k = 0; k < 3; k++)
			mix = mix * 31 + ((acc >> (k * 8)) & 0xff) + k;
		if (mix > 0xffffffffffull)
			break;
	}
	ts_put(&results, 0, acc);
	ts_put(&results, 1, mix);
	ts_put(&results, 2, rounds);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
