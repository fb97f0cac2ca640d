// Syscall probes as libbpf-bootstrap's ksyscall example writes them: BPF_KSYSCALL unpacks
// the syscall's arguments from the wrapped pt_regs (CO-RE reads), BPF_CORE_READ_USER and
// BPF_CORE_READ_USER_INTO read a user-space struct at relocated offsets, and
// BPF_CORE_READ_INTO copies a kernel field into a local.
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
} seen SEC(".maps");

SEC("ksyscall/kill")
int BPF_KSYSCALL(kill_entry, pid_t pid, int sig)
{
	__u32 me = bpf_get_current_pid_tgid() >> 32;
	__u64 v = ((__u64)(__u32)pid << 8) | (sig & 0xff);
	if (sig == 0)
		return 0;
	bpf_map_update_elem(&seen, &me, &v, BPF_ANY);
	return 0;
}

SEC("ksyscall/nanosleep")
int BPF_KSYSCALL(nanosleep_entry, struct __kernel_timespec *req, struct __kernel_timespec *rem)
{
	__u32 me = bpf_get_current_pid_tgid() >> 32;
	__u64 secs = BPF_CORE_READ_USER(req, tv_sec);
	long long nsec = 0;
	BPF_CORE_READ_USER_INTO(&nsec, req, tv_nsec);
	struct task_struct *t = (void *)bpf_get_current_task();
	int tgid = 0;
	BPF_CORE_READ_INTO(&tgid, t, tgid);
	__u64 v = secs * 1000000000ull + nsec + tgid + (rem != 0);
	bpf_map_update_elem(&seen, &me, &v, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
