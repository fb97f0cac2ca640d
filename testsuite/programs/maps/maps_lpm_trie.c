// LPM_TRIE map keyed by (prefixlen, IPv4 address): the program inserts prefixes from its
// arguments and looks up addresses, returning the matched value (longest prefix wins).
// @ctx 00000000000000000000000a0000000008000000000000000100000000000000
// @ctx 00000000000000000000010a0000000010000000000000000200000000000000
// @ctx 00000000000000000002010a0000000018000000000000000300000000000000
// @ctx 01000000000000000302010a0000000000000000000000000000000000000000
// @ctx 010000000000000001ff010a0000000000000000000000000000000000000000
// @ctx 01000000000000000000ff0a0000000000000000000000000000000000000000
// @ctx 01000000000000000000000b0000000000000000000000000000000000000000
// @ctx 0000000000000000000000000000000000000000000000000900000000000000
// @ctx 01000000000000000000000b0000000000000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct lpm_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__type(key, struct lpm_v4);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

SEC("raw_tp/sys_enter")
int lpm_trie(__u64 *ctx)
{
	struct lpm_v4 k;
	__u32 addr = (__u32)ctx[1];
	k.prefixlen = (__u32)ctx[2];
	k.addr[0] = addr >> 24;
	k.addr[1] = addr >> 16;
	k.addr[2] = addr >> 8;
	k.addr[3] = addr;
	if (ctx[0] == 0) {
		__u32 val = (__u32)ctx[3];
		return bpf_map_update_elem(&routes, &k, &val, BPF_ANY);
	}
	k.prefixlen = 32;
	__u32 *v = bpf_map_lookup_elem(&routes, &k);
	return v ? *v : -1;
}

char LICENSE[] SEC("license") = "GPL";
