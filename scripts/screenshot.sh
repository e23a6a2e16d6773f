#!/usr/bin/env bash
# Runs the real client window under Xvfb against a demo server and photographs every
# module's main screen — 药品管理 (catalogue with a drug open, container units), 客户管理
# (the list, a customer with its 订单记录, the new-customer form, 我的工作, 客户交接), 订单管理
# (the list, an order open, the shipment form, a part-shipped order and its 结案 dialog,
# the order form empty and with a line), 财务,
# 统计分析, 系统管理 (departments, positions, users, settings, audit log) — and the login screen, in Chinese
# and in English, at the default 1280×800 and at the minimum 900×600, to check by eye
# that nothing is cut, squeezed or overlapping and that Chinese renders with the bundled
# font.
#
# Output: target/screenshots/<lang>-<size>-<screen>.png, e.g. zh-900x600-drugs.png, with
# <screen> one of login, drugs, drugs-open, drugs-units, customers, customers-open,
# customers-open-orders, customers-new, customers-mywork, customers-handover,
# customers-types, orders, orders-recall,
# orders-open, orders-shipment, orders-open-part, orders-close, orders-new, orders-new-line,
# orders-new-free, finance, finance-invoices, finance-statement, finance-statement-customer, finance-arrears,
# reports, reports-2 … reports-6 (客户地域分布, 员工销售业绩, 客户消费情况, 地区销售情况,
# 异常反馈情况), admin-departments, admin-positions, admin-users, admin-settings,
# admin-audit.
# Usage:  scripts/screenshot.sh [zh|en]… [1280x800|900x600]…   (default: all of both)
#         SCREENSHOT_NO_BUILD=1 skips the build; SCREENSHOT_DISPLAY picks the X display.
#
# The client is driven with xdotool at fixed positions: the layout is deterministic for a
# given window size and language, and the positions (measured on the screenshots) are in a
# table per language and size below; re-measure them when the layout changes. It builds
# the release binaries first (several minutes the first time).
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

# Where things are, measured on screenshots. The sidebar is the same in every layout.
declare -A sidebar=([drugs]=50 [customers]=83 [orders]=116 [finance]=149 [reports]=182 [admin]=215)
# Opens a module from the sidebar. Escape first dismisses an open popup (a combo box, a
# date picker); a drug or customer left open does not matter, as every screen below is
# reached again from the sidebar and its sub-tab.
module() {
  xdotool key Escape
  sleep 0.3
  click 75 "${sidebar[$1]}" 2
}
# Sub-tabs sit in a row at y=45; their x depends only on the language (the labels' widths).
declare -A tabs
# Clicks the sub-tab <module>.<n> (n from 1, left to right).
subtab() { click "${tabs[$1.$2]}" 45 2; }
# The first row of a list and the 新建客户 button move when a toolbar wraps, i.e. per
# language and size: set below as row_drug, row_customer, row_order, new_customer_x/_y.
# A customer's 订单记录 tab: its x per language (customer_orders_x), its y per size (the
# customer's details are folded at 900×600: customer_tabs_y); its 编辑客户
# button 32 px above the tabs (edit_customer_x per language).
# 订单管理's buttons (per language; the same at both sizes): 新建订单 (new_order_x) at
# y=76 under the list's tabs, the 批号追溯 tab's batch field (batch_x, at y=76),
# 返回订单列表 (order_back_x) at y=44, 登记发货 in an order's view (ship_x, at y=260) and
# 结案 beside it in a part-shipped order's view (close_x, at y=260); in
# the order form, the drug search field (drug_field_x, at y=297), the first drug it offers
# (at 245,320), the first line's quantity box (line_quantity_x, at y=344) and the customer
# offered beside the customer field (customer_pick_x, at y=68). 对账's customer field
# (statement_customer, "x y": last in its filter bar, which wraps at 900 wide) and the
# customer it offers for bjxh (statement_pick; picked, the statement runs).

