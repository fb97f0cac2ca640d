// Every atomic builtin on a map value and on globals: __sync_fetch_and_{add,sub,or,and,xor},
// __sync_{add,sub,or,and,xor}_and_fetch, __sync_val/bool_compare_and_swap,
// __sync_lock_test_and_set, __atomic_{fetch_add,exchange_n,compare_exchange_n}
// on 32- and 64-bit operands; fetched values recorded.
// @ctx 05000000000000000f00000000000000
// @ctx 01000000000000003000000000000000
// @ctx 00000000000000000000000000000000
// @ctx ffffffffffff0000ffffffff00000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct vals {
	__u64 a64;
	__u32 a32;
	__u32 b32;
	__s64 s64;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vals);
} shared SEC(".maps");

__u64 g64 = 100;
__u32 g32 = 0xf0;
__u64 fetched[12];

SEC("raw_tp/sys_enter")
int atomics_all(__u64 *ctx)
{
	__u32 zero = 0;
	struct vals *v = bpf_map_lookup_elem(&shared, &zero);
	if (!v)
		return 0;
	__u64 x = ctx[0];
	__u32 y = (__u32)ctx[1];
	fetched[0] = __sync_fetch_and_add(&v->a64, x);
	fetched[1] = __sync_fetch_and_sub(&v->s64, (__s64)x);
	fetched[2] = __sync_fetch_and_or(&v->a32, y);
	fetched[3] = __sync_fetch_and_and(&g32, ~y);
	fetched[4] = __sync_fetch_and_xor(&g64, x);
	fetched[5] = __sync_val_compare_and_swap(&v->b32, 0, y + 1);
	fetched[6] = __sync_bool_compare_and_swap(&g64, x ^ 100, 5);
	fetched[7] = __sync_lock_test_and_set(&v->b32, y * 2);
	/* SEQ_CST, not RELAXED: clang-22 emits a non-fetching atomic add for a relaxed
	 * __atomic_fetch_add whose result is used, so its build returns the addend. */
	fetched[8] = __atomic_fetch_add(&g64, 3, __ATOMIC_SEQ_CST);
	fetched[9] = __atomic_exchange_n(&v->a64, x * 3, __ATOMIC_SEQ_CST);
	__u64 expected = 8;
	fetched[10] = __atomic_compare_exchange_n(&g64, &expected, 77, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	fetched[11] = expected;
	__sync_fetch_and_add(&v->a32, 1);   /* result unused: plain atomic add */
	__sync_fetch_and_or(&g32, 0x100);   /* result unused */
	__sync_fetch_and_and(&v->s64, -2);
	__sync_fetch_and_xor(&v->a64, 1);
	return (int)fetched[6] + 2 * (int)fetched[10];
}

char LICENSE[] SEC("license") = "GPL";
