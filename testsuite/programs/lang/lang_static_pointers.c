// XDP: pointers held in `static` data, read as clang folds them: a `static const`
// pointer to an element of a `static const` table, a `static` string pointer no function
// writes, and a `static const` table of string pointers read at a constant index. The
// loader does not relocate data, so the words themselves hold only their offsets: clang's
// build reads through the addresses it folded, and so must ours (a load of the word
// dereferenced is refused by the verifier). A table read at a variable index is left
// alone by both compilers and is not used here.
// @input 00112233445566778899aabb0800450000280001000040060000c0a800010a00000a
// @input ffffffffffff665544332211080045000028000100004011000001020304050607080910
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

static const __u32 weights[3] = { 7, 11, 13 };
static const __u32 *const heaviest = &weights[2];
static const char *greeting = "hello";
static const char *const names[2] = { "tcp", "udp" };

SEC("xdp")
int static_pointers(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if ((void *)(data + 24) > end)
		return XDP_PASS;
	__u8 proto = data[23];
	ts_put(&results, 0, *heaviest * proto);
	ts_put(&results, 1, greeting[1] + proto);
	ts_put(&results, 2, names[1][0] + names[0][2]);
	ts_put(&results, 3, proto == 17 ? names[1][1] : names[0][1]);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
