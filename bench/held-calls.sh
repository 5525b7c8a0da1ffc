#!/usr/bin/env bash
# Many calls in progress at once: SIPp calls prack-uas, prack-uac calls SIPp,
# then SIPp calls prack-uas through prack-b2bua (100rel on both legs), CALLS
# calls started at RATE per second and each held HOLD_MS, so that
# with the defaults all 10,000 are up at once for about a second. Prints, for
# each program, whether every call succeeded (its RESULT line and SIPp's
# counts), the peak resident set size against the one before the first call,
# and the bytes per call in progress that makes. A measurement run by hand
# (doc/examples.md), not a test: it takes about a minute and most of both
# cores.
#
#   bench/held-calls.sh BUILD-DIR [CALLS [RATE [HOLD_MS]]]
#
# PROGRAMS="uas uac b2bua" (the default) picks which of the three runs.
#
# BUILD-DIR is a meson build of this tree (a release build measures what a
# user runs); sipp must be on PATH (Debian: sip-tester).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${1:?usage: held-calls.sh BUILD-DIR [CALLS [RATE [HOLD_MS]]]}
CALLS=${2:-10000}
RATE=${3:-2500}
HOLD=${4:-5000}
PROGRAMS=" ${PROGRAMS:-uas uac b2bua} "
UAS=$BUILD/examples/prack-uas
UAC=$BUILD/examples/prack-uac
B2BUA=$BUILD/examples/prack-b2bua
SIPP=${SIPP:-sipp}
command -v "$SIPP" >/dev/null || { echo "sipp not found" >&2; exit 77; }
[ -x "$UAS" ] && [ -x "$UAC" ] && [ -x "$B2BUA" ] || { echo "not built: $UAS $UAC $B2BUA" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/held-calls.XXXXXX")
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# sample PID: the largest VmRSS (kB) seen until PID exits, into $WORK/peak.PID
sample() {
    local pid=$1 peak=0 r
    while kill -0 "$pid" 2>/dev/null; do
        r=$(rss_kb "$pid")
        [ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r
        sleep 0.1
    done
    echo "$peak" >"$WORK/peak.$pid"
}

# wait_or_stop PID: let it end by itself for 10 s, then SIGTERM it (a failed
# call would keep it waiting for the last one)
wait_or_stop() {
    local _
    for _ in $(seq 1 100); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

port() { echo $((20000 + RANDOM % 12000)); }

sipp_args=(-nostdin -timeout 120s -timeout_error -trace_err -error_file "$WORK/sipp-errors.log"
    -trace_screen -screen_file "$WORK/sipp-screen.log" -trace_stat -stf "$WORK/sipp-stat.csv"
    -fd 1 -buff_size 4194304)

# SIPp's counts from its last statistics line: successful and failed calls,
# retransmissions, and the most calls in progress at once it saw.
sipp_counts() {
    python3 - "$WORK/sipp-stat.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=";"))
head, last = rows[0], rows[-1]
col = lambda name: last[head.index(name)]
peak = max(int(r[head.index("CurrentCall")]) for r in rows[1:])
print("successful=%s failed=%s retransmissions=%s sipp_peak_calls=%d"
      % (col("SuccessfulCall(C)"), col("FailedCall(C)"), col("Retransmissions(C)"), peak))
PY
}

report() { # NAME PID BASE_KB LOG
    local peak
    peak=$(cat "$WORK/peak.$2")
    if [ -s "$WORK/sipp-errors.log" ]; then
        echo "$1: SIPp's errors (the first lines of $(grep -c . "$WORK/sipp-errors.log")):"
        head -n 5 "$WORK/sipp-errors.log"
    fi
    echo "$1: $(grep '^RESULT' "$4")"
    echo "$1: $(sipp_counts)"
    echo "$1: RSS before the calls ${3} kB, peak ${peak} kB:" \
        "$(( (peak - $3) * 1024 / CALLS )) bytes per call in progress ($CALLS calls)"
}

if [[ $PROGRAMS == *" uas "* ]]; then
echo "== $CALLS calls at $RATE/s held $HOLD ms: SIPp -> prack-uas"
p=$(port)
"$UAS" --bind "127.0.0.1:$p" --quiet --calls "$CALLS" --linger 0 --provisional 183:sdp,180 \
    --answer-after 1000 >"$WORK/uas.log" 2>&1 &
uas=$!
PIDS+=("$uas")
sleep 0.5
base=$(rss_kb "$uas")
sample "$uas" &
PIDS+=("$!")
rc=0
"$SIPP" "127.0.0.1:$p" -sf "$HERE/sipp-uac-held.xml" -s bob -i 127.0.0.1 -p "$(port)" \
    -m "$CALLS" -r "$RATE" -l "$CALLS" -d "$HOLD" "${sipp_args[@]}" >"$WORK/sipp.out" 2>&1 || rc=$?
wait_or_stop "$uas"
sleep 0.2
echo "sipp exit $rc"
report prack-uas "$uas" "$base" "$WORK/uas.log"
rm -f "$WORK/sipp-stat.csv" "$WORK/sipp-errors.log"
fi

if [[ $PROGRAMS == *" uac "* ]]; then
echo "== $CALLS calls at $RATE/s held $HOLD ms: prack-uac -> SIPp"
p=$(port)
"$SIPP" -sf "$HERE/sipp-uas-held.xml" -i 127.0.0.1 -p "$p" -m "$CALLS" "${sipp_args[@]}" \
    >"$WORK/sipp.out" 2>&1 &
sipp=$!
PIDS+=("$sipp")
sleep 0.5
# the size before the calls: the same program with one call going nowhere
"$UAC" "sip:bob@127.0.0.1:$(port)" --quiet --calls 1 >/dev/null 2>&1 &
idle=$!
sleep 0.5
base=$(rss_kb "$idle")
kill -TERM "$idle" 2>/dev/null || true
wait "$idle" 2>/dev/null || true
"$UAC" "sip:bob@127.0.0.1:$p" --quiet --calls "$CALLS" --rate "$RATE" --hold "$HOLD" \
    >"$WORK/uac.log" 2>&1 &
uac=$!
PIDS+=("$uac")
sample "$uac" &
PIDS+=("$!")
rc=0
wait "$uac" || rc=$?
wait_or_stop "$sipp"
sleep 0.2
echo "prack-uac exit $rc"
report prack-uac "$uac" "$base" "$WORK/uac.log"
rm -f "$WORK/sipp-stat.csv" "$WORK/sipp-errors.log"
fi

if [[ $PROGRAMS == *" b2bua "* ]]; then
echo "== $CALLS calls at $RATE/s held $HOLD ms: SIPp -> prack-b2bua -> prack-uas"
# the callee answers after 1 s as above; 100rel on both legs, so the B2BUA
# PRACKs the callee's 183 and 180 and the caller PRACKs the ones it relays
pu=$(port)
"$UAS" --bind "127.0.0.1:$pu" --quiet --calls "$CALLS" --linger 0 --provisional 183:sdp,180 \
    --answer-after 1000 >"$WORK/uas.log" 2>&1 &
uas=$!
PIDS+=("$uas")
pb=$(port)
"$B2BUA" --bind "127.0.0.1:$pb" --next "127.0.0.1:$pu" --quiet --calls "$CALLS" \
    --a-100rel supported --b-100rel supported >"$WORK/b2bua.log" 2>&1 &
b2bua=$!
PIDS+=("$b2bua")
sleep 0.5
base=$(rss_kb "$b2bua")
sample "$b2bua" &
PIDS+=("$!")
rc=0
"$SIPP" "127.0.0.1:$pb" -sf "$HERE/sipp-uac-held.xml" -s bob -i 127.0.0.1 -p "$(port)" \
    -m "$CALLS" -r "$RATE" -l "$CALLS" -d "$HOLD" "${sipp_args[@]}" >"$WORK/sipp.out" 2>&1 || rc=$?
wait_or_stop "$b2bua"
wait_or_stop "$uas"
sleep 0.2
echo "sipp exit $rc"
echo "prack-uas (callee): $(grep '^RESULT' "$WORK/uas.log")"
report prack-b2bua "$b2bua" "$base" "$WORK/b2bua.log"
fi
