// Per-call overhead of a local operation through the Node package: one call at a time (await
// each), so the figure is the whole round trip JS -> Rust runtime -> promise settled on the JS
// thread. Not part of the tests. Build the addon first, in release for figures worth quoting:
//
//   npx napi build --release --features debug-operations && npm run build:ts && node bench.mjs
//   ITERATIONS=20000 node bench.mjs
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ductape } from "./esm/index.mjs";

const ITERATIONS = Number(process.env.ITERATIONS ?? 20_000);
const WARMUP = 2_000;
const client = new Ductape({ workspace_dir: mkdtempSync(join(tmpdir(), "ductape-bench-node-")), debug_operations: true });
await client.cloud.connections.create({ provider: "mongodb_atlas", name: "bench" });

async function measure(label, once) {
  for (let i = 0; i < WARMUP; i++) await once();
  const us = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const t = process.hrtime.bigint();
    await once();
    us[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  us.sort();
  const at = (q) => us[Math.min(us.length - 1, Math.floor(q * us.length))].toFixed(1);
  console.log(`${label.padEnd(36)} n=${ITERATIONS}  median ${at(0.5)} µs  p99 ${at(0.99)} µs`);
}

async function concurrent(n) {
  const t = performance.now();
  await Promise.all(Array.from({ length: n }, () => client.call("debug.echo", { value: 1 })));
  return performance.now() - t;
}

await measure("debug.echo {value: {n: 1}}", () => client.call("debug.echo", { value: { n: 1 } }));
await measure("cloud.connections.fetch {tag}", () => client.cloud.connections.fetch({ tag: "bench" }));
await measure("debug.echo with an AbortSignal", () => client.call("debug.echo", { value: 1 }, { signal: AbortSignal.timeout(60_000) }));
const runs = [];
for (let i = 0; i < 20; i++) runs.push(await concurrent(1000));
runs.sort((a, b) => a - b);
console.log(`1,000 concurrent debug.echo (20 runs)     median ${runs[10].toFixed(1)} ms  max ${runs[19].toFixed(1)} ms`);
client.close();
