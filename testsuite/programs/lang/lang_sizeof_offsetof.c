// Compile-time constants: sizeof of types and expressions, _Alignof, offsetof and
// __builtin_offsetof into nested members and array elements, _Static_assert, packed and
// aligned attributes changing layout.
// @ctx 0500000000000000
// @ctx ffffffff00000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

#include <stddef.h>

TS_RESULTS(10);

struct inner {
	__u8 a;
	__u32 b;
};

struct outer {
	__u16 x;
	struct inner in[3];
	__u64 y;
	char tail[5];
};

struct __attribute__((packed)) packed_hdr {
	__u8 kind;
	__u32 value;
	__u16 port;
};

struct aligned_box {
	__u8 c;
	__u64 v __attribute__((aligned(16)));
};

_Static_assert(sizeof(struct packed_hdr) == 7, "packed");
_Static_assert(offsetof(struct outer, in[1].b) == 16, "nested offset");
_Static_assert(_Alignof(struct aligned_box) == 16, "aligned");

SEC("raw_tp/sys_enter")
int sizeof_offsetof(__u64 *ctx)
{
	struct outer o;
	ts_put(&results, 0, sizeof(struct outer));
	ts_put(&results, 1, offsetof(struct outer, y) * 100 + offsetof(struct outer, tail));
	ts_put(&results, 2, __builtin_offsetof(struct outer, in[2].a));
	ts_put(&results, 3, _Alignof(struct outer) * 10 + _Alignof(__u16));
	ts_put(&results, 4, sizeof(struct packed_hdr) * 100 + offsetof(struct packed_hdr, port));
	ts_put(&results, 5, sizeof(struct aligned_box) + offsetof(struct aligned_box, v) * 100);
	ts_put(&results, 6, sizeof o.in / sizeof o.in[0]);
	ts_put(&results, 7, sizeof(ctx[0]) + sizeof(char) + sizeof(short) + sizeof(long long));
	ts_put(&results, 8, sizeof(int[3]) + sizeof(struct inner[2]));
	struct packed_hdr h = { .kind = 1, .value = (__u32)ctx[0], .port = 80 };
	ts_put(&results, 9, h.value + h.port);
	return sizeof(struct outer);
}

char LICENSE[] SEC("license") = "GPL";
