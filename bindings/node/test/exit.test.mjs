// The process ends cleanly with calls in flight: process.exit() while calls (with progress
// listeners) still run on the core's runtime, and a script that ends without awaiting its call.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

const pkg = new URL("../esm/index.mjs", import.meta.url).href;

function run(body) {
  const script = `import { Ductape } from ${JSON.stringify(pkg)};
const client = new Ductape({ workspace_dir: process.argv[1], debug_operations: true });
${body}`;
  const dir = spawnSync("mktemp", ["-d"], { encoding: "utf8" }).stdout.trim();
  const started = Date.now();
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script, dir], { encoding: "utf8", timeout: 30_000 });
  return { ...child, ms: Date.now() - started };
}

test("process.exit() with 500 calls in flight (sleeps, progress, rendezvous) exits 0 at once", () => {
  for (let round = 0; round < 5; round++) {
    const child = run(`
for (let i = 0; i < 200; i++) client.call("debug.sleep", { ms: 60000 });
for (let i = 0; i < 200; i++) client.call("debug.progress", { steps: 1000, delay_ms: 1 }, { onProgress: () => {} });
for (let i = 0; i < 100; i++) client.call("debug.rendezvous", { name: "exit", parties: 1000, timeout_ms: 60000 });
setTimeout(() => { console.log("exiting"); process.exit(0); }, 100);`);
    assert.equal(child.signal, null, child.stderr);
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout, "exiting\n");
    assert.equal(child.stderr, "");
    assert.ok(child.ms < 10_000, `took ${child.ms} ms`);
  }
});

test("a script that ends with a call pending waits for its reply, then exits 0", () => {
  const child = run(`client.call("debug.sleep", { ms: 300 }).then((r) => console.log(JSON.stringify(r)));`);
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, '{"slept_ms":300}\n');
  assert.equal(child.stderr, "");
});

test("an uncaught throw with calls in flight ends the process with Node's usual exit code 1", () => {
  const child = run(`client.call("debug.sleep", { ms: 60000 }); setTimeout(() => { throw new Error("boom"); }, 50);`);
  assert.equal(child.status, 1);
  assert.match(child.stderr, /Error: boom/);
  assert.ok(child.ms < 10_000, `took ${child.ms} ms`);
});
