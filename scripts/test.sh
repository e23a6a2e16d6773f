#!/usr/bin/env bash
# Runs every test of the workspace: unit tests, the end-to-end tests against a private
# PostgreSQL cluster and real TLS servers. Installs missing system packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh

# diesel_cli regenerates server/src/db/schema.rs in a test that compares it with the
# committed file (a few minutes to build, once per machine).
if ! command -v diesel >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/diesel" ]; then
  echo "Installing diesel_cli (for the schema check)…" >&2
  cargo install --locked diesel_cli --version 2.3.14 --no-default-features --features postgres-bundled
fi

status=0
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --profile "${NEXTEST_PROFILE:-default}" || status=$?
else
  cargo test --workspace || status=$?
fi

# The tests share one private cluster and leave it running for the next run; stop it.
for data in "${TMPDIR:-/tmp}"/pharmacrm-test-*/data; do
  [ -f "$data/postmaster.pid" ] || continue
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  bin=${PG_BIN_DIR:-$bin}
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$data" stop -m fast >/dev/null 2>&1 || true
  else
    "$bin/pg_ctl" -D "$data" stop -m fast >/dev/null 2>&1 || true
  fi
done
exit "$status"
