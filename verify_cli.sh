#!/usr/bin/env bash
# verify_cli.sh — drives the `cz` command line end to end against a real sequencer and hub started on free ports
# in a temporary directory: send, status (journal and hub), keys, query, connectors, tail, traces, alerts and
# incidents, pipelines and dashboards, and verify, checking what each prints. Exits non-zero if any check fails;
# always stops what it started and removes the directory.
set -euo pipefail
cd "$(dirname "$0")"

CZ="$PWD/bin/cz"
WORK=$(mktemp -d /tmp/cz-verify-cli.XXXXXX)
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
# check DESCRIPTION PATTERN COMMAND...: runs the command, passes when it exits 0 and its output matches PATTERN.
check() {
  local description=$1 pattern=$2 output
  shift 2
  if output=$("$@" 2>&1) && grep -Eq -- "$pattern" <<<"$output"; then
    pass "$description"
  else
    fail "$description: expected /$pattern/ from: $*"
    printf '%s\n' "$output" | sed 's/^/        /' | head -20
  fi
}
# refuses DESCRIPTION PATTERN COMMAND...: passes when the command exits non-zero and says PATTERN.
refuses() {
  local description=$1 pattern=$2 output
  shift 2
  if output=$("$@" 2>&1); then
    fail "$description: expected a failure from: $*"
  elif grep -Eq -- "$pattern" <<<"$output"; then
    pass "$description"
  else
    fail "$description: expected /$pattern/ from: $*"
    printf '%s\n' "$output" | sed 's/^/        /' | head -20
  fi
}
wait_until_head() { # n
  for _ in $(seq 1 100); do
    [ "$("$CZ" status --journal "$WORK/journal.db" --json | json publication.head)" -ge "$1" ] && return 0
    sleep 0.1
  done
}

echo "== starting a sequencer and a hub in $WORK"
"$CZ" start --journal "$WORK/journal.db" --ipc "$WORK/cz.sock" --listen 0=default --listen 0=orders --json \
  > "$WORK/sequencer.log" 2>&1 &
PIDS+=($!)
wait_for_line "$WORK/sequencer.log" '"event":"ready"'
READY=$(head -n1 "$WORK/sequencer.log")
PORT=$(echo "$READY" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(r.listeners.find(l=>l.stream==="default"&&!l.ipv6).port)})')
ORDERS=$(echo "$READY" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(r.listeners.find(l=>l.stream==="orders"&&!l.ipv6).port)})')
"$CZ" hub --bind 127.0.0.1:0 --journal "$WORK/journal.db" --ipc "$WORK/cz.sock" --data-dir "$WORK/data" --json \
  > "$WORK/hub.log" 2>&1 &
PIDS+=($!)
wait_for_line "$WORK/hub.log" '"event":"ready"'
export CZ_HUB_URL
CZ_HUB_URL=$(head -n1 "$WORK/hub.log" | json url)
export CZ_API_KEY
CZ_API_KEY=$(tr -d '\n' < "$WORK/data/root.key")

echo "== send and status"
check "cz send: raw datagrams" "sent 3 raw datagrams" "$CZ" send --to "127.0.0.1:$PORT" --count 3 'hello {i}'
for i in 1 2 3 4 5; do
  "$CZ" send --to "127.0.0.1:$ORDERS" "{\"order\":$i,\"amount\":$((i * 40)),\"status\":\"$([ $i = 3 ] && echo failed || echo ok)\"}" > /dev/null
done
check "cz send: a framed datagram" "sent 1 framed datagram" "$CZ" send --to "127.0.0.1:$PORT" --framed --node 7 --hint now framed
wait_until_head 9
check "cz status --journal: head and streams" "orders" "$CZ" status --journal "$WORK/journal.db"
check "cz status --journal --json: 9 events" '"head": ?9' "$CZ" status --journal "$WORK/journal.db" --json
check "cz status --hub: the sequencer is connected" "connected" "$CZ" status --hub

echo "== keys"
check "cz keys create: a read key, shown once" "^cz_" "$CZ" keys create cli-reader --scope read
check "cz keys list: lists it" "cli-reader" "$CZ" keys list
READER=$("$CZ" keys create cli-reader-2 --scope read --json | json key)
refuses "a read key cannot create keys" "403|admin" env CZ_API_KEY="$READER" "$CZ" keys create nope --scope read

echo "== query"
check "cz query: a filter on a JSON field" "3 rows · 3 matched" "$CZ" query 'SELECT order, status FROM orders WHERE amount > 100'
check "cz query --json: two rows above 100 with status ok" '"rows"' "$CZ" query --json 'SELECT * FROM orders WHERE amount > 100 AND status = "ok"'
ROWS=$("$CZ" query --json 'SELECT * FROM orders WHERE amount > 100 AND status = "ok"' | json rows | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).length))')
[ "$ROWS" = "2" ] && pass "the query matched 2 rows (orders 4 and 5)" || fail "expected 2 rows, got $ROWS"
check "cz query: COUNT(*) GROUP BY" "ok|failed" "$CZ" query 'SELECT COUNT(*) FROM orders GROUP BY status'
check "cz query --ndjson: one line per row" '^\[' "$CZ" query --ndjson 'SELECT seq FROM orders LIMIT 2'
refuses "cz query: a syntax error shows line and column" "line 1|column|\\^" "$CZ" query 'SELECT * FROM orders WHERE amount >'
check "cz query with a read key" "order" env CZ_API_KEY="$READER" "$CZ" query 'SELECT order FROM orders LIMIT 1'

