// raw_tp (vmlinux.h): CO-RE accesses whose chain would start at a type without a name.
// A flavor of kernel_cap_t (a typedef of an anonymous struct) under preserve_access_index
// is named by its typedef in the relocation; an element of a local array of a
// preserve_access_index struct (struct sembuf) starts its own chain at the element. The
// test runner runs as root: the current task's effective capabilities are all set.
// @vmlinux
// @ctx 0100000000000000
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
typedef struct {
	__u64 val;
} kernel_cap_t___flavor;
#pragma clang attribute pop

__u64 cap_bits;
__u64 sem_fields;

SEC("raw_tp/sys_enter")
int core_unnamed_roots(__u64 *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	kernel_cap_t caps = {};
	struct sembuf ops[2] = {};

	BPF_CORE_READ_INTO(&caps, t, cred, cap_effective);
	cap_bits = ((kernel_cap_t___flavor *)&caps)->val != 0;
	ops[1].sem_num = (unsigned short)ctx[0] + 4;
	ops[1].sem_op = -3;
	ops[0].sem_flg = 9;
	sem_fields = ops[1].sem_num * 1000 + ops[1].sem_op * 10 + ops[0].sem_flg;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
