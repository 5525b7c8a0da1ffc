#!/usr/bin/env python3
"""Every option an example program's --help names is in the OPTIONS section
of its man page, and every option that section lists is in --help. Also
renders the page with groff -man -ww (when groff is installed): any warning
fails.

usage: check_options.py PROGRAM MANPAGE"""
import re
import shutil
import subprocess
import sys

prog, page = sys.argv[1], sys.argv[2]
failures = []

helptext = subprocess.run([prog, "--help"], capture_output=True, text=True, check=True).stdout
in_help = set(re.findall(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*|-h)\b", helptext))

roff = open(page, encoding="utf-8").read()
# the OPTIONS section, up to the next .SH; an option is defined on the tag
# line after .TP (or .TQ)
section = re.search(r"^\.SH OPTIONS\n(.*?)^\.SH ", roff, re.S | re.M)
in_man = set()
if not section:
    failures.append("%s: no OPTIONS section" % page)
else:
    lines = section.group(1).split("\n")
    for i, line in enumerate(lines):
        if line in (".TP", ".TQ") and i + 1 < len(lines):
            tag = lines[i + 1].replace("\\-", "-")
            in_man.update(re.findall(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*|-h)\b", tag))

for opt in sorted(in_help - in_man):
    failures.append("%s: --help names %s, the man page does not list it" % (page, opt))
for opt in sorted(in_man - in_help):
    failures.append("%s: the man page lists %s, --help does not name it" % (page, opt))

groff = shutil.which("groff")
if groff:
    run = subprocess.run([groff, "-man", "-ww", "-z", page], capture_output=True, text=True)
    if run.returncode != 0 or run.stderr.strip():
        failures.append("%s: groff -man -ww: %s" % (page, run.stderr.strip() or run.returncode))

for f in failures:
    print("FAIL " + f)
if failures:
    sys.exit(1)
print("%s: %d options, the same in --help and the man page" % (page, len(in_help)))
