// Loops that stay loops: for over 16 elements, while and do-while with explicit bounds,
// nested loops with break/continue, #pragma unroll, a loop with a data-dependent trip count.
// @ctx 89674523010000001b00000000000000
// @ctx 1032547698badcfe071f000000000000
// @ctx 00000000000000000100000000000000
// @ctx f110000000000000000a000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

SEC("raw_tp/sys_enter")
int loops(__u64 *ctx)
{
	__u64 x = ctx[0];
	__u8 digits[16];
	int i;
	for (i = 0; i < 16; i++)
		digits[i] = (x >> (i * 4)) & 0xf;
	__u64 sum = 0;
	for (i = 0; i < 16; i++) {
		if (digits[i] == 0)
			continue;
		if (digits[i] == 0xf)
			break;
		sum += digits[i] * (i + 1);
	}
	ts_put(&results, 0, sum);
	__u32 n = ctx[1] & 0xff, steps = 0;
	while (n != 1 && steps < 200) { /* Collatz, bounded */
		n = (n & 1) ? 3 * n + 1 : n / 2;
		steps++;
	}
	ts_put(&results, 1, steps);
	__u32 k = 0;
	__u64 y = x;
	do {
		y >>= 8;
		k++;
	} while (y && k < 8);
	ts_put(&results, 2, k);
	__u64 tri = 0;
	for (int a = 0; a < 6; a++)
		for (int b = 0; b <= a; b++) {
			if ((a + b) % 3 == 0)
				continue;
			tri += a * b;
		}
	ts_put(&results, 3, tri);
	__u32 acc = 0;
#pragma unroll
	for (i = 0; i < 8; i++)
		acc = acc * 33 + digits[i];
	ts_put(&results, 4, acc);
	__u32 lim = ctx[1] >> 8 & 31, pw = 1;
	for (__u32 j = 0; j < lim; j++)
		pw *= 3;
	ts_put(&results, 5, pw);
	return (int)steps;
}

char LICENSE[] SEC("license") = "GPL";
