#!/usr/bin/env bash
# Interop of libprack embedded in real SIP stacks (examples/stacks): the
# programs on libre and on libosip2 against SIPp, every UAC against every UAS,
# a forked call, and calls through the lossy chaos relay. Loopback only.
#
#   stacks.sh CASE          run one case (exit 0 pass, 1 fail, 77 skip)
#   stacks.sh --list        print the case names
#
# Cases:
#   sipp-STACK-CASE     run.sh's case CASE (its SIPp scenario and its checks)
#                       with prack-STACK-uas / prack-STACK-uac in place of
#                       prack-uas / prack-uac (STACK: libre, osip)
#   cross-UAC-UAS       the UAC calls the UAS in all nine 100rel combinations
#                       (off/supported/required on each side), and once more
#                       with --retry after the 420, all at once
#   forked-UAC          the UAC calls through a forking proxy to two UASes
#   chaos-libre-osip    200 calls libre UAC -> chaos-relay -> osip2 UAS
# where UAC and UAS are prack (the plain examples), libre or osip. A case whose
# programs are not built is skipped (77), so the same list runs on a tree where
# only some of them build.
#
# Environment: STACKS_BUILD (default: build), SIPP, PROC_TIMEOUT.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${STACKS_BUILD:-$ROOT/build}
PROC_TIMEOUT=${PROC_TIMEOUT:-45}
KINDS="prack libre osip"

# prog KIND uas|uac: the binary of that program
prog() {
    case "$1" in
    prack) echo "$BUILD/examples/prack-$2" ;;
    *) echo "$BUILD/examples/prack-$1-$2" ;;
    esac
}

# Why a run.sh case does not apply to a stack's programs (empty: it does).
sipp_excluded() { # STACK CASE
    case "$2" in
    pair-*) echo "pairs prack-uac with prack-uas: the cross-* cases do that for every pair" ;;
    uas-sdp-* | uac-sdp-*)
        echo "checks the RFC 3264 answers of examples/sdp.c (--codecs), which the stack programs do not" \
            "use: their SDP bodies are their own" ;;
    uas-malformed)
        echo "checks what prack-uas's own parser answers to junk (which datagrams get 400 or 505, with" \
            "which reason text); on a stack that is the stack parser's choice, not libprack's" ;;
    uac-reinvite-*)
        echo "needs prack-uac's --reinvite-after, an option the stack programs do not have" ;;
    uas-reinvite-*)
        echo "checks prack-uas's re-INVITE transactions (reliable 1xx from an engine per re-INVITE," \
            "RESULT reinvites=); the stack programs answer no re-INVITE that way" ;;
    uas-ack-other-from-tag | uas-linger-after-calls | uas-hangup-after)
        echo "checks the examples' host layer (ACK matching, --linger, --hangup-after), options the" \
            "stack programs do not have" ;;
    esac
}

list_cases() {
    local stack c u s
    for stack in libre osip; do
        for c in $(bash "$HERE/run.sh" --list); do
            [ -z "$(sipp_excluded "$stack" "$c")" ] && echo "sipp-$stack-$c"
        done
    done
    for u in $KINDS; do
        for s in $KINDS; do
            echo "cross-$u-$s"
        done
    done
    for u in $KINDS; do
        echo "forked-$u"
    done
    echo "chaos-libre-osip"
}

# ---------------------------------------------------------------------------

CASE=""
WORK=""
PIDS=()

log() { printf '[%s] %s\n' "$CASE" "$*"; }
skip() {
    echo "[$CASE] skipped: $*"
    exit 77
}
# The reason is said again after the logs that cleanup prints, so that it is
# in the last lines meson keeps of a failed test.
FAIL_REASON=
fail() {
    FAIL_REASON="$*"
    echo "[$CASE] check failed: $*" >&2
    exit 1
}

