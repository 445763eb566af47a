#!/usr/bin/env bash
# The language bindings' suites: builds the native library once (debug profile), generates the
# Kotlin and Python code from it, then runs the Rust conformance runner, the C ABI's smoke and leak
# checks, the Java + Kotlin suites (Maven), the Python suite (pytest in a venv under .work/), the
# Go suite (go test), the .NET suite (Mono), the Node.js suite (node --test), the cross-runner
# agreement check and the examples,
# all against one atlas-sim that this script starts and stops. Installs what it needs itself (pip
# packages into .work/venv, Maven downloads its plugins, Mono comes from apt, npm ci installs the
# Node package's dev dependencies into bindings/node/node_modules). Exits non-zero on
# any failure.
#
#   bash scripts/test-bindings.sh            # everything
#   SKIP_JAVA=1 / SKIP_PYTHON=1 / SKIP_GO=1 / SKIP_DOTNET=1 / SKIP_NODE=1 / SKIP_EXAMPLES=1 skip a part (on a
#   developer's machine only: with CI set they are refused, so CI cannot drop a runner)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
WORK="$REPO/.work"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
LIB="$TARGET/debug/libductape_ffi.so"
export RUST_BACKTRACE=0
mkdir -p "$WORK"
if [ -n "${CI:-}" ] && [ "${CI}" != "false" ] && [ -n "${SKIP_JAVA:-}${SKIP_PYTHON:-}${SKIP_GO:-}${SKIP_DOTNET:-}${SKIP_NODE:-}${SKIP_EXAMPLES:-}" ]; then
  echo "test-bindings.sh: SKIP_JAVA/SKIP_PYTHON/SKIP_GO/SKIP_DOTNET/SKIP_NODE/SKIP_EXAMPLES are refused in CI: every runner must run" >&2
  exit 1
fi

results=()
failed=0
step() {
  local name=$1; shift
  echo
  echo "---- $name ----"
  local start=$SECONDS outcome=PASS
  "$@" || { outcome=FAIL; failed=$((failed + 1)); }
  results+=("$outcome $name ($((SECONDS - start)) s)")
}

echo "---- build: native library, Node.js addon, uniffi-bindgen, simulator (cargo, debug) ----"
# One invocation, so that the core is compiled once for the ffi library and the Node addon.
build_start=$SECONDS
cargo build -p ductape-ffi -p ductape-node -p uniffi-bindgen -p atlas-sim \
  --features ductape-ffi/debug-operations,ductape-node/debug-operations
build_seconds=$((SECONDS - build_start))

echo "---- generate Kotlin from $LIB ----"
rm -rf "$WORK/java/generated-kotlin" "$WORK/java/native"
mkdir -p "$WORK/java/native/linux-x86-64"
"$TARGET/debug/uniffi-bindgen" generate "$LIB" --language kotlin --no-format --out-dir "$WORK/java/generated-kotlin"
cp "$LIB" "$WORK/java/native/linux-x86-64/libductape_ffi.so"
# The debug build carries ~60 MB of debug info; the jar does not need it.
if command -v strip > /dev/null; then strip --strip-debug "$WORK/java/native/linux-x86-64/libductape_ffi.so"; fi

# One simulator for every suite; each conformance vector resets it (POST /__sim/reset).
SIM_PID=""
cleanup() { if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT
. "$REPO/scripts/lib/atlas-sim.sh"
start_atlas_sim "$TARGET/debug/atlas-sim" "$WORK/atlas-sim.log" || exit 1
echo "simulator: $DUCTAPE_SIM_URL"
export DUCTAPE_SIM_URL
# Each conformance runner writes what it saw at every step here (<runner>.jsonl); the last step
# compares them reply by reply (tests/conformance/tools/agree.py).
export DUCTAPE_CONFORMANCE_REPORT_DIR="$WORK/conformance"
rm -rf "$DUCTAPE_CONFORMANCE_REPORT_DIR"

step "rust: ductape-ffi tests and conformance runner" \
  cargo test -p ductape-ffi -- --nocapture --test-threads=1

step "c: the C ABI smoke test, and valgrind over 10,000 calls" bash scripts/test-c-abi.sh

if [ -z "${SKIP_JAVA:-}" ]; then
  step "java + kotlin: mvn test (facade, coroutines, conformance runners)" \
    mvn -B -ntp -f bindings/java/pom.xml test
fi

if [ -z "${SKIP_PYTHON:-}" ]; then
  # (set -e does not apply inside a function run as an `if` condition: every line checks itself.)
  python_suite() {
    [ -x "$WORK/venv/bin/python" ] || python3 -m venv "$WORK/venv" || return 1
    "$WORK/venv/bin/pip" install -q --disable-pip-version-check "maturin>=1.7,<2" "pytest>=8" "mypy>=1.8" || return 1
    rm -rf "$WORK/wheels"
    (cd bindings/python && "$WORK/venv/bin/maturin" build -q --features debug-operations --out "$WORK/wheels") || return 1
    "$WORK/venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$WORK"/wheels/ductape_sdk-*.whl || return 1
    local rc=0
    (cd bindings/python/tests && "$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider .) || rc=1
    "$WORK/venv/bin/python" bindings/python/tests/conformance_runner.py || rc=1
    # The type hints (py.typed) hold: the installed package and a sample of typed use, strict.
    (cd bindings/python && "$WORK/venv/bin/mypy" --config-file pyproject.toml -p ductape \
      && "$WORK/venv/bin/mypy" --config-file pyproject.toml tests/typing_sample.py) || rc=1
    return $rc
  }
  step "python: pytest and conformance runner" python_suite
fi

if [ -z "${SKIP_GO:-}" ]; then
  step "go: go vet, go test (conformance runner), benchmarks" bash scripts/test-go.sh
fi

if [ -z "${SKIP_DOTNET:-}" ]; then
  step "dotnet: Mono, the test runner (conformance runner)" bash scripts/test-dotnet.sh
fi

if [ -z "${SKIP_NODE:-}" ]; then
  step "node: napi build, tsc, node --test (conformance runner, cancellation, exit, tsc --strict sample)" \
    bash scripts/test-node.sh
fi

# Seven languages, eight runners (Python runs blocking and asyncio).
runners_agree() {
  python3 tests/conformance/tools/agree.py --self-test || return 1
  python3 tests/conformance/tools/agree.py "$DUCTAPE_CONFORMANCE_REPORT_DIR" tests/conformance/vectors \
    rust java kotlin python-sync python-async go dotnet node
}
if [ -z "${SKIP_JAVA:-}${SKIP_PYTHON:-}${SKIP_GO:-}${SKIP_DOTNET:-}${SKIP_NODE:-}" ]; then
  step "conformance: every runner gives the same reply at every step of every vector" runners_agree
fi

# A missing examples script is a failure (bash cannot open it), not a step quietly left out.
if [ -z "${SKIP_EXAMPLES:-}" ]; then
  step "examples (java, kotlin, python, go, dotnet, node)" bash examples/run-examples.sh
fi

echo
echo "---- bindings summary ----"
echo "build: $build_seconds s"
printf '%s\n' "${results[@]}"
echo "bindings: $(( ${#results[@]} - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
