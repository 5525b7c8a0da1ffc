#!/usr/bin/env bash
# The libprack test command: bash scripts/test.sh [STAGE...]
#
# Installs what the build needs (stage setup, always first), then runs the
# stages in turn: all of them, or the ones named on the command line or in
# PRACK_STAGES. A stage is a shell function stage_NAME; a failing stage is
# reported, the remaining stages still run, and the script exits non-zero at
# the end if any stage or test failed. To add a stage, write stage_NAME and
# add NAME to all_stages. Build directories go to a directory outside the
# checkout (PRACK_BUILD_ROOT below).
#
# Each slow check runs in one stage only:
#
#   suite        gcc  clang  sanitize  fuzz  coverage  dist
#   unit          x     x       x               x        x
#   docs          x     x       x
#   examples      x     x       x
#   bench         x     x       x   (bench_scale's own checks at 1,000 engines;
#                                    no time is asserted)
#   interop       v   (stage valgrind, on the gcc build: every case once,
#                      under valgrind; stage gcc runs natively only the
#                      cases of suite native, whose timing checks valgrind
#                      loosens, and those of suite stacks)
#   native        x   (and under valgrind, as part of interop)
#   stacks        x   (libprack in libre and libosip2; also in suite interop,
#                      but not under valgrind)
#   chaos         x
#   soak                        x
#   fuzz                              x (libFuzzer replays, then fuzzing)
#   verify        x   (spin; stage verify runs Frama-C EVA on lib/)
#
# The gcc, clang and sanitize stages leave suites out by name (--no-suite),
# so a suite added later runs in all three until it is placed here.
#
# Environment:
#   PRACK_STAGES        stages to run, separated by spaces or commas (the
#                       command line wins); default: all, in the order below
#   PRACK_FUZZ_SECONDS  libFuzzer time per fuzz target (default 10; two
#                       targets run at a time, so six cost three times
#                       this; 0: corpus replays only)
#   PRACK_BUILD_ROOT    directory for the build directories, kept afterwards
#                       and reused by the next run; default: a new temporary
#                       directory, removed at the end
#   PRACK_KEEP_BUILD=1  keep that temporary directory (its path is printed)
#   PRACK_PARALLEL      1 (default): two stages at a time, longest first
#                       (run_pool below); the second of the two is printed in
#                       one piece when it ends; 0: every stage in turn
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
src=$(pwd)

all_stages=(gcc abi valgrind clang sanitize fuzz coverage verify consumers dist)

usage() {
    cat <<EOF
usage: bash scripts/test.sh [STAGE...]
stages (default: all, in this order): ${all_stages[*]}
environment: PRACK_STAGES, PRACK_FUZZ_SECONDS (default 10), PRACK_BUILD_ROOT,
PRACK_KEEP_BUILD=1, PRACK_PARALLEL=0|1 (see the top of scripts/test.sh)
EOF
}

# Meson's cmake module runs `cmake --system-information` at setup, which
# works in the current directory: two setups at once from the checkout (the
# two workers of run_pool) make it fail. Every `meson setup` of the stages, in the
# scripts they call too, takes this lock; flock runs meson from PATH.
PRACK_MESON_LOCK=$(mktemp)
export PRACK_MESON_LOCK
meson() {
    if [ "${1:-}" = setup ]; then
        flock "$PRACK_MESON_LOCK" meson "$@"
    else
        command meson "$@"
    fi
}
export -f meson

# Version managers (pyenv, asdf) put a shell-script shim for python3 first in
# PATH, and each start through it costs about 0.4 s of CPU; the tests start
# python3 hundreds of times. Put the interpreter the shim picks first in PATH.
if py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) && [ -x "$py" ]; then
    PATH="$(dirname "$py"):$PATH"
    export PATH
fi

# meson, gcovr and the test scripts write into a pipe under CI: keep Python
# from holding their lines back, so that progress shows as it happens.
export PYTHONUNBUFFERED=1

