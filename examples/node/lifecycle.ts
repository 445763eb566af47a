// The product page's calls in TypeScript: create -> complete -> validate -> import a cluster
// into a product component env (with the import's progress events), then fetch the record.
//
// Against the simulator by default (DUCTAPE_SIM_URL, e.g. http://127.0.0.1:PORT from
// `atlas-sim --port 0`, with the default seed's keys); against real Atlas when
// MONGODB_ATLAS_PROJECT_ID and MONGODB_ATLAS_PUBLIC_API_KEY + MONGODB_ATLAS_PRIVATE_API_KEY (or
// MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET) are set, importing
// DUCTAPE_EXAMPLE_CLUSTER (default Cluster0). Secrets are never printed.
//
//   npm run build && node dist/lifecycle.js      (examples/run-examples.sh)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ductape, DuctapeError, type CloudConnectionsCompleteRequest } from "ductape";

/** A URL as printed: user info (up to the last '@') and the query may hold credentials. */
function shown(url: string): string {
  const [scheme, rest] = url.includes("://") ? url.split(/:\/\/(.*)/s, 2) as [string, string] : ["", url];
  const host = rest.includes("@") ? `[redacted]@${rest.slice(rest.lastIndexOf("@") + 1)}` : rest;
  return (scheme ? `${scheme}://` : "") + host.split(/[?#]/)[0];
}

function settings(): { baseUrl: string | undefined; creds: Omit<CloudConnectionsCompleteRequest, "tag">; where: string } {
  const env = process.env;
  if (env.MONGODB_ATLAS_PROJECT_ID) {
    const creds = env.MONGODB_ATLAS_CLIENT_ID
      ? { project_id: env.MONGODB_ATLAS_PROJECT_ID, atlas_client_id: env.MONGODB_ATLAS_CLIENT_ID, atlas_client_secret: env.MONGODB_ATLAS_CLIENT_SECRET ?? "" }
      : { project_id: env.MONGODB_ATLAS_PROJECT_ID, atlas_public_key: env.MONGODB_ATLAS_PUBLIC_API_KEY ?? "", atlas_private_key: env.MONGODB_ATLAS_PRIVATE_API_KEY ?? "" };
    const base = env.MONGODB_ATLAS_BASE_URL;
    return { baseUrl: base, creds, where: `Atlas at ${shown(base ?? "https://cloud.mongodb.com")} (MONGODB_ATLAS_* variables)` };
  }
  const sim = env.DUCTAPE_SIM_URL;
  if (!sim) throw new Error("set DUCTAPE_SIM_URL (start `target/debug/atlas-sim --port 0`) or the MONGODB_ATLAS_* variables");
  // The default seed's happy-path key (a test value only the simulator accepts).
  const creds = { project_id: "5c843ba379358e5b3dc2dec6", atlas_public_key: "awqxqtif", atlas_private_key: "a0403a4f-0151-4922-ae89-523b69cd8e04" };
  return { baseUrl: sim, creds, where: `the simulator at ${sim}` };
}

const show = (label: string, value: unknown) => console.log(`${label}: ${JSON.stringify(value, null, 2)}`);

async function main(): Promise<number> {
  const { baseUrl, creds, where } = settings();
  console.log(`Ductape Node.js example against ${where}`);
  const workspace = process.env.DUCTAPE_WORKSPACE_DIR ?? mkdtempSync(join(tmpdir(), "ductape-example-node-"));
  await using ductape = new Ductape({ workspace_dir: workspace, ...(baseUrl ? { atlas_base_url: baseUrl } : {}) });
  try {
    // The product page's calls, as written there.
    show("create", await ductape.cloud.connections.create({ provider: "mongodb_atlas", name: "prod_atlas", scopes: ["database"] }));
    show("complete", await ductape.cloud.connections.complete({ tag: "prod_atlas", ...creds }));
    const check = await ductape.cloud.connections.validate({ tag: "prod_atlas" });
    show("validate", check);
    if (!check.valid) {
      console.error(`validation failed: ${check.code}: ${check.message}`);
      return 1;
    }
    const product = (await ductape.products.create({ name: "My Product" })).tag;
    const env = (await ductape.products.environments.create({ product, slug: "prd" })).slug;
    const component = "db-mongo";
    const resource = process.env.DUCTAPE_EXAMPLE_CLUSTER ?? "Cluster0";
    const result = await ductape.cloud.resources.import({ cloud: "prod_atlas", service: "atlas-cluster", type: "databases", product, component, env, resource });
    show("import", result); // the secret's key and reference, never the password
    // The same call with a call's options: its progress events and a deadline (an AbortSignal).
    const again = await ductape.cloud.resources.import(
      { cloud: "prod_atlas", service: "atlas-cluster", type: "databases", product, component, env, resource },
      { onProgress: (e) => console.log(`  import: ${e.step} ${e.done}${e.total ? `/${e.total}` : ""}`), signal: AbortSignal.timeout(180_000) },
    );
    show("import again (rotated)", { rotated: again.rotated });
    show("fetch", await ductape.cloud.connections.fetch({ tag: "prod_atlas" }));
    return 0;
  } catch (e) {
    if (e instanceof DuctapeError) {
      console.error(`failed: ${e.code}: ${e.message}${e.field ? ` (field ${e.field})` : ""}`);
      return 1;
    }
    throw e;
  }
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exitCode = 1; });
