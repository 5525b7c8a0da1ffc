#!/usr/bin/env bash
# Interop cases for the example programs prack-uas and prack-uac, against
# SIPp and against each other, on loopback only.
#
#   run.sh CASE          run one case (exit 0 pass, 1 fail, 77 skip)
#   run.sh --list        print the case names
#
# Environment:
#   PRACK_UAS, PRACK_UAC  the example binaries (default: build/examples/...)
#   SIPP                  the sipp binary (default: sipp on PATH)
#   VALGRIND              optional command prefix for the examples, e.g.
#                         "valgrind --error-exitcode=1 --leak-check=full"
#   INTEROP_VERBOSE=1     print every log even when the case passes
#
# Every process runs under `timeout` and is killed by its own PID when the
# case ends, whatever the outcome. Ports are picked free per case so that
# cases may run in parallel. On failure every log is printed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
UAS=${PRACK_UAS:-$ROOT/build/examples/prack-uas}
UAC=${PRACK_UAC:-$ROOT/build/examples/prack-uac}
SIPP=${SIPP:-sipp}
read -r -a VG <<<"${VALGRIND:-}"

# Seconds any single process may live; a case's meson timeout is 60.
PROC_TIMEOUT=${PROC_TIMEOUT:-45}
# Tolerance of the timing measurements, in ms.
TOL_MS=${TOL_MS:-40}
# Which of a series of sends the timing checks measure from: the first, or
# under valgrind the third (scripts/valgrind-interop.sh sets 3). Valgrind
# translates a code path the first time it runs, so the first send and the
# first retransmission can be stamped late by more than any fair tolerance on
# a busy machine; from the third on, the schedule shows undistorted.
TIMES_FROM=${TIMES_FROM:-1}
# Under valgrind ($VALGRIND set) the examples run some 20 times slower: the
# cases whose final must wait for every PRACK answer this much later, or the
# final would rightly drop the 180 still queued.
SLACK_MS=0
[ -n "${VALGRIND:-}" ] && SLACK_MS=1000

WORK=""
PIDS=()
CASE=""

log() { printf '[%s] %s\n' "$CASE" "$*"; }

dump_logs() {
    [ -n "$WORK" ] && [ -d "$WORK" ] || return 0
    local f
    for f in "$WORK"/*; do
        [ -f "$f" ] || continue
        printf '\n----- %s -----\n' "$(basename "$f")" >&2
        case "$f" in
        *screen*|*sipp.out) tail -n 40 "$f" >&2 ;;
        *) head -c 60000 "$f" >&2 ;;
        esac
    done
}

cleanup() {
    local rc=$?
    local pid
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
        echo "[$CASE] FAILED" >&2
        dump_logs
        if [ -n "$FAIL_REASON" ]; then echo "[$CASE] check failed: $FAIL_REASON" >&2; fi
    elif [ -n "${INTEROP_VERBOSE:-}" ]; then
        dump_logs
    fi
    [ -n "$WORK" ] && rm -rf "$WORK"
    exit "$rc"
}

# The reason is said again after the logs that cleanup prints, so that it is
# in the last lines meson keeps of a failed test.
FAIL_REASON=
fail() {
    FAIL_REASON="$*"
    echo "[$CASE] check failed: $*" >&2
    exit 1
}

skip() {
    echo "[$CASE] skipped: $*"
    exit 77
}

# ---------------------------------------------------------------------------
# Processes

# port_in_use, nap and log_has: poll.sh
# shellcheck source=poll.sh
. "$HERE/poll.sh"

have_proc_udp() {
    [ -r /proc/net/udp ]
}

# free_port HOST: a UDP port nobody is bound to right now on HOST, below the
# kernel's ephemeral range so that no client socket takes it meanwhile.
free_port() {
    if [[ "$1" == *:* ]] && have_proc_udp && ! grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null; then
        return 1 # no ::1 here
    fi
    if have_proc_udp; then
        local p i
        for i in $(seq 1 200); do
            p=$((20000 + (RANDOM * 7 + i) % 12000))
            if ! port_in_use "$p"; then
                echo "$p"
                return 0
            fi
        done
        return 1
    fi
    python3 - "$1" <<'PY'
import socket, sys
host = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((host, 0))
print(s.getsockname()[1])
s.close()
PY
}

# wait_bound HOST PORT: until something listens there (at most 10 s).
wait_bound() {
    if have_proc_udp; then
        local i
        for i in $(seq 1 200); do
            port_in_use "$2" && return 0
            nap 0.05
        done
        return 1
    fi
    python3 - "$1" "$2" <<'PY'
import socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
for _ in range(200):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        s.bind((host, port))
    except OSError:
        sys.exit(0)
    finally:
        s.close()
    time.sleep(0.05)
sys.exit(1)
PY
}

# start NAME CMD...: run CMD in the background under timeout, output in
# $WORK/NAME.log; its PID goes into the variable NAME_PID.
start() {
    local name=$1
    shift
    timeout -k 5 "$PROC_TIMEOUT" "$@" >"$WORK/$name.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    printf -v "${name}_PID" '%s' "$pid"
}

# finish NAME: wait for the process started as NAME; its status goes into
# the variable NAME_RC.
finish() {
    local name=$1 pidvar="${1}_PID" rc=0
    wait "${!pidvar}" || rc=$?
    printf -v "${name}_RC" '%s' "$rc"
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        fail "$name did not finish within ${PROC_TIMEOUT}s"
    fi
}

# The examples with the ladder on. prack-uas stays after its --calls N for
# the life of its transactions (--linger, 64*T1 by default); the cases end it
# at once unless they pass --linger themselves. Other stacks' UASes (run by
# stacks.sh) have no such option.
uas_no_linger() {
    # the help text whole, then the search: `--help | grep -q` would let
    # the program die of SIGPIPE once grep has its match (pipefail)
    local help
    help=$("$1" --help 2>/dev/null || true)
    if [[ "$help" == *--linger* ]]; then echo "--linger 0"; fi
}
start_uas() {
    local quick
    read -r -a quick <<<"$(uas_no_linger "$UAS")"
    start uas "${VG[@]+"${VG[@]}"}" "$UAS" "${quick[@]+"${quick[@]}"}" "$@"
}
start_uac() { start uac "${VG[@]+"${VG[@]}"}" "$UAC" "$@"; }

SIPP_COMMON=()
sipp_common() {
    SIPP_COMMON=(-m 1 -nostdin -timeout 30s -timeout_error
        -trace_err -error_file "$WORK/sipp-errors.log"
        -trace_msg -message_file "$WORK/sipp-messages.log"
        -trace_logs -log_file "$WORK/sipp-actions.log"
        -trace_screen -screen_file "$WORK/sipp-screen.log")
}

# start_sipp_uac SCENARIO HOST PORT [ARGS...]: SIPp calls HOST:PORT.
start_sipp_uac() {
    local scen=$1 host=$2 port=$3 target
    shift 3
    sipp_common
    target="$host:$port"
    [[ "$host" == *:* ]] && target="[$host]:$port"
    start sipp "$SIPP" "$target" -sf "$HERE/$scen" -s bob -i "$host" -bind_local \
        -p "$(free_port "$host")" "${SIPP_COMMON[@]}" "$@"
}

# start_sipp_uas SCENARIO HOST PORT [ARGS...]: SIPp answers on HOST:PORT.
start_sipp_uas() {
    local scen=$1 host=$2 port=$3
    shift 3
    sipp_common
    start sipp "$SIPP" -sf "$HERE/$scen" -i "$host" -bind_local -p "$port" \
        "${SIPP_COMMON[@]}" "$@"
    wait_bound "$host" "$port" || fail "sipp did not bind $host:$port"
}

# ---------------------------------------------------------------------------
# Checks

expect_rc() { # NAME WANT
    local got="${1}_RC"
    [ "${!got}" -eq "$2" ] || fail "$1 exited ${!got}, expected $2"
}

# expect_result NAME key=value...: fields of the RESULT line of NAME.log.
expect_result() {
    local name=$1 line kv
    shift
    line=$(grep '^RESULT ' "$WORK/$name.log" | tail -n 1) || fail "$name printed no RESULT line"
    for kv in "$@"; do
        [[ " $line " == *" $kv "* ]] || fail "$name: expected $kv in '$line'"
    done
}

expect_grep() { # NAME REGEX [what]
    grep -Eq -- "$2" "$WORK/$1.log" || fail "${3:-$1.log lacks /$2/}"
}

expect_no_grep() { # NAME REGEX [what]
    ! grep -Eq -- "$2" "$WORK/$1.log" || fail "${3:-$1.log has /$2/}"
}

expect_count() { # NAME REGEX N
    local n
    n=$(grep -Ec -- "$2" "$WORK/$1.log" || true)
    [ "$n" -eq "$3" ] || fail "$1.log: /$2/ appears $n times, expected $3"
}

# line_of NAME REGEX: line number of the first match (0 when none).
line_of() {
    local n
    n=$(grep -En -m 1 -- "$2" "$WORK/$1.log" | cut -d: -f1)
    echo "${n:-0}"
}

# expect_after NAME REGEX1 REGEX2: some REGEX2 line comes after the first REGEX1 line.
expect_after() {
    local a
    a=$(line_of "$1" "$2")
    [ "$a" -gt 0 ] || fail "$1.log lacks /$2/"
    # grep -c reads to the end: with -q, tail could die of SIGPIPE (pipefail)
    [ "$(tail -n "+$((a + 1))" "$WORK/$1.log" | grep -Ec -- "$3")" -gt 0 ] ||
        fail "$1.log: no /$3/ after /$2/ (line $a)"
}

# expect_before NAME REGEX1 REGEX2: the first REGEX1 line comes before the first REGEX2 line.
expect_before() {
    local a b
    a=$(line_of "$1" "$2")
    b=$(line_of "$1" "$3")
    [ "$a" -gt 0 ] || fail "$1.log lacks /$2/"
    [ "$b" -gt 0 ] || fail "$1.log lacks /$3/"
    [ "$a" -lt "$b" ] || fail "$1.log: /$2/ (line $a) is not before /$3/ (line $b)"
}

# expect_times NAME REGEX "T0 T1 ..." [TOL]: as many lines match REGEX as the
# list has entries, and their ladder time stamps (first column, ms), from the
# TIMES_FROM-th on and relative to it, equal the list's (relative to its
# TIMES_FROM-th entry) within TOL ms.
expect_times() {
    local name=$1 re=$2 want=$3 tol=${4:-$TOL_MS} got
    got=$(grep -E -- "$re" "$WORK/$name.log" | awk 'NR == 1 { t0 = $1 } { printf "%d ", $1 - t0 + 0.5 }')
    log "times of /$re/: $got(expected $want, measured from send $TIMES_FROM)"
    awk -v got="$got" -v want="$want" -v tol="$tol" -v k="$TIMES_FROM" 'BEGIN {
        n = split(got, g, " "); m = split(want, w, " ")
        if (n != m || k > n) exit 1
        for (i = k; i <= n; i++) { d = g[i] - g[k] - (w[i] - w[k]); if (d < -tol || d > tol) exit 1 }
    }' || fail "$name: times of /$re/ are '$got', expected '$want' (+-$tol ms from send $TIMES_FROM)"
}

# time_of NAME REGEX [N]: ladder time of the Nth matching line (default the first).
time_of() {
    grep -E -- "$2" "$WORK/$1.log" | sed -n "${3:-1}p" | awk '{ print $1 }'
}

# expect_gap NAME FROM-REGEX TO-REGEX MS "T0 T1 ...": the first TO-REGEX line
# comes MS after the first FROM-REGEX line (within TOL_MS), FROM-REGEX matching
# a series of sends at the times listed: measured from its TIMES_FROM-th send.
expect_gap() {
    local name=$1 from=$2 to=$3 ms=$4 sched=$5 a b want
    a=$(time_of "$name" "$from" "$TIMES_FROM")
    b=$(time_of "$name" "$to")
    [ -n "$a" ] && [ -n "$b" ] || fail "$name.log lacks /$from/ or /$to/"
    want=$(awk -v s="$sched" -v k="$TIMES_FROM" -v ms="$ms" 'BEGIN { split(s, w, " "); print ms - w[k] }')
    log "/$to/ $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", b - a }') ms after /$from/ number $TIMES_FROM (expected $want)"
    awk -v a="$a" -v b="$b" -v want="$want" -v tol="$TOL_MS" 'BEGIN { d = b - a - want; exit !(d >= -tol && d <= tol) }' ||
        fail "/$to/ $(awk -v a="$a" -v b="$b" 'BEGIN { print b - a }') ms after /$from/ number $TIMES_FROM, expected $want"
}

# RSeq values of the reliable 1xx a log shows being sent/received for the
# first time, in order.
rseqs() {
    grep -E 'RSeq=' "$WORK/$1.log" | grep -v retransmission | sed -E 's/.*RSeq=([0-9]+).*/\1/'
}

