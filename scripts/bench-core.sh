#!/usr/bin/env bash
# Runs the core's criterion benchmarks (release) with short timings, so the run stays within a
# few minutes on a 2-core machine, and writes each benchmark's median to docs/benchmarks.md.
# Not part of scripts/test-all.sh: timings are figures to read, not pass/fail checks.
#
#     bash scripts/bench-core.sh       # extra arguments go to criterion; scripts/bench.sh core runs it
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
out=docs/benchmarks.md
criterion_args=(--warm-up-time 1 --measurement-time 3)
command="cargo bench -p ductape-core --features debug-operations -- ${criterion_args[*]}"
log="$(mktemp)"
marker="$(mktemp)"
trap 'rm -f "$log" "$marker"' EXIT

# The marker's mtime tells this run's estimates from older ones left in target/criterion.
cargo bench -p ductape-core --features debug-operations -- "${criterion_args[@]}" "$@" 2>&1 | tee "$log"

mapfile -t estimates < <(find "$target_dir/criterion" -path '*/new/estimates.json' -newer "$marker" | sort)
if [ "${#estimates[@]}" -eq 0 ]; then
    echo "bench-core.sh: no criterion estimates were written" >&2
    exit 1
fi

# Criterion's estimates are in nanoseconds; throughput (if declared) sits in benchmark.json beside them.
rows="$(for e in "${estimates[@]}"; do
    jq -r --slurpfile b "$(dirname "$e")/benchmark.json" '
        def t: if . >= 1e6 then "\(. / 1e6 * 100 | round / 100) ms"
               elif . >= 1e3 then "\(. / 1e3 * 100 | round / 100) µs"
               else "\(. * 10 | round / 10) ns" end;
        ($b[0].throughput // {}) as $tp
        | "| `\($b[0].full_id)` | \(.median.point_estimate | t) | \(.median.confidence_interval.lower_bound | t) – \(.median.confidence_interval.upper_bound | t) | \(.mean.point_estimate | t) | "
          + (if $tp.Elements then "\($tp.Elements * 1e9 / .median.point_estimate | round) validations/s"
             elif $tp.Bytes then "\($tp.Bytes * 1e9 / .median.point_estimate / 1048576 | round) MiB/s"
             else "\(1e9 / .median.point_estimate | round) /s" end) + " |"' "$e"
done)"
figures="$(grep '^FIGURE ' "$log" | sed 's/^FIGURE /- /' || true)"

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//' || echo unknown)"
{
    echo "# Benchmarks"
    echo
    echo "Written by \`scripts/bench-core.sh\` (\`scripts/bench.sh core\`) on $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores ($cpu), $(rustc --version)."
    echo
    echo '```sh'
    echo "$command"
    echo '```'
    echo
    echo "Criterion, release profile, 1 s warm-up and 3 s measurement per benchmark (short, so the figures"
    echo "are indicative: a shared build machine adds noise). \"95 % CI\" is criterion's interval for the median."
    echo
    echo "| benchmark | median | 95 % CI | mean | rate (from the median) |"
    echo "| --- | --- | --- | --- | --- |"
    echo "$rows"
    echo
    echo "What each one measures:"
    echo
    echo "- \`call_json/debug.echo/*\`: \`Ductape::call_json\` with JSON text in and the envelope out, for a small and a ~4 KiB value (parse, dispatch, typed request, serialise); no workspace, no network."
    echo "- \`create/invalid_tag\`: a \`cloud.connections.create\` request refused by the tag check (\`invalid_argument\` with a suggested slug): request parsing and checking alone."
    echo "- \`create+fetch\`: \`cloud.connections.create\` then \`fetch\` of a new tag each iteration on a temporary workspace (one SQLite write transaction and one read, WAL mode)."
    echo "- \`secret/seal+open\`: XChaCha20-Poly1305 encryption and decryption of an API private key (\`secrets::Cipher\`)."
    echo "- \`validate/sequential\`: \`cloud.connections.validate\` end to end against the in-process Atlas simulator: two Digest-signed Atlas calls over loopback HTTP plus the SQLite write of the result."
    echo "- \`validate/concurrent_8\`: eight validations at once (eight connections, one API key) spawned on the core's runtime; the time is for the whole batch. Each validation ends in a SQLite write, so the batch also measures eight writers queueing for the workspace's write lock."
    echo
    echo "Measured once (counts, not timings):"
    echo
    echo "${figures:-- (no figures printed)}"
} > "$out"
echo "bench-core.sh: wrote $out"