case "${1:-}" in
    -h | --help) usage; exit 0 ;;
esac

stages=()
if [ "$#" -gt 0 ]; then
    stages=("$@")
elif [ -n "${PRACK_STAGES:-}" ]; then
    read -r -a stages <<<"${PRACK_STAGES//,/ }"
fi
if [ "${#stages[@]}" -eq 0 ]; then
    stages=("${all_stages[@]}")
fi

parallel=${PRACK_PARALLEL:-1}
case "$parallel" in
    0 | 1) ;;
    *) echo "test.sh: PRACK_PARALLEL must be 0 or 1" >&2; exit 2 ;;
esac

fuzz_seconds=${PRACK_FUZZ_SECONDS:-10}
case "$fuzz_seconds" in
    '' | *[!0-9]*) echo "test.sh: PRACK_FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;;
esac

build_root=
keep_build=0
heartbeat_pid=

# Test counts of every stage, one "passed failed skipped" line per test run.
# Stages run in subshells, so they report through this file.
results_file=$(mktemp)
# One line per finished stage: its summary line, then FAILED NAME if it failed.
stages_file=$(mktemp)
times_file=$(mktemp)

cleanup() {
    if [ -n "$heartbeat_pid" ]; then
        kill "$heartbeat_pid" 2>/dev/null || true
    fi
    rm -f "$results_file" "$stages_file" "$times_file" "$PRACK_MESON_LOCK"
    if [ -z "$build_root" ]; then
        :
    elif [ "$keep_build" = 1 ]; then
        echo "build directories kept in $build_root"
    else
        rm -rf "$build_root"
    fi
}
trap cleanup EXIT

header() {
    printf '\n========== %s ==========\n' "$*"
}

# heartbeat NAME START: a line a minute while a stage runs, so that a long
# test (or a hung one, until its timeout) never leaves the log silent. The
# sleep gets no copy of stdout: it must not hold the log pipe open.
heartbeat() {
    while sleep 60 >/dev/null 2>&1; do
        printf '[%s: still running, %d s]\n' "$1" "$(($(date +%s) - $2))"
    done
}

# cpu_seconds: CPU time (user + system) of every finished child of this
# shell so far, from `times`, which the caller runs in this shell (a $(...)
# subshell has no children yet): times >"$times_file"; x=$(cpu_seconds)
cpu_seconds() {
    awk 'NR == 2 {
        t = 0
        for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
        printf "%d\n", t
    }' "$times_file"
}

# run_stage NAME: run stage_NAME in a subshell with errexit on (so its first
# failing command ends it), print its start, its end with the elapsed and
# CPU seconds (CPU well under twice the elapsed time on two cores: the stage
# waited, or shared the machine), and remember whether it failed.
run_stage() {
    local name=$1 rc start secs status cpu
    start=$(date +%s)
    times >"$times_file"
    cpu=$(cpu_seconds)
    header "start $name ($(date -u +%H:%M:%S) UTC)"
    heartbeat "$name" "$start" &
    heartbeat_pid=$!
    set +e
    (
        set -e
        "stage_$name"
    )
    rc=$?
    set -e
    kill "$heartbeat_pid" 2>/dev/null || true
    wait "$heartbeat_pid" 2>/dev/null || true
    heartbeat_pid=
    secs=$(($(date +%s) - start))
    times >"$times_file"
    cpu=$(($(cpu_seconds) - cpu))
    status=ok
    if [ "$rc" -ne 0 ]; then
        status="FAILED (exit $rc)"
    fi
    header "end $name: $status, ${secs} s (cpu ${cpu} s)"
    printf '%-10s %5d s  (cpu %4d s)  %s\n' "$name" "$secs" "$cpu" "$status" >>"$stages_file"
}

