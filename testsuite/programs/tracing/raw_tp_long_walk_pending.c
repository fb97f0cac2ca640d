// raw_tp: a frame walker in the shape of the kernel selftests' pyperf600_nounroll: a
// loop the source keeps rolled, 300 rounds, each following a frame's `back` link, with
// a reader that gives up early when a frame has no code (`if (!f->code) return false;`)
// and a symbol table filled as it goes; the walk is made twice. The verifier walks each
// round on its own, and every branch on the path it walks first leaves the other side
// pending. Walked the long way round first, the old build went over the verifier's
// 1M-instruction limit here (and over its 8,192 pending branches in pyperf600_nounroll:
// 600 rounds, five walks); each round's shortest way to the next taken first
// (`BlockPlacement.longLoopShortcuts`), 74,086 (clang's build 161,466).
// @ctx 0000000000000000
// @ctx 0300000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

#define ROUNDS 300
#define NFRAMES 8

struct frame { __u64 back, code, name, file; };
struct frames { struct frame f[NFRAMES]; char names[NFRAMES][8]; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct frames);
} stacks SEC(".maps");

struct sym { char name[8]; char file[8]; };
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct sym);
	__type(value, __u32);
} symbols SEC(".maps");

struct out { __u32 ids[ROUNDS]; __u32 depth; __u32 next_id; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct out);
} outs SEC(".maps");

/* Frames 0..NFRAMES-1 linked 0 -> 1 -> ...; frame k has no code when bit k of skip is
 * set, and the last one links to nothing. Addresses are kept as numbers, as read from
 * user memory. */
static __always_inline void build(struct frames *s, __u64 skip)
{
	for (int k = 0; k < NFRAMES; k++) {
		s->f[k].back = k + 1 < NFRAMES ? (__u64)&s->f[k + 1] : 0;
		s->f[k].code = (skip >> k) & 1 ? 0 : (__u64)&s->f[k];
		s->f[k].name = (__u64)s->names[k];
		s->f[k].file = k & 1 ? (__u64)s->names[(k + 3) % NFRAMES] : 0;
		for (int j = 0; j < 8; j++)
			s->names[k][j] = j < 3 + k % 4 ? 'a' + k + j : 0;
	}
}

static __always_inline int read_frame(__u64 at, struct frame *f, struct sym *sym)
{
	bpf_probe_read_kernel(&f->back, sizeof(f->back), (void *)(at + offsetof(struct frame, back)));
	bpf_probe_read_kernel(&f->code, sizeof(f->code), (void *)(at + offsetof(struct frame, code)));
	if (!f->code)
		return 0;
	bpf_probe_read_kernel(&f->name, sizeof(f->name), (void *)(at + offsetof(struct frame, name)));
	bpf_probe_read_kernel(&f->file, sizeof(f->file), (void *)(at + offsetof(struct frame, file)));
	if (f->name)
		bpf_probe_read_kernel_str(sym->name, sizeof(sym->name), (void *)f->name);
	if (f->file)
		bpf_probe_read_kernel_str(sym->file, sizeof(sym->file), (void *)f->file);
	return 1;
}

static __always_inline int walk(struct frames *s, struct out *o)
{
	struct frame f = {};
	struct sym sym = {};
	__u64 at = (__u64)&s->f[0];
	o->depth = 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < ROUNDS; i++) {
		if (at && read_frame(at, &f, &sym)) {
			__u32 *id = bpf_map_lookup_elem(&symbols, &sym);
			if (!id) {
				__u32 fresh = o->next_id;
				bpf_map_update_elem(&symbols, &sym, &fresh, BPF_NOEXIST);
				id = bpf_map_lookup_elem(&symbols, &sym);
				if (!id)
					return 0;
				if (*id == fresh)
					o->next_id++;
			}
			o->ids[i] = *id;
			o->depth = i + 1;
		}
		at = f.back;
	}
	return at == 0;
}

SEC("raw_tp/sys_enter")
int long_walk_pending(__u64 *ctx)
{
	__u32 zero = 0;
	struct frames *s = bpf_map_lookup_elem(&stacks, &zero);
	struct out *o = bpf_map_lookup_elem(&outs, &zero);
	if (!s || !o)
		return 0;
	build(s, ctx[0]);
	int done = 0;
	done += walk(s, o);
	done += walk(s, o);
	__u64 h = 0;
	for (int i = 0; i < NFRAMES + 2; i++)
		h = h * 31 + o->ids[i];
	/* Frame addresses differ from load to load: not left for the harness to compare. */
	for (int k = 0; k < NFRAMES; k++)
		s->f[k].back = s->f[k].code = s->f[k].name = s->f[k].file = 0;
	ts_put(&results, 0, h);
	ts_put(&results, 1, o->depth);
	ts_put(&results, 2, done);
	return done;
}

char LICENSE[] SEC("license") = "GPL";
