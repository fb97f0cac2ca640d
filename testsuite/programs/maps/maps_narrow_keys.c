// XDP: map keys of 1, 2 and 4 bytes whose addresses are passed to map helpers, filled
// from registers in `if` arms one after another (tracee's scope filters: each filter's
// inlined `get_filter_map(&map, version)` passes the address of a `u16`). Such a key has
// 8 bytes of stack of its own and is stored whole with an 8-byte store, since a narrower
// store does not end the verifier's liveness of the slot and what an earlier arm left
// there was compared at every prune point after it (tracee's `sys_exit_submit`: 144,949
// instructions walked, clang's build 7,361). The maps see only the key's own bytes: keys
// written through a byte pointer, read back after the call, and constant keys (stored
// narrow, so the verifier knows an array's element is there) check that.
// Runs: three packets whose bytes pick the arms and the keys; a frame too short for them.
// @input 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
// @input ff0203f405060708090a0b0c0d0e0f10ff1213141516171819fa1b1c1d1e1f20
// @input 00000000000000000000000000000000000000000000000000000000000000aa
// @input 0102030405060708090a0b0c0d0e0f1011
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u8); __type(value, __u64); } by_u8 SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u16); __type(value, __u64); } by_u16 SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } by_u32 SEC(".maps");

static __always_inline __u64 count16(void *map, __u16 key)
{
	__u64 one = 1, *v = bpf_map_lookup_elem(map, &key);
	if (v)
		return ++*v;
	bpf_map_update_elem(map, &key, &one, BPF_ANY);
	return 100 + key;
}

static __always_inline __u64 count32(__u32 key)
{
	__u64 one = 1, *v = bpf_map_lookup_elem(&by_u32, &key);
	if (v)
		return ++*v;
	bpf_map_update_elem(&by_u32, &key, &one, BPF_ANY);
	return 1000 + key;
}

SEC("xdp")
int narrow_keys(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (p + 32 > end)
		return XDP_PASS;
	__u16 version = p[1] | p[2] << 8;
	__u64 res = 0;
	if (p[0] & 1)
		res += count16(&by_u16, version);
	if (p[3] & 4)
		res = res * 3 + count32(p[4] * 65599u + p[5]);
	if (p[0] & 2)
		res = res * 5 + count16(&by_u16, version + 1);
	if (p[16] & 1) {
		__u8 b = p[17] ^ p[18];
		__u64 one = 7, *v = bpf_map_lookup_elem(&by_u8, &b);
		res = res * 7 + (v ? *v : 0) + b;
		bpf_map_update_elem(&by_u8, &b, &one, BPF_NOEXIST);
	}
	if (p[25] & 2) {
		__u32 k = p[26] << 16 | p[27];
		*(__u8 *)&k = p[28];          /* one byte of the key written on its own */
		res = res * 11 + count32(k) + k;
	}
	ts_put(&results, 0, res);
	ts_put(&results, 1, count16(&by_u16, version));
	ts_put(&results, 2, count32(version));
	ts_put(&results, 3, p[31]);
	ts_put(&results, 4, count16(&by_u16, p[0] == 0xff ? 7 : version - 1));
	ts_put(&results, 5, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
