#!/usr/bin/env bash
# The benchmarks: engine cost, 1,000,000 engines swept through 64*T1 by the
# examples' timer heap, SIPp load against prack-uas, a sofia-sip nua UAS and
# prack-b2bua, and calls in progress at once. Never part of the tests;
# figures, no pass/fail on a time. doc/performance.md explains the output.
#
#   bash bench/run.sh [--quick] [--only engine,load,hold,scale]
#
# --quick     smaller sizes and fewer runs (1 to 2 minutes instead of about 6;
#             never over 10)
# --only      run some parts: engine, load, hold, scale (comma-separated);
#             --only scale needs neither SIPp nor valgrind
#
# Environment:
#   PRACK_BENCH_BUILD  build directory (default /tmp/libprack-bench-build),
#                      configured --buildtype=release
#   PRACK_BENCH_OUT    results.md, results.json and logs/ (default /tmp/libprack-bench)
#   SIPP               the sipp binary (default: sipp on PATH)
#
# Needs meson, ninja, a C compiler, python3, sipp (Debian: sip-tester),
# valgrind and libsofia-sip-ua-dev; run as root on Debian, it installs the
# missing ones with apt-get. Reads no input; every process it starts is
# stopped when it ends or is interrupted.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${PRACK_BENCH_BUILD:-/tmp/libprack-bench-build}
OUT=${PRACK_BENCH_OUT:-/tmp/libprack-bench}
SIPP=${SIPP:-sipp}

args=()
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) args+=(--quick) ;;
    --only) args+=(--only "$2"); shift ;;
    --only=*) args+=(--only "${1#--only=}") ;;
    -h | --help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

missing=()
command -v meson >/dev/null || missing+=(meson)
command -v ninja >/dev/null || missing+=(ninja-build)
command -v cc >/dev/null || missing+=(gcc)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v python3 >/dev/null || missing+=(python3)
command -v "$SIPP" >/dev/null || missing+=(sip-tester)
command -v valgrind >/dev/null || missing+=(valgrind)
pkg-config --exists sofia-sip-ua 2>/dev/null || missing+=(libsofia-sip-ua-dev)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "installing: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q "${missing[@]}" >/dev/null ||
            { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
    else
        echo "bench/run.sh: missing ${missing[*]}; the parts that need them are left out" >&2
    fi
fi

if [ -f "$BUILD/build.ninja" ]; then
    meson compile -C "$BUILD" >/dev/null
else
    meson setup "$BUILD" "$ROOT" --buildtype=release -Dwerror=true -Dtests=disabled \
        -Ddocs=disabled >/dev/null
    meson compile -C "$BUILD" >/dev/null
fi

# run.py bounds every step; this bounds the whole run at 10 minutes in case
# something hangs (interrupted, it still writes what it measured).
exec timeout -s INT -k 30 600 python3 "$ROOT/bench/run.py" --build "$BUILD" --out "$OUT" \
    --sipp "$SIPP" "${args[@]+"${args[@]}"}"
