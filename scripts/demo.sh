#!/usr/bin/env bash
# Main job: build swift-bpfcc, compile testsuite/programs/xdp/xdp_count_ethertype.c and load it into the
# running kernel's verifier (needs root), then show the object.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build -c release 2>&1 | tail -n 3
BIN=.build/release/swift-bpfcc
OUT=$(mktemp -d)
$BIN -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c testsuite/programs/xdp/xdp_count_ethertype.c -o "$OUT/xdp_pass.o"
llvm-objdump-22 -d -r "$OUT/xdp_pass.o"
PIN=/sys/fs/bpf/swift_bpfcc_demo_$$
bpftool prog load "$OUT/xdp_pass.o" "$PIN" && echo "verifier: accepted" && bpftool prog show pinned "$PIN"
rm -f "$PIN"; rm -rf "$OUT"
