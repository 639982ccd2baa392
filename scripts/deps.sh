#!/usr/bin/env bash
# Installs the Debian packages PilotLedger needs (DEVELOPERS.md lists them) when any is missing.
#   scripts/deps.sh --bench   also what bench/run needs
# Idempotent: does nothing, and needs no network, when everything is already installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake ccache pkg-config
  libboost1.81-dev libboost-program-options1.81-dev libboost-url1.81-dev
  librocksdb-dev libssl-dev libsodium-dev nlohmann-json3-dev libgtest-dev
  libxlsxwriter-dev libminizip-dev libexpat1-dev
  python3 python3-cryptography python3-jsonschema python3-yaml python3-openpyxl openssl
  chromium fonts-wqy-microhei
  clang libclang-rt-14-dev  # the libFuzzer variant (scripts/fuzz.sh)
)
# scripts/deps.sh --bench (bench/run only, docs/performance.md): the load generator, the PostgreSQL
# comparison, profiles. Not for ./run or ./test, which stay lean.
if [ "${1:-}" = "--bench" ]; then PACKAGES+=(wrk postgresql libpq-dev linux-perf); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# The web page's browser tests (web/, tests/web/): playwright-core and axe-core from the npm registry,
# exactly as web/package-lock.json pins them, into web/node_modules. Reinstalled only when the lock
# file changed since the last install (npm writes its own copy to node_modules/.package-lock.json).
install_web_deps() {
  command -v npm >/dev/null || { echo "error: npm (Node.js) is needed for the web page's tests" >&2; exit 1; }
  if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    echo "Installing the web page's test dependencies (npm ci in web/)" >&2
    (cd web && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}
cd "$(dirname "$0")/.."

if [ ${#missing[@]} -eq 0 ]; then install_web_deps; exit 0; fi

echo "Installing missing packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# libboost1.81-dev conflicts with the default libboost-dev (1.74) headers; remove those if present.
if dpkg-query -W -f='${Status}' libboost1.74-dev 2>/dev/null | grep -q "install ok installed"; then
  $SUDO apt-get remove -y -q libboost1.74-dev >&2
fi
$SUDO apt-get update -q >&2
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
install_web_deps
