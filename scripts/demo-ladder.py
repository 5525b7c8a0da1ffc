#!/usr/bin/env python3
"""Merge the --trace files of prack-uac (caller) and prack-uas (callee) into
one call-flow ladder on one clock, and draw it as an SVG sequence diagram.

usage: demo-ladder.py UAC_TRACE UAS_TRACE [--svg FILE] [--expect-hold]

A trace line is tab-separated (examples/common.h, ex_trace):
    MONO_US  msg     CALL  uac>uas|uas>uac  DESCRIPTION  NOTES
    MONO_US  note    CALL  -                TEXT
    MONO_US  result  0     -                RESULT ...
MONO_US is CLOCK_MONOTONIC, shared by both programs, so the two files sort
into one time line. Each message is shown once, when its sender sent it, with
the time its receiver read it. Times are ms from the first INVITE.

Exit status: 0; 1 on unreadable input; 3 with --expect-hold when the callee
did not hold a 2xx and release it with a PRACK.
"""

import sys
from html import escape

SIDES = ("caller", "callee")
WIDTH = 66  # characters between the two side names in the text ladder

# Annotation tags: the first word of the text that matches picks the tag.
TAGS = (
    ("held until", "HELD"),
    ("released", "RELEASED"),
    ("queued", "QUEUED"),
    ("dropped", "DROPPED"),
    ("delayed", "DELAYED"),
)

LEGEND = """\
Legend:
  time      ms since the caller sent the INVITE, one clock for both programs;
            "rcvd" is when the other side read the message
  RSeq=N    sequence number of a reliable provisional (1xx with Require: 100rel)
  RAck=N C M  the PRACK acknowledges RSeq N of the INVITE with CSeq C, method M
  HELD      the callee's engine keeps the 2xx back: a 1xx with SDP is not PRACKed yet
  RELEASED  the PRACK arrived: the held 2xx goes out
  QUEUED    a reliable 1xx waits until the one before it is PRACKed
  DELAYED   prack-uac --prack-delay: the caller answers the 1xx late on purpose
  DROPPED   a queued 1xx no longer sent because the final response came first
  RESULT    role, calls = calls ended, ok = calls that succeeded, final = last final
            status, prack_sent / prack_rcvd = PRACKs sent / received, rel1xx =
            reliable 1xx sent (callee) or received (caller)"""


def read_trace(path, side):
    events = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5:
                continue
            try:
                t = int(parts[0])
            except ValueError:
                continue
            notes = parts[5] if len(parts) > 5 else ""
            events.append({"t": t, "kind": parts[1], "side": side, "dir": parts[3],
                           "desc": parts[4], "notes": notes})
    return events


def tag_of(text):
    low = text.lower()
    for word, tag in TAGS:
        if word in low:
            return tag
    return "note"


SLACK_US = 50000


def key(e):
    """What both sides say alike about a message: the start line, RSeq or
    RAck, and which request a response answers."""
    to = [n for n in e["notes"].split(", ") if n.startswith("to ")]
    return (e["desc"], tuple(to))


def merge(uac, uas):
    """One list of rows in time order: messages at send time, notes, results."""
    sent = {"caller": [], "callee": []}
    rcvd = {"caller": [], "callee": []}
    rows = []
    for e in uac + uas:
        if e["kind"] == "msg":
            sender = "caller" if e["dir"] == "uac>uas" else "callee"
            (sent if sender == e["side"] else rcvd)[e["side"]].append(e)
        elif e["kind"] in ("note", "result"):
            rows.append(e)
    # Pair each sent message with the first unpaired reading of the same
    # message on the other side. The sender logs just after sendto(), so the
    # reading may carry an earlier time: allow some slack, then show the
    # message at the earlier of the two times.
    for side, other in (("caller", "callee"), ("callee", "caller")):
        pool = sorted(rcvd[other], key=lambda e: e["t"])
        for e in sorted(sent[side], key=lambda e: e["t"]):
            e["from"] = side
            e["rcvd"] = None
            for i, r in enumerate(pool):
                if key(r) == key(e) and r["t"] >= e["t"] - SLACK_US:
                    e["rcvd"] = r["t"]
                    e["t"] = min(e["t"], r["t"])
                    del pool[i]
                    break
            rows.append(e)
    rows.sort(key=lambda e: e["t"])
    starts = [e["t"] for e in rows if e["kind"] == "msg" and e["desc"].startswith("INVITE")]
    t0 = starts[0] if starts else (rows[0]["t"] if rows else 0)
    for e in rows:
        e["ms"] = (e["t"] - t0) / 1000.0
        if e.get("rcvd") is not None:
            e["rcvd_ms"] = (e["rcvd"] - t0) / 1000.0
    return rows


def label(e):
    return e["desc"] + (" (" + e["notes"] + ")" if e["notes"] else "")


def arrow(e):
    text = " " + label(e) + " "
    room = max(WIDTH - len(text), 6)
    left = room // 2
    right = room - left
    if e["from"] == "caller":
        body = "-" * left + text + "-" * (right - 1) + ">"
    else:
        body = "<" + "-" * (left - 1) + text + "-" * right
    return "caller " + body + " callee"


