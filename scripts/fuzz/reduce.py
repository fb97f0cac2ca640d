#!/usr/bin/env python3
"""Delta reducer for programs kept by run.py.

    python3 reduce.py IN.c OUT.c CLASS [--inputs FILE | --seed N] [--any-reason]
                      [--max-seconds S] [--hang-timeout S]

Cuts IN.c down while run.py's judge() keeps putting it in CLASS (DIFF, CLANG_DIFF,
OURS_LOAD_FAIL, OURS_COMPILE_FAIL, OURS_CRASH, OURS_HANG, or VBIG: ok but ours
verifies > 2x clang's and > 5000 instructions), and writes the smallest version found
to OUT.c (also after each improvement, so it can be stopped at any time). Same-class
is strict by default:
  DIFF, CLANG_DIFF   the same class, and the host build (UBSan+MSan) still runs clean
                     and agrees with the same side as before (e.g. host=clang), so the
                     reduction does not drift into undefined behaviour;
  OURS_LOAD_FAIL     same kind: TOO_LARGE, or the same last verifier message with
                     numbers and register names blurred (--any-reason: any refusal);
  OURS_COMPILE_FAIL  same error message (numbers blurred); OURS_CRASH same signal.
Packets: --inputs FILE (one hex line each), else inputs.txt next to IN.c, else those
run.py derives from --seed N or from the seed in gen.py's header comment.

Passes, repeated to a fixpoint: delete balanced `{...}` blocks (with the line that
opens them: if/for/while/switch headers, function signatures, struct declarations),
delete chunks of lines (halving the chunk size, ddmin-like), unwrap `if (...) {`
headers, and replace parenthesized subexpressions and right-hand sides with 0.
"""
import argparse
import hashlib
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402


def blur(s):
    s = re.sub(r'\bR\d+\b', 'R#', s)
    s = re.sub(r'0x[0-9a-fA-F]+|\d+', '#', s)
    s = re.sub(r'/\S+\.c:#:#:', 'F:', s)
    return s.strip()


class Oracle:
    def __init__(self, cls, inputs, workdir, any_reason=False):
        self.cls = cls
        self.inputs = inputs
        self.workdir = workdir
        self.any_reason = any_reason
        self.cache = {}
        self.tests = 0
        self.signature = None

    def classify(self, text):
        key = hashlib.sha1(text.encode()).hexdigest()
        if key in self.cache:
            return self.cache[key]
        self.tests += 1
        d = os.path.join(self.workdir, 't')
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        src = os.path.join(d, 'prog.c')
        with open(src, 'w') as f:
            f.write(text)
        # candidates that lose a return value, read an uninitialized variable or get an
        # unsequenced expression are undefined, whatever class they would land in
        rc, _, err = run.run_cmd([run.CLANG] + run.CFLAGS + ['-fsyntax-only', '-Werror=return-type',
                                  '-Werror=uninitialized', '-Werror=sometimes-uninitialized',
                                  '-Werror=unsequenced', '-Werror=division-by-zero', src], 60)
        if rc != 0:
            self.cache[key] = ('CLANG_FAIL', 'syntax')
            return self.cache[key]
        cls, detail, info = run.judge(src, d, self.inputs, host=False)
        sig = self.sig(cls, detail, info)
        self.cache[key] = sig
        return sig

    def sig(self, cls, detail, info):
        """What must stay the same: (class, refinement)."""
        if cls == 'ok':
            v = info.get('verified') or (0, 0)
            if v[0] and v[1] and v[1] > run.VBIG_RATIO * v[0] and v[1] > run.VBIG_MIN:
                return ('VBIG', '')
            return ('ok', '')
        if cls in ('DIFF', 'CLANG_DIFF'):
            m = re.search(r'\[(host[^\]]*)\]', detail)
            return ('DIFF', m.group(1) if m else '')
        if cls == 'OURS_LOAD_FAIL':
            if detail.startswith('TOO_LARGE'):
                return (cls, 'TOO_LARGE')
            return (cls, '' if self.any_reason else blur(detail))
        if cls == 'OURS_COMPILE_FAIL':
            msg = detail.split(': error: ', 1)[-1] if ': error: ' in detail else detail
            return (cls, '' if self.any_reason else blur(msg))
        if cls == 'OURS_CRASH':
            return (cls, detail.split(':')[0])
        return (cls, '')

    def interesting(self, text):
        s = self.classify(text)
        if s[0] != self.cls:
            return False
        if self.signature is None:
            return True
        return s == self.signature


