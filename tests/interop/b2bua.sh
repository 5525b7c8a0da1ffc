#!/usr/bin/env bash
# Interop cases for prack-b2bua: prack-uac calls prack-b2bua, which calls
# prack-uas, with 100rel on, off or both on either leg; and SIPp on one leg or
# both (sipp-* cases) for late offers, re-INVITE and UPDATE relayed or
# converted, challenges, PRACK failures and large multipart bodies. Loopback
# only.
#
#   b2bua.sh CASE          run one case (exit 0 pass, 1 fail, 77 skip)
#   b2bua.sh --list        print the case names
#
# Environment:
#   PRACK_UAS, PRACK_UAC, PRACK_B2BUA  the example binaries
#                         (default: build/examples/...)
#   SIPP                  the sipp binary for the sipp-* cases (default: sipp
#                         on PATH; those cases are skipped without it)
#   VALGRIND              optional command prefix for the three programs, e.g.
#                         "valgrind --error-exitcode=1 --leak-check=full"
#
# Every process runs under `timeout` and is killed by its own PID when the
# case ends, whatever the outcome. Ports are picked free per case so that
# cases may run in parallel. On failure every log is printed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# nap and log_has: poll.sh
# shellcheck source=poll.sh
. "$HERE/poll.sh"
UAS=${PRACK_UAS:-$ROOT/build/examples/prack-uas}
UAC=${PRACK_UAC:-$ROOT/build/examples/prack-uac}
B2BUA=${PRACK_B2BUA:-$ROOT/build/examples/prack-b2bua}
SIPP=${SIPP:-sipp}
read -r -a VG <<<"${VALGRIND:-}"

# Seconds any single process may live; a case's meson timeout is 60.
PROC_TIMEOUT=${PROC_TIMEOUT:-30}

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
        *screen*) tail -n 40 "$f" >&2 ;;
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

