#!/usr/bin/env bash
# The PostgreSQL workspace backend against a real server: installs PostgreSQL from Debian when
# it is missing, initdb's a throw-away cluster as a non-root user in a temp dir, starts it on a
# free port (loopback only), exports DUCTAPE_TEST_POSTGRES_URL, runs the suites, and stops it.
#
#   bash scripts/test-postgres.sh          # the suites
#   bash scripts/test-postgres.sh -- CMD   # CMD with the cluster up (e.g. a benchmark)
#
# The tests create one schema per workspace in the database `ductape`; the cluster goes when
# the script ends, also on failure.
# shellcheck disable=SC2317 # stop (the trap) and the suites (run through on_postgres) are called indirectly
set -euo pipefail
cd "$(dirname "$0")/.."

pg_bin() {
  printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1
}

if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
  echo "installing PostgreSQL (Debian)"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi
BIN=$(pg_bin)
export PATH="$BIN:$PATH"

# initdb refuses to run as root: the cluster belongs to an unprivileged user.
if [ "$(id -u)" -eq 0 ]; then
  RUN_AS=postgres
  id "$RUN_AS" >/dev/null 2>&1 || useradd --system --no-create-home "$RUN_AS"
  as_pg() { runuser -u "$RUN_AS" -- "$@"; }
else
  as_pg() { "$@"; }
fi

TMP=$(mktemp -d /tmp/ductape-pg.XXXXXX)
chmod 755 "$TMP"
DATA="$TMP/data"
mkdir -p "$DATA" "$TMP/run"
[ "$(id -u)" -eq 0 ] && chown -R "$RUN_AS" "$DATA" "$TMP/run"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PASS=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
echo "$PASS" > "$TMP/pw"
[ "$(id -u)" -eq 0 ] && chown "$RUN_AS" "$TMP/pw"

