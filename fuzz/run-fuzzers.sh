#!/bin/sh
# Build the libFuzzer targets (clang, ASan, UBSan) and fuzz each one for
# SECONDS, seeded from fuzz/corpus/<target>/. New inputs go to a scratch
# directory, never into the checked-in corpus; a crash fails the run and its
# input is kept under the build directory (crashes/<target>/) to be turned
# into a corpus file.
#
#   fuzz/run-fuzzers.sh [SECONDS] [TARGET...]
#
# Environment: FUZZ_BUILD_DIR (default: build-fuzz in the source tree),
# CC (default: clang).
set -eu

secs=${1:-60}
[ $# -gt 0 ] && shift
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
targets=${*:-header uas uac pair sipmsg sdp}

case $secs in
    ''|*[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

if [ ! -f "$build/build.ninja" ]; then
    CC=${CC:-clang} meson setup "$build" "$root" -Dfuzzing=true -Dbuildtype=debugoptimized \
        -Dexamples=false -Ddocs=disabled
fi
# only the fuzz programs: the rest of the tree need not build for a fuzzing run
bins=
for t in $targets; do
    bins="$bins fuzz/fuzz-$t"
done
# shellcheck disable=SC2086 # one word per program
ninja -C "$build" $bins

failed=0
for t in $targets; do
    bin=$build/fuzz/fuzz-$t
    corpus=$root/fuzz/corpus/$t
    scratch=$build/fuzz-scratch/$t
    crashes=$build/crashes/$t
    mkdir -p "$scratch" "$crashes"
    echo "== fuzz $t for ${secs}s"
    if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$scratch" "$corpus" 2>"$build/fuzz-$t.log"; then
        grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::new_units_added)' \
            "$build/fuzz-$t.log" || true
    else
        failed=1
        echo "** fuzz $t FAILED; input kept in $crashes; last lines of the log:" >&2
        grep -v '^    #' "$build/fuzz-$t.log" | tail -n 30 >&2
    fi
done
if [ "$failed" -ne 0 ]; then
    echo "fuzzing found a crash" >&2
    exit 1
fi
echo "fuzzing: every target ran ${secs}s without a crash"
