// PERCPU_ARRAY with struct values and a per-CPU scratch buffer used as large temporary
// storage (bigger than the stack would like); the result is copied to a shared array.
// @ctx 0a000000000000000300000000000000
// @ctx ff000000000000000700000000000000
// @ctx 00000000000000000200000000000000
// @ctx 2c010000000000000400000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct scratch {
	__u8 buf[256];
	__u32 used;
};

struct counters {
	__u64 events;
	__u64 bytes;
	__u32 max;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} heap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct counters);
} cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} digest SEC(".maps");

SEC("raw_tp/sys_enter")
int percpu_struct(__u64 *ctx)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&heap, &zero);
	if (!s)
		return 0;
	__u32 n = ctx[0] & 0xff;
	for (__u32 i = 0; i < 256; i++)
		s->buf[i] = i < n ? (__u8)(i * ctx[1]) : 0;
	s->used = n;
	__u64 h = 1469598103934665603ULL;
	for (__u32 i = 0; i < 256; i++) {
		h ^= s->buf[i];
		h *= 1099511628211ULL;
	}
	bpf_map_update_elem(&digest, &zero, &h, BPF_ANY);
	__u32 which = ctx[1] & 1;
	struct counters *c = bpf_map_lookup_elem(&cnt, &which);
	if (c) {
		c->events++;
		c->bytes += n;
		if (n > c->max)
			c->max = n;
	}
	return (int)(h & 0xffff);
}

char LICENSE[] SEC("license") = "GPL";
