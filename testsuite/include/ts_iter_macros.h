/* Open-coded number iterators as libbpf >= 1.2 offers them (bpf_for, bpf_repeat and
 * bpf_for_each in its bpf_helpers.h), written for this project: the iterator kfuncs are
 * declared here, in a header, and the loops destroy their iterator through
 * __attribute__((cleanup)). Like libbpf's, each loop also names the destroy kfunc in an
 * expression: that is what makes a header-declared cleanup function known. */
#ifndef TS_ITER_MACROS_H
#define TS_ITER_MACROS_H

struct bpf_iter_num;
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;

/* for (*cur in [args...)) with the iterator type named by `kind`. */
#define ts_for_each(kind, cur, args...)                                                  \
	for (struct bpf_iter_##kind __ts_it                                                  \
		     __attribute__((aligned(8), cleanup(bpf_iter_##kind##_destroy))),            \
	     *__ts_once __attribute__((unused)) =                                            \
		     (bpf_iter_##kind##_new(&__ts_it, ##args), (void)bpf_iter_##kind##_destroy,  \
		      (void *)0);                                                                \
	     ((cur) = bpf_iter_##kind##_next(&__ts_it));)

/* for (i = start; i < end; i++), with i proven in [start, end) for the verifier. */
#define ts_for(i, start, end)                                                            \
	for (struct bpf_iter_num __ts_it                                                     \
		     __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))),                 \
	     *__ts_once __attribute__((unused)) =                                            \
		     (bpf_iter_num_new(&__ts_it, (start), (end)), (void)bpf_iter_num_destroy,    \
		      (void *)0);                                                                \
	     ({                                                                              \
		     int *__ts_n = bpf_iter_num_next(&__ts_it);                                  \
		     __ts_n && ((i) = *__ts_n, (i) >= (start) && (i) < (end));                   \
	     });)

/* Runs the body n times. */
#define ts_repeat(n)                                                                     \
	for (struct bpf_iter_num __ts_it                                                     \
		     __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))),                 \
	     *__ts_once __attribute__((unused)) =                                            \
		     (bpf_iter_num_new(&__ts_it, 0, (n)), (void)bpf_iter_num_destroy,            \
		      (void *)0);                                                                \
	     bpf_iter_num_next(&__ts_it);)

#endif
