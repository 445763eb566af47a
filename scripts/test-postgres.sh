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
set -euo pipefail
cd "$(dirname "$0")/.."

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
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

# The Go binding's conformance runner on PostgreSQL (each vector in a schema of its own, against
# an atlas-sim of its own): the issue asks for every vector through at least one binding.
go_conformance() {
  cargo build -p ductape-ffi -p atlas-sim --locked --features ductape-ffi/debug-operations
  local target="${CARGO_TARGET_DIR:-$PWD/target}" sim url
  if ! command -v go > /dev/null && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
  command -v go > /dev/null || { echo "go conformance on PostgreSQL: no Go toolchain (scripts/test-go.sh installs one)"; return 1; }
  mkdir -p bindings/go/native # cgo reads the header and the archive here (as scripts/test-go.sh lays them out)
  cp bindings/ffi/include/ductape.h bindings/go/native/ductape.h
  cp "$target/debug/libductape_ffi.a" bindings/go/native/libductape_ffi.a
  if command -v strip > /dev/null; then strip --strip-debug bindings/go/native/libductape_ffi.a; fi
  . scripts/lib/atlas-sim.sh
  start_atlas_sim "$target/debug/atlas-sim" "$TMP/atlas-sim.log" || return 1
  sim=$SIM_PID url=$DUCTAPE_SIM_URL
  local rc=0
  (cd bindings/go && DUCTAPE_SIM_URL="$url" GOTOOLCHAIN=local GOFLAGS="-mod=mod" RUST_BACKTRACE=0 \
    go test -count=1 -v -run '^TestConformance$' . 2>&1 | grep -E "^conformance|^--- |^ok|FAIL") || rc=1
  kill "$sim" 2>/dev/null || true
  # The vectors ran on PostgreSQL: each left its schema.
  echo "go vectors' schemas: $(PGPASSWORD=$PASS psql -h 127.0.0.1 -p "$PORT" -U ductape -d ductape -Atc \
    "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'goconf_%'")"
  return $rc
}

status=0
cargo test -p ductape-core --locked --features debug-operations --test postgres -- --test-threads=4 || status=1
cargo test -p ductape-core --locked --features debug-operations --test postgres -- --ignored --exact a_server_restart_during_100_writes_leaves_every_record_consistent || status=1
cargo test -p ductape-core --locked --features debug-operations --test postgres -- --ignored --exact a_server_restart_during_100_imports_and_syncs_leaves_every_record_consistent || status=1
cargo test -p ductape-core --locked --features debug-operations --test postgres -- --ignored --exact a_server_restart_during_the_four_processes_loses_nothing_and_posts_each_entry_once || status=1
cargo test -p ductape-ffi --locked --test conformance || status=1
go_conformance || status=1
exit $status
