#!/usr/bin/env python3
"""Differential runner: programs from gen.py, compiled by swift-bpfcc and clang-22,
loaded and test-run in this kernel with the same packets, results compared.

    python3 run.py START COUNT [--jobs N] [--host] [--keep-ok]

For each seed in START..START+COUNT-1: generate the program, compile it with both
compilers (`-O2 -g -target bpf -mcpu=v3`), run both objects with bpfrun on the same
2-3 packets (64-128 bytes, derived from the seed), compare return values, output
packets and the `results` map. One line per seed, a summary at the end; every seed is
appended to WORK/results.tsv. Classes:

  ok                 both load, same results (flag VBIG: ours verified > 2x clang's and > 5000)
  DIFF               both load, results differ (miscompile candidate); the detail says
                     whether the host build agrees with clang (host=clang), with neither,
                     or could not be run
  CLANG_DIFF         results differ and the host build agrees with ours: clang-22's BPF
                     code is the odd one out (e.g. relaxed __atomic_fetch_* results)
  UB                 results differ but the host build under -fsanitize=undefined,memory
                     reports UB or an uninitialized read: a generator bug, not ours
  OURS_LOAD_FAIL     clang's object loads, ours is refused (detail TOO_LARGE when it is the
                     verifier's 1M-instruction limit)
  OURS_COMPILE_FAIL  ours exits non-zero (clang compiled)
  OURS_CRASH         ours is killed by a signal
  OURS_HANG          ours does not finish within 120 s
  CLANG_FAIL         clang-22 fails to compile or its object does not load/run (counted only)
  GEN_FAIL           gen.py itself failed

Kept in WORK/cases/SEED/ (not for ok/CLANG_FAIL): prog.c, inputs.txt, both objects,
both bpfrun JSON outputs, compiler stderr, and for a load failure ours.log.tail (the
last 30 lines of our verifier log). With --host every seed is also built for the host
with -fsanitize=undefined,memory (UB check and third opinion; DIFF seeds always are).

Environment: OURS (default .build/release/swift-bpfcc), CLANG (clang-22), WORK (default
/tmp/swift-bpfcc-fuzz), BPFRUN (default WORK/bpfrun, built from testsuite/runner/bpfrun.c).
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OURS = os.environ.get('OURS', os.path.join(ROOT, '.build', 'release', 'swift-bpfcc'))
CLANG = os.environ.get('CLANG', 'clang-22')
WORK = os.environ.get('WORK', '/tmp/swift-bpfcc-fuzz')
BPFRUN = os.environ.get('BPFRUN', os.path.join(WORK, 'bpfrun'))
CFLAGS = ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', '-I/usr/include/x86_64-linux-gnu']
COMPILE_TIMEOUT = 120
RUN_TIMEOUT = 60
VBIG_RATIO, VBIG_MIN = 2.0, 5000
CLASSES = ['ok', 'DIFF', 'CLANG_DIFF', 'UB', 'OURS_LOAD_FAIL', 'OURS_COMPILE_FAIL', 'OURS_CRASH', 'OURS_HANG',
           'CLANG_FAIL', 'GEN_FAIL']

HOST_MAIN = r'''/* host driver for a gen.py program (scripts/fuzz/run.py) */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/bpf.h>
extern __u64 host_results[64];
int fuzz_main(struct xdp_md *ctx);
int main(int argc, char **argv)
{
	unsigned char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (page == MAP_FAILED) { perror("mmap"); return 2; }
	unsigned char *buf = page + 256;
	printf("{\"runs\":[");
	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]) / 2;
		for (size_t j = 0; j < n; j++) { unsigned v; sscanf(argv[i] + 2 * j, "%2x", &v); buf[j] = v; }
		struct xdp_md ctx;
		memset(&ctx, 0, sizeof(ctx));
		ctx.data = (__u32)(unsigned long)buf;
		ctx.data_end = (__u32)(unsigned long)(buf + n);
		unsigned rv = (unsigned)fuzz_main(&ctx);
		printf("%s{\"retval\":%u,\"data\":\"", i > 1 ? "," : "", rv);
		for (size_t j = 0; j < n; j++) printf("%02x", buf[j]);
		printf("\"}");
	}
	printf("],\"results\":[");
	for (int i = 0; i < 16; i++) printf("%s%llu", i ? "," : "", (unsigned long long)host_results[i]);
	printf("]}\n");
	return 0;
}
'''

_lock = threading.Lock()


def ensure_tools():
    os.makedirs(WORK, exist_ok=True)
    if not os.path.exists(BPFRUN):
        src = os.path.join(ROOT, 'testsuite', 'runner', 'bpfrun.c')
        subprocess.run(['gcc', '-O2', '-o', BPFRUN, src, '-lbpf', '-lelf', '-lz'], check=True)
    shim = os.path.join(WORK, 'hostshim', 'bpf')
    if not os.path.exists(os.path.join(shim, 'bpf_helpers.h')):
        os.makedirs(shim, exist_ok=True)
        out = subprocess.run([sys.executable, os.path.join(HERE, 'gen.py'), '--host-shim'],
                             capture_output=True, text=True, check=True).stdout
        with open(os.path.join(shim, 'bpf_helpers.h'), 'w') as f:
            f.write(out)
        with open(os.path.join(WORK, 'hostshim', 'host_main.c'), 'w') as f:
            f.write(HOST_MAIN)
    if not os.path.exists(OURS):
        sys.exit('run.py: no compiler at %s (set OURS)' % OURS)


def inputs_for(seed):
    """2-3 packets of 64..128 bytes, deterministic from the seed."""
    r = random.Random(seed * 7919 + 17)
    out = []
    for k in range(r.choice([2, 3, 3])):
        n = r.randint(64, 128)
        b = bytearray(r.getrandbits(8) for _ in range(n))
        style = r.random()
        for _ in range(r.randint(0, 6) if style < 0.7 else 0):
            pos = r.randrange(n)
            ln = r.randint(1, 8)
            fill = r.choice([0x00, 0xff, 0x80, 0x7f, 0x01])
            for j in range(pos, min(n, pos + ln)):
                b[j] = fill
        if k == 1 and style > 0.85:
            b = bytearray(r.choice([0x00, 0xff]) for _ in range(n))
        out.append(b.hex())
    return out


def run_cmd(cmd, timeout, cwd=None):
    """(returncode | 'timeout', stdout, stderr)"""
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, cwd=cwd)
        return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired as e:
        return 'timeout', (e.stdout or b'').decode('utf-8', 'replace'), (e.stderr or b'').decode('utf-8', 'replace')


def compile_with(compiler, src, obj):
    return run_cmd([compiler] + CFLAGS + ['-c', src, '-o', obj], COMPILE_TIMEOUT)


def bpfrun(obj, inputs):
    cmd = [BPFRUN, obj, '--timeout', str(RUN_TIMEOUT)]
    for x in inputs:
        cmd += ['--input', x]
    rc, out, err = run_cmd(cmd, RUN_TIMEOUT + 30)
    try:
        return json.loads(out)
    except ValueError:
        return {'load': 'error', 'error': 'bpfrun rc=%s, unparsable output' % rc, 'log': err[-4000:] + out[-4000:]}


def results_map(j):
    m = (j.get('maps') or {}).get('results')
    if m is None:
        return None
    return [int.from_bytes(bytes.fromhex(v), 'little') for _, v in m]


def outcome(j):
    """What is compared: per run (retval, output packet), then the results map."""
    runs = []
    for r in j.get('runs', []):
        if 'error' in r:
            runs.append(('error', r['error']))
        else:
            runs.append((r.get('retval'), r.get('data')))
    return runs, results_map(j)


def too_large(log):
    return ('BPF program is too large' in log or 'processed 1000001' in log
            or 'program is too large' in log)


def host_check(src, d, inputs):
    """Builds src for the host under UBSan+MSan and runs it: (status, outcome|message).
    status: 'ok', 'UB', 'error' (could not build or run for another reason)."""
    shim = os.path.join(WORK, 'hostshim')
    exe = os.path.join(d, 'host.exe')
    # static checks for what the sanitizers cannot see (unsequenced modifications)
    rc, out, err = run_cmd([CLANG, '-fsyntax-only', '-Wno-everything', '-Werror=unsequenced',
                            '-Werror=uninitialized', '-Werror=sometimes-uninitialized', '-Werror=return-type',
                            '-I', shim, '-I/usr/include/x86_64-linux-gnu', src], COMPILE_TIMEOUT)
    if rc != 0:
        if 'error: ' in err and '-Werror' in err:
            return 'UB', first_error(err)
        return 'error', 'host syntax check failed: ' + err[-2000:]
    rc, out, err = run_cmd([CLANG, '-O1', '-g', '-w', '-fsanitize=undefined,memory',
                            '-fno-sanitize-recover=all', '-fno-omit-frame-pointer',
                            '-I', shim, '-I/usr/include/x86_64-linux-gnu', src,
                            os.path.join(shim, 'host_main.c'), '-o', exe], COMPILE_TIMEOUT)
    if rc != 0:
        return 'error', 'host compile failed: ' + err[-2000:]
    rc, out, err = run_cmd([exe] + inputs, 60)
    if rc != 0:
        if 'runtime error' in err or 'MemorySanitizer' in err or 'UndefinedBehaviorSanitizer' in err:
            lines = [l for l in err.splitlines() if 'runtime error' in l or 'WARNING' in l or 'SUMMARY' in l]
            return 'UB', '\n'.join(lines[:5]) or err[-2000:]
        return 'error', 'host run rc=%s: %s' % (rc, err[-2000:])
    try:
        j = json.loads(out)
    except ValueError:
        return 'error', 'host output unparsable'
    return 'ok', ([(r['retval'], r['data']) for r in j['runs']], j['results'])


def judge(src, d, inputs, host=False):
    """Classifies program src (a file) using scratch directory d. Returns
    (class, detail, info) where info holds counts and the raw results."""
    os.makedirs(os.path.join(d, 'clang'), exist_ok=True)
    os.makedirs(os.path.join(d, 'ours'), exist_ok=True)
    info = {}
    cobj = os.path.join(d, 'clang', 'prog.o')   # same stem: libbpf names internal maps alike
    oobj = os.path.join(d, 'ours', 'prog.o')
    for o in (cobj, oobj):
        if os.path.exists(o):
            os.unlink(o)
    rc, _, cerr = compile_with(CLANG, src, cobj)
    info['clang_stderr'] = cerr
    if rc != 0:
        return 'CLANG_FAIL', 'compile: ' + (cerr.strip().splitlines() or ['?'])[-1][:200], info
    t0 = time.time()
    rc, _, oerr = compile_with(OURS, src, oobj)
    info['ours_time'] = time.time() - t0
    info['ours_stderr'] = oerr
    if rc == 'timeout':
        return 'OURS_HANG', 'no result within %d s' % COMPILE_TIMEOUT, info
    if rc < 0:
        return 'OURS_CRASH', 'signal %d: %s' % (-rc, last_line(oerr)), info
    if rc != 0 or not os.path.exists(oobj):
        return 'OURS_COMPILE_FAIL', 'rc %d: %s' % (rc, first_error(oerr)), info
    cj = bpfrun(cobj, inputs)
    info['clang_json'] = cj
    if cj.get('load') != 'ok':
        why = 'TOO_LARGE' if too_large(cj.get('log', '')) else cj.get('error', '?')
        return 'CLANG_FAIL', 'load: ' + why, info
    oj = bpfrun(oobj, inputs)
    info['ours_json'] = oj
    cp = (cj.get('programs') or [{}])[0]
    op = (oj.get('programs') or [{}])[0]
    info['insns'] = (cp.get('insns'), op.get('insns'))
    info['verified'] = (cp.get('verified_insns'), op.get('verified_insns'))
    if oj.get('load') != 'ok':
        log = oj.get('log', '')
        info['ours_log_tail'] = '\n'.join(log.splitlines()[-30:])
        if too_large(log):
            return 'OURS_LOAD_FAIL', 'TOO_LARGE (clang verified %s)' % cp.get('verified_insns'), info
        return 'OURS_LOAD_FAIL', verifier_reason(log), info
    cres, ores = outcome(cj), outcome(oj)
    if any(r[0] == 'error' for r in cres[0]):
        return 'CLANG_FAIL', 'run: ' + str([r for r in cres[0] if r[0] == 'error'][0][1]), info
    if cres == ores and not host:
        return 'ok', '', info
    if cres != ores:
        detail = describe_diff(cres, ores)
    hs, hres = host_check(src, d, inputs)
    info['host'] = (hs, hres)
    if hs == 'UB':
        return 'UB', hres.replace('\n', ' | ')[:300], info
    if cres == ores:
        if hs == 'ok' and hres != (cres[0], cres[1]):
            info['host_disagrees'] = True
        return 'ok', '', info
    if hs == 'ok':
        side = 'host=clang' if hres == (cres[0], cres[1]) else (
            'host=ours' if hres == (ores[0], ores[1]) else 'host=neither')
        detail += ' [%s]' % side
        if side == 'host=ours':
            return 'CLANG_DIFF', detail, info
    else:
        detail += ' [host: %s]' % hs
    return 'DIFF', detail, info


def describe_diff(c, o):
    cr, cm = c
    orr, om = o
    parts = []
    for i, (a, b) in enumerate(zip(cr, orr)):
        if a[0] != b[0]:
            parts.append('run%d retval clang=%s ours=%s' % (i, a[0], b[0]))
        elif a[1] != b[1]:
            k = next((j for j in range(min(len(a[1] or ''), len(b[1] or ''))) if a[1][j] != b[1][j]), 0)
            parts.append('run%d packet byte %d' % (i, k // 2))
    if cm != om:
        if cm is None or om is None:
            parts.append('results map missing')
        else:
            slots = [i for i in range(min(len(cm), len(om))) if cm[i] != om[i]]
            parts.append('results slots %s' % ','.join(map(str, slots)))
    return '; '.join(parts) or 'differs'


def last_line(s):
    lines = [l for l in s.strip().splitlines() if l.strip()]
    return lines[-1][:200] if lines else ''


def first_error(s):
    for l in s.splitlines():
        if 'error' in l.lower():
            return l.strip()[:240]
    return last_line(s)


def verifier_reason(log):
    lines = [l for l in log.splitlines() if l.strip() and not l.startswith('libbpf:')
             and not l.startswith(';') and not l.startswith('processed ') and 'BEGIN PROG' not in l
             and 'END PROG' not in l]
    return lines[-1][:200] if lines else 'load failed'


def keep_case(seed, cls, src, d, inputs, info):
    cd = os.path.join(WORK, 'cases', str(seed))
    os.makedirs(cd, exist_ok=True)
    shutil.copy(src, os.path.join(cd, 'prog.c'))
    with open(os.path.join(cd, 'inputs.txt'), 'w') as f:
        f.write('\n'.join(inputs) + '\n')
    with open(os.path.join(cd, 'class.txt'), 'w') as f:
        f.write(cls + '\n')
    for side in ('clang', 'ours'):
        o = os.path.join(d, side, 'prog.o')
        if os.path.exists(o):
            shutil.copy(o, os.path.join(cd, side + '.o'))
        if info.get(side + '_json') is not None:
            with open(os.path.join(cd, side + '.json'), 'w') as f:
                json.dump(info[side + '_json'], f, indent=1)
        if info.get(side + '_stderr'):
            with open(os.path.join(cd, side + '.stderr'), 'w') as f:
                f.write(info[side + '_stderr'])
    if info.get('ours_log_tail'):
        with open(os.path.join(cd, 'ours.log.tail'), 'w') as f:
            f.write(info['ours_log_tail'] + '\n')
    if info.get('host'):
        with open(os.path.join(cd, 'host.txt'), 'w') as f:
            f.write(repr(info['host']) + '\n')
    return cd


def one_seed(seed, host=False, keep_ok=False):
    d = os.path.join(WORK, 'tmp', str(seed))
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    src = os.path.join(d, 'prog.c')
    rc, out, err = run_cmd([sys.executable, os.path.join(HERE, 'gen.py'), str(seed)], 60)
    if rc != 0:
        return seed, 'GEN_FAIL', last_line(err), {}, None
    with open(src, 'w') as f:
        f.write(out)
    inputs = inputs_for(seed)
    cls, detail, info = judge(src, d, inputs, host=host)
    flags = ''
    v = info.get('verified')
    if cls == 'ok' and v and v[0] and v[1] and v[1] > VBIG_RATIO * v[0] and v[1] > VBIG_MIN:
        flags = 'VBIG'
    if info.get('host_disagrees'):
        flags += ' HOSTDIFF'
    case = None
    if cls not in ('ok', 'CLANG_FAIL') or keep_ok or flags:
        case = keep_case(seed, cls, src, d, inputs, info)
    shutil.rmtree(d, ignore_errors=True)
    info['flags'] = flags.strip()
    return seed, cls, detail, info, case


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('start', type=int)
    ap.add_argument('count', type=int)
    ap.add_argument('--jobs', type=int, default=1)
    ap.add_argument('--host', action='store_true', help='host UB check for every seed, not only DIFF ones')
    ap.add_argument('--keep-ok', action='store_true')
    args = ap.parse_args()
    ensure_tools()
    tsv = os.path.join(WORK, 'results.tsv')
    new = not os.path.exists(tsv)
    counts = {c: 0 for c in CLASSES}
    extra = {'VBIG': 0, 'HOSTDIFF': 0, 'TOO_LARGE': 0}
    ratios = []
    t0 = time.time()
    with open(tsv, 'a') as tf:
        if new:
            tf.write('seed\tclass\tdetail\tclang_insns\tours_insns\tclang_verified\tours_verified\tflags\tours_compile_s\n')
        seeds = range(args.start, args.start + args.count)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            futs = [ex.submit(one_seed, s, args.host, args.keep_ok) for s in seeds]
            for fu in futs:
                seed, cls, detail, info, case = fu.result()
                counts[cls] += 1
                ins = info.get('insns') or (None, None)
                ver = info.get('verified') or (None, None)
                flags = info.get('flags', '')
                for k in extra:
                    if k in flags or (k == 'TOO_LARGE' and 'TOO_LARGE' in detail):
                        extra[k] += 1
                if cls == 'ok' and ins[0] and ins[1]:
                    ratios.append(ins[1] / ins[0])
                line = '%-6d %-17s %s' % (seed, cls, detail)
                if ins[0] is not None:
                    line += '  insns %s/%s verified %s/%s' % (ins[0], ins[1], ver[0], ver[1])
                if flags:
                    line += '  ' + flags
                if case and cls != 'ok':
                    line += '  -> ' + case
                print(line, flush=True)
                with _lock:
                    tf.write('\t'.join(str(x) for x in [seed, cls, detail.replace('\t', ' '), ins[0], ins[1],
                                                        ver[0], ver[1], flags,
                                                        '%.2f' % info.get('ours_time', 0)]) + '\n')
                    tf.flush()
    total = sum(counts.values())
    print('--- %d seeds in %.0f s: %s' % (total, time.time() - t0,
                                         ', '.join('%s %d' % (k, v) for k, v in counts.items() if v)))
    print('    flags: %s' % ', '.join('%s %d' % kv for kv in extra.items()))
    if ratios:
        ratios.sort()
        print('    ours/clang static insns on ok seeds: median %.2f, max %.2f' %
              (ratios[len(ratios) // 2], ratios[-1]))


if __name__ == '__main__':
    main()
