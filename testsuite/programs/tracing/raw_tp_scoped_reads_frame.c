// raw_tp: small arrays of inlined functions (2, 4, 8 and 16 words, read at indices
// only known at run time, so they stay in the stack), called before and after a function
// holding a 400-byte copy, as tracee's kprobes call BPF_CORE_READ's readers around
// `get_file_info` (`security_file_mprotect`, `socket_accept`: 520 to 872 bytes with
// ours, 272 to 432 with clang). Lowering gave each later array the slot an earlier one
// of its size had left, so each such slot was in use from the first call to the last,
// across the copy: 664 bytes, over the 512-byte limit ("stack size ... exceeds the
// limit"; clang 464). The driver's second try gives every local a slot of its own, and
// the frame layout shares them by where they are in use, as clang's stack colouring does.
// @ctx 03000000000000000500000000000000
// @ctx ff000000000000002a00000000000000
// @ctx 3100000000000000ffffffffffffffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

#define WORDS 50

struct big { __u64 w[WORDS]; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct big);
} source SEC(".maps");

#define PEEK(N)                                                        \
static __always_inline __u64 peek##N(const __u64 *p, __u64 a)           \
{                                                                      \
	__u64 v[N];                                                        \
	for (int i = 0; i < N; i++)                                        \
		v[i] = p[i] * 3 + i;                                           \
	return v[a % N] + v[(a >> 8) % N];                                 \
}
PEEK(2)
PEEK(4)
PEEK(8)
PEEK(16)

static __always_inline __u64 bigread(const struct big *s, __u64 a)
{
	struct big copy;
	for (int i = 0; i < WORDS; i++)
		copy.w[i] = s->w[i] ^ (a << (i % 5));
	return copy.w[a & 31] * 5 + copy.w[(a >> 8) & 31] + copy.w[WORDS - 1];
}

SEC("raw_tp/sys_enter")
int scoped_reads_frame(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0;
	struct big *s = bpf_map_lookup_elem(&source, &zero);
	if (!s)
		return 0;
	__u64 a = ctx->args[0], b = ctx->args[1];
	for (int i = 0; i < WORDS; i++)
		s->w[i] = a * (i + 1) ^ (b << (i % 7));

	__u64 h = peek2(&s->w[1], a) + peek4(&s->w[2], b) + peek8(&s->w[5], a) + peek16(&s->w[13], b);
	ts_put(&results, 0, h);
	h += bigread(s, a);
	ts_put(&results, 1, h);
	h += peek2(&s->w[3], b) + peek4(&s->w[7], a) + peek8(&s->w[20], b) + peek16(&s->w[31], a);
	ts_put(&results, 2, h);

	__builtin_memset(s, 0, sizeof(*s));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