expect_consecutive_rseq() { # NAME N
    local vals first i=0 v
    vals=$(rseqs "$1")
    [ "$(printf '%s\n' "$vals" | grep -c .)" -eq "$2" ] || fail "$1: expected $2 reliable 1xx, got: $vals"
    first=${vals%%$'\n'*}
    for v in $vals; do
        [ "$v" -eq $((first + i)) ] || fail "$1: RSeq values not consecutive: $vals"
        i=$((i + 1))
    done
    if [ "$first" -lt 1 ] || [ "$first" -gt 2147483647 ]; then
        fail "$1: first RSeq $first out of 1..2^31-1"
    fi
}

# ---------------------------------------------------------------------------
# Cases: prack-uas driven by SIPp (SIPp is the caller)

uas_basic() { # OPTION-HEADER
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --provisional 183:sdp,180 --answer-after 500 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-basic.xml 127.0.0.1 "$port" -key ext "$1"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2
    expect_consecutive_rseq uas 2
    expect_grep uas '183 Session Progress RSeq=[0-9]+ \(reliable, SDP answer\)'
    expect_grep uas '180 Ringing RSeq=[0-9]+ \(reliable\)'
}

case_uas_supported() { uas_basic "Supported: 100rel"; }
case_uas_require() { uas_basic "Require: 100rel"; }

# CSeq numbers near 2**32 (RFC 3261 20.16): the INVITE, both PRACKs, the
# RAck CSeq-num, ACK and BYE; nothing may be refused as out of range.
case_uas_high_cseq() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --provisional 183:sdp,180 --answer-after 500 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-high-cseq.xml 127.0.0.1 "$port" -key ext "Supported: 100rel"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2
    expect_count uas 'UAC -> UAS  PRACK RAck=[0-9]+ 4294967291 INVITE$' 2
    expect_count uas 'UAC <- UAS  200 OK \(to PRACK\)$' 2
    expect_no_grep uas 'UAC <- UAS  (400|481|500) ' "a request with a large CSeq was refused"
}

case_uas_offer_in_183() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --provisional 183,180 --answer-after 500 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-offer-in-183.xml 127.0.0.1 "$port"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2
    expect_grep uas '183 Session Progress RSeq=[0-9]+ \(reliable, SDP offer\)'
    expect_grep uas 'PRACK RAck=[0-9]+ 1 INVITE \(SDP answer\)'
    expect_grep uas 'offer/answer complete'
}

case_uas_no_prack_timing() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --t1 50 --provisional 183:sdp --answer-after 20000 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-no-prack.xml 127.0.0.1 "$port"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 1 # the call ended with the timeout 5xx, not the 200 asked for
    expect_result uas calls=1 ok=0 final=504 prack_rcvd=0 rel1xx=1
    # first send and six retransmissions, T1 doubling (no T2 cap), same RSeq
    expect_times uas 'UAC <- UAS  183 ' "0 50 150 350 750 1550 3150"
    [ "$(grep -E 'UAC <- UAS  183 ' "$WORK/uas.log" | sed -E 's/.*RSeq=([0-9]+).*/\1/' | sort -u | wc -l)" -eq 1 ] ||
        fail "the retransmissions changed the RSeq"
    # the 504 at 64*T1 = 3200 ms after the first 183
    expect_gap uas 'UAC <- UAS  183 ' 'UAC <- UAS  504 ' 3200 "0 50 150 350 750 1550 3150"
}

