// Socket filter: the request path of an HTTP/1.x request line classified against a
// table of prefixes held as `static const char *const prefixes[]` (a table of pointers
// to string literals) by an inlined bounded compare loop; the loop over the table and
// each compare unroll to immediates once the pointer words are read at compile time.
// The method is found by a scan for the first space; the class, the path length and the
// matched prefix length are recorded. Offset 0 is the IP header.
// @input 00000000000002000000000108004500004600014000400600000a0000030a0000509c40005000000001000000005018020000000000474554202f6170692f76322f6974656d7320485454502f312e310d0a0d0a
// @input 00000000000002000000000108004500004600014000400600000a0000030a0000509c40005000000001000000005018020000000000504f5354202f7374617469632f6170702e6a7320485454502f312e300d0a
// @input 00000000000002000000000108004500003d00014000400600000a0000030a0000509c40005000000001000000005018020000000000474554202f61646d696e20485454502f312e310d0a
// @input 00000000000002000000000108004500004400014000400600000a0000030a0000509c40005000000001000000005018020000000000505554202f6173736574732f782e706e6720485454502f312e310d0a
// @input 00000000000002000000000108004500003c00014000400600000a0000030a0000509c40005000000001000000005018020000000000474554202f617020485454502f312e310d0a0d0a
// @input 00000000000002000000000108004500003d00014000400600000a0000030a0000509c4000500000000100000000501802000000000044454c455445202f20485454502f312e310d0a0d0a
// @input 00000000000002000000000108004500003f00014000400600000a0000030a0000509c4000500000000100000000501802000000000048454144202f73746174696320485454502f312e310d0a
#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(5);

#define BUF 48
#define NPREFIX 4

static const char *const prefixes[NPREFIX] = { "/api/", "/static/", "/admin", "/assets/" };

/* Length of prefix when s (max bytes) starts with it, else -1. */
static __always_inline int prefix_len(const char *s, int max, const char *prefix)
{
	for (int i = 0; i < 16; i++) {
		if (prefix[i] == '\0')
			return i;
		if (i >= max || s[i] != prefix[i])
			return -1;
	}
	return -1;
}

SEC("socket")
int path_prefix_table(struct __sk_buff *skb)
{
	struct iphdr iph;
	struct tcphdr th;
	char buf[BUF];

	if (bpf_skb_load_bytes(skb, 0, &iph, sizeof(iph)) || iph.protocol != IPPROTO_TCP)
		return 0;
	__u32 l4 = iph.ihl * 4;
	if (bpf_skb_load_bytes(skb, l4, &th, sizeof(th)))
		return 0;
	__u32 off = l4 + th.doff * 4;
	if (off + BUF > skb->len)
		__builtin_memset(buf, 0, BUF);
	if (off >= skb->len)
		return 0;
	__u32 avail = skb->len - off;
	if (avail > BUF)
		avail = BUF;
	if (avail < 8)
		return 0;
	if (bpf_skb_load_bytes(skb, off, buf, avail))
		return 0;

	int sp = 0;
	for (int i = 1; i < 8; i++) {
		if (buf[i] == ' ') {
			sp = i;
			break;
		}
	}
	if (!sp)
		return 0;
	const char *path = buf + sp + 1;
	int room = BUF - sp - 1;
	int plen = 0;
	for (int i = 0; i < 24 && i < room; i++) {
		if (path[i] == ' ' || path[i] == '\0')
			break;
		plen++;
	}

	int cls = NPREFIX, matched = 0;
	for (int p = 0; p < NPREFIX; p++) {
		int n = prefix_len(path, plen, prefixes[p]);
		if (n >= 0) {
			cls = p;
			matched = n;
			break;
		}
	}
	ts_put(&results, 0, cls);
	ts_put(&results, 1, plen);
	ts_put(&results, 2, matched);
	ts_put(&results, 3, sp);
	ts_add(&results, 4, 1);
	return cls == NPREFIX ? 0 : skb->len;
}

char LICENSE[] SEC("license") = "GPL";
