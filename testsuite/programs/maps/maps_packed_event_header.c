// XDP: an event header declared under `#pragma pack(1)` (as tracers declare the records
// they hand to user space) is filled in a map value: members at offsets 0, 8, 16, 20,
// 22 and 26 of a type with alignment 1, so each is written byte by byte unless the
// compiler knows where the record lies (a map value is 8-aligned). The header is written
// once at the start of the value, through a pointer advanced by a packet-dependent
// amount (alignment unknown: bytes must stay bytes), and by a not-inlined function given
// the value (its alignment learnt from an 8-byte access in the same block). Constants
// and packet fields, packed 16- and 64-bit members; the value is compared after all runs.
// @input 00112233445566778899aabb08004500001c000100004011f9cc0a0000010a00000204d2162e000800000000
// @input 00112233445566778899aabb0800450000280001000040060000c0a80001c0a800640050a4b1000000000000000050020000000000000000
// @input 00112233445566778899aabb86dd6000000000081140fd00000000000000000000000000000001
// @input ffffffffffff0102030405060806000108000604000100112233445566
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(2);

#pragma pack(push, 1)
struct event_hdr {
	__u64 ts;
	__u64 tid;
	__u32 len;
	__u16 type;
	__u32 nparams;
	__u8 flags;
	__u64 cookie;
};
#pragma pack(pop)

struct record {
	__u8 data[256];
	__u64 pos;
	__u64 events;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct record);
} records SEC(".maps");

static __always_inline void fill(struct event_hdr *h, __u64 tid, __u32 len, __u16 type)
{
	h->ts = 0;
	h->tid = tid;
	h->len = len;
	h->type = type;
	h->nparams = 3;
	h->flags = (__u8)type | 0x80;
	h->cookie = 0x1122334455667788ULL;
}

/* Not inlined: the record arrives as a parameter; `r->pos` (8 bytes) is read in the
 * block that writes the header, so the header's place is known to be 8-aligned. */
static __attribute__((noinline)) int finish(struct record *r, __u32 len)
{
	struct event_hdr *h = (struct event_hdr *)r->data;
	h->len = (__u32)r->pos + len;
	h->nparams = len * 7;
	r->events += 1;
	return 0;
}

SEC("xdp")
int packed_event_header(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct record *r;
	__u32 zero = 0;
	__u32 len = (__u32)(end - data);

	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	r = bpf_map_lookup_elem(&records, &zero);
	if (!r)
		return XDP_ABORTED;
	__u64 tid = ((__u64)eth->h_source[5] << 40) | ((__u64)eth->h_dest[0] << 8) | eth->h_proto;
	fill((struct event_hdr *)r->data, tid, len, eth->h_proto);
	/* A second header further in, at an offset the packet decides. */
	__u32 skip = (eth->h_dest[5] & 7) + 40;
	fill((struct event_hdr *)&r->data[skip], tid ^ len, len + 1, 0x1234);
	r->pos += len;
	finish(r, len);
	ts_put(&results, 0, r->pos);
	ts_put(&results, 1, ((struct event_hdr *)r->data)->len);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
