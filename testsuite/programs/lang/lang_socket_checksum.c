// Socket-filter language test: a 16-bit ones' complement sum over the first 32 bytes
// loaded with bpf_skb_load_bytes into a stack array, with carries folded twice; result
// returned as the filter length (capped to the packet length).
// @input 02000000000102000000000208004500002800014000401126c20a0000010a000002000100020014000068656c6c6f20776f726c6421
// @input 02000000000102000000000208004500001c00014000400126de0a0000010a0000020800f7fd00010001
// @input 02000000000102000000000286dd6000000000081140fd000000000000000000000000000001fd0000000000000000000000000000020001000200080000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

TS_RESULTS(2);

SEC("socket")
int socket_checksum(struct __sk_buff *skb)
{
	__u8 buf[32];
	__builtin_memset(buf, 0, sizeof(buf));
	__u32 n = skb->len < 32 ? skb->len : 32;
	if (n < 20)
		return 0;
	if (bpf_skb_load_bytes(skb, 0, buf, 20) < 0)
		return 0;
	if (n == 32 && bpf_skb_load_bytes(skb, 20, buf + 20, 12) < 0)
		return 0;
	__u32 sum = 0;
	for (int i = 0; i < 32; i += 2)
		sum += (__u32)buf[i] << 8 | buf[i + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ts_put(&results, 0, sum);
	ts_put(&results, 1, n);
	return sum % 2 ? skb->len : n;
}

char LICENSE[] SEC("license") = "GPL";