cleanup() {
    local rc=$? pid f
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "$WORK" ]; then
        for f in "$WORK"/*.log; do
            [ -f "$f" ] || continue
            printf '\n----- %s -----\n' "$(basename "$f")" >&2
            head -c 40000 "$f" >&2
        done
        if [ -n "$FAIL_REASON" ]; then echo "[$CASE] check failed: $FAIL_REASON" >&2; fi
    fi
    [ -n "$WORK" ] && rm -rf "$WORK"
    exit "$rc"
}

TAKEN=" "
# port_in_use, nap and log_has: poll.sh
# shellcheck source=poll.sh
. "$HERE/poll.sh"
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
    return 1
}
wait_bound() {
    local i
    for i in $(seq 1 200); do
        port_in_use "$1" && return 0
        nap 0.05
    done
    fail "nothing bound to port $1"
}

# start NAME CMD...: CMD in the background under timeout, output in $WORK/NAME.log.
start() {
    local name=$1
    shift
    timeout -k 5 "$PROC_TIMEOUT" "$@" >"$WORK/$name.log" 2>&1 &
    PIDS+=("$!")
    printf -v "PID_${name//-/_}" '%s' "$!"
}
finish() { # NAME: its exit status in RC_NAME
    local v="PID_${1//-/_}" rc=0
    wait "${!v}" || rc=$?
    printf -v "RC_${1//-/_}" '%s' "$rc"
    { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } && fail "$1 did not finish within ${PROC_TIMEOUT}s"
    return 0
}
# stop_after NAME REGEX: once NAME's log matches REGEX (within 5 s), end it
# with SIGTERM, as an operator would; it still prints its RESULT line.
stop_after() {
    local v="PID_${1//-/_}" i
    for i in $(seq 1 100); do
        log_has "$WORK/$1.log" "$2" && break
        nap 0.05
    done
    kill -TERM "${!v}" 2>/dev/null || true
}
expect_rc() { # NAME WANT
    local v="RC_${1//-/_}"
    [ "${!v}" -eq "$2" ] || fail "$1 exited ${!v}, expected $2"
}
expect_result() { # NAME key=value...
    local name=$1 line kv
    shift
    line=$(grep '^RESULT ' "$WORK/$name.log" | tail -n 1) || fail "$name printed no RESULT line"
    for kv in "$@"; do
        [[ " $line " == *" $kv "* ]] || fail "$name: expected $kv in '$line'"
    done
}
expect_grep() { # NAME REGEX
    grep -Eq -- "$2" "$WORK/$1.log" || fail "$1.log lacks /$2/"
}

need() { # KIND...: skip unless both programs of each kind are built
    local k
    for k in "$@"; do
        [ -x "$(prog "$k" uas)" ] && [ -x "$(prog "$k" uac)" ] || skip "prack-$k programs not built"
    done
}

# ---------------------------------------------------------------------------
# SIPp: run.sh's own cases and checks, with the stack's programs

case_sipp() { # STACK CASE
    local dir=$HERE
    need "$1"
    command -v "${SIPP:-sipp}" >/dev/null || skip "sipp not found"
    if [[ "$2" == uac-* ]]; then
        # Both stacks write each entry of a route set on a Route line of its
        # own, and SIPp checks the first line only: in a copy of the
        # scenarios the first entry is checked, the second may be on the
        # next line.
        dir=$WORK/relaxed
        mkdir -p "$dir"
        cp "$HERE"/*.xml "$HERE/run.sh" "$HERE/poll.sh" "$dir/"
        sed -i -E 's/;lr\., \*\.sip:p2@\[\^,\]\*;lr\. \*\$/;lr.(, *.sip:p2@[^,]*;lr.)? *$/' "$dir"/*.xml
    fi
    if [ "$1" = libre ] && [[ "$2" == uac-* ]]; then
        # libre 1.1.0 starts every dialog it makes (sip_dialog_alloc) at a
        # random CSeq below 65536 and has no call to choose it, while the
        # SIPp callee scenarios and their checks expect the INVITE's CSeq to
        # be 1 (2 after a retry): there "CSeq 1" and "CSeq 2" read "any CSeq"
        # (in the RAck too).
        sed -i -E 's/regexp="\^ \*([0-9]+) [0-9]+ INVITE \*\$"/regexp="^ *\1 [0-9]+ INVITE *$"/;
                   s/regexp="\^ \*[0-9]+ (INVITE|PRACK|ACK|BYE|CANCEL) \*\$"/regexp="^ *[0-9]+ \1 *$"/' "$dir"/*.xml
        sed -i -E 's/RAck=([0-9]+|\[0-9\]\+) [12] INVITE/RAck=\1 [0-9]+ INVITE/g' "$dir/run.sh"
    fi
    if [ "$1" = libre ] && { [ "$2" = uac-prack-timer-e ] || [ "$2" = uac-invite-timer-a ]; }; then
        # These two time Timer E (PRACK) and Timer A (INVITE) at T1 = 50 ms.
        # Both are libre's client transaction timers, not libprack's (the UAC
        # engine has none), and libre 1.1.0 builds them from its compile-time
        # SIP_T1 = 500 ms with no call to change it (doc/porting.md, Timers).
        # So for libre the case runs at T1 = 500 ms, scaled by 10: Timer E's
        # sends, the 408 at Timer F (64*T1 = 32 s) mapped to a failed PRACK
        # and SIPp's answer after it; for Timer A, three INVITEs (0, T1, 3*T1)
        # and SIPp's answer before the fourth. libre restarts Timer E from the
        # moment it fires, so lateness adds up over the eleven sends: the
        # tolerance is 150 ms, under a third of T1.
        sed -i -E '/^case_uac_prack_timer_e\(\)/,/^}/{
                       s/--t1 50/--t1 500/
                       s/"0 50 150 350 750 1550 3150"/"0 500 1500 3500 7500 11500 15500 19500 23500 27500 31500"/g
                       s/ 3200 / 32000 /}
                   /^case_uac_invite_timer_a\(\)/,/^}/{
                       s/--t1 50/--t1 500/
                       s/"0 50 150 350 750 1550"/"0 500 1500"/}' "$dir/run.sh"
        sed -i 's/<pause milliseconds="3600"\/>/<pause milliseconds="33000"\/>/' "$dir/sipp-uas-prack-timeout.xml"
        sed -i 's/<pause milliseconds="2300"\/>/<pause milliseconds="2500"\/>/' "$dir/sipp-uas-late-answer.xml"
        grep -q '"0 500 1500 3500 7500 11500 15500 19500 23500 27500 31500"' "$dir/run.sh" &&
            grep -q '"0 500 1500"' "$dir/run.sh" && grep -q '33000' "$dir/sipp-uas-prack-timeout.xml" &&
            grep -q '2500' "$dir/sipp-uas-late-answer.xml" || fail "run.sh or its scenarios changed: scale them anew"
        sed -i 's/-timeout 30s/-timeout 60s/' "$dir/run.sh"
        export TOL_MS=150 PROC_TIMEOUT=70
    fi
    PRACK_UAS=$(prog "$1" uas) PRACK_UAC=$(prog "$1" uac) bash "$dir/run.sh" "$2"
}

# ---------------------------------------------------------------------------
# prack-uas stays after its --calls N for the life of its transactions
# (--linger); these cases end it at once. The other stacks have no such option.
start_uas_of() { # NAME KIND ARGS...
    local name=$1 kind=$2
    shift 2
    if [ "$kind" = prack ]; then set -- --linger 0 "$@"; fi
    start "$name" "$(prog "$kind" uas)" "$@"
}

# Every UAC against every UAS: the nine 100rel combinations, and the retry
# after a 420, at once

case_cross() { # UAC-KIND UAS-KIND
    local um sm port reliable n code reason
    need "$1" "$2"
    for um in off supported required; do
        for sm in off supported required; do
            port=$(free_port)
            n="$um-$sm"
            start_uas_of "uas-$n" "$2" --bind "127.0.0.1:$port" --calls 1 --100rel "$sm" \
                --provisional 183:sdp,180 --answer-after 600
            wait_bound "$port"
            start "uac-$n" "$(prog "$1" uac)" "sip:bob@127.0.0.1:$port" --100rel "$um"
        done
    done
    port=$(free_port)
    start_uas_of uas-retry "$2" --bind "127.0.0.1:$port" --calls 1 --100rel off \
        --provisional 183:sdp,180 --answer-after 600
    wait_bound "$port"
    start uac-retry "$(prog "$1" uac)" "sip:bob@127.0.0.1:$port" --100rel required --retry
    for um in off supported required; do
        for sm in off supported required; do
            n="$um-$sm"
            finish "uac-$n"
            if { [ "$um" = off ] && [ "$sm" = required ]; } || { [ "$um" = required ] && [ "$sm" = off ]; }; then
                # The UAS keeps a refused call open for T4 (5 s) in case the
                # UAC retries, then counts it failed and exits; run.sh's
                # uas-require-421 and uas-unsupported-420 wait for that with
                # each UAS. Here it is stopped once the ACK is in: it counts
                # the call the same way.
                stop_after "uas-$n" 'UAC -> UAS  ACK'
            fi
            finish "uas-$n"
            if { [ "$um" = off ] && [ "$sm" = required ]; } || { [ "$um" = required ] && [ "$sm" = off ]; }; then
                # 421 or 420, and no retry: the UACs retry only with --retry
                # (and never under 100rel off), as run.sh's pair cases check
                code=421 reason='421 Extension Required'
                [ "$um" = required ] && code=420 reason='420 Bad Extension'
                expect_rc "uac-$n" 1
                expect_rc "uas-$n" 1
                expect_result "uac-$n" calls=1 ok=0 final=$code prack_sent=0 rel1xx=0
                expect_result "uas-$n" calls=1 ok=0 final=$code prack_rcvd=0 rel1xx=0
                expect_grep "uac-$n" "$reason"
                [ "$(grep -c 'UAC -> UAS  INVITE ' "$WORK/uac-$n.log")" -eq 1 ] || fail "uac-$n sent more than one INVITE"
                log "UAC $um / UAS $sm: $(grep '^RESULT' "$WORK/uac-$n.log")"
                continue
            fi
            expect_rc "uac-$n" 0
            expect_rc "uas-$n" 0
            # reliable unless one side has it off
            reliable=1
            if [ "$um" = off ] || [ "$sm" = off ]; then reliable=0; fi
            if [ "$reliable" -eq 1 ]; then
                expect_result "uac-$n" calls=1 ok=1 final=200 prack_sent=2 rel1xx=2
                expect_result "uas-$n" calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2
            else
                expect_result "uac-$n" calls=1 ok=1 final=200 prack_sent=0 rel1xx=0
                expect_result "uas-$n" calls=1 ok=1 final=200 prack_rcvd=0 rel1xx=0
            fi
            log "UAC $um / UAS $sm: $(grep '^RESULT' "$WORK/uac-$n.log")"
        done
    done
    # with --retry the 420 brings a second INVITE with Supported, and the
    # call goes through with unreliable provisionals
    finish uac-retry
    finish uas-retry
    expect_rc uac-retry 0
    expect_rc uas-retry 0
    expect_result uac-retry calls=1 ok=1 final=200 prack_sent=0 rel1xx=0
    expect_result uas-retry calls=1 ok=1 final=200 prack_rcvd=0 rel1xx=0
    expect_grep uac-retry '420 Bad Extension'
    expect_grep uac-retry 'retrying with 100rel supported'
    [ "$(grep -c 'UAC -> UAS  INVITE ' "$WORK/uac-retry.log")" -eq 2 ] || fail "uac-retry did not send two INVITEs"
    log "UAC required --retry / UAS off: $(grep '^RESULT' "$WORK/uac-retry.log")"
}

# ---------------------------------------------------------------------------
# A forked call: a stateless forking proxy (Record-Route) in front of two UASes

write_proxy() {
    cat >"$WORK/proxy.py" <<'PY'
# Stateless forking proxy for the test: an INVITE without To-tag goes to every
# UAS (with Record-Route), a request with our Route goes to its Request-URI,
# responses go back along the Via. Just enough SIP for one forked call.
import re, socket, sys
port, targets = int(sys.argv[1]), [("127.0.0.1", int(p)) for p in sys.argv[2:]]
me = "127.0.0.1:%d" % port
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
s.settimeout(40)
def split(msg):
    head, _, body = msg.partition(b"\r\n\r\n")
    return head.decode("latin-1").split("\r\n"), body
def join(lines, body):
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
def hostport(uri):
    m = re.search(r"sip:(?:[^@;>]*@)?([^;>:]+)(?::(\d+))?", uri)
    return (m.group(1), int(m.group(2) or 5060))
while True:
    try:
        data, src = s.recvfrom(65535)
    except socket.timeout:
        break
    lines, body = split(data)
    if lines[0].startswith("SIP/2.0"):
        vias = [i for i, l in enumerate(lines) if re.match(r"(?i)(via|v)\s*:", l)]
        if not vias or me not in lines[vias[0]]:
            continue
        del lines[vias[0]]
        if len(vias) < 2:
            continue
        # the next Via, wherever it is: a UAS may copy our Record-Route
        # from between the Vias of the request into the response
        v = lines[vias[1] - 1]
        m = re.search(r"SIP\s*/\s*2\.0\s*/\s*UDP\s+([^;:\s]+)(?:\s*:\s*(\d+))?", v, re.I)
        if not m:
            continue
        rp = re.search(r";rport=(\d+)", v)
        rc = re.search(r";received=([^;\s]+)", v)
        dst = (rc.group(1) if rc else m.group(1), int(rp.group(1) if rp else (m.group(2) or 5060)))
        s.sendto(join(lines, body), dst)
        continue
    method = lines[0].split(" ")[0]
    vi = next(i for i, l in enumerate(lines) if re.match(r"(?i)(via|v)\s*:", l))
    if re.search(r";rport(?=;|$)", lines[vi]):
        lines[vi] = re.sub(r";rport(?=;|$)", ";rport=%d;received=%s" % (src[1], src[0]), lines[vi])
    branch = re.search(r"branch=([^;\s]+)", lines[vi]).group(1)
    routes = [i for i, l in enumerate(lines) if re.match(r"(?i)route\s*:", l) and me in l]
    to_tag = any(re.match(r"(?i)(to|t)\s*:.*;tag=", l) for l in lines)
    if routes:
        del lines[routes[0]]
        dsts = [hostport(lines[0].split(" ")[1])]
    elif not to_tag or method in ("CANCEL", "ACK"):
        dsts = targets
        if method == "INVITE":
            lines.insert(1, "Record-Route: <sip:%s;lr>" % me)
    else:
        dsts = [hostport(lines[0].split(" ")[1])]
    for k, d in enumerate(dsts):
        out = list(lines)
        out.insert(1, "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s-%d" % (me, branch[-16:], k if len(dsts) > 1 else 9))
        s.sendto(join(out, body), d)
