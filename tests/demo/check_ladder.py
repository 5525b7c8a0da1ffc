#!/usr/bin/env python3
"""scripts/demo-ladder.py on a recorded pair of traces (uac.trace, uas.trace:
one demo call, 180 then 183 with SDP, each PRACK 300 ms late, the 200 held):
the ladder must match ladder.expected and the SVG must be well-formed with one
arrow per message, both lifelines, the hold and its release.

usage: check_ladder.py SOURCE_ROOT"""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

root = sys.argv[1]
here = os.path.join(root, "tests", "demo")
merger = os.path.join(root, "scripts", "demo-ladder.py")
failures = []

with tempfile.TemporaryDirectory() as tmp:
    svg_path = os.path.join(tmp, "callflow.svg")
    run = subprocess.run(
        [sys.executable, merger, os.path.join(here, "uac.trace"), os.path.join(here, "uas.trace"),
         "--svg", svg_path, "--expect-hold"],
        capture_output=True, text=True)
    if run.returncode != 0:
        failures.append("demo-ladder.py exit %d: %s" % (run.returncode, run.stderr.strip()))
    with open(os.path.join(here, "ladder.expected"), encoding="utf-8") as f:
        expected = f.read()
    if run.stdout != expected:
        got = run.stdout.splitlines()
        want = expected.splitlines()
        for i in range(max(len(got), len(want))):
            g = got[i] if i < len(got) else "<none>"
            w = want[i] if i < len(want) else "<none>"
            if g != w:
                failures.append("ladder line %d:\n  got:  %s\n  want: %s" % (i + 1, g, w))
                break

    ns = {"s": "http://www.w3.org/2000/svg"}
    try:
        svg = ET.parse(svg_path).getroot()
    except (OSError, ET.ParseError) as err:
        failures.append("SVG: %s" % err)
        svg = None
    if svg is not None:
        arrows = [l for l in svg.iter("{%s}line" % ns["s"]) if l.get("marker-end")]
        # 12 messages: INVITE 100 180 PRACK 200 183 PRACK 200 200 ACK BYE 200
        if len(arrows) != 12:
            failures.append("SVG: %d arrows, want 12" % len(arrows))
        lifelines = [l for l in svg.iter("{%s}line" % ns["s"]) if not l.get("marker-end")]
        if len(lifelines) != 2:
            failures.append("SVG: %d lifelines, want 2" % len(lifelines))
        texts = ["".join(t.itertext()) for t in svg.iter("{%s}text" % ns["s"])]
        for want in ("caller (prack-uac)", "callee (prack-uas)", "HELD: 200 held until PRACK",
                     "RELEASED: 200 released", "PRACK RAck=", "RSeq=", "0.0"):
            if not any(want in t for t in texts):
                failures.append("SVG: no text with %r" % want)

    # without a hold, --expect-hold must fail the demo
    nohold = os.path.join(tmp, "uas-nohold.trace")
    with open(os.path.join(here, "uas.trace"), encoding="utf-8") as src, \
            open(nohold, "w", encoding="utf-8") as dst:
        dst.writelines(l for l in src if "held until" not in l)
    run = subprocess.run([sys.executable, merger, os.path.join(here, "uac.trace"), nohold,
                          "--expect-hold"], capture_output=True, text=True)
    if run.returncode != 3:
        failures.append("--expect-hold without a hold: exit %d, want 3" % run.returncode)

for f in failures:
    print("FAIL " + f)
if failures:
    sys.exit(1)
print("ladder and SVG as expected")