case_uas_wrong_rack() {
    local port
    port=$(free_port 127.0.0.1)
    # T1 of 2 s: no retransmission of the 183 while SIPp takes its time
    start_uas --bind "127.0.0.1:$port" --t1 2000 --provisional 183:sdp --answer-after 300 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-wrong-rack.xml 127.0.0.1 "$port"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=5 rel1xx=1
    expect_count uas '481 Call/Transaction Does Not Exist \(to PRACK, RAck matches no unacknowledged' 3
    expect_count uas '400 Bad Request \(to PRACK, missing or malformed RAck\)' 1
    # the 2xx was held by the unacknowledged 183 with SDP, then released
    expect_grep uas '200 held until PRACK for RSeq [0-9]+ \(that 1xx carries SDP\)'
    expect_grep uas '200 released: RSeq [0-9]+ PRACKed'
    expect_grep uas 'UAC <- UAS  200 OK \(SDP repeated, released by the PRACK\)'
}

case_uas_require_421() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --100rel required --provisional 183:sdp --answer-after 200 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-421.xml 127.0.0.1 "$port"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0 # the 421 invited the retry, which completed
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=1 rel1xx=1
    expect_grep uas '421 Extension Required \(Require: 100rel\)'
}

case_uas_unsupported_420() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --100rel off --provisional 180 --answer-after 200 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-420.xml 127.0.0.1 "$port"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=0 rel1xx=0
    expect_grep uas '420 Bad Extension \(Unsupported: 100rel\)'
}

case_uas_retransmissions() {
    local port
    port=$(free_port 127.0.0.1)
    # a long T1 keeps the engine's own retransmissions out of the way
    start_uas --bind "127.0.0.1:$port" --t1 2000 --provisional 183:sdp,180 --answer-after 2500 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-retransmissions.xml 127.0.0.1 "$port" -nr
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=4 rel1xx=2
    expect_consecutive_rseq uas 2
    expect_grep uas 'UAC -> UAS  INVITE .*retransmission'
    expect_grep uas 'UAC <- UAS  183 Session Progress RSeq=[0-9]+ \(reliable, SDP, retransmission\)'
    expect_count uas 'UAC <- UAS  183 ' 2
    # the PRACK for the 183 three times: answered once by the engine, twice
    # again by the transaction layer (the last time after the 180's PRACK)
    expect_count uas 'UAC -> UAS  PRACK RAck=[0-9]+ 1 INVITE \(retransmission\)' 2
    expect_count uas 'UAC <- UAS  200 OK \(to PRACK, retransmission\)' 2
    expect_count uas 'UAC <- UAS  200 OK \(to PRACK\)$' 2
    # new PRACKs for acknowledged RSeqs: 481 from the engine (R16), never a 200
    expect_count uas 'UAC <- UAS  481 Call/Transaction Does Not Exist \(to PRACK, RAck matches no unacknowledged' 2
    expect_no_grep uas 'the PRACK again' "the engine, not the transaction layer, saw a retransmitted PRACK"
}

case_uas_cancel() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --provisional 183:sdp --answer-after 10000 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-cancel.xml 127.0.0.1 "$port"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 1 # cancelled: not the 200 it was told to give
    expect_result uas calls=1 ok=0 final=487 prack_rcvd=1 rel1xx=1
    expect_grep uas '487 Request Terminated \(cancelled\)'
    expect_grep uas '200 OK \(to PRACK\)'
}

case_uas_prack_401() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --auth alice:secret --provisional 183:sdp --answer-after 300 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-auth.xml 127.0.0.1 "$port"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=1
    expect_count uas '401 Unauthorized' 2
    expect_grep uas 'PRACK RAck=[0-9]+ 2 INVITE \(with credentials\)'
}

case_uas_malformed() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --provisional 183:sdp --answer-after 200 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    # datagrams SIPp cannot send: each gets no answer, or the status given
    python3 - "$port" >"$WORK/junk.log" 2>&1 <<'PY' || fail "junk datagrams: $(cat "$WORK/junk.log")"
import os, socket, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(0.3)
me = "127.0.0.1:%d" % s.getsockname()[1]
def req(start, headers, body=b""):
    return (start + "\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n").encode() + body
base = ["Via: SIP/2.0/UDP %s;branch=z9hG4bKjunk;rport" % me, "From: <sip:junk@%s>;tag=j1" % me,
        "To: <sip:bob@127.0.0.1>", "Call-ID: junk-%d" % os.getpid()]
cases = [
    ("keep-alive", b"\r\n\r\n", None),
    ("no start line", b"hello world\r\n\r\n", None),
    ("noise", os.urandom(700), None),
    ("cut short", req("INVITE sip:bob@127.0.0.1 SIP/2.0", base)[:-2], None),
    ("bad CSeq", req("INVITE sip:bob@127.0.0.1 SIP/2.0", base + ["CSeq: one INVITE", "Content-Length: 0"]), 400),
    ("CSeq method mismatch", req("INVITE sip:bob@127.0.0.1 SIP/2.0", base + ["CSeq: 1 BYE", "Content-Length: 0"]), 400),
    ("too many headers", req("INVITE sip:bob@127.0.0.1 SIP/2.0", base + ["CSeq: 1 INVITE"] + ["X-Filler: y"] * 200), 400),
    ("no Via", req("INVITE sip:bob@127.0.0.1 SIP/2.0", base[1:] + ["CSeq: 1 INVITE", "Content-Length: 0"]), None),
    ("SIP/3.0", req("INVITE sip:bob@127.0.0.1 SIP/3.0", base + ["CSeq: 1 INVITE", "Content-Length: 0"]), 505),
    ("malformed ACK", req("ACK sip:bob@127.0.0.1 SIP/2.0", base + ["CSeq: x ACK"]), None),
    ("stray response", req("SIP/2.0 200 OK", base + ["CSeq: 1 INVITE", "Content-Length: 0"]), None),
    ("PRACK, no dialog", req("PRACK sip:bob@127.0.0.1 SIP/2.0", base[:2] + ["To: <sip:bob@127.0.0.1>;tag=none", base[3], "CSeq: 2 PRACK", "RAck: 1 1 INVITE", "Content-Length: 0"]), 481),
    ("ACK, no dialog", req("ACK sip:bob@127.0.0.1 SIP/2.0", base[:2] + ["To: <sip:bob@127.0.0.1>;tag=none", base[3], "CSeq: 1 ACK", "Content-Length: 0"]), None),
]
bad = 0
for name, data, want in cases:
    s.sendto(data, ("127.0.0.1", port))
    try:
        got = int(s.recv(65536).split(b" ", 2)[1])
    except socket.timeout:
        got = None
    print("%-22s -> %s (expected %s)" % (name, got, want))
    bad += got != want
sys.exit(1 if bad else 0)
PY
    cat "$WORK/junk.log"
    start_sipp_uac sipp-uac-malformed.xml 127.0.0.1 "$port"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=1 rel1xx=1
    expect_grep uas 'dropped: Malformed start line'
    expect_grep uas '400 Malformed or missing From'
    expect_grep uas '400 Bad Content-Length'
    expect_count uas '481 Call/Transaction Does Not Exist' 3
    expect_grep uas '501 Not Implemented'
}

case_uas_load() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --provisional 183:sdp,180 --answer-after 500 --calls 60 --quiet
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-basic.xml 127.0.0.1 "$port" -key ext "Supported: 100rel" -m 60 -r 30 -l 60
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=60 ok=60 final=200 prack_rcvd=120 rel1xx=120
}

case_uas_ipv6() {
    local port
    port=$(free_port ::1 2>/dev/null) || skip "no IPv6 loopback"
    start_uas --bind "[::1]:$port" --provisional 183:sdp,180 --answer-after 500 --calls 1
    wait_bound ::1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-basic.xml ::1 "$port" -key ext "Require: 100rel"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2
    expect_grep uas 'INVITE sip:bob@\[::1\]'
}

