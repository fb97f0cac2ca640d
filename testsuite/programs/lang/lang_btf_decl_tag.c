// btf_decl_tag on a BPF-to-BPF function and its parameter, on a struct and its members
// (as bpf_experimental.h's __contains() tags a bpf_list_head member), and on a global
// variable: kept in BTF as DECL_TAGs pointing at the FUNC, STRUCT and VAR, as clang does.
// @input 00000000000000000000000008000a
// @input 00000000000000000000000008ff0b
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct __attribute__((btf_decl_tag("rec_tag"))) tagged {
	int a __attribute__((btf_decl_tag("member_a")));
	int b;
	long c __attribute__((btf_decl_tag("c1"))) __attribute__((btf_decl_tag("c2")));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct tagged);
} tagged_map SEC(".maps");

int counter __attribute__((btf_decl_tag("global_tag")));

__attribute__((btf_decl_tag("tagged_fn"))) __noinline int tagged_add(int x __attribute__((btf_decl_tag("param_x"))), int y)
{
    return x + y;
}

SEC("xdp")
int decl_tag(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 15) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    __u32 k = p[14] & 1;
    struct tagged *t = bpf_map_lookup_elem(&tagged_map, &k);
    if (t) {
        t->a += p[12];
        t->c += 2;
    }
    counter += p[14];
    return tagged_add(p[12] & 1, p[14] & 1) + 1;
}

char LICENSE[] SEC("license") = "GPL";
