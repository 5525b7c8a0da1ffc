#!/usr/bin/env bash
# The libprack demo: bash scripts/demo.sh
#
# Installs what the build needs, builds the library and the two example
# programs in build-demo/ (its own directory, so that it neither depends on
# nor disturbs another build's options), then places one call on loopback
# from prack-uac to prack-uas: a reliable 183 with SDP and a reliable 180,
# each PRACKed, then the 200, ACK and BYE. Both programs print their
# call-flow ladder, prefixed [uas] and [uac]. Exits non-zero if either side's
# call failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup-debian.sh

dir=build-demo
if [ -f "$dir/meson-private/coredata.dat" ]; then
    meson setup --reconfigure "$dir"
else
    meson setup "$dir"
fi
# only what the call needs: the unit tests, fuzz targets and docs are
# scripts/test.sh's business
meson compile -C "$dir" prack-uas prack-uac

tmp=$(mktemp -d)
uas_pipe=""
cleanup() {
    if [ -s "$tmp/uas.pid" ]; then
        kill "$(cat "$tmp/uas.pid")" 2>/dev/null || true
    fi
    if [ -n "$uas_pipe" ]; then
        wait "$uas_pipe" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

echo
echo "=== prack-uas (callee) and prack-uac (caller) on 127.0.0.1:5070 ==="
echo

# Each program runs under timeout; its PID and exit status go to files so
# that the ladder can be prefixed through sed.
(
    timeout 30 "$dir/examples/prack-uas" --bind 127.0.0.1:5070 --provisional 183:sdp,180 \
        --answer-after 300 --calls 1 &
    echo $! >"$tmp/uas.pid"
    rc=0
    wait $! || rc=$?
    echo "$rc" >"$tmp/uas.rc"
) 2>&1 | sed -u 's/^/[uas] /' &
uas_pipe=$!

# let the UAS bind before the INVITE goes out (the UAC would retransmit it
# anyway, but the ladder reads better without a retransmission)
sleep 0.3

(
    rc=0
    timeout 30 "$dir/examples/prack-uac" sip:bob@127.0.0.1:5070 --sdp yes || rc=$?
    echo "$rc" >"$tmp/uac.rc"
) 2>&1 | sed -u 's/^/[uac] /'

wait "$uas_pipe" || true
uas_pipe=""
rm -f "$tmp/uas.pid"

uas_rc=$(cat "$tmp/uas.rc" 2>/dev/null || echo 1)
uac_rc=$(cat "$tmp/uac.rc" 2>/dev/null || echo 1)
echo
if [ "$uac_rc" -ne 0 ] || [ "$uas_rc" -ne 0 ]; then
    echo "demo FAILED (prack-uac exit $uac_rc, prack-uas exit $uas_rc)" >&2
    exit 1
fi
echo "demo OK: both sides completed the call"
