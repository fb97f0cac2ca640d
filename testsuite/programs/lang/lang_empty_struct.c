// XDP: empty structs (a GNU C extension, size 0): a local one, one inside another struct
// (the next field's offset does not move), copies, sizeof, and a pointer to one passed to
// an inlined function. (Not a global one: clang's -g build of it has a .bss DATASEC of size
// 0, which libbpf refuses to open; ours leaves that DATASEC out.)
// @input 00112233445566778899aabb0800450000280001000040060000c0a800010a00000a
// @input ffffffffffff665544332211080045000028000100004011000001020304050607080910
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

struct marker {};

struct framed {
	__u16 kind;
	struct marker start;
	__u16 length;
	struct marker end;
	__u32 sum;
};

static __always_inline __u32 weigh(const struct marker *m, const struct framed *f)
{
	return (m != 0) + f->kind * 3 + f->length;
}

SEC("xdp")
int empty_struct(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct marker local = {}, copy;
	struct framed f = { .kind = 1, .start = {}, .length = 0, .sum = 0 };

	if ((void *)(data + 16) > end)
		return XDP_PASS;
	copy = local;
	f.length = data[12] << 8 | data[13];
	f.sum = data[0] + data[15];
	ts_put(&results, 0, sizeof(struct marker) + sizeof(f) * 10);
	ts_put(&results, 1, __builtin_offsetof(struct framed, length) * 100 + __builtin_offsetof(struct framed, sum));
	ts_put(&results, 2, weigh(&copy, &f));
	ts_put(&results, 3, f.sum + (&f.end == (void *)&f.sum));
	return f.length == 0x0800 ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
