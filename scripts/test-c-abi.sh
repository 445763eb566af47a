#!/usr/bin/env bash
# The C ABI's own checks: the C smoke test (bindings/ffi/tests/c/smoke.c) linked statically, then
# the same program under valgrind making 10,000 blocking and 10,000 asynchronous calls, which must
# report no definite or indirect leak. Expects the library built (cargo build -p ductape-ffi
# --features debug-operations; scripts/test-bindings.sh does it).
#   VALGRIND_CALLS=N (default 10000; at least 1: the leak check always runs)
# valgrind comes from apt when missing; the script fails when it still is.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
WORK="$REPO/.work/c"
mkdir -p "$WORK"
cp "$TARGET/debug/libductape_ffi.a" "$WORK/libductape_ffi.a"
if command -v strip > /dev/null; then strip --strip-debug "$WORK/libductape_ffi.a"; fi
cc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -I bindings/ffi/include \
  bindings/ffi/tests/c/smoke.c "$WORK/libductape_ffi.a" -lm -ldl -lpthread -o "$WORK/smoke"
rm -rf "$WORK/ws"
RUST_BACKTRACE=0 DUCTAPE_SMOKE_DIR="$WORK/ws" "$WORK/smoke" 100 2> "$WORK/smoke.err" || { cat "$WORK/smoke.err"; exit 1; }

calls="${VALGRIND_CALLS:-10000}"
# Fewer calls for a quick run, but never none: a leak check that did not run must not pass.
[ "$calls" -ge 1 ] 2>/dev/null || { echo "test-c-abi.sh: VALGRIND_CALLS=$calls: the leak check needs at least one call" >&2; exit 1; }
if ! command -v valgrind > /dev/null; then
  echo "installing valgrind (apt)"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q > /dev/null || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends valgrind > /dev/null || true
fi
command -v valgrind > /dev/null || { echo "test-c-abi.sh: valgrind is missing and could not be installed: the leak check cannot run" >&2; exit 1; }
rm -rf "$WORK/ws"
RUST_BACKTRACE=0 DUCTAPE_SMOKE_DIR="$WORK/ws" timeout 900 valgrind --leak-check=full --show-leak-kinds=definite,indirect \
  --errors-for-leak-kinds=definite,indirect --error-exitcode=3 "$WORK/smoke" "$calls" > "$WORK/valgrind.log" 2>&1 \
  || { tail -40 "$WORK/valgrind.log"; echo "valgrind found a leak or an error (.work/c/valgrind.log)"; exit 1; }
grep -E "c smoke:|definitely lost|indirectly lost|possibly lost|ERROR SUMMARY" "$WORK/valgrind.log" | sed 's/^==[0-9]*== *//'
# The load ran: the smoke program reports the calls it made under valgrind.
grep -q "c smoke: $calls blocking calls" "$WORK/valgrind.log" || { echo "valgrind: the smoke program did not report $calls calls"; exit 1; }
echo "valgrind: $calls blocking + $calls async calls through the C ABI, no leak"
