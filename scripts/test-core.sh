#!/usr/bin/env bash
# Runs the core crate's unit and integration tests (the integration tests start the Atlas
# simulator in-process). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test -p ductape-core --features debug-operations "$@"
