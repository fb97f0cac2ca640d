// raw_tp: one-bit tests turned into 0/1 values, and a bitfield word rewritten field by
// field. `!(a & 1)`, `(a & 8) != 0`, `r = 0; if (x & bit) r = 1;` are the bit shifted down
// (flipped where negated), with no branch, as clang builds them. The word's fields are
// cleared with one mask, its one-bit field negated with an xor and its top field added to
// with an add on the word, and the word stored once at the end although a branch comes
// between the assignments; a toggled field followed by a field set from outside the word
// keeps its clearing mask. Each run's values land in globals the harness compares.
// @ctx 0100000000000000 ffffffffffffffff
// @ctx 0800000000000000 0000000000000010
// @ctx 0900000000000080 1234567800000000
// @ctx 0000000000000000 0000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flags {
	__u64 lo : 40;
	__s64 mid : 20;
	__u64 flag : 1;
	__u64 top : 3;
};

__u64 bits[8];
struct flags word, word2 = { .lo = 0xabcdef, .mid = -3, .top = 6 };
__u64 before, after;
__u32 runs;

SEC("raw_tp/sys_enter")
int bit_toggles(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 a = ctx->args[0], b = ctx->args[1];
	int r = 0;

	bits[0] = !(a & 1);
	bits[1] = !((b >> 60) & 1);
	bits[2] = (a & 8) == 0;
	bits[3] = (a & 8) != 0;
	if (b & (1ULL << 63))
		r = 1;
	bits[4] = r;
	bits[5] = (a & 0x8000000000000000ULL) ? 0 : 1;
	bits[6] = (b & 0x10) ? 1 : 0;

	/* The word is stored after each assignment; only the last store needs to stay. */
	word.lo += a;
	word.mid = (__s64)(__s32)b >> 12;
	word.flag = !word.flag;
	word.top = word.top + 5;
	before = word.lo ^ (__u64)word.mid ^ ((__u64)word.flag << 50) ^ ((__u64)word.top << 60);
	if (a & 2)
		after = before + 1;
	after = before ^ a;
	/* A toggled field, then another field set from outside the word: the toggle's
	 * xor must not stand in for the word the second assignment clears. */
	word2.flag = !word2.flag;
	word2.lo = b;
	runs++;
	return bits[0] + bits[3] * 2 + bits[4] * 4;
}

char LICENSE[] SEC("license") = "GPL";
