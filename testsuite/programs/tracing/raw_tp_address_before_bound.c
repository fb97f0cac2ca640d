// raw_tp: the address of a buffer's next free byte computed before the test of the
// offset it is made of, and used only after it (tracee's `add_u64_elements_to_buf`:
// `void *addr = &buf->args[buf->offset]; if (buf->offset > ARGS_BUF_SIZE - sizeof(u64))
// goto out; bpf_probe_read(addr, sizeof(u64), ...)`). The verifier bounds the offset's
// register at the test, not a sum made of it before: computed where it was written, the
// address was refused ("R1 max value is outside of the allowed memory range"). Moved past
// the test, it is made of the bounded offset, as clang's sinking makes it.
// @ctx 0300000000000000
// @ctx 3e02000000000000
// @ctx ffffffffffffffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(2);

#define ARGS_SIZE 256

struct buffer {
	__u8 argnum;
	char args[ARGS_SIZE];
	__u16 offset;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct buffer);
} buffers SEC(".maps");

static __u64 words[4] = { 11, 22, 33, 44 };

/* Appends `len` words (each read with a helper) while they fit. */
static __always_inline int append(struct buffer *buf, const __u64 *ptr, int len)
{
	__u8 n = 0;
#pragma unroll
	for (int i = 0; i < len; i++) {
		void *addr = &buf->args[buf->offset];
		if (buf->offset > ARGS_SIZE - sizeof(__u64))
			goto out;
		if (bpf_probe_read_kernel(addr, sizeof(__u64), &ptr[i]) != 0)
			goto out;
		n++;
		buf->offset += sizeof(__u64);
	}
out:
	buf->argnum += n;
	return n;
}

SEC("raw_tp/sys_enter")
int address_before_bound(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0;
	struct buffer *buf = bpf_map_lookup_elem(&buffers, &zero);
	if (!buf)
		return 0;
	__u64 a = ctx->args[0];
	buf->offset = (a & 0xff) * 4;
	/* (A helper writes the count: the loop reads the offset back from the map.) */
	bpf_probe_read_kernel(&buf->argnum, 1, &words[0]);
	/* (Each after a call: the offset is read back from the map every time.) */
	int r = append(buf, words, 1);
	bpf_get_smp_processor_id();
	r += append(buf, &words[(a >> 8) & 3], 1);
	bpf_get_smp_processor_id();
	r += append(buf, &words[2], 1);
	__u64 h = 0;
	for (int i = 0; i < ARGS_SIZE; i++)
		h = h * 131 + (__u8)buf->args[i];
	ts_put(&results, 0, h + buf->argnum);
	ts_put(&results, 1, r + buf->offset);
	__builtin_memset(buf, 0, sizeof(*buf));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
