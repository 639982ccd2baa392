#!/usr/bin/env bash
# Starts pilotledgerd on 127.0.0.1:8080 with its data in ./data. On the first start it creates the
# ledger with development keys under ./data/dev-keys/ and loads the sample history (docs/sample.md).
# PILOT_DATA, PILOT_LISTEN, PILOT_ORIGIN and PILOT_BIN (the binaries, build/bin) change the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PILOT_BIN:-build/bin}
DATA=${PILOT_DATA:-data}
LISTEN=${PILOT_LISTEN:-127.0.0.1:8080}
ORIGIN=${PILOT_ORIGIN:-pilotledger.local/dev}

if [ ! -d "$DATA/db" ]; then
  echo "First start: creating a development ledger in $DATA" >&2
  mkdir -p "$DATA/dev-keys"
  chmod 700 "$DATA" "$DATA/dev-keys"
  "$BIN/pilotctl" sample-founders --keys "$DATA/dev-keys" > "$DATA/dev-keys/authorities.json"
  "$BIN/pilotledgerd" init --data "$DATA" --origin "$ORIGIN" --authorities "$DATA/dev-keys/authorities.json" > "$DATA/ledger-key.txt"
  echo "Ledger key: $(cat "$DATA/ledger-key.txt")" >&2
  # Load the sample through the real API on a private port, then restart on the public one.
  "$BIN/pilotledgerd" serve --data "$DATA" --listen 127.0.0.1:0 > "$DATA/.loader.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 200); do grep -q "listening on" "$DATA/.loader.log" 2>/dev/null && break; sleep 0.05; done
  addr=$(grep -o 'listening on [^ ]*' "$DATA/.loader.log" | cut -d' ' -f3)
  "$BIN/pilotctl" --server "http://$addr" sample --keys "$DATA/dev-keys" --config config
  kill -TERM $pid; wait $pid || true
  trap - EXIT
  rm -f "$DATA/.loader.log"
  echo "The keys under $DATA/dev-keys/ are for development only: never use them for a real ledger." >&2
fi

cat >&2 <<MSG

PilotLedger is starting on http://$LISTEN  (data: $DATA, ledger key: $(cat "$DATA/ledger-key.txt" 2>/dev/null || echo unknown))
Try, in another terminal (README.md and docs/sample.md have more):
  curl -s http://$LISTEN/v1/checkpoint
  curl -s 'http://$LISTEN/v1/entries?from=0&limit=5'
  $BIN/pilotctl --server http://$LISTEN campaigns
  $BIN/pilotctl --server http://$LISTEN units --status titled --limit 10
  $BIN/pilotctl --server http://$LISTEN units --name 养老
  $BIN/pilotctl --server http://$LISTEN --as $DATA/dev-keys/auditor.pem quotas sample-2026
  $BIN/pilotctl --server http://$LISTEN verify --ledger-key "\$(cat $DATA/ledger-key.txt)"
  $BIN/pilotctl --server http://$LISTEN --as $DATA/dev-keys/auditor.pem verify --ledger-key "\$(cat $DATA/ledger-key.txt)"
  $BIN/pilotctl --server http://$LISTEN watch --types title.revoked --state $DATA/watch.state --ledger-key "\$(cat $DATA/ledger-key.txt)"

MSG
exec "$BIN/pilotledgerd" serve --data "$DATA" --listen "$LISTEN"
