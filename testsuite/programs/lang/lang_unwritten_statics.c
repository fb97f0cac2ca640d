// XDP: `static` variables that no function writes read as their initializers, as clang's
// global optimizer makes them: a .data offset and a .bss zero added to the packet pointer
// (the verifier refuses a packet pointer plus an unknown value, so a build that loads them
// from memory is rejected), a record and an array read at constant offsets. Statics that
// are written, in the program, through a pointer, by an atomic operation or by a helper
// are read from memory.
// @input 00112233445566778899aabb08004500001c0001000040110000c0a800010a00000a3039005000080000
// @input 00112233445566778899aabb08004500001c0001000040110000c0a800010a00000b3139005000080000
// @input 00112233445566778899aabb08004500001c0001000040110000c0a80001ff00000c3039005000080000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(7);

static __u32 ip_offset = 14;                 /* .data, never written */
static __u16 extra;                          /* .bss, never written: 0 */
static struct { __u32 proto_at; __u16 weights[3]; } cfg = { 9, { 2, 3, 5 } };
static const __u8 shift = 2;                 /* .rodata, as before */

static __u32 seen;                           /* written by the program */
static __u32 through_pointer = 7;            /* written through a pointer */
static __u64 atomic_count;                   /* written by an atomic add */
static __u32 by_helper = 11;                 /* written by bpf_probe_read_kernel */

static __attribute__((noinline)) void bump(__u32 *p, __u32 by)
{
	*p += by;
}

SEC("xdp")
int unwritten_statics(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *ip = data + ip_offset + extra;

	if ((void *)(ip + 20) > end)
		return XDP_PASS;
	__u8 proto = ip[cfg.proto_at];
	__u8 last = ip[19];
	__u32 weight = (last & 1 ? cfg.weights[0] : cfg.weights[2]) << shift;

	seen += proto;
	if (last & 1)
		bump(&through_pointer, last);
	__sync_fetch_and_add(&atomic_count, weight);
	__u32 src = last;
	bpf_probe_read_kernel(&by_helper, sizeof(by_helper), &src);

	ts_put(&results, 0, proto);
	ts_put(&results, 1, weight);
	ts_put(&results, 2, seen);
	ts_put(&results, 3, through_pointer);
	ts_put(&results, 4, atomic_count);
	ts_put(&results, 5, by_helper);
	ts_put(&results, 6, ip_offset + extra + cfg.weights[2]);
	return last & 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
