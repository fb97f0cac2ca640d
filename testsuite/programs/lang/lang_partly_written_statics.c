// XDP: `static` variables that the program writes only at known places keep their
// initializers in the bytes it never writes, as clang's global optimizer splits them:
// an array element added to the packet pointer (the verifier refuses a packet pointer
// plus a value loaded from memory, so a build that loads it is rejected), beside an
// element that is written; a struct field read beside fields written by a store and by
// an atomic add. An array written at an index not known is read from memory.
// @input 00112233445566778899aabb08004500001c0001000040110000c0a800010a00000a3039005000080000
// @input 00112233445566778899aabb08004500001c0001000040060000c0a800010a00000b3139005000080000
// @input 00112233445566778899aabb08004500001c0001000040110000c0a80001ff00000c3039005000080000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

static __u32 offs[3] = { 14, 100, 5 };      /* offs[1] written; offs[0] and offs[2] never */
static struct { __u16 at; __u16 hits; __u64 total; } st = { 9, 0, 0 };   /* hits, total written */
static __u32 by_index[4] = { 1, 2, 3, 4 };  /* written at an index not known */

SEC("xdp")
int partly_written_statics(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *ip = data + offs[0];

	if ((void *)(ip + 20) > end)
		return XDP_PASS;
	__u8 proto = ip[9];
	__u8 last = ip[19];

	offs[1] += last;
	st.hits++;
	__sync_fetch_and_add(&st.total, proto);
	by_index[last & 3] += offs[2];

	ts_put(&results, 0, proto * st.at);
	ts_put(&results, 1, offs[1]);
	ts_put(&results, 2, st.hits);
	ts_put(&results, 3, st.total);
	ts_put(&results, 4, by_index[(last + 1) & 3]);
	ts_put(&results, 5, by_index[last & 3] + offs[0] + offs[2]);
	return last & 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
