#!/usr/bin/env bash
# Real calls through a lossy link: prack-uac -> chaos-relay -> prack-uas, on
# loopback. The relay drops LOSS of the datagrams each way and duplicates and
# reorders some more; every call must still complete.
#
#   chaos.sh BUILD_DIR [CALLS] [LOSS]      (defaults: 200 calls, loss 0.2)
#
# Environment (all optional):
#   CHAOS_SEED      relay seed (default: random, printed; rerun with it)
#   CHAOS_DUP       duplication probability (default 0.05)
#   CHAOS_REORDER   probability of holding a datagram back (default 0.1)
#   CHAOS_DELAY     hold time range in ms (default 0..30)
#   CHAOS_RATE      calls per second (default 10)
#   CHAOS_HOLD      ms in the call before the BYE (default 100)
#   CHAOS_TIMEOUT   seconds any process may live (default 120)
#   CHAOS_UAC_ARGS  more prack-uac options, e.g. "--on-prack-failure terminate"
#   CHAOS_VERBOSE=1 relay trace of every datagram, printed on failure
#   CHAOS_KEEP=DIR  copy the logs (uac, uas, relay) to DIR
#   CHAOS_UAS, CHAOS_UAC  other programs with the same options (examples/stacks)
#   CHAOS_UAS_CALLS=1  run the UAS with --calls CALLS (it then exits as soon
#                   as it has counted its last call; see below)
#
# Exit status: 0 when every call completed on both sides, 1 otherwise.
set -euo pipefail

BUILD=${1:?usage: chaos.sh BUILD_DIR [CALLS] [LOSS]}
CALLS=${2:-200}
LOSS=${3:-0.2}
BUILD=$(cd "$BUILD" && pwd)

UAS=${CHAOS_UAS:-$BUILD/examples/prack-uas}
UAC=${CHAOS_UAC:-$BUILD/examples/prack-uac}
RELAY=$BUILD/tests/chaos/chaos-relay

SEED=${CHAOS_SEED:-$((RANDOM << 15 | RANDOM))}
DUP=${CHAOS_DUP:-0.05}
REORDER=${CHAOS_REORDER:-0.1}
DELAY=${CHAOS_DELAY:-0..30}
# 10 calls/s: a call lasts well under a second without loss and a few
# seconds when retransmissions kick in, so some 10 to 40 run at once.
RATE=${CHAOS_RATE:-10}
HOLD=${CHAOS_HOLD:-100}
PROC_TIMEOUT=${CHAOS_TIMEOUT:-120}

for b in "$UAS" "$UAC" "$RELAY"; do
    [ -x "$b" ] || { echo "chaos: not built: $b" >&2; exit 1; }
done

