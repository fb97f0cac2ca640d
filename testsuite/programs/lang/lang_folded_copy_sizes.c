// raw_tp: memcpy, memmove and memset whose size is a variable that only folding makes a
// constant: the length of a string literal passed to an inlined logger, clamped to the
// record's buffer by an `if` (tracee's `do_tracee_log`: `fsize = strlen(file); if (fsize
// >= MAX) fsize = MAX - 1; memcpy(log.file, file, fsize)`), a size chosen by a `switch`
// on a constant argument, and the builtins' value (the destination) used. clang's build
// expands them once LLVM has folded the size; ours refused them ("needs a constant size").
// @ctx 0100000000000000
// @ctx 7f00000000000000
// @ctx ffffffffffffffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

#define NAME_LEN 24

struct rec {
	__u32 line;
	__u32 len;
	char name[NAME_LEN];
	__u8 pad[40];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rec);
} scratch SEC(".maps");

/* The name's bytes folded into one number (every byte counts, and where it is). */
static __always_inline __u64 digest(const char *p, int n)
{
	__u64 h = 0;
	for (int i = 0; i < n; i++)
		h = h * 131 + (__u8)p[i];
	return h;
}

static __always_inline void log_at(struct rec *r, __u32 line, const char *file)
{
	__u64 size = __builtin_strlen(file);
	if (size >= NAME_LEN)
		size = NAME_LEN - 1;
	__builtin_memcpy(r->name, file, size);
	r->name[size] = '\0';
	r->line = line;
	r->len = size;
}

/* A size a switch on the (inlined, constant) kind chooses. */
static __always_inline void *blank(struct rec *r, int kind, int byte)
{
	int n;
	switch (kind) {
	case 0: n = 3; break;
	case 1: n = 17; break;
	default: n = 40; break;
	}
	return __builtin_memset(r->pad, byte, n);
}

SEC("raw_tp/sys_enter")
int folded_copy_sizes(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0;
	struct rec *r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return 0;
	__u64 a = ctx->args[0];

	log_at(r, 42, "short.c");
	ts_put(&results, 0, digest(r->name, NAME_LEN) + r->len + r->line);
	log_at(r, 43, "a/rather/long/path/to/some/header.h");
	ts_put(&results, 1, digest(r->name, NAME_LEN) + r->len + r->line);

	__builtin_memset(r->pad, 0, sizeof(r->pad));
	__u8 *p = blank(r, 1, (int)a);
	ts_put(&results, 2, digest((char *)r->pad, 40) + (p == r->pad));
	blank(r, 0, 0x5a);
	blank(r, 7, (int)(a >> 3));
	ts_put(&results, 3, digest((char *)r->pad, 40));

	/* memmove within one buffer, overlapping, by a size folded from a clamp. */
	__u64 m = __builtin_strlen("0123456789");
	if (m > 8)
		m = 8;
	__builtin_memcpy(r->pad, "0123456789abcdef", 16);
	char *q = __builtin_memmove(r->pad + 2, r->pad, m);
	ts_put(&results, 4, digest((char *)r->pad, 16) + (q == (char *)r->pad + 2));

	/* The value of a copy, the destination, read back through it. */
	char *d = __builtin_memcpy(r->name + 1, r->pad + a % 4, m - 5);
	ts_put(&results, 5, digest(d, 3) + digest(r->name, 6));

	__builtin_memset(r, 0, sizeof(*r));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