# run_stage_quietly NAME: run_stage with the stage's output kept in a file
# and printed in one piece when the stage ends, so that a stage running next
# to another one does not interleave its lines with the other's; only its
# start and its heartbeat show meanwhile.
run_stage_quietly() {
    local out="$build_root/$1.out"
    printf '[%s: started next to the others at %s UTC, output shown when it ends]\n' \
        "$1" "$(date -u +%H:%M:%S)"
    run_stage "$1" >"$out" 2>&1 &
    local pid=$!
    heartbeat "$1" "$(date +%s)" &
    local hb=$!
    wait "$pid" || true
    kill "$hb" 2>/dev/null || true
    wait "$hb" 2>/dev/null || true
    cat "$out"
}

# meson_configure DIR CC CXX [MESON_ARGS...]: configure DIR for this source
# tree, reusing it when it already holds a configured build, starting
# afresh otherwise.
meson_configure() {
    local dir=$1 cc=$2 cxx=$3
    shift 3
    if [ -f "$dir/meson-private/coredata.dat" ]; then
        if CC=$cc CXX=$cxx meson setup --reconfigure "$dir" "$src" "$@"; then
            return 0
        fi
        echo "reconfigure of $dir failed; wiping it" >&2
    fi
    rm -rf "$dir"
    CC=$cc CXX=$cxx meson setup "$dir" "$src" "$@"
}

# count_results DIR [LOGBASE]: record the results of the last `meson test`
# run in DIR (written to meson-logs/LOGBASE.json, testlog by default) and
# print them.
count_results() {
    local dir=$1 counts passed failed skipped
    local log="$dir/meson-logs/${2:-testlog}.json"
    if [ ! -f "$log" ]; then
        echo "no test log $log" >&2
        return 1
    fi
    counts=$(python3 - "$log" <<'PY'
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        result = json.loads(line).get("result", "")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(passed, failed, skipped)
PY
    )
    read -r passed failed skipped <<<"$counts"
    echo "$passed $failed $skipped" >>"$results_file"
    echo "$dir${2:+ ($2)}: $passed passed, $failed failed, $skipped skipped"
}

# meson_run_tests DIR [MESON_TEST_ARGS...]: run the tests, count them, and
# return meson's status.
meson_run_tests() {
    local dir=$1 rc=0
    shift
    rm -f "$dir/meson-logs/testlog.json"
    meson test -C "$dir" --print-errorlogs "$@" || rc=$?
    count_results "$dir" || rc=1
    return "$rc"
}

stage_setup() {
    bash scripts/setup-debian.sh
}

# build_compiler gcc|clang: the warnings-as-errors build of everything in
# $build_root/<cc>. gcc builds optimised so that its flow-based warnings
# (-Wformat-truncation, -Wnull-dereference, ...) fail the build too; clang
# builds for debugging.
build_compiler() {
    local cc=$1 cxx=c++ opt=debug dir="$build_root/$1"
    case "$cc" in
        gcc) cxx=g++ opt=debugoptimized ;;
        clang) cxx=clang++ ;;
    esac
    "$cc" --version | awk 'NR == 1'
    meson_configure "$dir" "$cc" "$cxx" -Dwerror=true --buildtype="$opt"
    meson compile -C "$dir"
}

# stage_gcc: everything but the soak and the fuzz replays, with the example
# programs through the lossy relay (chaos: prack-uac to prack-uas, and
# prack-libre-uac to prack-osip-uas), the libre and libosip2 programs against
# SIPp and each other (stacks), and the interop cases that need full speed
# (native); stage valgrind runs every interop case. Each chaos test spends its
# 20-odd seconds waiting (200 calls at 10 a second, retransmissions) and
# checks no timing, so they run next to the other suites in a meson of their
# own instead of alone after them; their lines are printed when they end.
stage_gcc() {
    local dir="$build_root/gcc" rc=0 chaos_rc=0 chaos_pid
    build_compiler gcc
    # stage valgrind may start on this build now (run_pool)
    touch "$build_root/gcc.built"
    rm -f "$dir/meson-logs/chaos.json"
    meson test -C "$dir" --no-rebuild --print-errorlogs --suite chaos --logbase chaos \
        >"$dir/chaos.out" 2>&1 &
    chaos_pid=$!
    # Four at a time on two cores: the interop cases mostly wait (T1 timers,
    # --answer-after, SIPp pauses); the ones that measure intervals are
    # registered as not parallel and run alone.
    meson_run_tests "$dir" --no-rebuild --num-processes 4 \
        --no-suite soak --no-suite fuzz --no-suite chaos --no-suite interop || rc=$?
    meson_run_tests "$dir" --no-rebuild --num-processes 4 --suite stacks --suite native || rc=$?
    echo "waiting for the chaos test"
    wait "$chaos_pid" || chaos_rc=$?
    cat "$dir/chaos.out"
    count_results "$dir" chaos || chaos_rc=1
    [ "$rc" -eq 0 ] && [ "$chaos_rc" -eq 0 ]
}

