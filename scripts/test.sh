#!/usr/bin/env bash
# Runs the whole test suite: unit tests of every module and the differential
# testsuite (swift-bpfcc vs clang-22, loaded into this kernel).
set -euo pipefail
cd "$(dirname "$0")/.."
# Serial: Foundation's Process.run crashed once when test cases launched tools from
# several threads at once; the whole suite takes under a minute serially.
swift test --no-parallel 2>&1 | tee /tmp/swift-bpfcc-test.log | grep -Ev '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Linking|Write|Planning|Build)' 
exit "${PIPESTATUS[0]}"
