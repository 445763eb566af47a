// The data-plane checks with the official Node.js driver (mongodb); see ../README.md.
import { MongoClient, MongoServerError, MongoServerSelectionError } from "mongodb";

const env = process.env;
let failed = 0;

function check(name, ok, why) {
  console.log(ok ? `PASS node: ${name}` : `FAIL node: ${name}: ${why}`);
  if (!ok) failed++;
}

function client(uri, user, password, timeoutMs = 5000) {
  return new MongoClient(uri, {
    auth: { username: user, password: password ?? env.PASSWORD },
    tlsCAFile: env.CA_FILE,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
  });
}

/** null when ping works, else the error. */
async function ping(uri, user, password, timeoutMs) {
  const c = client(uri, user, password, timeoutMs);
  try {
    await c.connect();
    await c.db("admin").command({ ping: 1 });
    return null;
  } catch (e) {
    return e;
  } finally {
    await c.close();
  }
}

async function authFails(name, user, password) {
  const e = await ping(env.URI_RS, user, password);
  check(`${name} fails authentication`, e instanceof MongoServerError && e.code === 18, e);
}

/** Pings with each string cloud.resources.import stored (IMPORTED_URIS: name=uri ...). */
async function imported() {
  for (const pair of env.IMPORTED_URIS.trim().split(/\s+/)) {
    const name = pair.slice(0, pair.indexOf("="));
    const c = new MongoClient(pair.slice(pair.indexOf("=") + 1), { tlsCAFile: env.CA_FILE, serverSelectionTimeoutMS: 10000 });
    let err = null;
    try {
      await c.connect();
      await c.db("admin").command({ ping: 1 });
    } catch (e) {
      err = e.name;
    } finally {
      await c.close();
    }
    check(`the string imported for ${name} pings`, err === null, err);
  }
}

if (env.IMPORTED_URIS) {
  await imported();
  process.exit(failed ? 1 : 0);
}

let e = await ping(env.URI_RS, "app-rw");
check("read-write user pings the replica set", e === null, e);
e = await ping(env.URI_SHARDED, "app-rw");
check("read-write user pings the mongos routers", e === null, e);
await authFails("wrong password", "app-rw", "not-the-password");
await authFails("user scoped to another cluster", "app-scoped");
await authFails("deleted user", "app-deleted");
await authFails("user before APPLIED", "app-pending");
await authFails("expired user", "app-expired");
e = await ping(env.URI_PAUSED, "app-rw", undefined, 1500);
check("paused cluster fails to connect", e instanceof MongoServerSelectionError, e);

const coll = env.COLL ?? "node";
const rw = client(env.URI_RS, "app-rw");
try {
  const c = rw.db("app").collection(coll);
  await c.insertOne({ driver: "node", n: 1 });
  const got = await c.findOne({ driver: "node" });
  check("read-write user inserts and finds", got?.n === 1, JSON.stringify(got));
} finally {
  await rw.close();
}
const ro = client(env.URI_RS, "app-ro");
try {
  const c = ro.db("app").collection(coll);
  const got = await c.find({ n: 1 }).toArray();
  check("read-only user finds", got.length === 1, JSON.stringify(got));
  try {
    await c.insertOne({ driver: "node", n: 2 });
    check("read-only user cannot insert", false, "insert succeeded");
  } catch (err) {
    check("read-only user cannot insert (Unauthorized)", err instanceof MongoServerError && err.code === 13, err);
  }
} finally {
  await ro.close();
}
process.exit(failed === 0 ? 0 : 1);
