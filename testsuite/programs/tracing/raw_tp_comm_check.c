// raw_tp: bpf_get_current_comm into a stack buffer (only whether it is non-empty and
// NUL-terminated is recorded, so results are deterministic), plus bpf_get_smp_processor_id bounds.
// @ctx 0100000000000000
// @ctx 2900000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} facts SEC(".maps");

SEC("raw_tp/sys_enter")
int comm_check(__u64 *ctx)
{
	char comm[16];
	__builtin_memset(comm, 0, sizeof(comm));
	long r = bpf_get_current_comm(comm, sizeof(comm));
	__u32 len = 0;
	for (int i = 0; i < 16; i++) {
		if (!comm[i])
			break;
		len++;
	}
	__u64 v;
	__u32 k = 0;
	v = r == 0 && len > 0 && len < 16;
	bpf_map_update_elem(&facts, &k, &v, BPF_ANY);
	k = 1;
	v = bpf_get_smp_processor_id() < 4096;
	bpf_map_update_elem(&facts, &k, &v, BPF_ANY);
	k = 2;
	v = ctx[0] + 1;
	bpf_map_update_elem(&facts, &k, &v, BPF_ANY);
	return len > 0;
}

char LICENSE[] SEC("license") = "GPL";
