#!/usr/bin/env bash
# The simulator's data plane against the official MongoDB drivers of four languages, installed
# from their registries here: Python pymongo (venv under .work/), Java mongodb-driver-sync
# (Maven), Go mongo-driver/v2 (Go module proxy), Node.js mongodb (npm ci).
# Starts atlas-sim, creates database users through the Admin API with curl --digest, brings each
# into the state a check needs (applied, deleted, expired, pending), then runs one small program
# per driver (sim/tests/drivers/*). Prints PASS/FAIL lines and ends with "N passed, M failed";
# fails unless every check passed and the number of checks is the expected one (expected_checks).
# shellcheck disable=SC2317 # the cleanup trap and the *_driver functions are called indirectly
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT" || exit 1
WORK="$ROOT/.work"
mkdir -p "$WORK"

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; }

# The suite's size: the checks this script makes itself, each driver program's (its PASS/FAIL
# lines), and one per imported cluster per driver. A total other than this fails the suite: a
# driver program that stopped early, or a check that went away, must not pass unnoticed.
SCRIPT_CHECKS=22
declare -A DRIVER_CHECKS=([python]=16 [java]=11 [go]=12 [node]=11)
IMPORTED_CLUSTERS=(Cluster0 sharded global sandbox flex-dev)
expected_checks() {
    local d n=$SCRIPT_CHECKS
    for d in ${DRIVERS:-python java go node}; do
        n=$((n + ${DRIVER_CHECKS[$d]:-0} + ${#IMPORTED_CLUSTERS[@]}))
    done
    echo "$n"
}
finish() {
    local want
    want=$(expected_checks)
    if [ $((PASSED + FAILED)) -ne "$want" ]; then
        fail "the suite made $((PASSED + FAILED)) checks where $want were expected (DRIVERS=${DRIVERS:-python java go node})"
    fi
    echo "$PASSED passed, $FAILED failed (of $want expected)"
    [ "$FAILED" -eq 0 ]
    exit $?
}
START=$(date +%s)
for d in ${DRIVERS:-python java go node}; do
    [ -n "${DRIVER_CHECKS[$d]:-}" ] || { fail "DRIVERS: no driver $d"; finish; }
done

echo "building atlas-sim..."
if ! cargo build -q -p atlas-sim; then
    fail "cargo build -p atlas-sim"
    finish
fi
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/atlas-sim"

TMP="$(mktemp -d)"
"$BIN" --port 0 --user-apply-delay-ms 200 --ca-file "$TMP/ca.pem" >"$TMP/out" 2>"$TMP/err" &
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
[ -n "$URL" ] || { fail "atlas-sim printed its address: $(cat "$TMP/err")"; finish; }
pass "atlas-sim started: $URL"
if grep -q "data plane CA file: $TMP/ca.pem" "$TMP/err"; then pass "CA file printed on stderr"; else fail "CA file printed on stderr: $(cat "$TMP/err")"; fi
if curl -sf "$URL/__sim/dataplane/ca.pem" | cmp -s - "$TMP/ca.pem"; then pass "CA served by the control API"; else fail "CA served by the control API"; fi

P=5c843ba379358e5b3dc2dec6
OWNER=awqxqtif:a0403a4f-0151-4922-ae89-523b69cd8e04
V1='Accept: application/vnd.atlas.2023-01-01+json'
CT='Content-Type: application/vnd.atlas.2023-01-01+json'
PASSWORD='dp-Pass-2024-ok'
api() { curl -s --digest -u "$OWNER" -H "$V1" -H "$CT" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# create NAME ROLE [EXTRA-JSON]: a database user in admin with ROLE on database app.
create() {
    local body="{\"groupId\":\"$P\",\"username\":\"$1\",\"password\":\"$PASSWORD\",\"databaseName\":\"admin\",\"roles\":[{\"databaseName\":\"app\",\"roleName\":\"$2\"}]${3:-}}"
    local code
    code="$(api -o "$TMP/body" -w '%{http_code}' -X POST "$URL/api/atlas/v2/groups/$P/databaseUsers" -d "$body")"
    if [ "$code" = 201 ]; then pass "create user $1"; else fail "create user $1: $code $(cat "$TMP/body")"; fi
}
status() { api "$URL/api/atlas/v2/groups/$P/clusters/$1/status" | json 'd["changeStatus"]'; }
wait_applied() {
    for _ in $(seq 1 50); do
        [ "$(status Cluster0)" = APPLIED ] && [ "$(status sharded)" = APPLIED ] && { pass "Cluster0 and sharded: APPLIED"; return; }
        sleep 0.1
    done
    fail "status never APPLIED"
}

NOW_PLUS_HOUR="$(curl -s "$URL/__sim/clock" | python3 -c 'import json,sys,datetime as d; t=d.datetime.strptime(json.load(sys.stdin)["now"],"%Y-%m-%dT%H:%M:%SZ"); print((t+d.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))')"
create app-rw readWrite
create app-ro read
create app-scoped readWrite ',"scopes":[{"name":"sharded","type":"CLUSTER"}]'
create app-deleted readWrite
create app-expired readWrite ",\"deleteAfterDate\":\"$NOW_PLUS_HOUR\""
wait_applied
code="$(api -o /dev/null -w '%{http_code}' -X DELETE "$URL/api/atlas/v2/groups/$P/databaseUsers/admin/app-deleted")"
if [ "$code" = 204 ]; then pass "delete user app-deleted"; else fail "delete user app-deleted: $code"; fi
wait_applied
# Two hours later (simulated clock): app-expired is past its deleteAfterDate.
curl -s -X POST "$URL/__sim/clock" -d '{"advance_secs": 7200}' >/dev/null
# A one-hour propagation delay: app-pending exists but has not reached the clusters.
curl -s -X POST "$URL/__sim/config" -d '{"user_apply_delay_ms": 3600000}' >/dev/null
create app-pending readWrite
if [ "$(status Cluster0)" = PENDING ]; then pass "Cluster0 /status PENDING for app-pending"; else fail "Cluster0 /status not PENDING"; fi

standard() { api -H 'Accept: application/vnd.atlas.2024-08-05+json' "$URL/api/atlas/v2/groups/$P/clusters/$1" | json 'd["connectionStrings"]["standard"]'; }
export CA_FILE="$TMP/ca.pem" PASSWORD
URI_RS="$(standard Cluster0)"
URI_SHARDED="$(standard sharded)"
URI_PAUSED="$(standard archive)"
export URI_RS URI_SHARDED URI_PAUSED
echo "replica set: $URI_RS"
echo "mongos:      $URI_SHARDED"
case "$URI_RS" in "mongodb://127.0.0.1:"*"tls=true"*"replicaSet=atlas-"*) pass "standard string of Cluster0 points at its listener" ;; *) fail "standard string of Cluster0: $URI_RS" ;; esac
case "$URI_SHARDED" in *replicaSet*) fail "sharded standard string has replicaSet: $URI_SHARDED" ;; "mongodb://127.0.0.1:"*",127.0.0.1:"*) pass "standard string of sharded lists its routers" ;; *) fail "sharded: $URI_SHARDED" ;; esac

