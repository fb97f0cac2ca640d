// Copies are expanded inline (BPF has no memcpy): a size no BPF object has is refused
// with a diagnostic instead of expanded into billions of instructions (found by mutating
// testsuite programs: the compiler ran for minutes and gigabytes).
// @expect-error '__builtin_memcpy' of 4294967295 bytes: BPF has no memcpy or memset, and copies are expanded inline (at most 4096 bytes)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static const unsigned char ip[4] = { 10, 0, 0, 1 };

SEC("xdp")
int big_copy(struct xdp_md *ctx)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	if ((void *)(d + 4) > (void *)(long)ctx->data_end)
		return XDP_PASS;
	__builtin_memcpy(d, ip, 4294967295);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