# RFC 3261 17.2.3: the ACK of a non-2xx final matches the INVITE transaction
# by branch, sent-by and method, not by dialog. SIPp's ACK of the 486 has
# another From tag; the 486 must not be retransmitted after it (T1 100 ms:
# retransmissions at 100, 300, 700 ms while SIPp waits 1.2 s) nor end on
# Timer H, and prack-uas stays 1 s to show it.
case_uas_ack_other_from_tag() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --t1 100 --provisional none --answer-after 0 --final 486 \
        --calls 1 --linger 1000
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-ack-other-tag.xml 127.0.0.1 "$port"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=486
    expect_count uas 'UAC <- UAS  486 ' 1
    expect_count uas 'UAC -> UAS  ACK$' 1
    expect_no_grep uas 'Timer H|no dialog' "the ACK with another From tag was not matched to the transaction"
}

# After --calls N, prack-uas lingers for the life of its transactions: a
# PRACK and a BYE retransmitted after the call ended still get their 200
# (RFC 3261 17.2.2), then it exits by itself once Timer J (64*T1, 3.2 s at
# T1 50 ms) has run out. Started without run.sh's --linger 0.
case_uas_linger_after_calls() {
    local port
    port=$(free_port 127.0.0.1)
    start uas "${VG[@]+"${VG[@]}"}" "$UAS" --bind "127.0.0.1:$port" --t1 50 --provisional 183:sdp \
        --answer-after 300 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-prack-after-end.xml 127.0.0.1 "$port"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=1 rel1xx=1
    # after the call ended: SIPp's late PRACK and BYE get their 200s again.
    # (Under valgrind SIPp may also resend the first PRACK or BYE during the
    # call, so what counts is what comes after the 200 to the BYE.)
    expect_after uas 'UAC <- UAS  200 OK \(to BYE\)$' 'UAC -> UAS  PRACK .*retransmission'
    expect_after uas 'UAC <- UAS  200 OK \(to BYE\)$' 'UAC <- UAS  200 OK \(to PRACK, retransmission\)'
    expect_after uas 'UAC <- UAS  200 OK \(to BYE\)$' 'UAC <- UAS  200 OK \(to BYE, retransmission\)'
    expect_no_grep uas '481 ' "a retransmission after the call was answered 481"
}

# A re-INVITE runs its own reliable provisionals (RFC 3262 on a re-INVITE,
# RFC 3261 14): the engine of the re-INVITE sends a reliable 183 with an RSeq
# of its own (R10, R11, R14, N5), the PRACK whose RAck names the re-INVITE's
# CSeq gets 200 (N2, R17), the 2xx follows, and the dialog goes on to the BYE.
# KEYS: the CSeq numbers of the scenario (ci cp cr cq cb).
uas_reinvite() { # RE-INVITE-OPTION-HEADER CI CP CR CQ CB
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --provisional 183:sdp --answer-after 300 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-reinvite-100rel.xml 127.0.0.1 "$port" -key ext "Supported: 100rel" \
        -key rext "$1" -key ci "$2" -key cp "$3" -key cr "$4" -key cq "$5" -key cb "$6"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2 reinvites=1 reinvite_final=200
    expect_grep uas "UAC -> UAS  INVITE .*\\(${1}, SDP offer, re-INVITE\\)"
    expect_grep uas "UAC -> UAS  PRACK RAck=[0-9]+ $2 INVITE"
    expect_grep uas "UAC -> UAS  PRACK RAck=[0-9]+ $4 INVITE"
    expect_count uas 'UAC <- UAS  183 Session Progress RSeq=[0-9]+ \(reliable, SDP answer\)$' 2
    expect_count uas 'UAC <- UAS  200 OK \(to PRACK\)$' 2
    expect_before uas "PRACK RAck=[0-9]+ $4 INVITE" 'UAC <- UAS  200 OK \(to BYE\)'
    expect_no_grep uas 'UAC <- UAS  (4|5)[0-9][0-9] ' "a request of the call was refused"
}

case_uas_reinvite_100rel() { uas_reinvite "Require: 100rel" 1 2 3 4 5; }

# The same call with CSeq numbers at the top of their range: INVITE
# 4294967290, re-INVITE 4294967295 (RFC 3261 8.1.1.5: only the first request
# stays below 2**31), the RAck of its PRACK carrying 4294967295 (N2, N12);
# the PRACK and BYE repeat 4294967295, as nothing is higher (12.2.2 refuses
# only a lower number). Nothing wraps, nothing is refused.
case_uas_reinvite_cseq_max() {
    uas_reinvite "Supported: 100rel" 4294967290 4294967291 4294967295 4294967295 4294967295
    expect_grep uas 'PRACK RAck=[0-9]+ 4294967295 INVITE'
}

# The re-INVITE's reliable 183 is never PRACKed: retransmitted from T1,
# doubling (N1), then a 5xx to the re-INVITE at 64*T1 replacing the held 2xx
# (R20, R27); SIPp ACKs it and the dialog is still up: the BYE gets 200.
case_uas_reinvite_no_prack() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --t1 50 --provisional 183:sdp --answer-after 300 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-reinvite-no-prack.xml 127.0.0.1 "$port" -key ext "Supported: 100rel" \
        -key ci 1 -key cp 2
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=1 rel1xx=2 reinvites=1 reinvite_final=504
    expect_grep uas 'UAC <- UAS  504 Server Time-out \(no PRACK within 64\*T1, replaces the held 2xx\)'
    expect_grep uas 're-INVITE rejected with 504: the call goes on'
    expect_before uas 'UAC <- UAS  504 ' 'UAC <- UAS  200 OK \(to BYE\)'
    local t183 t504
    t183=$(time_of uas 'UAC <- UAS  183 .*\(reliable, SDP answer\)' 2)
    t504=$(time_of uas 'UAC <- UAS  504 ')
    awk -v a="$t183" -v b="$t504" -v tol="$TOL_MS" -v slack="$SLACK_MS" \
        'BEGIN { d = b - a - 3200; exit !(d >= -tol && d <= tol + slack) }' ||
        fail "the 504 came $(awk -v a="$t183" -v b="$t504" 'BEGIN { print b - a }') ms after the re-INVITE's 183, not 64*T1 = 3200"
}

# A re-INVITE cancelled while its reliable 183 waits for a PRACK: the CANCEL,
# matched to the re-INVITE by branch and sent-by (RFC 3261 9.2), gets 200, the
# re-INVITE 487 with its reliable 183 still unacknowledged (R26: a non-2xx
# final need not wait for the PRACK); the dialog stays, and the BYE after the
# ACK gets 200.
case_uas_reinvite_cancel() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --provisional 183:sdp --answer-after 300 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-reinvite-cancel.xml 127.0.0.1 "$port" -key ext "Supported: 100rel" \
        -key ci 1 -key cp 2
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=1 rel1xx=2 reinvites=1 reinvite_final=487
    expect_grep uas 'UAC <- UAS  200 OK \(to CANCEL\)'
    expect_grep uas 'UAC <- UAS  487 Request Terminated \(cancelled'
    expect_grep uas 're-INVITE rejected with 487: the call goes on'
    expect_before uas 'UAC <- UAS  487 ' 'UAC <- UAS  200 OK \(to BYE\)'
    expect_no_grep uas '481 ' "a request of the call was answered 481"
}

# A second re-INVITE while the first is pending gets 500 with Retry-After
# 0..10 (RFC 3261 14.2), one with a lower CSeq 500 (12.2.2); the first goes
# on: its 2xx waits for the PRACK of its SDP-bearing 183 (R27), which names
# CSeq 10 in RAck (N2).
case_uas_reinvite_overlap() {
    local port
    port=$(free_port 127.0.0.1)
    # T1 of 2 s: no retransmission of the 183 while SIPp takes its time
    start_uas --bind "127.0.0.1:$port" --t1 2000 --provisional 183:sdp --answer-after 200 \
        --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-reinvite-overlap.xml 127.0.0.1 "$port" -key ext "Supported: 100rel" \
        -key ci 1 -key cp 2
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2 reinvites=1 reinvite_final=200
    expect_count uas 'UAC <- UAS  500 Request Pending' 1
    expect_count uas 'UAC <- UAS  500 CSeq Out of Order$' 1
    expect_count uas 'UAC -> UAS  ACK \(not for the INVITE in progress\)' 2
    expect_before uas '200 held until PRACK' 'UAC -> UAS  PRACK RAck=[0-9]+ 10 INVITE'
    expect_grep uas 'UAC <- UAS  200 OK \(SDP repeated, released by the PRACK\)$'
    expect_no_grep uas 'UAC <- UAS  491 ' "491 is for glare, not for an overlapping INVITE"
}

