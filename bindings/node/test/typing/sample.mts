// A typed use of the package as a user writes it (ESM, `import ... from "ductape"`), checked by
// `tsc --strict` (test/types.test.mjs). Each @ts-expect-error line must be a compile error:
// were it accepted, tsc would fail with "Unused '@ts-expect-error' directive".
import {
  Ductape,
  DuctapeError,
  NotFoundError,
  type CloudConnectionsCreateReply,
  type CloudResourcesImportReply,
} from "ductape";

export async function productPage(ductape: Ductape, product: string, component: string, env: string): Promise<string> {
  const created: CloudConnectionsCreateReply = await ductape.cloud.connections.create({
    provider: "mongodb_atlas",
    name: "prod_atlas",
    scopes: ["database"],
  });
  const tag: string = created.tag;
  await ductape.cloud.connections.complete({ tag, project_id: "p", atlas_public_key: "k", atlas_private_key: "s" });
  await ductape.cloud.connections.validate({ tag });
  const result: CloudResourcesImportReply = await ductape.cloud.resources.import({
    cloud: "prod_atlas",
    service: "atlas-cluster",
    type: "databases",
    product,
    component,
    env,
    resource: "Cluster0",
  });
  return result.secret_key;
}

export async function misspelt(ductape: Ductape): Promise<void> {
  // @ts-expect-error a misspelt field (`nme`) is a compile error
  await ductape.cloud.connections.create({ provider: "mongodb_atlas", nme: "prod_atlas" });
  // @ts-expect-error a missing required field (`resource`)
  await ductape.cloud.resources.import({ cloud: "c", service: "atlas-cluster", type: "databases", product: "p", component: "c", env: "e" });
  // @ts-expect-error a field of the wrong type
  await ductape.cloud.connections.create({ provider: "mongodb_atlas", name: "n", scopes: "database" });
  const reply = await ductape.secrets.fetch({ key: "K" });
  // @ts-expect-error a reply field that does not exist
  reply.valeu;
  // @ts-expect-error an operation that does not exist
  await ductape.cloud.connections.crate({ provider: "mongodb_atlas", name: "n" });
  // @ts-expect-error a misspelt option
  new Ductape({ workspace_dri: "/tmp/ws" });
  // @ts-expect-error the typed generic call checks the request too
  await ductape.call("products.create", { nam: "Shop" });
}

export async function errorsAndCancel(ductape: Ductape): Promise<void> {
  await using client = new Ductape({ workspace_dir: "/tmp/ws" });
  const controller = new AbortController();
  try {
    await client.products.list(undefined, { signal: controller.signal, onProgress: (e) => console.log(e.step, e.done) });
    await ductape.products.environments.list({ product: "shop" });
    await ductape.products.components.setEnv({ product: "shop", component: "db", env: "prd", connection_url: "$Secret{DB}" });
  } catch (e) {
    if (e instanceof NotFoundError) console.log(e.code, e.field);
    else if (e instanceof DuctapeError) console.log(e.details);
  }
}
