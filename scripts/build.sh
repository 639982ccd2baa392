#!/usr/bin/env bash
# Configures and builds PilotLedger (binaries in $BUILD_DIR/bin/, default ./build). Used by ./run
# and ./test. SANITIZE=address|thread builds a sanitizer variant (use its own BUILD_DIR);
# EXTRA_CMAKE_ARGS adds CMake options (scripts/fuzz.sh: -DPILOTLEDGER_FUZZ=ON, with CC/CXX=clang).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on paths relative to the checkout, so that another clone (CI's) reuses the cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR=1
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
jobs=$(nproc 2>/dev/null || echo 2)
dir=${BUILD_DIR:-build}
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" -DPILOTLEDGER_WERROR="$werror" \
  -DPILOTLEDGER_SANITIZE="${SANITIZE:-}" ${EXTRA_CMAKE_ARGS:-} >/dev/null
cmake --build "$dir" -j "$jobs" "$@"
