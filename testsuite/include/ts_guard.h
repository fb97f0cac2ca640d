/* Scope guards in the style of the kernel's cleanup.h, written for the testsuite: the
 * destructor is defined here and only a cleanup attribute names it (scx's
 * `CLASS(rcu, ...)` shape). Each guard left adds 1000 to the counter it holds. */
#pragma once
#include <linux/types.h>

struct ts_guard { __u64 *counter; };

static inline void ts_guard_exit(struct ts_guard *g)
{
	if (g->counter)
		*g->counter += 1000;
}

#define TS_GUARD(name, c) struct ts_guard name __attribute__((cleanup(ts_guard_exit))) = { .counter = (c) }

/* The guarded statement after it runs once, the guard left after it: a `for` whose
 * increment jumps (from a statement expression) to a label that breaks out. */
#define TS_SCOPED_GUARD__(c, l)                                                            \
	for (TS_GUARD(scoped_##l, c); 1; ({ goto l; }))                                    \
		if (0) {                                                                   \
l:                                                                                         \
			break;                                                             \
		} else
#define TS_GUARD_PASTE_(a, b) a##b
#define TS_GUARD_PASTE(a, b) TS_GUARD_PASTE_(a, b)
#define TS_SCOPED_GUARD_(c, l) TS_SCOPED_GUARD__(c, l)
#define TS_SCOPED_GUARD(c) TS_SCOPED_GUARD_(c, TS_GUARD_PASTE(ts_scoped_, __COUNTER__))
