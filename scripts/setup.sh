#!/usr/bin/env bash
# Installs the system packages swift-bpfcc needs (Debian bookworm; run as root).
set -euo pipefail
PKGS="libclang-22-dev clang-22 llvm-22 libbpf-dev libelf-dev zlib1g-dev bpftool gcc make"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
    echo "setup: installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq $missing >/dev/null
else
    echo "setup: Debian packages already installed: $PKGS"
fi
