#!/usr/bin/env bash
# Compiles a directory of third-party BPF programs (*.bpf.c) with clang-22 and with
# swift-bpfcc, using the flags libbpf-bootstrap's Makefile uses, links each object with
# `bpftool gen object` (as that Makefile does), loads it with `bpftool prog loadall` and
# prints, per program: whether each build compiles, links and gets through the verifier,
# and both static instruction counts.
#
#   scripts/corpus.sh DIR [extra compiler flags...]
#   CORPUS_GLOB='*kern*.c' scripts/corpus.sh DIR ...   (other file names; default *.bpf.c;
#                                                      searched below DIR, lib/ skipped)
#
# vmlinux.h is generated from the running kernel into the work directory (DIR's own
# vmlinux.h, if any, is shadowed). The system include directories come from each
# compiler's `-v -E - </dev/null`, exactly as the Makefile computes CLANG_BPF_SYS_INCLUDES.
# Exit status 1 when a program that clang-22's build gets through the verifier does not
# get through with ours. Needs root, clang-22, bpftool, llvm-22 and a built swift-bpfcc
# (SWIFT_BPFCC=path, default .build/release then .build/debug). Nothing is committed or
# copied from DIR; objects stay in a temporary directory (printed).
set -u
dir=${1:?usage: scripts/corpus.sh DIR [flags...]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
ours=${SWIFT_BPFCC:-}
if [ -z "$ours" ]; then
    for c in "$root/.build/release/swift-bpfcc" "$root/.build/debug/swift-bpfcc"; do
        [ -x "$c" ] && { ours=$c; break; }
    done
fi
[ -x "$ours" ] || { echo "corpus: swift-bpfcc not built (swift build -c release)" >&2; exit 2; }
work=$(mktemp -d /tmp/swift-bpfcc-corpus.XXXXXX)
mkdir -p "$work/include" /sys/fs/bpf 2>/dev/null
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$work/include/vmlinux.h" || exit 2
arch=$(uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')

sys_includes() { "$1" -v -E - </dev/null 2>&1 | sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }'; }
clang_sys=$(sys_includes clang-22)
ours_sys=$(sys_includes "$ours")

# insns OBJECT: instructions in executable sections (ld_imm64 counts as one).
insns() { llvm-objdump-22 -d "$1" 2>/dev/null | grep -cE '^ +[0-9]+:' || true; }

# build COMPILER SYSFLAGS SRC OUT → "ok"/"cc-fail"/"link-fail"/"rejected"
build() {
    local cc=$1 sys=$2 src=$3 out=$4 name
    name=$(basename "$out" .o | tr . _)
    # shellcheck disable=SC2086
    if ! "$cc" -g -O2 -target bpf -D__TARGET_ARCH_$arch -I"$work/include" -I"$(dirname "$src")" $sys "${extra[@]}" \
            -c "$src" -o "$out.tmp.o" >"$out.cc.log" 2>&1; then echo cc-fail; return; fi
    if ! bpftool gen object "$out" "$out.tmp.o" >"$out.link.log" 2>&1; then echo link-fail; return; fi
    rm -rf "/sys/fs/bpf/corpus_$name"
    if bpftool prog loadall "$out" "/sys/fs/bpf/corpus_$name" >"$out.load.log" 2>&1; then
        rm -rf "/sys/fs/bpf/corpus_$name"; echo ok
    else
        rm -rf "/sys/fs/bpf/corpus_$name"; echo rejected
    fi
}

extra=("$@")
status=0
printf '%-44s %-10s %-10s %8s %8s %6s\n' program clang-22 ours insns/c insns/o ratio
glob=${CORPUS_GLOB:-*.bpf.c}
sources=$(cd "$dir" && find . -name "$glob" -not -path "*/lib/*" | sed 's|^\./||' | sort)
[ -n "$sources" ] || { echo "corpus: no $glob under $dir" >&2; exit 2; }
for rel in $sources; do
    src="$dir/$rel"
    stem=$(echo "${rel%.c}" | sed 's|\.bpf$||; s|/|_|g')
    c=$(build clang-22 "$clang_sys" "$src" "$work/$stem.clang.o")
    o=$(build "$ours" "$ours_sys" "$src" "$work/$stem.ours.o")
    ci=$( [ -f "$work/$stem.clang.o.tmp.o" ] && insns "$work/$stem.clang.o.tmp.o" || echo -)
    oi=$( [ -f "$work/$stem.ours.o.tmp.o" ] && insns "$work/$stem.ours.o.tmp.o" || echo -)
    ratio=-
    [ "$ci" != - ] && [ "$oi" != - ] && [ "$ci" -gt 0 ] && ratio=$(awk "BEGIN{printf \"%.2f\", $oi/$ci}")
    printf '%-44s %-10s %-10s %8s %8s %6s\n' "$stem" "$c" "$o" "$ci" "$oi" "$ratio"
    if [ "$c" = ok ] && [ "$o" != ok ]; then status=1; fi
done
echo "objects and logs: $work"
exit $status
