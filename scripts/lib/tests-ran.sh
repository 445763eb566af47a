# Sourced by the test scripts. A test run by name passes when the name matches nothing: `cargo
# test NAME` prints "running 0 tests" and exits 0, `go test -run NAME` prints "no tests to run"
# and says ok. These run the command, show its output, and fail unless it passed AND ran exactly
# the number of tests the caller expects.
#
#   cargo_tests_exactly N ARGS...   `cargo test ARGS...`: N tests passed in all (the "N passed" of
#                                   every "test result:" line, summed), none failed
#   go_tests_exactly N ARGS...      `go test -v ARGS...`: N top-level "--- PASS:" lines, no FAIL

# run_logged LOG CMD...: CMD's output on stdout and in LOG; answers CMD's exit status (not tee's).
# (Callers use it in an `|| rc=$?` list, where set -e does not stop at the pipeline.)
run_logged() {
  local log=$1
  shift
  "$@" 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}

cargo_tests_exactly() {
  local want=$1 log ran rc=0
  shift
  log=$(mktemp)
  run_logged "$log" cargo test "$@" || rc=$?
  ran=$(sed -n 's/^test result: [A-Za-z]*\. \([0-9][0-9]*\) passed.*/\1/p' "$log" | awk '{n += $1} END {print n + 0}')
  rm -f "$log"
  if [ "$rc" -ne 0 ]; then
    echo "cargo test $*: failed (exit $rc)" >&2
    return 1
  fi
  if [ "$ran" -ne "$want" ]; then
    echo "cargo test $*: $ran tests passed where $want were expected (a name that matches nothing runs none and passes)" >&2
    return 1
  fi
  echo "cargo test $*: the $want expected tests ran and passed"
}

go_tests_exactly() {
  local want=$1 log ran rc=0
  shift
  log=$(mktemp)
  run_logged "$log" go test -v "$@" || rc=$?
  ran=$(grep -c '^--- PASS: ' "$log" || true)
  if [ "$rc" -eq 0 ] && grep -q '^--- FAIL: \|^FAIL' "$log"; then rc=1; fi
  rm -f "$log"
  if [ "$rc" -ne 0 ]; then
    echo "go test $*: failed (exit $rc)" >&2
    return 1
  fi
  if [ "$ran" -ne "$want" ]; then
    echo "go test $*: $ran tests passed where $want were expected (a -run pattern that matches nothing runs none and says ok)" >&2
    return 1
  fi
  echo "go test $*: the $want expected tests ran and passed"
}
