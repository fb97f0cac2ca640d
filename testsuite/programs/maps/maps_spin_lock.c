// bpf_spin_lock/bpf_spin_unlock around a multi-field update of an array map value that
// embeds struct bpf_spin_lock (XDP); fields outside the lock compared after all runs.
// @input 020000000001020000000002ffff000a0a
// @input 020000000001020000000002ffff00f00a
// @input 020000000001020000000002ffff00f002
// @input 020000000001020000000002ffff01ff01
// @input 020000000001020000000002ffff0105ff
// @input 020000000001020000000002ffff00
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct account {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 balance;
	__u64 ops;
	__u64 rejected;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct account);
} accounts SEC(".maps");

SEC("xdp")
int spin_lock(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data + 14;
	if ((void *)(p + 3) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	__u32 key = p[0] & 1;
	struct account *a = bpf_map_lookup_elem(&accounts, &key);
	if (!a)
		return XDP_ABORTED;
	__s64 delta = (__s8)p[1] * (__s64)p[2];
	int ok;
	bpf_spin_lock(&a->lock);
	if (delta < 0 && a->balance < (__u64)-delta) {
		a->rejected++;
		ok = 0;
	} else {
		a->balance += delta;
		a->ops++;
		ok = 1;
	}
	bpf_spin_unlock(&a->lock);
	return ok ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
