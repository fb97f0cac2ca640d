// TC: an event written into a ring buffer reservation through a cursor struct on the
// stack (data pointer, payload position, reserved size), as tracing agents do: every
// write clamps its position against the reserved size kept in the struct
// (`pos >= size ? size - 8 : pos`). The struct's stack slot is shared with a buffer of an
// earlier scope that a helper filled, so the struct stays in memory: the size must be read
// back as the constant stored, across helper calls given no stack address, for the
// verifier to bound the writes. The ring buffer is submitted; counters record the sizes.
// @input 00112233445566778899aabb08004500001c000100004011f9cc0a0000010a00000204d20000
// @input 00112233445566778899aabb86dd6000000000081140fd000000000000000000000000000000013344556677889900112233445566778899
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct cursor {
	__u8 *data;
	__u64 pos;
	__u8 lengths;
	__u16 size;
	__u16 type;
};

#define CLAMP(pos, size) ((pos) >= (size) ? (size) - sizeof(__u64) : (pos))

static __always_inline int reserve(struct cursor *c, __u32 size, __u16 type)
{
	__u8 *space = bpf_ringbuf_reserve(&events, size, 0);

	if (!space)
		return 0;
	c->data = space;
	c->type = type;
	c->size = size;
	return 1;
}

static __always_inline void header(struct cursor *c, __u32 nparams)
{
	*(__u64 *)c->data = bpf_ktime_get_ns() & 0;
	*(__u16 *)&c->data[8] = c->type;
	*(__u16 *)&c->data[10] = c->size;
	c->pos = 12 + nparams * sizeof(__u16);
	c->lengths = 12;
}

static __always_inline void push_u64(struct cursor *c, __u64 v)
{
	__builtin_memcpy(&c->data[CLAMP(c->pos, c->size)], &v, sizeof(v));
	c->pos += sizeof(v);
	*(__u16 *)&c->data[CLAMP(c->lengths, c->size)] = sizeof(v);
	c->lengths += sizeof(__u16);
}

SEC("tc")
int ringbuf_cursor_struct(struct __sk_buff *skb)
{
	__u64 first = 0;
	{
		__u32 words[6] = {};

		if (bpf_skb_load_bytes(skb, 0, words, sizeof(words)))
			return TC_ACT_OK;
		first = words[0] ^ words[3];
	}
	struct cursor c;

	if (!reserve(&c, 44, 7))
		return TC_ACT_SHOT;
	header(&c, 2);
	push_u64(&c, first);
	push_u64(&c, skb->len);
	ts_put(&results, 0, c.pos);
	ts_put(&results, 1, c.lengths);
	ts_put(&results, 2, c.size);
	bpf_ringbuf_submit(c.data, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
