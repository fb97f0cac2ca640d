// Structs: nested structs and arrays inside structs, struct assignment and copy, passing
// by pointer to static functions, returning small structs by value, struct in map value.
// @ctx 050000000a00000032000000140000000000000000000000
// @ctx 64000000f6ffffff00000000050000000100000000000000
// @ctx 000000000000000000000000000000000200000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

struct point {
	__s32 x, y;
};

struct rect {
	struct point lo, hi;
	__u8 tag[6];
	__u16 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct rect);
} rects SEC(".maps");

static __always_inline struct point add(struct point a, struct point b)
{
	struct point r = { a.x + b.x, a.y + b.y };
	return r;
}

static __always_inline void normalize(struct rect *r)
{
	if (r->lo.x > r->hi.x) {
		__s32 t = r->lo.x;
		r->lo.x = r->hi.x;
		r->hi.x = t;
	}
	if (r->lo.y > r->hi.y) {
		struct point p = r->lo;
		r->lo.y = r->hi.y;
		r->hi.y = p.y;
	}
}

SEC("raw_tp/sys_enter")
int struct_copy(__u64 *ctx)
{
	struct rect r = {};
	r.lo.x = (__s32)ctx[0];
	r.lo.y = (__s32)(ctx[0] >> 32);
	r.hi.x = (__s32)ctx[1];
	r.hi.y = (__s32)(ctx[1] >> 32);
	for (int i = 0; i < 6; i++)
		r.tag[i] = 'a' + i + (ctx[2] & 3);
	normalize(&r);
	struct rect copy = r;
	copy.lo = add(copy.lo, (struct point){ 1, -1 });
	copy.flags = (copy.hi.x - copy.lo.x) > 100;
	__u32 k = 0;
	bpf_map_update_elem(&rects, &k, &r, BPF_ANY);
	k = 1;
	bpf_map_update_elem(&rects, &k, &copy, BPF_ANY);
	struct rect *m = bpf_map_lookup_elem(&rects, &k);
	if (!m)
		return -1;
	m->tag[5] = '!';
	return (m->hi.x - m->lo.x) * (m->hi.y - m->lo.y);
}

char LICENSE[] SEC("license") = "GPL";
