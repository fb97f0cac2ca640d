// Calls through function pointers that only ever hold one function, as tracee writes
// them (`int (*stsb)(...) = save_to_submit_buf; stsb(buf, &fd, sizeof(int), 0);`), and a
// callback passed to an inlined function; `__builtin_strlen` of an inlined function's
// parameter bound to a string literal (tracee's `do_tracee_log(..., __FILE__)`). clang's
// constant propagation makes these direct calls and a constant; so does lowering.
// @input 000102030405060708090a0b0c0d0e0f101112131415161718191a1b
// @input ff7f80017e0203fd40c0ffee00112233445566778899aabbccddeeff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

struct buf { __u64 sum; __u32 n; };

static __attribute__((noinline)) int save(struct buf *b, void *v, __u32 size)
{
	__u64 x = 0;
	if (size > 8)
		return -1;
	bpf_probe_read_kernel(&x, size & 15, v);
	b->sum = b->sum * 131 + x;
	b->n++;
	return size;
}

static __attribute__((noinline)) int weigh(struct buf *b, void *v, __u32 size)
{
	b->sum += size * 1000;
	return 0;
}

static __always_inline int each(int (*fn)(struct buf *, void *, __u32), struct buf *b, __u8 *p, int n)
{
	int got = 0;
	for (int i = 0; i < n; i++)
		got += fn(b, p + i, 1 + (i & 3));
	return got;
}

static __always_inline __u64 name_length(const char *name)
{
	return __builtin_strlen(name);
}

SEC("xdp")
int function_pointer_locals(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 24 > data_end)
		return XDP_PASS;
	__u8 *p = data;
	__u8 copy[24];
	__builtin_memcpy(copy, p, sizeof(copy));
	struct buf b = {};
	int (*stsb)(struct buf *, void *, __u32) = save;
	int r = stsb(&b, copy, 4);
	r += stsb(&b, copy + 4, p[0] & 7);
	r += each(save, &b, copy + 8, 4);
	r += each(weigh, &b, copy, 2);
	ts_put(&results, 0, b.sum);
	ts_put(&results, 1, b.n);
	ts_put(&results, 2, r);
	ts_put(&results, 3, name_length(__FILE__));
	ts_put(&results, 4, name_length("xdp"));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
