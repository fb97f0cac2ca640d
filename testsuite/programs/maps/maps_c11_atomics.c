// C11 atomics on an _Atomic global: __c11_atomic_fetch_add, load (relaxed, acquire),
// store, exchange and compare_exchange_strong; GNU __atomic_fetch_sub/xor_fetch/and_fetch/
// sub_fetch; __atomic_always_lock_free and __atomic_is_lock_free folded.
// @cflags -mcpu=v4
// @input 000000000000000000000000080005f00311a2b3c4d5e6f708
// @input 0000000000000000000000000800ff000000000000ff00ff00
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"
TS_RESULTS(8);
_Atomic __u64 hits;
__u64 plain;
__u32 small;
SEC("xdp")
int c11_atomics(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 25) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    __u64 a = p[14], b = p[15];
    __u64 old = __c11_atomic_fetch_add(&hits, a, __ATOMIC_SEQ_CST);
    ts_put(&results, 0, old);
    __c11_atomic_store(&hits, __c11_atomic_load(&hits, __ATOMIC_RELAXED) + b, __ATOMIC_RELAXED);
    ts_put(&results, 1, __c11_atomic_load(&hits, __ATOMIC_ACQUIRE));
    __u64 prev = __c11_atomic_exchange(&hits, a * 3, __ATOMIC_SEQ_CST);
    ts_put(&results, 2, prev);
    __u64 exp = a * 3;
    int ok = __c11_atomic_compare_exchange_strong(&hits, &exp, 77, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    ts_put(&results, 3, ok * 1000 + exp);
    __u64 before = __atomic_fetch_sub(&plain, b, __ATOMIC_SEQ_CST);
    __u32 ax = __atomic_xor_fetch(&small, (__u32)a, __ATOMIC_SEQ_CST);
    __u32 an = __atomic_and_fetch(&small, 0xf0f0f0f0u, __ATOMIC_SEQ_CST);
    ts_put(&results, 4, before + ax + an + plain);
    ts_put(&results, 5, __atomic_always_lock_free(8, 0) + __atomic_is_lock_free(4, &small) * 2);
    __u64 sub = __atomic_sub_fetch(&plain, 1, __ATOMIC_SEQ_CST);
    ts_put(&results, 6, sub);
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
