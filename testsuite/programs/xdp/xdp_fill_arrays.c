// XDP: local arrays filled in loops with one value each, as a program clears or marks a
// scratch table before it uses it: a truth value computed from the packet over 16 bytes,
// a packet byte over 24 16-bit elements, a constant byte over 40 bytes and a negative
// 32-bit constant over 7 words. The loops left rolled by unrolling's budget store their
// bytes at once (`FillLoops`); the unrolled one's 16 byte stores become two 64-bit stores
// of `flag * 0x0101010101010101` (`StoreWidening`); the 32-bit constant's repetition fits
// no immediate, and its stores stay. Then the elements are read back at indices the
// packet gives and folded into the results, with each loop's final counter.
// @input 00000000000000000000000000000000000000000000000000000000000000000000000000000000
// @input 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728
// @input ff7f80c3000000000000000000000000000000000000000000000000000000000000000000003f17
// @input 05ff10a0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0b21
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

SEC("xdp")
int fill_arrays(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 40) > end)
		return XDP_PASS;
	__u8 a = p[0], b = p[1], c = p[2];
	__u32 w = *(__u32 *)(p + 4);
	__u8 i1 = p[38] & 15, i2 = p[39] & 15;

	__u8 flags[16];
	int i;
	for (i = 0; i < 16; i++)
		flags[i] = (a > b) & (w != 0);
	__u64 acc = flags[i1] + i;

	__u16 marks[24];
	int j;
	for (j = 0; j < 24; j++)
		marks[j] = c;
	acc = acc * 31 + marks[i2] + marks[23] + j;

	__u8 pad[40];
	for (int k = 0; k < 40; k++)
		pad[k] = 0x5a;
	acc = acc * 31 + pad[i2 + 7] + pad[39];

	__s32 words[7];
	for (int k = 0; k < 7; k++)
		words[k] = -3;
	acc = acc * 31 + (__u32)words[i1 & 3];

	ts_put(&results, 0, acc);
	ts_put(&results, 1, flags[0] | (marks[5] << 8));
	ts_put(&results, 2, *(__u64 *)&pad[8]);
	ts_put(&results, 3, *(__u64 *)&words[2]);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
