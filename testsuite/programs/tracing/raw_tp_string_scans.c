// raw_tp: a 32-byte name from the context scanned by bounded loops that clang weighs
// differently for full unrolling: a 32-trip search for the terminating NUL in a global
// function and a 32-trip hash (both kept rolled: unrolled they would copy their bodies
// 32 times), a 24-trip search for '.' (unrolled: its copies are within the budget of a
// body that unrolling merely copies) and a 16-trip comparison against a constant table
// picked by the counter (unrolled: every table byte becomes an immediate). The length,
// the first '.', the matched prefix length and the hash are recorded.
// @ctx 2f7661722f6c6f672f7379736c6f672e31000000000000000000000000000000
// @ctx 2f686f6d652f757365722f2e6261736872630000000000000000000000000000
// @ctx 7878787878787878787878787878787878787878787878787878787878787878
// @ctx 0000000000000000000000000000000000000000000000000000000000000000
// @ctx 2f6f70742f6170702f62696e2f7365727665722d776f726b65722d3037000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(5);

struct name32 {
	unsigned char c[32];
};

static const unsigned char expected[16] = "/opt/app/bin/se";

/* Verified once, on its own: the NUL search over all 32 bytes stays a loop. */
__noinline int name_len(const struct name32 *n)
{
	const unsigned char *s;
	int i;

	if (!n)
		return 0;
	s = n->c;
	for (i = 0; i < 32; i++)
		if (s[i] == 0)
			break;
	return i;
}

SEC("raw_tp/sys_enter")
int string_scans(struct bpf_raw_tracepoint_args *ctx)
{
	struct name32 n;

	for (int w = 0; w < 4; w++) {
		__u64 v = ctx->args[w];
		for (int b = 0; b < 8; b++)
			n.c[w * 8 + b] = (unsigned char)(v >> (8 * b));
	}

	int len = name_len(&n);

	/* The first '.' among the first 24 bytes, 24 if none. */
	int dot;
	for (dot = 0; dot < 24; dot++)
		if (n.c[dot] == '.')
			break;

	/* How many leading bytes match the table. */
	int same;
	for (same = 0; same < 16; same++)
		if (n.c[same] != expected[same])
			break;

	__u32 digest = 0;
	for (int i = 0; i < 32; i++)
		digest = digest * 33 ^ n.c[i];

	ts_put(&results, 0, len);
	ts_put(&results, 1, dot);
	ts_put(&results, 2, same);
	ts_put(&results, 3, digest);
	ts_add(&results, 4, 1);
	return len;
}

char LICENSE[] SEC("license") = "GPL";
