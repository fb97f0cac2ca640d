#!/usr/bin/env python3
"""Random C program generator for differential testing of swift-bpfcc against clang-22.

    python3 gen.py SEED > prog.c

Deterministic from SEED. Writes one XDP program (SEC("xdp"), function `fuzz_main`) that
reads values from the input packet, computes with them through globals, structs, unions,
bitfields, arrays, pointers, inlined and noinline functions, loops with constant trip
counts and switches, and folds what it computed into the array map `results` (16 u64
slots, each `slot = slot * 31 + v`), into a few packet bytes and into its return value.

The program must be free of undefined behaviour, since clang exploits UB and a difference
caused by UB is a false alarm:
  * + - * and unary minus are done in an unsigned type of the operands' converted width
    whenever C would do them in a signed one; ++/-- only on unsigned or narrower-than-int
    objects; compound assignments get an unsigned right side;
  * shift counts are masked to the width of the promoted left operand, a left shift's
    left operand is unsigned, `<<=` only on unsigned objects (narrow ones by at most 15);
  * division and remainder are unsigned with a divisor `| 1`, or by a positive constant;
  * every local is initialized at its declaration, array indices are masked (`& (N-1)`,
    `% N` of an unsigned value) or loop counters known to be in range;
  * an expression modifies only "scratch" locals (scalars whose address is never taken)
    that it does not otherwise mention, so nothing is unsequenced; functions called inside
    expressions write nothing outside themselves (no globals, no map), those that do are
    called only as whole statements;
  * unions have their widest member first and are always fully initialized; struct
    padding is never read.
gen.py --host-shim prints a header that lets the same program be compiled for the host
(run.py uses it to run the program under -fsanitize=undefined as a UB check and a third
opinion).
"""
import os
import random
import sys

# ---------------------------------------------------------------- size knobs
MAX_EXPR_DEPTH = 5          # nesting of generated expressions
STMT_BUDGET = (25, 100)     # statements in the whole program (nested ones included)
MAIN_STMTS = (6, 18)        # top-level statements of fuzz_main
FUNCS = (0, 4)              # helper functions
FUNC_STMTS = (1, 5)         # statements per helper function
FUNC_ARGS = (0, 5)          # scalar parameters per helper function
GLOBALS = (2, 9)            # global variables
STRUCTS = (1, 3)            # struct types (plus at most one union type)
INPUTS = (3, 9)             # values read from the packet at constant offsets
MAX_LOOP_TRIP = 12          # trip count of a loop
MAX_LOOP_NEST = 2           # loops inside loops
MAX_ITER_PRODUCT = 32       # product of enclosing trip counts allowed for a new loop
MAX_BLOCK_DEPTH = 3         # nesting of if/switch/loop bodies
BLOCK_STMTS = (1, 4)        # statements in a nested block
MAIN_AGG_BYTES = 240        # bytes of local arrays/structs in fuzz_main
FUNC_AGG_BYTES = 64         # ... in a helper function
NSLOTS = 16                 # slots of the results map
PKT_MIN = 64                # bytes the program checks for (inputs are 64..128 bytes)
FEATURE_PROB = 0.75         # each optional feature is enabled with this probability



