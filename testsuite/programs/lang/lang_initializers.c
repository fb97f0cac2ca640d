// Initializers: designated and nested initializers, arrays of structs with index designators,
// partial initialization (rest zero-filled), compound literals, a struct with padding used as a
// hash key after = {} (padding bytes must be zero or lookups miss), static local tables.
// @ctx 0100000a000000000100000000000000
// @ctx 0200000a000000000300000000000000
// @ctx 07000000000000000000000000000000
// @ctx 0100000a000000000200000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

struct flow_key {
	__u8 proto;      /* 3 padding bytes follow */
	__u32 addr;
	__u16 port;      /* 6 padding bytes follow */
	__u64 cookie;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct flow_key);
	__type(value, __u32);
} flows SEC(".maps");

struct cfg {
	int id;
	struct { __u8 lo, hi; } range;
	__u16 ports[4];
};

SEC("raw_tp/sys_enter")
int initializers(__u64 *ctx)
{
	struct flow_key k = { .proto = 6, .addr = (__u32)ctx[0], .port = 443 };
	__u32 one = 1;
	bpf_map_update_elem(&flows, &k, &one, BPF_ANY);
	struct flow_key k2 = {};
	k2.proto = 6;
	k2.addr = (__u32)ctx[0];
	k2.port = 443;
	__u32 *hit = bpf_map_lookup_elem(&flows, &k2);
	ts_put(&results, 0, hit ? *hit : 99);

	struct cfg table[4] = {
		[1] = { .id = 10, .range = { 1, 5 }, .ports = { 80, 443 } },
		[3] = { 30, { 7, 9 }, { [3] = 22 } },
	};
	__u32 idx = ctx[1] & 3;
	struct cfg c = table[idx];
	ts_put(&results, 1, c.id + c.range.lo * 100 + c.range.hi * 1000);
	ts_put(&results, 2, c.ports[0] + c.ports[1] + c.ports[2] + c.ports[3]);

	int arr[8] = { 1, 2, [5] = 50, 60 };
	__u64 s = 0;
	for (int i = 0; i < 8; i++)
		s = s * 7 + arr[i];
	ts_put(&results, 3, s);

	struct cfg *lit = &(struct cfg){ .id = (int)ctx[0], .ports[2] = 9 };
	ts_put(&results, 4, lit->id + lit->ports[2] + lit->range.hi);
	static const __u8 primes[] = { 2, 3, 5, 7, 11, 13, 17, 19 };
	ts_put(&results, 5, primes[ctx[0] & 7] * (int[]){ 4, 5, 6 }[idx % 3]);
	return hit != 0;
}

char LICENSE[] SEC("license") = "GPL";
