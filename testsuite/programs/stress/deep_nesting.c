// Deep nesting made by macros (clang limits brackets, not chains of operators, casts or
// `else if`s): a chain of 1023 additions, 1024 casts, 1920 `else if`s, 512 `||` tests and
// a constant chain of 1023 additions. Conversion and lowering recurse once per level;
// clang's evaluation of an operator walks its whole operand tree, so it is not asked at
// every level of a chain that is not constant (that took seconds at 2000 levels).
// @ctx 05000000000000000300000000000000
// @ctx 3a010000000000000900000000000000
// @ctx ffffffffffffffff0100000000000000
// @ctx 11000000000000008000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

/* v + w + v + w + ... (1024 terms) */
#define A1 v + w
#define A2 A1 + A1
#define A3 A2 + A2
#define A4 A3 + A3
#define A5 A4 + A4
#define A6 A5 + A5
#define A7 A6 + A6
#define A8 A7 + A7
#define A9 A8 + A8
#define A10 A9 + A9

/* (__s32)(__u16)(__s32)(__u16)... (C10: 1024 casts; clang-22 overflows its stack on 1792) */
#define C1 (__s32)(__u16)
#define C2 C1 C1
#define C3 C2 C2
#define C4 C3 C3
#define C5 C4 C4
#define C6 C5 C5
#define C7 C6 C6
#define C8 C7 C7
#define C9 C8 C8
#define C10 C9 C9

/* if (k == n) r = n + 1; else if ... (E11 E10 E9 E8: 1920 tests, each of two fresh numbers) */
#define E1 if (k == __COUNTER__) r = __COUNTER__; else
#define E2 E1 E1
#define E3 E2 E2
#define E4 E3 E3
#define E5 E4 E4
#define E6 E5 E5
#define E7 E6 E6
#define E8 E7 E7
#define E9 E8 E8
#define E10 E9 E9
#define E11 E10 E10

/* k == n || ... (512 tests) */
#define O1 k == __COUNTER__ ||
#define O2 O1 O1
#define O3 O2 O2
#define O4 O3 O3
#define O5 O4 O4
#define O6 O5 O5
#define O7 O6 O6
#define O8 O7 O7
#define O9 O8 O8

/* 3 + 4 + 3 + 4 + ... (1024 terms, a constant) */
#define K1 3 + 4
#define K2 K1 + K1
#define K3 K2 + K2
#define K4 K3 + K3
#define K5 K4 + K4
#define K6 K5 + K5
#define K7 K6 + K6
#define K8 K7 + K7
#define K9 K8 + K8
#define K10 K9 + K9

SEC("raw_tp/sys_enter")
int deep_nesting(__u64 *ctx)
{
	__s64 v = (__s64)ctx[0];
	__s64 w = (__s64)ctx[1];
	unsigned k = ctx[0] & 0xfff;
	__s64 r = -1;

	ts_put(&results, 0, A10);
	ts_put(&results, 1, (__s64)(C10 v));
	E11 E10 E9 E8 r = 1000;
	ts_put(&results, 2, r);
	ts_put(&results, 3, O9 0);
	ts_put(&results, 4, K10);
	ts_put(&results, 5, A8 + K4 * w);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
