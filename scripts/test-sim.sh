#!/usr/bin/env bash
# Interop tests for the Atlas simulator: builds and starts the atlas-sim binary, then checks it
# with curl --digest and with Python requests + HTTPDigestAuth (installed into a venv if missing).
# Prints PASS/FAIL lines and ends with "N passed, M failed"; exits non-zero on any failure.
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; }
finish() { echo "$PASSED passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; exit $?; }

echo "building atlas-sim..."
if ! cargo build -q -p atlas-sim; then
    fail "cargo build -p atlas-sim"
    finish
fi
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/debug/atlas-sim"

TMP="$(mktemp -d)"
"$BIN" --port 0 >"$TMP/out" 2>"$TMP/err" &
SIM_PID=$!
cleanup() { kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

URL=""
for _ in $(seq 1 100); do
    LINE="$(head -n 1 "$TMP/out" 2>/dev/null)"
    case "$LINE" in
        "atlas-sim listening on http://"*) URL="${LINE#atlas-sim listening on }"; break ;;
    esac
    sleep 0.1
done
if [ -z "$URL" ]; then
    fail "atlas-sim printed its address: $(cat "$TMP/err")"
    finish
fi
pass "atlas-sim started: $URL"

P=5c843ba379358e5b3dc2dec6
OWNER=awqxqtif:a0403a4f-0151-4922-ae89-523b69cd8e04
V1='Accept: application/vnd.atlas.2023-01-01+json'
CT='Content-Type: application/vnd.atlas.2023-01-01+json'

# expect NAME STATUS CURL-ARGS...: runs curl, compares the final HTTP status.
expect() {
    local name="$1" want="$2"
    shift 2
    local got
    got="$(curl -s -o "$TMP/body" -w '%{http_code}' "$@")"
    if [ "$got" = "$want" ]; then pass "curl: $name"; else fail "curl: $name: status $got, want $want: $(head -c 300 "$TMP/body")"; fi
}

expect "right key: GET /api/atlas/v2" 200 --digest -u "$OWNER" -H "$V1" "$URL/api/atlas/v2"
if grep -q '"publicKey":"awqxqtif"' "$TMP/body"; then pass "curl: body names the caller's key"; else fail "curl: body names the caller's key"; fi
expect "wrong private key: 401" 401 --digest -u awqxqtif:00000000-0000-0000-0000-000000000000 -H "$V1" "$URL/api/atlas/v2"
expect "wrong public key: 401" 401 --digest -u wrongkey:a0403a4f-0151-4922-ae89-523b69cd8e04 -H "$V1" "$URL/api/atlas/v2"
expect "query string in the digest uri" 200 --digest -u "$OWNER" -H 'Accept: application/vnd.atlas.2024-08-05+json' "$URL/api/atlas/v2/groups/$P/clusters?itemsPerPage=1&pageNum=2"
expect "POST access list: 201" 201 --digest -u "$OWNER" -H "$V1" -H "$CT" -X POST -d '[{"ipAddress":"192.0.2.20","comment":"curl"}]' "$URL/api/atlas/v2/groups/$P/accessList"
expect "GET %2F-escaped entry" 200 --digest -u "$OWNER" -H "$V1" "$URL/api/atlas/v2/groups/$P/accessList/192.0.2.20%2F32"
expect "DELETE entry: 204" 204 --digest -u "$OWNER" -H "$V1" -X DELETE "$URL/api/atlas/v2/groups/$P/accessList/192.0.2.20"
expect "missing version: 406" 406 --digest -u "$OWNER" "$URL/api/atlas/v2"
expect "flex cluster via the clusters API: 400" 400 --digest -u "$OWNER" -H 'Accept: application/vnd.atlas.2024-08-05+json' "$URL/api/atlas/v2/groups/$P/clusters/flex-dev"
expect "blocked key: 403" 403 --digest -u blockedk:e99ac160-b9f5-4d5b-a769-7b2fda01f68a -H "$V1" "$URL/api/atlas/v2"
expect "control API: request log" 200 "$URL/__sim/requests"

# Python requests: use it if present, else install it into a venv (or the user site).
PY=python3
if [ -n "${SIM_FORCE_VENV:-}" ] || ! "$PY" -c 'import requests' 2>/dev/null; then
    VENV="$ROOT/.work/venv-sim"
    if [ ! -x "$VENV/bin/python" ]; then
        mkdir -p "$ROOT/.work"
        python3 -m venv "$VENV" >/dev/null 2>&1 || rm -rf "$VENV"
    fi
    if [ -x "$VENV/bin/python" ]; then
        "$VENV/bin/python" -c 'import requests' 2>/dev/null || "$VENV/bin/python" -m pip install -q requests >/dev/null 2>&1
        PY="$VENV/bin/python"
    else
        python3 -m pip install -q --user requests >/dev/null 2>&1
    fi
fi
if "$PY" -c 'import requests' 2>/dev/null; then
    "$PY" sim/tests/interop/interop.py "$URL" >"$TMP/py" 2>&1
    cat "$TMP/py" | grep -v ' passed, .* failed$'
    SUMMARY="$(tail -n 1 "$TMP/py")"
    case "$SUMMARY" in
        *" passed, "*" failed")
            PASSED=$((PASSED + ${SUMMARY%% passed*}))
            F="${SUMMARY#* passed, }"
            FAILED=$((FAILED + ${F%% failed}))
            ;;
        *) fail "python interop script did not finish: $(tail -n 5 "$TMP/py")" ;;
    esac
else
    fail "python requests could not be installed"
fi

finish
