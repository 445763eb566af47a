import assert from "node:assert/strict";
import { test } from "node:test";
import { match, runAll } from "./conformance.mjs";

test("every conformance vector passes through the Node package (node.jsonl for agree.py)", async () => {
  const { passed, failed, skipped, failures } = await runAll();
  console.log(`conformance (node): ${passed} passed, ${failed} failed, ${skipped} skipped`);
  assert.deepEqual(failures, []);
  assert.ok(passed > 0);
  if (process.env.CI && process.env.CI !== "false") assert.equal(skipped, 0, "CI runs every vector against the simulator");
});

test("the runner's matcher fails on a difference (subset, $any, $absent, lengths, 1 vs 1.0)", () => {
  match({ a: 1, b: "$any", c: "$absent" }, { a: 1.0, b: null, d: 2 }, "r");
  assert.throws(() => match({ a: 1 }, { a: 2 }, "r"), /r\.a: expected 1, got 2/);
  assert.throws(() => match({ c: "$absent" }, { c: 1 }, "r"), /expected absent/);
  assert.throws(() => match({ b: "$any" }, {}, "r"), /r\.b: missing/);
  assert.throws(() => match([1], [1, 2], "r"), /expected 1 elements, got 2/);
  assert.throws(() => match("1", 1, "r"), /expected "1", got 1/);
});
