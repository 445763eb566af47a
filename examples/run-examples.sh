#!/usr/bin/env bash
# Runs the Java, Kotlin, Python, Go, .NET and Node.js (TypeScript) examples against the simulator (DUCTAPE_SIM_URL;
# started here from target/debug/atlas-sim when unset), or against real Atlas when MONGODB_ATLAS_*
# are set. Expects the native library built and the Kotlin generated (scripts/test-bindings.sh
# does both), the Python package installed in .work/venv, bindings/go/native/libductape_ffi.a
# (scripts/test-go.sh), .work/dotnet/Lifecycle.exe (scripts/test-dotnet.sh) and bindings/node built
# with its dev dependencies (scripts/test-node.sh).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
WORK="$REPO/.work"
SIM_PID=""
cleanup() { if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT
if [ -z "${MONGODB_ATLAS_PROJECT_ID:-}" ] && [ -z "${DUCTAPE_SIM_URL:-}" ]; then
  "${CARGO_TARGET_DIR:-$REPO/target}/debug/atlas-sim" --port 0 > "$WORK/examples-sim.log" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 100); do
    line=$(head -n 1 "$WORK/examples-sim.log" 2>/dev/null || true)
    case "$line" in "atlas-sim listening on http://"*) export DUCTAPE_SIM_URL=${line#atlas-sim listening on }; break ;; esac
    sleep 0.1
  done
  [ -n "${DUCTAPE_SIM_URL:-}" ] || { echo "the simulator did not start"; exit 1; }
fi
# A fresh simulator state, so that the examples can create the same tag each run.
reset() { [ -n "${DUCTAPE_SIM_URL:-}" ] && [ -z "${MONGODB_ATLAS_PROJECT_ID:-}" ] && curl -fsS -X POST "$DUCTAPE_SIM_URL/__sim/reset" > /dev/null || true; }

ok=0; bad=0
run() { local name=$1; shift; echo "== example: $name"; reset; if "$@"; then ok=$((ok+1)); else echo "example $name FAILED"; bad=$((bad+1)); fi; }

run "python" "$WORK/venv/bin/python" examples/python/lifecycle.py
run "python --async" "$WORK/venv/bin/python" examples/python/lifecycle.py --async

mvn -B -q -f bindings/java/pom.xml install -DskipTests
mvn -B -q -f examples/jvm/pom.xml compile dependency:build-classpath -Dmdep.outputFile="$WORK/examples-cp.txt"
CP="examples/jvm/target/classes:$(cat "$WORK/examples-cp.txt")"
run "java" java -cp "$CP" examples.Lifecycle
run "kotlin" java -cp "$CP" examples.LifecycleKotlinKt
(cd examples/go && go build -o "$WORK/go-lifecycle" ./lifecycle)
GO_EXAMPLE=("$WORK/go-lifecycle")
DOTNET_EXAMPLE=(env LD_LIBRARY_PATH="${CARGO_TARGET_DIR:-$REPO/target}/debug" timeout 120 mono "$WORK/dotnet/Lifecycle.exe")
run "go" "${GO_EXAMPLE[@]}"
run "dotnet" "${DOTNET_EXAMPLE[@]}"
# The TypeScript example compiles with the package's own tsc (strict) against its types.
(cd examples/node && npm ci --no-audit --no-fund --loglevel=error && ../../bindings/node/node_modules/.bin/tsc -p tsconfig.json)
NODE_EXAMPLE=(node examples/node/dist/lifecycle.js)
run "node (typescript)" "${NODE_EXAMPLE[@]}"

if [ -z "${MONGODB_ATLAS_PROJECT_ID:-}" ]; then
  # The real-Atlas path (MONGODB_ATLAS_* variables), pointed at the simulator with the seed's keys.
  atlas_env=(env -u DUCTAPE_SIM_URL MONGODB_ATLAS_BASE_URL="$DUCTAPE_SIM_URL" MONGODB_ATLAS_PROJECT_ID=5c843ba379358e5b3dc2dec6)
  run "python, MONGODB_ATLAS_* service account" "${atlas_env[@]}" \
    MONGODB_ATLAS_CLIENT_ID=mdb_sa_id_62f3375a109c0a5dd6bc4e08 MONGODB_ATLAS_CLIENT_SECRET=mdb_sa_sk_ONUpl-n0Ggw80Joq-U_37hfk6ZgzqUbn \
    "$WORK/venv/bin/python" examples/python/lifecycle.py
  run "java, MONGODB_ATLAS_* API key" "${atlas_env[@]}" \
    MONGODB_ATLAS_PUBLIC_API_KEY=awqxqtif MONGODB_ATLAS_PRIVATE_API_KEY=a0403a4f-0151-4922-ae89-523b69cd8e04 \
    java -cp "$CP" examples.Lifecycle
  run "go, MONGODB_ATLAS_* service account" "${atlas_env[@]}" \
    MONGODB_ATLAS_CLIENT_ID=mdb_sa_id_62f3375a109c0a5dd6bc4e08 MONGODB_ATLAS_CLIENT_SECRET=mdb_sa_sk_ONUpl-n0Ggw80Joq-U_37hfk6ZgzqUbn \
    "${GO_EXAMPLE[@]}"
  run "dotnet, MONGODB_ATLAS_* API key" "${atlas_env[@]}" \
    MONGODB_ATLAS_PUBLIC_API_KEY=awqxqtif MONGODB_ATLAS_PRIVATE_API_KEY=a0403a4f-0151-4922-ae89-523b69cd8e04 \
    "${DOTNET_EXAMPLE[@]}"
  run "node, MONGODB_ATLAS_* service account" "${atlas_env[@]}" \
    MONGODB_ATLAS_CLIENT_ID=mdb_sa_id_62f3375a109c0a5dd6bc4e08 MONGODB_ATLAS_CLIENT_SECRET=mdb_sa_sk_ONUpl-n0Ggw80Joq-U_37hfk6ZgzqUbn \
    "${NODE_EXAMPLE[@]}"

  # A key that fails validation (read-only: no Project Owner role): each example exits non-zero.
  ro_env=("${atlas_env[@]}" MONGODB_ATLAS_PUBLIC_API_KEY=rdonlyky MONGODB_ATLAS_PRIVATE_API_KEY=bfd1494b-ab37-4a06-941b-e554ca5ddad1)
  fails_validation() {
    local out
    if out=$("${ro_env[@]}" "$@" 2>&1); then echo "$out"; echo "expected a non-zero exit when validate answers valid: false"; return 1; fi
    grep -q 'validation failed: atlas_missing_role' <<< "$out" || { echo "$out"; echo "the example did not say why"; return 1; }
  }
  run "python, a key that fails validation" fails_validation "$WORK/venv/bin/python" examples/python/lifecycle.py
  run "python --async, a key that fails validation" fails_validation "$WORK/venv/bin/python" examples/python/lifecycle.py --async
  run "java, a key that fails validation" fails_validation java -cp "$CP" examples.Lifecycle
  run "kotlin, a key that fails validation" fails_validation java -cp "$CP" examples.LifecycleKotlinKt
  run "go, a key that fails validation" fails_validation "${GO_EXAMPLE[@]}"
  run "dotnet, a key that fails validation" fails_validation "${DOTNET_EXAMPLE[@]}"
  run "node, a key that fails validation" fails_validation "${NODE_EXAMPLE[@]}"

  # A connection string pasted as the base URL: each example fails, and prints no part of its password.
  leak_env=(env -u DUCTAPE_SIM_URL MONGODB_ATLAS_BASE_URL="https://admin:Canary-pw-0451@cluster0.example.net/?authSource=admin"
    MONGODB_ATLAS_PROJECT_ID=5c843ba379358e5b3dc2dec6 MONGODB_ATLAS_PUBLIC_API_KEY=awqxqtif
    MONGODB_ATLAS_PRIVATE_API_KEY=a0403a4f-0151-4922-ae89-523b69cd8e04)
  no_leak() {
    local out
    if out=$("${leak_env[@]}" "$@" 2>&1); then echo "expected the example to refuse the base URL"; return 1; fi
    if grep -qE 'Canary-pw-0451|a0403a4f-0151|authSource' <<< "$out"; then echo "$out"; echo "a secret was printed"; return 1; fi
    grep -q 'atlas_base_url' <<< "$out" || { echo "$out"; echo "the error does not name atlas_base_url"; return 1; }
  }
  run "python, base URL with credentials" no_leak "$WORK/venv/bin/python" examples/python/lifecycle.py
  run "java, base URL with credentials" no_leak java -cp "$CP" examples.Lifecycle
  run "kotlin, base URL with credentials" no_leak java -cp "$CP" examples.LifecycleKotlinKt
  run "go, base URL with credentials" no_leak "${GO_EXAMPLE[@]}"
  run "dotnet, base URL with credentials" no_leak "${DOTNET_EXAMPLE[@]}"
  run "node, base URL with credentials" no_leak "${NODE_EXAMPLE[@]}"
fi

echo "examples: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
