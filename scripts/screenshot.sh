#!/usr/bin/env bash
# Runs the real client window under Xvfb against a demo server and writes screenshots:
# the login screen, then the main window and the admin console after logging in as the
# demo admin — to check by eye that Chinese renders with the bundled font.
# Output: target/screenshots/{login,main,admin,customers}.png
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh --gui

out=target/screenshots
mkdir -p "$out"
work=$(mktemp -d /tmp/pharmacrm-shot-XXXXXX)
chmod 755 "$work"
cargo build --bins

display=:${SCREENSHOT_DISPLAY:-97}
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb=$!
sleep 1
./target/debug/pharmacrm-server --data-dir "$work/var" --listen 127.0.0.1:0 --demo \
  --admin-password admin-2026 >"$work/server.log" 2>&1 &
server=$!
cleanup() {
  kill "${client:-}" 2>/dev/null || true
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  grep -q "^listening on" "$work/server.log" && break
  sleep 0.5
done
addr=$(sed -n 's/^listening on //p' "$work/server.log")
[ -n "$addr" ] || { cat "$work/server.log" >&2; exit 1; }

export DISPLAY=$display LIBGL_ALWAYS_SOFTWARE=1 XDG_DATA_HOME="$work/xdg"
./target/debug/pharmacrm --server "$addr" --ca "$work/var/tls/ca.pem" >"$work/client.log" 2>&1 &
client=$!
sleep 5
import -window root "$out/login.png"

# Under Xvfb with Mesa's software OpenGL and no window manager, winit stops reading X
# input until the process is interrupted once; a stop/continue after each step makes it
# read what xdotool sent. (On a real desktop none of this is needed.)
nudge() { kill -STOP "$client"; sleep 0.2; kill -CONT "$client"; sleep 0.6; }
window=$(xdotool search --name PharmaCRM | head -n 1)
xdotool windowfocus "$window"; nudge
xdotool mousemove 620 173 click 1; nudge
xdotool type --delay 30 admin; nudge
xdotool mousemove 620 213 click 1; nudge
xdotool type --delay 30 admin-2026; nudge
xdotool key Return; nudge
sleep 2; nudge; sleep 1; nudge
import -window root "$out/main.png"
xdotool mousemove 75 215 click 1; nudge   # 系统管理, the last module
sleep 1; nudge; sleep 1; nudge
import -window root "$out/admin.png"
xdotool mousemove 75 83 click 1; nudge    # 客户管理
sleep 1; nudge; sleep 1; nudge
import -window root "$out/customers.png"
echo "screenshots: $out/login.png $out/main.png $out/admin.png $out/customers.png"
