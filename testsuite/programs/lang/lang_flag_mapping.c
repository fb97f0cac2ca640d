// One flag word mapped onto another bit by bit, as falco's `poll_events_to_scap` maps
// poll events (`if (ev & POLLRDHUP) res |= PPM_POLLRDHUP;` for eleven flags), for each
// of 8 entries in a loop, and a `u32` of two flags mapped as its `socket_flags_to_scap`
// does (the first step `res = 0; if (f & O_NONBLOCK) res = PPM_O_NONBLOCK;`). Each step
// becomes an `and` and a shift, the steps shifted alike one mask (`ConditionalBits`):
// no branch for the verifier to walk in each round.
// @input 00000000000000000000000008000120040000200800ff7f01800000ffff00100004000002000000
// @input 0000000000000000000000000800000000000000000000000000000000000000000000000000080000
// @input 00000000000000000000000008002020202020202020202020202020202020202020202020080800
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

static __always_inline __u16 events_to_scap(short ev)
{
	__u16 res = 0;
	if (ev & 0x001) res |= 0x001;
	if (ev & 0x002) res |= 0x002;
	if (ev & 0x004) res |= 0x004;
	if (ev & 0x2000) res |= 0x008;
	if (ev & 0x008) res |= 0x010;
	if (ev & 0x010) res |= 0x020;
	if (ev & 0x020) res |= 0x040;
	if (ev & 0x040) res |= 0x080;
	if (ev & 0x080) res |= 0x100;
	if (ev & 0x100) res |= 0x200;
	if (ev & 0x200) res |= 0x400;
	return res;
}

static __always_inline __u32 socket_flags_to_scap(__s32 flags)
{
	__u32 res = 0;
	if (flags & 0x800)
		res |= 0x40;
	if (flags & 0x80000)
		res |= 0x1000;
	return res;
}

SEC("xdp")
int flag_mapping(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 40 > data_end)
		return XDP_ABORTED;
	__u64 acc = 0;
	for (int i = 0; i < 8; i++) {
		short ev = *(short *)(data + 14 + 2 * i);
		ts_put(&results, 0, events_to_scap(ev));
		acc = acc * 7 + events_to_scap(ev >> 1);
	}
	ts_put(&results, 1, acc);
	ts_put(&results, 2, socket_flags_to_scap(*(__s32 *)(data + 32)));
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