# driver NAME COMMAND...: runs one driver program, counting its PASS/FAIL lines.
driver() {
    local name="$1"; shift
    local t0 rc
    t0=$(date +%s)
    COLL="$name" "$@" >"$TMP/$name.log" 2>&1
    rc=$?
    grep -E '^(PASS|FAIL) ' "$TMP/$name.log" || true
    PASSED=$((PASSED + $(grep -c '^PASS ' "$TMP/$name.log")))
    FAILED=$((FAILED + $(grep -c '^FAIL ' "$TMP/$name.log")))
    if [ "$rc" -ne 0 ] || ! grep -q '^PASS ' "$TMP/$name.log"; then
        fail "$name driver program (exit $rc): $(grep -v -E '^(PASS|FAIL) ' "$TMP/$name.log" | tail -n 15)"
    fi
    echo "($name: $(( $(date +%s) - t0 ))s)"
}

python_driver() {
    local venv="$WORK/venv-dataplane"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv" || return 1
    "$venv/bin/python" -c 'import pymongo' 2>/dev/null \
        || "$venv/bin/pip" install -q --disable-pip-version-check -r sim/tests/drivers/python/requirements.txt || return 1
    "$venv/bin/python" sim/tests/drivers/python/check.py
}
java_driver() {
    mvn -B -q -ntp -f sim/tests/drivers/java/pom.xml compile exec:java || return 1
}
go_driver() {
    (cd sim/tests/drivers/go && go run .)
}
node_driver() {
    (cd sim/tests/drivers/node && { [ -d node_modules/mongodb ] || npm ci --no-audit --no-fund --silent; } && node check.mjs)
}

