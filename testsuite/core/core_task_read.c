// @ctx 0000000000000000
// CO-RE against the running kernel: reads the current task's pid, tgid, comm and
// parent through BPF_CORE_READ, plus field/type/enum relocations, into a map.
// The test compares with the loader process itself and with clang-22's build.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

struct task_struct___old { int definitely_not_a_field; } __attribute__((preserve_access_index));

struct out {
    int pid, tgid;
    char comm[16];
    int parent_tgid;
    __u32 has_pid, has_bogus, pid_size, pid_offset;
    __u64 task_size;
    __u32 task_exists, ringbuf_exists;
    __u64 ringbuf_value;
    __u32 flags_direct;
    __u32 pad;
    __u64 in_execve;          /* kernel bitfields through BPF_CORE_READ_BITFIELD_PROBED */
    __u64 sched_reset_on_fork;
    __u64 bitfield_byte_offset, bitfield_lshift, bitfield_rshift, bitfield_signed;
};

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct out); } res SEC(".maps");

SEC("raw_tp/sys_enter")
int read_task(void *ctx)
{
    struct task_struct *t = (struct task_struct *)bpf_get_current_task();
    __u32 k = 0;
    struct out *o = bpf_map_lookup_elem(&res, &k);
    if (!o)
        return 0;
    o->pid = BPF_CORE_READ(t, pid);
    o->tgid = BPF_CORE_READ(t, tgid);
    BPF_CORE_READ_STR_INTO(&o->comm, t, comm);
    o->parent_tgid = BPF_CORE_READ(t, real_parent, tgid);
    o->has_pid = bpf_core_field_exists(t->pid);
    o->has_bogus = bpf_core_field_exists(((struct task_struct___old *)t)->definitely_not_a_field);
    o->pid_size = bpf_core_field_size(t->pid);
    o->pid_offset = bpf_core_field_offset(struct task_struct, pid);
    o->task_size = bpf_core_type_size(struct task_struct);
    o->task_exists = bpf_core_type_exists(struct task_struct);
    o->ringbuf_exists = bpf_core_enum_value_exists(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF);
    o->ringbuf_value = bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF);
    unsigned int flags = 0;
    bpf_core_read(&flags, sizeof(flags), &t->flags);
    o->flags_direct = flags != 0;
    o->in_execve = BPF_CORE_READ_BITFIELD_PROBED(t, in_execve);
    o->sched_reset_on_fork = BPF_CORE_READ_BITFIELD_PROBED(t, sched_reset_on_fork);
    o->bitfield_byte_offset = __builtin_preserve_field_info(t->sched_reset_on_fork, BPF_FIELD_BYTE_OFFSET);
    o->bitfield_lshift = __builtin_preserve_field_info(t->sched_reset_on_fork, BPF_FIELD_LSHIFT_U64);
    o->bitfield_rshift = __builtin_preserve_field_info(t->sched_reset_on_fork, BPF_FIELD_RSHIFT_U64);
    o->bitfield_signed = __builtin_preserve_field_info(t->sched_reset_on_fork, BPF_FIELD_SIGNED);
    return o->pid == o->tgid;
}

char LICENSE[] SEC("license") = "GPL";
