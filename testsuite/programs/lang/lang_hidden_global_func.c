// A global function with hidden visibility (libbpf's __hidden), as usdt.bpf.h defines
// bpf_usdt_arg: its symbol is STV_HIDDEN, so libbpf verifies it with its caller's
// context (as a static function) and it may write through its pointer argument
// without a NULL check. A default-visibility global function is verified on its own.
// @input 02000000000102000000000208004500001c00014000401126ce0a0000010a0000020001000200080000
// @input 0200000000010200000000020806000108000604000102000000000a0a00000a0000000000000a000001
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 total;
int hidden_counter __hidden;

__weak __hidden int parse_proto(struct xdp_md *ctx, long *res)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	*res = 0;
	if (p + 14 > (__u8 *)data_end)
		return -1;
	*res = (p[12] << 8) | p[13];
	return 0;
}

__noinline int scale(int x)
{
	return x * 5 + 1;
}

SEC("xdp")
int hidden_func(struct xdp_md *ctx)
{
	long proto = 0;
	if (parse_proto(ctx, &proto))
		return XDP_ABORTED;
	hidden_counter += 1;
	total += proto + scale(hidden_counter);
	return proto == 0x0800 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
