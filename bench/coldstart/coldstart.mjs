// Item 5, Node.js: load the addon, open the workspace, first call; one JSON line.
//   node coldstart.mjs WORKSPACE_DIR   (the addon built by scripts/bench-bindings.sh: bindings/node/ductape.node)
const t0 = performance.now();
const { Ductape } = await import("../../bindings/node/esm/index.mjs");
const loaded = performance.now() - t0;
const client = new Ductape({ workspace_dir: process.argv[2], workspace_key: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" });
const opened = performance.now() - t0;
const c = await client.cloud.connections.fetch({ tag: "c0500" });
if (c.tag !== "c0500") throw new Error(JSON.stringify(c));
const first = performance.now() - t0;
// process start -> first reply: performance.now() counts from the process's time origin.
console.log(JSON.stringify({ lang: "node", load_ms: loaded, open_ms: opened, first_call_ms: first, since_process_ms: performance.now() }));
client.close();
