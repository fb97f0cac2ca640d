// raw_tp: unary operators (`~`, `-`, `!`) over a comma expression whose left side has a
// side effect. libclang evaluates such an operand to a constant (the comma's right side);
// the left side must still run, its increments kept (found by random programs:
// `v += ~((c ? 7 : -(a++)) != g, -48461)` lost its `a++`).
// @ctx 0100000000000000 0000000000000000 6d00000000000000
// @ctx 0000000000000000 0300000000000000 ffffffffffffff7f
// @ctx 1234000000000000 ffffffffffffffff 0000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rec {
	__s32 f3;
	__u16 f4 : 11;
};

__u64 g3 = 16;
__u64 out[4];

SEC("raw_tp/sys_enter")
int unary_side_effects(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 a0 = ctx->args[0], a1 = ctx->args[1], a2 = ctx->args[2];
	__s8 v0 = a1;
	__s8 v2 = a0;
	__s32 w = 0;
	struct rec st = { -2023106851, 4294967295u };

	v2 += (~(((((__u32)(st.f4 + (-26944)) % ((__u32)v0 | 1)) ? 7 : (-(a2++))) != ((__s32)g3)), (-48461)));
	w += -((((a1 & 1) ? 3 : (a0++)) == 5), 9);
	w += !((a1 += 4), 0);
	out[0] = a2;
	out[1] = a0;
	out[2] = a1;
	out[3] = (__u64)(__s64)w + (__u8)v2;
	return (int)(a2 & 0x7fffffff);
}

char LICENSE[] SEC("license") = "GPL";
