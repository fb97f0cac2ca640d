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
