// A truth value of values a loop nest leaves alone, in one arm of a conditional, in a
// nest that updates a map every round: `put(c ? (in0 && in1) ^ k : (in2 != 0) - 1)`
// with `c` a global's sign, read again every round. Computed in the arm, each round
// splits the verifier's walk on `in0`, on `in1` (which the code after the nest indexes
// with, so it is kept exact) and on `in2`; computed once before the nest, as clang's
// LICM moves its compare-and-select values, the split happens once (507,699 instructions
// walked before, 106,444 now; the reduced form of random seed 59056, which was over the
// verifier's limit).
// @ctx 0000000000000000000000000000000000000000000000000000000000000000
// @ctx ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00
// @ctx 123456787654321000112233445566778899aabbccddeeff0102030405060708
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

__u16 mode = 0x83;
__u64 table[2][8] = {{1, 2, 3, 4, 5, 6, 7, 8}, {9, 10, 11, 12, 13, 14, 15, 16}};

SEC("raw_tp/sys_enter")
int arm_truth_calls(__u64 *ctx)
{
	__u8 in0 = ctx[0];
	__u64 in1 = ctx[1];
	__u32 in2;

	__builtin_memcpy(&in2, (char *)ctx + 17, sizeof(in2));
	if ((in1 ^ in2) & 1)
		in1 -= in2 & 3;
	ts_put(&results, 0, in1);
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 4; j++)
			for (long k = 0; k < 12; k += 3)
				ts_put(&results, 1, (signed char)mode < 0 ? (in0 && in1) ^ (7u - in0)
									   : (unsigned int)(in2 != 0) - 1u);
	ts_put(&results, 2, table[in1 & 1][in2 & 7]);
	ts_put(&results, 3, in1 ^ in2);
	return 0;
}

char _license[] SEC("license") = "GPL";