[ -r /proc/net/udp ] || { echo "chaos: needs /proc/net/udp (Linux)" >&2; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/prack-chaos.XXXXXX")
PIDS=()
STATUS=1

cleanup() {
    local pid
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$STATUS" -ne 0 ]; then
        local f
        for f in "$WORK"/*.log; do
            [ -f "$f" ] || continue
            printf '\n----- %s (last 150 lines) -----\n' "$(basename "$f")" >&2
            tail -n 150 "$f" >&2
        done
        echo "chaos: FAILED (seed $SEED; rerun with CHAOS_SEED=$SEED)" >&2
    fi
    if [ -n "${CHAOS_KEEP:-}" ]; then
        mkdir -p "$CHAOS_KEEP"
        cp "$WORK"/*.log "$CHAOS_KEEP"/ 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# A UDP port nobody is bound to on 127.0.0.1 now, below the ephemeral range so
# that no client socket takes it meanwhile, and not handed out before.
TAKEN=" "
port_in_use() {
    local hex
    printf -v hex '%04X' "$1"
    grep -Eq "^ *[0-9]+: [0-9A-F]+:$hex " /proc/net/udp /proc/net/udp6 2>/dev/null
}
free_port() {
    local p i
    for i in $(seq 1 500); do
        p=$((20000 + (RANDOM * 7 + i) % 12000))
        if [[ "$TAKEN" != *" $p "* ]] && ! port_in_use "$p"; then
            TAKEN="$TAKEN$p "
            echo "$p"
            return 0
        fi
    done
    echo "chaos: no free UDP port" >&2
    return 1
}
wait_bound() {
    local i
    for i in $(seq 1 200); do
        port_in_use "$1" && return 0
        sleep 0.05
    done
    echo "chaos: nothing bound to port $1" >&2
    return 1
}

# start NAME CMD...: CMD in the background under timeout, output in
# $WORK/NAME.log, its PID in LAST_PID.
LAST_PID=
start() {
    local name=$1
    shift
    timeout -k 5 "$PROC_TIMEOUT" "$@" >"$WORK/$name.log" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}

result_of() { grep '^RESULT ' "$WORK/$1.log" | tail -n 1 || true; }

UAS_PORT=$(free_port)
R_PORT=$(free_port)
S_PORT=$(free_port)
UAC_PORT=$(free_port)

echo "chaos: $CALLS calls at ${RATE}/s, loss $LOSS each way, dup $DUP, reorder $REORDER (${DELAY} ms), seed $SEED"
echo "chaos: UAC 127.0.0.1:$UAC_PORT -> R :$R_PORT | relay | S :$S_PORT -> UAS :$UAS_PORT"
T_START=$(date +%s.%N)

# The UAS answers after 200 ms, PRACKed 183 with SDP then 180. It runs until
# told to stop rather than with --calls N: with --calls it exits as soon as it
# counts its Nth call (at that call's BYE), so a UAC whose 200 to an earlier
# BYE was lost retransmits that BYE to a closed port and fails the call on
# Timer F, 32 s later. Stopped once the UAC is done, it has answered every
# BYE. CHAOS_UAS_CALLS=1 shows the difference.
uas_args=(--bind "127.0.0.1:$UAS_PORT" --provisional "183:sdp,180" --answer-after 200)
[ -n "${CHAOS_UAS_CALLS:-}" ] && uas_args+=(--calls "$CALLS")
start uas "$UAS" "${uas_args[@]}"
uas_pid=$LAST_PID
wait_bound "$UAS_PORT"

relay_args=(--uac-side "127.0.0.1:$R_PORT" --uas-side "127.0.0.1:$S_PORT" --uas "127.0.0.1:$UAS_PORT"
    --uac-port "$UAC_PORT" --loss "$LOSS" --dup "$DUP" --reorder "$REORDER" --delay-ms "$DELAY"
    --seed "$SEED")
[ -n "${CHAOS_VERBOSE:-}" ] && relay_args+=(--verbose)
start relay "$RELAY" "${relay_args[@]}"
relay_pid=$LAST_PID
wait_bound "$R_PORT"
wait_bound "$S_PORT"

# shellcheck disable=SC2086 # CHAOS_UAC_ARGS is a list of words
start uac "$UAC" --bind "127.0.0.1:$UAC_PORT" "sip:bob@127.0.0.1:$R_PORT" \
    --calls "$CALLS" --rate "$RATE" --hold "$HOLD" ${CHAOS_UAC_ARGS:-}
uac_pid=$LAST_PID
uac_rc=0
wait "$uac_pid" || uac_rc=$?
T_UAC=$(date +%s.%N)

# Every call is over for the UAC, so the UAS has seen every BYE: stop it.
# (With --calls it has stopped by itself already, or is about to.)
if [ -n "${CHAOS_UAS_CALLS:-}" ]; then
    for _ in $(seq 1 100); do
        kill -0 "$uas_pid" 2>/dev/null || break
        sleep 0.1
    done
fi
kill -TERM "$uas_pid" 2>/dev/null || true
uas_rc=0
wait "$uas_pid" || uas_rc=$?
kill -TERM "$relay_pid" 2>/dev/null || true
relay_rc=0
wait "$relay_pid" || relay_rc=$?
PIDS=()

echo "chaos: UAC finished in $(awk -v a="$T_START" -v b="$T_UAC" 'BEGIN { printf "%.1f", b - a }') s"
grep -E '^(chaos-relay|COUNTERS)' "$WORK/relay.log" || true
echo "uac: $(result_of uac) (exit $uac_rc)"
echo "uas: $(result_of uas) (exit $uas_rc)"

bad=0
fail() { echo "chaos: check failed: $*" >&2; bad=1; }

uac_res=$(result_of uac)
uas_res=$(result_of uas)
[[ " $uac_res " == *" calls=$CALLS "* && " $uac_res " == *" ok=$CALLS "* ]] ||
    fail "UAC: expected calls=$CALLS ok=$CALLS in '$uac_res'"
[[ " $uas_res " == *" calls=$CALLS "* && " $uas_res " == *" ok=$CALLS "* ]] ||
    fail "UAS: expected calls=$CALLS ok=$CALLS in '$uas_res'"
[ "$uac_rc" -eq 0 ] || fail "UAC exited $uac_rc"
[ "$uas_rc" -eq 0 ] || fail "UAS exited $uas_rc"
[ "$relay_rc" -eq 0 ] || fail "relay exited $relay_rc"

# The faults really happened: the share dropped each way is LOSS within 5
# points, or 5 sigma when fewer datagrams make that wider (200 calls are some
# 1200 datagrams up and 1500 down: sigma about 1.1 points at 20%), and the
# relay kept itself in the path without touching a body.
check_counters() { # DIRECTION
    local line received dropped dup reord rewritten body
    line=$(grep "^COUNTERS $1 " "$WORK/relay.log" || true)
    [ -n "$line" ] || { fail "relay printed no counters for $1"; return; }
    field() { sed -nE "s/.* $1=([0-9]+).*/\1/p" <<<"$line"; }
    received=$(field received)
    dropped=$(field dropped)
    dup=$(field duplicated)
    reord=$(field reordered)
    rewritten=$(field rewritten)
    body=$(field body_rewritten)
    [ "$received" -gt 0 ] || { fail "$1: no traffic"; return; }
    awk -v d="$dropped" -v r="$received" -v p="$LOSS" 'BEGIN {
        tol = 5 * sqrt(p * (1 - p) / r); if (tol < 0.05) tol = 0.05
        x = d / r - p; exit !(x > -tol && x < tol) }' ||
        fail "$1: dropped $dropped of $received, expected about $LOSS"
    if awk -v p="$DUP" 'BEGIN { exit !(p > 0) }'; then [ "$dup" -gt 0 ] || fail "$1: nothing duplicated"; fi
    if awk -v p="$REORDER" 'BEGIN { exit !(p > 0) }'; then [ "$reord" -gt 0 ] || fail "$1: nothing reordered"; fi
    [ "$rewritten" -gt 0 ] || fail "$1: no address rewritten: the relay is not in the path"
    [ "$body" -eq 0 ] || fail "$1: $body bodies rewritten (the SDP carries no host:port)"
}
check_counters "uac->uas"
check_counters "uas->uac"

if [ "$bad" -ne 0 ]; then
    grep -E 'FAILED|timed out|never|giving up' "$WORK/uac.log" "$WORK/uas.log" | head -n 40 >&2 || true
    exit 1
fi
STATUS=0
echo "chaos: passed ($CALLS calls, loss $LOSS each way, seed $SEED)"