for lang in "${langs[@]}"; do
  for size in "${sizes[@]}"; do
    width=${size%x*}
    height=${size#*x}
    prefix=$lang-$size
    echo "$prefix:"
    # Shots of an earlier run (maybe under older names) would pass for this run's.
    rm -f "$out/$prefix"-*.png
    case "$lang" in
      zh)
        tabs=([drugs.1]=192 [drugs.2]=268
          [customers.1]=192 [customers.2]=267 [customers.3]=344 [customers.4]=432
          [admin.1]=179 [admin.2]=248 [admin.3]=317 [admin.4]=381 [admin.5]=456
          [finance.1]=178 [finance.2]=228 [finance.3]=278 [finance.4]=328
          [orders.1]=192 [orders.2]=268
          [reports.1]=204 [reports.2]=306 [reports.3]=410 [reports.4]=510 [reports.5]=612 [reports.6]=714)
        new_customer_x=191 new_customer_y=77
        customer_orders_x=545 edit_customer_x=191
        new_order_x=190 order_back_x=204 ship_x=192 drug_field_x=408 line_quantity_x=489
        close_x=260 customer_pick_x=533 batch_x=270
        ;;
      en)
        tabs=([drugs.1]=196 [drugs.2]=293
          [customers.1]=197 [customers.2]=276 [customers.3]=353 [customers.4]=451
          [admin.1]=204 [admin.2]=293 [admin.3]=359 [admin.4]=422 [admin.5]=496
          [finance.1]=194 [finance.2]=270 [finance.3]=347 [finance.4]=423
          [orders.1]=186 [orders.2]=263
          [reports.1]=196 [reports.2]=309 [reports.3]=460 [reports.4]=611 [reports.5]=737 [reports.6]=836)
        new_customer_x=208 new_customer_y=76
        customer_orders_x=712 edit_customer_x=206
        new_order_x=196 order_back_x=207 ship_x=215 drug_field_x=414 line_quantity_x=489
        close_x=300 customer_pick_x=590 batch_x=330
        ;;
    esac
    case "$prefix" in
      zh-1280x800) row_drug=155 row_customer=149 row_order=175 customer_tabs_y=300
        statement_customer="930 76" statement_pick="1135 78" ;;
      en-1280x800) row_drug=155 row_customer=145 row_order=197 customer_tabs_y=299
        statement_customer="1000 76" statement_pick="375 99" ;;
      zh-900x600) row_drug=178 row_customer=177 row_order=221 customer_tabs_y=173
        statement_customer="280 100" statement_pick="545 100" ;;
      en-900x600) row_drug=178 row_customer=172 row_order=220 customer_tabs_y=173
        statement_customer="300 100" statement_pick="595 100" ;;
      *) echo "no positions measured for $prefix" >&2; exit 2 ;;
    esac

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
    # 药品管理 is the landing screen: the catalogue, then a drug opened (its edit panel),
    # then the container units.
    shot drugs
    # 从 Excel 导入, opened (48 px above the first row), a file that is not there imported
    # (its path 2 px above the first row, the 导入 button at x=836), then closed again.
    click 450 $((row_drug - 48)) 2
    click 650 $((row_drug - 2)) 1
    xdotool type --delay 20 /tmp/no-such-file.xlsx
    click 836 $((row_drug - 2)) 2
    shot drugs-import
    click 450 $((row_drug - 48)) 2
    click 430 "$row_drug" 2
    shot drugs-open
    module drugs
    subtab drugs 2
    shot drugs-units
    # 客户管理: the list, the first customer opened (北京协和医院, the demo's orders' customer)
    # and its 订单记录 tab, the new-customer form, 我的工作, 客户交接.
    module customers
    subtab customers 1
    shot customers
    click 190 "$row_customer" 2
    shot customers-open
    click "$customer_orders_x" "$customer_tabs_y" 2
    shot customers-open-orders
    # The edit form of a customer with an ID number on file (its masked number in the
    # hint); left untouched, leaving it asks nothing.
    click "$edit_customer_x" $((customer_tabs_y - 32)) 2
    shot customers-edit
    module customers
    subtab customers 1
    click "$new_customer_x" "$new_customer_y" 2
    shot customers-new
    module customers
    subtab customers 2
    shot customers-mywork
    subtab customers 3
    shot customers-handover
    subtab customers 4
    shot customers-types
    # 订单管理: the list; the first order (today's, pending) opened; its shipment form (登记
    # 发货; left untouched it holds no input, so 返回订单列表 asks nothing); the order form
    # (新建订单), then with a line (阿莫西林 found by "amxl", quantity 120), then for a
    # customer at price 0. The module keeps its page while another module is shown, and the
    # later screens do not mind the form.
    module orders
    shot orders
    # 批号追溯: who received the demo's batch B2026C01 (two pharmacies, one drug).
    subtab orders 2
    click "$batch_x" 76 0.5
    xdotool type --delay 30 b2026c01
    sleep 2
    shot orders-recall
    subtab orders 1
    click 200 "$row_order" 2
    shot orders-open
    click "$ship_x" 260 2
    shot orders-shipment
    click "$order_back_x" 44 2
    # The part-shipped order (the list's fourth row) opened, and its 结案 dialog, left with
    # Escape: every language and size shares the demo server, so the order stays open.
    click 200 $((row_order + 81)) 2
    shot orders-open-part
    click "$close_x" 260 2
    shot orders-close
    xdotool key Escape
    sleep 1
    click "$order_back_x" 44 2
    click "$new_order_x" 76 2
    shot orders-new
    click "$drug_field_x" 323 0.5
    xdotool type --delay 30 amxl
    sleep 2
    click 245 346 2
    click "$line_quantity_x" 370 0.5
    xdotool type --delay 30 120
    sleep 1.5
    shot orders-new-line
    # For 北京协和医院 (found by "bjxh", offered beside the field) the form prices the line; its
    # price (the field after the quantity) set to 0: free goods (赠品), said under it.
    click 327 68 0.5
    xdotool type --delay 30 bjxh
    sleep 2
    click "$customer_pick_x" 68 2
    click "$line_quantity_x" 370 0.5
    xdotool key Tab ctrl+a
    xdotool type --delay 30 0
    sleep 1.5
    shot orders-new-free
    # 财务: 回款 (the landing screen) and its form (登记回款), 开票 and its form (登记开票),
    # 对账 (this month for every customer, run), 欠款. Each form's button leads its filter
    # bar (x 158 to 226 and more, y=76); a blank form left open holds no input.
    module finance
    shot finance
    click 180 76 2
    shot finance-payment-new
    subtab finance 2
    shot finance-invoices
    click 180 76 2
    shot finance-invoice-new
    click 300 100 0.5
    xdotool type --delay 30 bjxh
    sleep 2
    click 440 101 2
    click 195 304 1
    click 318 330 1
    click 318 352 1.5
    shot finance-invoice-order
    subtab finance 3
    shot finance-statement
    # One customer's statement (北京协和医院, typed as its initials in the customer field):
    # a period ending today is not confirmed yet, and the statement says why.
    click $statement_customer 0.5
    xdotool type --delay 30 bjxh
    sleep 2
    click $statement_pick 2.5
    shot finance-statement-customer
    subtab finance 4
    shot finance-arrears
    # 统计分析: each report on the demo data (a tab runs its report when first shown).
    module reports
    shot reports
    for n in 2 3 4 5 6; do
      subtab reports "$n"
      sleep 2
      shot "reports-$n"
    done
    # 系统管理: departments, positions and permissions, users, settings (company settings
    # and invoicing entities), audit log.
    module admin
    subtab admin 1
    shot admin-departments
    subtab admin 2
    shot admin-positions
    subtab admin 3
    shot admin-users
    subtab admin 4
    shot admin-settings
    subtab admin 5
    shot admin-audit

    kill "$client"
    wait "$client" 2>/dev/null || true
    client=
  done
done
