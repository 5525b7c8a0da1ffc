#!/usr/bin/env python3
"""List which tests prove which RFC 3262 rows, and check that every row the library
can implement is proved by at least one test.

Rows are the numbered obligations R1..R57 and rules N1..N12 of RFC 3262. A row counts
for a test function (a file-scope function named test_*, registered with
cmocka_unit_test* when the file registers any) only when it is named

  - in the function's own name (case-insensitive there: test_n8_... names N8), or
  - in its body, between its opening brace and the matching closing brace, code,
    strings and comments alike, or
  - in a file-scope table (an object with a brace initializer) that the body
    references by identifier in its code: the table's name and its initializer,
    comments inside it included.

Nothing else counts: file header comments, section banners, comments above a
function or a table, main()'s list of tests, helper functions, and tables that the
test does not reference.

    scripts/rfc_coverage.py            print the table (Markdown)
    scripts/rfc_coverage.py --write    rewrite doc/rfc-coverage.md
    scripts/rfc_coverage.py --check    fail if a row lacks a test or the doc is stale
"""
import glob
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

KNOWN_ROWS = {r[0] for r in ROWS}

# A row name stands alone: not glued to a letter or digit on either side
# ("R16", "sc_R16_x", "R16/R17"; not "IR16", "R160", "R16a").
ROW_RE = re.compile(r"(?<![A-Za-z0-9])([RN][0-9]{1,2})(?![0-9A-Za-z])")
NAME_ROW_RE = re.compile(r"(?<![A-Za-z0-9])([RrNn][0-9]{1,2})(?![0-9A-Za-z])")
IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
REGISTER_RE = re.compile(r"\bcmocka_unit_test\w*\s*\(\s*([A-Za-z_]\w*)")


class ParseError(Exception):
    pass


def mask(text):
    """Return text of the same length where comments, string and character literals
    and preprocessor directives are blanked (newlines kept), so that only code is
    left for brace matching and identifier lookup."""
    out = list(text)
    n = len(text)
    i = 0
    line_start = True  # only blanks since the last newline

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    in_directive = False
    while i < n:
        c = text[i]
        if c == "\n":
            # A directive ends at a newline that is not escaped.
            if in_directive and not (i > 0 and text[i - 1] == "\\"):
                in_directive = False
            line_start = True
            i += 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise ParseError("unterminated comment")
            blank(i, end + 2)
            i = end + 2
            continue
        if text.startswith("//", i):
            j = i
            while j < n and not (text[j] == "\n" and text[j - 1] != "\\"):
                j += 1
            blank(i, j)
            i = j
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                elif text[j] == "\n":
                    break
                j += 1
            if j >= n or text[j] != c:
                if not in_directive:
                    raise ParseError(f"unterminated literal at offset {i}")
                # "#error don't": a lone quote in a directive is just text
                j -= 1
            blank(i, j + 1)
            i = j + 1
            line_start = False
            continue
        if c == "#" and line_start:
            in_directive = True
        if in_directive:
            out[i] = " " if c != "\n" else c
        if not c.isspace():
            line_start = False
        i += 1
    return "".join(out)


def tokens(code):
    """(kind, text, start, end) for identifiers and the punctuation that matters."""
    for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*|[{}()\[\];=,]", code):
        kind = "id" if m.group(0)[0].isalpha() or m.group(0)[0] == "_" else m.group(0)
        yield kind, m.group(0), m.start(), m.end()


def structure(text):
    """Parse one C file.

    Returns (functions, tables, code): functions maps name -> (body_start, body_end)
    with the offsets of the opening and just past the closing brace; tables maps
    name -> (start, end) from the table's name to just past its initializer's
    closing brace; code is the masked text.
    """
    code = mask(text)
    toks = list(tokens(code))
    functions = {}
    tables = {}
    depth = 0
    stack = []  # (index of the opening '{' token, what it opens, name)
    for i, (kind, _tok, start, _end) in enumerate(toks):
        if kind == "{":
            what, name = "block", None
            if depth == 0:
                prev = toks[i - 1] if i > 0 else None
                if prev and prev[0] == "=":
                    what, name = "table", declarator_name(toks, i - 1)
                elif prev and prev[0] == ")":
                    what, name = "function", function_name(toks, i - 1)
            stack.append((i, what, name, start))
            depth += 1
        elif kind == "}":
            if not stack:
                raise ParseError(f"unbalanced '}}' at offset {start}")
            open_i, what, name, open_pos = stack.pop()
            depth -= 1
            if depth == 0 and name:
                if what == "function":
                    functions[name] = (open_pos, start + 1)
                elif what == "table":
                    tables[name] = (name_pos(toks, open_i), start + 1)
    if stack:
        raise ParseError("unbalanced '{' at end of file")
    return functions, tables, code


