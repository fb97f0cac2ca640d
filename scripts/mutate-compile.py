#!/usr/bin/env python3
"""Compiles testsuite programs changed at random and keeps every input the compiler
mishandles: a crash (a signal, or an exit status other than 0 and 1), a compile that
does not end within the timeout, a failure without a clang-style `error:` line, or a
failure that leaves an output file behind.

    scripts/mutate-compile.py [--binary PATH] [--seconds N] [--seed N] [--out DIR]

Each input is a testsuite program with one to three random changes: a line dropped,
duplicated or swapped with another; a number replaced by an extreme one (0, -1, 2^31-1,
2^63-1, ...); an operator, a type or an identifier replaced by another; a token dropped
or a stray one inserted; a loop given an unroll pragma. Kept inputs go to DIR with the
compiler's last lines of output. Run two at once (different seeds) to use two CPUs.
A timeout can be libclang's own: compare with clang-22 (an array initializer designating
element 0x7fffffff takes clang-22 minutes and all memory, and libclang the same).
"""
import argparse, glob, os, random, re, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser()
parser.add_argument('--binary', default=root + '/.build/release/swift-bpfcc')
parser.add_argument('--seconds', type=float, default=600)
parser.add_argument('--seed', type=int, default=1)
parser.add_argument('--out', default='/tmp/swift-bpfcc-mutations')
args = parser.parse_args()
random.seed(args.seed)
os.makedirs(args.out, exist_ok=True)

programs = [p for p in glob.glob(root + '/testsuite/programs/*/*.c') + glob.glob(root + '/testsuite/core/*.c')
            if '/errors/' not in p]
operators = ['+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '<', '>', '<=', '>=', '==', '!=', '&&', '||']
numbers = ['0', '1', '-1', '255', '65536', '4294967295', '0x7fffffff', '64', '63', '512', '100000',
           '9223372036854775807']
types = ['__u8', '__u64', '__s8', 'long', 'char', '_Bool', 'void *', 'struct xdp_md']
inserts = [';', '{', '}', '(', ')', '*', '&', '[0]', ' volatile ', ' static ']
pragmas = ['#pragma unroll', '#pragma clang loop unroll(full)', '#pragma unroll 1000000']


def replace_one(line, pattern, choices):
    """`line` with one match of `pattern`, picked at random, replaced by one of `choices`."""
    found = list(re.finditer(pattern, line))
    if not found:
        return line
    m = random.choice(found)
    return line[:m.start()] + random.choice(choices) + line[m.end():]


def mutate(src):
    lines = src.split('\n')
    for _ in range(random.randint(1, 3)):
        k = random.randrange(len(lines))
        line = lines[k]
        r = random.random()
        if r < 0.15:
            lines[k] = ''
        elif r < 0.3:
            lines.insert(k, random.choice(lines))
        elif r < 0.5:
            lines[k] = replace_one(line, r'\b\d+\b', numbers)
        elif r < 0.7:
            lines[k] = replace_one(line, r'(<<|>>|<=|>=|==|!=|&&|\|\||[+\-*/%&|^<>])', operators)
        elif r < 0.8:
            i = random.randrange(len(line) + 1)
            lines[k] = line[:i] + random.choice(inserts) + line[i:]
        elif r < 0.9:
            lines[k] = replace_one(line, r'\b(int|__u8|__u16|__u32|__u64|char|long|short|unsigned|__s32|__s64)\b', types)
        elif r < 0.93:
            j = random.randrange(len(lines))
            lines[k], lines[j] = lines[j], lines[k]
        elif r < 0.96:
            names = re.findall(r'\b[a-z_][a-z0-9_]*\b', src)
            if names:
                lines[k] = replace_one(line, r'\b[a-z_][a-z0-9_]*\b', names)
        elif r < 0.98:
            if 'for (' in line or 'while (' in line:
                lines.insert(k, random.choice(pragmas))
        else:
            lines[k] = replace_one(line, r'\S+', [''])
    return '\n'.join(lines)


work = os.path.join(args.out, 'work-%d' % args.seed)
os.makedirs(work, exist_ok=True)
runs = kept = 0
end = time.time() + args.seconds
while time.time() < end:
    original = random.choice(programs)
    source = mutate(open(original).read())
    path = os.path.join(work, os.path.basename(original))
    with open(path, 'w') as f:
        f.write(source)
    flags = [w for line in source.split('\n') if line.startswith('// @cflags') for w in line[len('// @cflags'):].split()]
    output = os.path.join(work, 'out.o')
    if os.path.exists(output):
        os.remove(output)
    command = [args.binary, '-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-I', root + '/testsuite/include',
               '-I', '/usr/include/x86_64-linux-gnu'] + flags + ['-c', path, '-o', output]
    problem = None
    try:
        r = subprocess.run(command, capture_output=True, text=True, timeout=20, cwd=os.path.dirname(original),
                           env=dict(os.environ, SWIFT_BPFCC_CACHE_DIR=os.path.join(args.out, 'cache')))
        if r.returncode not in (0, 1):
            problem = 'exit status %d' % r.returncode
        elif r.returncode == 1 and 'error:' not in r.stderr:
            problem = 'failed without an error line'
        elif r.returncode == 1 and os.path.exists(output):
            problem = 'failed and left an output file'
        tail = r.stderr[-2000:]
    except subprocess.TimeoutExpired:
        problem, tail = 'no result within 20 s', ''
    runs += 1
    if problem:
        kept += 1
        name = os.path.join(args.out, 'seed%d-%d.c' % (args.seed, kept))
        with open(name, 'w') as f:
            f.write('// from %s: %s\n' % (os.path.relpath(original, root), problem) + source)
        with open(name + '.log', 'w') as f:
            f.write(tail)
        print('%s: %s (from %s)' % (name, problem, os.path.relpath(original, root)), flush=True)
print('%d compiles, %d kept in %s' % (runs, kept, args.out))
sys.exit(1 if kept else 0)
