// The package's behaviour over the real addon and core: errors, panics, cancellation reaching
// the Rust task, progress, many concurrent calls, close.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as ductape from "../esm/index.mjs";

const { Ductape, DuctapeError, ERROR_CLASSES, ERROR_CODES, debugAliveTasks, describe } = ductape;
const open = (extra = {}) =>
  new Ductape({ workspace_dir: mkdtempSync(join(tmpdir(), "ductape-node-")), debug_operations: true, ...extra });

async function eventually(check, what) {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`never: ${what}`);
}

test("the package version is the native library's version", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  assert.equal(ductape.version, pkg.version);
  assert.equal(ductape.version, ductape.nativeVersion());
});

test("every error code of describe() has its class; debug.error answers it with code, field, message", async () => {
  const codes = describe().error_codes.map((c) => c.code);
  assert.deepEqual(Object.keys(ERROR_CODES), codes);
  const client = open();
  for (const code of codes) {
    const err = await client.call("debug.error", { code, message: `m ${code}`, field: "f.x" }).then(
      () => assert.fail(`${code}: no error`),
      (e) => e,
    );
    assert.ok(err instanceof ERROR_CLASSES[code], `${code}: ${err.constructor.name}`);
    assert.ok(err instanceof DuctapeError && err instanceof Error);
    assert.equal(err.code, code);
    assert.equal(err.field, "f.x");
    assert.equal(err.message, `m ${code}`);
    assert.equal(err.name, ERROR_CLASSES[code].name);
  }
});

test("a bad request is InvalidArgumentError naming the field; unknown operations are UnknownOperationError", async () => {
  const client = open();
  await assert.rejects(
    client.cloud.connections.create({ provider: "mongodb_atlas", name: "prod atlas!" }),
    (e) => e instanceof ductape.InvalidArgumentError && e.field === "name",
  );
  await assert.rejects(client.call("cloud.connections.nope", {}), ductape.UnknownOperationError);
  await assert.rejects(
    client.callJson("debug.echo", "{oops"),
    (e) => e instanceof ductape.InvalidArgumentError && e.field === "$" && /not valid JSON/.test(e.message),
  );
});

test("bad options throw the code's class from the constructor", () => {
  assert.throws(
    () => new Ductape({ max_retries: "three" }),
    (e) => e instanceof ductape.InvalidArgumentError && e.field === "max_retries",
  );
});

test("a panic in the core is InternalError and the client keeps working", async () => {
  const client = open();
  await assert.rejects(
    client.call("debug.panic", { message: "boom" }),
    (e) => e instanceof ductape.InternalError && e.message === "internal error (panic): debug.panic: boom",
  );
  assert.deepEqual(await client.call("debug.echo", { value: [1, "two"] }), [1, "two"]);
});

test("an aborted call stops its Rust task: CancelledError, the task gone, its rendezvous left", async () => {
  const client = open();
  await eventually(() => debugAliveTasks() === 0, "an idle runtime");
  const controller = new AbortController();
  const name = "node-abort";
  // It waits for a third party that never comes; a probe meets it, so it is inside the operation when aborted.
  const call = client.call("debug.rendezvous", { name, parties: 3, timeout_ms: 60_000 }, { signal: controller.signal });
  const probe = await client.call("debug.rendezvous", { name, parties: 2, timeout_ms: 30_000 });
  assert.equal(probe.met, true, `the call to abort never ran: ${JSON.stringify(probe)}`);
  controller.abort();
  await assert.rejects(call, (e) => e instanceof ductape.CancelledError && e.message === "the call was cancelled");
  await eventually(() => debugAliveTasks() === 0, "the aborted task gone");
  // Had the first call's task survived, it would still be inside the meeting and this one would meet it.
  assert.deepEqual(await client.call("debug.rendezvous", { name, parties: 2, timeout_ms: 100 }), { met: false, arrived: 1 });
});

test("a signal aborted before the call cancels it without running it", async () => {
  const client = open();
  const started = Date.now();
  await assert.rejects(client.call("debug.sleep", { ms: 5_000 }, { signal: AbortSignal.abort() }), ductape.CancelledError);
  assert.ok(Date.now() - started < 2_000);
});

