/* Atomic accessors written as macros in a header, as kernel and library headers wrap the
 * __atomic_* builtins (written for this project). A call these macros make starts in this
 * file and ends in the file using the macro. (clang-22 compiles a relaxed fetch-and-add
 * whose result is used as a locked add without fetch, which returns the operand: the
 * fetching macros here are sequentially consistent.) */
#ifndef TS_ATOMIC_MACROS_H
#define TS_ATOMIC_MACROS_H

#define TS_LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define TS_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define TS_FETCH_ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
#define TS_ADD_FETCH(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define TS_FETCH_OR(p, v) __atomic_fetch_or((p), (v), __ATOMIC_SEQ_CST)
#define TS_XCHG(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define TS_CMPXCHG(p, e, d) __atomic_compare_exchange_n((p), (e), (d), 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
/* The generic forms: values passed and returned through pointers. */
#define TS_LOAD_INTO(p, r) __atomic_load((p), (r), __ATOMIC_RELAXED)
#define TS_STORE_FROM(p, v) __atomic_store((p), (v), __ATOMIC_RELAXED)
#define TS_XCHG_VIA(p, v, r) __atomic_exchange((p), (v), (r), __ATOMIC_SEQ_CST)
#define TS_OFFSET(t, m) __builtin_offsetof(t, m)

#endif
