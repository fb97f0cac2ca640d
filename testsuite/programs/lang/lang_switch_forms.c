// switch statements: dense cases (jump-table shaped), sparse cases, fallthrough chains,
// default in the middle, nested switch, switch on a narrowed char, case ranges (GNU).
// @ctx 00000000000000000100000000000000
// @ctx 01000000000000006400000000000000
// @ctx 0200000000000000e803000000000000
// @ctx 0500000000000000ffffffff00000000
// @ctx 06000000000000000000000001000000
// @ctx 07000000000000007100000000000000
// @ctx 0c000000000000003500000000000000
// @ctx 0300000000000000f000000000000000
// @ctx 04000000000000000200000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(5);

static __always_inline int dense(__u32 v)
{
	switch (v) {
	case 0: return 11;
	case 1: return 22;
	case 2: return 33;
	case 3: return 44;
	case 4: return 55;
	case 5: return 66;
	case 6: return 77;
	case 7: return 88;
	default: return -1;
	}
}

static __always_inline int sparse(__u64 v)
{
	switch (v) {
	case 1: return 1;
	case 100: return 2;
	case 1000: return 3;
	case 0xffffffff: return 4;
	case 0x100000000ULL: return 5;
	}
	return 0;
}

static __always_inline int fall(int v)
{
	int acc = 0;
	switch (v) {
	case 0:
		acc += 1;
		/* fallthrough */
	case 1:
		acc += 10;
	default:
		acc += 100;
		/* fallthrough */
	case 5:
		acc += 1000;
		break;
	case 6:
		acc = -1;
	}
	return acc;
}

SEC("raw_tp/sys_enter")
int switch_forms(__u64 *ctx)
{
	ts_put(&results, 0, (__u64)dense(ctx[0] & 0xf));
	ts_put(&results, 1, sparse(ctx[1]));
	ts_put(&results, 2, (__u64)fall((int)(ctx[0] & 7)));
	int r = 0;
	switch (ctx[0] & 3) {
	case 0:
		switch (ctx[1] & 1) {
		case 0: r = 1; break;
		case 1: r = 2; break;
		}
		break;
	case 1 ... 2:
		r = 3;
		break;
	default:
		r = 4;
	}
	ts_put(&results, 3, r);
	char ch = (char)ctx[1];
	int cls;
	switch (ch) {
	case 'a' ... 'z': cls = 1; break;
	case '0' ... '9': cls = 2; break;
	case -128 ... -1: cls = 3; break;
	default: cls = 0;
	}
	ts_put(&results, 4, cls);
	return dense(ctx[0] & 0xf) + r;
}

char LICENSE[] SEC("license") = "GPL";