stop() {
  as_pg pg_ctl -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap stop EXIT

if ! command -v openssl >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq openssl >/dev/null
fi
# TLS with a CA of the run's own (tests/postgres.rs checks the certificate is verified).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ductape test CA" \
  -keyout "$TMP/ca.key" -out "$TMP/ca.pem" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$TMP/run/server.key" -out "$TMP/server.csr" >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$TMP/san.ext"
openssl x509 -req -in "$TMP/server.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial -days 2 \
  -extfile "$TMP/san.ext" -out "$TMP/run/server.crt" >/dev/null 2>&1
chmod 600 "$TMP/run/server.key"
[ "$(id -u)" -eq 0 ] && chown "$RUN_AS" "$TMP/run/server.key" "$TMP/run/server.crt"

as_pg initdb -D "$DATA" -U ductape --pwfile="$TMP/pw" -A scram-sha-256 --no-sync >/dev/null
# fsync off: a throw-away cluster; max_connections for 4 processes x 16 pooled connections.
as_pg pg_ctl -D "$DATA" -l "$TMP/run/server.log" -w \
  -o "-p $PORT -k $TMP/run -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c ssl=on -c ssl_cert_file=$TMP/run/server.crt -c ssl_key_file=$TMP/run/server.key" start >/dev/null
PGPASSWORD=$PASS psql -h 127.0.0.1 -p "$PORT" -U ductape -d postgres -qc 'CREATE DATABASE ductape' >/dev/null

# Plain for the suites (the TLS test asks for TLS itself); the server offers both.
export DUCTAPE_TEST_POSTGRES_URL="postgres://ductape:$PASS@127.0.0.1:$PORT/ductape?sslmode=disable"
export DUCTAPE_TEST_PG_CA="$TMP/ca.pem"
export DUCTAPE_TEST_PG_CTL="$BIN/pg_ctl"
export DUCTAPE_TEST_PG_DATA="$DATA"
export DUCTAPE_TEST_PG_LOG="$TMP/run/server.log"
export DUCTAPE_TEST_PG_SOCKET_DIR="$TMP/run"
export DUCTAPE_TEST_PG_USER="${RUN_AS:-}"
echo "PostgreSQL $(postgres --version | awk '{print $3}') on 127.0.0.1:$PORT"

if [ "${1:-}" = "--" ]; then
  shift
  "$@"
  exit $?
fi

# shellcheck source=scripts/lib/tests-ran.sh
. scripts/lib/tests-ran.sh
# A test that finds no URL fails instead of passing as a SKIP.
export DUCTAPE_TEST_POSTGRES_REQUIRED=1

# schemas PATTERN: how many schemas of the database match PATTERN (LIKE).
schemas() {
  PGPASSWORD=$PASS psql -h 127.0.0.1 -p "$PORT" -U ductape -d ductape -Atc \
    "SELECT count(*) FROM pg_namespace WHERE nspname LIKE '$1'"
}

# on_postgres WHAT PATTERN CMD...: runs CMD, then fails unless it made schemas matching PATTERN
# (each workspace of the tests is a schema of its own): evidence that it ran on PostgreSQL.
on_postgres() {
  local what=$1 pattern=$2 before after rc=0
  shift 2
  before=$(schemas "$pattern")
  "$@" || rc=1
  after=$(schemas "$pattern")
  echo "$what: $((after - before)) new schemas on PostgreSQL ($pattern)"
  [ "$rc" -eq 0 ] || return 1
  [ "$after" -gt "$before" ] || { echo "$what: no schema was made: it did not run on PostgreSQL" >&2; return 1; }
}

# names_postgres LOG RUNNER: the runner's own summary line in LOG must say it ran on PostgreSQL,
# with vectors passed and none failed.
names_postgres() {
  local log=$1 runner=$2 line
  line=$(grep -E "^conformance \(${runner}[,)]" "$log" | tail -n 1)
  if ! grep -Eq "^conformance \(${runner}, postgres[,)].*: [1-9][0-9]* passed, 0 failed" <<< "$line"; then
    echo "the $runner conformance runner did not report vectors passed on PostgreSQL: ${line:-no summary line}" >&2
    return 1
  fi
}

# The Rust conformance runner on PostgreSQL (each vector in a schema conf_<pid>_<n>).
rust_conformance() {
  local log rc=0
  log=$(mktemp)
  cargo_tests_exactly 3 -p ductape-ffi --locked --test conformance -- --nocapture > "$log" 2>&1 || rc=1
  grep -E "^conformance|test result|expected tests|failed|FAIL" "$log"
  names_postgres "$log" rust || rc=1
  rm -f "$log"
  return "$rc"
}

# The Go binding's conformance runner on PostgreSQL (each vector in a schema of its own, against
# an atlas-sim of its own): the issue asks for every vector through at least one binding.
go_conformance() {
  cargo build -p ductape-ffi -p atlas-sim --locked --features ductape-ffi/debug-operations
  local target="${CARGO_TARGET_DIR:-$PWD/target}" sim url log
  if ! command -v go > /dev/null && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
  command -v go > /dev/null || { echo "go conformance on PostgreSQL: no Go toolchain (scripts/test-go.sh installs one)"; return 1; }
  mkdir -p bindings/go/native # cgo reads the header and the archive here (as scripts/test-go.sh lays them out)
  cp bindings/ffi/include/ductape.h bindings/go/native/ductape.h
  cp "$target/debug/libductape_ffi.a" bindings/go/native/libductape_ffi.a
  if command -v strip > /dev/null; then strip --strip-debug bindings/go/native/libductape_ffi.a; fi
  # shellcheck source=scripts/lib/atlas-sim.sh
  . scripts/lib/atlas-sim.sh
  start_atlas_sim "$target/debug/atlas-sim" "$TMP/atlas-sim.log" || return 1
  sim=$SIM_PID url=$DUCTAPE_SIM_URL
  local rc=0
  log=$(mktemp)
  (cd bindings/go && DUCTAPE_SIM_URL="$url" GOTOOLCHAIN=local GOFLAGS="-mod=mod" RUST_BACKTRACE=0 \
    go_tests_exactly 1 -count=1 -run '^TestConformance$' .) > "$log" 2>&1 || rc=1
  grep -E "^conformance|^--- |^ok|FAIL|expected tests" "$log"
  names_postgres "$log" go || rc=1
  rm -f "$log"
  kill "$sim" 2>/dev/null || true
  return "$rc"
}

status=0
on_postgres "rust: core/tests/postgres.rs" 'ws\_%' \
  cargo test -p ductape-core --locked --features debug-operations --test postgres -- --test-threads=4 || status=1
for name in a_server_restart_during_100_writes_leaves_every_record_consistent \
  a_server_restart_during_100_imports_and_syncs_leaves_every_record_consistent \
  a_server_restart_during_the_four_processes_loses_nothing_and_posts_each_entry_once; do
  on_postgres "rust: $name" 'ws\_%' \
    cargo_tests_exactly 1 -p ductape-core --locked --features debug-operations --test postgres -- --ignored --exact "$name" || status=1
done
on_postgres "rust: the conformance runner" 'conf\_%' rust_conformance || status=1
on_postgres "go: the conformance runner" 'goconf\_%' go_conformance || status=1
exit $status
