// XDP: a bitmap in .bss indexed by a byte of the packet, `bits[idx / 8] |= 1 << (idx % 8)`
// and tested back the same way. The verifier bounds a shift and a mask but knows nothing
// of a quotient or a remainder: as a division, the index was unbounded and the program
// rejected where clang's build (a shift) loads.
// @input 00112233445566778899aabb0800050f
// @input 00112233445566778899aabb0800ff00
// @input 00112233445566778899aabb080007f7
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(2);

__u8 bits[32];

SEC("xdp")
int bitmap_index(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	unsigned char *p = data + 14;

	if ((void *)(p + 2) > end)
		return XDP_PASS;
	unsigned int set = p[0], probe = p[1];
	bits[set / 8] |= 1 << (set % 8);
	int hit = (bits[probe / 8] >> (probe % 8)) & 1;
	ts_put(&results, 0, set / 8 * 100 + set % 8);
	ts_put(&results, 1, hit);
	return hit ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