def matching_close(lines, i):
    """Index of the line closing the block whose `{` is the last brace opened on line i."""
    depth = 0
    for j in range(i, len(lines)):
        code = strip_strings(lines[j])
        for ch in code:
            if ch == '{':
                depth += 1
            elif ch == '}':
                depth -= 1
        if depth <= 0 and j > i:
            return j
        if depth <= 0 and j == i and '{' in code:
            return None if code.rstrip().endswith('{') else j
    return None


def strip_strings(s):
    return re.sub(r'"([^"\\]|\\.)*"', '""', s)


def balanced(chunk):
    text = strip_strings(''.join(chunk))
    return text.count('{') == text.count('}') and text.count('(') == text.count(')')


class Reducer:
    def __init__(self, oracle, lines, out, deadline):
        self.o = oracle
        self.lines = lines
        self.out = out
        self.deadline = deadline

    def text(self, lines=None):
        return '\n'.join(self.lines if lines is None else lines) + '\n'

    def timeup(self):
        return time.time() > self.deadline

    def accept(self, cand):
        if self.timeup():
            return False
        if self.o.interesting(self.text(cand)):
            self.lines = cand
            with open(self.out, 'w') as f:
                f.write(self.text())
            return True
        return False

    def pass_blocks(self):
        changed = False
        i = 0
        while i < len(self.lines) and not self.timeup():
            line = self.lines[i]
            if strip_strings(line).rstrip().endswith('{'):
                j = matching_close(self.lines, i)
                if j is not None:
                    start = i
                    if line.strip() == '{' and i > 0:
                        start = i - 1          # function body: take the signature along
                    end = j
                    # a `} else {` chain ends at the last closing line
                    if self.accept(self.lines[:start] + self.lines[end + 1:]):
                        changed = True
                        i = start
                        continue
            i += 1
        return changed

    def pass_lines(self):
        changed = False
        n = len(self.lines)
        size = max(1, n // 2)
        while size >= 1 and not self.timeup():
            i = 0
            while i < len(self.lines) and not self.timeup():
                chunk = self.lines[i:i + size]
                if chunk and balanced(chunk) and not any(l.startswith('#include') for l in chunk):
                    if self.accept(self.lines[:i] + self.lines[i + size:]):
                        changed = True
                        continue
                i += size
            size //= 2
        return changed

    def pass_unwrap(self):
        """`if (c) {` -> `{`, `} else {` -> `} if (0) {`, loop headers -> `{`, a bare
        `{ ... }` block -> its contents."""
        changed = False
        i = 0
        while i < len(self.lines) and not self.timeup():
            line = self.lines[i]
            m = re.match(r'^(\s*)(if|for|while) \(.*\) \{$', line)
            if m and self.accept(self.lines[:i] + [m.group(1) + '{'] + self.lines[i + 1:]):
                changed = True
                continue
            if line.strip() == '{' and i > 0 and not re.search(r'\)\s*$', self.lines[i - 1]):
                j = matching_close(self.lines, i)
                if j is not None and self.lines[j].strip() == '}':
                    if self.accept(self.lines[:i] + self.lines[i + 1:j] + self.lines[j + 1:]):
                        changed = True
                        continue
            m = re.match(r'^(\s*)\} else (if \(.*\) )?\{$', line)
            if m and self.accept(self.lines[:i] + [m.group(1) + '} if (0) {'] + self.lines[i + 1:]):
                changed = True
            i += 1
        return changed

    @staticmethod
    def paren_spans(line):
        spans, stack = [], []
        for k, ch in enumerate(line):
            if ch == '(':
                stack.append(k)
            elif ch == ')' and stack:
                spans.append((stack.pop(), k + 1))
        spans.sort(key=lambda s: s[0] - s[1])     # widest first
        return spans

    def pass_exprs(self):
        changed = False
        i = 0
        while i < len(self.lines) and not self.timeup():
            line = self.lines[i]
            if line.lstrip().startswith(('#', 'SEC', 'struct {', '__uint', '__type')) or 'bpf_map_lookup_elem' in line:
                i += 1
                continue
            # right-hand side of an assignment/initializer -> 0
            m = re.match(r'^(\s*[^=;]*?[^=!<>]=(?!=)\s*)(.+);$', line)
            if m and m.group(2).strip() not in ('0', '{}') and '__builtin_memcpy' not in line \
                    and 'data' not in m.group(2) and not re.search(r'[/%]=\s*$', m.group(1)):
                if self.accept(self.lines[:i] + [m.group(1) + '0;'] + self.lines[i + 1:]):
                    changed = True
                    continue
            done = False
            for a, b in self.paren_spans(line):
                inner = line[a + 1:b - 1].strip()
                if inner in ('0', '1', '') or 'data' in inner or re.fullmatch(r'[\w ]+\*?', inner) \
                        or '{' in inner:
                    continue
                before = line[:a].rstrip()
                if re.search(r'\w$', before) or re.search(r'[/%]=?$', before):
                    # a call's argument list or a statement's condition: simplify inside only
                    continue
                cand_line = line[:a] + '0' + line[b:]
                if self.accept(self.lines[:i] + [cand_line] + self.lines[i + 1:]):
                    changed = done = True
                    break
            if done:
                continue
            i += 1
        return changed

    def run(self):
        rounds = 0
        while not self.timeup():
            rounds += 1
            before = len(self.text())
            c = self.pass_blocks()
            c |= self.pass_lines()
            c |= self.pass_unwrap()
            c |= self.pass_exprs()
            print('reduce: round %d: %d -> %d bytes, %d lines, %d tests' %
                  (rounds, before, len(self.text()), len(self.lines), self.o.tests), flush=True)
            if not c:
                break


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('input')
    ap.add_argument('output')
    ap.add_argument('cls', choices=['DIFF', 'CLANG_DIFF', 'OURS_LOAD_FAIL', 'OURS_COMPILE_FAIL', 'OURS_CRASH',
                                    'OURS_HANG', 'VBIG'])
    ap.add_argument('--inputs')
    ap.add_argument('--seed', type=int)
    ap.add_argument('--any-reason', action='store_true')
    ap.add_argument('--max-seconds', type=float, default=3600)
    ap.add_argument('--hang-timeout', type=float, default=30,
                    help='compile timeout for OURS_HANG reductions (default 30 s)')
    args = ap.parse_args()
    run.ensure_tools()
    if args.cls == 'OURS_HANG':
        run.COMPILE_TIMEOUT = args.hang_timeout
    text = open(args.input).read()
    if args.inputs:
        inputs = [l.strip() for l in open(args.inputs) if l.strip()]
    elif os.path.exists(os.path.join(os.path.dirname(os.path.abspath(args.input)), 'inputs.txt')):
        inputs = [l.strip() for l in open(os.path.join(os.path.dirname(os.path.abspath(args.input)),
                                                       'inputs.txt')) if l.strip()]
    else:
        seed = args.seed
        if seed is None:
            m = re.search(r'gen\.py (\d+)', text)
            if not m:
                sys.exit('reduce.py: no inputs: give --inputs or --seed')
            seed = int(m.group(1))
        inputs = run.inputs_for(seed)
    workdir = os.path.join(run.WORK, 'reduce', str(os.getpid()))
    os.makedirs(workdir, exist_ok=True)
    oracle = Oracle(args.cls, inputs, workdir, args.any_reason)
    sig = oracle.classify(text)
    if sig[0] != args.cls:
        sys.exit('reduce.py: %s is %s, not %s' % (args.input, sig, args.cls))
    oracle.signature = sig
    print('reduce: keeping %s %s' % sig, flush=True)
    with open(args.output, 'w') as f:
        f.write(text)
    red = Reducer(oracle, text.rstrip('\n').split('\n'), args.output, time.time() + args.max_seconds)
    red.run()
    with open(args.output, 'w') as f:
        f.write(red.text())
    print('reduce: %s: %d lines (%d tests)' % (args.output, len(red.lines), oracle.tests))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    main()