# stage_abi: the shared library's ABI against the committed baseline in abi/
# (scripts/abi-check.sh builds with gcc in its own directory); any difference,
# an addition included, fails. Counted as one test.
stage_abi() {
    local rc=0 passed=0 failed=0 skipped=0
    ABI_BUILD_DIR="$build_root/abi" bash scripts/abi-check.sh || rc=$?
    case "$rc" in
        0) passed=1 ;;
        77) skipped=1 rc=0 ;;
        *) failed=1 ;;
    esac
    echo "$passed $failed $skipped" >>"$results_file"
    echo "abi: $passed passed, $failed failed, $skipped skipped"
    return "$rc"
}

# stage_valgrind: every interop case with every example process under
# valgrind memcheck, on the gcc build; any memcheck error or definite or
# indirect leak fails it. It may run while stage gcc is still testing the
# same build, so its meson test log has a name of its own.
stage_valgrind() {
    local dir="$build_root/gcc" rc=0
    if [ -f "$dir/meson-private/coredata.dat" ]; then
        meson compile -C "$dir"
    else
        build_compiler gcc
    fi
    rm -f "$dir/meson-logs/valgrind.json"
    bash scripts/valgrind-interop.sh "$dir" --no-rebuild --logbase valgrind || rc=$?
    count_results "$dir" valgrind || rc=1
    return "$rc"
}

# stage_clang: the second compiler's warnings on every target, and the fast
# suites.
stage_clang() {
    build_compiler clang
    meson_run_tests "$build_root/clang" \
        --no-suite soak --no-suite interop --no-suite stacks --no-suite chaos --no-suite fuzz --no-suite verify
}

# stage_sanitize: AddressSanitizer and UndefinedBehaviorSanitizer, any report
# fatal, over the fast suites and the 100,000-call soak. The libre and
# libosip2 programs and the Doxygen pages are left out of this build: none of
# these suites runs them (stages gcc and clang build them).
stage_sanitize() {
    local dir="$build_root/sanitize"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    meson_configure "$dir" gcc g++ -Dwerror=true -Db_sanitize=address,undefined \
        -Dc_args=-fno-sanitize-recover=all -Dcpp_args=-fno-sanitize-recover=all \
        -Dlibre=disabled -Dosip2=disabled -Ddocs=disabled
    meson compile -C "$dir"
    meson_run_tests "$dir" --no-suite interop --no-suite stacks --no-suite chaos --no-suite fuzz --no-suite verify
}

