// @expect-error stack
// Two live stack objects that together need more than 512 bytes in one frame.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct big {
	__u64 words[40];
};

SEC("xdp")
int two_big(struct xdp_md *ctx)
{
	struct big a, b;
	__u32 seed = ctx->ingress_ifindex;
	for (int i = 0; i < 40; i++) {
		a.words[i] = seed * i;
		b.words[39 - i] = a.words[i] ^ seed;
	}
	volatile __u64 *pa = a.words, *pb = b.words;
	__u64 s = 0;
	for (int i = 0; i < 40; i++)
		s += pa[i] * pb[i];
	return (int)(s & 3);
}

char LICENSE[] SEC("license") = "GPL";