test("AbortSignal.timeout cancels a long call that is running", async () => {
  const client = open();
  const started = Date.now();
  let firstProgress;
  // 10,000 ticks 10 ms apart (100 s): its first progress event says it is running before the timeout.
  const call = client.call("debug.progress", { steps: 10_000, delay_ms: 10 }, {
    signal: AbortSignal.timeout(2_000),
    onProgress: () => { firstProgress ??= Date.now(); },
  });
  await assert.rejects(call, ductape.CancelledError);
  const rejected = Date.now();
  assert.ok(firstProgress !== undefined && firstProgress < rejected, "the call never reported progress before its timeout");
  assert.ok(rejected - started < 10_000, `took ${rejected - started} ms`);
});

test("progress events arrive in order on the JS thread, before the reply", async () => {
  const client = open();
  const events = [];
  const reply = await client.call("debug.progress", { steps: 4, delay_ms: 5 }, { onProgress: (e) => events.push(e) });
  assert.deepEqual(reply, { reported: 4 });
  assert.deepEqual(
    events.map(({ operation, step, done, total, message }) => ({ operation, step, done, total, message })),
    [1, 2, 3, 4].map((done) => ({ operation: "debug.progress", step: "tick", done, total: 4, message: `tick ${done} of 4` })),
  );
  assert.ok(events.every((e) => typeof e.elapsed_ms === "number"));
});

test("a progress listener that throws is called no more for that call, and the call succeeds", async () => {
  const client = open();
  const warnings = [];
  const onWarning = (w) => warnings.push(w);
  process.on("warning", onWarning);
  let calls = 0;
  try {
    const reply = await client.call("debug.progress", { steps: 5 }, { onProgress: () => { calls++; throw new Error("listener bug"); } });
    assert.deepEqual(reply, { reported: 5 });
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off("warning", onWarning);
  }
  assert.equal(calls, 1);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0].code, "progress_listener_failed");
  assert.match(warnings[0].message, /debug\.progress threw; no more events for this call: Error: listener bug/);
});

test("1,000 concurrent calls are in flight at once (debug.rendezvous of 1,000 parties)", async () => {
  const client = open();
  const started = performance.now();
  const replies = await Promise.all(
    Array.from({ length: 1000 }, () => client.call("debug.rendezvous", { name: "node-1000", parties: 1000, timeout_ms: 30_000 })),
  );
  const ms = performance.now() - started;
  console.log(`1,000 concurrent calls: ${ms.toFixed(1)} ms`);
  assert.equal(replies.length, 1000);
  assert.ok(replies.every((r) => r.met && r.arrived === 1000));
});

test("close(): later calls are FailedPreconditionError; Symbol.asyncDispose closes", async () => {
  const client = open();
  const running = client.call("debug.sleep", { ms: 50 });
  client.close();
  assert.deepEqual(await running, { slept_ms: 50 }, "a call already running finishes");
  await assert.rejects(client.call("debug.echo", {}), (e) => e instanceof ductape.FailedPreconditionError && /closed/.test(e.message));
  const other = open();
  await other[Symbol.asyncDispose]();
  await assert.rejects(other.cloud.connections.list(), ductape.FailedPreconditionError);
});

test("the facade sends each method's request to its operation (cloud.resources.import exists)", async () => {
  const client = open();
  assert.equal(typeof client.cloud.resources.import, "function");
  const created = await client.cloud.connections.create({ provider: "mongodb_atlas", name: "prod_atlas", scopes: ["database"] });
  assert.equal(created.tag, "prod_atlas");
  assert.equal(created.status, "pending");
  assert.deepEqual((await client.cloud.connections.fetch({ tag: "prod_atlas" })).tag, "prod_atlas");
  const product = await client.products.create({ name: "Shop" });
  assert.equal((await client.products.environments.create({ product: product.tag, slug: "prd", name: "Prod" })).slug, "prd");
  await assert.rejects(
    client.cloud.resources.import({
      cloud: "prod_atlas", service: "atlas-cluster", type: "databases", product: product.tag, component: "db", env: "prd", resource: "c0",
    }),
    ductape.FailedPreconditionError, // the connection is not complete yet
  );
});

test("require() and import share one module: an error class is the same either way", async () => {
  const cjs = createRequire(import.meta.url)("../dist/index.js");
  assert.equal(cjs.NotFoundError, ductape.NotFoundError);
  assert.equal(cjs.Ductape, Ductape);
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  assert.equal(pkg.name, "ductape");
});
