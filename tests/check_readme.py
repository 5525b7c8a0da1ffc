#!/usr/bin/env python3
"""The README quotes doc/host-loop.c, which the test suite builds and runs: check
that the quote is the file, byte for byte, so the README never shows code that
does not compile."""
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
snippet = open(os.path.join(root, "doc", "host-loop.c"), encoding="utf-8").read().rstrip("\n")
readme = open(os.path.join(root, "README.md"), encoding="utf-8").read()
if "```c\n" + snippet + "\n```" not in readme:
    print("README.md does not quote doc/host-loop.c verbatim")
    sys.exit(1)
print("README.md quotes doc/host-loop.c verbatim")
