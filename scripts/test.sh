#!/usr/bin/env bash
# The libprack test command: bash scripts/test.sh
#
# Installs what the build needs, then runs each stage in turn. A stage is a
# shell function; a failing stage is reported and the remaining stages still
# run, and the script exits non-zero at the end if any stage failed. To add a
# stage, write a stage_* function and call it through run_stage in main.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

failed_stages=()

# Test counts of every stage, one "passed failed skipped" line per test run.
# Stages run in subshells, so they report through this file.
results_file=$(mktemp)
trap 'rm -f "$results_file"' EXIT

header() {
    printf '\n========== %s ==========\n' "$*"
}

# run_stage NAME [ARGS...]: run one stage in a subshell with errexit on (so
# its first failing command ends it), remember whether it failed.
run_stage() {
    local rc
    set +e
    (
        set -e
        "$@"
    )
    rc=$?
    set -e
    if [ "$rc" -ne 0 ]; then
        echo "stage failed (exit $rc): $*" >&2
        failed_stages+=("$*")
    fi
}

# meson_configure DIR CC CXX [MESON_ARGS...]: configure DIR, reusing it when
# it already holds a configured build, starting afresh otherwise.
meson_configure() {
    local dir=$1 cc=$2 cxx=$3
    shift 3
    if [ -f "$dir/meson-private/coredata.dat" ]; then
        if CC=$cc CXX=$cxx meson setup --reconfigure "$dir" "$@"; then
            return 0
        fi
        echo "reconfigure of $dir failed; wiping it" >&2
    fi
    rm -rf "$dir"
    CC=$cc CXX=$cxx meson setup "$dir" "$@"
}

# count_results DIR: record the results of the last `meson test` run in DIR
# and print them.
count_results() {
    local dir=$1 counts passed failed skipped
    local log="$dir/meson-logs/testlog.json"
    if [ ! -f "$log" ]; then
        echo "no test log in $dir" >&2
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
    echo "$dir: $passed passed, $failed failed, $skipped skipped"
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
    header "setup: Debian packages"
    bash scripts/setup-debian.sh
}

# stage_build_and_test gcc|clang: warnings-as-errors build and the full test
# suite (unit tests, C++ header check, doxygen check) in build-<cc>.
stage_build_and_test() {
    local cc=$1 cxx dir="build-$1"
    case "$cc" in
        gcc) cxx=g++ ;;
        clang) cxx=clang++ ;;
        *) cxx=c++ ;;
    esac
    header "build and test: $cc ($dir)"
    "$cc" --version | head -n 1
    # gcc builds optimised so that its flow-based warnings (-Wformat-truncation,
    # -Wnull-dereference, ...) fail the build too; clang builds for debugging.
    local opt=debug
    [ "$cc" = gcc ] && opt=debugoptimized
    meson_configure "$dir" "$cc" "$cxx" -Dwerror=true --buildtype="$opt"
    meson compile -C "$dir"
    meson_run_tests "$dir"
}

# stage_abi: the shared library's ABI against the committed baseline in abi/
# (scripts/abi-check.sh, which builds with gcc in build-abi); any difference,
# an addition included, fails. Counted as one test.
stage_abi() {
    header "abi: libprack.so against abi/ (build-abi)"
    local rc=0 passed=0 failed=0 skipped=0
    bash scripts/abi-check.sh || rc=$?
    case "$rc" in
        0) passed=1 ;;
        77) skipped=1 rc=0 ;;
        *) failed=1 ;;
    esac
    echo "$passed $failed $skipped" >>"$results_file"
    echo "abi: $passed passed, $failed failed, $skipped skipped"
    return "$rc"
}

# stage_sanitize: the whole suite again with AddressSanitizer and
# UndefinedBehaviorSanitizer, any report fatal.
stage_sanitize() {
    local dir=build-sanitize
    header "sanitizers: address,undefined ($dir)"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        meson_configure "$dir" gcc g++ -Dwerror=true -Db_sanitize=address,undefined \
        -Dc_args=-fno-sanitize-recover=all -Dcpp_args=-fno-sanitize-recover=all
    meson compile -C "$dir"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        meson_run_tests "$dir"
}

# stage_valgrind: the example programs' interop cases under valgrind memcheck
# (build-gcc); any memcheck error or definite/indirect leak fails it.
stage_valgrind() {
    header "valgrind memcheck: interop cases (build-gcc)"
    local rc=0
    rm -f build-gcc/meson-logs/testlog.json
    bash scripts/valgrind-interop.sh build-gcc || rc=$?
    count_results build-gcc || rc=1
    return "$rc"
}

# stage_fuzz SECONDS: the fuzz targets built for libFuzzer with ASan and UBSan
# (clang), their corpora replayed, then each target fuzzed for SECONDS.
stage_fuzz() {
    header "fuzz: libFuzzer, ${1}s per target (build-fuzz)"
    meson_configure build-fuzz clang clang++ -Dfuzzing=true
    meson compile -C build-fuzz
    meson_run_tests build-fuzz --suite fuzz
    FUZZ_BUILD_DIR=build-fuzz bash fuzz/run-fuzzers.sh "$1"
}

# stage_coverage: line and branch coverage of lib/ from the whole suite.
stage_coverage() {
    header "coverage of lib/ (build-cov)"
    meson_configure build-cov gcc g++ -Db_coverage=true
    meson compile -C build-cov
    meson_run_tests build-cov
    gcovr -r . build-cov --filter lib/ --txt
    gcovr -r . build-cov --filter lib/ --txt --branches
}

main() {
    stage_setup

    run_stage stage_build_and_test gcc
    run_stage stage_abi
    run_stage stage_valgrind
    run_stage stage_build_and_test clang
    run_stage stage_sanitize
    run_stage stage_fuzz "${PRACK_FUZZ_SECONDS:-60}"
    run_stage stage_coverage

    header "summary"
    local total_passed=0 total_failed=0 total_skipped=0 p f s
    while read -r p f s; do
        total_passed=$((total_passed + p))
        total_failed=$((total_failed + f))
        total_skipped=$((total_skipped + s))
    done <"$results_file"
    if [ "${#failed_stages[@]}" -ne 0 ]; then
        printf 'failed stage: %s\n' "${failed_stages[@]}"
    fi
    echo "total: $total_passed passed, $total_failed failed, $total_skipped skipped"
    if [ "${#failed_stages[@]}" -ne 0 ] || [ "$total_failed" -ne 0 ]; then
        exit 1
    fi
}

main "$@"
