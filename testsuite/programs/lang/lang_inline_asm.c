// Inline assembly as programs write it: arithmetic on "r" operands with "=r" results, a
// "+r" operand updated in place, a matching constraint ("0"), named operands, immediates
// from constant expressions (sizeof, enum, negative), 32-bit subregisters through "w"
// registers named in the text, byte swaps, a compare-and-branch inside the text, values
// that live across the statement while it clobbers registers, an atomic add on a map
// value, and a map lookup helper called from the text with its clobbers.
// @input 000102030405060708090a0b0c0d0e0f1011
// @input ff0102030405060708090a0b0c0d0e0f80ff7f
// @input 1234567890abcdef0011223344556677889900
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(8);

enum { SHIFT = 3 };

SEC("xdp")
int inline_asm_prog(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if ((void *)(data + 18) > (void *)end)
		return XDP_ABORTED;
	__u64 a = data[0] | (__u64)data[1] << 8, b = data[2] + 1000, c, d;
	__u32 x = data[3] * 77 + data[4];
	int s = (__s8)data[16];

	/* c = (a + b) * 3 - b, in a scratch register the text names and clobbers */
	asm("r3 = %[a]\n\t"
	    "r3 += %[b]\n\t"
	    "r3 *= 3\n\t"
	    "%[c] = r3\n\t"
	    "%[c] -= %[b]"
	    : [c] "=&r"(c)
	    : [a] "r"(a), [b] "r"(b)
	    : "r3");
	ts_put(&results, 0, c);

	/* in place: a = (a << SHIFT) ^ sizeof(struct xdp_md) */
	asm("%0 <<= %1\n\t%0 ^= %2" : "+r"(a) : "i"(SHIFT), "i"(sizeof(struct xdp_md)));
	ts_put(&results, 1, a);

	/* matching constraint: d starts as b and gets s added, sign-extended in w/r regs */
	asm("%0 += %2\n\t%0 += %3" : "=r"(d) : "0"(b), "r"((__s64)s), "i"(-5));
	ts_put(&results, 2, d);

	/* 32-bit arithmetic and a byte swap in the text */
	__u32 y;
	asm("r4 = %[x]\n\t"
	    "w4 *= 2654435761\n\t"
	    "r4 = be32 r4\n\t"
	    "%[y] = r4"
	    : [y] "=r"(y)
	    : [x] "r"(x)
	    : "r4");
	ts_put(&results, 3, y);

	/* a branch in the text: max of two values */
	__u64 m;
	asm("%[m] = %[p]\n\t"
	    "if %[p] s> %[q] goto +1\n\t"
	    "%[m] = %[q]"
	    : [m] "=&r"(m)
	    : [p] "r"((__s64)s), [q] "r"((__s64)(data[5] - 128)));
	ts_put(&results, 4, m);

	/* values live across a statement that clobbers r0-r5 */
	__u64 keep1 = a * 7, keep2 = b * 11, keep3 = c ^ d;
	asm volatile("r0 = 1\n\tr1 = 2\n\tr2 = 3\n\tr3 = 4\n\tr4 = 5\n\tr5 = 6" ::: "r0", "r1", "r2", "r3", "r4", "r5");
	ts_put(&results, 5, keep1 + keep2 + keep3);

	/* an atomic add on a map value through the text */
	__u32 slot = 6;
	__u64 *v = bpf_map_lookup_elem(&results, &slot);
	if (v) {
		__u64 inc = x + 1;
		asm volatile("lock *(u64 *)(%[p] + 0) += %[inc]" :: [p] "r"(v), [inc] "r"(inc) : "memory");
	}

	/* a helper call from the text: the map and key arrive in registers, the result is
	 * checked for NULL and read inside the statement */
	__u64 seen;
	__u32 key = 1;
	asm volatile("r1 = %[map]\n\t"
		     "r2 = %[key]\n\t"
		     "call 1\n\t"
		     "if r0 == 0 goto +1\n\t"
		     "r0 = *(u64 *)(r0 + 0)\n\t"
		     "%[seen] = r0"
		     : [seen] "=r"(seen)
		     : [map] "r"(&results), [key] "r"(&key)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
	ts_put(&results, 7, seen);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
