// The CommonJS entry point's types: `require("ductape")` from a .cts file.
import ductape = require("ductape");

export async function viaRequire(): Promise<string> {
  const client = new ductape.Ductape({ workspace_dir: "/tmp/ws" });
  const created = await client.cloud.connections.create({ provider: "mongodb_atlas", name: "prod_atlas" });
  // @ts-expect-error a misspelt field in a CommonJS caller too
  await client.cloud.connections.fetch({ tga: "prod_atlas" });
  return created.tag;
}
