#!/usr/bin/env bash
# Runs the real client window under Xvfb against a demo server and photographs every
# module's main screen — 药品管理 (catalogue with a drug open, container units), 客户管理
# (the list, a customer, the new-customer form, 我的工作, 客户交接), 系统管理 (departments,
# positions, users, audit log) — in Chinese and in English, at the default 1280×800 and
# at the minimum 900×600, to check by eye that nothing is cut, squeezed or overlapping
# and that Chinese renders with the bundled font.
#
# Output: target/screenshots/<lang>-<size>-<screen>.png, e.g. zh-900x600-drugs.png.
# Usage:  scripts/screenshot.sh [zh|en]… [1280x800|900x600]…   (default: all of both)
#         SCREENSHOT_NO_BUILD=1 skips the build; SCREENSHOT_DISPLAY picks the X display.
#
# The client is driven with xdotool at fixed positions: the layout is deterministic for a
# given window size and language. It builds the release binaries first (several minutes
# the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh --gui

langs=()
sizes=()
for arg in "$@"; do
  case "$arg" in
    zh | en) langs+=("$arg") ;;
    *x*) sizes+=("$arg") ;;
    *) echo "usage: $0 [zh|en]… [1280x800|900x600]…" >&2; exit 2 ;;
  esac
done
[ ${#langs[@]} -gt 0 ] || langs=(zh en)
[ ${#sizes[@]} -gt 0 ] || sizes=(1280x800 900x600)

# SCREENSHOT_NO_BUILD=1 reuses the release binaries already built.
[ -n "${SCREENSHOT_NO_BUILD:-}" ] || cargo build --release -p pharmacrm -p pharmacrm-server --bins
out=target/screenshots
mkdir -p "$out"
work=$(mktemp -d /tmp/pharmacrm-shot-XXXXXX)
chmod 755 "$work"

display=:${SCREENSHOT_DISPLAY:-97}
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb=$!
client=
./target/release/pharmacrm-server --data-dir "$work/var" --listen 127.0.0.1:0 --demo \
  --admin-password admin-2026 >"$work/server.log" 2>&1 &
server=$!
cleanup() {
  [ -n "$client" ] && kill "$client" 2>/dev/null || true
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 240); do
  grep -q "^listening on" "$work/server.log" && break
  sleep 0.5
done
addr=$(sed -n 's/^listening on //p' "$work/server.log")
[ -n "$addr" ] || { cat "$work/server.log" >&2; exit 1; }
export DISPLAY=$display LIBGL_ALWAYS_SOFTWARE=1

width=0
height=0
prefix=
# Clicks at (x, y) in the window and lets the frame settle.
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-1}"; }
# Writes the window as <prefix>-<name>.png.
shot() {
  import -window root -crop "${width}x${height}+0+0" +repage "$out/$prefix-$1.png"
  echo "  $out/$prefix-$1.png"
}

for lang in "${langs[@]}"; do
  for size in "${sizes[@]}"; do
    width=${size%x*}
    height=${size#*x}
    prefix=$lang-$size
    echo "$prefix:"
    # A fresh profile whose remembered language is $lang.
    export XDG_DATA_HOME="$work/xdg-$prefix"
    mkdir -p "$XDG_DATA_HOME/pharmacrm"
    case "$lang" in zh) setting=Zh ;; en) setting=En ;; esac
    printf '{"pharmacrm.settings":"(lang:%s,remember_username:false)"}' "$setting" \
      >"$XDG_DATA_HOME/pharmacrm/app.ron"
    ./target/release/pharmacrm --server "$addr" --ca "$work/var/tls/ca.pem" \
      >"$work/client-$prefix.log" 2>&1 &
    client=$!
    window=$(xdotool search --sync --name PharmaCRM | head -n 1)
    xdotool windowmove "$window" 0 0
    xdotool windowsize "$window" "$width" "$height"
    sleep 3
    xdotool windowfocus "$window"
    shot login
    # The cursor starts in the username field.
    xdotool type --delay 20 admin
    xdotool key Tab
    xdotool type --delay 20 admin-2026
    xdotool key Return
    sleep 3
    shot main
    click 75 83 2
    shot customers
    click 75 215 2
    shot admin

    kill "$client"
    wait "$client" 2>/dev/null || true
    client=
  done
done
