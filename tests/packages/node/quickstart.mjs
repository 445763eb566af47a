// The quick start in JavaScript (bindings/node/README.md): the product page's calls against the
// simulator that `ductape sim` starts, with the default seed's test key. Options come from the
// environment: MONGODB_ATLAS_BASE_URL and DUCTAPE_CLUSTER_CA_FILE (both printed by `ductape sim`)
// and DUCTAPE_WORKSPACE_DIR.
import { Ductape, version } from "ductape";

const ductape = new Ductape();
const connections = ductape.cloud.connections;

const created = await connections.create({ provider: "mongodb_atlas", name: "prod_atlas", scopes: ["database"] });
console.log("create:", created.tag, created.status);
const completed = await connections.complete({
  tag: "prod_atlas",
  project_id: "5c843ba379358e5b3dc2dec6",
  atlas_public_key: "awqxqtif",
  atlas_private_key: "a0403a4f-0151-4922-ae89-523b69cd8e04", // the simulator's test key
});
console.log("complete:", completed.tag, completed.status);
const check = await connections.validate({ tag: "prod_atlas" });
console.log("validate:", check.valid ? "valid" : "invalid", check.account_identifier);

await ductape.products.create({ name: "My Product", tag: "my-product" });
await ductape.products.environments.create({ product: "my-product", slug: "prd" });
const imported = await ductape.cloud.resources.import({
  cloud: "prod_atlas", service: "atlas-cluster", type: "databases",
  product: "my-product", component: "db-mongo", env: "prd", resource: "Cluster0",
  connection_type: "standard", // the simulator's clusters have no SRV record
});
console.log("import:", imported.database_user, imported.connection_url_ref, imported.verified ? "verified" : "not verified");
console.log("ductape", version);
ductape.close();
