// Division and remainder of unsigned short and char values: C promotes them to `int`, a
// signed division, which -mcpu=v3 lacks; their values are never negative, so they are
// the unsigned operations, as clang's build makes them (before, swift-bpfcc refused the
// program with "unsupported signed division"). So are `int` and `long` divisions every
// path to which tested both values non-negative (`if (x < 0 || y <= 0) return`). A `long`
// of unknown sign still needs v4 (testsuite/programs/errors/signed_modulo_v3.c).
// @ctx 64000000000000000700000000000000
// @ctx ffffffffffffffff0300000000000000
// @ctx f22fce733a0b00000000000000000000
// @ctx 0000000000000000ffffffffffffffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

static __attribute__((noinline)) int ratio(int x, int y)
{
	if (x < 0 || y <= 0)
		return -1;
	return x / y * 10 + x % y;
}

SEC("raw_tp/sys_enter")
int promoted_divmod(__u64 *ctx)
{
	__u16 a = ctx[0];
	__u8 b = ctx[1];
	__u8 c = ctx[0] >> 16;
	long p = ctx[0], q = ctx[1];

	ts_put(&results, 0, a % (__u16)(b | 1));
	ts_put(&results, 1, a / (b | 1) + c / 3);
	ts_put(&results, 2, (c % (b | 2)) * 100 + (a / 7) % 10);
	ts_put(&results, 3, ratio(ctx[0], ctx[1]));
	if (p < 0 || q <= 0)
		return 0;
	ts_put(&results, 4, p / q);
	ts_put(&results, 5, p % q);
	return 0;
}

char _license[] SEC("license") = "GPL";
