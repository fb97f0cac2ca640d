// Inline assembly with operands, in the shape XDP helpers use to force a bounds check
// the verifier understands: the packet pointers are read from the context inside the
// asm, the offset is masked, and the statement returns both a pointer and a status
// ("=r" outputs, "r" / "ri" / "i" inputs, r1 and r2 as clobbers, relative jumps); a
// clamp in place ("+r" with an immediate bound, as libbpf-tools' cpufreq does); and the
// same pointer check through labels, data_end read by an asm load whose offset is an
// "i" operand computed by the classic offsetof macro (&((T *)0)->member).
// @input 00112233445566778899aabb080045000014000000004006000001020304050607
// @input 00112233445566778899aabb0800450000140000000040060000010203
// @input ffffffffffffffffffffffff86dd6000000000083a40fe800000000000000000000000000001
// @input 0001020304050607080910111213
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

#define OFF_MAX 0xff
#define CLASSIC_OFFSETOF(T, M) ((unsigned long)&((T *)0)->M)

/* 0 and a pointer to len bytes at off, or -EINVAL when they are not all in the packet. */
static __always_inline int packet_bytes(struct xdp_md *ctx, __u64 off, const __u64 len, void **out)
{
	void *from;
	int ret;
	asm volatile("r1 = *(u32 *)(%[ctx] + 0)\n\t"
		     "r2 = *(u32 *)(%[ctx] + 4)\n\t"
		     "%[off] &= %[offmax]\n\t"
		     "r1 += %[off]\n\t"
		     "%[from] = r1\n\t"
		     "r1 += %[len]\n\t"
		     "if r1 > r2 goto +2\n\t"
		     "%[ret] = 0\n\t"
		     "goto +1\n\t"
		     "%[ret] = %[errno]\n\t"
		     : [ret] "=r"(ret), [from] "=r"(from)
		     : [ctx] "r"(ctx), [off] "r"(off), [len] "ri"(len),
		       [offmax] "i"(OFF_MAX), [errno] "i"(-22)
		     : "r1", "r2");
	*out = from;
	return ret;
}

#define CLAMP(VAR, UMAX)                                  \
	asm volatile("if %0 <= %[max] goto +1\n"          \
		     "%0 = %[max]\n"                       \
		     : "+r"(VAR)                           \
		     : [max] "i"(UMAX))

SEC("xdp")
int inline_asm_bounds(struct xdp_md *ctx)
{
	void *p;
	__u8 buf[4];
	int status = packet_bytes(ctx, 14, 4, &p);
	ts_put(&results, 0, (__u64)(__s64)status);
	if (status)
		return XDP_DROP;
	__builtin_memcpy(buf, p, 4);
	__u32 sum = buf[0] + buf[1] * 3 + buf[2] * 5 + buf[3] * 7;
	CLAMP(sum, 1000);
	ts_put(&results, 1, sum);

	/* The same check written with labels, the length as a register operand; data_end
	 * read by the text at an offset given by the classic offsetof macro. */
	__u64 len = (buf[0] & 7) + 1, pos;
	void *end;
	asm volatile("%0 = *(u32 *)(%1 + %2)" : "=r"(end) : "r"(ctx), "i"(CLASSIC_OFFSETOF(struct xdp_md, data_end)));
	asm volatile("%[pos] = *(u32 *)(%[ctx] + 0)\n\t"
		     "%[pos] += %[len]\n\t"
		     "if %[pos] > %[end] goto 1f\n\t"
		     "%[pos] = 1\n\t"
		     "goto done\n"
		     "1: %[pos] = 0\n"
		     "done:"
		     : [pos] "=&r"(pos)
		     : [ctx] "r"(ctx), [len] "r"(len), [end] "r"(end));
	ts_put(&results, 2, pos * 100 + len);
	return sum & 1 ? XDP_PASS : XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
