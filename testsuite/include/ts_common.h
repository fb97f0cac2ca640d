/* Shared helpers for the swift-bpfcc testsuite programs (written for this project). */
#ifndef TS_COMMON_H
#define TS_COMMON_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* 802.1Q tag as it follows the Ethernet addresses. */
struct ts_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/* ICMP header (linux/icmp.h drags in libc socket headers that do not build for BPF). */
struct ts_icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};
#define TS_ICMP_ECHOREPLY 0
#define TS_ICMP_ECHO 8
#define TS_ICMP_TIMESTAMP 13

/* Array map "results" of NSLOTS u64 values: programs store what they computed so the
 * harness compares map contents between compilers. All runs of a program share one load,
 * so ts_put folds each value into its slot (slot = slot * 31 + v): the final contents
 * depend on every run's values, not only the last run's. */
#define TS_RESULTS(NSLOTS)                                   \
	struct {                                                 \
		__uint(type, BPF_MAP_TYPE_ARRAY);                    \
		__uint(max_entries, NSLOTS);                         \
		__type(key, __u32);                                  \
		__type(value, __u64);                                \
	} results SEC(".maps")

static __always_inline void ts_put(void *map, __u32 slot, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(map, &slot);
	if (p)
		*p = *p * 31 + v;
}

static __always_inline void ts_add(void *map, __u32 slot, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(map, &slot);
	if (p)
		__sync_fetch_and_add(p, v);
}

/* Fold a 32-bit one's complement sum to 16 bits and complement it. */
static __always_inline __u16 ts_csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* Base-2 logarithm of a 32-bit value (0 for 0), by halving the search range. */
static __always_inline __u64 ts_log2_32(__u32 v)
{
	__u32 shift, r;

	r = (v > 0xffff) << 4;
	v >>= r;
	shift = (v > 0xff) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

#endif
