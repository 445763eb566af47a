#!/usr/bin/env bash
# The Go binding: go vet, gofmt, go test (unit tests and the conformance runner, which writes
# go.jsonl when DUCTAPE_CONFORMANCE_REPORT_DIR is set), one short benchmark run, and the example
# (go run) when DUCTAPE_SIM_URL is set. Links the static library that cargo built (copied into
# bindings/go/native/, which git ignores). Whether ops_gen.go is current is
# `cargo xtask codegen --check`'s to say.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
# Go 1.19 or later (Debian's golang-go when none is installed; the module needs only the standard library).
if ! command -v go > /dev/null && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
if ! command -v go > /dev/null; then
  echo "---- installing Go (apt) ----"
  DEBIAN_FRONTEND=noninteractive apt-get update -q > /dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends golang-go > /dev/null
fi
export GOTOOLCHAIN=local # never download another toolchain
mkdir -p bindings/go/native
cp "$TARGET/debug/libductape_ffi.a" bindings/go/native/libductape_ffi.a
cp bindings/ffi/include/ductape.h bindings/go/native/ductape.h
# The debug archive carries ~50 MB of debug info that only slows the Go linker.
if command -v strip > /dev/null; then strip --strip-debug bindings/go/native/libductape_ffi.a; fi
export RUST_BACKTRACE=0 GOFLAGS="${GOFLAGS:-} -mod=mod"
cd bindings/go
go vet ./...
unformatted=$(gofmt -l .)
[ -z "$unformatted" ] || { echo "gofmt: $unformatted"; exit 1; }
go test -count=1 ./... 2>&1 | tail -n 30
# The benchmarks ran (a -bench pattern that matches nothing still says ok).
bench=$(go test -count=1 -run '^$' -bench . -benchtime 20000x . 2>&1) || { echo "$bench"; exit 1; }
grep -E "^Benchmark|^ok" <<< "$bench"
grep -q "^Benchmark" <<< "$bench" || { echo "go test -bench: no benchmark ran"; exit 1; }
if [ -n "${DUCTAPE_SIM_URL:-}" ]; then
  (cd "$REPO/examples/go" && go vet ./... && go build -o "$REPO/.work/go-lifecycle" ./lifecycle)
  echo "built examples/go/lifecycle (.work/go-lifecycle; examples/run-examples.sh runs it)"
fi
