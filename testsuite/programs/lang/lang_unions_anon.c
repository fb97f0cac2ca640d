// Unions and anonymous members: a tagged union with anonymous struct/union members,
// type punning through a union (bytes of a u32/u64), nested anonymous unions in a map value.
// @ctx 00000000000000008877665544332211
// @ctx 0100000000000000feffffff00000000
// @ctx 02000000000000003412cdab00000000
// @ctx 03000000000000001100000000000080
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(8);

struct value {
	__u8 kind;
	union {
		__u64 u;
		__s32 s;
		struct {
			__u16 lo;
			__u16 hi;
		};
		__u8 bytes[8];
	};
	struct {
		union {
			__u32 word;
			__u8 b4[4];
		};
		__u32 extra;
	} inner;
};

union pun {
	__u64 v;
	__u32 w[2];
	__u16 h[4];
	__u8 b[8];
};

static __always_inline __u64 eval(const struct value *v)
{
	switch (v->kind) {
	case 0:
		return v->u;
	case 1:
		return (__s64)v->s;
	case 2:
		return (__u64)v->hi << 16 | v->lo;
	default:
		return v->bytes[0] + v->bytes[7] + v->inner.b4[3];
	}
}

SEC("raw_tp/sys_enter")
int unions_anon(__u64 *ctx)
{
	struct value v = {};
	v.kind = ctx[0] & 3;
	v.u = ctx[1];
	v.inner.word = (__u32)ctx[1] ^ 0xa5a5a5a5;
	v.inner.extra = v.inner.b4[0];
	union pun p = { .v = ctx[1] };
	ts_put(&results, 0, eval(&v));
	ts_put(&results, 1, p.w[0] + p.w[1]);
	ts_put(&results, 2, p.h[0] ^ p.h[3]);
	ts_put(&results, 3, p.b[1] | p.b[6] << 8);
	p.b[0] = 0xee;
	ts_put(&results, 4, p.v);
	ts_put(&results, 5, v.lo + v.hi);
	ts_put(&results, 6, v.inner.extra);
	ts_put(&results, 7, sizeof(struct value) * 100 + sizeof(union pun));
	return v.kind;
}

char LICENSE[] SEC("license") = "GPL";
