// TC classifier: classifies TCP flag combinations (SYN, SYN-ACK, FIN, RST, xmas, null)
// from the raw flag byte, counts them in a per-CPU array and drops invalid combinations.
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a0000020001005000000001000000005002020000000000
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a0000020050000100000001000000005012020000000000
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a0000020001005000000001000000005011020000000000
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a0000020001005000000001000000005004020000000000
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a0000020001005000000001000000005029020000000000
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a0000020001005000000001000000005000020000000000
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a0000020001005000000001000000005003020000000000
// @input 02000000000102000000000208004500002b00014000400626ca0a0000010a000002000100500000000100000000501002000000000078797a
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10
#define F_URG 0x20

enum kind { K_SYN, K_SYNACK, K_FIN, K_RST, K_XMAS, K_NULL, K_BAD, K_DATA, K_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, K_MAX);
	__type(key, __u32);
	__type(value, __u64);
} kinds SEC(".maps");

static __always_inline enum kind classify(__u8 f)
{
	if (f == 0)
		return K_NULL;
	if ((f & (F_FIN | F_URG | F_PSH)) == (F_FIN | F_URG | F_PSH))
		return K_XMAS;
	if ((f & (F_SYN | F_FIN)) == (F_SYN | F_FIN) || (f & (F_SYN | F_RST)) == (F_SYN | F_RST))
		return K_BAD;
	if (f & F_RST)
		return K_RST;
	if (f & F_SYN)
		return (f & F_ACK) ? K_SYNACK : K_SYN;
	if (f & F_FIN)
		return K_FIN;
	return K_DATA;
}

SEC("tc")
int tcp_flags(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	if ((void *)(iph + 1) > data_end || iph->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	struct tcphdr *th = (void *)iph + iph->ihl * 4;
	if ((void *)(th + 1) > data_end)
		return TC_ACT_SHOT;
	__u8 flags = ((__u8 *)th)[13];
	__u32 k = classify(flags);
	__u64 *c = bpf_map_lookup_elem(&kinds, &k);
	if (c)
		*c += 1;
	if (k == K_XMAS || k == K_NULL || k == K_BAD)
		return TC_ACT_SHOT;
	return th->syn ? TC_ACT_OK : TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