# DRIVERS="python go" runs a subset (the default is all four).
for d in ${DRIVERS:-python java go node}; do
    driver "$d" "${d}_driver"
done

# cloud.resources.import through the ductape CLI: a connection, a product with env prd, three
# clusters imported with their standard strings (no DNS here for SRV), each verified by the core
# with MongoDB's Rust driver before it is stored; then each driver pings
# with the strings the workspace resolves (credentials inside, never printed).
curl -s -X POST "$URL/__sim/config" -d '{"user_apply_delay_ms": 200}' >/dev/null
if cargo build -q -p ductape-cli; then
    DUCTAPE="${CARGO_TARGET_DIR:-$ROOT/target}/debug/ductape"
    # The import verifies each string with MongoDB's Rust driver: it trusts the simulator's CA.
    export DUCTAPE_WORKSPACE_DIR="$TMP/ws" MONGODB_ATLAS_BASE_URL="$URL" DUCTAPE_CLUSTER_CA_FILE="$TMP/ca.pem"
    unset DUCTAPE_WORKSPACE_KEY DUCTAPE_WORKSPACE_KEY_FILE
    ok_call() { "$DUCTAPE" call "$1" - >"$TMP/reply" 2>"$TMP/reply.err" && grep -q '"ok":true' "$TMP/reply"; }
    if echo '{"provider":"mongodb_atlas","name":"prod_atlas"}' | ok_call cloud.connections.create \
      && echo "{\"tag\":\"prod_atlas\",\"project_id\":\"$P\",\"atlas_public_key\":\"awqxqtif\",\"atlas_private_key\":\"a0403a4f-0151-4922-ae89-523b69cd8e04\"}" | ok_call cloud.connections.complete \
      && echo '{"tag":"prod_atlas"}' | ok_call cloud.connections.validate && grep -q '"valid":true' "$TMP/reply" \
      && echo '{"name":"shop"}' | ok_call products.create \
      && echo '{"product":"shop","slug":"prd"}' | ok_call products.environments.create; then
        pass "ductape CLI: connection validated, product shop with env prd"
    else
        fail "ductape CLI setup: $(cat "$TMP/reply" "$TMP/reply.err")"
    fi
    IMPORTED_URIS=""
    for cluster in "${IMPORTED_CLUSTERS[@]}"; do
        req="{\"cloud\":\"prod_atlas\",\"service\":\"atlas-cluster\",\"type\":\"databases\",\"product\":\"shop\",\"component\":\"db-${cluster,,}\",\"env\":\"prd\",\"resource\":\"$cluster\",\"connection_type\":\"standard\"}"
        if echo "$req" | ok_call cloud.resources.import && grep -q '"verified":true' "$TMP/reply"; then
            pass "cloud.resources.import $cluster (verified: the Rust driver's ping answered)"
            echo "{\"product\":\"shop\",\"component\":\"db-${cluster,,}\",\"env\":\"prd\"}" | ok_call products.components.resolve \
              && IMPORTED_URIS="$IMPORTED_URIS $cluster=$(json 'd["result"]["connection_url"]' <"$TMP/reply")"
        else
            fail "cloud.resources.import $cluster: $(cat "$TMP/reply" "$TMP/reply.err")"
        fi
    done
    rm -f "$TMP/reply"
    export IMPORTED_URIS
    for d in ${DRIVERS:-python java go node}; do
        driver "$d-imported" "${d}_driver"
    done
    unset IMPORTED_URIS
else
    fail "cargo build -p ductape-cli"
fi

LIVE="$(curl -s "$URL/__sim/dataplane" | json 'd["liveConnections"]')"
echo "live data-plane connections after the drivers closed: $LIVE"
if kill -0 "$SIM_PID" 2>/dev/null; then pass "atlas-sim still running after every driver"; else fail "atlas-sim died"; fi
echo "data-plane suite: $(( $(date +%s) - START ))s"
finish
