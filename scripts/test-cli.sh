#!/usr/bin/env bash
# The `ductape` CLI on a real terminal: the demo in a tmux pane (capture-pane), checked for its
# progress display while it waits, its colours (and none with NO_COLOR), its end, and no secret on
# screen; a secret prompt that does not echo. tmux comes from apt when missing.
# Prints PASS/FAIL lines and ends with "N passed, M failed"; exits non-zero on any failure.
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; }
finish() { echo "$PASSED passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; exit $?; }

if ! command -v tmux >/dev/null; then
    echo "installing tmux from apt..."
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends tmux >/dev/null || { fail "apt-get install tmux"; finish; }
fi
if ! cargo build -q -p ductape-cli; then
    fail "cargo build -p ductape-cli"
    finish
fi
DUCTAPE="${CARGO_TARGET_DIR:-$ROOT/target}/debug/ductape"
TMP="$(mktemp -d)"
# A private tmux server: nothing of the caller's sessions is touched.
T=(tmux -L "ductape-cli-test-$$" -f /dev/null)
cleanup() { "${T[@]}" kill-server 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

SECRETS=(a0403a4f-0151-4922-ae89-523b69cd8e04 hunter2-typed-s3cret)

# start_pane NAME CMD runs CMD in a fresh 160x50 pane with a clean environment; captures the pane every 50 ms until
# the command prints its exit status (wait_pane NAME); leaves the captures in $TMP/$NAME.during and the last
# screen (with escapes: -e) in $TMP/$NAME.screen.
start_pane() {
    local name=$1; shift
    # A new session beside the earlier ones (each ends with the server at exit): killing the
    # server here raced its exit, which then took the new session with it ("no server running").
    "${T[@]}" new-session -d -x 160 -y 50 -s "$name" \
        "env -i PATH=$PATH HOME=$TMP TERM=xterm-256color TMPDIR=$TMP $* ; echo \"exit status \$?\"; sleep 600"
}
wait_pane() {
    local name=$1
    : >"$TMP/$name.during"
    for _ in $(seq 1 1200); do
        "${T[@]}" capture-pane -p -t "$name" >"$TMP/$name.now" 2>/dev/null
        cat "$TMP/$name.now" >>"$TMP/$name.during"
        grep -q "^exit status" "$TMP/$name.now" && break
        sleep 0.05
    done
    "${T[@]}" capture-pane -p -e -t "$name" -S -200 >"$TMP/$name.screen"
    "${T[@]}" capture-pane -p -t "$name" -S -200 >"$TMP/$name.plain"
}
run_in_pane() { start_pane "$@"; wait_pane "$1"; }

no_secret() {
    local file=$1 what=$2 s leaked=""
    for s in "${SECRETS[@]}"; do grep -q -- "$s" "$file" && leaked="$leaked $s"; done
    # A credentialed connection string: mongodb://user:password@ (the demo only shows [redacted]@).
    grep -Eq 'mongodb(\+srv)?://[^[/ ]+:[^@ ]+@' "$file" && leaked="$leaked a-credentialed-connection-string"
    [ -z "$leaked" ] && pass "$what: no secret on screen" || fail "$what: on screen:$leaked"
}

run_in_pane demo "$DUCTAPE" demo
P="$TMP/demo.plain"
grep -q "^exit status 0" "$P" && pass "demo in a terminal exits 0" || fail "demo exit: $(tail -5 "$P")"
grep -q "demo complete: 16 steps in" "$P" && pass "demo completes the 16 steps" || fail "demo end: $(tail -5 "$P")"
for n in $(seq 1 16); do
    grep -q "^\[ *$n/16\] " "$P" || { fail "demo step $n not on screen"; continue; }
done
grep -Eq '^ +ok mongodb://\[redacted\]@127\.0\.0\.1:[0-9]+/' "$P" \
    && pass "the resolved string is shown redacted" || fail "resolved string: $(grep -n resolve -A1 "$P")"
grep -Eq '^ +ok ping answered by 127\.0\.0\.1:[0-9]+ in [0-9]+ ms' "$P" \
    && pass "connected with the resolved string and pinged (cloud.resources.verify)" || fail "verify: $(grep -n "ping" -A1 "$P")"
# While the sync and the import wait on Atlas, the pane shows a spinner or bar with the step.
grep -Eq 'wait_active +\[[=> ]+\] [01]/1' "$TMP/demo.during" \
    && pass "progress bar while the sync waits (wait_active)" || fail "no wait_active bar seen"
grep -Eq 'wait_applied ' "$TMP/demo.during" \
    && pass "progress while the import waits (wait_applied)" || fail "no wait_applied progress seen"
grep -Eq '^ +ductape: wait_active' "$P" && fail "plain progress lines on a terminal" || pass "no plain progress lines on a terminal"
grep -q $'\e\\[32mok' "$TMP/demo.screen" && pass "colours on a terminal" || fail "no colour on a terminal"
no_secret "$TMP/demo.during" "demo"

run_in_pane nocolor NO_COLOR=1 "$DUCTAPE" demo
grep -q "demo complete" "$TMP/nocolor.plain" && ! grep -q $'\e\\[3[0-9]m' "$TMP/nocolor.screen" \
    && pass "no colours with NO_COLOR" || fail "colours with NO_COLOR: $(grep -c $'\e' "$TMP/nocolor.screen")"

# A secret value typed at the prompt is not echoed.
start_pane prompt "$DUCTAPE" secrets create --key TYPED --workspace-dir "$TMP/ws"
for _ in $(seq 1 200); do
    "${T[@]}" capture-pane -p -t prompt | grep -q "value (not echoed):" && break
    sleep 0.05
done
"${T[@]}" send-keys -t prompt "hunter2-typed-s3cret" Enter
wait_pane prompt
grep -q "value (not echoed):" "$TMP/prompt.plain" && grep -q "^exit status 0" "$TMP/prompt.plain" && grep -q "TYPED" "$TMP/prompt.plain" \
    && pass "secrets create prompts for the value and stores it" || fail "prompt: $(cat "$TMP/prompt.plain")"
no_secret "$TMP/prompt.plain" "prompt"
reply="$(DUCTAPE_WORKSPACE_DIR="$TMP/ws" "$DUCTAPE" call secrets.fetch '{"key":"TYPED"}' 2>/dev/null)"
case "$reply" in *'"value":"hunter2-typed-s3cret"'*) pass "the typed value is what was stored" ;; *) fail "stored value: $reply" ;; esac

finish
