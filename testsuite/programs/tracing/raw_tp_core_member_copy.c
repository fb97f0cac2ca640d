// BPF_CORE_READ of struct-typed members: the macro reads the member into a local with a
// helper and yields a copy of it; only one field of the copy is then read, at an offset
// the loader relocates. The copy must read the helper's buffer (clang removes the copy;
// a 390-byte `struct new_utsname` copied would not fit in the stack twice). `loginuid`
// is a `kuid_t`, a typedef of an anonymous struct: the relocation of `.val` names the
// typedef, as clang's does (libbpf finds no candidates for an anonymous struct).
// @vmlinux
// @ctx 0000000000000000
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct out {
    __u32 loginuid;
    __u32 tasks_linked;
    char sysname0, sysname1, sysname2, sysname3;
    __u32 pad;
};

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct out); } res SEC(".maps");

SEC("raw_tp/sys_enter")
int member_copy(void *ctx)
{
    struct task_struct *t = (struct task_struct *)bpf_get_current_task();
    __u32 k = 0;
    struct out *o = bpf_map_lookup_elem(&res, &k);
    if (!o)
        return 0;
    o->loginuid = BPF_CORE_READ(t, loginuid).val;
    struct list_head l = BPF_CORE_READ(t, tasks);
    o->tasks_linked = l.next != 0 && l.prev != 0;
    o->sysname0 = BPF_CORE_READ(t, nsproxy, uts_ns, name).sysname[0];
    o->sysname1 = BPF_CORE_READ(t, nsproxy, uts_ns, name).sysname[1];
    o->sysname2 = BPF_CORE_READ(t, nsproxy, uts_ns, name).sysname[2];
    o->sysname3 = BPF_CORE_READ(t, nsproxy, uts_ns, name).sysname[3];
    return o->tasks_linked;
}

char LICENSE[] SEC("license") = "GPL";
