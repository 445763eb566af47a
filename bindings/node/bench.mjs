// The per-call cost of two local operations through the Node package, for scripts/bench-bindings.sh
// (BENCHMARKS.md section 4): debug.echo of a small value and cloud.connections.fetch of one
// connection created in a temporary workspace (no network), through the facade (`client.call`:
// JSON.stringify, the addon's call, the envelope parsed) and the addon alone (`NativeClient.call`:
// JSON text in, a Promise of JSON text out). Not part of the tests. Build the addon first, in
// release for figures worth quoting:
//
//   npx napi build --release --features debug-operations && npm run build:ts && node bench.mjs
//   ITERATIONS=20000 RESULTS=<file> node bench.mjs   # RESULTS: append result lines to that file
//
// Latency: each of ITERATIONS calls awaited on its own (the whole round trip JS -> Rust runtime ->
// promise settled on the JS thread), timed with process.hrtime.bigint; median and p99. Calls/s: for
// 2 s, 1 caller awaiting each call, then 8 concurrent async callers on the one event loop (8 calls
// in flight at any time; no worker_threads: the addon's work runs on the core's runtime threads).
// Then 1,000 concurrent calls at once, 20 times.
import { appendFileSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ductape } from "./esm/index.mjs";

const ITERATIONS = Number(process.env.ITERATIONS ?? 20_000);
const WARMUP = 2_000;
const options = { workspace_dir: mkdtempSync(join(tmpdir(), "ductape-bench-node-")), debug_operations: true };
const client = new Ductape(options);
await client.cloud.connections.create({ provider: "mongodb_atlas", name: "bench" });
const { NativeClient } = createRequire(import.meta.url)("./ductape.node");
const addon = NativeClient.open(JSON.stringify(options));

async function latency(once) {
  for (let i = 0; i < WARMUP; i++) await once();
  const us = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const t = process.hrtime.bigint();
    await once();
    us[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  us.sort();
  const at = (q) => us[Math.min(us.length - 1, Math.floor(q * us.length))];
  return [at(0.5), at(0.99)];
}

async function perSecond(callers, once) {
  const start = performance.now();
  let n = 0;
  const lane = async () => {
    while (performance.now() - start < 2000) {
      await once();
      n++;
    }
  };
  await Promise.all(Array.from({ length: callers }, lane));
  return n / ((performance.now() - start) / 1000);
}

const cases = [
  ["facade", "debug.echo", () => client.call("debug.echo", { value: { a: 1, b: "two" } })],
  ["addon", "debug.echo", () => addon.call("debug.echo", '{"value":{"a":1,"b":"two"}}')],
  ["facade", "cloud.connections.fetch", () => client.cloud.connections.fetch({ tag: "bench" })],
  ["addon", "cloud.connections.fetch", () => addon.call("cloud.connections.fetch", '{"tag":"bench"}')],
];
console.log(`node ${process.version}, ${ITERATIONS} timed calls after ${WARMUP} warm-up calls`);
for (const [api, op, once] of cases) {
  const [median, p99] = await latency(once);
  const line = `node ${api} ${op} ${median.toFixed(2)} ${p99.toFixed(2)} ${ITERATIONS} ${(await perSecond(1, once)).toFixed(0)} ${(await perSecond(8, once)).toFixed(0)}`;
  console.log(line);
  if (process.env.RESULTS) appendFileSync(process.env.RESULTS, line + "\n");
}
const signal = await latency(() => client.call("debug.echo", { value: 1 }, { signal: AbortSignal.timeout(60_000) }));
console.log(`debug.echo with an AbortSignal: median ${signal[0].toFixed(1)} µs  p99 ${signal[1].toFixed(1)} µs`);
const runs = [];
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  await Promise.all(Array.from({ length: 1000 }, () => client.call("debug.echo", { value: 1 })));
  runs.push(performance.now() - t);
}
runs.sort((a, b) => a - b);
console.log(`1,000 concurrent debug.echo (20 runs): median ${runs[10].toFixed(1)} ms  max ${runs[19].toFixed(1)} ms`);
addon.close();
client.close();
