#!/usr/bin/env bash
# Compare the ABI of libprack with the committed baseline in abi/ (doc/abi.md).
#
#   scripts/abi-check.sh           fail on any difference and print abidiff's report
#   scripts/abi-check.sh --update  rewrite the baseline (on purpose only, and say
#                                  so in NEWS)
#
# Two dumps make the baseline, both written by abidw with the same options:
#   abi/libprack.abi    the shared library itself: exported symbols and their
#                       versions, soname, function signatures, and the layout of
#                       every type they reach that is defined in include/prack;
#   abi/constants.abi   a probe built from abi/constants.c (never part of the
#                       library): the values of every public enumeration and
#                       numeric macro, which the library's own debug information
#                       does not tie to its ABI.
#
# Builds with gcc in ABI_BUILD_DIR (default build-abi). Needs abidw and abidiff
# (Debian: abigail-tools). Exit status: 0 same ABI, 1 a difference or an error,
# 77 skipped (not a 64-bit target: the baseline describes LP64 ELF platforms).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

update=0
case "${1:-}" in
    "") ;;
    --update) update=1 ;;
    *)
        echo "usage: $0 [--update]" >&2
        exit 2
        ;;
esac

for tool in abidw abidiff gcc meson; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "abi-check: $tool not found (Debian: scripts/setup-debian.sh)" >&2
        exit 1
    fi
done

if [ "$(getconf LONG_BIT)" != 64 ]; then
    echo "abi-check: skipped: abi/ describes 64-bit (LP64) targets"
    exit 77
fi

dir=${ABI_BUILD_DIR:-build-abi}

# Debug information without the sanitizer or coverage flags of other builds;
# only the library target is built, so the rest of the tree need not compile.
opts=(--buildtype=debugoptimized -Dtests=disabled -Dexamples=false -Ddocs=disabled
      -Dfuzzing=false -Dwerror=true)
if [ -f "$dir/meson-private/coredata.dat" ]; then
    CC=gcc meson setup --reconfigure "$dir" "${opts[@]}" >/dev/null
else
    rm -rf "$dir"
    CC=gcc meson setup "$dir" "${opts[@]}" >/dev/null
fi
if ! log=$(meson compile -C "$dir" prack:shared_library 2>&1); then
    printf '%s\n' "$log" >&2
    echo "abi-check: the library does not build" >&2
    exit 1
fi

mkdir -p "$dir/abi"
gcc -std=gnu11 -g -Og -fPIC -shared -fvisibility=hidden -Iinclude -I"$dir/include" \
    -o "$dir/abi/libprack-abi-constants.so" abi/constants.c

# Nothing that depends on the machine or the build directory: no corpus path,
# compilation directory, source locations or architecture, type ids by hash
# rather than by order; the translation units' paths are cut to file names.
# Parameter names are left out too: they come from lib/*.c, not from the ABI.
abidw_opts=(--no-corpus-path --no-comp-dir-path --no-show-locs --no-architecture
            --no-parameter-names --drop-private-types --type-id-style hash)

dump() { # dump OUT ELF HEADER_DIRS...
    local out=$1 elf=$2 hd
    shift 2
    local args=()
    for hd in "$@"; do
        args+=(--headers-dir "$hd")
    done
    abidw "${abidw_opts[@]}" "${args[@]}" "$elf" |
        sed -E "s#(<abi-instr [^>]*path=')[^']*/#\\1#" >"$out"
}

dump "$dir/abi/libprack.abi" "$dir/lib/libprack.so" include/prack "$dir/include/prack"
dump "$dir/abi/constants.abi" "$dir/abi/libprack-abi-constants.so" \
    include/prack "$dir/include/prack" abi

if [ "$update" -eq 1 ]; then
    cp "$dir/abi/libprack.abi" abi/libprack.abi
    cp "$dir/abi/constants.abi" abi/constants.abi
    echo "abi-check: baseline rewritten: abi/libprack.abi abi/constants.abi"
    exit 0
fi

# --harmless: additions (a function, an enumerator) are changes too; the
# baseline moves only on purpose. The header filtering was done by abidw
# (--headers-dir): the dumps hold no source locations, so abidiff's own
# --hd1/--hd2 would take every type for a private one and hide all changes.
abidiff_opts=(--no-default-suppression --harmless)
status=0
for name in libprack constants; do
    base=abi/$name.abi
    new=$dir/abi/$name.abi
    if [ ! -f "$base" ]; then
        echo "abi-check: $base missing; create it with $0 --update" >&2
        status=1
        continue
    fi
    rc=0
    report=$(abidiff "${abidiff_opts[@]}" "$base" "$new" 2>&1) || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "abi-check: $base differs from the current build (abidiff exit $rc):"
        printf '%s\n' "$report"
        status=1
    elif ! cmp -s "$base" "$new"; then
        # Same ABI, other bytes (another toolchain, for instance): not a failure.
        echo "abi-check: $base: same ABI, dump differs in form only:"
        diff -u "$base" "$new" | head -n 40 || true
    else
        echo "abi-check: $base: same ABI"
    fi
done
if [ "$status" -ne 0 ]; then
    echo "abi-check: FAILED. If the change is intended, run $0 --update and list it in NEWS." >&2
fi
exit "$status"
