#!/usr/bin/env bash
# Main job: build swift-bpfcc, compile testsuite/programs/xdp/xdp_count_ethertype.c and load it into the
# running kernel's verifier (needs root), then show the object.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
echo "demo: building swift-bpfcc (release)"
swift build -c release 2>&1 | tail -n 1
BIN=.build/release/swift-bpfcc
OUT=$(mktemp -d)
SRC=testsuite/programs/xdp/xdp_count_ethertype.c
echo "demo: $BIN -O2 -g -target bpf -c $SRC -o $OUT/xdp_count_ethertype.o"
$BIN -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$SRC" -o "$OUT/xdp_count_ethertype.o"
echo "demo: the object, disassembled by llvm-objdump-22"
llvm-objdump-22 -d -r "$OUT/xdp_count_ethertype.o"
PIN=/sys/fs/bpf/swift_bpfcc_demo_$$
echo "demo: loading it with bpftool (the kernel verifier checks it)"
bpftool prog load "$OUT/xdp_count_ethertype.o" "$PIN" && echo "verifier: accepted" && bpftool prog show pinned "$PIN"
rm -f "$PIN"; rm -rf "$OUT"
