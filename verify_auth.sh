#!/usr/bin/env bash
# verify_auth.sh — checks the hub's authentication end to end against a real sequencer and hub started on free
# ports in a temporary directory: 401/403/2xx across scopes, key creation and revocation, the audit trail.
# Exits non-zero on the first failed check; always stops what it started and removes the directory.
set -euo pipefail
cd "$(dirname "$0")"

CZ="$PWD/bin/cz"
WORK=$(mktemp -d /tmp/cz-verify-auth.XXXXXX)
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
status_of() { # method path key [body]
  local args=(-s -o /dev/null -w '%{http_code}' -X "$1")
  [ -n "$3" ] && args+=(-H "Authorization: Bearer $3")
  [ -n "${4:-}" ] && args+=(-H 'content-type: application/json' -d "$4")
  curl "${args[@]}" "$HUB$2"
}
expect_status() { # want method path key [body] -- description
  local got
  got=$(status_of "$2" "$3" "$4" "${5:-}")
  if [ "$got" = "$1" ]; then pass "$2 $3 ${6:-} → $got"; else fail "$2 $3 ${6:-}: expected $1, got $got"; fi
}

echo "== starting a sequencer and a hub in $WORK"
"$CZ" start --journal "$WORK/journal.db" --ipc "$WORK/cz.sock" --listen 0=default --json > "$WORK/sequencer.log" 2>&1 &
PIDS+=($!)
wait_for_line "$WORK/sequencer.log" '"event":"ready"'
"$CZ" hub --bind 127.0.0.1:0 --journal "$WORK/journal.db" --ipc "$WORK/cz.sock" --data-dir "$WORK/data" --json > "$WORK/hub.log" 2>&1 &
PIDS+=($!)
wait_for_line "$WORK/hub.log" '"event":"ready"'
HUB=$(head -n1 "$WORK/hub.log" | json url)
ROOT=$(tr -d '\n' < "$WORK/data/root.key")
[ "$(stat -c %a "$WORK/data/root.key")" = "600" ] && pass "root.key has mode 0600" || fail "root.key mode is $(stat -c %a "$WORK/data/root.key")"

echo "== public and unauthenticated"
expect_status 200 GET /api/status "" "" "(public)"
expect_status 401 GET /api/auth/keys "" "" "(no key)"
expect_status 401 GET /api/auth/keys "cz_notakeyatall" "" "(malformed key)"
expect_status 401 GET /api/auth/keys "cz_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "" "(unknown key)"

echo "== keys per scope"
create_key() { curl -s -X POST -H "Authorization: Bearer $ROOT" -H 'content-type: application/json' -d "{\"name\":\"$1\",\"scopes\":[\"$2\"]}" "$HUB/api/auth/keys"; }
READ_JSON=$(create_key reader read);  READ=$(echo "$READ_JSON" | json key);  READ_ID=$(echo "$READ_JSON" | json id)
WRITE_JSON=$(create_key writer write); WRITE=$(echo "$WRITE_JSON" | json key)
ADMIN_JSON=$(create_key admin2 admin); ADMIN=$(echo "$ADMIN_JSON" | json key)
[[ "$READ" == cz_* && "$WRITE" == cz_* && "$ADMIN" == cz_* ]] && pass "created read, write and admin keys" || fail "key creation: $READ_JSON"

VERIFY_BODY='{"runs":1,"suites":["crc32c"],"journal":false}'
expect_status 200 GET /api/verify "$READ" "" "(read key reads)"
expect_status 403 POST /api/verify "$READ" "$VERIFY_BODY" "(read key cannot write)"
expect_status 403 GET /api/auth/keys "$READ" "" "(read key is not admin)"
expect_status 202 POST /api/verify "$WRITE" "$VERIFY_BODY" "(write key writes)"
expect_status 403 GET /api/auth/keys "$WRITE" "" "(write key is not admin)"
expect_status 200 GET /api/auth/keys "$ADMIN" "" "(admin key manages keys)"
expect_status 200 GET /api/verify "$ADMIN" "" "(admin includes read)"

echo "== revocation"
expect_status 200 DELETE "/api/auth/keys/$READ_ID" "$ADMIN" "" "(revoke the read key)"
expect_status 401 GET /api/verify "$READ" "" "(revoked key refused at once)"
expect_status 409 DELETE "/api/auth/keys/$READ_ID" "$ADMIN" "" "(revoking twice)"

echo "== audit trail"
AUDIT=$(curl -s -H "Authorization: Bearer $ROOT" "$HUB/api/auth/audit?limit=50")
count_of() { echo "$AUDIT" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const e=JSON.parse(s).entries;console.log(e.filter(x=>x.action===process.argv[1]&&x.outcome===process.argv[2]).length)})' "$1" "$2"; }
[ "$(count_of key.create success)" -ge 4 ] && pass "key creations audited (root + 3)" || fail "key.create entries: $(count_of key.create success)"
[ "$(count_of key.revoke success)" = "1" ] && pass "revocation audited" || fail "key.revoke success entries: $(count_of key.revoke success)"
[ "$(count_of key.revoke failure)" = "1" ] && pass "failed revocation audited" || fail "key.revoke failure entries: $(count_of key.revoke failure)"
[ "$(count_of verify.start failure)" = "1" ] && pass "denied mutation audited with its outcome" || fail "verify.start failure entries: $(count_of verify.start failure)"
echo "$AUDIT" | grep -q '"remote":"127.0.0.1"' && pass "audit records where requests came from" || fail "no remote address in the audit log"

echo "== the cz keys command"
"$CZ" keys list --hub "$HUB" --data-dir "$WORK/data" | grep -q 'writer' && pass "cz keys list shows the keys" || fail "cz keys list"

if [ "$failures" -gt 0 ]; then
  echo "verify_auth.sh: $failures check(s) FAILED"
  exit 1
fi
echo "verify_auth.sh: all checks passed"
