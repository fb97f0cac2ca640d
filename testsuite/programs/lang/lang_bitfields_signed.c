// Bitfields: unsigned and signed fields of odd widths straddling bytes, a 64-bit bitfield
// unit, read-modify-write, sign extension of signed fields, bitfield struct as a map value.
// @ctx ffffffff00000000ffffffffffffffff
// @ctx 4523010000000000f0debc9a78563412
// @ctx 07000000000000000000000000000000
// @ctx 68000080000000000000000000000200
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(10);

struct flags {
	unsigned int a : 3;
	signed int b : 5;
	unsigned int c : 9;
	signed int d : 15;
};

struct wide {
	__u64 lo : 20;
	__s64 mid : 30;
	__u64 hi : 14;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct flags);
} stored SEC(".maps");

SEC("raw_tp/sys_enter")
int bitfields_signed(__u64 *ctx)
{
	struct flags f = {};
	f.a = ctx[0];
	f.b = ctx[0] >> 3;
	f.c = ctx[0] >> 8;
	f.d = ctx[0] >> 17;
	struct wide w = {};
	w.lo = ctx[1];
	w.mid = ctx[1] >> 20;
	w.hi = ctx[1] >> 50;
	ts_put(&results, 0, f.a);
	ts_put(&results, 1, (__s64)f.b);
	ts_put(&results, 2, f.c);
	ts_put(&results, 3, (__s64)f.d);
	ts_put(&results, 4, w.lo);
	ts_put(&results, 5, (__u64)(__s64)w.mid);
	ts_put(&results, 6, w.hi);
	f.b += 3;   /* wraps within 5 bits */
	f.c ^= 0x1ff;
	f.a++;
	ts_put(&results, 7, (__s64)f.b);
	ts_put(&results, 8, f.c + f.a);
	__u32 k = 0;
	bpf_map_update_elem(&stored, &k, &f, BPF_ANY);
	struct flags *sf = bpf_map_lookup_elem(&stored, &k);
	if (!sf)
		return 0;
	sf->d = -sf->d;
	ts_put(&results, 9, (__s64)sf->d);
	return f.b < 0;
}

char LICENSE[] SEC("license") = "GPL";
