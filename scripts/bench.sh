#!/usr/bin/env bash
# Every benchmark of BENCHMARKS.md, with one command; not part of scripts/test-all.sh (timings
# are figures to read, not pass/fail checks). Release builds, once per crate and feature set.
#
#   bash scripts/bench.sh                 # every part, in order
#   bash scripts/bench.sh roundtrips      # one or more parts:
#     roundtrips  item 1: requests per authenticated call, ours against the Go SDK, requests, npm
#     network     item 2: core/benches/network.rs (criterion-free, FIGURE lines), then our sync and the
#                 Go SDK's per-entry POSTs as processes against the simulator binary (bench/run.py sync)
#     import      item 3: core/benches/import.rs (50 clusters, 2 s propagation delay, ~4 min)
#     bindings    item 4: scripts/bench-bindings.sh (one release build; Rust criterion, Java/Kotlin
#                 JMH, Python, Go testing.B, .NET, Node.js)
#     coldstart   item 5: 1,000 connections + 10,000 secrets, a new process per run (Rust; Python, Go
#                 and Node.js from what the bindings part left in .work/bench/: run it first)
#     throughput  item 6: lifecycle ops/s from 1/4/8 threads and 2 processes, SQLite and PostgreSQL
#     core        the core's criterion benchmarks (scripts/bench-core.sh, BENCHMARKS.md section 7)
#   BENCH_QUICK=1 bash scripts/bench.sh roundtrips   # fewer rounds: to try a harness
#   BENCH_NO_POSTGRES=1: throughput on SQLite only (otherwise scripts/test-postgres.sh starts a
#   throw-away PostgreSQL, installing it from Debian when missing)
#
# Raw output and fragments go to .work/bench/; the figures are copied into BENCHMARKS.md by hand
# with the run's machine line (the machine is shared: prefer the same-run ratios), except those of
# bindings and core, which rewrite their own sections of it between markers.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
mkdir -p .work/bench
# Go: the toolchain scripts/test-go.sh uses (Debian's, or the one in /usr/local/go).
if ! command -v go > /dev/null && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(roundtrips network import bindings coldstart throughput core)
echo "bench.sh: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; parts: ${parts[*]}"

harness() {
  # The simulator binary and the core's bench_harness example: one release build. debug-operations
  # lets item 2's sync read DUCTAPE_DEBUG_ACCESS_LIST_LIMIT (200 + 100 entries is past Atlas's limit).
  cargo build --release -p ductape-core -p atlas-sim --example bench_harness --bins --features ductape-core/debug-operations
}

for part in "${parts[@]}"; do
  echo "==== bench.sh: $part ===="
  case "$part" in
    roundtrips) harness; python3 bench/run.py roundtrips ;;
    network)
      harness
      BENCH_ROUNDS="${BENCH_ROUNDS:-$([ "${BENCH_QUICK:-}" = 1 ] && echo 1 || echo 7)}" \
        cargo bench -p ductape-core --features debug-operations --bench network | tee .work/bench/network.log
      python3 bench/run.py sync ;;
    import) cargo bench -p ductape-core --bench import | tee .work/bench/import.log ;;
    bindings) bash scripts/bench-bindings.sh ;;
    coldstart) harness; python3 bench/run.py coldstart ;;
    throughput)
      harness
      if [ -n "${BENCH_NO_POSTGRES:-}" ]; then
        python3 bench/run.py throughput
      else
        bash scripts/test-postgres.sh -- python3 bench/run.py throughput
      fi ;;
    core) bash scripts/bench-core.sh ;;
    *) echo "bench.sh: unknown part '$part'" >&2; exit 2 ;;
  esac
done
echo "bench.sh: fragments in .work/bench/fragments/; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