# free_ports HOST N: N distinct UDP ports nobody is bound to right now on HOST.
free_ports() {
    python3 - "$1" "$2" <<'PY'
import socket, sys
host, n = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
socks = []
for _ in range(n):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((host, 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

# wait_log NAME REGEX: until NAME.log has a line matching REGEX (at most
# PROC_TIMEOUT s, for valgrind); fails early if the process died.
wait_log() {
    local i pidvar="${1}_PID"
    for ((i = 0; i < PROC_TIMEOUT * 50; i++)); do
        log_has "$WORK/$1.log" "$2" && return 0
        kill -0 "${!pidvar}" 2>/dev/null || return 1
        nap 0.02
    done
    return 1
}

# wait_up NAME: until prack-uas or prack-b2bua printed its banner, which it
# does once its socket is bound.
wait_up() { wait_log "$1" '^prack-(uas|b2bua) .*on '; }

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

# wait_bound HOST PORT: until something is bound there (at most 10 s).
wait_bound() {
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

# start_sipp [ARGS...]: SIPp on loopback, one call, everything traced into $WORK.
start_sipp() {
    start sipp "$SIPP" "$@" -i 127.0.0.1 -bind_local -m 1 -nostdin -timeout 20s -timeout_error \
        -trace_err -error_file "$WORK/sipp-errors.log" \
        -trace_msg -message_file "$WORK/sipp-messages.log" \
        -trace_screen -screen_file "$WORK/sipp-screen.log"
}

# hostport HOST PORT: "HOST:PORT", with brackets for IPv6.
hostport() {
    if [[ "$1" == *:* ]]; then printf '[%s]:%s' "$1" "$2"; else printf '%s:%s' "$1" "$2"; fi
}

# chain HOST "UAS ARGS" "B2BUA ARGS" "UAC ARGS": callee, B2BUA and caller,
# in that order so that each one's next hop listens before it is called.
chain() {
    local host=$1 ports uas_hp b2b_hp
    read -r -a ports <<<"$(free_ports "$host" 2)"
    uas_hp=$(hostport "$host" "${ports[0]}")
    b2b_hp=$(hostport "$host" "${ports[1]}")
    # shellcheck disable=SC2086
    start uas "${VG[@]+"${VG[@]}"}" "$UAS" --linger 0 --bind "$uas_hp" $2
    wait_up uas || fail "prack-uas did not start on $uas_hp"
    # shellcheck disable=SC2086
    start b2bua "${VG[@]+"${VG[@]}"}" "$B2BUA" --bind "$b2b_hp" --next "$uas_hp" $3
    wait_up b2bua || fail "prack-b2bua did not start on $b2b_hp"
    # shellcheck disable=SC2086
    start uac "${VG[@]+"${VG[@]}"}" "$UAC" "sip:bob@$b2b_hp" $4
    finish uac
    finish b2bua
    finish uas
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

# line_of NAME REGEX: line number of the first match (0 when none).
line_of() {
    local n
    n=$(grep -En -m 1 -- "$2" "$WORK/$1.log" | cut -d: -f1)
    echo "${n:-0}"
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

# Ladder columns of prack-b2bua (leg A: caller side, leg B: callee side).
A_IN='A: caller -> B2BUA   '
A_OUT='A: caller <- B2BUA   '
B_OUT='B: B2BUA -> callee   '
B_IN='B: B2BUA <- callee   '

all_ok() {
    expect_rc uac 0
    expect_rc b2bua 0
    expect_rc uas 0
}

# ---------------------------------------------------------------------------
# Cases
#
# Where a case counts PRACKs exactly, the callee rings for 1 s so that every
# reliable 1xx is acknowledged before the answer, even under valgrind.

# The caller uses 100rel, the callee does not: the B2BUA sends the callee's
# plain 183/180 reliably to the caller and answers the caller's PRACKs itself.
case_a100rel_b_off() {
    chain 127.0.0.1 "--100rel off --provisional 183:sdp,180 --answer-after 1000 --calls 1" \
        "--a-100rel supported --b-100rel off --calls 1" "--100rel supported"
    all_ok
    expect_result uac calls=1 ok=1 final=200 prack_sent=2 rel1xx=2
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=0 prack_rcvd=2 rel1xx=2
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=0 rel1xx=0
    expect_grep b2bua "${A_OUT}183 Session Progress RSeq=[0-9]+ \(reliable, SDP answer\)"
    expect_grep b2bua "${A_OUT}180 Ringing RSeq=[0-9]+ \(reliable\)"
    expect_grep b2bua "${B_IN}183 Session Progress \(SDP answer preview\)"
    expect_grep b2bua "${B_OUT}INVITE .*\(no 100rel"
    expect_grep uac '183 Session Progress RSeq=[0-9]+ \(reliable, SDP answer\)'
    # the callee never hears of 100rel
    expect_no_grep uas 'PRACK|100rel\)|Require: 100rel|Supported: 100rel' "the callee saw 100rel or a PRACK"
    expect_no_grep b2bua "${B_OUT}PRACK" "the B2BUA sent a PRACK to the callee"
}

# The caller does not use 100rel, the callee requires it: the B2BUA PRACKs
# the callee's reliable 1xx and passes them on to the caller as plain 1xx.
case_a_off_b100rel() {
    chain 127.0.0.1 "--100rel required --provisional 183:sdp,180 --answer-after 1000 --calls 1" \
        "--a-100rel off --b-100rel required --calls 1" "--100rel off"
    all_ok
    expect_result uac calls=1 ok=1 final=200 prack_sent=0 rel1xx=0
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=2 prack_rcvd=0 rel1xx=0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2
    expect_grep uas 'INVITE .*\(Require: 100rel'
    expect_grep uas '183 Session Progress RSeq=[0-9]+ \(reliable, SDP answer\)'
    expect_grep b2bua "${B_OUT}PRACK RAck=[0-9]+ 1 INVITE"
    expect_grep b2bua "${A_OUT}183 Session Progress \(SDP answer preview\)"
    expect_grep b2bua "${A_OUT}200 OK \(SDP answer\)"
    # the caller never sees a reliable 1xx nor sends a PRACK
    expect_no_grep uac 'PRACK|RSeq=' "the caller saw a reliable 1xx or sent a PRACK"
}

# 100rel on both legs: two independent RSeq spaces, the caller's PRACKs end
# at the B2BUA and the B2BUA's own PRACKs go to the callee.
case_a100rel_b100rel() {
    chain 127.0.0.1 "--100rel supported --provisional 183:sdp,180 --answer-after 1000 --calls 1" \
        "--a-100rel supported --b-100rel supported --calls 1" "--100rel supported"
    all_ok
    expect_result uac calls=1 ok=1 final=200 prack_sent=2 rel1xx=2
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=2 prack_rcvd=2 rel1xx=2
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2
    expect_grep b2bua "${A_IN}PRACK RAck="
    expect_grep b2bua "${B_OUT}PRACK RAck="
    # the callee's RSeq values never reach the caller: each leg numbers its own
    local a b
    a=$(grep -F "$A_OUT" "$WORK/b2bua.log" | grep -v retransmission | sed -nE 's/.*RSeq=([0-9]+).*/\1/p' | awk 'NR == 1')
    b=$(grep -F "$B_IN" "$WORK/b2bua.log" | sed -nE 's/.*RSeq=([0-9]+).*/\1/p' | awk 'NR == 1')
    if [ -z "$a" ] || [ -z "$b" ]; then fail "missing RSeq on a leg"; fi
    [ "$a" != "$b" ] || fail "leg A reused the callee's RSeq $b"
    grep -q "RAck=$a " "$WORK/uac.log" || fail "the caller did not PRACK RSeq $a"
    grep -q "RAck=$b " "$WORK/uas.log" || fail "the callee got no PRACK for RSeq $b"
}

# The callee answers at once; the caller's leg holds the 2xx until the
# caller PRACKs the 183 that carried the SDP answer (RFC 3262 R27, R54).
case_held_2xx() {
    chain 127.0.0.1 "--100rel off --provisional 183:sdp,180 --answer-after 0 --calls 1" \
        "--calls 1" "--100rel supported"
    all_ok
    expect_result uac calls=1 ok=1 final=200
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=0
    # whatever the timing, the caller's PRACK of the SDP 183 precedes the 200
    expect_before b2bua "${A_IN}PRACK " "${A_OUT}200 OK \((SDP|released)"
    expect_before uac 'UAC -> UAS  PRACK ' 'UAC <- UAS  200 OK \(SDP'
    local b200 prack
    b200=$(line_of b2bua "${B_IN}200 OK")
    prack=$(line_of b2bua "${A_IN}PRACK ")
    if [ "$b200" -lt "$prack" ]; then
        # the usual case: the 200 came while the 183 was unacknowledged
        expect_grep b2bua 'A: 200 held until PRACK for RSeq [0-9]+ \(that 1xx carries SDP\)'
        expect_grep b2bua "${A_OUT}200 OK \(.*released by the PRACK"
        expect_result uac prack_sent=1 rel1xx=1
        expect_result b2bua prack_rcvd=1 rel1xx=1
    else
        # the scheduler let the caller's PRACK overtake the callee's 200:
        # nothing was left to hold
        log "the caller's PRACK came before the callee's 200; no hold needed this time"
        expect_no_grep b2bua 'held until' "a 2xx was held with no SDP 1xx unacknowledged"
    fi
}

# Both legs over IPv6.
case_ipv6() {
    free_ports ::1 1 >/dev/null 2>&1 || skip "no IPv6 loopback"
    chain ::1 "--100rel required --provisional 183:sdp,180 --answer-after 1000 --calls 1" \
        "--a-100rel supported --b-100rel required --calls 1" "--100rel supported"
    all_ok
    expect_result uac calls=1 ok=1 final=200 prack_sent=2 rel1xx=2
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=2 prack_rcvd=2 rel1xx=2
    expect_grep b2bua "${B_OUT}INVITE sip:bob@\[::1\]:"
}

# Late offer (RFC 3262 section 5, R49, R50): a caller without 100rel sends an
# INVITE without SDP; the callee requires 100rel and offers in its reliable 183.
# The offer can reach the caller only in a 2xx (an unreliable 1xx carries no
# offer), so the caller gets its 200 at once; its answer comes in the ACK and
# goes into the PRACK that leg B held back until then.
case_late_a_off_b_required() {
    chain 127.0.0.1 "--100rel required --provisional 183:sdp,180 --answer-after 1000 --calls 1" \
        "--a-100rel off --b-100rel required --calls 1" "--100rel off --sdp no --hold 2000"
    all_ok
    expect_result uac calls=1 ok=1 final=200 prack_sent=0 rel1xx=0
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=2 prack_rcvd=0 rel1xx=0
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2
    expect_grep b2bua "${A_IN}INVITE .*\(no 100rel, no SDP: the callee will offer\)"
    expect_no_grep b2bua "${B_OUT}INVITE .*SDP" "leg B's INVITE carried SDP"
    expect_grep b2bua "${B_IN}183 Session Progress RSeq=[0-9]+ \(reliable, SDP offer\)"
    expect_grep b2bua 'B: PRACK for RSeq [0-9]+ waits for the caller.s answer'
    expect_grep b2bua "${A_OUT}200 OK \(SDP offer, before the callee answered\)"
    # R50: the PRACK for the offer carries the answer, which came in the caller's ACK
    expect_before b2bua "${A_IN}ACK \(SDP answer\)" "${B_OUT}PRACK RAck=[0-9]+ 1 INVITE \(SDP answer, the caller.s answer\)"
    expect_grep uas 'PRACK RAck=[0-9]+ 1 INVITE \(SDP answer'
    expect_grep uac 'UAC <- UAS  200 OK \(SDP offer\)'
    expect_grep uac 'UAC -> UAS  ACK \(SDP answer\)'
    expect_no_grep uac 'RSeq=' "the caller saw a reliable 1xx"
}

# Late offer, 100rel on both legs: the callee's offer in its reliable 183 goes
# to the caller in a reliable 183 of leg A's own (R49), the caller answers in
# its PRACK (R50), and the answer goes on in leg B's PRACK.
case_late_a100rel_b100rel() {
    chain 127.0.0.1 "--100rel required --provisional 183:sdp,180 --answer-after 1000 --calls 1" \
        "--a-100rel supported --b-100rel required --calls 1" "--100rel supported --sdp no"
    all_ok
    expect_result uac calls=1 ok=1 final=200 prack_sent=2 rel1xx=2
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=2 prack_rcvd=2 rel1xx=2
    expect_grep b2bua "${A_OUT}183 Session Progress RSeq=[0-9]+ \(reliable, SDP offer\)"
    expect_before b2bua "${A_IN}PRACK RAck=[0-9]+ 1 INVITE \(SDP answer\)" "${B_OUT}PRACK RAck=[0-9]+ 1 INVITE \(SDP answer, the caller.s answer\)"
    expect_grep uac 'UAC -> UAS  PRACK RAck=[0-9]+ 1 INVITE \(SDP answer'
    expect_no_grep b2bua "${A_OUT}200 OK \(SDP offer" "the 2xx to the caller made the offer again"
}

# Late offer, the callee without 100rel: its 183 with SDP is no offer (RFC 3261
# 13.2.1) and reaches the caller without a body and unreliably, although the
# caller supports 100rel (R49 forbids a first reliable 1xx without the offer).
# The offer comes in the callee's 200; leg B's ACK waits for the caller's ACK,
# which carries the answer.
case_late_a100rel_b_off() {
    chain 127.0.0.1 "--100rel off --provisional 183:sdp,180 --answer-after 500 --calls 1" \
        "--a-100rel supported --b-100rel off --calls 1" "--100rel supported --sdp no"
    all_ok
    expect_result uac calls=1 ok=1 final=200 prack_sent=0 rel1xx=0
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=0 prack_rcvd=0 rel1xx=0
    expect_grep b2bua "${B_IN}183 Session Progress \(SDP offer preview\)"
    expect_grep b2bua "${A_OUT}183 Session Progress$"
    expect_grep b2bua "${B_IN}200 OK \(SDP offer\)"
    expect_grep b2bua 'B: the 2xx carries the callee.s offer: its ACK waits for the caller.s answer'
    expect_before b2bua "${A_IN}ACK \(SDP answer\)" "${B_OUT}ACK \(SDP answer from the caller\)"
    expect_grep uas 'ACK \(SDP answer'
}

# Late offer, a caller that requires 100rel and a callee without it: the
# callee's 180 and 183 carry no offer, and the caller's first reliable 1xx
# must carry one (R49), so neither reaches the caller (leg A's engine refuses
# them, PRACK_ERR_OFFER_REQUIRED); the offer goes in the 200, the answer
# comes back in the ACK.
case_late_a_required_b_off() {
    chain 127.0.0.1 "--100rel off --provisional 183:sdp,180 --answer-after 500 --calls 1" \
        "--a-100rel supported --b-100rel off --calls 1" "--100rel required --sdp no"
    all_ok
    expect_result uac calls=1 ok=1 final=200 prack_sent=0 rel1xx=0
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=0 prack_rcvd=0 rel1xx=0
    expect_grep b2bua 'A: 183 not relayed: the caller requires 100rel, and its first reliable 1xx must carry the offer the callee has not made yet \(R49\)'
    expect_no_grep b2bua "${A_OUT}18[03] " "a 1xx without the offer reached a caller that requires 100rel"
    expect_before b2bua "${A_IN}ACK \(SDP answer\)" "${B_OUT}ACK \(SDP answer from the caller\)"
}

# Many calls at once through the B2BUA, 100rel on both legs.
case_load() {
    # the ladders of the callee and the B2BUA stay on: their banner says when they listen
    chain 127.0.0.1 "--100rel supported --provisional 183:sdp,180 --answer-after 1000 --calls 50" \
        "--a-100rel supported --b-100rel supported --calls 50" "--calls 50 --rate 50 --hold 100 --quiet"
    all_ok
    expect_result uac calls=50 ok=50 final=200 prack_sent=100 rel1xx=100
    expect_result b2bua calls=50 ok=50 final=200 prack_sent=100 prack_rcvd=100 rel1xx=100
    expect_result uas calls=50 ok=50 final=200 prack_rcvd=100 rel1xx=100
}

# SIPp calls and cancels while the reliable 183 is unacknowledged: 200 to the
# CANCEL, 487 from leg A's engine, CANCEL on leg B, and the caller's late
# PRACK still answered (scenario shared with run.sh).
case_sipp_cancel() {
    local ports
    read -r -a ports <<<"$(free_ports 127.0.0.1 3)"
    start uas "${VG[@]+"${VG[@]}"}" "$UAS" --linger 0 --bind "127.0.0.1:${ports[0]}" \
        --provisional 183:sdp --answer-after 10000 --calls 1
    wait_up uas || fail "prack-uas did not start"
    start b2bua "${VG[@]+"${VG[@]}"}" "$B2BUA" --bind "127.0.0.1:${ports[1]}" \
        --next "127.0.0.1:${ports[0]}" --calls 1
    wait_up b2bua || fail "prack-b2bua did not start"
    start_sipp "127.0.0.1:${ports[1]}" -sf "$HERE/sipp-uac-cancel.xml" -s bob -p "${ports[2]}"
    finish sipp
    finish b2bua
    finish uas
    expect_rc sipp 0
    expect_rc b2bua 0 # the callee's 487 reached the caller: relayed as it should be
    expect_rc uas 1   # cancelled: not the 200 it was told to give
    expect_result b2bua calls=1 ok=1 final=487 prack_sent=0 prack_rcvd=1 rel1xx=1
    expect_result uas calls=1 ok=0 final=487
    expect_before b2bua "${A_IN}CANCEL" "${A_OUT}487 Request Terminated \(cancelled\)"
    expect_before b2bua "${A_OUT}487 " "${B_OUT}CANCEL"
    expect_before b2bua "${A_OUT}487 " "${A_OUT}200 OK \(to PRACK\)"
    expect_grep b2bua "${B_IN}487 Request Terminated"
    expect_grep b2bua "${B_OUT}ACK"
}

# SIPp plays a forking callee (two early dialogs with their own RSeq spaces);
# its scenario checks every PRACK, ACK and BYE the B2BUA sends on leg B.
case_sipp_forked() {
    local ports
    read -r -a ports <<<"$(free_ports 127.0.0.1 2)"
    start_sipp -sf "$HERE/sipp-uas-forked.xml" -p "${ports[0]}"
    wait_bound 127.0.0.1 "${ports[0]}" || fail "sipp did not bind"
    start b2bua "${VG[@]+"${VG[@]}"}" "$B2BUA" --bind "127.0.0.1:${ports[1]}" \
        --next "127.0.0.1:${ports[0]}" --b-100rel supported --calls 1
    wait_up b2bua || fail "prack-b2bua did not start"
    start uac "${VG[@]+"${VG[@]}"}" "$UAC" "sip:bob@127.0.0.1:${ports[1]}"
    finish uac
    finish b2bua
    finish sipp
    expect_rc sipp 0
    expect_rc b2bua 0
    expect_rc uac 0
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=4
    expect_result uac calls=1 ok=1 final=200
    expect_grep b2bua "${B_OUT}PRACK RAck=5000 1 INVITE \(fork 2\)"
    expect_grep b2bua "${B_OUT}PRACK RAck=101 1 INVITE \(fork 1\)"
    expect_grep b2bua "${B_OUT}PRACK RAck=5001 1 INVITE \(fork 2\)"
}

# The B2BUA requires 100rel of the caller, who has it off: leg A's engine
# answers 421, and that is the end of it: a caller with 100rel off never
# retries, even when allowed to (--retry). No INVITE goes to the callee.
case_a_required_421() {
    local ports
    # leg B would go to the second port; it must not be tried
    read -r -a ports <<<"$(free_ports 127.0.0.1 2)"
    start b2bua "${VG[@]+"${VG[@]}"}" "$B2BUA" --bind "127.0.0.1:${ports[0]}" \
        --next "127.0.0.1:${ports[1]}" --a-100rel required --calls 1
    wait_up b2bua || fail "prack-b2bua did not start"
    start uac "${VG[@]+"${VG[@]}"}" "$UAC" "sip:bob@127.0.0.1:${ports[0]}" --100rel off --retry
    finish uac
    finish b2bua
    expect_rc uac 1
    expect_rc b2bua 1 # the call failed, as it should
    expect_result uac calls=1 ok=0 final=421 prack_sent=0 rel1xx=0
    expect_result b2bua calls=1 ok=0 final=421 prack_sent=0 prack_rcvd=0 rel1xx=0
    expect_grep b2bua "${A_OUT}421 Extension Required \(Require: 100rel\)"
    [ "$(grep -cF "${A_IN}INVITE" "$WORK/b2bua.log")" -eq 1 ] || fail "the caller sent more than one INVITE"
    expect_no_grep uac 'UAC -> UAS  INVITE .*(Supported|Require): 100rel' "the caller offered 100rel under --100rel off"
    expect_no_grep b2bua "$B_OUT" "the B2BUA called the callee"
}

# The B2BUA has 100rel off towards a caller that requires it: leg A's engine
# answers 420; the caller (--retry) sends the INVITE again with the option tag
# its engine suggests, Supported: 100rel, and that INVITE is the call.
case_a_off_420_retry() {
    chain 127.0.0.1 "--100rel off --provisional 183:sdp --answer-after 200 --calls 1" \
        "--a-100rel off --calls 1" "--100rel required --retry"
    all_ok
    expect_result uac calls=1 ok=1 final=200 prack_sent=0 rel1xx=0
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=0 prack_rcvd=0 rel1xx=0
    expect_before b2bua "${A_OUT}420 Bad Extension \(Unsupported: 100rel\)" "${B_OUT}INVITE"
    expect_grep b2bua "${A_IN}INVITE .*\(Require: 100rel"
    expect_grep b2bua "${A_IN}INVITE .*\(Supported: 100rel"
    expect_grep uac 'retrying with 100rel supported'
}

# The callee requires 100rel and leg B has it off: leg B's engine suggests no
# retry (--b-100rel off is off), so the callee's 421 ends the call. It goes to
# the caller with its Require: 100rel (RFC 3261 21.4.16): the status is what
# the callee said of the call, and it tells the caller the call needs 100rel.
case_b_off_421() {
    chain 127.0.0.1 "--100rel required --provisional 183:sdp --answer-after 200 --calls 1" \
        "--a-100rel off --b-100rel off --calls 1" "--100rel off"
    expect_rc uac 1
    expect_rc b2bua 0 # the callee's outcome reached the caller
    expect_rc uas 1   # the 421, not the 200 it was told to give
    expect_result uac calls=1 ok=0 final=421 prack_sent=0 rel1xx=0
    expect_result b2bua calls=1 ok=1 final=421 prack_sent=0 prack_rcvd=0 rel1xx=0
    expect_result uas calls=1 ok=0 final=421
    expect_grep b2bua "${B_IN}421 Extension Required"
    expect_grep b2bua 'B: 421 not retried \(--b-100rel off\): relayed with its option tags'
    # retransmissions (Timer A, under valgrind) aside
    [ "$(grep -F "${B_OUT}INVITE" "$WORK/b2bua.log" | grep -vc retransmission)" -eq 1 ] ||
        fail "leg B sent more than one INVITE"
    expect_no_grep b2bua "${B_OUT}INVITE .*(Supported|Require): 100rel" "leg B offered 100rel under --b-100rel off"
    expect_grep b2bua "${A_OUT}421 Extension Required \(Require: 100rel\)"
    expect_grep uac 'UAC <- UAS  421 Extension Required \(Require: 100rel\)'
}

# The callee has 100rel off and leg B requires it: after the callee's 420,
# leg B's engine suggests a new INVITE with Supported: 100rel, which the B2BUA
# sends; the call goes on with plain provisionals and the caller never hears
# of the 420.
case_b_required_420_retry() {
    chain 127.0.0.1 "--100rel off --provisional 183:sdp --answer-after 200 --calls 1" \
        "--a-100rel off --b-100rel required --calls 1" "--100rel off"
    all_ok
    expect_result uac calls=1 ok=1 final=200 prack_sent=0 rel1xx=0
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=0 prack_rcvd=0 rel1xx=0
    expect_grep b2bua "${B_IN}420 Bad Extension \(Unsupported: 100rel\)"
    expect_grep b2bua 'B: retrying with 100rel supported'
    expect_before b2bua "${B_OUT}INVITE .*\(Require: 100rel" "${B_OUT}INVITE .*\(Supported: 100rel"
    expect_no_grep uac 'UAS  420 ' "the caller saw the callee's 420"
}

# SIPp calls through the B2BUA and retransmits by hand (scenario shared with
# run.sh): the PRACK for the 183 comes three times, the last time after the
# PRACK for the 180, and gets its 200 each time from the B2BUA's own store of
# leg A's requests; new PRACKs for either acknowledged RSeq get 481 from leg A's
# engine (RFC 3262 section 3).
case_sipp_prack_retransmissions() {
    local ports
    read -r -a ports <<<"$(free_ports 127.0.0.1 3)"
    start uas "${VG[@]+"${VG[@]}"}" "$UAS" --linger 0 --bind "127.0.0.1:${ports[0]}" --100rel off \
        --provisional 183:sdp,180 --answer-after 3000 --calls 1
    wait_up uas || fail "prack-uas did not start"
    # a long T1 keeps leg A's own retransmissions of the reliable 1xx out of the way
    start b2bua "${VG[@]+"${VG[@]}"}" "$B2BUA" --bind "127.0.0.1:${ports[1]}" \
        --next "127.0.0.1:${ports[0]}" --t1 2000 --calls 1
    wait_up b2bua || fail "prack-b2bua did not start"
    start_sipp "127.0.0.1:${ports[1]}" -sf "$HERE/sipp-uac-retransmissions.xml" -s bob -p "${ports[2]}" -nr
    finish sipp
    finish b2bua
    finish uas
    expect_rc sipp 0
    expect_rc b2bua 0
    expect_rc uas 0
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=0 prack_rcvd=4 rel1xx=2
    [ "$(grep -cF "${A_IN}PRACK" "$WORK/b2bua.log")" -eq 6 ] || fail "expected 6 PRACKs from the caller"
    [ "$(grep -F "${A_IN}PRACK" "$WORK/b2bua.log" | grep -c 'retransmission')" -eq 2 ] ||
        fail "expected 2 PRACK retransmissions"
    [ "$(grep -cF "${A_OUT}200 OK (to PRACK, retransmission)" "$WORK/b2bua.log")" -eq 2 ] ||
        fail "expected the stored 200 twice"
    [ "$(grep -cE "${A_OUT}481 .*\(to PRACK, RAck matches no unacknowledged" "$WORK/b2bua.log")" -eq 2 ] ||
        fail "expected 481 to both new PRACKs for acknowledged RSeqs"
    expect_no_grep b2bua 'the PRACK again' "leg A's engine, not the store, saw a retransmitted PRACK"
    expect_no_grep b2bua "$B_OUT"'PRACK' "a PRACK crossed to leg B"
}

# SIPp never PRACKs: leg A's engine retransmits the reliable 183 (same RSeq)
# and gives up at 64*T1 with 504; the B2BUA then cancels leg B.
case_sipp_no_prack() {
    local ports
    read -r -a ports <<<"$(free_ports 127.0.0.1 3)"
    start uas "${VG[@]+"${VG[@]}"}" "$UAS" --linger 0 --bind "127.0.0.1:${ports[0]}" \
        --provisional 183:sdp --answer-after 20000 --calls 1
    wait_up uas || fail "prack-uas did not start"
    start b2bua "${VG[@]+"${VG[@]}"}" "$B2BUA" --bind "127.0.0.1:${ports[1]}" \
        --next "127.0.0.1:${ports[0]}" --t1 50 --calls 1
    wait_up b2bua || fail "prack-b2bua did not start"
    start_sipp "127.0.0.1:${ports[1]}" -sf "$HERE/sipp-uac-no-prack.xml" -s bob -p "${ports[2]}"
    finish sipp
    finish b2bua
    finish uas
    expect_rc sipp 0
    expect_rc b2bua 1 # a timeout is not a relayed outcome
    expect_rc uas 1
    expect_result b2bua calls=1 ok=0 final=504 prack_rcvd=0 rel1xx=1
    expect_result uas calls=1 ok=0 final=487
    [ "$(grep -cF "${A_OUT}183 " "$WORK/b2bua.log")" -eq 7 ] || fail "expected the 183 sent 7 times on leg A"
    [ "$(grep -F "${A_OUT}183 " "$WORK/b2bua.log" | sed -E 's/.*RSeq=([0-9]+).*/\1/' | sort -u | wc -l)" -eq 1 ] ||
        fail "the retransmissions changed the RSeq"
    expect_before b2bua "${A_OUT}504 Server Time-out \(no PRACK within 64\*T1\)" "${B_OUT}CANCEL"
    expect_grep b2bua "${B_IN}487 "
}

# The callee hangs up: 200 to its BYE (and the same 200 to its retransmission),
# then a BYE of the B2BUA's own to the caller.
case_callee_bye() {
    local ports
    read -r -a ports <<<"$(free_ports 127.0.0.1 2)"
    # a background job's stdin is /dev/null: the callee goes into a file first
    cat >"$WORK/callee.py" <<'PY'
import re, socket, sys, time
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
s.settimeout(20)
print("callee listening", flush=True)
SDP = "v=0\r\no=e 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4002 RTP/AVP 0\r\n"
def hdr(m, n):
    x = re.search(r"^" + n + r":\s*(.*?)\r$", m, re.M | re.I)
    return x.group(1) if x else ""
def reply(m, status, body=""):
    via = "\r\n".join(l for l in m.split("\r\n") if l.lower().startswith("via:"))
    to = hdr(m, "To") + ("" if "tag=" in hdr(m, "To") else ";tag=callee1")
    ct = "Content-Type: application/sdp\r\n" if body else ""
    return (f"SIP/2.0 {status} Whatever\r\n{via}\r\nFrom: {hdr(m, 'From')}\r\nTo: {to}\r\n"
            f"Call-ID: {hdr(m, 'Call-ID')}\r\nCSeq: {hdr(m, 'CSeq')}\r\n"
            f"Contact: <sip:callee@127.0.0.1:{port}>\r\n{ct}Content-Length: {len(body)}\r\n\r\n{body}").encode()
def recv():
    m, a = s.recvfrom(65535)
    t = m.decode()
    print("got", t.split("\r\n")[0], flush=True)
    return t, a
inv, a = recv()
s.sendto(reply(inv, 183, SDP), a)
s.sendto(reply(inv, 200, SDP), a)
while not recv()[0].startswith("ACK"):
    pass
time.sleep(0.2)
bye = (f"BYE sip:b2b SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKcalleebye\r\n"
       f"From: {hdr(inv, 'To')};tag=callee1\r\nTo: {hdr(inv, 'From')}\r\nCall-ID: {hdr(inv, 'Call-ID')}\r\n"
       f"CSeq: 7 BYE\r\nContent-Length: 0\r\n\r\n").encode()
for _ in range(2):
    s.sendto(bye, a)
    t, _ = recv()
    assert t.startswith("SIP/2.0 200") and "BYE" in hdr(t, "CSeq"), t
print("callee done", flush=True)
PY
    start callee python3 "$WORK/callee.py" "${ports[0]}"
    wait_log callee 'callee listening' || fail "the python callee did not start"
    # no --calls: the B2BUA must still be there for the retransmitted BYE,
    # so it is stopped (SIGTERM: RESULT line, normal exit) once the callee is done
    start b2bua "${VG[@]+"${VG[@]}"}" "$B2BUA" --bind "127.0.0.1:${ports[1]}" \
        --next "127.0.0.1:${ports[0]}"
    wait_up b2bua || fail "prack-b2bua did not start"
    start uac "${VG[@]+"${VG[@]}"}" "$UAC" "sip:bob@127.0.0.1:${ports[1]}" --hold 5000
    finish uac
    finish callee
    wait_log b2bua 'call over' || fail "prack-b2bua did not end the call"
    local pidvar=b2bua_PID # set by start
    kill -TERM "${!pidvar}"
    finish b2bua
    expect_rc callee 0
    expect_rc b2bua 0
    expect_rc uac 0
    expect_result b2bua calls=1 ok=1 final=200
    expect_result uac calls=1 ok=1 final=200
    expect_before b2bua "${B_IN}BYE" "${A_OUT}BYE \(the callee hung up\)"
    expect_grep b2bua "${B_OUT}200 OK \(to BYE, retransmission\)"
    expect_grep uac 'UAC <- UAS  BYE'
}

# sipp_callee SCENARIO "B2BUA ARGS" "UAC ARGS": SIPp plays the callee behind
# prack-b2bua, prack-uac calls.
sipp_callee() {
    local ports
    read -r -a ports <<<"$(free_ports 127.0.0.1 2)"
    start_sipp -sf "$HERE/$1" -p "${ports[0]}"
    wait_bound 127.0.0.1 "${ports[0]}" || fail "sipp did not bind"
    # shellcheck disable=SC2086
    start b2bua "${VG[@]+"${VG[@]}"}" "$B2BUA" --bind "127.0.0.1:${ports[1]}" \
        --next "127.0.0.1:${ports[0]}" --t1 100 --calls 1 $2
    wait_up b2bua || fail "prack-b2bua did not start"
    # shellcheck disable=SC2086
    start uac "${VG[@]+"${VG[@]}"}" "$UAC" "sip:bob@127.0.0.1:${ports[1]}" --t1 100 $3
    finish uac
    finish b2bua
    finish sipp
}

# The callee's proxy challenges the INVITE with 407: the challenge goes to the
# caller, whose INVITE with Proxy-Authorization goes to leg B with leg B's
# Call-ID, From-tag and CSeq 2; the reliable 183 that follows is PRACKed with
# RAck 1 2 INVITE and CSeq 3 (the SIPp scenario checks every number). R57
case_sipp_auth_407() {
    sipp_callee sipp-uas-invite-407.xml "--b-100rel supported" "--user alice --password secret"
    expect_rc sipp 0
    expect_rc b2bua 0
    expect_rc uac 0
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=1
    expect_result uac calls=1 ok=1 final=200
    expect_grep b2bua "${B_IN}407 Proxy Authentication Required"
    expect_grep b2bua "${A_OUT}407 Proxy Authentication Required"
    expect_before b2bua "${A_IN}INVITE .*" "${B_OUT}INVITE .*the caller.s credentials"
    expect_grep b2bua "${B_OUT}PRACK RAck=1 2 INVITE"
    expect_grep uac 'UAC <- UAS  407 Proxy Authentication Required'
    expect_no_grep b2bua '403 Forbidden' "the challenge became a 403"
}

# A carrier that requires 100rel, then answers the PRACK with 405: under
# --b-prack-failure observe the call goes on (the SIPp scenario of run.sh's
# uac-prack-405-observe checks the 180, 200, ACK and BYE on leg B).
case_sipp_prack_405_observe() {
    sipp_callee sipp-uas-prack-405-observe.xml "--b-100rel supported --b-prack-failure observe" ""
    expect_rc sipp 0
    expect_rc b2bua 0
    expect_rc uac 0
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=1
    expect_grep b2bua "${B_IN}405 Method Not Allowed \(to PRACK\)"
    expect_grep b2bua 'B: PRACK for RSeq 1 failed with 405; the call goes on'
}

# The same carrier under --b-prack-failure terminate (OpenSIPS's
# auto_prack_hangup_on_failure): the B2BUA cancels leg B, and the callee's
# 487 reaches the caller with a Warning naming the 405.
case_sipp_prack_405_terminate() {
    sipp_callee sipp-uas-prack-405-terminate.xml "--b-100rel supported --b-prack-failure terminate" ""
    expect_rc sipp 0
    expect_rc b2bua 0 # the callee's 487 reached the caller
    expect_rc uac 1
    expect_result b2bua calls=1 ok=1 final=487 prack_sent=1
    expect_result uac calls=1 ok=0 final=487
    expect_grep b2bua 'B: PRACK for RSeq 1 failed with 405: ending the call \(--b-prack-failure terminate\)'
    expect_before b2bua "${B_IN}405 " "${B_OUT}CANCEL"
    expect_grep b2bua "${A_OUT}487 Request Terminated"
}

# start_sipp_as NAME [ARGS...]: like start_sipp, for a second SIPp in a case.
start_sipp_as() {
    local name=$1
    shift
    start "$name" "$SIPP" "$@" -i 127.0.0.1 -bind_local -m 1 -nostdin -timeout 20s -timeout_error \
        -trace_err -error_file "$WORK/$name-errors.log" \
        -trace_msg -message_file "$WORK/$name-messages.log" \
        -trace_screen -screen_file "$WORK/$name-screen.log"
}

# sipp_both CALLER_XML CALLER_ALLOW CALLEE_XML CALLEE_ALLOW "B2BUA ARGS"
# ["CALLEE SIPP ARGS"]: SIPp on both legs, each listing the given methods in
# its Allow.
sipp_both() {
    local ports
    read -r -a ports <<<"$(free_ports 127.0.0.1 3)"
    # shellcheck disable=SC2086
    start_sipp_as callee -sf "$HERE/$3" -p "${ports[0]}" -key allow "$4" ${6:-}
    wait_bound 127.0.0.1 "${ports[0]}" || fail "the callee's sipp did not bind"
    # shellcheck disable=SC2086
    start b2bua "${VG[@]+"${VG[@]}"}" "$B2BUA" --bind "127.0.0.1:${ports[1]}" \
        --next "127.0.0.1:${ports[0]}" --t1 100 --calls 1 $5
    wait_up b2bua || fail "prack-b2bua did not start"
    start_sipp_as caller "127.0.0.1:${ports[1]}" -sf "$HERE/$1" -s bob -p "${ports[2]}" -key allow "$2"
    finish caller
    finish b2bua
    finish callee
    expect_rc caller 0
    expect_rc callee 0
    expect_rc b2bua 0
    expect_result b2bua calls=1 ok=1 final=200
}

WITH_UPDATE='INVITE, ACK, CANCEL, BYE, PRACK, UPDATE'
NO_UPDATE='INVITE, ACK, CANCEL, BYE'

# The caller holds with a re-INVITE and resumes with an UPDATE; both ends
# allow UPDATE, so the re-INVITE goes on as a re-INVITE (CSeq of leg B's own)
# and the UPDATE as an UPDATE.
case_sipp_reinvite_update_from_caller() {
    sipp_both sipp-uac-midcall.xml "$WITH_UPDATE" sipp-uas-midcall.xml "$WITH_UPDATE" "--b-100rel supported"
    expect_grep b2bua "${A_IN}INVITE .*\(SDP offer, re-INVITE\)"
    # leg B's 100rel policy applies to the re-INVITE it carries too
    expect_grep b2bua "${B_OUT}INVITE .*\(Supported: 100rel, SDP offer, re-INVITE\)"
    expect_grep b2bua "${B_OUT}UPDATE \(SDP offer\)"
    expect_grep b2bua "${A_OUT}200 OK \(to UPDATE, SDP answer\)"
    expect_no_grep b2bua 'as a re-INVITE' "the UPDATE became a re-INVITE although the callee allows UPDATE"
}

# RFC 3311 interworking: the caller (with 100rel) resumes with an UPDATE; the
# callee's Allow lacks UPDATE, so leg B gets a re-INVITE with the UPDATE's
# offer, and the UPDATE is answered with the re-INVITE's outcome (200 with
# the answer) once leg B's 200 came and was acknowledged.
case_sipp_update_to_reinvite_from_caller() {
    sipp_both sipp-uac-midcall.xml "$WITH_UPDATE" sipp-uas-midcall.xml "$NO_UPDATE" ""
    expect_grep b2bua "${B_OUT}INVITE .*\(SDP offer, the UPDATE as a re-INVITE \(RFC 3311\)\)"
    expect_before b2bua "${B_OUT}ACK" "${A_OUT}200 OK \(to UPDATE, SDP answer, the re-INVITE.s outcome\)"
    expect_no_grep b2bua "${B_OUT}UPDATE" "an UPDATE went to a callee that does not allow it"
}

# The callee holds and resumes; the caller allows UPDATE: relayed as they came.
case_sipp_reinvite_update_from_callee() {
    sipp_both sipp-uac-midcall-recv.xml "$WITH_UPDATE" sipp-uas-midcall-origin.xml "$WITH_UPDATE" ""
    expect_grep b2bua "${B_IN}INVITE .*\(SDP offer, re-INVITE\)"
    expect_grep b2bua "${A_OUT}INVITE .*\(Supported: 100rel, SDP offer, re-INVITE\)"
    expect_grep b2bua "${A_OUT}UPDATE \(SDP offer\)"
    expect_grep b2bua "${B_OUT}200 OK \(to UPDATE, SDP answer\)"
}

# The callee resumes with an UPDATE; the caller's Allow lacks UPDATE: it gets
# a re-INVITE, and the callee's UPDATE the re-INVITE's outcome.
case_sipp_update_to_reinvite_from_callee() {
    sipp_both sipp-uac-midcall-recv.xml "$NO_UPDATE" sipp-uas-midcall-origin.xml "$WITH_UPDATE" ""
    expect_grep b2bua "${A_OUT}INVITE .*\(Supported: 100rel, SDP offer, the UPDATE as a re-INVITE \(RFC 3311\)\)"
    expect_grep b2bua "${B_OUT}200 OK \(to UPDATE, SDP answer, the re-INVITE.s outcome\)"
    expect_no_grep b2bua "${A_OUT}UPDATE" "an UPDATE went to a caller that does not allow it"
}

# An UPDATE in the early dialog from the caller (with 100rel, its 183 PRACKed)
# towards a callee without 100rel: no reliable offer/answer on leg B can take
# it (RFC 3311 5.1), so the caller gets 500 with Retry-After and a Warning
# (RFC 3311 5.2, RFC 6337 4.3: the B2BUA is the INVITE's UAS on leg A), and
# nothing reaches the callee; the call goes on.
case_sipp_early_update_from_caller() {
    local ports
    read -r -a ports <<<"$(free_ports 127.0.0.1 3)"
    start uas "${VG[@]+"${VG[@]}"}" "$UAS" --linger 0 --bind "127.0.0.1:${ports[0]}" --100rel off \
        --provisional 183:sdp --answer-after 1500 --calls 1
    wait_up uas || fail "prack-uas did not start"
    start b2bua "${VG[@]+"${VG[@]}"}" "$B2BUA" --bind "127.0.0.1:${ports[1]}" \
        --next "127.0.0.1:${ports[0]}" --t1 100 --calls 1
    wait_up b2bua || fail "prack-b2bua did not start"
    start_sipp "127.0.0.1:${ports[1]}" -sf "$HERE/sipp-uac-early-update.xml" -s bob -p "${ports[2]}" \
        -key allow "$WITH_UPDATE"
    finish sipp
    finish b2bua
    finish uas
    expect_rc sipp 0
    expect_rc b2bua 0
    expect_rc uas 0
    expect_grep b2bua "${A_IN}UPDATE \(SDP offer\)"
    expect_grep b2bua "${A_OUT}500 Server Internal Error \(to UPDATE, early UPDATE not relayed\)"
    expect_no_grep b2bua "${B_OUT}UPDATE" "the early UPDATE went to the callee"
    expect_no_grep uas 'UPDATE' "the callee saw the UPDATE"
}

# The mirror: an UPDATE in the early dialog from the callee (with 100rel, its
# 183 PRACKed) towards a caller without 100rel gets 491 and a Warning (RFC 6337
# 4.3 UAS-IcU: the B2BUA is the INVITE's UAC on leg B).
case_sipp_early_update_from_callee() {
    local ports
    read -r -a ports <<<"$(free_ports 127.0.0.1 2)"
    start_sipp -sf "$HERE/sipp-uas-early-update.xml" -p "${ports[0]}"
    wait_bound 127.0.0.1 "${ports[0]}" || fail "sipp did not bind"
    start b2bua "${VG[@]+"${VG[@]}"}" "$B2BUA" --bind "127.0.0.1:${ports[1]}" \
        --next "127.0.0.1:${ports[0]}" --t1 100 --a-100rel off --b-100rel supported --calls 1
    wait_up b2bua || fail "prack-b2bua did not start"
    start uac "${VG[@]+"${VG[@]}"}" "$UAC" "sip:bob@127.0.0.1:${ports[1]}" --t1 100 --100rel off
    finish uac
    finish b2bua
    finish sipp
    expect_rc sipp 0
    expect_rc b2bua 0
    expect_rc uac 0
    expect_grep b2bua "${B_IN}UPDATE \(SDP offer\)"
    expect_grep b2bua "${B_OUT}491 Request Pending \(to UPDATE, early UPDATE not relayed\)"
    expect_no_grep b2bua "${A_OUT}UPDATE" "the early UPDATE went to the caller"
}

# Offer and answer in multipart/mixed bodies of some 9 kB (SDP and a text part
# standing in for ISUP) go through whole, both ways (above the 3 kB kept in a
# call, and above the 8 kB of a message kept in a call).
case_sipp_multipart() {
    sipp_both sipp-uac-multipart.xml "$WITH_UPDATE" sipp-uas-multipart.xml "$WITH_UPDATE" ""
    expect_grep b2bua "${A_IN}INVITE .*\(no 100rel, SDP offer, multipart/mixed, [0-9]{4} bytes\)"
    expect_grep b2bua "${B_OUT}INVITE .*\(no 100rel, SDP offer from the caller, multipart/mixed, [0-9]{4} bytes\)"
    expect_grep b2bua "${A_OUT}200 OK \(SDP answer, multipart/mixed, [0-9]{4} bytes\)"
}

# --b-update off: the caller's UPDATE in the confirmed dialog, towards a
# callee whose Allow lacks UPDATE (prack-uas), is refused with 488 and a
# Warning instead of becoming a re-INVITE; the callee sees nothing of it.
case_sipp_update_interwork_off() {
    local ports
    read -r -a ports <<<"$(free_ports 127.0.0.1 3)"
    start uas "${VG[@]+"${VG[@]}"}" "$UAS" --linger 0 --bind "127.0.0.1:${ports[0]}" --100rel off \
        --provisional none --answer-after 0 --calls 1
    wait_up uas || fail "prack-uas did not start"
    start b2bua "${VG[@]+"${VG[@]}"}" "$B2BUA" --bind "127.0.0.1:${ports[1]}" \
        --next "127.0.0.1:${ports[0]}" --t1 100 --b-update off --calls 1
    wait_up b2bua || fail "prack-b2bua did not start"
    start_sipp "127.0.0.1:${ports[1]}" -sf "$HERE/sipp-uac-update-refused.xml" -s bob -p "${ports[2]}" \
        -key allow "$WITH_UPDATE"
    finish sipp
    finish b2bua
    finish uas
    expect_rc sipp 0
    expect_rc b2bua 0
    expect_rc uas 0
    expect_grep b2bua "${A_OUT}488 Not Acceptable Here \(to UPDATE, UPDATE not relayed\)"
    expect_no_grep b2bua "${B_OUT}(UPDATE|INVITE .*re-INVITE)" "the UPDATE went on to the callee"
}

# An UPDATE in the early dialog where both legs have had a reliable
# offer/answer and the callee allows UPDATE: it goes on in leg B's early
# dialog (CSeq 3, after the INVITE and the PRACK), and its answer comes back.
case_sipp_early_update_relayed() {
    sipp_both sipp-uac-early-update-relayed.xml "$WITH_UPDATE" sipp-uas-early-update-relayed.xml \
        "$WITH_UPDATE" "--b-100rel supported"
    expect_grep b2bua "${B_OUT}UPDATE \(SDP offer, early dialog\)"
    expect_before b2bua "${A_OUT}200 OK \(to UPDATE, SDP answer\)" "${B_IN}200 OK \(SDP"
}

# The late-offer case between a caller without 100rel and a callee requiring
# it, SIPp on both legs: the callee's scenario checks that its PRACK carries
# the very answer the caller put in its ACK (R50), the caller's that its 200
# carries the callee's offer.
case_sipp_late_offer() {
    sipp_both sipp-uac-late-offer.xml "$NO_UPDATE" sipp-uas-late-offer.xml "$WITH_UPDATE" \
        "--a-100rel off --b-100rel required"
    expect_grep b2bua "${A_OUT}200 OK \(SDP offer, before the callee answered\)"
    expect_before b2bua "${A_IN}ACK \(SDP answer\)" "${B_OUT}PRACK RAck=1 1 INVITE \(SDP answer, the caller.s answer\)"
}

# The caller's hold re-INVITE towards a callee that gets 100rel required on
# leg B: the re-INVITE carries Require: 100rel, the callee's reliable 183 to it
# is PRACKed on leg B (RAck 1 2 INVITE, CSeq 3, checked by SIPp) and reaches
# the caller unreliably (its re-INVITE named no 100rel); the UPDATE after it
# takes CSeq 4 on leg B.
case_sipp_reinvite_100rel() {
    sipp_both sipp-uac-midcall.xml "$WITH_UPDATE" sipp-uas-midcall-100rel.xml "$WITH_UPDATE" \
        "--b-100rel required"
    expect_grep b2bua "${B_OUT}INVITE .*\(Require: 100rel, SDP offer, re-INVITE\)"
    expect_grep b2bua "${B_OUT}PRACK RAck=1 2 INVITE \(re-INVITE\)"
    expect_grep b2bua "${A_OUT}183 Session Progress$"
    expect_result b2bua prack_sent=1 prack_rcvd=0
}

# The PRACK failure policy of leg A: the callee's hold re-INVITE goes to the
# caller with Supported: 100rel, the caller sends a reliable 183 and answers
# the B2BUA's PRACK with 405; under --a-prack-failure observe the call goes on.
case_sipp_prack_405_leg_a() {
    sipp_both sipp-uac-reinvite-prack-405.xml "$WITH_UPDATE" sipp-uas-midcall-origin.xml "$WITH_UPDATE" \
        "--a-prack-failure observe"
    expect_grep b2bua "${A_OUT}PRACK RAck=1 1 INVITE \(re-INVITE\)"
    expect_grep b2bua "${A_IN}405 Method Not Allowed \(to PRACK\)"
    expect_grep b2bua 'A: PRACK for RSeq 1 failed with 405'
    expect_grep b2bua "${B_OUT}200 OK \(SDP answer\)"
}

# A re-INVITE without an offer: the callee offers in its 200, which goes to the
# caller; leg B's ACK waits for the caller's ACK and carries its answer (the
# SIPp scenarios check both bodies).
case_sipp_reinvite_no_offer() {
    sipp_both sipp-uac-reinvite-no-offer.xml "$WITH_UPDATE" sipp-uas-reinvite-no-offer.xml "$WITH_UPDATE" ""
    expect_grep b2bua 'B: the ACK waits for the answer from leg A'
    expect_grep b2bua "${A_OUT}200 OK \(SDP offer\)"
    expect_before b2bua "${A_IN}ACK \(SDP answer, to the re-INVITE\)" "${B_OUT}ACK \(SDP answer, the answer from the other leg\)"
}

# A challenge the other way: the callee's hold re-INVITE reaches the caller,
# who answers 401. The 401 goes back to the callee with its WWW-Authenticate,
# the callee's new re-INVITE (CSeq 102 on leg B) goes to the caller with its
# Authorization as the B2BUA's next request on leg A (CSeq 2 after 1), and
# the caller's SIPp verifies the digest (RFC 3261 22.2). Each ACK names its
# own leg's CSeq; the BYE on leg B is CSeq 2 (the callee's re-INVITEs number
# in its own space).
case_sipp_reinvite_401_from_callee() {
    # -auth_uri: the digest uri SIPp puts in the header is then the one it hashes
    sipp_both sipp-uac-reinvite-401.xml "$WITH_UPDATE" sipp-uas-reinvite-401.xml "$WITH_UPDATE" "" \
        "-auth_uri caller.test"
    expect_grep b2bua "${B_IN}INVITE .*\(SDP offer, re-INVITE\)"
    expect_grep b2bua "${A_IN}401 Unauthorized"
    expect_before b2bua "${A_OUT}ACK" "${B_OUT}401 Unauthorized"
    expect_before b2bua "${B_OUT}401 Unauthorized" "${B_IN}ACK"
    [ "$(grep -cF "${A_OUT}INVITE " "$WORK/b2bua.log")" -eq 2 ] || fail "expected two re-INVITEs to the caller"
    expect_grep b2bua "${B_OUT}200 OK \(SDP answer\)"
    expect_no_grep b2bua "${A_OUT}(500|491)" "the re-sent re-INVITE was refused"
}

# re-INVITE glare (RFC 3261 14.1, 14.2): the caller's hold re-INVITE goes on
# to the callee, whose own re-INVITE crosses it. The B2BUA has its re-INVITE
# in progress on leg B, so it answers the callee's with 491 itself (a Warning
# says why) and relays nothing of it; the callee answers the B2BUA's with
# 491, which goes to the caller. Each end then tries again after its wait,
# one at a time, and both re-INVITEs go through; the SIPp scenarios check
# every CSeq (leg B: INVITE 1, the relayed re-INVITEs 2 and 3, BYE 4; leg A:
# the callee's re-INVITE as the B2BUA's CSeq 1).
case_sipp_glare() {
    sipp_both sipp-uac-glare.xml "$WITH_UPDATE" sipp-uas-glare.xml "$WITH_UPDATE" ""
    expect_before b2bua "${B_OUT}INVITE .*\(SDP offer, re-INVITE\)" "${B_IN}INVITE .*\(SDP offer, re-INVITE\)"
    expect_grep b2bua "${B_OUT}491 Request Pending \(glare\)"
    expect_before b2bua "${B_IN}491 Request Pending" "${A_OUT}491 Request Pending"
    expect_no_grep b2bua "${A_OUT}491 Request Pending \(glare\)" "the B2BUA made a 491 of its own on leg A"
    [ "$(grep -cF "${A_OUT}INVITE " "$WORK/b2bua.log")" -eq 1 ] || fail "expected one re-INVITE to the caller"
    [ "$(grep -cF "${B_OUT}INVITE " "$WORK/b2bua.log")" -eq 3 ] || fail "expected the INVITE and two re-INVITEs to the callee"
    expect_grep b2bua 'call over: ok'
}

# A re-INVITE without an offer whose offer comes in a reliable 1xx (RFC 3262
# section 5): the callee's reliable 183 with the offer goes to the caller as
# a reliable 183 of leg A's own; leg B's PRACK waits for the caller's PRACK
# and carries its answer (RAck 1 2 INVITE, CSeq 3, checked by SIPp). The
# callee's 200 repeats the offer: no new offer, so its ACK goes at once and
# without a body.
case_sipp_reinvite_offer_in_1xx() {
    sipp_both sipp-uac-reinvite-offer-in-1xx.xml "$WITH_UPDATE" sipp-uas-reinvite-offer-in-1xx.xml \
        "$WITH_UPDATE" "--b-100rel supported"
    expect_grep b2bua "${B_IN}183 Session Progress RSeq=1 \(reliable, SDP offer\)"
    expect_grep b2bua "${A_OUT}183 Session Progress RSeq=[0-9]+ \(reliable, SDP offer\)"
    expect_grep b2bua 'B: PRACK for RSeq 1 waits for the answer from leg A'
    expect_before b2bua "${A_IN}PRACK RAck=[0-9]+ 2 INVITE \(SDP answer\)" \
        "${B_OUT}PRACK RAck=1 2 INVITE \(SDP answer, re-INVITE, the caller.s answer\)"
    expect_no_grep b2bua 'the ACK waits' "the 2xx's repeated SDP was taken for an offer"
    expect_result b2bua prack_sent=1 prack_rcvd=1
}

# The same under --a-prack-failure terminate: the callee's re-INVITE gets 500
# with a Warning, and the B2BUA ends the call with a BYE on each leg.
case_sipp_prack_405_leg_a_terminate() {
    local ports
    read -r -a ports <<<"$(free_ports 127.0.0.1 3)"
    start_sipp_as callee -sf "$HERE/sipp-uas-midcall-origin-terminate.xml" -p "${ports[0]}" -key allow "$WITH_UPDATE"
    wait_bound 127.0.0.1 "${ports[0]}" || fail "the callee's sipp did not bind"
    start b2bua "${VG[@]+"${VG[@]}"}" "$B2BUA" --bind "127.0.0.1:${ports[1]}" \
        --next "127.0.0.1:${ports[0]}" --t1 100 --calls 1 --a-prack-failure terminate
    wait_up b2bua || fail "prack-b2bua did not start"
    start_sipp_as caller "127.0.0.1:${ports[1]}" -sf "$HERE/sipp-uac-reinvite-prack-405-terminate.xml" -s bob \
        -p "${ports[2]}" -key allow "$WITH_UPDATE"
    finish caller
    finish b2bua
    finish callee
    expect_rc caller 0
    expect_rc callee 0
    expect_rc b2bua 1 # ended by the B2BUA's policy: not an outcome of the callee's
    expect_grep b2bua 'A: PRACK for RSeq 1 failed with 405: ending the call \(--a-prack-failure terminate\)'
    expect_before b2bua "${B_OUT}500 Server Internal Error" "${B_OUT}BYE"
    expect_grep b2bua "${A_OUT}BYE"
}

# The caller's re-INVITE with 100rel on both legs (N12: 100rel applies to a
# re-INVITE as to an INVITE): the callee's reliable 183 to it is PRACKed on leg
# B with the re-INVITE's CSeq in its RAck (R14), the B2BUA sends its own
# reliable 183 to the caller, with an RSeq of leg A's new engine, and answers
# the caller's PRACK (R17); each re-INVITE's 200 follows its PRACKs.
case_reinvite_100rel_both_legs() {
    chain 127.0.0.1 "--provisional 183:sdp --answer-after 1000 --calls 1" \
        "--a-100rel supported --b-100rel supported --calls 1" \
        "--100rel supported --reinvite-after 100 --hold 100"
    all_ok
    expect_result uac calls=1 ok=1 final=200 prack_sent=2 rel1xx=2 reinvites=1 reinvite_final=200
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=2 prack_rcvd=2 rel1xx=2
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2 reinvites=1 reinvite_final=200
    expect_grep b2bua "${A_IN}INVITE .*\(Supported: 100rel, SDP offer, re-INVITE\)"
    expect_grep b2bua "${B_OUT}PRACK RAck=[0-9]+ 3 INVITE \(re-INVITE\)"
    expect_grep b2bua "${A_IN}PRACK RAck=[0-9]+ 3 INVITE"
    expect_before b2bua "${A_IN}PRACK RAck=[0-9]+ 3 INVITE" "${A_OUT}200 OK \(SDP answer\)"
    expect_grep uac "PRACK RAck=[0-9]+ 3 INVITE \(re-INVITE\)"
}

# The same re-INVITE from a 100rel caller towards a callee without 100rel: the
# callee's plain 183 reaches the caller reliably (R5), from leg A's engine for
# the re-INVITE; the caller's PRACK of it (RAck with CSeq 3, R14) is answered
# by the B2BUA (R17) and never reaches the callee.
case_reinvite_a100rel_b_off() {
    chain 127.0.0.1 "--100rel off --provisional 183:sdp --answer-after 1000 --calls 1" \
        "--a-100rel supported --b-100rel off --calls 1" \
        "--100rel supported --reinvite-after 100 --hold 100"
    all_ok
    expect_result uac calls=1 ok=1 final=200 prack_sent=2 rel1xx=2 reinvites=1 reinvite_final=200
    expect_result b2bua calls=1 ok=1 final=200 prack_sent=0 prack_rcvd=2 rel1xx=2
    expect_result uas calls=1 ok=1 final=200 prack_rcvd=0 rel1xx=0 reinvites=1 reinvite_final=200
    expect_grep b2bua "${A_OUT}183 Session Progress RSeq=[0-9]+ \(reliable, SDP answer\)"
    expect_grep b2bua "${A_IN}PRACK RAck=[0-9]+ 3 INVITE"
    expect_no_grep b2bua "${B_OUT}PRACK"
    expect_grep uac "183 Session Progress RSeq=[0-9]+ \(reliable, SDP answer, re-INVITE\)"
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
    CASE=${1:?usage: b2bua.sh CASE | --list}
    local fn="case_${CASE//-/_}"
    declare -F "$fn" >/dev/null || { echo "unknown case: $CASE" >&2; exit 2; }
    trap cleanup EXIT
    trap 'exit 1' INT TERM
    command -v python3 >/dev/null || skip "python3 not found"
    if [[ "$CASE" == sipp-* ]]; then
        command -v "$SIPP" >/dev/null || skip "sipp not found"
    fi
    if [ ! -x "$UAS" ] || [ ! -x "$UAC" ] || [ ! -x "$B2BUA" ]; then
        echo "examples not built: $UAS $UAC $B2BUA" >&2
        exit 1
    fi
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/prack-b2bua.XXXXXX")
    "$fn"
    log "passed"
}

main "$@"
