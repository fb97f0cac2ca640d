// A copy of a local's old value made after the local changed: `w = x++` with both in
// stack slots (their addresses go to __builtin_memcpy), so the copy's load comes before the
// store of the new value and its store after it. The copy holds the old value; reads of
// it must not be forwarded to the local. Written into the packet.
// @input 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677 0102030405060708090a0b0c0d0e0f10
// @input ffffffffffffffffff00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 0102030405060708090a0b0c0d0e0f10
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int copy_old_value(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	if (data + 64 > end)
		return XDP_ABORTED;
	__u64 x;
	__builtin_memcpy(&x, data + 1, sizeof(x));
	{
		__u64 w = x++;
		__builtin_memcpy(data + 40, &w, sizeof(w));
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
