#!/usr/bin/env bash
# The Node.js package (bindings/node): installs its dev dependencies (npm ci: @napi-rs/cli,
# typescript, @types/node), builds the addon in debug with the debug operations (napi build; the
# cargo build is shared with scripts/test-bindings.sh's), compiles the TypeScript, and runs
# `node --test`: the conformance runner (node.jsonl for agree.py, against DUCTAPE_SIM_URL when
# set), errors, panics, cancellation, progress, 1,000 concurrent calls, exits with calls in
# flight, `tsc --strict` over the typed sample. First, `cargo xtask codegen --check`: ts/ops.gen.ts
# (like every generated file) is what the operation registry makes.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO/bindings/node"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
export RUST_BACKTRACE="${RUST_BACKTRACE:-0}"
(cd "$REPO" && cargo xtask codegen --check)
npm ci --no-audit --no-fund --loglevel=error
npm run -s build:native
# napi build rewrites ts/addon.ts (the addon's declarations) from src/lib.rs: the committed one must be current.
git diff --exit-code -- ts/addon.ts || { echo "ts/addon.ts is stale: commit what napi build wrote"; exit 1; }
npm run -s build:ts
node --test test/*.test.mjs
