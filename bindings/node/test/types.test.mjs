// The generated types describe what this build of the core does, and `tsc --strict` accepts the
// typed usage sample (and rejects its misspelt fields). That ts/ops.gen.ts is what the registry
// makes is checked by `cargo xtask codegen --check` (scripts/test-node.sh runs it).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { describe, OPERATION_NAMES } from "../esm/index.mjs";

const root = (p) => fileURLToPath(new URL(p, import.meta.url));
const committed = JSON.parse(readFileSync(root("../../../docs/operations.json"), "utf8"));

test("docs/operations.json describes this build: the same operations, schemas and error codes", () => {
  const built = describe();
  const publicOps = built.operations.filter((op) => !op.debug_only);
  assert.deepEqual(publicOps, committed.operations);
  assert.deepEqual(built.error_codes, committed.error_codes);
  assert.deepEqual([...OPERATION_NAMES], publicOps.map((op) => op.name));
});

test("tsc --strict accepts the typed usage sample, and every misspelling in it is an error", () => {
  const tsc = root("../node_modules/typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", root("typing/tsconfig.json")], { encoding: "utf8" });
  } catch (e) {
    assert.fail(`tsc: ${e.stdout}${e.stderr}`);
  }
});
