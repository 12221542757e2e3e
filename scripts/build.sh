#!/usr/bin/env bash
# Configures and builds model-monitor. BUILD_DIR (default build), BUILD_TYPE (default Release),
# extra CMake arguments after the options.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
BUILD_TYPE="${BUILD_TYPE:-Release}"
launcher=()
# A compiler cache, when the machine has one, makes the several build trees (Debug, Release,
# sanitizers) share their objects; the build does not depend on it.
# CCACHE_BASEDIR keys the cached objects by paths relative to the checkout, so a fresh clone in
# another folder (CI's) reuses what an earlier build compiled.
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
fi
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
  -DMM_WERROR="${MM_WERROR:-ON}" "${launcher[@]}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