# stage_fuzz: the fuzz targets built for libFuzzer with ASan and UBSan
# (clang), their corpora replayed, then each target fuzzed for
# PRACK_FUZZ_SECONDS. Only the library and the targets are built. A libFuzzer
# process uses one core: the targets run two at a time.
stage_fuzz() {
    local dir="$build_root/fuzz" t half=() other=() rc=0 pid
    echo "fuzzing ${fuzz_seconds} s per target (PRACK_FUZZ_SECONDS)"
    meson_configure "$dir" clang clang++ -Dfuzzing=true --buildtype=debugoptimized \
        -Dtests=disabled -Dexamples=false -Ddocs=disabled
    meson compile -C "$dir"
    meson_run_tests "$dir" --suite fuzz
    if [ "$fuzz_seconds" -eq 0 ]; then
        echo "PRACK_FUZZ_SECONDS=0: corpus replays only"
        return 0
    fi
    # fuzz/<target>/<target>.c, as fuzz/meson.build lists them
    for t in fuzz/*/; do
        t=${t%/}
        t=${t#fuzz/}
        [ -f "fuzz/$t/$t.c" ] || continue
        if [ "${#half[@]}" -le "${#other[@]}" ]; then half+=("$t"); else other+=("$t"); fi
    done
    FUZZ_BUILD_DIR=$dir bash fuzz/run-fuzzers.sh "$fuzz_seconds" "${half[@]}" &
    pid=$!
    if [ "${#other[@]}" -ne 0 ]; then
        FUZZ_BUILD_DIR=$dir bash fuzz/run-fuzzers.sh "$fuzz_seconds" "${other[@]}" || rc=$?
    fi
    wait "$pid" || rc=$?
    return "$rc"
}

# stage_coverage: line and branch coverage of lib/ from the unit suite, which
# is what exercises lib/ (doc/robustness.md gives the figures).
stage_coverage() {
    local dir="$build_root/coverage"
    meson_configure "$dir" gcc g++ -Db_coverage=true -Dexamples=false -Ddocs=disabled
    meson compile -C "$dir"
    meson_run_tests "$dir" --suite unit
    gcovr -r . "$dir" --filter lib/ --txt
    gcovr -r . "$dir" --filter lib/ --txt --branches
}

# stage_consumers: libprack installed and used the three ways a project
# takes it: pkg-config (static link), CMake find_package(), meson subproject.
stage_consumers() {
    bash scripts/consumers.sh "$build_root/consumers"
}

# stage_dist: `meson dist` packs the committed tree; the tarball alone must
# build and pass the unit suite.
stage_dist() {
    local dir="$build_root/dist" tarball
    if ! git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        echo "dist: $src is not a git checkout; meson dist packs committed files" >&2
        return 1
    fi
    local dirty=()
    if [ -n "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
        echo "dist: uncommitted changes are not in the tarball: it holds HEAD"
        dirty=(--allow-dirty)
    fi
    rm -rf "$dir/unpacked" "$dir/tarball-build"
    meson_configure "$dir/source-build" gcc g++ -Dtests=disabled -Dexamples=false -Ddocs=disabled
    rm -rf "$dir/source-build/meson-dist"
    meson dist -C "$dir/source-build" --no-tests --formats xztar "${dirty[@]+"${dirty[@]}"}"
    tarball=$(find "$dir/source-build/meson-dist" -name 'libprack-*.tar.xz' | awk 'NR == 1')
    [ -n "$tarball" ] || { echo "dist: no tarball" >&2; return 1; }
    ls -l "$tarball"
    mkdir -p "$dir/unpacked"
    tar -xJf "$tarball" -C "$dir/unpacked"
    local top
    top=$(find "$dir/unpacked" -mindepth 1 -maxdepth 1 -type d | awk 'NR == 1')
    CC=gcc CXX=g++ meson setup "$dir/tarball-build" "$top"
    meson compile -C "$dir/tarball-build"
    meson_run_tests "$dir/tarball-build" --suite unit
}

# stage_verify: Frama-C EVA on lib/ (doc/verification.md); the spin checks
# run in the 'verify' suite of meson test.
stage_verify() {
    bash scripts/eva-check.sh
}

# Two workers share the stages (PRACK_PARALLEL=1). Each takes the next stage
# of pool_order that was asked for, in that order; a stage not listed there
# comes after the listed ones. The order is longest first, so that the short
# stages at the end even the two workers out. valgrind runs the examples of
# the gcc build: it waits until stage gcc has built them (or has ended), and
# then runs next to gcc's own tests, which mostly wait on timers. The first
# worker prints its stages as they run, the second prints each of its stages
# in one piece when it ends.
pool_order=(gcc valgrind verify fuzz sanitize clang dist consumers coverage abi)

# pool_take: print the next stage for a worker, "wait" while that stage
# waits for another one, nothing when none is left.
pool_take() {
    local s
    (
        flock 9
        local order=("${pool_order[@]}")
        for s in "${stages[@]}"; do
            [[ " ${pool_order[*]} " == *" $s "* ]] || order+=("$s")
        done
        for s in "${order[@]}"; do
            [[ " ${stages[*]} " == *" $s "* ]] || continue
            grep -qx "$s" "$build_root/pool.taken" && continue
            if [ "$s" = valgrind ] && [[ " ${stages[*]} " == *" gcc "* ]] &&
                [ ! -e "$build_root/gcc.built" ] && ! grep -qx gcc "$build_root/pool.ended"; then
                echo wait
                return 0
            fi
            echo "$s" >>"$build_root/pool.taken"
            echo "$s"
            return 0
        done
    ) 9>"$build_root/pool.lock"
}

# pool_worker 1|2: take stages until none is left.
pool_worker() {
    local s
    while :; do
        s=$(pool_take)
        case "$s" in
            '') return 0 ;;
            wait) sleep 1; continue ;;
        esac
        if [ "$1" = 1 ]; then
            run_stage "$s"
        else
            run_stage_quietly "$s"
        fi
        echo "$s" >>"$build_root/pool.ended"
    done
}

run_pool() {
    : >"$build_root/pool.taken"
    : >"$build_root/pool.ended"
    rm -f "$build_root/gcc.built"
    local second
    # Each worker in a subshell of its own: a shell counts the CPU time of a
    # child once it has reaped it, and it reaps a finished background child
    # at any moment, so one worker's time would otherwise land in whichever
    # stage of the other was running.
    (pool_worker 2) &
    second=$!
    (pool_worker 1) || true
    echo "waiting for the stages still running next to these"
    wait "$second" || true
}

main() {
    local total_start p f s
    for s in "${stages[@]}"; do
        if ! declare -F "stage_$s" >/dev/null; then
            echo "test.sh: unknown stage '$s'" >&2
            usage >&2
            exit 2
        fi
    done

    # Build directories live outside the checkout.
    if [ -n "${PRACK_BUILD_ROOT:-}" ]; then
        mkdir -p "$PRACK_BUILD_ROOT"
        build_root=$(cd "$PRACK_BUILD_ROOT" && pwd)
        keep_build=1
    else
        build_root=$(mktemp -d "${TMPDIR:-/tmp}/libprack-build.XXXXXX")
        keep_build=${PRACK_KEEP_BUILD:-0}
    fi

    total_start=$(date +%s)
    echo "stages: ${stages[*]}"
    echo "build directories: $build_root"

    run_stage setup
    if [ "$parallel" = 1 ]; then
        run_pool
    else
        for s in "${stages[@]}"; do
            run_stage "$s"
        done
    fi

    header "summary"
    cat "$stages_file"
    echo "all stages: $(($(date +%s) - total_start)) s"
    local total_passed=0 total_failed=0 total_skipped=0
    while read -r p f s; do
        total_passed=$((total_passed + p))
        total_failed=$((total_failed + f))
        total_skipped=$((total_skipped + s))
    done <"$results_file"
    local failed_stages=()
    read -r -a failed_stages <<<"$(awk '/  FAILED \(exit/ { printf "%s ", $1 }' "$stages_file")"
    if [ "${#failed_stages[@]}" -ne 0 ]; then
        printf 'failed stage: %s\n' "${failed_stages[@]}"
    fi
    echo "total: $total_passed passed, $total_failed failed, $total_skipped skipped"
    if [ "${#failed_stages[@]}" -ne 0 ] || [ "$total_failed" -ne 0 ]; then
        exit 1
    fi
}

main
