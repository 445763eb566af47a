// The comparison client for BENCHMARKS.md item 1 in Node.js: mongodb-atlas-api-client (npm, the
// most downloaded Atlas Administration API client there; Digest through urllib's digestAuth).
// It was written for API v1.0; its baseUrl option points it at the simulator's v2 and httpOptions
// sends the versioned Accept header v2 requires, so the calls are the same as the other clients'.
//
//   node calls.mjs BASE_URL N      (ATLAS_PUBLIC_KEY, ATLAS_PRIVATE_KEY in the environment)
import { createRequire } from "node:module";
const getClient = createRequire(import.meta.url)("mongodb-atlas-api-client");

const [base, n = "100"] = process.argv.slice(2);
const started = performance.now();
const client = getClient({
  publicKey: process.env.ATLAS_PUBLIC_KEY,
  privateKey: process.env.ATLAS_PRIVATE_KEY,
  baseUrl: `${base}/api/atlas/v2`,
  projectId: "5c843ba379358e5b3dc2dec6",
});
const httpOptions = { headers: { Accept: "application/vnd.atlas.2024-08-05+json" } };
let calls = 0;
for (let i = 0; i < Number(n); i++) {
  const reply = await client.cluster.getAll({ httpOptions });
  if (!Array.isArray(reply?.results)) throw new Error(`unexpected reply: ${JSON.stringify(reply).slice(0, 200)}`);
  calls++;
}
console.log(JSON.stringify({ client: "node mongodb-atlas-api-client", mode: "calls", calls, ms: performance.now() - started }));