def text_ladder(rows):
    right = "callee (prack-uas)"
    out = ["%9s  %s" % ("time ms", "caller (prack-uac)".ljust(7 + WIDTH + 7 - len(right)) + right)]
    results = []
    for e in rows:
        if e["kind"] == "result":
            results.append("%s: %s" % ("caller" if e["side"] == "caller" else "callee", e["desc"]))
            continue
        if e["kind"] == "msg":
            line = "%9.1f  %s" % (e["ms"], arrow(e))
            if e.get("rcvd_ms") is not None:
                line += "   rcvd %.1f" % e["rcvd_ms"]
            else:
                line += "   not received"
            out.append(line)
        else:
            tag = tag_of(e["desc"])
            note = "%-8s %s" % (tag, e["desc"])
            pad = 7 if e["side"] == "caller" else WIDTH // 2 + 7
            out.append("%9.1f  %s%s: %s" % (e["ms"], " " * pad, e["side"], note))
    return out, sorted(results)


def svg(rows):
    """A sequence diagram: two lifelines, one arrow per message, times on the left."""
    xs = {"caller": 230, "callee": 700}
    top, step, width = 70, 30, 1260
    body = []
    y = top + 20
    for e in rows:
        if e["kind"] == "result":
            continue
        body.append('<text x="70" y="%d" class="t">%.1f</text>' % (y + 4, e["ms"]))
        if e["kind"] == "msg":
            a, b = xs[e["from"]], xs["callee" if e["from"] == "caller" else "caller"]
            cls = "m retx" if "retransmission" in e["notes"] else "m"
            body.append('<line x1="%d" y1="%d" x2="%d" y2="%d" class="%s" marker-end="url(#head)"/>'
                        % (a, y, b + (-4 if b > a else 4), y, cls))
            body.append('<text x="%d" y="%d" class="l">%s</text>'
                        % ((a + b) // 2, y - 5, escape(label(e))))
        else:
            tag = tag_of(e["desc"])
            x = xs[e["side"]]
            # beside its own lifeline, to the right, clear of the arrows for
            # the callee
            body.append('<text x="%d" y="%d" class="n %s">%s: %s</text>'
                        % (x + 8, y + 4, tag.lower(), tag, escape(e["desc"])))
        y += step
    height = y + 20
    head = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
        'viewBox="0 0 %d %d" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">'
        % (width, height, width, height),
        '<defs><marker id="head" markerWidth="10" markerHeight="8" refX="9" refY="4" '
        'orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#222"/></marker></defs>',
        '<style>.t{text-anchor:end;fill:#555}.l{text-anchor:middle;fill:#000}'
        '.m{stroke:#222;stroke-width:1.4}.retx{stroke-dasharray:5,3}'
        '.n{font-style:italic;fill:#555}.held{fill:#b00000;font-weight:bold}'
        '.released{fill:#007000;font-weight:bold}.queued,.delayed{fill:#8a5a00}'
        '.h{text-anchor:middle;font-weight:bold}</style>',
        '<rect width="100%" height="100%" fill="#fff"/>',
        '<text x="70" y="%d" class="t">ms</text>' % (top - 20),
    ]
    for side, prog in (("caller", "prack-uac"), ("callee", "prack-uas")):
        x = xs[side]
        head.append('<rect x="%d" y="%d" width="160" height="34" rx="4" fill="#e8eef8" stroke="#335"/>'
                    % (x - 80, top - 52))
        head.append('<text x="%d" y="%d" class="h">%s (%s)</text>' % (x, top - 30, side, prog))
        head.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#889" stroke-width="1"/>'
                    % (x, top - 18, x, height - 10))
    return "\n".join(head + body + ["</svg>"]) + "\n"


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    svg_path = None
    if "--svg" in argv:
        svg_path = argv[argv.index("--svg") + 1]
        args.remove(svg_path)
    if len(args) != 2:
        sys.stderr.write("usage: demo-ladder.py UAC_TRACE UAS_TRACE [--svg FILE] [--expect-hold]\n")
        return 1
    try:
        rows = merge(read_trace(args[0], "caller"), read_trace(args[1], "callee"))
    except OSError as err:
        sys.stderr.write("demo-ladder.py: %s\n" % err)
        return 1
    lines, results = text_ladder(rows)
    print("\n".join(lines))
    print()
    print("\n".join(results))
    print()
    print(LEGEND)
    if svg_path:
        with open(svg_path, "w", encoding="utf-8") as f:
            f.write(svg(rows))
    if "--expect-hold" in argv:
        notes = [e["desc"] for e in rows if e["kind"] == "note" and e["side"] == "callee"]
        held = any(tag_of(n) == "HELD" for n in notes)
        released = any(tag_of(n) == "RELEASED" for n in notes)
        if not (held and released):
            sys.stderr.write("demo-ladder.py: the callee did not hold a 2xx until a PRACK\n")
            return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
