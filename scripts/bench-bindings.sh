#!/usr/bin/env bash
# Per-call latency of blocking calls, from Rust, Python and Java, against one release build of the
# native library with the debug-operations feature (the debug.* operations). Writes the medians
# and p95s to docs/benchmarks-bindings.md and the raw result lines to .work/bench/results-<commit>.txt.
#
#   bash scripts/bench-bindings.sh
#   BENCH_COMPARE=.work/bench/results-<old>.txt bash scripts/bench-bindings.sh   # adds a "before" column
#   SKIP_RUST=1 / SKIP_PYTHON=1 / SKIP_JAVA=1 skip a part; PY_ITERATIONS (default 20000)
#   BENCH_RESULTS=<file>: append to that results file instead of starting a new one
#
# Operations: debug.echo of a small value, and cloud.connections.fetch of one connection created
# in a temporary workspace (cloud.connections.create, no network). Heavy: run it on a quiet machine.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
BENCH="$REPO/.work/bench"
LIB="$TARGET/release/libductape_ffi.so"
COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- core bindings/ffi || echo -dirty)"
mkdir -p "$BENCH"
if [ -n "${BENCH_RESULTS:-}" ]; then
  RESULTS="$BENCH_RESULTS" # appended to (e.g. a run that skips a part, to complete an earlier one)
else
  RESULTS="$BENCH/results-$COMMIT.txt"
  : > "$RESULTS"
fi

echo "---- build: native library (release, debug-operations), uniffi-bindgen ----"
# Two builds: together, uniffi-bindgen's features on shared dependencies would differ from the
# library's own build (maturin's), which would then rebuild them.
cargo build --release -p ductape-ffi --features debug-operations
cargo build --release -p uniffi-bindgen

if [ -z "${SKIP_RUST:-}" ]; then
  echo "---- rust: criterion (bindings/ffi/benches/calls.rs) ----"
  rm -rf "$TARGET/criterion/direct" "$TARGET/criterion/ffi_call"
  cargo bench -p ductape-ffi --bench calls -- --warm-up-time 2 --measurement-time 5
  # Criterion keeps, per benchmark, samples of (iterations, total time): the median is its estimate
  # of the median per-call time; the p95 is over the samples' per-call means.
  python3 - "$TARGET/criterion" "$RESULTS" <<'PY'
import json, os, sys
root, out = sys.argv[1], sys.argv[2]
with open(out, "a") as f:
    for group, api in (("direct", "direct"), ("ffi_call", "uniffi_call")):
        for op in ("debug.echo", "cloud.connections.fetch"):
            d = os.path.join(root, group, op, "new")
            est = json.load(open(os.path.join(d, "estimates.json")))
            s = json.load(open(os.path.join(d, "sample.json")))
            per = sorted(t / n for t, n in zip(s["times"], s["iters"]))
            p95 = per[min(len(per) - 1, int(len(per) * 0.95))]
            f.write(f"rust {api} {op} {est['median']['point_estimate'] / 1000:.2f} {p95 / 1000:.2f} {int(sum(s['iters']))}\n")
PY
fi

if [ -z "${SKIP_PYTHON:-}" ]; then
  echo "---- python: release wheel, bindings/python/bench/bench_calls.py ----"
  VENV="$BENCH/venv"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "maturin>=1.7,<2"
  rm -rf "$BENCH/wheels"
  (cd bindings/python && "$VENV/bin/maturin" build -q --release --features debug-operations --out "$BENCH/wheels")
  "$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$BENCH"/wheels/ductape_sdk-*.whl
  (cd "$BENCH" && "$VENV/bin/python" "$REPO/bindings/python/bench/bench_calls.py" \
    --iterations "${PY_ITERATIONS:-20000}" --results "$RESULTS")
fi

if [ -z "${SKIP_JAVA:-}" ]; then
  echo "---- java: SDK jar with the release library, JMH (bindings/java/bench) ----"
  rm -rf "$BENCH/java"
  mkdir -p "$BENCH/java/native/linux-x86-64"
  "$TARGET/release/uniffi-bindgen" generate "$LIB" --language kotlin --no-format --out-dir "$BENCH/java/generated-kotlin"
  cp "$LIB" "$BENCH/java/native/linux-x86-64/libductape_ffi.so"
  mvn -B -ntp -q -f bindings/java/pom.xml package -DskipTests \
    -Dductape.generated.dir="$BENCH/java/generated-kotlin" -Dductape.native.dir="$BENCH/java/native"
  cp bindings/java/target/ductape-sdk-0.1.0.jar "$BENCH/java/ductape-sdk.jar"
  mvn -B -ntp -q -f bindings/java/bench/pom.xml package dependency:build-classpath \
    -Dductape.jar="$BENCH/java/ductape-sdk.jar" -Dmdep.outputFile="$BENCH/java/cp.txt"
  java -cp "bindings/java/bench/target/classes:$(cat "$BENCH/java/cp.txt")" org.openjdk.jmh.Main \
    -rf json -rff "$BENCH/java/jmh.json" CallBench
  python3 - "$BENCH/java/jmh.json" "$RESULTS" <<'PY'
