#!/usr/bin/env bash
# verify_dashboards.sh — checks the dashboards API end to end against a real sequencer and hub started on free
# ports in a temporary directory, authenticated with the root key: the default dashboard, create, read, update
# (and a stale update refused), list, export and import, widget data computed from UDP datagrams sent with nc,
# delete. Exits non-zero if any check fails; always stops what it started and removes the directory.
set -euo pipefail
cd "$(dirname "$0")"

CZ="$PWD/bin/cz"
WORK=$(mktemp -d /tmp/cz-verify-dashboards.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

failures=0
pass() { printf '  ok    %s\n' "$1"; }
fail() { printf '  FAIL  %s\n' "$1"; failures=$((failures + 1)); }
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);const r=process.argv[1].split(".").reduce((o,k)=>o==null?o:o[k],v);console.log(typeof r==="object"?JSON.stringify(r):r)})' "$1"; }
wait_for_line() { # file pattern
  for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1:"; cat "$1"; exit 1
}
# api METHOD PATH [BODY]: prints the body and leaves the status in $WORK/status.
api() {
  local args=(-s -o "$WORK/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $ROOT")
  [ -n "${3:-}" ] && args+=(-H 'content-type: application/json' --data-binary "$3")
  curl "${args[@]}" "$HUB$2" > "$WORK/status"
  cat "$WORK/body"
}
status() { cat "$WORK/status"; }
# expect DESCRIPTION ACTUAL WANTED
expect() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected '$3', got '$2'"; fi
}

echo "== starting a sequencer and a hub in $WORK"
"$CZ" start --journal "$WORK/journal.db" --ipc "$WORK/cz.sock" --listen 0=orders --json > "$WORK/sequencer.log" 2>&1 &
PIDS+=($!)
wait_for_line "$WORK/sequencer.log" '"event":"ready"'
PORT=$(head -n1 "$WORK/sequencer.log" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(r.listeners.find(l=>l.stream==="orders"&&!l.ipv6).port)})')
"$CZ" hub --bind 127.0.0.1:0 --journal "$WORK/journal.db" --ipc "$WORK/cz.sock" --data-dir "$WORK/data" --json > "$WORK/hub.log" 2>&1 &
PIDS+=($!)
wait_for_line "$WORK/hub.log" '"event":"ready"'
HUB=$(head -n1 "$WORK/hub.log" | json url)
ROOT=$(tr -d '\n' < "$WORK/data/root.key")
[[ "$ROOT" == cz_* ]] && pass "read the root key" || fail "root key: $ROOT"

echo "== UDP traffic: 12 orders, 3 of them failed"
for i in $(seq 1 12); do
  state=ok; [ $((i % 4)) = 0 ] && state=failed
  printf '{"order":%d,"amount":%d,"status":"%s"}' "$i" $((i * 25)) "$state" | nc -u -q0 127.0.0.1 "$PORT"
done
for _ in $(seq 1 100); do
  [ "$("$CZ" status --journal "$WORK/journal.db" --json | json publication.head)" -ge 12 ] && break
  sleep 0.1
done
expect "the sequencer journaled the 12 datagrams" "$("$CZ" status --journal "$WORK/journal.db" --json | json publication.head)" 12

echo "== the default dashboard"
LIST=$(api GET /api/dashboards)
expect "GET /api/dashboards → 200" "$(status)" 200
expect "a first start has the default dashboard" "$(echo "$LIST" | json dashboards.0.name)" "Sequencer health"
DEFAULT=$(echo "$LIST" | json dashboards.0.id)
VALUE=$(api POST "/api/dashboards/$DEFAULT/widgets/events-in-range/data")
expect "its events-in-range widget counts the 12 events" "$(echo "$VALUE" | json value)" 12

echo "== create, read, update"
WIDGETS='[{"id":"failed","type":"value","title":"Failed orders","query":"SELECT COUNT(*) FROM orders WHERE status = \"failed\"","layout":{"x":0,"y":0,"w":3,"h":2}},
  {"id":"rate","type":"timeseries","title":"Orders","query":"SELECT COUNT(*) FROM orders GROUP BY status BY 1m","layout":{"x":3,"y":0,"w":9,"h":4}},
  {"id":"big","type":"table","title":"Big orders","query":"SELECT order, amount FROM orders WHERE amount >= 250","layout":{"x":0,"y":4,"w":6,"h":4}},
  {"id":"log","type":"log","title":"Orders","query":"SELECT * FROM orders","layout":{"x":6,"y":4,"w":6,"h":4}}]'