# --hangup-after MS: the callee sends the BYE MS after the ACK of its 2xx;
# SIPp answers it 200 and the call counts as a success.
case_uas_hangup_after() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --provisional 183:sdp --answer-after 300 --hangup-after 400 \
        --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac sipp-uac-bye-from-uas.xml 127.0.0.1 "$port"
    finish sipp
    finish uas
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=1 rel1xx=1
    expect_grep uas 'UAC <- UAS  BYE \(hanging up\)'
    expect_grep uas 'UAC -> UAS  200 OK \(to BYE\)'
    expect_no_grep uas 'UAC -> UAS  BYE' "SIPp hung up, not prack-uas"
    # MS after the ACK (later by at most the tolerance, and under valgrind
    # by its first translation of the path as well)
    local t_ack t_bye
    t_ack=$(time_of uas 'UAC -> UAS  ACK')
    t_bye=$(time_of uas 'UAC <- UAS  BYE')
    log "BYE $(awk -v a="$t_ack" -v b="$t_bye" 'BEGIN { printf "%.0f", b - a }') ms after the ACK (expected 400)"
    awk -v a="$t_ack" -v b="$t_bye" -v tol="$TOL_MS" -v slack="$SLACK_MS" \
        'BEGIN { d = b - a - 400; exit !(d >= -tol && d <= tol + slack) }' ||
        fail "the BYE came $(awk -v a="$t_ack" -v b="$t_bye" 'BEGIN { print b - a }') ms after the ACK, not 400"
}

# SDP offer/answer (RFC 3264) of prack-uas: the answer follows the offer.
uas_sdp_case() { # SCENARIO: one call, a reliable 183 with SDP, the 200 held until its PRACK
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --provisional 183:sdp --answer-after 0 --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_sipp_uac "$1" 127.0.0.1 "$port"
    finish sipp
    finish uas
}

case_uas_sdp_pcma_inactive() {
    uas_sdp_case sipp-uac-pcma-inactive.xml
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=1 rel1xx=1
    # neither the 183 nor the 200 fell back to PCMU or sendrecv
    expect_no_grep sipp-messages 'PCMU|sendrecv'
}

case_uas_sdp_no_common_488() {
    uas_sdp_case sipp-uac-no-common-codec.xml
    expect_rc sipp 0
    expect_rc uas 1 # the call ended with the 488
    expect_result uas calls=1 ok=0 final=488 prack_rcvd=0 rel1xx=0
    expect_grep uas 'SDP offer refused: 305 Incompatible media format'
    expect_grep uas 'UAC <- UAS  488 Not Acceptable Here'
    expect_no_grep uas 'UAC <- UAS  1[0-9][0-9] .*SDP'
}

case_uas_sdp_malformed_488() {
    uas_sdp_case sipp-uac-malformed-sdp.xml
    expect_rc sipp 0
    expect_rc uas 1 # the call ended with the 488
    expect_result uas calls=1 ok=0 final=488 prack_rcvd=0 rel1xx=0
    expect_grep uas 'SDP offer refused: 399 SDP: malformed m= line'
}

# An offer in a PRACK with nothing in common: the PRACK matches the 183, so
# it gets 200 (R17) with an answer refusing the stream (RFC 3264 6), and the
# INVITE ends with 488 (RFC 6337 2.3), not with the 200 held for that PRACK.
case_uas_sdp_prack_offer_488() {
    uas_sdp_case sipp-uac-prack-offer-488.xml
    expect_rc sipp 0
    expect_rc uas 1 # the call ended with the 488
    expect_result uas calls=1 ok=0 final=488 prack_rcvd=1 rel1xx=1
    expect_grep uas 'SDP offer refused: 305 Incompatible media format'
    expect_grep uas 'UAC <- UAS  200 OK \(to PRACK, SDP answer, every stream refused\)'
    expect_before uas 'UAC <- UAS  200 OK \(to PRACK' 'UAC <- UAS  488 Not Acceptable Here'
    expect_count uas 'UAC <- UAS  488 Not Acceptable Here' 1
    expect_count uas 'UAC <- UAS  200 OK' 1
    expect_no_grep uas 'UAC <- UAS  4[0-9][0-9] .*to PRACK'
}

# Offers in re-INVITEs go through the same answer: AMR only gets 488 and
# leaves the call as it was (RFC 3261 14.2), PCMA sendonly gets PCMA
# recvonly; the call's outcome stays the INVITE's 200.
case_uas_sdp_reinvite_488() {
    uas_sdp_case sipp-uac-reinvite-sdp.xml
    expect_rc sipp 0
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=1 rel1xx=1 reinvites=2 reinvite_final=200
    expect_count uas 'SDP offer refused: 305 Incompatible media format' 1
    expect_count uas 'UAC <- UAS  488 Not Acceptable Here' 1
    # its ACK ended the re-INVITE: the next one got 200, not 491
    expect_no_grep uas 'UAC <- UAS  491 |Timer H'
}

# ---------------------------------------------------------------------------
# Cases: prack-uac driven by SIPp (SIPp is the callee)

uac_vs_sipp() { # SCENARIO UAC-ARGS...: start SIPp, run prack-uac against it
    local scen=$1 port
    shift
    port=$(free_port 127.0.0.1)
    start_sipp_uas "$scen" 127.0.0.1 "$port"
    start_uac "sip:bob@127.0.0.1:$port" "$@"
    finish uac
    finish sipp
}

uac_basic() { # --100rel MODE, expected log line
    uac_vs_sipp sipp-uas-basic.xml --100rel "$1"
    expect_rc sipp 0
    expect_rc uac 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=2 rel1xx=2
    expect_grep sipp-actions "$2"
    expect_grep uac 'INVITE sip:bob@127.0.0.1:[0-9]+ \((Supported|Require): 100rel, SDP offer\)'
    expect_grep uac '183 Session Progress RSeq=1000 \(reliable, SDP answer\)'
    expect_grep uac 'PRACK RAck=1000 1 INVITE'
    expect_grep uac 'PRACK RAck=1001 1 INVITE'
}

case_uac_supported() { uac_basic supported 'supported=100rel require=$'; }
case_uac_require() { uac_basic required 'supported= require=100rel'; }

case_uac_offer_in_183() {
    uac_vs_sipp sipp-uas-offer-in-183.xml --sdp no
    expect_rc sipp 0
    expect_rc uac 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=1 rel1xx=1
    expect_grep uac '183 Session Progress RSeq=2000 \(reliable, SDP offer\)'
    expect_grep uac 'PRACK RAck=2000 1 INVITE \(SDP answer\)'
}

# RFC 3264 6 on prack-uac's side: an offer in the 183 answered in the PRACK.
case_uac_sdp_offer_pcma_sendonly() {
    uac_vs_sipp sipp-uas-offer-pcma-sendonly.xml --sdp no
    expect_rc sipp 0
    expect_rc uac 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=1 rel1xx=1
    expect_grep uac 'PRACK RAck=2000 1 INVITE \(SDP answer\)'
    # the answer fell back neither to PCMU nor to sendrecv
    expect_no_grep sipp-messages 'PCMU|sendrecv'
}

case_uac_prack_timer_e() {
    uac_vs_sipp sipp-uas-prack-timeout.xml --t1 50
    expect_rc sipp 0
    expect_rc uac 0 # observe: a failed PRACK does not fail the call
    expect_result uac calls=1 ok=1 final=200 prack_sent=1 rel1xx=1
    # Timer E: T1, doubling up to T2 (4 s, not reached here); Timer F at 64*T1
    expect_times uac 'UAC -> UAS  PRACK ' "0 50 150 350 750 1550 3150"
    expect_gap uac 'UAC -> UAS  PRACK ' 'PRACK timed out' 3200 "0 50 150 350 750 1550 3150"
    expect_grep uac 'PRACK for RSeq 77 failed with 408'
}