class Ty:
    def __init__(self, name, bits, signed):
        self.name, self.bits, self.signed = name, bits, signed

    def __repr__(self):
        return self.name

    @property
    def size(self):
        return max(1, self.bits // 8)


U8, S8, U16, S16 = Ty('__u8', 8, False), Ty('__s8', 8, True), Ty('__u16', 16, False), Ty('__s16', 16, True)
U32, S32, U64, S64 = Ty('__u32', 32, False), Ty('__s32', 32, True), Ty('__u64', 64, False), Ty('__s64', 64, True)
INT, UINT = Ty('int', 32, True), Ty('unsigned int', 32, False)
LONG, ULONG = Ty('long', 64, True), Ty('unsigned long', 64, False)
LLONG, ULLONG = Ty('long long', 64, True), Ty('unsigned long long', 64, False)
CHAR, SCHAR, UCHAR = Ty('char', 8, True), Ty('signed char', 8, True), Ty('unsigned char', 8, False)
SHORT, USHORT = Ty('short', 16, True), Ty('unsigned short', 16, False)
BOOL = Ty('_Bool', 1, False)
SCALARS = [U8, S8, U16, S16, U32, S32, U64, S64, INT, UINT, LONG, ULONG, LLONG, ULLONG,
           CHAR, SCHAR, UCHAR, SHORT, USHORT, BOOL]
COMMON = [U8, U16, U32, U64, S8, S16, S32, S64, INT, LONG]


def promote(t):
    return INT if t.bits < 32 else t


def canon(bits, signed):
    return {(32, True): INT, (32, False): UINT, (64, True): LONG, (64, False): ULONG}[(bits, signed)]


def usual(a, b):
    """C's usual arithmetic conversions (width and signedness of the result)."""
    a, b = promote(a), promote(b)
    if a.signed == b.signed:
        return canon(max(a.bits, b.bits), a.signed)
    u, s = (a, b) if not a.signed else (b, a)
    if u.bits >= s.bits:
        return canon(u.bits, False)
    return canon(s.bits, True)


def unsigned_of(t):
    return canon(max(32, promote(t).bits), False)


def cast(t, code):
    return '(%s)(%s)' % (t.name, code)


# ---------------------------------------------------------------- program model
class Field:
    def __init__(self, name, kind, ty=None, width=None, n=None, sdef=None):
        self.name, self.kind, self.ty, self.width, self.n, self.sdef = name, kind, ty, width, n, sdef


class StructDef:
    def __init__(self, name, is_union, fields, size):
        self.name, self.is_union, self.fields, self.size = name, is_union, fields, size

    @property
    def tyname(self):
        return ('union ' if self.is_union else 'struct ') + self.name


class Var:
    """A named object: kind scalar, array (dims), struct (sdef), ptr (to a scalar lvalue
    of type ty), sptr (to a struct object of sdef)."""

    def __init__(self, name, kind, ty=None, dims=None, sdef=None, is_global=False,
                 const=False, volatile=False, level=0):
        self.name, self.kind, self.ty, self.dims, self.sdef = name, kind, ty, dims, sdef
        self.is_global, self.const, self.volatile, self.level = is_global, const, volatile, level
        self.addr_taken = False
        self.loopvar = False          # read-only inside its loop
        self.maxval = None            # known bound of a loop counter's value
        self.targets = []             # for pointers: the objects it may point to

    @property
    def writable(self):
        return not self.const and not self.loopvar

    @property
    def scratch(self):
        """May be modified inside an expression (then mentioned nowhere else in it)."""
        return (self.kind == 'scalar' and not self.is_global and not self.addr_taken
                and not self.loopvar and not self.volatile and not self.const)


class Func:
    def __init__(self, name, params, ret, inline, pure, static):
        self.name, self.params, self.ret = name, params, ret
        self.inline, self.pure, self.static = inline, pure, static


class Ctx:
    """What a piece of code may use: scopes of variables, functions, loop state."""

    def __init__(self, gen, func, agg_budget):
        self.gen, self.func = gen, func
        self.scopes = [[]]
        self.loop_depth = 0
        self.iter_product = 1
        self.block_depth = 0
        self.in_loop = False
        self.agg_budget = agg_budget
        self.excluded = set()     # names not to be mentioned in the current expression
        self.scratch_pool = []    # scratch variables the current expression may modify
        self.pure_only = True     # inside a pure function: no writes of globals/maps
        self.is_main = False
        self.extra_data_vars = False

    def vars(self):
        seen = {}
        for scope in self.scopes:
            for v in scope:
                seen[v.name] = v
        for v in self.gen.globals:
            seen.setdefault(v.name, v)
        return list(seen.values())

    def add(self, v):
        v.level = len(self.scopes) - 1
        self.scopes[-1].append(v)



# One-operand builtins e_builtin picks from (the operand in place of %s) and their types.
UNARY_BUILTINS = [
    ('__builtin_bswap16(%s)', U16),
    ('__builtin_bswap32(%s)', U32),
    ('__builtin_bswap64(%s)', U64),
    ('__builtin_popcount(%s)', INT),
    ('__builtin_popcountll(%s)', INT),
    ('__builtin_clz((%s) | 1u)', INT),
    ('__builtin_ctzll((%s) | 0x8000000000000000ull)', INT),
    ('__builtin_parity(%s)', INT),
]

class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed
        self.counter = 0
        self.structs = []
        self.globals = []
        self.funcs = []
        r = self.r
        feats = ['div', 'shift', 'ternary', 'comma', 'scratch', 'calls', 'builtins', 'bitfields',
                 'unions', 'pointers', 'switch', 'loops', 'arrays2d', 'volatile', 'stmtexpr',
                 'pktwrite', 'noinline', 'casts', 'logical', 'globalfunc', 'memops', 'earlyret',
                 'extradata', 'bigconst', 'nested', 'boolmem', 'sdivconst', 'atomics', 'ptrwalk']
        self.feat = {f: r.random() < FEATURE_PROB for f in feats}
        # _Bool objects in memory: LLVM takes a loaded _Bool for 0 or 1 and drops index
        # masks, which the verifier then refuses (it sees a byte); signed division by a
        # constant that is not a power of two: clang's BPF backend sometimes refuses it
        # ("unsupported signed division"). Both are clang failures: keep them rarer.
        self.feat['boolmem'] = self.feat['boolmem'] and r.random() < 0.5
        self.feat['sdivconst'] = self.feat['sdivconst'] and r.random() < 0.2
        # FUZZ_OFF=feat1,feat2 / FUZZ_ON=...: force features (e.g. to stop hitting a known bug)
        for env, val in (('FUZZ_OFF', False), ('FUZZ_ON', True)):
            for f in filter(None, os.environ.get(env, '').split(',')):
                if f not in self.feat:
                    sys.exit('gen.py: unknown feature %r in %s (known: %s)' % (f, env, ' '.join(sorted(self.feat))))
                self.feat[f] = val
        self.feat['globalfunc'] = self.feat['globalfunc'] and r.random() < 0.4
        self.budget = r.randint(*STMT_BUDGET)

    def fresh(self, prefix):
        self.counter += 1
        return '%s%d' % (prefix, self.counter)

    def on(self, f):
        return self.feat[f]

    # ------------------------------------------------------------ types
    def pick_scalar(self, allow_bool=True):
        r = self.r
        t = r.choice(COMMON) if r.random() < 0.7 else r.choice(SCALARS)
        if t is BOOL and not allow_bool:
            t = U8
        return t

    def gen_struct(self):
        r = self.r
        name = self.fresh('S')
        fields = []
        size = 0
        nf = r.randint(2, 6)
        for i in range(nf):
            fname = 'f%d' % i
            k = r.random()
            if k < 0.22 and self.on('bitfields'):
                if r.random() < 0.25:
                    base = r.choice([U64, S64])
                    width = r.randint(33, 63)
                else:
                    base = r.choice([UINT, INT, U32, S32, U16, U8])
                    width = r.randint(1, min(base.bits - 1, 31) if base.bits > 8 else 7)
                fields.append(Field(fname, 'bitfield', base, width=width))
                size += 4
            elif k < 0.38:
                t = self.pick_scalar(False)
                n = r.choice([2, 3, 4, 8])
                fields.append(Field(fname, 'array', t, n=n))
                size += t.size * n
            elif k < 0.48 and self.structs and self.on('nested'):
                sd = r.choice(self.structs)
                if sd.size <= 48:
                    fields.append(Field(fname, 'struct', sdef=sd))
                    size += sd.size
                else:
                    fields.append(Field(fname, 'scalar', U32))
                    size += 4
            else:
                t = self.pick_scalar(self.on('boolmem'))
                fields.append(Field(fname, 'scalar', t))
                size += t.size
        sd = StructDef(name, False, fields, size + 8)
        self.structs.append(sd)
        return sd

    def gen_union(self):
        r = self.r
        name = self.fresh('U')
        fields = [Field('q', 'scalar', r.choice([U64, S64, ULONG]))]
        opts = [Field('d', 'array', r.choice([U32, S32]), n=2), Field('w', 'array', r.choice([U16, S16]), n=4),
                Field('b', 'array', r.choice([U8, S8]), n=8), Field('lo', 'scalar', r.choice([U32, S32, INT])),
                Field('h', 'scalar', r.choice([U16, S16])), Field('c', 'scalar', r.choice([U8, S8, CHAR]))]
        r.shuffle(opts)
        fields += opts[:r.randint(2, 5)]
        if self.on('bitfields') and r.random() < 0.5:
            fields.append(Field('bf', 'bitfield', r.choice([UINT, INT]), width=r.randint(1, 31)))
        sd = StructDef(name, True, fields, 8)
        self.structs.append(sd)
        return sd

    # ------------------------------------------------------------ literals
    def literal(self, want_small=False):
        r = self.r
        if want_small or r.random() < 0.45:
            v = r.choice([0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 31, 32, 63, 64, 100, 127, 128, 255, 256,
                          1000, 4096, 0x7fff, 0xffff])
            if r.random() < 0.3:
                return '0x%x' % v, INT
            return str(v), INT
        interesting = [0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
                       0xffffffff, 0x100000000, 0x7fffffffffffffff, 0x8000000000000000,
                       0xffffffffffffffff, 0xdeadbeef, 0x12345678, 0x0123456789abcdef]
        if r.random() < 0.5 and self.on('bigconst'):
            v = r.choice(interesting)
        elif r.random() < 0.5:
            v = r.getrandbits(32)
        else:
            v = r.getrandbits(r.choice([8, 16, 64]))
        hexa = r.random() < 0.6
        suffix = r.choice(['', '', '', 'u', 'U', 'l', 'ul', 'UL', 'll', 'ull', 'ULL'])
        t = self.literal_type(v, hexa, suffix)
        if t is None:
            suffix = 'ull'
            t = ULLONG
        code = ('0x%x' % v if hexa else str(v)) + suffix
        if r.random() < 0.15:
            code = '(-%s)' % code      # negating a non-negative literal never overflows
        return code, t

    @staticmethod
    def literal_type(v, hexa, suffix):
        s = suffix.lower()
        fits = lambda bits, signed: v < (1 << (bits - 1)) if signed else v < (1 << bits)
        if s == '':
            cands = [(32, True), (32, False), (64, True), (64, False)] if hexa else [(32, True), (64, True)]
        elif s == 'u':
            cands = [(32, False), (64, False)]
        elif s in ('l', 'll'):
            cands = [(64, True), (64, False)] if hexa else [(64, True)]
        else:
            cands = [(64, False)]
        for bits, signed in cands:
            if fits(bits, signed):
                return canon(bits, signed)
        return None

    # ------------------------------------------------------------ reading objects
    def index(self, n, ctx, depth, stride=1):
        """An index expression whose value is in [0, n). A run-time index only when the
        indexed span (n * stride bytes) is at least 16: for smaller ones LLVM may compute
        the address as `base | offset` (the base's alignment leaves room), which the
        verifier refuses on a pointer ("bitwise operator |= on pointer prohibited").
        Masks, never `% n` of a non-power of two: the verifier does not bound a remainder."""
        r = self.r
        k = r.random()
        if k < 0.3 or n * stride < 16:
            return str(r.randrange(n))
        p2 = 1
        while p2 * 2 <= n:
            p2 *= 2
        loopvars = [v for v in ctx.vars() if v.loopvar and v.maxval is not None and v.name not in ctx.excluded]
        if k < 0.5 and loopvars:
            v = r.choice(loopvars)
            if v.maxval < n:
                return v.name
            return '%s & %d' % (v.name, p2 - 1)
        if depth <= 0:
            scal = [v for v in self.readable(ctx) if v.kind == 'scalar']
            if not scal:
                return str(r.randrange(n))
            v = r.choice(scal)
            e, t = v.name, v.ty
            if v.is_global or v.ty is BOOL:
                return str(r.randrange(n))
        else:
            e, t = self.expr(ctx, min(depth, 2))
        if t is BOOL:
            return str(r.randrange(n))
        if p2 == n and r.random() < 0.3:
            return '(%s)(%s) %% %d' % (unsigned_of(t).name, e, n)
        return '(%s) & %d' % (e, p2 - 1)

    def field_access(self, sd, ctx, depth, for_write=False):
        """('.f...', type, is_bitfield) for a scalar inside struct/union sd."""
        r = self.r
        f = r.choice(sd.fields)
        if f.kind == 'scalar':
            return '.' + f.name, f.ty, False
        if f.kind == 'bitfield':
            return '.' + f.name, self.bitfield_type(f), True
        if f.kind == 'array':
            return '.%s[%s]' % (f.name, self.index(f.n, ctx, depth, f.ty.size)), f.ty, False
        sub, t, bf = self.field_access(f.sdef, ctx, depth, for_write)
        return '.' + f.name + sub, t, bf

    @staticmethod
    def bitfield_type(f):
        if f.width < 32:
            return INT            # promoted to int (also from a 64-bit base, as clang does)
        return canon(64, f.ty.signed)

    def access(self, v, ctx, depth, for_write=False):
        """(code, type, info) of a scalar lvalue inside object v; info: 'bitfield' or None."""
        r = self.r
        if v.kind == 'scalar':
            return v.name, v.ty, None
        if v.kind == 'array':
            strides = [v.ty.size * (v.dims[1] if len(v.dims) == 2 and i == 0 else 1) for i in range(len(v.dims))]
            code = v.name + ''.join('[%s]' % self.index(n, ctx, depth, st) for n, st in zip(v.dims, strides))
            return code, v.ty, None
        if v.kind == 'struct':
            sub, t, bf = self.field_access(v.sdef, ctx, depth, for_write)
            return v.name + sub, t, 'bitfield' if bf else None
        if v.kind == 'ptr':
            return '(*%s)' % v.name, v.ty, None
        if v.kind == 'sptr':
            sub, t, bf = self.field_access(v.sdef, ctx, depth, for_write)
            if r.random() < 0.7:
                return v.name + '->' + sub[1:], t, 'bitfield' if bf else None
            return '(*%s)%s' % (v.name, sub), t, 'bitfield' if bf else None
        raise AssertionError(v.kind)

    def readable(self, ctx):
        return [v for v in ctx.vars() if v.name not in ctx.excluded
                and not any(t.name in ctx.excluded for t in v.targets)]

    def leaf(self, ctx, depth):
        r = self.r
        vs = self.readable(ctx)
        if vs and r.random() < 0.8:
            inputs = [v for v in vs if v.name.startswith('in')]
            v = r.choice(inputs) if inputs and r.random() < 0.35 else r.choice(vs)
            code, t, info = self.access(v, ctx, depth - 1)
            if info == 'bitfield' and r.random() < 0.4:
                t2 = r.choice(COMMON)
                return cast(t2, code), t2
            return code, t
        return self.literal()

    # ------------------------------------------------------------ expressions
    def take_scratch(self, ctx):
        if ctx.scratch_pool and self.on('scratch'):
            return ctx.scratch_pool.pop(self.r.randrange(len(ctx.scratch_pool)))
        return None

    def pool(self, ctx, nscratch=None, avoid=()):
        """Context of one full expression: picks the scratch variables it may modify
        (they are then not mentioned anywhere else in it)."""
        gen = self

        class _Pool:
            def __enter__(self):
                r = gen.r
                self.saved = (ctx.excluded, ctx.scratch_pool)
                pool = []
                if gen.on('scratch'):
                    cands = [v for v in ctx.vars() if v.scratch and v.name not in avoid]
                    r.shuffle(cands)
                    pool = cands[:nscratch if nscratch is not None else r.choice([0, 0, 1, 1, 2])]
                ctx.excluded = set(ctx.excluded) | {v.name for v in pool}
                ctx.scratch_pool = list(pool)
                return self

            def __exit__(self, *exc):
                ctx.excluded, ctx.scratch_pool = self.saved
                return False
        return _Pool()

    def full_expr(self, ctx, depth=None, nscratch=None):
        if depth is None:
            depth = self.r.randint(1, MAX_EXPR_DEPTH)
        with self.pool(ctx, nscratch):
            return self.expr(ctx, depth)

    def expr(self, ctx, depth):
        r = self.r
        if depth <= 0 or r.random() < 0.18:
            return self.leaf(ctx, depth)
        choices = [('arith', 10), ('bitwise', 7), ('cmp', 5), ('unary', 3)]
        if self.on('shift'):
            choices.append(('shift', 5))
        if self.on('div'):
            choices.append(('div', 3))
        if self.on('ternary'):
            choices.append(('ternary', 3))
        if self.on('logical'):
            choices.append(('logical', 3))
        if self.on('casts'):
            choices.append(('cast', 5))
        if self.on('builtins'):
            choices.append(('builtin', 2))
        if self.on('stmtexpr'):
            choices.append(('stmtexpr', 1))
        if ctx.scratch_pool:
            choices += [('assign', 3), ('incdec', 3)]
            if self.on('comma'):
                choices.append(('comma', 2))
        pure = [f for f in self.funcs if f.pure and f is not ctx.func]
        if pure and self.on('calls'):
            choices.append(('call', 4))
        total = sum(w for _, w in choices)
        x = r.uniform(0, total)
        for kind, w in choices:
            x -= w
            if x <= 0:
                break
        return getattr(self, 'e_' + kind)(ctx, depth)

    def e_arith(self, ctx, depth):
        r = self.r
        a, ta = self.expr(ctx, depth - 1)
        b, tb = self.expr(ctx, depth - 1)
        op = r.choice(['+', '-', '*', '+', '-'])
        t = usual(ta, tb)
        if t.signed:
            u = unsigned_of(t)
            if r.random() < 0.5:
                return '(%s %s %s)' % (cast(u, a), op, cast(u, b)), u
            if r.random() < 0.5:
                return '(%s %s %s)' % (cast(u, a), op, b), usual(u, tb)
            return '(%s %s %s)' % (a, op, cast(u, b)), usual(ta, u)
        return '(%s %s %s)' % (a, op, b), t

    def e_bitwise(self, ctx, depth):
        r = self.r
        a, ta = self.expr(ctx, depth - 1)
        b, tb = self.expr(ctx, depth - 1)
        op = r.choice(['&', '|', '^'])
        return '(%s %s %s)' % (a, op, b), usual(ta, tb)

    def e_cmp(self, ctx, depth):
        r = self.r
        a, ta = self.expr(ctx, depth - 1)
        b, tb = self.expr(ctx, depth - 1)
        op = r.choice(['<', '>', '<=', '>=', '==', '!='])
        return '(%s %s %s)' % (a, op, b), INT

    def e_logical(self, ctx, depth):
        r = self.r
        a, _ = self.expr(ctx, depth - 1)
        b, _ = self.expr(ctx, depth - 1)
        return '(%s %s %s)' % (a, r.choice(['&&', '||']), b), INT

    def e_unary(self, ctx, depth):
        r = self.r
        a, t = self.expr(ctx, depth - 1)
        op = r.choice(['~', '!', '-', '-', '+'])
        if op == '!':
            return '(!%s)' % a, INT
        p = promote(t)
        if op == '-' and p.signed:
            u = unsigned_of(t)
            return '(-%s)' % cast(u, a), u
        return '(%s%s)' % (op, a), p

    def e_shift(self, ctx, depth):
        r = self.r
        a, ta = self.expr(ctx, depth - 1)
        b, tb = self.expr(ctx, depth - 1)
        if r.random() < 0.4:
            b = str(r.randrange(promote(ta).bits if r.random() < 0.5 else 8))
            if int(b) >= promote(ta).bits:
                b = '1'
        if r.random() < 0.5:                       # left shift: unsigned left side
            p = promote(ta)
            if p.signed:
                p = unsigned_of(ta)
                a = cast(p, a)
            cnt = b if b.isdigit() and int(b) < p.bits else '(%s) & %d' % (b, p.bits - 1)
            return '(%s << (%s))' % (a, cnt), p
        p = promote(ta)
        if r.random() < 0.3:                       # sometimes force a width/signedness
            p = r.choice([INT, UINT, LONG, ULONG, S64, U32])
            a = cast(p, a)
        cnt = b if b.isdigit() and int(b) < p.bits else '(%s) & %d' % (b, p.bits - 1)
        return '(%s >> (%s))' % (a, cnt), promote(p)

    def e_div(self, ctx, depth):
        r = self.r
        a, ta = self.expr(ctx, depth - 1)
        op = r.choice(['/', '%'])
        if r.random() < 0.4:                       # positive constant divisor
            d = r.choice([1, 2, 3, 5, 7, 8, 10, 16, 100, 255, 256, 1000, 65536, 0x7fffffff])
            t = usual(ta, INT)
            if t.signed and d & (d - 1) and not self.on('sdivconst'):
                # clang's BPF backend refuses some signed divisions by constants that are
                # not powers of two ("unsupported signed division"): do them unsigned
                t = unsigned_of(t)
                a = cast(t, a)
            return '(%s %s %d)' % (a, op, d), t
        b, tb = self.expr(ctx, depth - 1)
        u = canon(max(32, promote(ta).bits, promote(tb).bits), False)
        if r.random() < 0.3:
            u = r.choice([UINT, ULONG])
        return '(%s %s (%s | 1))' % (cast(u, a), op, cast(u, b)), u

    def e_ternary(self, ctx, depth):
        c, _ = self.expr(ctx, depth - 1)
        a, ta = self.expr(ctx, depth - 1)
        b, tb = self.expr(ctx, depth - 1)
        return '(%s ? %s : %s)' % (c, a, b), usual(ta, tb)

    def e_cast(self, ctx, depth):
        a, _ = self.expr(ctx, depth - 1)
        t = self.r.choice(SCALARS)
        return cast(t, a), t

    def e_builtin(self, ctx, depth):
        r = self.r
        a, ta = self.expr(ctx, depth - 1)
        k = r.randrange(11)
        if k < len(UNARY_BUILTINS):
            form, t = UNARY_BUILTINS[k]
            return form % a, t
        if k == 8:
            b, _ = self.expr(ctx, depth - 1)
            return '__builtin_rotateleft32(%s, %s)' % (a, b), U32
        if k == 9:
            b, _ = self.expr(ctx, depth - 1)
            return '__builtin_rotateright64(%s, %s)' % (a, b), U64
        return '__builtin_ffsll(%s)' % a, INT

    def e_stmtexpr(self, ctx, depth):
        r = self.r
        t = self.pick_scalar()
        name = self.fresh('se')
        a, _ = self.expr(ctx, depth - 1)
        v = Var(name, 'scalar', t)
        ctx.scopes.append([v])
        try:
            b, tb = self.expr(ctx, depth - 1)
        finally:
            ctx.scopes.pop()
        if r.random() < 0.5:
            return '({ %s %s = %s; %s; })' % (t.name, name, a, b), tb
        upd = self.compound_rhs_stmt(v, name, t, None, ctx, depth - 1)
        return '({ %s %s = %s; %s; %s; })' % (t.name, name, a, upd, name), t

    def e_assign(self, ctx, depth):
        v = self.take_scratch(ctx)
        if v is None:
            return self.leaf(ctx, depth)
        a, ta = self.expr(ctx, depth - 1)
        if self.r.random() < 0.5:
            return '(%s = %s)' % (v.name, a), v.ty
        return '(%s)' % self.compound_rhs_stmt(v, v.name, v.ty, None, ctx, depth - 1), v.ty

    def e_incdec(self, ctx, depth):
        v = self.take_scratch(ctx)
        if v is None:
            return self.leaf(ctx, depth)
        return '(%s)' % self.incdec(v.name, v.ty, None), v.ty

    def e_comma(self, ctx, depth):
        v = self.take_scratch(ctx)
        if v is None:
            return self.leaf(ctx, depth)
        a, _ = self.expr(ctx, depth - 1)
        b, tb = self.expr(ctx, depth - 1)
        return '(%s = %s, %s)' % (v.name, a, b), tb

    def e_call(self, ctx, depth):
        r = self.r
        f = r.choice([f for f in self.funcs if f.pure and f is not ctx.func])
        args = [self.expr(ctx, min(depth - 1, 2))[0] for _ in f.params]
        return '%s(%s)' % (f.name, ', '.join(args)), f.ret

    # ------------------------------------------------------------ updates
    def incdec(self, code, t, info):
        """++/-- (or an equivalent defined update) of lvalue code of type t."""
        r = self.r
        op = r.choice(['++', '--'])
        if t is BOOL:
            return '%s = !%s' % (code, code)
        if t.signed and t.bits >= 32 and info != 'bitfield':
            one = '1u' if t.bits == 32 else '1ul'
            return '%s %s= %s' % (code, op[0], one)
        return (op + code) if r.random() < 0.5 else (code + op)

    def compound_rhs_stmt(self, v, code, t, info, ctx, depth):
        """`code OP= rhs` (or `code = rhs`) without UB for an lvalue of type t."""
        r = self.r
        e, te = self.expr(ctx, depth)
        ops = ['=', '+=', '-=', '*=', '&=', '|=', '^=']
        if self.on('div'):
            ops += ['/=', '%=']
        if self.on('shift'):
            ops += ['>>=', '<<=']
        op = r.choice(ops)
        if t is BOOL and op not in ('=', '&=', '|=', '^='):
            op = '|='
        if op in ('+=', '-=', '*='):
            u = canon(64 if t.bits == 64 else r.choice([32, 64]), False)
            return '%s %s %s' % (code, op, cast(u, e))
        if op in ('/=', '%='):
            u = canon(64 if t.bits == 64 else r.choice([32, 64]), False)
            return '%s %s (%s | 1)' % (code, op, cast(u, e))
        if op == '>>=':
            return '%s >>= (%s) & %d' % (code, e, promote(t).bits - 1)
        if op == '<<=':
            if t.signed or info == 'bitfield':
                op = '^='
                return '%s ^= %s' % (code, e)
            mask = 15 if t.bits < 32 else t.bits - 1
            return '%s <<= (%s) & %d' % (code, e, mask)
        return '%s %s %s' % (code, op, e)

    # ------------------------------------------------------------ statements
    def writable_vars(self, ctx):
        out = []
        for v in ctx.vars():
            if not v.writable:
                continue
            if v.is_global and ctx.pure_only:
                continue
            if v.kind in ('ptr', 'sptr'):
                if ctx.pure_only and any(t.is_global for t in v.targets):
                    continue
            out.append(v)
        return out

    def stmt_assign(self, ctx, out, ind):
        r = self.r
        ws = self.writable_vars(ctx)
        if not ws:
            return self.stmt_decl(ctx, out, ind)
        v = r.choice(ws)
        # index expressions of the lvalue are part of the full expression: give them no scratch
        saved = ctx.excluded
        ctx.excluded = set(ctx.excluded) | ({v.name} if v.scratch else set())
        code, t, info = self.access(v, ctx, 2, for_write=True)
        ctx.excluded = saved
        k = r.random()
        avoid = {x.name for x in ctx.vars() if x.name in code} | {v.name}
        with self.pool(ctx, r.choice([0, 1, 1, 2]), avoid):
            if k < 0.15:
                s = self.incdec(code, t, info)
            else:
                s = self.compound_rhs_stmt(v, code, t, info, ctx, r.randint(1, MAX_EXPR_DEPTH))
        out.append(ind + s + ';')

    def init_for(self, t, ctx):
        return self.full_expr(ctx, self.r.randint(0, 3))[0]

    def stmt_decl(self, ctx, out, ind):
        r = self.r
        k = r.random()
        if k < 0.55 or ctx.agg_budget <= 0:
            t = self.pick_scalar()
            name = self.fresh('v')
            vol = 'volatile ' if self.on('volatile') and r.random() < 0.08 else ''
            e = self.init_for(t, ctx)
            out.append('%s%s%s %s = %s;' % (ind, vol, t.name, name, e))
            v = Var(name, 'scalar', t, volatile=bool(vol))
            ctx.add(v)
            return
        if k < 0.75:
            t = self.pick_scalar(False)
            dims = [r.choice([2, 4, 5, 8, 16])]
            if self.on('arrays2d') and r.random() < 0.35:
                dims = [r.choice([2, 3, 4]), r.choice([2, 4, 8])]
            nbytes = t.size
            for d in dims:
                nbytes *= d
            if nbytes > ctx.agg_budget:
                return self.stmt_assign(ctx, out, ind)
            ctx.agg_budget -= nbytes
            name = self.fresh('a')
            total = 1
            for d in dims:
                total *= d
            dimc = ''.join('[%d]' % d for d in dims)
            if r.random() < 0.5:
                init = '{}'
            else:
                vals = [self.literal(want_small=r.random() < 0.5)[0] for _ in range(r.randint(1, min(total, 8)))]
                if len(dims) == 2:
                    init = '{{%s}}' % ', '.join(vals[:dims[1]])
                else:
                    init = '{%s}' % ', '.join(vals)
            out.append('%s%s %s%s = %s;' % (ind, t.name, name, dimc, init))
            v = Var(name, 'array', t, dims=dims)
            ctx.add(v)
            if r.random() < 0.5 and ctx.iter_product * total <= MAX_ITER_PRODUCT * 2 and len(dims) == 1 \
                    and nbytes >= 16:
                i = self.fresh('i')
                e = self.full_expr_with_loopvar(ctx, i, total)
                out.append('%sfor (int %s = 0; %s < %d; %s++)' % (ind, i, i, total, i))
                out.append('%s\t%s[%s] = %s;' % (ind, name, i, e))
            return
        if k < 0.85 and self.pointer_targets(ctx) and self.on('pointers'):
            return self.stmt_pointer(ctx, out, ind)
        sds = [s for s in self.structs if s.size <= ctx.agg_budget]
        if not sds:
            return self.stmt_assign(ctx, out, ind)
        sd = r.choice(sds)
        ctx.agg_budget -= sd.size
        name = self.fresh('s')
        init = self.struct_init(sd, ctx, const=False)
        out.append('%s%s %s = %s;' % (ind, sd.tyname, name, init))
        ctx.add(Var(name, 'struct', sdef=sd))
        if self.on('memops') and r.random() < 0.2:
            out.append('%s__builtin_memset(&%s, %d, sizeof(%s));' % (ind, name, self.memset_byte(sd), name))

    def memset_byte(self, sd):
        """A fill byte for memset of an object: 0 or 1 when it holds a _Bool (any other
        byte would make the _Bool's value invalid)."""
        def has_bool(sd):
            return sd is not None and any(f.ty is BOOL or (f.kind == 'struct' and has_bool(f.sdef))
                                          for f in sd.fields)
        if has_bool(sd):
            return self.r.choice([0, 1])
        return self.r.choice([0, 1, 0xff, 0x5a, 0x80, 0x7f])

    def full_expr_with_loopvar(self, ctx, i, n):
        lv = Var(i, 'scalar', INT)
        lv.loopvar = True
        lv.maxval = n - 1
        ctx.scopes.append([lv])
        try:
            return self.full_expr(ctx, self.r.randint(1, 3))[0]
        finally:
            ctx.scopes.pop()

    def struct_init(self, sd, ctx, const):
        r = self.r
        if r.random() < 0.3:
            return '{}'
        parts = []
        for f in (sd.fields[:1] if sd.is_union else sd.fields):
            if r.random() < 0.4:
                continue
            if f.kind in ('scalar', 'bitfield'):
                val = self.literal()[0] if const else self.full_expr(ctx, r.randint(0, 2), nscratch=0)[0]
                parts.append('.%s = %s' % (f.name, val))
            elif f.kind == 'array':
                vals = [self.literal(want_small=True)[0] for _ in range(r.randint(1, f.n))]
                parts.append('.%s = {%s}' % (f.name, ', '.join(vals)))
            else:
                parts.append('.%s = %s' % (f.name, self.struct_init(f.sdef, ctx, True)))
        return '{%s}' % ', '.join(parts)

    def pointer_targets(self, ctx):
        """(object, address code, kind, type or sdef) candidates for a new pointer."""
        out = []
        for v in ctx.vars():
            if v.const or v.loopvar or v.volatile or v.kind in ('ptr', 'sptr'):
                continue
            if ctx.pure_only and v.is_global:
                continue
            if v.kind == 'scalar' and v.ty is not BOOL and not v.volatile:
                out.append((v, '&' + v.name, 'ptr', v.ty))
            elif v.kind == 'array' and len(v.dims) == 1:
                out.append((v, '&%s[%d]' % (v.name, self.r.randrange(v.dims[0])), 'ptr', v.ty))
            elif v.kind == 'struct':
                out.append((v, '&' + v.name, 'sptr', v.sdef))
                scal = [f for f in v.sdef.fields if f.kind == 'scalar' and f.ty is not BOOL]
                if scal:
                    f = self.r.choice(scal)
                    out.append((v, '&%s.%s' % (v.name, f.name), 'ptr', f.ty))
        return out

    def stmt_pointer(self, ctx, out, ind):
        r = self.r
        tv, addr, kind, what = r.choice(self.pointer_targets(ctx))
        name = self.fresh('p')
        tv.addr_taken = True
        if kind == 'ptr':
            out.append('%s%s *%s = %s;' % (ind, what.name, name, addr))
            p = Var(name, 'ptr', what)
        else:
            out.append('%s%s *%s = %s;' % (ind, what.tyname, name, addr))
            p = Var(name, 'sptr', sdef=what)
        p.targets = [tv]
        p.const = True            # the pointer itself is not reassigned
        ctx.add(p)

    def cond(self, ctx):
        r = self.r
        with self.pool(ctx):
            if r.random() < 0.6:
                a, _ = self.expr(ctx, r.randint(0, 3))
                b, _ = self.expr(ctx, r.randint(0, 2))
                return '%s %s %s' % (a, r.choice(['<', '>', '<=', '>=', '==', '!=']), b)
            return self.expr(ctx, r.randint(1, 4))[0]

    def block(self, ctx, out, ind, n=None):
        r = self.r
        ctx.scopes.append([])
        ctx.block_depth += 1
        if n is None:
            n = r.randint(*BLOCK_STMTS) if self.budget > 0 else 1
        for _ in range(n):
            self.stmt(ctx, out, ind)
        ctx.block_depth -= 1
        ctx.scopes.pop()

    def stmt_if(self, ctx, out, ind):
        r = self.r
        out.append('%sif (%s) {' % (ind, self.cond(ctx)))
        self.block(ctx, out, ind + '\t')
        if r.random() < 0.5:
            if r.random() < 0.3 and ctx.block_depth < MAX_BLOCK_DEPTH - 1:
                out.append('%s} else if (%s) {' % (ind, self.cond(ctx)))
                self.block(ctx, out, ind + '\t')
            out.append('%s} else {' % ind)
            self.block(ctx, out, ind + '\t')
        out.append(ind + '}')

    def stmt_switch(self, ctx, out, ind):
        r = self.r
        e, t = self.full_expr(ctx, r.randint(1, 3))
        k = r.random()
        if k < 0.4:
            n = r.choice([4, 8])
            sel = '(%s) & %d' % (e, n - 1)
            labels = r.sample(range(n), r.randint(2, n))
        elif k < 0.7:
            n = r.choice([3, 5, 6, 10])
            sel = '(%s)(%s) %% %d' % (unsigned_of(t).name, e, n)
            labels = r.sample(range(n), r.randint(2, n))
        else:
            sel = e
            pool = [0, 1, 2, 3, 7, 8, 16, 0x7f, 0x80, 0xff, 0x100, 0xffff]
            if promote(t).signed:
                pool += [-1, -2, -128]
            labels = r.sample(pool, r.randint(2, 5))
        out.append('%sswitch (%s) {' % (ind, sel))
        for lab in sorted(labels):
            out.append('%scase %d: {' % (ind, lab))
            self.block(ctx, out, ind + '\t', r.randint(1, 3))
            out.append(ind + '}')
            if r.random() < 0.65:
                out.append(ind + '\tbreak;')
        if r.random() < 0.7:
            out.append('%sdefault: {' % ind)
            self.block(ctx, out, ind + '\t', r.randint(1, 2))
            out.append(ind + '}')
        out.append(ind + '}')

    def stmt_loop(self, ctx, out, ind):
        r = self.r
        trip = min(r.randint(1, MAX_LOOP_TRIP), r.randint(1, MAX_LOOP_TRIP))
        while trip > 1 and ctx.iter_product * trip > MAX_ITER_PRODUCT:
            trip //= 2
        i = self.fresh('i')
        lv = Var(i, 'scalar', r.choice([INT, U32, U8, LONG, U64]))
        lv.loopvar = True
        k = r.random()
        if k < 0.55:
            step = r.choice([1, 1, 1, 2, 3])
            if r.random() < 0.7:
                lv.maxval = trip * step - 1
                head = 'for (%s %s = 0; %s < %d; %s)' % (lv.ty.name, i, i, trip * step,
                                                        '%s++' % i if step == 1 else '%s += %d' % (i, step))
            else:
                lv.maxval = trip
                head = 'for (%s %s = %d; %s > 0; %s--)' % (lv.ty.name, i, trip, i, i)
            out.append('%s%s {' % (ind, head))
            pre, post = [], []
        elif k < 0.8:
            lv.loopvar = False
            lv.maxval = None
            out.append('%s%s %s = 0;' % (ind, lv.ty.name, i))
            out.append('%swhile (%s < %d) {' % (ind, i, trip))
            pre = ['%s\t%s++;' % (ind, i)]
        else:
            lv.loopvar = False
            out.append('%s%s %s = 0;' % (ind, lv.ty.name, i))
            out.append('%sdo {' % ind)
            pre = ['%s\t%s++;' % (ind, i)]
        out.extend(pre if k >= 0.55 else [])
        # the counter of a while/do loop is incremented first thing; the body only reads it
        lv.loopvar = True
        ctx.scopes.append([lv])
        ctx.loop_depth += 1
        ctx.iter_product *= trip
        was = ctx.in_loop
        ctx.in_loop = True
        self.block(ctx, out, ind + '\t')
        if r.random() < 0.35:
            out.append('%s\tif (%s) %s;' % (ind, self.cond(ctx), r.choice(['break', 'continue'])))
            self.block(ctx, out, ind + '\t', r.randint(1, 2))
        ctx.in_loop = was
        ctx.iter_product //= trip
        ctx.loop_depth -= 1
        ctx.scopes.pop()
        if k >= 0.8:
            out.append('%s} while (%s < %d);' % (ind, i, trip))
        else:
            out.append(ind + '}')

    def stmt_put(self, ctx, out, ind):
        if ctx.pure_only:
            return self.stmt_assign(ctx, out, ind)
        e, _ = self.full_expr(ctx)
        out.append('%sput(%d, %s);' % (ind, self.r.randrange(NSLOTS), e))

    def stmt_call(self, ctx, out, ind):
        r = self.r
        fs = [f for f in self.funcs if f is not ctx.func and (f.pure or not ctx.pure_only)]
        if not fs:
            return self.stmt_assign(ctx, out, ind)
        f = r.choice(fs)
        with self.pool(ctx):
            args = [self.expr(ctx, r.randint(0, 3))[0] for _ in f.params]
        call = '%s(%s)' % (f.name, ', '.join(args))
        ws = [v for v in ctx.vars() if v.kind == 'scalar' and v.writable and not v.is_global]
        if ws and r.random() < 0.7:
            v = r.choice(ws)
            if v.scratch and any(v.name in a for a in args):
                out.append('%s%s;' % (ind, call))
            else:
                out.append('%s%s = %s;' % (ind, v.name, call))
        else:
            t = self.pick_scalar()
            name = self.fresh('v')
            out.append('%s%s %s = %s;' % (ind, t.name, name, call))
            ctx.add(Var(name, 'scalar', t))

    def stmt_copy(self, ctx, out, ind):
        r = self.r
        vs = [v for v in ctx.vars() if v.kind in ('struct', 'array') and v.writable and not v.volatile
              and not (ctx.pure_only and v.is_global)]
        if not vs:
            return self.stmt_assign(ctx, out, ind)
        v = r.choice(vs)
        same = [w for w in ctx.vars() if w is not v and w.kind == v.kind and not w.volatile and w.sdef is v.sdef
                and (w.ty is v.ty or (w.ty and v.ty and w.ty.name == v.ty.name)) and w.dims == v.dims]
        if same:
            w = r.choice(same)
            if v.kind == 'struct' and r.random() < 0.6:
                out.append('%s%s = %s;' % (ind, v.name, w.name))
            else:
                out.append('%s__builtin_memcpy(&%s, &%s, sizeof(%s));' % (ind, v.name, w.name, v.name))
        elif self.on('memops'):
            out.append('%s__builtin_memset(&%s, %d, sizeof(%s));' % (ind, v.name, self.memset_byte(v.sdef), v.name))
        else:
            return self.stmt_assign(ctx, out, ind)

    def stmt_atomic(self, ctx, out, ind):
        """A __sync/__atomic read-modify-write of a 32/64-bit global or local object."""
        r = self.r
        cands = []
        for v in ctx.vars():
            if not v.writable or v.volatile or (ctx.pure_only and v.is_global):
                continue
            if v.kind == 'scalar' and v.ty.bits in (32, 64):
                cands.append((v, '&' + v.name, v.ty))
            elif v.kind == 'array' and len(v.dims) == 1 and v.ty.bits in (32, 64):
                cands.append((v, '&%s[%d]' % (v.name, r.randrange(v.dims[0])), v.ty))
            elif v.kind == 'struct' and not v.sdef.is_union:
                for f in v.sdef.fields:
                    if f.kind == 'scalar' and f.ty.bits in (32, 64):
                        cands.append((v, '&%s.%s' % (v.name, f.name), f.ty))
        if not cands:
            return self.stmt_assign(ctx, out, ind)
        v, addr, t = r.choice(cands)
        v.addr_taken = True
        with self.pool(ctx, avoid={v.name}):
            e = self.expr(ctx, r.randint(0, 3))[0]
        op = r.choice(['add', 'or', 'and', 'xor', 'sub'])
        k = r.random()
        if k < 0.3:
            call = '__sync_fetch_and_%s(%s, %s)' % (op, addr, e)
        elif k < 0.5:
            call = '__sync_%s_and_fetch(%s, %s)' % (op, addr, e)
        elif k < 0.7:
            # clang-22 turns a relaxed __atomic_fetch_* into a non-fetching `lock` insn even
            # when the old value is used (32-bit ops, 64-bit add): its result is then wrong.
            # Relaxed order only as a statement; otherwise seq_cst/acq_rel.
            order = r.choice(['__ATOMIC_SEQ_CST', '__ATOMIC_ACQ_REL', '__ATOMIC_RELAXED'])
            call = '__atomic_fetch_%s(%s, %s, %s)' % (op, addr, e, order)
        elif k < 0.85:
            call = '__sync_lock_test_and_set(%s, %s)' % (addr, e)
        else:
            call = '__sync_val_compare_and_swap(%s, %s, %s)' % (addr, self.literal(True)[0], e)
        ws = [w for w in ctx.vars() if w.kind == 'scalar' and w.writable and not w.is_global and w is not v]
        if ws and r.random() < 0.6 and '__ATOMIC_RELAXED' not in call:
            w = r.choice(ws)
            if w.name in e:
                out.append('%s%s;' % (ind, call))
            else:
                out.append('%s%s = %s;' % (ind, w.name, call))
        else:
            out.append('%s%s;' % (ind, call))

    def stmt_ptrwalk(self, ctx, out, ind):
        """Walks a local or global 1-D array through a pointer: q = &a[0] ... q[k], *(q + k), q++."""
        r = self.r
        arrs = [v for v in ctx.vars() if v.kind == 'array' and len(v.dims) == 1 and v.dims[0] >= 4
                and v.dims[0] * v.ty.size >= 16 and not v.volatile and not (ctx.pure_only and v.is_global)]
        if not arrs or ctx.loop_depth >= MAX_LOOP_NEST or ctx.iter_product * arrs[0].dims[0] > MAX_ITER_PRODUCT * 2:
            return self.stmt_assign(ctx, out, ind)
        a = r.choice(arrs)
        n = a.dims[0]
        a.addr_taken = True
        q = self.fresh('q')
        j = self.fresh('j')
        const = 'const ' if a.const else ''
        out.append('%s%s%s *%s = &%s[0];' % (ind, const, a.ty.name, q, a.name))
        acc = self.fresh('acc')
        out.append('%s__u64 %s = %s;' % (ind, acc, self.literal(True)[0]))
        step = r.choice([1, 1, 2]) if n % 2 == 0 else 1   # q never goes past one-past-the-end
        out.append('%sfor (int %s = 0; %s < %d; %s += %d) {' % (ind, j, j, n, j, step))
        lv = Var(j, 'scalar', INT)
        lv.loopvar = True
        lv.maxval = n - 1
        ctx.scopes.append([lv])
        with self.pool(ctx, 0):
            e = self.expr(ctx, r.randint(0, 2))[0]
        ctx.scopes.pop()
        k = r.random()
        if k < 0.4:
            out.append('%s\t%s = %s * 31 + %s[%s] + (%s);' % (ind, acc, acc, q, j, e))
        elif k < 0.7:
            out.append('%s\t%s ^= *(%s + %s) ^ (__u64)(%s);' % (ind, acc, q, j, e))
        else:
            out.append('%s\t%s += (__u64)*%s + (__u64)(%s);' % (ind, acc, q, e))
            out.append('%s\t%s += %d;' % (ind, q, step))
        if not a.const and r.random() < 0.5:
            out.append('%s\tif ((%s & %d) == %d) %s[%s] = (%s)%s;' % (ind, acc, 3, r.randrange(4), a.name, j,
                                                                     a.ty.name, acc))
        out.append(ind + '}')
        v = Var(acc, 'scalar', U64)
        ctx.add(v)

    def stmt_pktwrite(self, ctx, out, ind):
        r = self.r
        e, _ = self.full_expr(ctx, r.randint(1, 3))
        t = r.choice([U8, U8, U16, U32, U64])
        off = r.randrange(0, PKT_MIN - t.size + 1)
        if t is U8 or r.random() < 0.5:
            off -= off % t.size
            out.append('%s*(%s *)(data + %d) = (%s)(%s);' % (ind, t.name, off, t.name, e))
        else:
            tmp = self.fresh('w')
            out.append('%s{ %s %s = %s; __builtin_memcpy(data + %d, &%s, %d); }' % (ind, t.name, tmp, e, off, tmp, t.size))

    def stmt(self, ctx, out, ind):
        r = self.r
        self.budget -= 1
        choices = [('assign', 12), ('decl', 7)]
        if ctx.block_depth < MAX_BLOCK_DEPTH and self.budget > 0:
            # branches inside loops multiply the verifier's paths
            choices.append(('if', 2 if ctx.in_loop else 5))
            if self.on('switch'):
                choices.append(('switch', 2))
            if self.on('loops') and ctx.loop_depth < MAX_LOOP_NEST and ctx.iter_product < MAX_ITER_PRODUCT:
                choices.append(('loop', 3))
        if not ctx.pure_only:
            choices.append(('put', 3))
        if self.funcs and self.on('calls'):
            choices.append(('call', 3))
        if self.on('memops') or self.on('unions'):
            choices.append(('copy', 1))
        if ctx.is_main and self.on('pktwrite'):
            choices.append(('pktwrite', 1))
        if self.on('atomics'):
            choices.append(('atomic', 1))
        if self.on('ptrwalk') and self.budget > 0:
            choices.append(('ptrwalk', 1))
        if ctx.in_loop:
            choices.append(('brk', 1))
        if ctx.is_main and self.on('earlyret') and ctx.block_depth > 0:
            choices.append(('ret', 0.3))
        total = sum(w for _, w in choices)
        x = r.uniform(0, total)
        for kind, w in choices:
            x -= w
            if x <= 0:
                break
        if kind == 'brk':
            out.append('%sif (%s) %s;' % (ind, self.cond(ctx), r.choice(['break', 'continue'])))
        elif kind == 'ret':
            out.append('%sif (%s) {' % (ind, self.cond(ctx)))
            out.append('%s\tput(%d, %s);' % (ind, r.randrange(NSLOTS), self.full_expr(ctx)[0]))
            out.append('%s\treturn %s;' % (ind, self.ret_expr(ctx)))
            out.append(ind + '}')
        else:
            getattr(self, 'stmt_' + kind)(ctx, out, ind)

    def ret_expr(self, ctx):
        r = self.r
        e, _ = self.full_expr(ctx, r.randint(1, 3), nscratch=0)
        k = r.random()
        if k < 0.4:
            return '(int)((%s) & 3)' % e
        if k < 0.7:
            return '(int)(%s)' % e
        return 'XDP_PASS'

    # ------------------------------------------------------------ top level
    def gen_global(self):
        r = self.r
        name = self.fresh('g')
        static = r.random() < 0.6
        k = r.random()
        const = r.random() < 0.2
        vol = self.on('volatile') and r.random() < 0.15
        quals = ('static ' if static else '') + ('const ' if const else '') + ('volatile ' if vol else '')
        if const and not vol and r.random() < 0.3:
            quals = 'const volatile '
            vol = True
        if k < 0.55:
            t = self.pick_scalar(self.on('boolmem'))
            init = '' if (r.random() < 0.3 and not const) else ' = %s' % self.literal()[0]
            decl = '%s%s %s%s;' % (quals, t.name, name, init)
            v = Var(name, 'scalar', t, is_global=True, const=const, volatile=vol)
        elif k < 0.85:
            t = self.pick_scalar(False)
            dims = [r.choice([2, 4, 8, 16])]
            if self.on('arrays2d') and r.random() < 0.3:
                dims = [r.choice([2, 3, 4]), r.choice([2, 4, 8])]
            n = 1
            for d in dims:
                n *= d
            if const or r.random() < 0.6:
                vals = [self.literal(want_small=r.random() < 0.5)[0] for _ in range(n if const else r.randint(1, n))]
                if len(dims) == 2:
                    rows = [vals[i * dims[1]:(i + 1) * dims[1]] for i in range(dims[0])]
                    init = ' = {%s}' % ', '.join('{%s}' % ', '.join(x) for x in rows if x)
                else:
                    init = ' = {%s}' % ', '.join(vals)
            else:
                init = ''
            decl = '%s%s %s%s%s;' % (quals, t.name, name, ''.join('[%d]' % d for d in dims), init)
            v = Var(name, 'array', t, dims=dims, is_global=True, const=const, volatile=vol)
        else:
            if vol:
                quals = quals.replace('volatile ', '')
                vol = False
            sd = r.choice(self.structs)
            init = ' = %s' % self.struct_init(sd, None, True) if (const or r.random() < 0.6) else ''
            decl = '%s%s %s%s;' % (quals, sd.tyname, name, init)
            v = Var(name, 'struct', sdef=sd, is_global=True, const=const)
        self.globals.append(v)
        return decl

    def gen_func(self):
        r = self.r
        name = self.fresh('fn')
        inline = r.random() < 0.55 or not self.on('noinline')
        static = True
        if not inline and self.on('globalfunc') and r.random() < 0.4:
            static = False
        pure = r.random() < 0.6 or not static
        nparams = r.randint(*FUNC_ARGS)
        params = []
        for i in range(nparams):
            t = self.pick_scalar()
            params.append(Var('a%d' % i, 'scalar', t))
        ret = self.pick_scalar()
        if not static:
            ret = r.choice([INT, U32, S64, U64])
        f = Func(name, params, ret, inline, pure, static)
        ctx = Ctx(self, f, FUNC_AGG_BYTES)
        ctx.pure_only = pure
        ctx.iter_product = 4          # it may be called inside a loop
        for p in params:
            ctx.add(p)
        body = []
        for _ in range(r.randint(*FUNC_STMTS)):
            self.stmt(ctx, body, '\t')
        if r.random() < 0.3:
            c = self.cond(ctx)
            body.append('\tif (%s)' % c)
            body.append('\t\treturn %s;' % self.full_expr(ctx, r.randint(0, 3))[0])
        ret_e = self.full_expr(ctx, r.randint(1, 4))[0]
        if not static and params:
            # clang passes nothing in the register of an argument whose value a global
            # function does not use (the verifier then refuses the call: "R3 is not a
            # scalar"): fold every argument's incoming value into the result
            body.insert(0, '\t__u64 argsum = %s;' % ' ^ '.join('((__u64)%s << %d)' % (p.name, 8 * i)
                                                           for i, p in enumerate(params)))
            ret_e = '(__u64)(%s) ^ argsum' % ret_e
        body.append('\treturn %s;' % ret_e)
        if inline:
            attr = 'static __always_inline '
        elif static:
            attr = 'static __attribute__((noinline)) '
        else:
            attr = '__attribute__((noinline)) '
        sig = '%s%s %s(%s)' % (attr, ret.name, name,
                               ', '.join('%s %s' % (p.ty.name, p.name) for p in params) or 'void')
        self.funcs.append(f)
        return [sig, '{'] + body + ['}', '']

    def gen_main(self):
        r = self.r
        f = Func('fuzz_main', [], INT, False, False, True)
        ctx = Ctx(self, f, MAIN_AGG_BYTES)
        ctx.pure_only = False
        ctx.is_main = True
        body = ['\tvoid *data = (void *)(long)ctx->data;',
                '\tvoid *data_end = (void *)(long)ctx->data_end;',
                '\tif (data + %d > data_end)' % PKT_MIN,
                '\t\treturn XDP_PASS;']
        for i in range(r.randint(*INPUTS)):
            t = r.choice([U8, U8, U16, U32, U64, S8, S16, S32, S64])
            name = 'in%d' % i
            k = r.random()
            if t.size == 1 or k < 0.4:
                off = r.randrange(0, PKT_MIN - t.size + 1)
                off -= off % t.size
                body.append('\t%s %s = *(%s *)(data + %d);' % (t.name, name, t.name, off))
            elif k < 0.8:
                off = r.randrange(0, PKT_MIN - t.size + 1)
                body.append('\t%s %s;' % (t.name, name))
                body.append('\t__builtin_memcpy(&%s, data + %d, sizeof(%s));' % (name, off, name))
            else:
                off = r.randrange(0, PKT_MIN - t.size + 1)
                parts = ['((%s)*(__u8 *)(data + %d) << %d)' % ('__u64', off + j, 8 * j) for j in range(t.size)]
                body.append('\t%s %s = (%s)(%s);' % (t.name, name, t.name, ' | '.join(parts)))
            ctx.add(Var(name, 'scalar', t))
        if self.on('extradata') and r.random() < 0.5:
            ln = r.choice([72, 80, 96, 100, 128])
            off = r.randrange(PKT_MIN, ln)
            body.append('\t__u8 inx = 0;')
            body.append('\tif (data + %d <= data_end)' % ln)
            body.append('\t\tinx = *(__u8 *)(data + %d) + 1;' % off)
            ctx.add(Var('inx', 'scalar', U8))
        n = r.randint(*MAIN_STMTS)
        for i in range(n):
            if self.budget <= 0 and i >= MAIN_STMTS[0]:
                break
            self.stmt(ctx, body, '\t')
        # fold everything into the results map
        slot = 0
        folds = []
        for v in list(ctx.scopes[0]) + self.globals:
            if v.kind == 'scalar':
                folds.append(v.name)
            elif v.kind == 'array':
                idx = ''.join('[%d]' % r.randrange(d) for d in v.dims)
                folds.append(v.name + idx)
                if len(v.dims) == 1 and v.dims[0] <= 16 and v.dims[0] * v.ty.size >= 16 and r.random() < 0.5:
                    i = self.fresh('i')
                    body.append('\tfor (int %s = 0; %s < %d; %s++)' % (i, i, v.dims[0], i))
                    body.append('\t\tput(%d, %s[%s]);' % (r.randrange(NSLOTS), v.name, i))
            elif v.kind == 'struct':
                for fl in v.sdef.fields:
                    if fl.kind in ('scalar', 'bitfield'):
                        folds.append('%s.%s' % (v.name, fl.name))
                    elif fl.kind == 'array':
                        folds.append('%s.%s[%d]' % (v.name, fl.name, r.randrange(fl.n)))
                    if v.sdef.is_union and len(folds) > 2 and r.random() < 0.5:
                        break
        for e in folds:
            body.append('\tput(%d, %s);' % (slot % NSLOTS, e))
            slot += 1
        body.append('\treturn %s;' % self.ret_expr(ctx))
        return ['SEC("xdp")', 'int fuzz_main(struct xdp_md *ctx)', '{'] + body + ['}', '']

    def program(self):
        r = self.r
        forced = ' '.join('%s=%s' % (e, os.environ[e]) for e in ('FUZZ_OFF', 'FUZZ_ON') if os.environ.get(e))
        out = ['/* generated by %sscripts/fuzz/gen.py %d; features: %s */' %
               (forced + ' ' if forced else '', self.seed, ' '.join(k for k, v in sorted(self.feat.items()) if v)),
               '#include <linux/bpf.h>', '#include <bpf/bpf_helpers.h>', '',
               'struct {', '\t__uint(type, BPF_MAP_TYPE_ARRAY);', '\t__uint(max_entries, %d);' % NSLOTS,
               '\t__type(key, __u32);', '\t__type(value, __u64);', '} results SEC(".maps");', '',
               'static __always_inline void put(__u32 slot, __u64 v)', '{',
               '\t__u64 *p = bpf_map_lookup_elem(&results, &slot);', '\tif (p)', '\t\t*p = *p * 31 + v;', '}', '']
        for _ in range(r.randint(*STRUCTS)):
            sd = self.gen_struct()
            out += self.struct_decl(sd)
        if self.on('unions'):
            out += self.struct_decl(self.gen_union())
        for _ in range(r.randint(*GLOBALS)):
            out.append(self.gen_global())
        out.append('')
        for _ in range(r.randint(*FUNCS)):
            out += self.gen_func()
        out += self.gen_main()
        out.append('char LICENSE[] SEC("license") = "GPL";')
        return '\n'.join(out) + '\n'

    def struct_decl(self, sd):
        lines = ['%s {' % sd.tyname]
        for f in sd.fields:
            if f.kind == 'scalar':
                lines.append('\t%s %s;' % (f.ty.name, f.name))
            elif f.kind == 'bitfield':
                lines.append('\t%s %s : %d;' % (f.ty.name, f.name, f.width))
            elif f.kind == 'array':
                lines.append('\t%s %s[%d];' % (f.ty.name, f.name, f.n))
            else:
                lines.append('\t%s %s;' % (f.sdef.tyname, f.name))
        return lines + ['};', '']


HOST_SHIM = r'''/* Host build of a gen.py program (scripts/fuzz): BPF macros and helpers as plain C. */
#ifndef FUZZ_HOST_SHIM_H
#define FUZZ_HOST_SHIM_H
#include <linux/types.h>
#define SEC(name)
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define __noinline __attribute__((noinline))
__u64 host_results[64];
static void *bpf_map_lookup_elem(void *map, const void *key)
{
	__u32 k = *(const __u32 *)key;
	(void)map;
	return k < 64 ? &host_results[k] : (void *)0;
}
#endif
'''


def main():
    if len(sys.argv) == 2 and sys.argv[1] == '--host-shim':
        sys.stdout.write(HOST_SHIM)
        return
    if len(sys.argv) != 2:
        sys.exit('usage: gen.py SEED > prog.c   |   gen.py --host-shim > bpf/bpf_helpers.h')
    sys.stdout.write(Gen(int(sys.argv[1])).program())


if __name__ == '__main__':
    main()