echo "== connectors"
check "cz connectors create: a webhook" "hooks" "$CZ" connectors create hooks --kind webhook
printf '{"via":"webhook","n":1}' > "$WORK/event.json"
check "cz connectors ingest: journaled" "journaled|seq" "$CZ" connectors ingest hooks --file "$WORK/event.json"
check "cz connectors list: the webhook and the udp listeners" "hooks" "$CZ" connectors list
check "the webhook's event is queryable" '"via"' "$CZ" query --json 'SELECT * FROM hooks'
check "cz connectors delete" "hooks|deleted" "$CZ" connectors delete hooks
refuses "cz connectors ingest: an unknown connector" "not found|no connector|404" "$CZ" connectors ingest hooks --file "$WORK/event.json"

echo "== tail"
"$CZ" tail --stream orders --payload text > "$WORK/tail.log" 2>&1 &
TAIL=$!
PIDS+=($TAIL)
sleep 1.5
"$CZ" send --to "127.0.0.1:$ORDERS" '{"order":99,"live":true}' > /dev/null
for _ in $(seq 1 50); do grep -q '"order":99' "$WORK/tail.log" && break; sleep 0.1; done
grep -q '"order":99' "$WORK/tail.log" && pass "cz tail: printed the live event" || { fail "cz tail did not print the live event"; cat "$WORK/tail.log"; }
kill -INT "$TAIL"
wait "$TAIL" && pass "cz tail: exits 0 on Ctrl-C" || fail "cz tail: exit code $? on Ctrl-C"

"$CZ" tail --stream orders --where 'amount > 100 AND status = "ok"' --payload json > "$WORK/tail-where.log" 2>&1 &
TAIL=$!
PIDS+=($TAIL)
sleep 1.5
"$CZ" send --to "127.0.0.1:$ORDERS" '{"order":100,"amount":50,"status":"ok"}' > /dev/null
"$CZ" send --to "127.0.0.1:$ORDERS" '{"order":101,"amount":500,"status":"failed"}' > /dev/null
"$CZ" send --to "127.0.0.1:$ORDERS" '{"order":102,"amount":500,"status":"ok"}' > /dev/null
for _ in $(seq 1 50); do grep -q '"order":102' "$WORK/tail-where.log" && break; sleep 0.1; done
if grep -q '"order":102' "$WORK/tail-where.log" && ! grep -Eq '"order":10[01]' "$WORK/tail-where.log"; then
  pass "cz tail --where: only the matching event"
else
  fail "cz tail --where printed the wrong events"
  cat "$WORK/tail-where.log"
fi
kill -INT "$TAIL"
wait "$TAIL" || true
refuses "cz tail --where: a bad condition names its column" "--where: line 1, column 10" "$CZ" tail --stream orders --where 'amount > AND'

