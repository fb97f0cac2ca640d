// TC: a _Generic picks between two functions of the same type by the controlling
// pointer's struct type (struct __sk_buff * here, struct xdp_md * the other), called at
// once; bpf_snprintf gets a zero-length argument array (as BPF_SEQ_PRINTF without
// arguments passes one), and the formatted bytes are recorded.
// @input 00112233445566778899aabb08004500001c000100004011f9cc0a0000010a00000204d2
// @input 020000000001020000000002080600010800060400010200000000010a0000010000000000000a000002
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

static __always_inline int weigh_xdp(void *ctx, int k)
{
	return ((struct xdp_md *)ctx)->data_end - ((struct xdp_md *)ctx)->data + k;
}

static __always_inline int weigh_skb(void *ctx, int k)
{
	return ((struct __sk_buff *)ctx)->len * 3 + k;
}

#define weigh(ctx, k) _Generic((ctx), \
	struct xdp_md *: weigh_xdp, \
	struct __sk_buff *: weigh_skb)((ctx), (k))

SEC("tc")
int generic_zero_len(struct __sk_buff *skb)
{
	unsigned long long none[0];
	char out[16] = {};
	long n;

	ts_put(&results, 0, weigh(skb, 5));
	n = bpf_snprintf(out, sizeof(out), "plain", none, sizeof(none));
	ts_put(&results, 1, n);
	ts_put(&results, 2, *(__u64 *)out);
	ts_put(&results, 3, sizeof(none));
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
