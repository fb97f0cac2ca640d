// CO-RE against a custom target BTF (core_target_btf.c): fields moved, resized,
// renamed and removed; a flavor struct; an enum whose values changed.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct core_probe {
    int a;
    long moved;
    int small;
    int gone;
} __attribute__((preserve_access_index));

struct core_probe___v2 {
    short renamed_now;
} __attribute__((preserve_access_index));

enum core_color { CORE_RED = 1, CORE_BLUE = 2, CORE_GREEN = 3 };

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 12); __type(key, __u32); __type(value, __u64); } res SEC(".maps");

#define PUT(k, v) ({ __u32 _k = (k); __u64 _v = (v); bpf_map_update_elem(&res, &_k, &_v, BPF_ANY); })

SEC("raw_tp/sys_enter")
int probe(void *ctx)
{
    PUT(0, bpf_core_field_offset(struct core_probe, moved));
    PUT(1, bpf_core_field_size(struct core_probe, small));
    PUT(2, bpf_core_field_exists(struct core_probe, gone));
    PUT(3, bpf_core_field_offset(struct core_probe, a));
    PUT(4, bpf_core_type_size(struct core_probe));
    PUT(5, bpf_core_field_exists(struct core_probe___v2, renamed_now));
    PUT(6, bpf_core_field_offset(struct core_probe___v2, renamed_now));
    PUT(7, bpf_core_enum_value(enum core_color, CORE_BLUE));
    PUT(8, bpf_core_enum_value_exists(enum core_color, CORE_GREEN));
    PUT(9, bpf_core_type_exists(struct core_probe));
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
