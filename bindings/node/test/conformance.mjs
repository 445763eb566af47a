// The Node conformance runner: every vector in tests/conformance/vectors through the package's
// generic `Ductape.call` (and `callJson` for `params_raw`) and its error classes, as the Rust,
// Java, Kotlin, Python, Go and .NET runners run them. Writes node.jsonl to
// $DUCTAPE_CONFORMANCE_REPORT_DIR for tests/conformance/tools/agree.py.
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ductape, DuctapeError, ERROR_CLASSES } from "../esm/index.mjs";

const VECTORS = join(dirname(fileURLToPath(import.meta.url)), "../../../tests/conformance/vectors");
const MISSING = Symbol("missing");

export function loadVectors() {
  const out = [];
  for (const file of readdirSync(VECTORS).filter((f) => f.endsWith(".json")).sort()) {
    const doc = JSON.parse(readFileSync(join(VECTORS, file), "utf8"));
    for (const vector of doc.vectors) out.push([`${file.replace(/\.json$/, "")}/${vector.name}`, vector]);
  }
  return out;
}

const isNumber = (v) => typeof v === "number";
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const show = (v) => (v === MISSING ? "(missing)" : JSON.stringify(v));

/** Subset matching, identical in every runner (tests/conformance/README.md). */
export function match(expected, actual, path) {
  if (expected === "$absent") {
    if (actual !== MISSING) throw new Error(`${path}: expected absent, got ${show(actual)}`);
    return;
  }
  if (actual === MISSING) throw new Error(`${path}: missing`);
  if (expected === "$any") return;
  if (isObject(expected) && isObject(actual)) {
    for (const [k, v] of Object.entries(expected)) match(v, k in actual ? actual[k] : MISSING, `${path}.${k}`);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length)
      throw new Error(`${path}: expected ${expected.length} elements, got ${actual.length}: ${show(actual)}`);
    expected.forEach((e, i) => match(e, actual[i], `${path}[${i}]`));
    return;
  }
  if (isNumber(expected) && isNumber(actual) && expected === actual) return;
  if (expected !== actual) throw new Error(`${path}: expected ${show(expected)}, got ${show(actual)}`);
}

async function simRequest(base, method, path, body) {
  const res = await fetch(base.replace(/\/$/, "") + path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? (method === "GET" ? undefined : "") : JSON.stringify(body),
  });
  await res.arrayBuffer();
  if (Math.floor(res.status / 100) !== 2) throw new Error(`${method} ${path} failed: ${res.status}`);
  return res.status;
}

function seenError(e) {
  return { ok: false, error: { code: e.code, field: e.field ?? null, message: e.message, details: e.details ?? null } };
}

function checkError(e, want, where) {
  if (!(e instanceof DuctapeError)) throw e;
  if (e.code !== want.code) throw new Error(`${where}: expected error code ${want.code}, got ${e.code}: ${e.message}`);
  if (e.constructor !== (ERROR_CLASSES[e.code] ?? DuctapeError))
    throw new Error(`${where}: wrong error class ${e.constructor.name}`);
  if ("field" in want && want.field !== (e.field ?? null))
    throw new Error(`${where}: expected error field ${show(want.field)}, got ${show(e.field ?? null)}: ${e.message}`);
  if ("message_contains" in want && !e.message.includes(want.message_contains))
    throw new Error(`${where}: expected message containing ${show(want.message_contains)}, got ${show(e.message)}`);
}

/** Runs one vector; appends what it saw at each step to `seen`. Throws on the first mismatch. */
export async function runVector(vector, workdir, seen) {
  const sim = process.env.DUCTAPE_SIM_URL || "";
  if (sim) await simRequest(sim, "POST", "/__sim/reset");
  const options = { workspace_dir: workdir, atlas_base_url: sim || "http://127.0.0.1:9", debug_operations: true };
  Object.assign(options, vector.options ?? {}, { onWarning: () => {} });
  if (vector.open_error) {
    let client;
    try {
      client = new Ductape(options);
    } catch (e) {
      seen.push({ step: "open", seen: seenError(e) });
      checkError(e, vector.open_error, "open");
      return;
    }
    client.close();
    throw new Error(`open: expected error ${show(vector.open_error)}, got a client`);
  }
  const client = new Ductape(options);
  try {
    await runSteps(client, vector, sim, seen);
  } finally {
    client.close();
  }
}

async function runSteps(client, vector, sim, seen) {
  for (const [i, step] of vector.steps.entries()) {
    if (step.sim) {
      if (!sim) throw new Error(`step ${i}: a sim step needs the simulator`);
      seen.push({ step: i, sim: await simRequest(sim, step.sim.method, step.sim.path, step.sim.body) });
      continue;
    }
    const { op, expect } = step;
    let result;
    try {
      result =
        "params_raw" in step ? await client.callJson(op, step.params_raw) : await client.call(op, step.params ?? null);
    } catch (e) {
      if (!(e instanceof DuctapeError)) throw e;
      seen.push({ step: i, seen: seenError(e) });
      if (expect.ok ?? true) throw new Error(`step ${i} (${op}): expected ok, got ${e.name} ${e.message}`);
      checkError(e, expect.error, `step ${i} (${op})`);
      continue;
    }
    seen.push({ step: i, seen: { ok: true, result: result ?? null } });
    if (!(expect.ok ?? true)) throw new Error(`step ${i} (${op}): expected error ${show(expect.error)}, got ok ${show(result)}`);
    if ("result" in expect) {
      try {
        match(expect.result, result === undefined ? null : result, "result");
      } catch (e) {
        throw new Error(`step ${i} (${op}): ${e.message}`);
      }
    }
  }
}

/** Every vector; answers {passed, failed, skipped, failures} and writes node.jsonl. */
export async function runAll() {
  const root = mkdtempSync(join(tmpdir(), "ductape-conformance-node-"));
  const lines = [];
  const failures = [];
  let passed = 0;
  let skipped = 0;
  for (const [n, [name, vector]] of loadVectors().entries()) {
    if ((vector.requires ?? []).includes("sim") && !process.env.DUCTAPE_SIM_URL) {
      skipped++;
      lines.push(JSON.stringify({ vector: name, outcome: "SKIP" }));
      continue;
    }
    const workdir = join(root, String(n));
    mkdirSync(workdir);
    const seen = [];
    let outcome = "PASS";
    try {
      await runVector(vector, workdir, seen);
      passed++;
    } catch (e) {
      outcome = "FAIL";
      failures.push(`${name}: ${e.message}`);
    }
    for (const line of seen) lines.push(JSON.stringify({ ...line, vector: name }));
    lines.push(JSON.stringify({ vector: name, outcome, workdir }));
  }
  const reportDir = process.env.DUCTAPE_CONFORMANCE_REPORT_DIR;
  if (reportDir) {
    mkdirSync(reportDir, { recursive: true });
    writeFileSync(join(reportDir, "node.jsonl"), lines.join("\n") + "\n");
  }
  return { passed, failed: failures.length, skipped, failures };
}
