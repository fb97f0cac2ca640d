// raw_tp: a hash map used as a set: arg1 selects insert/lookup/delete/update-existing
// (BPF_NOEXIST/BPF_EXIST flags); return values report helper results.
// @ctx 050000000000000000000000000000000a00000000000000
// @ctx 050000000000000000000000000000000b00000000000000
// @ctx 050000000000000001000000000000000000000000000000
// @ctx 060000000000000003000000000000000c00000000000000
// @ctx 050000000000000003000000000000000d00000000000000
// @ctx 070000000100000000000000000000000e00000000000000
// @ctx 060000000000000002000000000000000000000000000000
// @ctx 050000000000000002000000000000000000000000000000
// @ctx 050000000000000002000000000000000000000000000000
// @ctx 070000000000000000000000000000000f00000000000000
// @ctx 010000000000000009000000000000000900000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key {
	__u32 a;
	__u16 b;
	__u8 c;
	__u8 d;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, struct key);
	__type(value, __u32);
} set SEC(".maps");

SEC("raw_tp/sys_enter")
int hash_delete(__u64 *ctx)
{
	struct key k = { .a = (__u32)ctx[0], .b = (__u16)(ctx[0] >> 32), .c = 1 };
	__u32 v = (__u32)ctx[2];
	long r;
	switch (ctx[1]) {
	case 0:
		r = bpf_map_update_elem(&set, &k, &v, BPF_NOEXIST);
		break;
	case 1:
		r = bpf_map_lookup_elem(&set, &k) ? 1 : 0;
		break;
	case 2:
		r = bpf_map_delete_elem(&set, &k);
		break;
	case 3:
		r = bpf_map_update_elem(&set, &k, &v, BPF_EXIST);
		break;
	default:
		r = 42;
	}
	return (int)r;
}

char LICENSE[] SEC("license") = "GPL";
