// tp_btf program with trusted BTF pointers, kfunc calls (bpf_task_from_pid /
// bpf_task_release), a __weak missing kfunc checked with bpf_ksym_exists, and
// LINUX_KERNEL_VERSION from .kconfig. Loaded by CORETests. (Typed __ksym variables
// need kallsyms addresses, which this test machine's kernel does not expose.)
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) ({ _Static_assert(!__builtin_constant_p(!!sym), #sym " should be marked as __weak"); !!sym; })
#endif

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern int bpf_kfunc_that_does_not_exist(int x) __ksym __weak;
extern unsigned int LINUX_KERNEL_VERSION __kconfig;

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } seen SEC(".maps");

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
    __u32 k = 0;
    __u64 v = next->pid;          /* trusted pointer: direct, relocated load */
    bpf_map_update_elem(&seen, &k, &v, BPF_ANY);
    struct task_struct *t = bpf_task_from_pid(prev->pid);
    if (t) {
        k = 1;
        v = t->tgid;
        bpf_map_update_elem(&seen, &k, &v, BPF_ANY);
        bpf_task_release(t);
    }
    k = 2;
    v = LINUX_KERNEL_VERSION;
    bpf_map_update_elem(&seen, &k, &v, BPF_ANY);
    if (bpf_ksym_exists(bpf_kfunc_that_does_not_exist)) {
        k = 3;
        v = bpf_kfunc_that_does_not_exist(1);
        bpf_map_update_elem(&seen, &k, &v, BPF_ANY);
    }
    struct task_struct *cur = bpf_get_current_task_btf();
    return cur->pid == 0 ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
