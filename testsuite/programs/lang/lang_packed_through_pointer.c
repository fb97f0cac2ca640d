// XDP: a packed record filled through a pointer by a sub-program (its u32 and u64 members
// at offsets 9 and 13 are stored and read in pieces, as the verifier needs on the stack),
// a packed header read at odd offsets from the packet, and a 2-aligned packed member
// (stored in 16-bit pieces). The record goes to a queue-less array map.
// @input 00112233445566778899aabb0800450000200001000040110000c0a80001c0a800020035003500080000deadbeef
// @input 00112233445566778899aabb86dd6000000000081140fd0000000000000000000000000000013344
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

struct rec {
	__u64 a;
	__u8 tag;
	__u32 cpu;      /* offset 9 */
	__u64 ts;       /* offset 13 */
	__u16 pad;      /* offset 21 */
} __attribute__((packed));

struct half {
	__u16 x;
	__u32 y;        /* offset 2, 2-aligned */
} __attribute__((packed, aligned(2)));

struct odd_hdr {
	__u8 kind;
	__u32 word;     /* packet offset 15 */
	__u16 port;     /* packet offset 19 */
} __attribute__((packed));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rec);
} last SEC(".maps");

static __noinline int fill(struct rec *r, __u32 v)
{
	r->tag = 2;
	r->cpu = v * 7 + 1;
	r->ts = (__u64)v << 33 | 5;
	r->pad = (__u16)(v ^ 0xbeef);
	return r->cpu != 0;
}

SEC("xdp")
int packed_through_pointer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct odd_hdr *h = data + 14;
	struct rec r = {};
	struct half hf = {};
	__u32 zero = 0;
	struct rec *slot;

	if ((void *)(h + 1) > end)
		return XDP_ABORTED;
	if (!fill(&r, h->word))
		return XDP_DROP;
	hf.y = h->word ^ r.cpu;
	hf.x = h->port;
	slot = bpf_map_lookup_elem(&last, &zero);
	if (slot) {
		slot->cpu = r.cpu + hf.y;
		slot->ts = r.ts;
		slot->pad = r.pad;
		slot->tag = h->kind;
	}
	ts_put(&results, 0, r.cpu);
	ts_put(&results, 1, r.ts);
	ts_put(&results, 2, r.pad);
	ts_put(&results, 3, hf.y);
	ts_put(&results, 4, hf.x);
	ts_put(&results, 5, h->port);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
