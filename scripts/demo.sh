#!/usr/bin/env bash
# Starts PharmaCRM with demo data: the server with its embedded PostgreSQL (in ./var, or
# $PHARMACRM_DATA_DIR), then the desktop client. Stopping the client stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh --client

data_dir=${PHARMACRM_DATA_DIR:-./var}
listen=${PHARMACRM_LISTEN:-127.0.0.1:50051}
cargo build --release --bins

log="$data_dir/server.log"
mkdir -p "$data_dir"
./target/release/pharmacrm-server --data-dir "$data_dir" --listen "$listen" --demo \
  --admin-password "${PHARMACRM_ADMIN_PASSWORD:-admin-2026}" >"$log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  if grep -q "^listening on" "$log"; then break; fi
  if ! kill -0 $server 2>/dev/null; then
    echo "The server did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.5
done
grep -q "^listening on" "$log" || { echo "The server did not start in time; see $log" >&2; exit 1; }
echo "Server: $(grep '^listening on' "$log")  (log: $log)"

./target/release/pharmacrm --server "https://$listen" --ca "$data_dir/tls/ca.pem" "$@"