PY
}

case_forked() { # UAC-KIND
    local uas1 uas2 k p1 p2 pp
    need "$1"
    # the two callees: two different UASes where they exist
    uas1="" uas2=""
    for k in libre osip prack; do
        [ -x "$(prog "$k" uas)" ] || continue
        if [ -z "$uas1" ]; then uas1=$k; elif [ -z "$uas2" ]; then uas2=$k; fi
    done
    [ -n "$uas1" ] || skip "no UAS built"
    [ -n "$uas2" ] || uas2=$uas1
    command -v python3 >/dev/null || skip "python3 not found"
    write_proxy
    p1=$(free_port)
    p2=$(free_port)
    pp=$(free_port)
    start_uas_of uas1 "$uas1" --bind "127.0.0.1:$p1" --calls 1 --provisional 183:sdp,180 --answer-after 700
    start_uas_of uas2 "$uas2" --bind "127.0.0.1:$p2" --calls 1 --provisional 183:sdp,180 --answer-after 1200
    wait_bound "$p1"
    wait_bound "$p2"
    start proxy python3 "$WORK/proxy.py" "$pp" "$p1" "$p2"
    wait_bound "$pp"
    # the call lasts past the second answer (1200 ms), so that 2xx reaches
    # a UAC still in its INVITE transaction, which ACKs it and hangs it up
    start uac "$(prog "$1" uac)" "sip:bob@127.0.0.1:$pp" --hold 1500
    finish uac
    finish uas1
    finish uas2
    log "forks: prack-$uas1-uas and prack-$uas2-uas"
    expect_rc uac 0
    expect_rc uas1 0
    expect_rc uas2 0
    # both early dialogs PRACKed twice, each PRACK routed by that fork's
    # Record-Route and Contact; the second 2xx gets ACK and BYE
    expect_result uac calls=1 ok=1 final=200 prack_sent=4 rel1xx=4
    expect_result uas1 calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2
    expect_result uas2 calls=1 ok=1 final=200 prack_rcvd=2 rel1xx=2
    expect_grep uac 'UAC -> UAS  PRACK RAck=[0-9]+ [0-9]+ INVITE .*fork 2'
    expect_grep uac 'UAC -> UAS  BYE .*second 2xx'
}

