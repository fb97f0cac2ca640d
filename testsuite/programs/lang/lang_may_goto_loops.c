// XDP: loops the verifier cannot bound by their counters, each ended by `may_goto` written
// through `asm goto` — the forms of libbpf's bpf_experimental.h (`can_loop` in a loop
// condition, `cond_break` in a loop body, a compare that jumps to a label), written here
// with macros of our own (the compare picks its text by `__builtin_strcmp` of the
// operator's spelling, which folds). Each macro declares its labels `__label__`, so
// using one twice in a function makes two sets of labels. Also an `asm goto` with two
// labels (its selector is branched on after the text), and one with a "+r" output.
// @input 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627
// @input 0a0b0c0d0e0f8081828384858687887f
// @input 7f7e7d7c7b7a79787776757473727170ff6f6e6d6c6b6a6968676665646362616053525150
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

/* True until the verifier's budget of loop rounds for the program is spent. */
#define loop_budget_left                                          \
	({                                                        \
		__label__ spent, fine;                            \
		_Bool left = 1;                                   \
		asm volatile goto("may_goto %l[spent]" :::: spent); \
		goto fine;                                        \
	spent:                                                    \
		left = 0;                                         \
	fine:                                                     \
		left;                                             \
	})

/* Leaves the enclosing loop once that budget is spent. */
#define break_when_spent                                          \
	({                                                        \
		__label__ spent, fine;                            \
		asm volatile goto("may_goto %l[spent]" :::: spent); \
		goto fine;                                        \
	spent:                                                    \
		break;                                            \
	fine:;                                                    \
	})

/* a OP b (OP one of > and ==, unsigned), decided by the text's own jump; the text is
   picked by comparing the operator's spelling, as bpf_cmp_likely picks it. */
#define holds(a, OP, b)                                                                        \
	({                                                                                     \
		__label__ yes;                                                                 \
		_Bool r = 1;                                                                   \
		if (__builtin_strcmp(#OP, ">") == 0)                                           \
			asm volatile goto("if %[x] > %[y] goto %l[yes]" :: [x] "r"((__u64)(a)),  \
					  [y] "ri"((__u64)(b)) :: yes);                        \
		else if (__builtin_strcmp(#OP, "==") == 0)                                     \
			asm volatile goto("if %[x] == %[y] goto %l[yes]" :: [x] "r"((__u64)(a)), \
					  [y] "ri"((__u64)(b)) :: yes);                        \
		else                                                                           \
			asm volatile("r0 " #OP " is no operator here");                       \
		r = 0;                                                                         \
	yes:                                                                                   \
		r;                                                                             \
	})

static __always_inline __u32 kind(__u8 v)
{
	/* Two labels: 1 for 0x0a, 2 for 0x7f, 0 otherwise. */
	asm volatile goto("if %0 == 10 goto %l[ten]; if %0 == 127 goto %l[top]" :: "r"((__u64)v) :: ten, top);
	return 0;
ten:
	return 1;
top:
	return 2;
}

SEC("xdp")
int may_goto_loops(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	if (data + 16 > end)
		return XDP_DROP;

	/* Collatz steps from a packet byte: nothing bounds the loop but the budget. */
	__u32 x = data[0] + 2, steps = 0;
	while (x != 1 && loop_budget_left) {
		x = (x & 1) ? 3 * x + 1 : x >> 1;
		steps++;
	}
	ts_put(&results, 0, steps);

	/* Euclid's algorithm on two packet bytes, the budget checked in the body. */
	__u32 a = data[1], b = data[2], rounds = 0;
	while (1) {
		break_when_spent;
		if (b == 0)
			break;
		__u32 t = a % b;
		a = b;
		b = t;
		rounds++;
	}
	ts_put(&results, 1, a * 1000 + rounds);

	/* Which of the next bytes are above the first one, in the macro's second loop. */
	__u8 first = data[0];
	__u32 above_first = 0;
	for (__u32 i = 1; i < 8 && loop_budget_left; i++) {
		if (holds(data[i], >, first))
			above_first |= 1u << i;
	}
	ts_put(&results, 2, above_first + holds(data[8], >, 0x70) * 1000 + holds(data[15], ==, 0x7f) * 10000);
	/* An output on asm goto: its label is numbered after the "+r" operand's hidden input. */
	__u64 bumped = data[9];
	asm volatile goto("%[v] += 1; if %[v] > 0x80 goto %l[high]" : [v] "+r"(bumped) :: "memory" : high);
	bumped += 1000;
high:
	ts_put(&results, 3, kind(first) * 10 + kind(data[15]) + bumped * 100);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
