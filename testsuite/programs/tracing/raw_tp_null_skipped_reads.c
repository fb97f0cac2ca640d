// raw_tp: strings gathered into one output buffer, each where a table says it is; a
// string's reader, inlined into a loop the source keeps rolled, leaves early when its
// location is NULL (`if (!src) return 0;`) and the output pointer steps by each length
// read. Walked NULL side first, every later state's output pointer is wider than the
// ones before it at the loop head and at each join, and none is pruned (the kernel
// selftests' strobemeta_nounroll programs, over the verifier's limit that way).
// @ctx 0000000000000000
// @ctx 0500000000000000
// @ctx 2a00000000000000
// @ctx ff00000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

#define NSTR 6
#define NPAIR 40
#define MAXLEN 8

struct text { char bytes[16]; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSTR);
	__type(key, __u32);
	__type(value, struct text);
} texts SEC(".maps");

struct out {
	__u64 where[NSTR];
	__u8 lens[NSTR];
	__u8 pair_lens[NPAIR][2];
	char payload[NSTR * MAXLEN + NPAIR * 2 * MAXLEN];
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct out);
} outs SEC(".maps");

/* Where string i is: an address kept in the output map, NULL when bit i of the mask is
 * clear (the verifier sees a number, as for an address read from user memory). */
static __always_inline const char *locate(struct out *o, __u64 mask, __u32 i)
{
	if (!(mask & (1ULL << (i % 8))))
		return NULL;
	return (const char *)o->where[i % NSTR];
}

/* Text k: a run of letters from `first`, k + 3 long. */
static __always_inline void fill(struct out *o, __u32 k, char first)
{
	__u32 key = k;
	struct text *t = bpf_map_lookup_elem(&texts, &key);
	if (!t)
		return;
	o->where[k] = (__u64)t->bytes;
	for (int j = 0; j < 16; j++)
		t->bytes[j] = j < k + 3 ? first + j : 0;
}

static __always_inline __u32 read_one(struct out *o, __u64 mask, __u32 i, __u8 *len_out, char *payload)
{
	*len_out = 0;
	const char *src = locate(o, mask, i);
	if (!src)
		return 0;
	__u32 len = bpf_probe_read_kernel_str(payload, MAXLEN, src);
	if (len > MAXLEN)
		return 0;
	*len_out = len;
	return len;
}

SEC("raw_tp/sys_enter")
int null_skipped_reads(__u64 *ctx)
{
	__u32 zero = 0;
	struct out *o = bpf_map_lookup_elem(&outs, &zero);
	if (!o)
		return 0;
	fill(o, 0, 'a');
	fill(o, 1, 'f');
	fill(o, 2, 'k');
	fill(o, 3, 'p');
	fill(o, 4, 'u');
	fill(o, 5, 'z');
	__u64 mask = ctx[0];
	char *payload = o->payload;
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < NSTR; i++)
		payload += read_one(o, mask, i, &o->lens[i], payload);
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < NPAIR; i++) {
		payload += read_one(o, mask >> 1, i, &o->pair_lens[i][0], payload);
		payload += read_one(o, mask >> 2, i + 1, &o->pair_lens[i][1], payload);
	}
	__u64 lens = 0, sum = 0;
	for (int i = 0; i < NSTR; i++)
		lens = lens * 9 + o->lens[i];
	for (int i = 0; i < NPAIR; i++)
		lens = lens * 3 + o->pair_lens[i][0] + o->pair_lens[i][1];
	long used = payload - o->payload;
	for (int i = 0; i < 64; i++)
		sum = sum * 31 + o->payload[i];
	/* Addresses differ from load to load: not left for the harness to compare. */
	for (int k = 0; k < NSTR; k++)
		o->where[k] = 0;
	ts_put(&results, 0, lens);
	ts_put(&results, 1, used);
	ts_put(&results, 2, sum);
	return used;
}

char LICENSE[] SEC("license") = "GPL";
