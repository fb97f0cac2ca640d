// Control flow: goto to a common exit, goto out of nested loops, a backward goto forming a
// bounded loop, early returns from several depths of nested ifs.
// @ctx 00000000000000000000000000000000
// @ctx 07000000000000000700000000000000
// @ctx 03000000000000000300000000000000
// @ctx 9a785634120000005600000000000000
// @ctx 01000000000000000900000000000000
// @ctx 00100000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

static __always_inline int find(__u64 v, __u8 needle)
{
	int pos = -1;
	for (int i = 0; i < 8; i++) {
		for (int j = 0; j < 1; j++) {
			if (((v >> (i * 8)) & 0xff) == needle) {
				pos = i;
				goto found;
			}
		}
	}
	return -1;
found:
	return pos * 10;
}

SEC("raw_tp/sys_enter")
int goto_early_return(__u64 *ctx)
{
	__u64 v = ctx[0];
	int err = 0, n = 0;
	if (v == 0) {
		err = 1;
		goto out;
	}
	if (v & 1) {
		if (v & 2) {
			if (v & 4)
				return 7;
			err = 3;
			goto out;
		}
		err = 2;
	}
again:
	n++;
	v >>= 4;
	if (v && n < 10)
		goto again;
	ts_put(&results, 0, n);
out:
	ts_put(&results, 1, err);
	ts_put(&results, 2, (__u64)(__s64)find(ctx[0], (__u8)ctx[1]));
	ts_add(&results, 3, 1);
	return err * 100 + n;
}

char LICENSE[] SEC("license") = "GPL";