# ---------------------------------------------------------------------------
# Lossy relay: chaos.sh with the libre UAC and the osip2 UAS

case_chaos() { # UAC-KIND UAS-KIND
    need "$1" "$2"
    [ -x "$BUILD/tests/chaos/chaos-relay" ] || skip "chaos-relay not built"
    CHAOS_UAC=$(prog "$1" uac) CHAOS_UAS=$(prog "$2" uas) bash "$ROOT/tests/chaos/chaos.sh" "$BUILD" 200 0.2
}

main() {
    if [ "${1:-}" = "--list" ]; then
        list_cases
        return 0
    fi
    CASE=${1:?usage: stacks.sh CASE | --list}
    trap cleanup EXIT
    trap 'exit 1' INT TERM
    [ -r /proc/net/udp ] || skip "needs /proc/net/udp (Linux)"
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/prack-stacks.XXXXXX")
    case "$CASE" in
    sipp-libre-* | sipp-osip-*)
        local stack=${CASE#sipp-}
        stack=${stack%%-*}
        case_sipp "$stack" "${CASE#sipp-"$stack"-}"
        ;;
    cross-*-*)
        local pairs=${CASE#cross-}
        case_cross "${pairs%-*}" "${pairs#*-}"
        ;;
    forked-*) case_forked "${CASE#forked-}" ;;
    chaos-*-*)
        local pairs=${CASE#chaos-}
        case_chaos "${pairs%-*}" "${pairs#*-}"
        ;;
    *)
        echo "unknown case: $CASE" >&2
        exit 2
        ;;
    esac
    log "passed"
}

main "$@"
