#!/usr/bin/env bash
# The two-core Ed25519 verification ceiling (bench/run): OpenSSL's own benchmark on both cores, and
# bench/verify_speed (PublicKey::VerifyWith, libsodium and OpenSSL, event-sized messages). Prints
# VALUE lines for bench/report.py, which takes the highest as the ceiling.
#   bench/ceiling.sh BIN_DIR
set -euo pipefail
line=$(openssl speed -seconds 3 -multi "$(nproc)" ed25519 2>/dev/null | grep 'EdDSA (Ed25519)' | tail -1)
verify=$(echo "$line" | awk '{print $NF}')
sign=$(echo "$line" | awk '{print $(NF-1)}')
printf 'VALUE\tEd25519 verification ceiling, %s cores (openssl speed -multi %s ed25519)\t%s\tverifications/s\tsign %s/s\n' \
  "$(nproc)" "$(nproc)" "$verify" "$sign"
"${1:-build-bench/bin}/verify_speed" --seconds 3
PILOTLEDGER_ED25519=openssl "${1:-build-bench/bin}/verify_speed" --seconds 3