echo "== traces"
NOW_MS=$(date +%s%3N)
SPANS="{\"spans\":[
  {\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"00f067aa0ba902b7\",\"service\":\"web\",\"operation\":\"GET /checkout\",\"kind\":\"server\",\"startTimeUnixMs\":$NOW_MS,\"durationMs\":40},
  {\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"00f067aa0ba902b8\",\"parentSpanId\":\"00f067aa0ba902b7\",\"service\":\"payments\",\"operation\":\"charge\",\"kind\":\"server\",\"startTimeUnixMs\":$((NOW_MS + 5)),\"durationMs\":20,\"status\":\"error\"}]}"
check "POST /api/traces/ingest: two spans of one trace" '"accepted": ?2' \
  curl -s -H "Authorization: Bearer $CZ_API_KEY" -H 'content-type: application/json' -d "$SPANS" "$CZ_HUB_URL/api/traces/ingest"
check "cz traces list: the trace" "4bf92f3577b34da6a3ce929d0e0e4736" "$CZ" traces list --since 1h
check "cz traces list --errors: the failed charge makes it an error trace" "4bf92f3577b34da6a3ce929d0e0e4736" "$CZ" traces list --errors
check "cz traces show: both services in the tree" "charge" "$CZ" traces show 4bf92f3577b34da6a3ce929d0e0e4736
refuses "cz traces show: an unknown trace" "not found|no trace|404" "$CZ" traces show ffffffffffffffffffffffffffffffff

echo "== alerts and incidents"
check "POST /api/alerts/rules: a rule on the orders stream" '"id": ?"r_' \
  curl -s -H "Authorization: Bearer $CZ_API_KEY" -H 'content-type: application/json' \
  -d '{"name":"any order","query":"SELECT COUNT(*) FROM orders WHERE order = \"alert me\"","threshold":{"op":">","value":0},"window":"1h"}' "$CZ_HUB_URL/api/alerts/rules"
check "cz alerts rules: lists it" "any order" "$CZ" alerts rules
"$CZ" send --to "127.0.0.1:$ORDERS" --count 1 '{"order":"alert me"}' > /dev/null
for _ in $(seq 1 100); do [[ "$("$CZ" alerts)" == *firing* ]] && break; sleep 0.1; done
check "cz alerts: the rule fires on a new order" "firing +any order" "$CZ" alerts
check "cz incidents list: its incident is open" "open +warning .*any order" "$CZ" incidents list --state open
DRILL=$("$CZ" incidents test --title "cli drill" | sed -E 's/^incident ([0-9]+) opened.*/\1/')
check "cz incidents ack: the test incident" "incident $DRILL acknowledged" "$CZ" incidents ack "$DRILL" --comment "on it"
refuses "cz incidents ack: twice is refused" "409 INVALID_TRANSITION" "$CZ" incidents ack "$DRILL"
check "cz incidents resolve" "incident $DRILL resolved" "$CZ" incidents resolve "$DRILL"
check "cz incidents show: who acknowledged and resolved" "resolved +[0-9T:.Z-]+ by root" "$CZ" incidents show "$DRILL"

echo "== pipelines and dashboards"
cat > "$WORK/pipeline.json" <<'JSON'
{ "name": "big orders",
  "nodes": [ { "id": "orders", "kind": "source", "config": { "stream": "orders" } },
             { "id": "big", "kind": "filter", "config": { "condition": "amount > 100" } },
             { "id": "out", "kind": "sink", "config": { "kind": "stream", "stream": "big-orders" } } ],
  "edges": [ { "from": "orders", "to": "big" }, { "from": "big", "to": "out" } ] }
JSON
check "cz pipelines create --file" 'created pl_[0-9a-f]{12} "big orders" \(3 nodes\)' "$CZ" pipelines create --file "$WORK/pipeline.json"
check "cz pipelines dry-run: the filter passes the big orders so far" '^big +filter +[0-9]+ +[1-9]' "$CZ" pipelines dry-run "big orders" --since 1h
check "cz pipelines run" '"big orders" is running' "$CZ" pipelines run "big orders"
"$CZ" send --to "127.0.0.1:$ORDERS" '{"order":200,"amount":900}' > /dev/null
for _ in $(seq 1 100); do
  [ "$(curl -s -H "Authorization: Bearer $CZ_API_KEY" "$CZ_HUB_URL/api/pipelines" | json pipelines.0.status.nodes.out.in)" = 1 ] && break
  sleep 0.1
done
check "cz pipelines show: the new order reached the sink" '^out +sink +1 ' "$CZ" pipelines show "big orders"
check "cz pipelines stop" '"big orders" is stopped at position' "$CZ" pipelines stop "big orders"
check "cz pipelines update --file -: the graph from stdin" 'updated pl_[0-9a-f]{12} "big orders"' \
  "$CZ" pipelines update "big orders" --file - < "$WORK/pipeline.json"
printf '{"name":"no sink","nodes":[{"id":"a","kind":"source","config":{"stream":"orders"}}],"edges":[]}' > "$WORK/broken.json"
refuses "cz pipelines create: a graph without a sink prints its issue" '^graph \(nodes\): a pipeline needs a sink' "$CZ" pipelines create --file "$WORK/broken.json"
cat > "$WORK/dashboard.json" <<'JSON'
{ "format": "lacrimosa.dashboard", "formatVersion": 1,
  "dashboard": { "name": "CLI orders", "widgets": [ { "id": "big", "type": "value", "title": "Big orders",
    "query": "SELECT COUNT(*) FROM orders WHERE amount > 100", "layout": { "x": 0, "y": 0, "w": 3, "h": 2 } } ] } }
JSON
check "cz dashboards import --file" 'imported .* "CLI orders" \(1 widgets\)' "$CZ" dashboards import --file "$WORK/dashboard.json"
check "cz dashboards list: it and the default dashboard" 'Sequencer health' "$CZ" dashboards list
check "cz dashboards data: the value widget's number" '^big: [1-9][0-9]* events' "$CZ" dashboards data "CLI orders" big
check "cz dashboards export --out" 'exported "CLI orders"' "$CZ" dashboards export "CLI orders" --out "$WORK/exported.json"
check "cz dashboards import --file -: the exported file round-trips through stdin" 'imported .* "CLI orders" \(1 widgets\)' \
  "$CZ" dashboards import --file - < "$WORK/exported.json"

echo "== verify"
check "cz verify: a suite and the live journal" "all passed" "$CZ" verify --suite crc32c --runs 50 --journal "$WORK/journal.db"
refuses "cz verify: an unknown suite" "suite" "$CZ" verify --suite nonsense

if [ "$failures" -gt 0 ]; then
  echo "verify_cli.sh: $failures check(s) failed"
  exit 1
fi
echo "verify_cli.sh: all checks passed"
