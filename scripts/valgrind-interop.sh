#!/usr/bin/env bash
# The example programs' interop cases (meson suite 'interop') with every
# example process under valgrind memcheck. Fails on any failing case and on
# any memcheck error or definite/indirect leak in any example process.
#
#   scripts/valgrind-interop.sh BUILD_DIR [MESON_TEST_ARGS...]
#
# BUILD_DIR is a configured meson build with the examples on (a debug or
# debugoptimized build gives useful stack traces). tests/interop/run.sh and
# b2bua.sh put $VALGRIND in front of each example they start; SIPp is not
# wrapped. Each process writes its own valgrind log; with --quiet a log stays
# empty unless valgrind has something to report, and every non-empty log is
# printed and fails the run, even for a case that does not look at the exit
# status of that process.
#
# Under valgrind the examples run some 20 times slower, which the cases
# absorb as follows:
#   - each case's meson timeout is multiplied (VG_TIMEOUT_MULTIPLIER, 3) and
#     each process may live longer (PROC_TIMEOUT, 120 s);
#   - the cases that measure retransmission intervals (uas-no-prack-timing,
#     uac-prack-timer-e, uac-invite-timer-a: T1 = 50 ms, so 50, 100, 200 ms
#     steps) stay in, measured from the third send (TIMES_FROM=3) with a
#     wider tolerance (TOL_MS, 100 ms instead of 40). The schedule itself
#     holds under valgrind (it runs on the program's clock and poll()), but
#     the first run of each code path is translated by valgrind first, so the
#     ladder line of the first send and of the first retransmission is
#     stamped late, by ~50 ms on an idle machine and over 100 ms on a busy
#     one (seen: 0 15 46 231 633 1433 3032 for 0 50 150 350 750 1550 3150),
#     and every time measured from it looks that much early. From the third
#     send on the intervals show as they are; every send is still counted,
#     and 100 ms still rejects a schedule that does not double. They keep
#     the timer and timeout paths (Timer E/F, 504 after 64*T1) under
#     memcheck.
# The stacks cases (suite 'stacks', also in 'interop') are left out: they
# run in stage gcc only (the stage table at the top of scripts/test.sh).
#   VG_EXCLUDE names cases to leave out on a machine too slow even for that
#   (space-separated meson test names; none by default).
set -euo pipefail

BUILD=${1:?usage: valgrind-interop.sh BUILD_DIR [MESON_TEST_ARGS...]}
shift

if ! command -v valgrind >/dev/null; then
    echo "valgrind-interop: valgrind not found (Debian: apt-get install valgrind)" >&2
    exit 1
fi
if [ ! -f "$BUILD/meson-private/coredata.dat" ]; then
    echo "valgrind-interop: $BUILD is not a configured meson build" >&2
    exit 1
fi

VGLOG=$(mktemp -d "${TMPDIR:-/tmp}/prack-valgrind.XXXXXX")
trap 'rm -rf "$VGLOG"' EXIT

# No spaces in the log path: run.sh splits $VALGRIND into words.
export VALGRIND="valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --quiet --log-file=$VGLOG/vg.%p.log"
export PROC_TIMEOUT=${PROC_TIMEOUT:-120}
export TOL_MS=${TOL_MS:-100}
export TIMES_FROM=${TIMES_FROM:-3}
MULT=${VG_TIMEOUT_MULTIPLIER:-3}

# The case list, minus VG_EXCLUDE (space-separated case names as meson
# knows them).
tests=()
if [ -n "${VG_EXCLUDE:-}" ]; then
    while read -r name; do
        [[ " $VG_EXCLUDE " == *" $name "* ]] && { echo "valgrind-interop: excluded: $name"; continue; }
        tests+=("$name")
    done < <(meson test -C "$BUILD" --suite interop --no-suite stacks --list 2>/dev/null | sed -nE 's/^.* \/ //p')
fi

echo "valgrind-interop: $VALGRIND"
echo "valgrind-interop: PROC_TIMEOUT=$PROC_TIMEOUT TOL_MS=$TOL_MS TIMES_FROM=$TIMES_FROM timeout multiplier $MULT"
start=$(date +%s)
rc=0
meson test -C "$BUILD" --suite interop --no-suite stacks --timeout-multiplier "$MULT" --print-errorlogs \
    "$@" "${tests[@]+"${tests[@]}"}" || rc=$?
elapsed=$(($(date +%s) - start))

nlogs=0
bad=0
for f in "$VGLOG"/vg.*.log; do
    [ -e "$f" ] || continue
    nlogs=$((nlogs + 1))
    if [ -s "$f" ]; then
        bad=$((bad + 1))
        printf '\n----- valgrind report %s -----\n' "$(basename "$f")" >&2
        cat "$f" >&2
    fi
done

echo "valgrind-interop: $nlogs example processes ran under valgrind, $bad with errors or leaks; meson test exit $rc; ${elapsed}s"
if [ "$nlogs" -eq 0 ]; then
    echo "valgrind-interop: no example process ran under valgrind: are the interop cases registered?" >&2
    exit 1
fi
if [ "$bad" -ne 0 ] || [ "$rc" -ne 0 ]; then
    exit 1
fi
echo "valgrind-interop: passed"
