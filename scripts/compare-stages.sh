#!/usr/bin/env bash
# Compares the stage times of two or more swift-bpfcc binaries on the testsuite's
# programs, warm (parse cache entries built first), fairly:
#
#   scripts/compare-stages.sh OLD_BINARY NEW_BINARY [MORE...]   (needs python3, bpftool)
#   ROUNDS=5 scripts/compare-stages.sh ...                      (default 3)
#
# Two effects this machine showed, each as large as the changes being measured:
# - in a round of compiles, whichever binary runs first is slower (8-10 % in the own
#   stages): the rounds alternate the order (A B, then B A);
# - a binary file that has sat in the page cache for a while runs slower than a fresh
#   copy of the same bytes (8 % again): every binary is copied afresh before the runs.
# For each program, each binary's median over the rounds is taken; the totals are printed
# by stage (SWIFT_BPFCC_TIME_STAGES), with the own stages' share of the wall time.
set -u
[ $# -ge 2 ] || { echo "usage: compare-stages.sh BINARY BINARY [BINARY...]" >&2; exit 2; }
command -v python3 >/dev/null || { echo "compare-stages: python3 not found" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/swift-bpfcc-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT
bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$work/vmlinux.h" || exit 2
bins=()
for b in "$@"; do
    [ -x "$b" ] || { echo "compare-stages: not an executable: $b" >&2; exit 2; }
    mkdir -p "$work/bin${#bins[@]}"
    cp "$b" "$work/bin${#bins[@]}/swift-bpfcc"
    bins+=("$work/bin${#bins[@]}/swift-bpfcc")
done
ROOT=$root WORK=$work ROUNDS=${ROUNDS:-3} python3 - "$@" -- "${bins[@]}" <<'PY'
import glob, os, re, statistics, subprocess, sys, time
args = sys.argv[1:]
names, copies = args[:args.index('--')], args[args.index('--') + 1:]
root, work, rounds = os.environ['ROOT'], os.environ['WORK'], int(os.environ['ROUNDS'])
env = dict(os.environ, SWIFT_BPFCC_CACHE_DIR=work + '/cache', SWIFT_BPFCC_TIME_STAGES='1')
programs = sorted(p for p in glob.glob(root + '/testsuite/programs/*/*.c') + glob.glob(root + '/testsuite/core/*.c')
                  if '/errors/' not in p and '/stress/' not in p)     # as bpfcc-bench's default corpus
def argv(binary, program):
    flags = []
    for line in open(program):
        if line.startswith('// @cflags'): flags += line[len('// @cflags'):].split()
    return [binary, '-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-I', 'testsuite/include', '-I', work,
            '-I', '/usr/include/x86_64-linux-gnu'] + flags + ['-c', program, '-o', work + '/out.o']
# The parse cache entries first (all binaries share them: they are libclang's).
for p in programs:
    subprocess.run([copies[0], '--build-parse-cache'] + argv(copies[0], p)[1:], cwd=root, env=env, capture_output=True)
env['SWIFT_BPFCC_NO_CACHE_BUILD'] = '1'
keys = ['wall', 'libclang', 'conversion', 'lowering', 'optimizer', 'codegen', 'btf+elf']
totals = [dict.fromkeys(keys, 0.0) for _ in copies]
for p in programs:
    samples = [[] for _ in copies]
    for r in range(rounds):
        order = list(range(len(copies)))
        if r % 2: order.reverse()
        for i in order:
            t0 = time.perf_counter()
            out = subprocess.run(argv(copies[i], p), cwd=root, env=env, capture_output=True, text=True)
            d = {'wall': (time.perf_counter() - t0) * 1000}
            for line in out.stderr.splitlines():
                ms = [float(x) for x in re.findall(r'[0-9.]+(?= ms)', line)]
                if 'time: libclang' in line: d['libclang'] = ms[0]
                elif 'time: parse' in line: parse, back = ms[0], ms[1]
                elif 'time: lowering' in line: d['lowering'], d['optimizer'], d['codegen'] = ms
            if len(d) < 5: break          # did not compile
            d['conversion'] = parse - d['libclang']
            d['btf+elf'] = back - d['lowering'] - d['optimizer'] - d['codegen']
            samples[i].append(d)
    if any(len(s) < rounds for s in samples): continue
    for i, s in enumerate(samples):
        for k in keys: totals[i][k] += statistics.median(x[k] for x in s)
print('%-40s' % 'binary (ms, sums of per-program medians)' + ''.join('%11s' % k for k in keys) + '%9s%8s' % ('own', 'share'))
for name, t in zip(names, totals):
    own = sum(t[k] for k in keys[2:])
    print('%-40s' % name[-40:] + ''.join('%11.0f' % t[k] for k in keys) + '%9.0f%7.1f%%' % (own, 100 * own / t['wall']))
PY
