#!/usr/bin/env bash
# libprack as other projects take it, each checked by building and running
# tests/consumers/consumer.c (it prints prack_version()):
#
#   docs        the installed Doxygen HTML (-Ddocs=enabled)
#   pkg-config  installed libprack, `pkg-config --static` flags, linked with
#               -static: the program must not need libprack.so
#   cmake       installed libprack, find_package(libprack <version>) in
#               tests/consumers/cmake/ with CMAKE_PREFIX_PATH, against the
#               shared and then the static library; a request for the next
#               minor version must fail
#   subproject  tests/consumers/meson/ with libprack in subprojects/: only
#               the library is built, tested and installed, and libprack's
#               werror does not reach the parent
#
#   scripts/consumers.sh [WORK_DIR]
#
# WORK_DIR (default: a temporary directory, removed at the end) receives the
# library build, the install prefix and the consumer builds. Needs meson,
# ninja, a C compiler (CC, default cc), pkg-config, cmake, doxygen and
# readelf.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
src=$(pwd)
export PYTHONUNBUFFERED=1

if [ -n "${1:-}" ]; then
    work=$1
    rm -rf "$work"
    mkdir -p "$work"
    work=$(cd "$work" && pwd)
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/libprack-consumers.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi

failed=()
passed=0

# check NAME COMMAND...: run one consumer check, report it, go on either way.
check() {
    local name=$1 rc=0
    shift
    printf '\n--- consumer: %s\n' "$name"
    # Not `(...) || rc=$?`: errexit would be off inside.
    set +e
    (
        set -e
        "$@"
    )
    rc=$?
    set -e
    if [ "$rc" -eq 0 ]; then
        echo "--- consumer $name: ok"
        passed=$((passed + 1))
    else
        echo "--- consumer $name: FAILED (exit $rc)" >&2
        failed+=("$name")
    fi
}

# needs_libprack_so FILE: does the program FILE load libprack.so at run time?
needs_libprack_so() {
    [ "$(readelf -d "$1" 2>/dev/null | grep -c 'NEEDED.*libprack')" -gt 0 ]
}

# Introspection of the unconfigured tree, as IDEs do it: it takes a second;
# a meson.build whose variables refer to themselves in a loop makes it run
# without end, which fails here instead of hanging.
projectinfo=$(timeout 60 meson introspect --projectinfo "$src/meson.build") ||
    { echo "consumers: meson introspect --projectinfo of the source tree failed or took over 60 s" >&2; exit 1; }
version=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])' <<<"$projectinfo")
prefix=$work/prefix

# The library alone, both kinds, and its HTML documentation, installed
# into $prefix.
echo "consumers: libprack $version into $prefix"
meson setup "$work/lib-build" "$src" --prefix="$prefix" \
    -Ddefault_library=both -Dtests=disabled -Dexamples=false -Ddocs=enabled
