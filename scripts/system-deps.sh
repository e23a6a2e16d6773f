#!/usr/bin/env bash
# Installs what PharmaCRM needs from the system, when it is missing:
# - PostgreSQL's server binaries (initdb, postgres) for the embedded database;
# - with --client: the X11/OpenGL libraries the desktop client opens its window with;
# - with --gui: also Xvfb, ImageMagick and xdotool for scripts/screenshot.sh.
# Everything else (protoc, libpq, the CJK font) is built in or bundled.
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

want_client=0
want_gui=0
for arg in "$@"; do
  case "$arg" in
    --client) want_client=1 ;;
    --gui) want_client=1; want_gui=1 ;;
  esac
done

missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
if [ "$want_client" = 1 ]; then
  have_lib libGL.so.1 || missing+=(libgl1)
  have_lib libEGL.so.1 || missing+=(libegl1)
  have_lib libxkbcommon-x11.so.0 || missing+=(libxkbcommon-x11-0)
  have_lib libXcursor.so.1 || missing+=(libxcursor1)
  have_lib libXi.so.6 || missing+=(libxi6)
  have_lib libXrandr.so.2 || missing+=(libxrandr2)
  compgen -G "/usr/lib/*/dri/swrast_dri.so" >/dev/null || compgen -G "/usr/lib/*/dri/*_dri.so" >/dev/null \
    || missing+=(libgl1-mesa-dri)
fi
if [ "$want_gui" = 1 ]; then
  command -v Xvfb >/dev/null || missing+=(xvfb)
  command -v import >/dev/null || missing+=(imagemagick)
  command -v xdotool >/dev/null || missing+=(xdotool)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}…" >&2
  apt_install "${missing[@]}"
fi

if ! have_postgres; then
  echo "Installing PostgreSQL's server binaries (package postgresql)…" >&2
  apt_install postgresql
fi
