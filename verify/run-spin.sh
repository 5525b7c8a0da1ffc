#!/usr/bin/env bash
# Model checking of verify/prack.pml with spin, and replay of its runs
# through the C engines (doc/verification.md).
#
#   run-spin.sh safety   REPLAY  exhaustive search: assertions, invalid end states
#   run-spin.sh liveness REPLAY  exhaustive search: LTL "ends" under weak fairness
#   run-spin.sh broken   REPLAY  the -DBROKEN_GAP model must fail, and the C
#                                engines must disagree with its trail
#   run-spin.sh replay   REPLAY  random simulations replayed through the C engines
#
# REPLAY is the prack-replay program (verify/replay.c). Any counterexample
# trail is replayed through it as well, so a report says whether the model or
# lib/ is at fault. Environment: CC (default cc), PRACK_SPIN_SEEDS (random
# simulations, default 40), PRACK_SPIN_N1XX (provisionals in the exhaustive
# runs, default 2).
set -euo pipefail

mode=${1:?usage: run-spin.sh safety|liveness|broken|replay REPLAY}
replay=$(realpath "${2:?usage: run-spin.sh MODE REPLAY}")
model=$(realpath "$(dirname "${BASH_SOURCE[0]}")/prack.pml")
cc=${CC:-cc}
seeds=${PRACK_SPIN_SEEDS:-40}
n1xx=${PRACK_SPIN_N1XX:-2}

command -v spin >/dev/null || { echo "run-spin: spin is not installed" >&2; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$model" prack.pml

# build DEFINES... and CFLAGS: the verifier for the model with those -D options
build() {
    local cflags=$1
    shift
    spin -a "$@" prack.pml >/dev/null
    # pan.c is generated code: its warnings are spin's business
    "$cc" -O2 -w $cflags -o pan pan.c
}

# run_pan LOG ARGS...: run the verifier, show its summary
run_pan() {
    local log=$1
    shift
    local t0=$SECONDS
    ./pan -m100000 -w22 "$@" >"$log" 2>&1 || true
    grep -E 'violated|acceptance cycle|invalid end state|State-vector|states, stored|errors:' "$log" || true
    echo "run-spin: pan ran $((SECONDS - t0)) s"
}

# show_trail DEFINES...: print the counterexample and replay it through C
show_trail() {
    spin -T -B -t "$@" prack.pml >trail.log 2>&1 || true
    echo "---- counterexample (spin -t) ----"
    cat trail.log
    echo "---- the same run through the C engines ----"
    if "$replay" trail.log; then
        echo "run-spin: the C engines do the same: lib/ has the property violation too"
    else
        echo "run-spin: the C engines differ from the model here (see above)"
    fi
}

case "$mode" in
safety)
    defs=(-DN1XX="$n1xx")
    build "-DSAFETY -DNOCLAIM" "${defs[@]}"
    run_pan pan.log
    if ! grep -q 'errors: 0' pan.log; then
        show_trail "${defs[@]}"
        exit 1
    fi
    ;;
liveness)
    defs=(-DN1XX="$n1xx")
    build "" "${defs[@]}"
    run_pan pan.log -a -f
    if ! grep -q 'errors: 0' pan.log; then
        show_trail "${defs[@]}"
        exit 1
    fi
    ;;
broken)
    # The model with a UAC that PRACKs past a gap in RSeq: spin must find it.
    defs=(-DN1XX="$n1xx" -DBROKEN_GAP)
    build "-DSAFETY -DNOCLAIM" "${defs[@]}"
    run_pan pan.log
    if ! grep -q 'assertion violated .*o_pracked' pan.log; then
        echo "run-spin: spin did not report the PRACK past a gap: the check does not bite" >&2
        exit 1
    fi
    # ... and the C engines must not do what the broken model did.
    spin -T -B -t "${defs[@]}" prack.pml >trail.log 2>&1 || true
    if "$replay" trail.log >replay.log 2>&1; then
        cat trail.log replay.log
        echo "run-spin: the C engines followed the broken model's trail" >&2
        exit 1
    fi
    grep -E 'model expects|C action' replay.log
    echo "run-spin: spin reports the gap, and the C engines refuse that PRACK: as expected"
    ;;
replay)
    failed=0
    calls=0
    t0=$SECONDS
    for seed in $(seq 1 "$seeds"); do
        # four shapes: plain; the application sends all its provisionals
        # first; the same with a longer queue; no queue at all
        case $((seed % 4)) in
            1) defs=(-DN1XX=3) ;;
            2) defs=(-DN1XX=3 -DLONG_RUNS) ;;
            3) defs=(-DN1XX=4 -DQMAX=2 -DLONG_RUNS) ;;
            *) defs=(-DN1XX=3 -DQMAX=0) ;;
        esac
        spin -T -B "${defs[@]}" -n"$seed" -u5000 prack.pml >sim.log 2>&1 || true
        if grep -qE 'assertion violated|Error' sim.log; then
            echo "run-spin: seed $seed: the model's own check failed" >&2
            cat sim.log >&2
            failed=$((failed + 1))
            continue
        fi
        if ! "$replay" sim.log >replay.log 2>&1; then
            echo "run-spin: seed $seed (spin -T -B ${defs[*]} -n$seed -u5000): C differs" >&2
            grep '^@@' sim.log >&2
            cat replay.log >&2
            failed=$((failed + 1))
            continue
        fi
        n=$(grep -c '^@@ CALL' sim.log || true)
        calls=$((calls + n))
    done
    echo "run-spin: $seeds random runs, $((seeds - failed)) agree ($calls engine calls), $failed differ; $((SECONDS - t0)) s"
    [ "$failed" -eq 0 ]
    ;;
*)
    echo "run-spin: unknown mode $mode" >&2
    exit 2
    ;;
esac
