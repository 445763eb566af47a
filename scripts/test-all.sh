#!/usr/bin/env bash
# Every test in every language. Installs what it needs (Python venv packages, Maven
# artifacts) itself, so it runs on a fresh machine with only the toolchains.
set -euo pipefail
cd "$(dirname "$0")/.."
# DUCTAPE_BLESS rewrites generated files instead of failing when they are stale: CI checks them.
# (Each staleness test refuses it with CI set as well; this says so before the first build.)
if [ -n "${CI:-}" ] && [ "${CI}" != "false" ] && [ -n "${DUCTAPE_BLESS+set}" ]; then
  echo "test-all.sh: DUCTAPE_BLESS is refused in CI: the generated files must be committed current" >&2
  exit 1
fi

# shellcheck source=scripts/lib/tests-ran.sh
. scripts/lib/tests-ran.sh

suites=()
run() {
  local name=$1; shift
  echo
  echo "==== $name ===="
  local start=$SECONDS
  if "$@"; then suites+=("PASS $name ($((SECONDS - start)) s)"); else suites+=("FAIL $name ($((SECONDS - start)) s)"); fi
}

run "rust format (cargo fmt --check)" cargo fmt --all --check
# Every file derived from the operation registry (docs, each binding's facades and types) is what
# the one generator makes of it now.
run "generated files (cargo xtask codegen --check)" cargo xtask codegen --check
run "rust lints (cargo clippy -D warnings)" cargo clippy --workspace --all-targets --locked --features ductape-core/debug-operations -- -D warnings
run "rust workspace (cargo test)" cargo test --workspace --locked --features ductape-core/debug-operations
# By name: the one test must run (a name that matches nothing would pass with "running 0 tests").
run "rust: a build without the debug-operations feature carries no debug.* operation" \
  cargo_tests_exactly 1 -p ductape-core --lib --locked debug_operations_exist_only_with_the_feature
for part in sim dataplane cli bindings postgres packages; do
  # A missing suite script is a failure, not a suite quietly left out.
  run "$part" bash "scripts/test-$part.sh"
done

echo
echo "==== summary ===="
printf '%s\n' "${suites[@]}"
failed=$(printf '%s\n' "${suites[@]}" | grep -c '^FAIL' || true)
echo "suites: $(( ${#suites[@]} - failed )) passed, $failed failed in $SECONDS s"
[ "$failed" -eq 0 ]
