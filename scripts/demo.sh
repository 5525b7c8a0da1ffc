#!/usr/bin/env bash
# The libprack demo: bash scripts/demo.sh
#
# Installs what the build needs (scripts/setup-debian.sh --demo: compiler,
# meson, ninja, pkg-config, python3), builds the library and the example
# programs in build-demo/ (its own directory, so that it neither depends on
# nor disturbs another build's options), then places one call on loopback
# from prack-uac (the caller) to prack-uas (the callee): a reliable 180, then
# a reliable 183 with the SDP answer, each PRACKed. The caller sends each
# PRACK 300 ms late (--prack-delay) while the callee answers 400 ms after the
# INVITE, so the callee's engine holds the 200 until the 183 is PRACKed and
# the PRACK releases it; then ACK and BYE.
#
# Both programs write a trace (--trace); scripts/demo-ladder.py merges the two
# into one ladder on one clock and draws build-demo/callflow.svg. Exits
# non-zero if either side's call failed or the 200 was not held.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup-debian.sh --demo

dir=build-demo
# the unit tests, fuzz targets and docs are scripts/test.sh's business
opts=(-Dtests=disabled -Ddocs=disabled -Dexamples=true -Dfuzzing=false)
if [ -f "$dir/meson-private/coredata.dat" ]; then
    meson setup --reconfigure "$dir" "${opts[@]}" >/dev/null
else
    meson setup "$dir" "${opts[@]}" >/dev/null
fi
meson compile -C "$dir" prack-uas prack-uac >/dev/null

tmp=$(mktemp -d)
uas_pid=""
cleanup() {
    if [ -n "$uas_pid" ]; then
        kill "$uas_pid" 2>/dev/null || true
        wait "$uas_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

timeout 30 "$dir/examples/prack-uas" --bind 127.0.0.1:5070 --provisional 180,183:sdp \
    --answer-after 400 --calls 1 --linger 0 --trace "$tmp/uas.trace" >"$tmp/uas.out" 2>&1 &
uas_pid=$!

# let the UAS bind before the INVITE goes out (the UAC would retransmit it
# anyway, but the ladder reads better without a retransmission)
sleep 0.3

uac_rc=0
timeout 30 "$dir/examples/prack-uac" sip:bob@127.0.0.1:5070 --sdp yes --prack-delay 300 \
    --trace "$tmp/uac.trace" >"$tmp/uac.out" 2>&1 || uac_rc=$?

uas_rc=0
wait "$uas_pid" || uas_rc=$?
uas_pid=""

svg="$dir/callflow.svg"
echo
echo "=== one call from prack-uac (caller) to prack-uas (callee) on 127.0.0.1:5070 ==="
echo
ladder_rc=0
python3 scripts/demo-ladder.py "$tmp/uac.trace" "$tmp/uas.trace" --svg "$svg" --expect-hold ||
    ladder_rc=$?
echo
echo "sequence diagram: $svg"

# what went to stderr (warnings) is worth seeing when something failed
if [ "$uac_rc" -ne 0 ] || [ "$uas_rc" -ne 0 ] || [ "$ladder_rc" -ne 0 ]; then
    echo
    echo "--- prack-uac output ---"
    cat "$tmp/uac.out"
    echo "--- prack-uas output ---"
    cat "$tmp/uas.out"
    echo
    echo "demo FAILED (prack-uac exit $uac_rc, prack-uas exit $uas_rc, ladder exit $ladder_rc)" >&2
    exit 1
fi
echo "demo OK: both sides completed the call; the 200 was held until the PRACK of the 183"
