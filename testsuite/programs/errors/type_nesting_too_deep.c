// A pointer type 2048 levels deep (`int **...*`, made by macros). Types are converted,
// and written to BTF, one level per recursion: past 2000 levels they are refused with a
// diagnostic, as deep expressions are (20,000 levels took 25 s in the BTF writer, whose
// type table compares types whole at every level).
// @expect-error expressions, statements and types nest more than 2000 levels deep
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define P1 **
#define P2 P1 P1
#define P3 P2 P2
#define P4 P3 P3
#define P5 P4 P4
#define P6 P5 P5
#define P7 P6 P6
#define P8 P7 P7
#define P9 P8 P8
#define P10 P9 P9

int P10 P10 deep_pointer;

SEC("xdp")
int uses_deep_pointer(struct xdp_md *ctx)
{
	return deep_pointer != 0 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
