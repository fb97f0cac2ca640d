// Tracepoint program counting openat calls per flag bit in a per-CPU array; ringbuf output.
// @load-only
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct openat_args { __u64 common; __s32 nr; __u32 pad; __u64 dfd; const char *filename; __u64 flags; __u64 mode; };

struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 32); __type(key, __u32); __type(value, __u64); } flag_bits SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } names SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct openat_args *ctx)
{
    __u64 flags = ctx->flags;
    for (__u32 bit = 0; bit < 32; bit++) {
        if (!(flags & (1ULL << bit)))
            continue;
        __u32 key = bit;
        __u64 *c = bpf_map_lookup_elem(&flag_bits, &key);
        if (c)
            (*c)++;
    }
    char *buf = bpf_ringbuf_reserve(&names, 64, 0);
    if (buf) {
        bpf_probe_read_user_str(buf, 64, ctx->filename);
        bpf_ringbuf_submit(buf, 0);
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