meson compile -C "$work/lib-build"
meson install -C "$work/lib-build" --quiet
# lib/ or lib/<multiarch>/, as meson chose.
pc=$(find "$prefix" -name libprack.pc | awk 'NR == 1')
[ -n "$pc" ] || { echo "consumers: libprack.pc was not installed" >&2; exit 1; }
export PKG_CONFIG_PATH=${pc%/*}

# -Ddocs=enabled installs the Doxygen HTML.
installed_docs() {
    local index=$prefix/share/doc/libprack/html/index.html
    [ -s "$index" ] || { echo "no $index" >&2; return 1; }
    echo "$(find "$prefix/share/doc/libprack/html" -type f | wc -l) files in $prefix/share/doc/libprack/html"
}

consumer_pkgconfig() {
    local out=$work/pkgconfig
    mkdir -p "$out"
    echo "pkg-config --static: $(pkg-config --static --cflags --libs libprack)"
    # shellcheck disable=SC2046 # pkg-config prints separate words
    ${CC:-cc} -o "$out/consumer" "$src/tests/consumers/consumer.c" -static \
        $(pkg-config --static --cflags --libs libprack)
    "$out/consumer"
    if needs_libprack_so "$out/consumer"; then
        echo "linked statically, yet it needs libprack.so" >&2
        return 1
    fi
}

# cmake_consumer NAME [CMAKE_ARGS...]: configure, build and run the CMake
# consumer in $work/NAME.
cmake_consumer() {
    local out=$work/$1
    shift
    cmake -S "$src/tests/consumers/cmake" -B "$out" -DCMAKE_PREFIX_PATH="$prefix" \
        -DLIBPRACK_VERSION="$version" "$@"
    cmake --build "$out"
    "$out/consumer"
}

consumer_cmake_shared() {
    cmake_consumer cmake-shared
    if ! needs_libprack_so "$work/cmake-shared/consumer"; then
        echo "libprack::libprack should be the shared library by default" >&2
        return 1
    fi
}

consumer_cmake_static() {
    cmake_consumer cmake-static -DLIBPRACK_USE_STATIC_LIBS=ON
    if needs_libprack_so "$work/cmake-static/consumer"; then
        echo "LIBPRACK_USE_STATIC_LIBS=ON, yet the program needs libprack.so" >&2
        return 1
    fi
}

# find_package() must refuse the next minor version: before 1.0 it may
# break the API.
consumer_cmake_version() {
    local major minor
    IFS=. read -r major minor _ <<<"$version"
    if cmake -S "$src/tests/consumers/cmake" -B "$work/cmake-next" \
        -DCMAKE_PREFIX_PATH="$prefix" -DLIBPRACK_VERSION="$major.$((minor + 1))" \
        >"$work/cmake-next.log" 2>&1; then
        echo "find_package(libprack $major.$((minor + 1))) accepted libprack $version" >&2
        return 1
    fi
    grep -q 'compatible with requested version' "$work/cmake-next.log" || {
        cat "$work/cmake-next.log" >&2
        return 1
    }
    echo "find_package(libprack $major.$((minor + 1))) refused libprack $version, as it should"
}

consumer_subproject() {
    local parent=$work/subproject build=$work/subproject-build
    mkdir -p "$parent/subprojects"
    cp "$src/tests/consumers/meson/meson.build" "$src/tests/consumers/meson/warning.c" \
        "$src/tests/consumers/consumer.c" "$parent/"
    ln -s "$src" "$parent/subprojects/libprack"
    meson setup "$build" "$parent" --force-fallback-for=libprack --prefix=/usr
    meson compile -C "$build"
    meson test -C "$build" --print-errorlogs
    meson install -C "$build" --destdir "$work/subproject-destdir" --quiet
    python3 - "$build" "$work/subproject-destdir" <<'PY'
import json, os, subprocess, sys

build, destdir = sys.argv[1], sys.argv[2]

def introspect(what):
    out = subprocess.run(["meson", "introspect", build, what],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)

bad = []
# Built by default from libprack: the library only.
lib_targets = [t for t in introspect("--targets")
               if t["subproject"] == "libprack" and t["build_by_default"]]
names = sorted({t["name"] for t in lib_targets})
print("libprack targets built:", ", ".join(names))
if names != ["prack"]:
    bad.append("libprack built more than its library: " + ", ".join(names))

tests = sorted(t["name"] for t in introspect("--tests"))
print("tests:", ", ".join(tests))
if tests != ["consumer"]:
    bad.append("tests other than the parent's: " + ", ".join(tests))

# werror stays false for the parent (it was not asked for), libprack keeps
# its own default.
werror = {o["name"]: o["value"] for o in introspect("--buildoptions")
          if o["name"] in ("werror", "libprack:werror")}
print("werror:", werror)
if werror.get("werror") is not False:
    bad.append("the parent project got werror=true")

installed = []
for root, dirs, files in os.walk(destdir):
    for f in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
        installed.append(os.path.relpath(os.path.join(root, f), destdir))
installed.sort()
print("installed:", " ".join(installed))
allowed = ("usr/include/prack/", "usr/lib")
extra = [f for f in installed if not f.startswith(allowed)]
if extra:
    bad.append("installed besides the library: " + " ".join(extra))

for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

check docs installed_docs
check pkg-config consumer_pkgconfig
check cmake-shared consumer_cmake_shared
check cmake-static consumer_cmake_static
check cmake-version consumer_cmake_version
check subproject consumer_subproject

echo
echo "consumers: ${passed} passed, ${#failed[@]} failed${failed[*]:+ (${failed[*]})}"
[ "${#failed[@]}" -eq 0 ]
