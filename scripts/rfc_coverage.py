#!/usr/bin/env python3
"""List which tests prove which RFC 3262 rows, and check that every row the library
can implement is proved by at least one test.

Rows are the numbered obligations R1..R57 and rules N1..N12 of RFC 3262. A test proves a
row when the row's name (e.g. R44) appears in the test function's name or in a comment
or string inside it (or, for scenario tables, on the table row that the test runs).

    scripts/rfc_coverage.py            print the table (Markdown)
    scripts/rfc_coverage.py --write    rewrite doc/rfc-coverage.md
    scripts/rfc_coverage.py --check    fail if a row lacks a test or the doc is stale
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (row, section, level, short text, who implements it: "lib", "host" or "proxy")
ROWS = [
    ("R1", "3", "MAY", "UAS may send non-100 1xx reliably if INVITE had Supported: 100rel", "lib"),
    ("R2", "3", "MUST", "UAS must send non-100 1xx reliably if INVITE had Require: 100rel", "lib"),
    ("R3", "3", "MUST", "if unwilling, reject with 420 and Unsupported: 100rel", "lib"),
    ("R4", "3", "MUST NOT", "100 (Trying) never reliable", "lib"),
    ("R5", "3", "MUST NOT", "no reliable 1xx without 100rel in Supported or Require", "lib"),
    ("R6", "3", "MUST NOT", "a proxy acting as UAS sends no reliable 1xx for a request with a To tag", "proxy"),
    ("R7", "3", "MUST", "a proxy forwards a PRACK matching none of its own 1xx", "proxy"),
    ("R8", "3", "SHOULD", "a reliable 1xx every 2.5 minutes to extend a transaction", "lib"),
    ("R9", "3", "RECOMMENDED", "reliable 1xx recommended for extending transactions", "host"),
    ("R10", "3", "MUST", "a reliable 1xx contains Require: 100rel", "lib"),
    ("R11", "3", "MUST", "a reliable 1xx contains RSeq", "lib"),
    ("R12", "3", "MUST", "first RSeq between 1 and 2^31-1", "lib"),
    ("R13", "3", "RECOMMENDED", "first RSeq chosen uniformly", "lib"),
    ("R14", "3", "MAY", "RSeq spaces of different requests/forks are independent", "lib"),
    ("R15", "3", "MAY", "a reliable 1xx may carry a body", "lib"),
    ("R16", "3", "MUST", "PRACK matching no unacknowledged reliable 1xx gets 481", "lib"),
    ("R17", "3", "MUST", "matching PRACK gets 2xx", "lib"),
    ("R18", "3", "SHOULD", "matching PRACK stops retransmissions", "lib"),
    ("R19", "3", "MUST", "matching PRACK removes the 1xx from the unacknowledged list", "lib"),
    ("R20", "3", "SHOULD", "5xx after 64*T1 without PRACK", "lib"),
    ("R21", "3", "MAY", "more reliable 1xx after the first is acknowledged", "lib"),
    ("R22", "3", "MUST NOT", "no second reliable 1xx before the first is acknowledged", "lib"),
    ("R23", "3", "RECOMMENDED", "one reliable 1xx outstanding at a time", "lib"),
    ("R24", "3", "MUST", "each later RSeq is exactly one higher", "lib"),
    ("R25", "3", "MUST NOT", "RSeq never wraps", "lib"),
    ("R26", "3", "MAY", "final before all PRACKs unless 2xx after an unacknowledged SDP 1xx", "lib"),
    ("R27", "3", "MUST NOT", "that 2xx waits until those 1xx are acknowledged", "lib"),
    ("R28", "3", "SHOULD NOT", "no retransmission of reliable 1xx after a final", "lib"),
    ("R29", "3", "MUST", "PRACKs still processed after the final", "lib"),
    ("R30", "3", "MUST NOT", "no new reliable 1xx after a final", "lib"),
    ("R31", "4", "MUST NOT", "Require: 100rel only in INVITE", "lib"),
    ("R32", "4", "MUST", "a UAC supporting 100rel lists it in Supported", "lib"),
    ("R33", "4", "SHOULD", "in all INVITEs", "lib"),
    ("R34", "4", "MUST", "option tag ignored on 100 (Trying)", "lib"),
    ("R35", "4", "MUST NOT", "no PRACK procedures for 100 (Trying)", "lib"),
    ("R36", "4", "MUST", "a reliable 1xx establishes a dialog", "lib"),
    ("R37", "4", "MUST", "a PRACK for every 1xx the UAS sent reliably (errata 4602)", "lib"),
    ("R38", "4", "MAY", "a PRACK may carry a body", "lib"),
    ("R39", "4", "SHOULD NOT", "no PRACK retransmission on a 1xx retransmission", "lib"),
    ("R40", "4", "MUST", "retransmissions of a received reliable 1xx are discarded", "lib"),
    ("R41", "4", "MUST", "last in-order RSeq kept per dialog (errata 4603)", "lib"),
    ("R42", "4", "MUST", "kept until the final response", "lib"),
    ("R43", "4", "MUST", "initialised from the first reliable 1xx of the dialog", "lib"),
    ("R44", "4", "MUST NOT", "RSeq not exactly last+1 is not PRACKed", "lib"),
    ("R45", "4", "MUST NOT", "and not processed further", "lib"),
    ("R46", "4", "MAY", "discarded, or cached and processed once the gap fills (errata 4604)", "lib"),
    ("R47", "4", "MAY", "reliable 1xx after the final may be acknowledged or discarded", "lib"),
    ("R48", "5", "MAY", "the answer may go in a reliable 1xx", "lib"),
    ("R49", "5", "MUST", "INVITE without offer: the first reliable 1xx carries the offer", "lib"),
    ("R50", "5", "MUST", "an offer in a reliable 1xx is answered in the PRACK", "lib"),
    ("R51", "5", "MAY", "after an answer in a reliable 1xx, a new offer may go in the PRACK", "lib"),
    ("R52", "5", "MUST", "an offer in a PRACK is answered in the 2xx to the PRACK", "lib"),
    ("R53", "5", "SHOULD", "the session starts once an answer is exchanged (reported as an event)", "lib"),
    ("R54", "5", "MUST", "a 2xx waits for every SDP-bearing reliable 1xx to be acknowledged", "lib"),
    ("R55", "5", "MUST", "all RFC 3261 13.2 offer/answer exchanges with INVITE, PRACK, 2xx, 1xx work", "lib"),
    ("R56", "8.1", "MUST", "Require: 100rel makes all provisionals reliable", "lib"),
    ("R57", "9", "SHOULD", "PRACK authenticated like any request (survive 401/407)", "lib"),
    ("N1", "3", "rule", "retransmit from T1, doubling, no T2 cap", "lib"),
    ("N2", "3", "rule", "PRACK matches on dialog, RAck response-num, CSeq-num and method", "lib"),
    ("N4", "3", "rule", "only 101-199 responses to INVITE may be reliable", "lib"),
    ("N5", "3", "rule", "the RSeq space is one transaction (per fork)", "lib"),
    ("N7", "4", "rule", "a retransmission has the same dialog, CSeq and RSeq", "lib"),
    ("N8", "7.1", "rule", "RSeq is 1 to 2^32-1", "lib"),
    ("N9", "7.2", "rule", "the RAck method is case-sensitive", "lib"),
    ("N12", "10", "rule", "RAck and RSeq grammar", "lib"),
]

TEST_FN = re.compile(r"^(?:static\s+)?void\s+(test_\w+)\s*\(", re.M)
ROW_RE = re.compile(r"(?<![A-Za-z0-9])([RN]\d{1,2})(?![0-9])")


def scan_tests():
    """Map row -> sorted list of 'file:test' that mention it."""
    proofs = {}
    tests_dir = os.path.join(ROOT, "tests")
    for dirpath, _, files in os.walk(tests_dir):
        for name in sorted(files):
            if not name.endswith(".c"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, ROOT)
            text = open(path, encoding="utf-8", errors="replace").read()
            # A row mentioned anywhere in a test function (name, comments, scenario
            # names inside it) counts for that function; rows mentioned outside any
            # function (scenario tables) count for the file.
            starts = [(m.start(), m.group(1)) for m in TEST_FN.finditer(text)]
            spans = []
            for i, (pos, fn) in enumerate(starts):
                end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
                spans.append((pos, end, fn))
            for m in ROW_RE.finditer(text):
                row = m.group(1)
                owner = rel
                for pos, end, fn in spans:
                    if pos <= m.start() < end:
                        owner = f"{rel}:{fn}"
                        break
                proofs.setdefault(row, set()).add(owner)
    return {k: sorted(v) for k, v in proofs.items()}


def render(proofs):
    lines = [
        "# RFC 3262 coverage",
        "",
        "Every normative sentence of RFC 3262 (rows R1..R57) and the rules stated without a",
        "keyword (N1, N2, N4, N5, N7, N8, N9, N12), with the tests that prove them. A test",
        "proves a row when it names it. Generated by `scripts/rfc_coverage.py --write`;",
        "`meson test rfc-coverage` fails when a row that the library implements has no test,",
        "or when this file is stale.",
        "",
        "| row | sec | level | obligation | by | tests |",
        "|---|---|---|---|---|---|",
    ]
    for row, sec, level, text, who in ROWS:
        tests = proofs.get(row, [])
        cell = "<br>".join(f"`{t}`" for t in tests) if tests else "-"
        lines.append(f"| {row} | {sec} | {level} | {text} | {who} | {cell} |")
    missing = [r for r, *_, who in ROWS if who == "lib" and r not in proofs]
    lines += [
        "",
        "`by`: `lib` rows are implemented and tested here; `host` rows are the host's job",
        "(the library reports what it needs); `proxy` rows bind proxies, which libprack is not.",
        "",
        f"Library rows without a test: {', '.join(missing) if missing else 'none'}.",
        "",
    ]
    return "\n".join(lines), missing


def main():
    proofs = scan_tests()
    text, missing = render(proofs)
    doc = os.path.join(ROOT, "doc", "rfc-coverage.md")
    if "--write" in sys.argv:
        with open(doc, "w", encoding="utf-8") as f:
            f.write(text)
        return 0
    if "--check" in sys.argv:
        ok = True
        if missing:
            print("rows without a test: " + ", ".join(missing))
            ok = False
        current = open(doc, encoding="utf-8").read() if os.path.exists(doc) else ""
        if current != text:
            print("doc/rfc-coverage.md is stale: run scripts/rfc_coverage.py --write")
            ok = False
        if ok:
            n = sum(1 for r, *_, who in ROWS if who == "lib")
            print(f"all {n} library rows are proved by tests")
        return 0 if ok else 1
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