def declarator_name(toks, eq_i):
    """Name declared before the '=' at toks[eq_i]: skip [..] groups back."""
    j = eq_i - 1
    while j >= 0 and toks[j][0] == "]":
        level = 0
        while j >= 0:
            if toks[j][0] == "]":
                level += 1
            elif toks[j][0] == "[":
                level -= 1
                if level == 0:
                    break
            j -= 1
        j -= 1
    if j >= 0 and toks[j][0] == "id":
        return toks[j][1]
    return None


def name_pos(toks, brace_i):
    """Offset of the declared name of the initializer opened at toks[brace_i]."""
    name = declarator_name(toks, brace_i - 1)
    j = brace_i - 1
    while j >= 0:
        if toks[j][0] == "id" and toks[j][1] == name:
            return toks[j][2]
        j -= 1
    return toks[brace_i][2]


def function_name(toks, close_i):
    """Name of the function whose parameter list (or trailing attribute) ends at
    toks[close_i]."""
    j = close_i
    while j >= 0 and toks[j][0] == ")":
        level = 0
        while j >= 0:
            if toks[j][0] == ")":
                level += 1
            elif toks[j][0] == "(":
                level -= 1
                if level == 0:
                    break
            j -= 1
        j -= 1
        if j >= 0 and toks[j][0] == "id" and toks[j][1] != "__attribute__":
            return toks[j][1]
        # an attribute after the parameters: keep walking back
        if j >= 0 and toks[j][1] == "__attribute__":
            j -= 1
    return None


def rows_in(s, name=False):
    rx = NAME_ROW_RE if name else ROW_RE
    return {m.group(1).upper() for m in rx.finditer(s)} & KNOWN_ROWS


def scan_source(text, unregistered=None):
    """Map test function name -> set of rows it proves, for one C file. Test
    functions that the file does not register are appended to unregistered."""
    functions, tables, code = structure(text)
    registered = set(REGISTER_RE.findall(code))
    result = {}
    for fn, (a, b) in functions.items():
        if not fn.startswith("test_"):
            continue
        if registered and fn not in registered:
            # a test that never runs proves nothing
            if unregistered is not None:
                unregistered.append(fn)
            continue
        rows = rows_in(fn, name=True) | rows_in(text[a:b])
        used = set(IDENT_RE.findall(code[a:b]))
        for table, (ta, tb) in tables.items():
            if table in used:
                rows |= rows_in(text[ta:tb])
        result[fn] = rows
    return result


def test_files():
    return sorted(glob.glob(os.path.join(ROOT, "tests", "test_*.c")))


def scan_tests(paths=None):
    """Map row -> sorted list of 'file:test' that prove it."""
    proofs = {}
    for path in paths if paths is not None else test_files():
        rel = os.path.relpath(path, ROOT)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        unregistered = []
        try:
            per_test = scan_source(text, unregistered)
        except ParseError as e:
            raise SystemExit(f"{rel}: cannot parse: {e}")
        for fn in unregistered:
            print(f"note: {rel}: {fn} is not registered with cmocka_unit_test*; "
                  "its rows do not count", file=sys.stderr)
        for fn, rows in per_test.items():
            for row in rows:
                proofs.setdefault(row, set()).add(f"{rel}:{fn}")
    return {k: sorted(v) for k, v in proofs.items()}


def render(proofs):
    lines = [
        "# RFC 3262 coverage",
        "",
        "Every normative sentence of RFC 3262 (rows R1..R57) and the rules stated without a",
        "keyword (N1, N2, N4, N5, N7, N8, N9, N12), with the tests that prove them. A row",
        "counts for a test function of `tests/test_*.c` (one that main() runs) only when",
        "the function's name, its body (comments included), or a file-scope table that its",
        "body references names it; section comments, file headers, comments above a",
        "function and main()'s list of tests do not count.",
        "Generated by `scripts/rfc_coverage.py --write`; `meson test rfc-coverage` fails",
        "when a row that the library implements has no test, or when this file is stale.",
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


def main(argv):
    proofs = scan_tests()
    text, missing = render(proofs)
    doc = os.path.join(ROOT, "doc", "rfc-coverage.md")
    if "--write" in argv:
        with open(doc, "w", encoding="utf-8") as f:
            f.write(text)
        if missing:
            print("library rows without a test: " + ", ".join(missing))
        return 0
    if "--check" in argv:
        ok = True
        if missing:
            print("library rows without a test: " + ", ".join(missing))
            ok = False
        current = ""
        if os.path.exists(doc):
            with open(doc, encoding="utf-8") as f:
                current = f.read()
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
    sys.exit(main(sys.argv[1:]))
