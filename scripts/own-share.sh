#!/usr/bin/env bash
# How much of swift-bpfcc's compile time its own code takes, measured by sampling:
# compiles every testsuite program with `perf record` running, cold (no parse cache)
# and warm (cache entries built first), and splits the samples of the swift-bpfcc
# processes by where they fell: swift-bpfcc's own code (the binary, with the Swift
# runtime linked in), libclang and LLVM, and the rest (kernel: process start, page
# faults, file reads; the dynamic loader). Unlike the stage timers of bpfcc-bench, this
# counts libclang's lazy reading of a precompiled header, which happens while our AST
# conversion asks for declarations, as libclang's.
#
#   scripts/own-share.sh            (needs perf, a release build, /sys/kernel/btf/vmlinux)
#   scripts/own-share.sh --vmlinux  (only the programs that include vmlinux.h, three times over)
set -u
only_vmlinux=false
[ "${1:-}" = "--vmlinux" ] && only_vmlinux=true
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/.build/release/swift-bpfcc
command -v perf >/dev/null || { echo "own-share: perf not found (apt-get install linux-perf)" >&2; exit 2; }
[ -x "$bin" ] || { echo "own-share: build first: swift build -c release" >&2; exit 2; }
work=$(mktemp -d /tmp/swift-bpfcc-own-share.XXXXXX)
bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$work/vmlinux.h" || exit 2
cat > "$work/all.sh" <<SCRIPT
#!/usr/bin/env bash
cd "$root"
only_vmlinux=$only_vmlinux
rounds=1; \$only_vmlinux && rounds=3
for round in \$(seq \$rounds); do
for f in testsuite/programs/*/*.c testsuite/core/*.c; do
    case \$f in */errors/*|*/stress/*) continue;; esac     # as bpfcc-bench's default corpus
    if \$only_vmlinux && ! grep -q '#include "vmlinux.h"' "\$f"; then continue; fi
    cf=\$(grep -h "^// @cflags" "\$f" | sed 's|// @cflags||')
    "$bin" -target bpf -O2 -g -mcpu=v3 -I testsuite/include -I "$work" -I /usr/include/x86_64-linux-gnu \$cf -c "\$f" -o "$work/out.o" 2>/dev/null
done
done
SCRIPT
chmod +x "$work/all.sh"
# share DATA NAME: the swift-bpfcc processes' samples by object.
share() {
    perf report -i "$1" --no-children --sort comm,dso -F overhead,comm,dso 2>/dev/null | awk -v name="$2" '
        /%/ && $2 == "swift-bpfcc" {
              v = $1; sub("%", "", v); total += v
              if ($3 == "swift-bpfcc") own += v
              else if ($3 ~ /^libclang/ || $3 ~ /^libLLVM/) clang += v
              else if ($3 ~ /^libc\./) libc += v }
        END { printf "%s: own code %.1f%%, libclang+LLVM %.1f%%, libc (malloc and friends, for both) %.1f%%, kernel and dynamic loader (process start, page faults, files) %.1f%%\n",
                     name, 100 * own / total, 100 * clang / total, 100 * libc / total, 100 - 100 * (own + clang + libc) / total }'
}
SWIFT_BPFCC_NO_CACHE=1 perf record -q -F 5000 -o "$work/cold.data" "$work/all.sh" >/dev/null 2>&1
export SWIFT_BPFCC_CACHE_DIR=$work/cache
"$work/all.sh"; sleep 10          # builds the cache entries (in background processes)
SWIFT_BPFCC_NO_CACHE_BUILD=1 perf record -q -F 5000 -o "$work/warm.data" "$work/all.sh" >/dev/null 2>&1
share "$work/cold.data" "cold (no parse cache)"
share "$work/warm.data" "warm (parse cache entries used)"
echo "(perf data in $work)"
