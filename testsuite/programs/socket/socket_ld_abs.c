// Socket filter reading the packet with the legacy packet-load intrinsics, declared as
// in old samples and Inspektor Gadget (`asm("llvm.bpf.load.byte")` & co.): BPF_LD_ABS for
// constant offsets, BPF_LD_IND for offsets computed at run time (the IPv4 header
// length), values in host byte order. A load past the end of the packet ends the program
// with 0: the short third input stops before the last results are stored.
// @input 02000000000102000000000208004500002c00014000401166c40a0000010a000002303900350018c5e7aabbccddeeff00112233445566778899
// @input 0200000000010200000000020800460000300001400040066a9e0a0000010a0000020101010100500051000000010000000050180200e9b3000048454c4c4f20
// @input 02000000000102000000000208004500001600014000401166c40a0000010a000002
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

unsigned long long load_byte(const void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(const void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(const void *skb, unsigned long long off) asm("llvm.bpf.load.word");

TS_RESULTS(6);

SEC("socket")
int ld_abs(struct __sk_buff *skb)
{
	/* Socket filters see the packet from the IPv4 header on. */
	__u32 vihl = load_byte(skb, 0);
	__u32 ihl = (vihl & 0xf) * 4;
	__u32 total = load_half(skb, 2);
	__u32 proto = load_byte(skb, 9);
	__u32 saddr = load_word(skb, 12);

	ts_put(&results, 0, vihl << 24 | total << 8 | proto);
	ts_put(&results, 1, saddr);
	/* Transport ports: at the header length read from the packet (BPF_LD_IND). */
	__u32 sport = load_half(skb, ihl);
	__u32 dport = load_half(skb, ihl + 2);
	ts_put(&results, 2, (__u64)sport << 16 | dport);
	/* A checksum-like sum over the first payload bytes, at computed offsets. */
	__u32 payload = ihl + (proto == 6 ? 20 : 8);
	__u64 sum = 0;
	for (int i = 0; i < 4; i++)
		sum = sum * 257 + load_byte(skb, payload + i);
	ts_put(&results, 3, sum);
	ts_put(&results, 4, load_word(skb, payload + 2) ^ skb->len);
	ts_put(&results, 5, skb->len);
	return proto == 17 ? 0 : skb->len;
}

char LICENSE[] SEC("license") = "GPL";
