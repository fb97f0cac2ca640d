// Enums (explicit, negative, implicit successors, enum as a type and in switch) and typedef
// chains of scalars, structs, pointers and function-pointer-free aliases.
// @ctx 000000000000000005000000000000000700000000000000
// @ctx 010000000000000002000000000000000900000000000000
// @ctx 02000000000000000b00000000000000fdffffffffffffff
// @ctx 03000000000000001000000000000000ff00000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

enum color { RED = 1, GREEN, BLUE = 10, CYAN, NEG = -3, BIG = 0x7fffffff };
typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_XOR, OP_COUNT } op_t;
typedef __u32 u32_t;
typedef u32_t id_t2;
typedef struct {
	id_t2 id;
	op_t op;
	enum color c;
} cmd_t;
typedef cmd_t *cmd_ptr;

static __always_inline __s64 apply(cmd_ptr c, __s64 a, __s64 b)
{
	switch (c->op) {
	case OP_ADD: return a + b;
	case OP_SUB: return a - b;
	case OP_MUL: return a * b;
	case OP_XOR: return a ^ b;
	default: return 0;
	}
}

SEC("raw_tp/sys_enter")
int enums_typedefs(__u64 *ctx)
{
	cmd_t c = { .id = (id_t2)ctx[0], .op = (op_t)(ctx[0] % OP_COUNT), .c = (enum color)(ctx[1] & 0xf) };
	ts_put(&results, 0, (__u64)apply(&c, (__s64)ctx[1], (__s64)ctx[2]));
	ts_put(&results, 1, c.c == GREEN ? 2 : c.c == CYAN ? 11 : 0);
	ts_put(&results, 2, (__s64)NEG * c.op);
	ts_put(&results, 3, sizeof(enum color) + sizeof(op_t) * 10 + sizeof(cmd_t) * 100);
	ts_put(&results, 4, (__u64)BIG + BLUE + CYAN);
	enum color e = c.c;
	e = (enum color)(e + 1);
	ts_put(&results, 5, e);
	return c.op;
}

char LICENSE[] SEC("license") = "GPL";