CREATED=$(api POST /api/dashboards "{\"name\":\"Orders\",\"refreshSec\":30,\"widgets\":$WIDGETS}")
expect "POST /api/dashboards → 201" "$(status)" 201
ID=$(echo "$CREATED" | json id)
expect "created at version 1" "$(echo "$CREATED" | json version)" 1
READ=$(api GET "/api/dashboards/$ID")
expect "GET /api/dashboards/:id → 200" "$(status)" 200
expect "it reads back its four widgets" "$(echo "$READ" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).widgets.map(w=>w.id).join(",")))')" "failed,rate,big,log"
UPDATED=$(api PUT "/api/dashboards/$ID" "{\"name\":\"Orders (EU)\",\"version\":1,\"refreshSec\":60,\"widgets\":$WIDGETS}")
expect "PUT /api/dashboards/:id → 200" "$(status)" 200
expect "renamed" "$(echo "$UPDATED" | json name)" "Orders (EU)"
expect "now at version 2" "$(echo "$UPDATED" | json version)" 2
STALE=$(api PUT "/api/dashboards/$ID" "{\"name\":\"Lost update\",\"version\":1,\"widgets\":[]}")
expect "a stale version → 409" "$(status)" 409
expect "… VERSION_CONFLICT" "$(echo "$STALE" | json error.code)" VERSION_CONFLICT
BAD=$(api POST /api/dashboards '{"name":"bad","widgets":[{"type":"value","query":"SELECT COUNT(*) FROM orders WHERE","layout":{"x":0,"y":0,"w":2,"h":2}}]}')
expect "a bad query → 400" "$(status)" 400
expect "… naming the widget's query field" "$(echo "$BAD" | json error.details.field)" "body.widgets.0.query"
BAD=$(api POST /api/dashboards '{"name":"bad","widgets":[{"type":"value","query":"SELECT COUNT(*) FROM orders","layout":{"x":10,"y":0,"w":4,"h":2}}]}')
expect "a widget past the 12th column → 400" "$(status)" 400
echo "$BAD" | json error.message | grep -q 'body.widgets.0.layout.w' && pass "… naming the layout field" || fail "layout error: $BAD"

echo "== list"
LIST=$(api GET /api/dashboards)
expect "the list holds both dashboards" "$(echo "$LIST" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).dashboards.map(d=>d.name).join("|")))')" "Orders (EU)|Sequencer health"

echo "== widget data from the UDP events"
expect "value widget: 3 failed orders" "$(api POST "/api/dashboards/$ID/widgets/failed/data" | json value)" 3
expect "… in the hub's answer (200)" "$(status)" 200
SERIES=$(api POST "/api/dashboards/$ID/widgets/rate/data" '{"since":"15m"}')
TOTALS=$(echo "$SERIES" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const d=JSON.parse(s);console.log(d.series.map(x=>x.label+"="+d.points.reduce((n,p)=>n+p[x.key],0)).join(","))})')
expect "timeseries widget: orders by status over 15m" "$TOTALS" "ok=9,failed=3"
TABLE=$(api POST "/api/dashboards/$ID/widgets/big/data")
expect "table widget: orders 10, 11 and 12 have amounts of 250 or more" "$(echo "$TABLE" | json rows)" "[[10,250],[11,275],[12,300]]"
LOG=$(api POST "/api/dashboards/$ID/widgets/log/data")
expect "log widget: 12 lines, the newest first" "$(echo "$LOG" | json rows.0.5.order)" 12
EMPTY=$(api POST "/api/dashboards/$ID/widgets/failed/data" '{"since":"2020-01-01T00:00:00Z","until":"2020-01-02T00:00:00Z"}')
expect "a range before the events counts 0" "$(echo "$EMPTY" | json value)" 0

echo "== export and import"
api GET "/api/dashboards/$ID/export" > "$WORK/export.json"
expect "GET /api/dashboards/:id/export → 200" "$(status)" 200
expect "the export is tagged" "$(json format < "$WORK/export.json")" "lacrimosa.dashboard"
IMPORTED=$(api POST /api/dashboards/import "$(cat "$WORK/export.json")")
expect "POST /api/dashboards/import → 201" "$(status)" 201
COPY=$(echo "$IMPORTED" | json id)
[ "$COPY" != "$ID" ] && pass "the import is a new dashboard" || fail "the import kept the id $ID"
api GET "/api/dashboards/$COPY/export" > "$WORK/export-again.json"
if node -e 'const fs=require("fs");const a=fs.readFileSync(process.argv[1],"utf8"),b=fs.readFileSync(process.argv[2],"utf8");process.exit(a===b?0:1)' "$WORK/export.json" "$WORK/export-again.json"; then
  pass "export → import → export gives the same document"
else
  fail "the round trip changed the document"; diff "$WORK/export.json" "$WORK/export-again.json" | head -10
fi
expect "the copy's value widget counts the same 3" "$(api POST "/api/dashboards/$COPY/widgets/failed/data" | json value)" 3

echo "== delete"
api DELETE "/api/dashboards/$ID" > /dev/null
expect "DELETE /api/dashboards/:id → 200" "$(status)" 200
api GET "/api/dashboards/$ID" > /dev/null
expect "then GET → 404" "$(status)" 404
api DELETE "/api/dashboards/$COPY" > /dev/null
expect "delete the copy → 200" "$(status)" 200
curl -s -o /dev/null -w '%{http_code}' "$HUB/api/dashboards" > "$WORK/status"
expect "without a key → 401" "$(status)" 401

if [ "$failures" -gt 0 ]; then
  echo "verify_dashboards.sh: $failures check(s) FAILED"
  exit 1
fi
echo "verify_dashboards.sh: all checks passed"
