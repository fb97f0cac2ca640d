// __builtin_bit_cast: libclang gives its expression no type, so it is refused with a
// remedy (clang-22 compiles it).
// @expect-error '__builtin_bit_cast' is not supported: libclang does not give its type
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bit_cast(struct xdp_md *ctx)
{
	int v = (int)ctx->ingress_ifindex;
	unsigned int u = __builtin_bit_cast(unsigned int, v);
	return u & 1;
}
