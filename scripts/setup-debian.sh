#!/usr/bin/env bash
# Installs the Debian packages needed to build, test and document libprack.
# Does nothing (and needs no network) when every package is already installed.
# With --demo, only what scripts/demo.sh needs: a C compiler, meson, ninja,
# pkg-config and python3 (which merges the demo's two traces).
set -euo pipefail

demo_packages=(
    meson
    ninja-build
    gcc
    libc6-dev
    pkg-config
    python3
)

packages=(
    meson
    ninja-build
    gcc
    clang
    g++
    pkg-config
    cmake
    libcmocka-dev
    doxygen
    gcovr
    sip-tester
    libre-dev
    libosip2-dev
    valgrind
    libclang-rt-14-dev
    python3
    abigail-tools
    spin
    frama-c-base
)

if [ "${1:-}" = "--demo" ]; then
    packages=("${demo_packages[@]}")
elif [ $# -gt 0 ]; then
    echo "usage: setup-debian.sh [--demo]" >&2
    exit 2
fi

missing=()
for pkg in "${packages[@]}"; do
    if [ "$(dpkg -s "$pkg" 2>/dev/null | grep -c '^Status: install ok installed$')" -eq 0 ]; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "setup-debian: all ${#packages[@]} packages already installed"
    exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "setup-debian: not root and sudo is not available; install: ${missing[*]}" >&2
        exit 1
    fi
    sudo_cmd=(sudo)
fi

echo "setup-debian: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
