// An expression nested 2047 levels deep (a chain of 2048 additions, made by macros:
// clang limits brackets, not operators). Conversion and lowering recurse once per level,
// so nesting past 2000 levels is refused with a diagnostic instead of overflowing the
// stack (a chain of 6000 crashed the compiler, and clang-22 overflows on 2000 casts).
// @expect-error expressions, statements and types nest more than 2000 levels deep
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define T1 v + v
#define T2 T1 + T1
#define T3 T2 + T2
#define T4 T3 + T3
#define T5 T4 + T4
#define T6 T5 + T5
#define T7 T6 + T6
#define T8 T7 + T7
#define T9 T8 + T8
#define T10 T9 + T9
#define T11 T10 + T10

SEC("xdp")
int deep_sum(struct xdp_md *ctx)
{
	int v = ctx->ingress_ifindex;
	return T11;
}

char LICENSE[] SEC("license") = "GPL";
