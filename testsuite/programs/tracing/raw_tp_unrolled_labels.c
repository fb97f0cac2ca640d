// raw_tp: `#pragma unroll` loops whose bodies hold labels and gotos — to a label in the
// body (`goto save;`, `goto count;`), out of the loop (`goto out;`) and with `continue`
// — as tracee's `save_args_to_submit_buf` walks an event's six argument types. Each
// unrolled copy has labels of its own; the loop was kept rolled before, and the verifier
// walked tracee's `sys_exit_submit` 242,112 instructions (clang's unrolled build 7,361; 144,949
// unrolled).
// A loop whose label a goto from outside the body reaches stays rolled (and computes the
// same).
// @ctx 01020304050600001100000000000000
// @ctx 0600050403020100ffffffffffffffff
// @ctx 00000000000000000300000000000000
// @ctx 07070707070707070000000000000009
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

enum { NONE_T, INT_T, LONG_T, STR_T, PAIR_T, SKIP_T, STOP_T };

struct out {
	__u32 offset;
	__u8 bytes[256];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct out);
} outs SEC(".maps");

static const char name[16] = "tracee, unrolled";

/* The value's bytes appended after its index, while they fit. */
static __always_inline int append(struct out *o, const void *p, __u32 size, __u8 index)
{
	__u32 off = o->offset;
	if (off > sizeof(o->bytes) - 17)
		return 0;
	o->bytes[off] = index;
	long r;
	if (size == 4)
		r = bpf_probe_read_kernel(&o->bytes[off + 1], 4, p);
	else if (size == 8)
		r = bpf_probe_read_kernel(&o->bytes[off + 1], 8, p);
	else if (size == 16)
		r = bpf_probe_read_kernel(&o->bytes[off + 1], 16, p);
	else
		return 0;
	if (r < 0)
		return 0;
	o->offset = off + 1 + size;
	return 1;
}

static __always_inline int save_all(struct out *o, __u64 types, __u64 *args)
{
	int saved = 0, rc = 0;
	__u32 size;
	void *arg;
#pragma unroll
	for (int i = 0; i < 6; i++) {
		__u8 type = (types >> (8 * i)) & 0xff;
		if (type > STOP_T)
			continue;
		if (type == STOP_T)
			goto out;
		size = type == INT_T ? 4 : type == PAIR_T ? 16 : 8;
		if (type == NONE_T)
			continue;
		arg = &args[i];
		switch (type) {
		case STR_T:
			arg = (void *)name;
			goto save;
		case SKIP_T:
			rc = 0;
			goto count;
		default:
			goto save;
		}
	save:
		rc = append(o, arg, size, i);
	count:
		if (rc > 0) {
			saved++;
			rc = 0;
		}
	}
out:
	return saved;
}

/* A goto from before the loop into its body: the loop stays rolled. */
static __always_inline __u64 entered_midway(__u64 x)
{
	__u64 h = x & 7;
	int i = 0;
	if (x & 8)
		goto inside;
#pragma unroll
	for (i = 0; i < 4; i++) {
		h = h * 3 + i;
inside:
		h ^= h >> 1;
	}
	return h;
}

SEC("raw_tp/sys_enter")
int unrolled_labels(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0;
	struct out *o = bpf_map_lookup_elem(&outs, &zero);
	if (!o)
		return 0;
	__u64 types = ctx->args[0], seed = ctx->args[1];
	__u64 args[6];
	for (int i = 0; i < 6; i++)
		args[i] = seed * (i + 3) ^ (0x1111ULL << i);
	o->offset = 0;
	int saved = save_all(o, types, args);
	__u64 h = 0;
	for (int i = 0; i < 64; i++)
		h = h * 131 + o->bytes[i];
	ts_put(&results, 0, saved);
	ts_put(&results, 1, o->offset);
	ts_put(&results, 2, h);
	ts_put(&results, 3, entered_midway(seed));
	__builtin_memset(o, 0, sizeof(*o));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
