#!/usr/bin/env bash
# Runs the whole test suite: unit tests of every module and the differential
# testsuite (swift-bpfcc vs clang-22, loaded into this kernel).
set -euo pipefail
cd "$(dirname "$0")/.."
# A log of this run only (two checkouts testing at once must not count each other's lines).
log=$(mktemp /tmp/swift-bpfcc-test.XXXXXX.log)
trap 'rm -f "$log"' EXIT
# Serial: Foundation's Process.run crashed once when test cases launched tools from
# several threads at once; the whole suite takes under two minutes serially.
set +e
swift test --no-parallel 2>&1 | tee "$log" | grep -Ev '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Linking|Write|Planning|Build)'
status=${PIPESTATUS[0]}
set -e
# What ran, for a reader of the last lines: the differential programs, the skips, and
# where the known issues come from.
programs=$(sed -nE 's/.*Test program\(_:\) with ([0-9]+) test cases.*/\1/p' "$log" | tail -n 1)
skips=$(grep -c 'SKIP' "$log" || true)
harness=$(grep -E 'recorded a known issue' "$log" | grep -cE 'deviationsAreReported|expectedErrorsAreChecked|verifierRejectionShowsTheLogTail' || true)
listed=$(grep -cvE '^\s*(#|$)' testsuite/known-failures.txt || true)
diagnostics=$(ls testsuite/programs/errors/*.c | wc -l)
echo "summary: ${programs:-0} testsuite programs ran: $(( ${programs:-0} - diagnostics )) built by swift-bpfcc and clang-22 and checked in this kernel, ${diagnostics} diagnostic tests; ${skips} SKIP lines (tests that could not reach the kernel or clang-22)."
echo "summary: known issues = ${harness} deliberate deviations the harness self-tests must catch + ${listed} programs listed in testsuite/known-failures.txt."
exit "$status"
