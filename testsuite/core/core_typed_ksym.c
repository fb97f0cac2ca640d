// Typed __ksym variables: per-CPU kernel variables read through bpf_per_cpu_ptr and
// bpf_this_cpu_ptr. libbpf resolves each extern to the kernel BTF's VAR and the verifier
// then looks the variable's address up in kallsyms. Loaded by CORETests next to clang's
// build (a kernel without data symbols in kallsyms refuses both at that lookup).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern const struct rq runqueues __ksym;
extern const int cpu_number __ksym;

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } res SEC(".maps");

SEC("raw_tp/sys_enter")
int read_ksym(void *ctx)
{
	__u32 k = 0;
	struct rq *rq = bpf_per_cpu_ptr(&runqueues, 0);
	__u64 v = rq ? rq->cpu + 100 : 1;
	bpf_map_update_elem(&res, &k, &v, BPF_ANY);
	const int *c = bpf_this_cpu_ptr(&cpu_number);
	k = 1;
	v = *c + 7;
	bpf_map_update_elem(&res, &k, &v, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