import json, sys
names = {"facadeEcho": ("facade", "debug.echo"), "nativeEcho": ("uniffi_call", "debug.echo"),
         "facadeFetch": ("facade", "cloud.connections.fetch"), "nativeFetch": ("uniffi_call", "cloud.connections.fetch"),
         "floorAliveTasks": ("ffi_floor", "debug_alive_tasks()"), "floorNativeVersion": ("ffi_floor", "native_version()")}
with open(sys.argv[2], "a") as f:
    for r in json.load(open(sys.argv[1])):
        api, op = names[r["benchmark"].rsplit(".", 1)[1]]
        m = r["primaryMetric"]
        pct = m["scorePercentiles"]
        n = sum(c for hist in m.get("rawDataHistogram", []) for it in hist for _, c in it)
        f.write(f"java {api} {op} {pct['50.0']:.2f} {pct['95.0']:.2f} {n}\n")
PY
fi

echo "---- results ($RESULTS) ----"
cat "$RESULTS"

python3 - "$RESULTS" "${BENCH_COMPARE:-}" "$COMMIT" docs/benchmarks-bindings.md <<'PY'
import os, platform, subprocess, sys
results, compare, commit, doc = sys.argv[1:5]

def load(path):
    rows = {}
    for line in open(path):
        lang, api, op, med, p95, n = line.split()
        rows[(lang, api, op)] = (float(med), float(p95), int(n))
    return rows

def run(*cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
        return (p.stdout + p.stderr).strip().splitlines()[0]
    except Exception:
        return "?"

now, before = load(results), (load(compare) if compare else {})
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
direct = {op: now[("rust", "direct", op)][0] for op in ("debug.echo", "cloud.connections.fetch") if ("rust", "direct", op) in now}
labels = {"direct": "`Ductape::call_json` (direct)", "uniffi_call": "`DuctapeClient.call` (uniffi)",
          "native": "`_native.DuctapeClient.call` (uniffi)", "facade": "`Ductape.call` (facade)",
          "ffi_floor": "uniffi floor (no operation)"}
# The same Rust work on the same blocking path as a foreign call: the difference is the foreign side.
same = {op: now[("rust", "uniffi_call", op)][0] for op in direct if ("rust", "uniffi_call", op) in now}
head = "| language | API | operation | median µs | p95 µs | − direct Rust µs | − Rust `DuctapeClient.call` µs |"
if before:
    head = ("| language | API | operation | before median µs | before p95 µs | median µs | p95 µs "
            "| − direct Rust µs | − Rust `DuctapeClient.call` µs |")
lines = [head, "|" + "---|" * (head.count("|") - 1)]
order = lambda k: (["rust", "python", "java"].index(k[0]), list(labels).index(k[1]) if k[1] in labels else 9,
                 ["debug.echo", "cloud.connections.fetch"].index(k[2]) if k[2] in direct else 2, k[2])
for key in sorted(now, key=order):
    lang, api, op = key
    med, p95, n = now[key]
    cells = [lang, labels.get(api, api), f"`{op}`"]
    if before:
        b = before.get(key)
        cells += [f"{b[0]:.2f}" if b else "", f"{b[1]:.2f}" if b else ""]
    cells += [f"{med:.2f}", f"{p95:.2f}"]
    cells += [f"{med - ref[op]:+.2f}" if op in ref and lang != "rust" else "" for ref in (direct, same)]
    lines.append("| " + " | ".join(cells) + " |")
cmp = (f" The \"before\" columns come from `{os.path.basename(compare)}`, an earlier run of this script "
       "on the same machine.") if before else ""
text = f"""# Bindings: the cost of one blocking call

Generated by `scripts/bench-bindings.sh` at commit `{commit}`.{cmp}

| | |
|---|---|
| machine | {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()} (shared with other builds: treat small differences as noise) |
| build | `cargo build --release --features debug-operations` (profile release: thin LTO); {run('rustc', '--version')} |
| Rust | criterion, `bindings/ffi/benches/calls.rs`: 2 s warm-up, 5 s measurement, 100 samples; median = criterion's median estimate, p95 = over the samples' per-call means |
| Python | {run('python3', '--version')}, the release wheel (maturin), `bindings/python/bench/bench_calls.py`: 2000 warm-up calls, then each of 20000 calls timed with `perf_counter_ns` |
| Java | {run('java', '-version')}, JMH 1.37 `SampleTime` (every call timed), 1 fork, 3 × 1 s warm-up, 5 × 1 s measurement, `bindings/java/bench` |

Operations: `debug.echo` with `{{"value":{{"a":1,"b":"two"}}}}`, and `cloud.connections.fetch` of one
connection created with `cloud.connections.create {{"provider":"mongodb_atlas","name":"bench"}}` in a
temporary workspace (one SQLite read, no network). APIs: `Ductape::call_json` awaited on the core's
runtime inside one `block_on` (the floor); `DuctapeClient.call`, the blocking uniffi export, with
JSON text in and out (in Rust without any foreign side; in Python the generated `_native` module,
ctypes; in Java the generated Kotlin, JNA); the facade `Ductape.call`, which also encodes the
parameters to JSON and decodes the reply envelope (Python `json`, Java Gson).

""" + "\n".join(lines) + "\n"
# A hand-written "## Notes" section (what the numbers mean, what remains) survives a re-run.
if os.path.exists(doc):
    kept = open(doc).read()
    if "\n## Notes" in kept:
        text += kept[kept.index("\n## Notes"):]
open(doc, "w").write(text)
print(f"wrote {doc}")
PY
