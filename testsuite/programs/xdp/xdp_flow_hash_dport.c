// XDP: a load balancer's flow hash in katran's shape. The flow (addresses and ports) is
// parsed from the packet into a stack struct (also a hash map's key); a service flag
// (from a map, or-ed with a packet byte) says to hash the destination port only, in
// which case the source port is replaced and the source address zeroed (`memset`)
// before the hash (Jenkins' final mix twice) picks a slot of a ring. The zeroing arm is laid out after the hash, so the verifier walks the
// hash first with the source bytes unknown and prunes the zeroed path's state against
// it (`BlockPlacement`; with the arm first, every path after the join was walked twice).
// @input 0a0000010a0000021f90005000000000000000000000000000000000000000000000000000000000
// @input c0a80001c0a800020035ffff01080000000000000000000000000000000000000000000000000000
// @input 7f0000017f000001000100020200000000000000000000000000000000000000000000000000000000
// @input 000000000000000000000000ffff0000000000000000000000000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

#define F_DPORT_ONLY 8
#define RING 61

struct flow {
	union {
		__u32 src;
		__u32 srcv6[4];
	};
	union {
		__u32 dst;
		__u32 dstv6[4];
	};
	union {
		__u32 ports;
		__u16 port16[2];
	};
	__u8 proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct flow);
	__type(value, __u32);
} flows SEC(".maps");

static __always_inline __u32 rol32(__u32 w, int s)
{
	return (w << s) | (w >> ((-s) & 31));
}

#define FINAL(a, b, c)                  \
	{                               \
		c ^= b; c -= rol32(b, 14);  \
		a ^= c; a -= rol32(c, 11);  \
		b ^= a; b -= rol32(a, 25);  \
		c ^= b; c -= rol32(b, 16);  \
		a ^= c; a -= rol32(c, 4);   \
		b ^= a; b -= rol32(a, 14);  \
		c ^= b; c -= rol32(b, 24);  \
	}

static __always_inline __u32 hash_2words(__u32 a, __u32 b, __u32 seed)
{
	__u32 c = 0xdeadbeef + seed + 8;
	a += c;
	b += c;
	FINAL(a, b, c);
	return c;
}

SEC("xdp")
int flow_hash_dport(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 16) > end)
		return XDP_PASS;
	struct flow f = {};
	__builtin_memcpy(&f.src, p, 4);
	__builtin_memcpy(&f.dst, p + 4, 4);
	__builtin_memcpy(&f.ports, p + 8, 4);
	f.proto = p[12];
	__u32 key = p[12] & 3;
	__u32 *flags = bpf_map_lookup_elem(&services, &key);
	if (!flags)
		return XDP_ABORTED;
	if ((*flags | p[13]) & F_DPORT_ONLY) {
		f.port16[0] = f.port16[1];
		__builtin_memset(f.srcv6, 0, 16);
	}
	__u32 h = hash_2words(hash_2words(f.src, f.ports, 17), f.dst ^ f.proto, 42);
	__u32 slot = h % RING;
	__u32 *seen = bpf_map_lookup_elem(&flows, &f);
	if (seen)
		slot = *seen % RING;
	ts_put(&results, 0, slot);
	ts_put(&results, 1, f.src ^ f.ports);
	ts_put(&results, 2, h);
	return slot < 30 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
