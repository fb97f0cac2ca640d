// _Bool objects initialized from values other than 0 and 1: a conversion to _Bool tests
// against zero, so each holds 1 (static const ones folded into code, writable ones in .data,
// a struct member, array elements, a casted constant expression, an address).
// @ctx 0300000000000000
// @ctx 0000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

static const _Bool k_hex = 0x64;
static const _Bool k_wide = 0x100;
_Bool g_two = 2;
_Bool g_neg = -1;
static _Bool g_zero = 0;
static int anchor;
static _Bool g_addr = (_Bool)&anchor;
struct flags {
	__u8 kind;
	_Bool on;
	_Bool off;
};
static const struct flags f_tab[2] = { { 1, 0x80, 0 }, { 2, 7, 0x200 } };
_Bool g_arr[4] = { 5, 0, 0x10000, (_Bool)(3 - 3) };

SEC("raw_tp/sys_enter")
int bool_initializers(__u64 *ctx)
{
	__u64 sel = ctx[0] & 1;
	ts_put(&results, 0, k_hex + k_wide * 10 + g_two * 100 + g_neg * 1000 + g_zero * 10000 + g_addr * 100000);
	ts_put(&results, 1, f_tab[sel].on * 10 + f_tab[sel].off + f_tab[sel].kind * 100);
	ts_put(&results, 2, g_arr[0] + g_arr[1] * 10 + g_arr[2] * 100 + g_arr[3] * 1000 + g_arr[ctx[0] & 3] * 10000);
	g_two = !g_two;
	ts_put(&results, 3, (__u64)(k_hex == 1) + (__u64)(g_neg == 1) * 2);
	return k_hex + g_neg;
}

char LICENSE[] SEC("license") = "GPL";
