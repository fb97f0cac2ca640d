// Flexible array members: a TLV record header with a trailing u8 data[] overlaid on the
// XDP payload; walks up to 4 records (each with a 4-byte data window) with bounds checks against data_end, sums record values.
// @input 020000000001020000000002ffff02000102aabb0000020301020300000000
// @input 020000000001020000000002ffff03000001ff010002070102030405060000
// @input 020000000001020000000002ffff01000105
// @input 020000000001020000000002ffff00
// @input 020000000001020000000002ffffffff000000000000000000000000
// @input 020000000001020000000002ffff0400010111010222220103333333010000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

struct tlv {
	__u8 type;
	__u8 len;
	__u8 data[];
};

struct msg {
	__u16 count;
	struct tlv first[];
};

_Static_assert(sizeof(struct tlv) == 2, "flexible member adds no size");

SEC("xdp")
int flex_array(struct xdp_md *ctx)
{
	void *end = (void *)(long)ctx->data_end;
	struct msg *m = (void *)(long)ctx->data + 14;
	if ((void *)(m + 1) > end)
		return XDP_ABORTED;
	__u32 n = m->count;
	struct tlv *t = m->first;
	__u64 total = 0;
	__u32 i;
	for (i = 0; i < 4 && i < n; i++) {
		if ((void *)(t + 1) > end)
			return XDP_DROP;
		__u8 len = t->len & 3;
		__u8 mul = t->type + 1;
		/* Records are read through a 4-byte window that must lie inside the packet. */
		if ((void *)t->data + 4 > end)
			return XDP_DROP;
		for (__u8 j = 0; j < 4 && j < len; j++)
			total += t->data[j] * mul;
		t = (void *)t->data + len;
	}
	ts_put(&results, 0, total);
	ts_put(&results, 1, i);
	ts_put(&results, 2, (void *)t - (void *)m);
	ts_add(&results, 3, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
