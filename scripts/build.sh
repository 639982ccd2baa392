#!/usr/bin/env bash
# Configures and builds PilotLedger into ./build (binaries in build/bin/). Used by ./run and ./test.
set -euo pipefail
cd "$(dirname "$0")/.."
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" -DPILOTLEDGER_WERROR="$werror" >/dev/null
cmake --build build -j "$jobs" "$@"
