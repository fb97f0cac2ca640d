// XDP: `goto` leaving scopes of variables with `__attribute__((cleanup))` runs their
// cleanups, innermost first, as clang's build does: out of a loop and two blocks, a
// backward `goto` over a declaration, a `goto` inside the scope (no cleanup), and a guard
// whose destructor a header defines and only the attribute names (ts_guard.h), also
// scoped over a statement (a `for` whose increment jumps from a statement expression to
// a label that breaks out). Each cleanup appends its variable's number to a trace.
// @input 0a0b0c0d0e0fff8081828384858687887f
// @input 0102030405060708090a0b0c0d0e0f
// @input 00000000000000018101020304050607
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"
#include "ts_guard.h"

TS_RESULTS(3);

__u64 trace, unlocks;

static void leave(__u32 *id)
{
	trace = trace * 10 + *id;
}

SEC("xdp")
int cleanup_goto(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	int result = 0, tries = 0;

	trace = 0;
	unlocks = 0;
	if (data + 9 > end)
		return XDP_DROP;
	{
		__u32 a __attribute__((cleanup(leave))) = 1;
		TS_GUARD(g, &unlocks);
		for (int i = 0; i < 8; i++) {
			__u32 b __attribute__((cleanup(leave))) = 2;
			if (data[i] == 0xff)
				goto found;
			result += data[i] & 3;
		}
		result += 100;
	}
	goto checked;
found:
	result += 1000;
checked:;
retry:
	{
		__u32 c __attribute__((cleanup(leave))) = 3;
		if (++tries < 3 && (data[7] & 1))
			goto retry;
	}
	{
		__u32 d __attribute__((cleanup(leave))) = 4;
		if (data[8] & 1)
			goto skip;
		result += 10;
skip:
		result += 1;
	}
	TS_SCOPED_GUARD(&unlocks)
		result += data[3];
	TS_SCOPED_GUARD(&unlocks) {
		if (data[4] & 1)
			result += 7;
	}
	ts_put(&results, 0, result);
	ts_put(&results, 1, trace);
	ts_put(&results, 2, unlocks);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
