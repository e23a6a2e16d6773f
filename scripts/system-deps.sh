#!/usr/bin/env bash
# Installs what PharmaCRM needs from the system, when it is missing:
# PostgreSQL's server binaries (initdb, postgres) for the embedded database.
# Everything else (protoc, libpq) is built in by cargo.
set -euo pipefail

have_postgres() {
  [ -n "${PG_BIN_DIR:-}" ] && [ -x "$PG_BIN_DIR/initdb" ] && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && return 0
  command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ] && return 0
  return 1
}

apt_install() {
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
  else
    echo "PharmaCRM needs these Debian/Ubuntu packages: $*" >&2
    echo "Install them as root:  apt-get install -y $*" >&2
    exit 1
  fi
}

if ! have_postgres; then
  echo "Installing PostgreSQL's server binaries (package postgresql)…" >&2
  apt_install postgresql
fi
