// kprobe/kretprobe programs written against vmlinux.h, as libbpf-bootstrap's kprobe
// example is: BPF_KPROBE/BPF_KRETPROBE read their arguments from struct pt_regs, which
// vmlinux.h marks preserve_access_index, so each PT_REGS_PARMn is one ctx load carrying
// a CO-RE relocation; BPF_CORE_READ follows a kernel pointer argument.
// @vmlinux
// @load-only
// @cflags -D__TARGET_ARCH_x86
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(unlink_entry, int dfd, struct filename *name)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	const char *path = BPF_CORE_READ(name, name);
	__u64 v = ((__u64)(__u32)dfd << 32) | (path != 0);
	bpf_map_update_elem(&calls, &pid, &v, BPF_ANY);
	return 0;
}

SEC("kretprobe/do_unlinkat")
int BPF_KRETPROBE(unlink_exit, long ret)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 *v = bpf_map_lookup_elem(&calls, &pid);
	if (v)
		*v += ret;
	return 0;
}

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(connect_entry, struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	__u32 key = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u64 v = addr_len + (PT_REGS_RC(ctx) & 1) + PT_REGS_SP(ctx) % 8;
	bpf_map_update_elem(&calls, &key, &v, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
