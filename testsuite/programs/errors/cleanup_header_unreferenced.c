// A cleanup function declared only in a header and named nowhere else in the program:
// refused with the remedy (libbpf's loops name their destroy kfunc for this reason; with
// clang the kfunc would get no BTF and the object would not load).
// @expect-error cleanup function 'bpf_iter_num_destroy' is declared in a header and not used by the program before
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_iter_num { __u64 opaque[1]; } __attribute__((aligned(8)));
#include "ts_iter_macros.h"

int total;

SEC("xdp")
int unreferenced_cleanup(struct xdp_md *ctx)
{
    struct bpf_iter_num it __attribute__((aligned(8), cleanup(bpf_iter_num_destroy)));
    int *v;
    bpf_iter_num_new(&it, 0, 4);
    while ((v = bpf_iter_num_next(&it)))
        total += *v;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
