// Arrays: 2-D arrays on the stack indexed by bounded data, arrays of structs, char arrays as
// strings with a bounded strlen, static const 2-D lookup tables in .rodata.
// @ctx 00000000000000000000000000000000
// @ctx ffeeddccbbaa99880500000000000000
// @ctx 34120000000000000f00000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(5);

static const __u8 sbox[4][4] = {
	{ 0x6, 0x4, 0xc, 0x5 },
	{ 0x0, 0x7, 0x2, 0xe },
	{ 0x1, 0xf, 0x3, 0xd },
	{ 0x8, 0xa, 0x9, 0xb },
};

struct cell {
	__u16 v;
	__u8 seen;
};

static __always_inline __u32 bounded_strlen(const char *s, int max)
{
	__u32 n = 0;
	for (int i = 0; i < 16; i++) {
		if (i >= max || !s[i])
			break;
		n++;
	}
	return n;
}

SEC("raw_tp/sys_enter")
int arrays_2d(__u64 *ctx)
{
	__u32 grid[4][4];
	for (int r = 0; r < 4; r++)
		for (int c = 0; c < 4; c++)
			grid[r][c] = r * 4 + c + (__u32)ctx[0];
	__u32 i = ctx[1] & 3, j = (ctx[1] >> 2) & 3;
	ts_put(&results, 0, grid[i][j] * 10 + grid[j][i]);
	__u64 sub = 0;
	for (int k = 0; k < 16; k++)
		sub = sub << 4 | sbox[(ctx[0] >> (k * 4)) & 3][(ctx[0] >> (k * 4 + 2)) & 3];
	ts_put(&results, 1, sub);
	struct cell cells[6] = {};
	for (int k = 0; k < 6; k++) {
		cells[k].v = (__u16)(ctx[0] >> (k * 8));
		cells[k].seen = cells[k].v > 0x80;
	}
	__u32 cnt = 0;
	for (int k = 0; k < 6; k++)
		cnt += cells[k].seen;
	ts_put(&results, 2, cnt);
	char name[16] = "swift-bpfcc";
	ts_put(&results, 3, bounded_strlen(name, (int)(ctx[1] & 15)) * 100 + bounded_strlen(name, 16));
	__u32 tr = 0;
	for (int k = 0; k < 4; k++)
		tr += grid[k][k];
	ts_put(&results, 4, tr);
	return grid[3][j] - grid[0][i] + i * 100 + j;
}

char LICENSE[] SEC("license") = "GPL";
