#!/usr/bin/env bash
# The .NET binding on Debian's Mono 6.8 (no .NET SDK here): installs mcs and the runtime with apt
# when missing, compiles the library (C# 7.2, the same sources the SDK-style Ductape.csproj builds),
# its tests and the bench, and runs the tests under a timeout with the test runner of its own, which
# prints "N passed, N failed" (the unit tests, then the conformance vectors, writing dotnet.jsonl
# when DUCTAPE_CONFORMANCE_REPORT_DIR is set).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
. "$REPO/scripts/lib/mono.sh"
ensure_mono
OUT="$REPO/.work/dotnet"
rm -rf "$OUT"; mkdir -p "$OUT"
D=bindings/dotnet
MCS=(mcs -langversion:7.2 -warnaserror+ -nowarn:1591 -debug-)
"${MCS[@]}" -target:library -out:"$OUT/Ductape.dll" $D/src/Ductape/*.cs
"${MCS[@]}" -target:exe -out:"$OUT/Ductape.Tests.exe" -r:"$OUT/Ductape.dll" $D/tests/*.cs
"${MCS[@]}" -target:exe -out:"$OUT/Ductape.Bench.exe" -r:"$OUT/Ductape.dll" $D/bench/Bench.cs
"${MCS[@]}" -target:exe -out:"$OUT/Lifecycle.exe" -r:"$OUT/Ductape.dll" examples/dotnet/Lifecycle.cs
export LD_LIBRARY_PATH="$TARGET/debug${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" RUST_BACKTRACE=0
# Mono can hang at exit in ways a test cannot see; the timeout turns that into a failure.
timeout 300 mono "$OUT/Ductape.Tests.exe" tests/conformance/vectors 2> "$OUT/tests.err" | tee "$OUT/tests.log" | grep -vE '^PASS '