case_uac_invite_timer_a() {
    local tinv tans
    uac_vs_sipp sipp-uas-late-answer.xml --t1 50
    expect_rc sipp 0
    expect_rc uac 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=1 rel1xx=1
    # Timer A: T1, doubling, no cap for INVITE; SIPp answers after 2300 ms,
    # halfway between the last retransmission expected and the next
    expect_times uac 'UAC -> UAS  INVITE ' "0 50 150 350 750 1550"
    tinv=$(time_of uac 'UAC -> UAS  INVITE ')
    tans=$(time_of uac 'UAC <- UAS  183 ')
    log "first response $(awk -v a="$tinv" -v b="$tans" 'BEGIN { printf "%.0f", b - a }') ms after the INVITE"
}

# A retry after 420/421 is opt-in (--retry), and only ever with the option
# tag the engine suggests: Require after a 421 under supported, Supported
# after a 420 under required, nothing at all under off.

case_uac_421_retry() {
    uac_vs_sipp sipp-uas-421.xml --100rel supported --retry
    expect_rc sipp 0
    expect_rc uac 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=1 rel1xx=1
    expect_grep sipp-actions 'first INVITE option tags: supported=100rel require=$'
    expect_grep uac 'the engine suggests a new INVITE with Require: 100rel$'
    expect_grep uac 'retrying with 100rel required'
    expect_count uac 'UAC -> UAS  INVITE ' 2
    expect_grep uac 'UAC -> UAS  INVITE .*\(Require: 100rel, SDP offer\)'
    expect_grep uac 'PRACK RAck=3000 2 INVITE'
}

case_uac_420_retry() {
    uac_vs_sipp sipp-uas-420.xml --100rel required --retry
    expect_rc sipp 0
    expect_rc uac 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=0 rel1xx=0
    expect_grep uac 'the engine suggests a new INVITE with Supported: 100rel$'
    expect_grep uac 'retrying with 100rel supported'
    expect_count uac 'UAC -> UAS  INVITE ' 2
    expect_grep uac 'UAC -> UAS  INVITE .*\(Supported: 100rel, SDP offer\)'
}

# uac_no_retry CODE REASON UAC-ARGS...: SIPp answers the INVITE with CODE
# about 100rel; prack-uac must ACK it and end the call with it, one INVITE in
# all (sipp-uas-CODE-no-retry.xml fails on a second one).
uac_no_retry() {
    local code=$1 reason=$2
    shift 2
    uac_vs_sipp "sipp-uas-$code-no-retry.xml" "$@"
    expect_rc sipp 0
    expect_rc uac 1 # the call failed with the 420/421
    expect_result uac calls=1 ok=0 final="$code" prack_sent=0 rel1xx=0
    expect_count uac 'UAC -> UAS  INVITE ' 1
    expect_grep uac "UAC <- UAS  $code $reason"
    expect_grep uac 'UAC -> UAS  ACK'
    expect_no_grep uac 'retrying with' "prack-uac retried"
}

# The issue "--100rel off is not off": a 421 must not bring a second INVITE
# with Supported: 100rel, whether or not retries are allowed.
case_uac_421_off() {
    uac_no_retry 421 "Extension Required" --100rel off
    expect_grep sipp-actions 'INVITE option tags: supported= require=$'
    expect_grep uac 'UAC -> UAS  INVITE .*\(no 100rel, SDP offer\)'
    expect_no_grep uac 'UAC -> UAS  INVITE .*(Supported|Require): 100rel' "prack-uac offered 100rel with --100rel off"
    expect_no_grep uac 'engine suggests' "the engine suggested a retry under policy off"
}

case_uac_421_off_retry() {
    uac_no_retry 421 "Extension Required" --100rel off --retry
    expect_grep sipp-actions 'INVITE option tags: supported= require=$'
    expect_grep uac 'UAC -> UAS  INVITE .*\(no 100rel, SDP offer\)'
    expect_no_grep uac 'UAC -> UAS  INVITE .*(Supported|Require): 100rel' "prack-uac offered 100rel with --100rel off"
    expect_no_grep uac 'engine suggests' "the engine suggested a retry under policy off"
}

# Under supported the engine suggests Require after a 421; without --retry the
# call ends with the 421.
case_uac_421_no_retry() {
    uac_no_retry 421 "Extension Required" --100rel supported
    expect_grep sipp-actions 'INVITE option tags: supported=100rel require=$'
    expect_grep uac 'the engine suggests a new INVITE with Require: 100rel; not retrying \(no --retry\)'
}

case_uac_420_no_retry() {
    uac_no_retry 420 "Bad Extension" --100rel required
    expect_grep sipp-actions 'INVITE option tags: supported= require=100rel$'
    expect_grep uac 'the engine suggests a new INVITE with Supported: 100rel; not retrying \(no --retry\)'
}

case_uac_out_of_order() {
    uac_vs_sipp sipp-uas-out-of-order.xml
    expect_rc sipp 0
    expect_rc uac 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=3 rel1xx=3
    expect_grep uac '180 RSeq 1002 not PRACKed: out of order'
    expect_count uac 'PRACK RAck=1002 ' 1
}

case_uac_retransmitted_1xx() {
    uac_vs_sipp sipp-uas-retransmitted-1xx.xml
    expect_rc sipp 0
    expect_rc uac 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=1 rel1xx=1
    expect_grep uac '183 RSeq 500 not PRACKed: retransmission'
    expect_count uac 'UAC -> UAS  PRACK ' 1
}

case_uac_prack_405_observe() {
    uac_vs_sipp sipp-uas-prack-405-observe.xml --on-prack-failure observe
    expect_rc sipp 0
    expect_rc uac 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=1 rel1xx=1
    expect_grep uac 'PRACK for RSeq 1 failed with 405'
    expect_no_grep uac 'CANCEL'
}

case_uac_prack_405_terminate() {
    uac_vs_sipp sipp-uas-prack-405-terminate.xml --on-prack-failure terminate
    expect_rc sipp 0
    expect_rc uac 1 # the call was ended on purpose: it did not succeed
    expect_result uac calls=1 ok=0 final=487 prack_sent=1 rel1xx=1
    expect_grep uac 'PRACK for RSeq 1 failed with 405'
    expect_grep uac 'UAC -> UAS  CANCEL'
}

case_uac_forked() {
    uac_vs_sipp sipp-uas-forked.xml
    expect_rc sipp 0
    expect_rc uac 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=4 rel1xx=4
    expect_grep uac 'UAC -> UAS  PRACK RAck=5000 1 INVITE .*fork 2'
    expect_grep uac 'UAC -> UAS  PRACK RAck=101 1 INVITE .*fork 1'
    expect_grep uac 'UAC -> UAS  PRACK RAck=5001 1 INVITE .*fork 2'
}

case_uac_prack_407() {
    uac_vs_sipp sipp-uas-prack-407.xml --user alice --password secret
    expect_rc sipp 0
    expect_rc uac 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=2 rel1xx=1
    # check the digest independently of both programs
    python3 - "$WORK/sipp-actions.log" <<'PY' || fail "wrong digest response in the PRACK's Proxy-Authorization"
import hashlib, re, sys
text = open(sys.argv[1], encoding="latin-1").read()
m = re.search(r"PRACK Proxy-Authorization:\s*Digest (.*)", text)
if not m:
    sys.exit("no Proxy-Authorization logged")
p = dict((k, v1 or v2) for k, v1, v2 in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]+))', m.group(1)))
h = lambda s: hashlib.md5(s.encode()).hexdigest()
assert p["username"] == "alice" and p["realm"] == "sipp.test" and p["nonce"] == "4ba3b56cd0d1a8f7", p
ha1 = h("alice:sipp.test:secret")
ha2 = h("PRACK:" + p["uri"])
want = h(":".join([ha1, p["nonce"], p["nc"], p["cnonce"], "auth", ha2]))
assert p.get("qop") == "auth" and p["response"] == want, (p, want)
print("digest response verified:", want)
PY
}

