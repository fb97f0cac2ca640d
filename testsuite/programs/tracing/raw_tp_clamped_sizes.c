// raw_tp: sizes the verifier must see bounded, in the shapes of Inspektor Gadget's fsnotify
// gadget and falco's ring-buffer writer (both held-out corpora):
// - an `int` length clamped below at 0, incremented, clamped above: the increment cannot
//   wrap (C), so the length stays in [1, 48] as a helper's size;
// - a constant size kept in a local struct that lives on the stack, read back after a
//   branch in which a helper filled another local: the size must still be the constant,
//   or the write offset derived from it is unbounded (the cursor shares its stack space
//   with an array a helper filled earlier).
// @ctx 0500000000000000ffffffffffffffff
// @ctx fbffffffffffffff0300000000000000
// @ctx ffffff7f000000000000000000000000
// @ctx 2a00000000000000ffff000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

struct buf { __u8 bytes[64]; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct buf);
} bufs SEC(".maps");

struct cursor {
	__u8 *data;
	__u64 pos;
	__u8 lengths;
	__u16 size;
};

#define CLAMP(pos, size) ((pos) >= (size) ? (size) - sizeof(__u64) : (pos))

static __always_inline void fill(__u64 *dst, __u64 *ctx, struct buf *src, int n)
{
	if (ctx[1] == 3) {
		/* A block-scoped array a helper fills: its stack space is reused for the cursor
		 * below, whose stores must still be known after the helper call further down. */
		__u32 words[6] = {};
		bpf_probe_read_kernel(words, sizeof(words), src->bytes);
		for (int i = 0; i < n; i++)
			dst[i] = words[i];
		return;
	}
	for (int i = 0; i < n; i++)
		dst[i] = ctx[i & 1] + i;
}

static __always_inline void push(struct cursor *c, __u64 v)
{
	__builtin_memcpy(&c->data[CLAMP(c->pos, c->size)], &v, sizeof(v));
	c->pos += sizeof(v);
}

SEC("raw_tp/sys_enter")
int clamped_sizes(__u64 *ctx)
{
	__u32 k0 = 0, k1 = 1;
	struct buf *src = bpf_map_lookup_elem(&bufs, &k0);
	struct buf *dst = bpf_map_lookup_elem(&bufs, &k1);
	if (!src || !dst)
		return 0;
	for (int i = 0; i < 64; i++)
		src->bytes[i] = i * 3 + 1;

	int len = (int)ctx[0];
	if (len < 0)
		len = 0;
	len++;
	if (len > 48)
		len = 48;
	bpf_probe_read_kernel(dst->bytes, len, src->bytes);
	__u64 sum = 0;
	for (int i = 0; i < 48; i++)
		sum += dst->bytes[i];
	ts_put(&results, 0, len);
	ts_put(&results, 1, sum);

	__u64 args[3];
	fill(args, ctx, src, 3);
	struct cursor c;
	c.data = dst->bytes;
	c.size = 48;
	c.lengths = 2;
	c.pos = 12;
	push(&c, args[0]);
	if ((long)ctx[1] >= 0) {
		int first = 0;
		bpf_probe_read_kernel(&first, sizeof(first), src->bytes);
		if (first > (int)ctx[1])
			c.pos += 16;
	}
	push(&c, args[1]);
	push(&c, args[2]);
	ts_put(&results, 2, c.pos);
	ts_put(&results, 3, *(__u64 *)&dst->bytes[40] + dst->bytes[20]);
	return len;
}

char LICENSE[] SEC("license") = "GPL";