# --reinvite-after: prack-uac's re-INVITE (CSeq 3, the dialog's route set,
# an offer, Supported: 100rel) gets a reliable 183 of its own RSeq space
# (RSeq 5000, R14, N5); its PRACK carries RAck "5000 3 INVITE" (N2, N12,
# R37), checked by SIPp; then 200, ACK and the BYE after it.
case_uac_reinvite_100rel() {
    uac_vs_sipp sipp-uas-reinvite-100rel.xml --reinvite-after 200 --hold 100
    expect_rc sipp 0
    expect_rc uac 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=2 rel1xx=2 reinvites=1 reinvite_final=200
    expect_grep uac 'UAC -> UAS  INVITE sip:uas@127.0.0.1:[0-9]+ \(Supported: 100rel, SDP offer, re-INVITE\)'
    expect_grep uac 'UAC <- UAS  183 Session Progress RSeq=5000 \(reliable, SDP answer, re-INVITE\)'
    expect_grep uac 'UAC -> UAS  PRACK RAck=5000 3 INVITE \(re-INVITE\)'
    expect_grep uac 'UAC -> UAS  ACK \(re-INVITE\)'
    expect_before uac 're-INVITE accepted' 'UAC -> UAS  BYE'
}

# Glare (RFC 3261 14.1, 14.2): SIPp's re-INVITE crosses prack-uac's and gets
# 491; SIPp answers prack-uac's 491 as well, which prack-uac ACKs on the
# re-INVITE's branch; the dialog goes on and ends with prack-uac's BYE.
case_uac_reinvite_glare() {
    uac_vs_sipp sipp-uas-reinvite-glare.xml --reinvite-after 200 --hold 100
    expect_rc sipp 0
    expect_rc uac 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=1 rel1xx=1 reinvites=1 reinvite_final=491
    expect_grep uac 'UAC -> UAS  491 Request Pending$'
    expect_grep uac 'UAC <- UAS  491 Request Pending \(re-INVITE\)'
    expect_grep uac 'the call goes on without it'
    expect_before uac 'UAC <- UAS  491 Request Pending \(re-INVITE\)' 'UAC -> UAS  BYE'
}

# ---------------------------------------------------------------------------
# Cases: prack-uac against prack-uas

pair() { # "UAS ARGS" "UAC ARGS" [HOST]
    local host=${3:-127.0.0.1} port hp
    port=$(free_port "$host")
    hp="$host:$port"
    [[ "$host" == *:* ]] && hp="[$host]:$port"
    # shellcheck disable=SC2086
    start_uas --bind "$hp" --calls 1 $1
    wait_bound "$host" "$port" || fail "prack-uas did not bind"
    # shellcheck disable=SC2086
    start_uac "sip:bob@$hp" $2
    finish uac
    finish uas
}

# case_pair_UAC_UAS for every combination of 100rel modes. The answer comes
# late enough for both reliable 1xx to be PRACKed even on a slow machine
# (under valgrind, say); otherwise the final would rightly drop the 180.
pair_modes() { # UAC-MODE UAS-MODE
    local reliable=1
    pair "--100rel $2 --provisional 183:sdp,180 --answer-after 600" "--100rel $1"
    if [ "$1" = off ] && [ "$2" = required ]; then
        # 421, and no retry: prack-uac retries only with --retry, and never under off
        expect_rc uac 1
        expect_rc uas 1
        expect_result uac calls=1 ok=0 final=421 prack_sent=0 rel1xx=0
        expect_result uas calls=1 ok=0 final=421 prack_rcvd=0 rel1xx=0
        expect_count uac 'UAC -> UAS  INVITE ' 1
        expect_grep uac '421 Extension Required'
        return 0
    fi
    if [ "$1" = required ] && [ "$2" = off ]; then
        # 420; the engine suggests Supported, but without --retry the call ends
        expect_rc uac 1
        expect_rc uas 1
        expect_result uac calls=1 ok=0 final=420 prack_sent=0 rel1xx=0
        expect_result uas calls=1 ok=0 final=420 prack_rcvd=0 rel1xx=0
        expect_count uac 'UAC -> UAS  INVITE ' 1
        expect_grep uac '420 Bad Extension'
        return 0
    fi
    expect_rc uac 0
    expect_rc uas 0
    # reliable unless one side has it off
    if [ "$1" = off ] || [ "$2" = off ]; then reliable=0; fi
    if [ "$reliable" -eq 1 ]; then
        expect_result uac calls=1 ok=1 final=200 prack_sent=2 rel1xx=2
        expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2
        expect_consecutive_rseq uas 2
    else
        expect_result uac calls=1 ok=1 final=200 prack_sent=0 rel1xx=0
        expect_result uas calls=1 ok=1 final=200 prack_rcvd=0 rel1xx=0
    fi
    expect_count uac 'UAC -> UAS  INVITE ' 1
    return 0
}

for _u in off supported required; do
    for _s in off supported required; do
        eval "case_pair_${_u}_${_s}() { pair_modes $_u $_s; }"
    done
done

# With --retry: after the 420 the second INVITE carries the option tag the
# engine suggests (Supported: 100rel, not Require), and the call goes through
# with unreliable provisionals.
case_pair_required_off_retry() {
    pair "--100rel off --provisional 183:sdp,180 --answer-after 600" "--100rel required --retry"
    expect_rc uac 0
    expect_rc uas 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=0 rel1xx=0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=0 rel1xx=0
    expect_grep uac '420 Bad Extension'
    expect_count uac 'UAC -> UAS  INVITE ' 2
    expect_grep uac 'UAC -> UAS  INVITE .*\(Require: 100rel, SDP offer\)'
    expect_grep uac 'UAC -> UAS  INVITE .*\(Supported: 100rel, SDP offer\)'
    expect_before uac '\(Require: 100rel, SDP offer\)' '\(Supported: 100rel, SDP offer\)'
}

# With --retry but 100rel off: the 421 ends the call all the same.
case_pair_off_required_retry() {
    pair "--100rel required --provisional 183:sdp,180 --answer-after 600" "--100rel off --retry"
    expect_rc uac 1
    expect_rc uas 1
    expect_result uac calls=1 ok=0 final=421 prack_sent=0 rel1xx=0
    expect_result uas calls=1 ok=0 final=421
    expect_count uac 'UAC -> UAS  INVITE ' 1
    expect_grep uac 'UAC -> UAS  INVITE .*\(no 100rel, SDP offer\)'
    expect_no_grep uac 'UAC -> UAS  INVITE .*(Supported|Require): 100rel' \
        "prack-uac put 100rel in an INVITE under --100rel off"
}

case_pair_final_486() {
    pair "--provisional 183:sdp,180 --answer-after 600 --final 486" ""
    expect_rc uac 1 # the call failed, as the UAS was told to make it
    expect_rc uas 0 # ... and it did what it was told
    expect_result uac calls=1 ok=0 final=486 prack_sent=2 rel1xx=2
    expect_result uas calls=1 ok=1 final=486 prack_rcvd=2 rel1xx=2
    expect_grep uac 'UAC <- UAS  486 Busy Here'
    expect_grep uac 'UAC -> UAS  ACK'
}

case_pair_offer_in_183() {
    pair "--provisional 183,180 --answer-after 600" "--sdp no"
    expect_rc uac 0
    expect_rc uas 0
    expect_grep uac '183 Session Progress RSeq=[0-9]+ \(reliable, SDP offer\)'
    expect_grep uac 'PRACK RAck=[0-9]+ 1 INVITE \(SDP answer\)'
    expect_grep uas 'PRACK RAck=[0-9]+ 1 INVITE \(SDP answer\)'
}

# --codecs on both sides: the answer is checked by the side that offered.
case_pair_sdp_codecs() {
    pair "--codecs PCMU,PCMA,telephone-event --provisional 183:sdp --answer-after 300" "--codecs PCMA,telephone-event"
    expect_rc uac 0
    expect_rc uas 0
    expect_no_grep uac 'does not fit|refuses every stream'
}

case_pair_sdp_no_common_488() {
    pair "--codecs PCMU --provisional 183:sdp --answer-after 300" "--codecs G722"
    expect_rc uac 1
    expect_rc uas 1
    expect_result uac calls=1 ok=0 final=488 prack_sent=0 rel1xx=0
    expect_grep uas 'SDP offer refused: 305 Incompatible media format'
    expect_grep uac 'UAC <- UAS  488 Not Acceptable Here'
}

# An offer in a reliable 1xx cannot be refused with 488: the PRACK answers it
# with every stream refused, and the UAS sees that in its check.
case_pair_sdp_offer_in_183_no_common() {
    pair "--codecs PCMU --provisional 183,180 --answer-after 600" "--sdp no --codecs G722"
    expect_rc uac 0
    expect_rc uas 0
    expect_grep uac 'SDP offer: Incompatible media format; every stream refused in the answer'
    expect_grep uac 'PRACK RAck=[0-9]+ 1 INVITE \(SDP answer\)'
    expect_grep uas 'the SDP answer refuses every stream'
}

case_pair_auth() {
    pair "--auth alice:secret --provisional 183:sdp,180 --answer-after 800" "--user alice --password secret --hold 100"
    expect_rc uac 0
    expect_rc uas 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=4 rel1xx=2
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=4 rel1xx=2
    expect_count uac '401 Unauthorized' 3
}

case_pair_ipv6() {
    free_port ::1 >/dev/null 2>&1 || skip "no IPv6 loopback"
    pair "--provisional 183:sdp,180 --answer-after 600" "--100rel required" ::1
    expect_rc uac 0
    expect_rc uas 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=2 rel1xx=2
    expect_grep uac 'c=IN IP6|INVITE sip:bob@\[::1\]'
}

case_pair_load() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --provisional 183:sdp,180 --answer-after $((500 + SLACK_MS)) \
        --calls 200 --quiet
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_uac "sip:bob@127.0.0.1:$port" --calls 200 --rate 100 --hold 200 --quiet
    finish uac
    finish uas
    expect_rc uac 0
    expect_rc uas 0
    expect_result uac calls=200 ok=200 final=200 prack_sent=400 rel1xx=400
    expect_result uas calls=200 ok=200 final=200 prack_rcvd=400 rel1xx=400
}

# --hangup-after against prack-uac: the callee hangs up long before the
# caller's --hold runs out; prack-uac answers the BYE 200 and never sends one.
case_pair_hangup_after() {
    pair "--provisional 183:sdp,180 --answer-after 600 --hangup-after 200" "--hold 20000"
    expect_rc uac 0
    expect_rc uas 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=2 rel1xx=2
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2
    expect_grep uac 'UAC <- UAS  BYE$'
    expect_grep uac 'UAC -> UAS  200 OK \(to BYE\)'
    expect_no_grep uac 'UAC -> UAS  BYE' "prack-uac hung up, not prack-uas"
    expect_grep uas 'UAC <- UAS  BYE \(hanging up\)'
}

# --max-calls: prack-uas with room for one call answers a second INVITE
# arriving meanwhile with 503; prack-uac with room for one starts its calls
# one after another even at a high --rate.
case_pair_max_calls() {
    pair "--provisional 183:sdp --answer-after 300 --max-calls 1" "--calls 2 --rate 100 --hold 300"
    expect_rc uac 1
    expect_rc uas 0
    expect_result uas calls=1 ok=1 final=200
    expect_grep uac 'UAC <- UAS  503 Service Unavailable'
    expect_grep uas 'UAC <- UAS  503 Service Unavailable'
    expect_count uac 'call over: ok' 1
}

case_pair_uac_max_calls() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --provisional 180 --answer-after 100 --calls 3
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_uac "sip:bob@127.0.0.1:$port" --calls 3 --rate 1000 --hold 100 --max-calls 1
    finish uac
    finish uas
    expect_rc uac 0
    expect_rc uas 0
    expect_result uac calls=3 ok=3 final=200
    # each INVITE after the BYE of the call before it
    expect_before uac '#1 +UAC -> UAS  BYE' '#2 +UAC -> UAS  INVITE'
    expect_before uac '#2 +UAC -> UAS  BYE' '#3 +UAC -> UAS  INVITE'
}

# --reinvite-after against prack-uas: the re-INVITE's 183 goes reliably from
# a UAS engine of its own, with an RSeq of its own (R14, N5); it is PRACKed
# with RAck naming the re-INVITE's CSeq (N2), and as for the INVITE the 2xx
# waits for that PRACK (R27; --prack-delay makes it late); then the BYE.
case_pair_reinvite() {
    pair "--provisional 183:sdp --answer-after 100" "--reinvite-after 100 --hold 100 --prack-delay 300"
    expect_rc uac 0
    expect_rc uas 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=2 rel1xx=2 reinvites=1 reinvite_final=200
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2 reinvites=1 reinvite_final=200
    expect_count uac 'UAC -> UAS  PRACK RAck=[0-9]+ 1 INVITE$' 1
    expect_count uac 'UAC -> UAS  PRACK RAck=[0-9]+ 3 INVITE \(re-INVITE\)' 1
    expect_grep uac 'UAC <- UAS  183 Session Progress RSeq=[0-9]+ \(reliable, SDP answer, re-INVITE\)'
    expect_count uas '200 held until PRACK' 2
    expect_before uas 'UAC -> UAS  INVITE .*re-INVITE' 'UAC -> UAS  PRACK RAck=[0-9]+ 3 INVITE'
    expect_before uac 're-INVITE accepted' 'UAC -> UAS  BYE'
    [ "$(rseqs uas | sort -u | wc -l)" -eq 2 ] || fail "expected two distinct RSeq values: $(rseqs uas)"
}

# The UAS sends no reliable 1xx (--100rel off): the re-INVITE's 183 and 180
# go unreliably, nothing is PRACKed, and the re-INVITE still succeeds (R5).
case_pair_reinvite_unreliable() {
    pair "--100rel off --provisional 183:sdp,180 --answer-after 300" "--reinvite-after 100 --hold 100"
    expect_rc uac 0
    expect_rc uas 0
    expect_result uac calls=1 ok=1 final=200 prack_sent=0 rel1xx=0 reinvites=1 reinvite_final=200
    expect_grep uac 'UAC <- UAS  183 Session Progress \(SDP answer preview, re-INVITE\)'
    expect_no_grep uac 'PRACK' "an unreliable 1xx was PRACKed"
}

# The demo's call, as the README shows it.
case_pair_demo() {
    local port
    port=$(free_port 127.0.0.1)
    start_uas --bind "127.0.0.1:$port" --provisional 183:sdp,180 --answer-after $((300 + SLACK_MS)) \
        --calls 1
    wait_bound 127.0.0.1 "$port" || fail "prack-uas did not bind"
    start_uac "sip:bob@127.0.0.1:$port" --sdp yes
    finish uac
    finish uas
    expect_rc uac 0
    expect_rc uas 0
    expect_grep uac '183 Session Progress RSeq=[0-9]+ \(reliable, SDP answer\)'
    expect_grep uac '180 Ringing RSeq=[0-9]+ \(reliable\)'
    expect_grep uac 'UAC <- UAS  200 OK \(SDP\)'
}

# ---------------------------------------------------------------------------

list_cases() {
    declare -F | awk '{ print $3 }' | sed -n 's/^case_//p' | tr '_' '-'
}

main() {
    if [ "${1:-}" = "--list" ]; then
        list_cases
        return 0
    fi
    CASE=${1:?usage: run.sh CASE | --list}
    local fn="case_${CASE//-/_}"
    declare -F "$fn" >/dev/null || { echo "unknown case: $CASE" >&2; exit 2; }
    trap cleanup EXIT
    trap 'exit 1' INT TERM
    command -v python3 >/dev/null || have_proc_udp || skip "python3 not found"
    if [[ "$CASE" != pair-* ]]; then
        command -v "$SIPP" >/dev/null || skip "sipp not found"
    fi
    if [ ! -x "$UAS" ] || [ ! -x "$UAC" ]; then
        echo "examples not built: $UAS $UAC" >&2
        exit 1
    fi
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/prack-interop.XXXXXX")
    "$fn"
    log "passed"
}

main "$@"
