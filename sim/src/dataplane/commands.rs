//! The commands a driver and a small application need: the handshake (`hello`/`isMaster`),
//! SCRAM authentication against the project's database users, `ping`, `buildInfo`,
//! `endSessions`, `listDatabases`, and `insert`/`find`/`delete`. Errors are answered as MongoDB
//! answers them: `{ok: 0, errmsg, code, codeName}`.

use bson::spec::BinarySubtype;
use bson::{doc, Binary, Bson, Document};

use super::roles::{self, Action};
use super::scram::{ClientFirst, Conversation, Credentials, Mechanism};
use super::store::{self, InsertError};
use super::wire::{self, Request};
use super::{ClusterRef, DataPlane};
use crate::state::{scope_names, SimState};

const MAX_BSON_OBJECT_SIZE: i32 = 16 * 1024 * 1024;
const MAX_WRITE_BATCH_SIZE: i32 = 100_000;

/// The authenticated user of a connection; roles are looked up again for every command, so a
/// deleted user or a role change takes effect on open connections too.
#[derive(Debug, Clone)]
struct Principal {
    username: String,
    db: String,
}

#[derive(Debug)]
struct Pending {
    conv: Conversation,
    db: String,
    skip_empty_exchange: bool,
    /// The proof was right and the server signature sent; waiting for the client's empty step.
    proved: bool,
}

/// One client connection.
#[derive(Debug)]
pub struct Conn {
    id: i64,
    cluster_id: String,
    /// `host:port` the client reached: `hello`'s `me`.
    me: String,
    user: Option<Principal>,
    sasl: Option<Pending>,
}

pub enum Outcome {
    Reply(Vec<u8>),
    /// The client asked for no answer (`moreToCome`).
    Silent,
    Close,
}

impl Conn {
    pub fn new(id: i64, cluster_id: String, me: String) -> Conn {
        Conn { id, cluster_id, me, user: None, sasl: None }
    }
}

pub fn error(code: i32, code_name: &str, errmsg: impl Into<String>) -> Document {
    doc! { "ok": 0.0, "errmsg": errmsg.into(), "code": code, "codeName": code_name }
}

fn ok() -> Document {
    doc! { "ok": 1.0 }
}

fn auth_failed() -> Document {
    error(18, "AuthenticationFailed", "Authentication failed.")
}

/// Parses a message, runs its command, frames the answer the way the request came.
pub fn handle_message(conn: &mut Conn, plane: &DataPlane, msg: &[u8]) -> Outcome {
    let Ok((header, request)) = wire::parse(msg) else { return Outcome::Close };
    let (cmd, db, legacy, silent) = match request {
        Request::Msg { body, more_to_come } => {
            let db = body.get_str("$db").unwrap_or("admin").to_string();
            (body, db, false, more_to_come)
        }
        Request::Query { full_collection_name, query } => {
            let db = full_collection_name.trim_end_matches(".$cmd").to_string();
            // Drivers wrap a command in `$query` when they add a read preference.
            let cmd = match query.get_document("$query") {
                Ok(inner) => inner.clone(),
                Err(_) => query,
            };
            (cmd, db, true, false)
        }
    };
    let Some(reply) = run(conn, plane, &cmd, &db) else { return Outcome::Close };
    if silent {
        return Outcome::Silent;
    }
    let id = plane.next_id();
    Outcome::Reply(if legacy {
        wire::encode_reply(id, header.request_id, &reply)
    } else {
        wire::encode_msg(id, header.request_id, &reply)
    })
}

/// `None` closes the connection: the cluster stopped serving (paused, deleted) or the
/// simulator is shutting down.
fn run(conn: &mut Conn, plane: &DataPlane, cmd: &Document, db: &str) -> Option<Document> {
    let shared = plane.state()?;
    let mut st = crate::server::lock(&shared);
    let now = st.now();
    st.world.expire(now);
    let cluster = plane.serving_cluster(&st.world, &conn.cluster_id)?;
    let Some(name) = cmd.keys().next().cloned() else {
        return Some(error(59, "CommandNotFound", "no command given"));
    };
    let st = &*st;
    Some(match name.as_str() {
        "hello" | "isMaster" | "ismaster" => hello(conn, st, &cluster, cmd, name != "hello"),
        "ping" | "endSessions" => ok(),
        "buildInfo" | "buildinfo" => build_info(&cluster),
        "saslStart" => sasl_start(conn, st, &cluster, cmd, db),
        "saslContinue" => sasl_continue(conn, cmd),
        "logout" => {
            conn.user = None;
            ok()
        }
        "authenticate" => error(334, "MechanismUnavailable", "Only SCRAM-SHA-1 and SCRAM-SHA-256 are supported"),
        "listDatabases" | "insert" | "find" | "delete" | "getMore" | "killCursors" => {
            data_command(conn, st, plane, &cluster, &name, cmd, db)
        }
        other => error(59, "CommandNotFound", format!("no such command: '{other}'")),
    })
}

fn wire_version(mongodb_version: &str) -> i32 {
    let mut parts = mongodb_version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    match (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) {
        (8, _) => 25,
        (7, _) => 21,
        (6, _) => 17,
        (5, _) => 13,
        (4, 4) => 9,
        (m, _) if m > 8 => 25,
        _ => 8,
    }
}

/// The handshake, as a replica-set primary or a mongos router. No `topologyVersion`: drivers
/// then poll instead of streaming `hello`, which the simulator does not implement.
fn hello(conn: &mut Conn, st: &SimState, cluster: &ClusterRef, cmd: &Document, legacy: bool) -> Document {
    let mut d = Document::new();
    d.insert(if legacy { "ismaster" } else { "isWritablePrimary" }, true);
    if cmd.get_bool("helloOk").unwrap_or(false) {
        d.insert("helloOk", true);
    }
    if cluster.mongos {
        d.insert("msg", "isdbgrid");
    } else {
        d.insert("setName", cluster.replica_set.clone());
        d.insert("setVersion", 1);
        d.insert("hosts", vec![conn.me.clone()]);
        d.insert("primary", conn.me.clone());
        d.insert("me", conn.me.clone());
        d.insert("secondary", false);
    }
    d.insert("maxBsonObjectSize", MAX_BSON_OBJECT_SIZE);
    d.insert("maxMessageSizeBytes", 48_000_000);
    d.insert("maxWriteBatchSize", MAX_WRITE_BATCH_SIZE);
    d.insert("localTime", bson::DateTime::from_millis(st.now().timestamp_millis()));
    d.insert("logicalSessionTimeoutMinutes", 30);
    d.insert("connectionId", conn.id);
    d.insert("minWireVersion", 0);
    d.insert("maxWireVersion", wire_version(&cluster.mongodb_version));
    d.insert("readOnly", false);
    if let Ok(who) = cmd.get_str("saslSupportedMechs") {
        let creds = who.split_once('.').and_then(|(db, user)| credentials(st, cluster, db, user));
        if let Some(c) = creds {
            d.insert("saslSupportedMechs", c.mechanisms());
        }
    }
    if let Ok(spec) = cmd.get_document("speculativeAuthenticate") {
        if let Some(r) = speculative(conn, st, cluster, spec) {
            d.insert("speculativeAuthenticate", r);
        }
    }
    d.insert("ok", 1.0);
    d
}

/// A `saslStart` carried in `hello`: answered inside `hello` when it starts, left out otherwise
/// (the driver then authenticates the ordinary way and meets the same failure).
fn speculative(conn: &mut Conn, st: &SimState, cluster: &ClusterRef, spec: &Document) -> Option<Document> {
    spec.get("saslStart")?;
    let db = spec.get_str("db").unwrap_or("admin").to_string();
    let mut r = sasl_start(conn, st, cluster, spec, &db);
    if r.get_f64("ok").ok()? != 1.0 {
        return None;
    }
    r.remove("ok");
    Some(r)
}

fn build_info(cluster: &ClusterRef) -> Document {
    let parts: Vec<i32> = cluster.mongodb_version.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    let mut array: Vec<i32> = parts.into_iter().chain(std::iter::repeat(0)).take(4).collect();
    array.truncate(4);
    doc! {
        "version": cluster.mongodb_version.clone(),
        "gitVersion": "0000000000000000000000000000000000000000",
        "versionArray": array,
        "modules": ["enterprise"],
        "bits": 64,
        "maxBsonObjectSize": MAX_BSON_OBJECT_SIZE,
        "ok": 1.0,
    }
}

/// The SCRAM credentials the cluster knows for `db.user`: none when the user is missing, not a
/// SCRAM user, scoped to other clusters, expired, or created so recently that the change has not
/// reached the cluster yet (during a password change the cluster still has the previous password).
fn credentials<'a>(st: &'a SimState, cluster: &ClusterRef, db: &str, username: &str) -> Option<&'a Credentials> {
    let now = st.now();
    let u = st.world.users.get(&cluster.group_id)?.iter().find(|u| u.username == username && u.database_name == db)?;
    let scopes = scope_names(&u.scopes);
    if db != "admin" || !(scopes.is_empty() || scopes.contains(&cluster.name)) {
        return None;
    }
    if u.delete_after.is_some_and(|t| t <= now) {
        return None;
    }
    if now >= u.applied_at {
        u.scram.as_ref()
    } else {
        u.previous_scram.as_ref()
    }
}

fn payload(cmd: &Document) -> Vec<u8> {
    match cmd.get("payload") {
        Some(Bson::Binary(b)) => b.bytes.clone(),
        Some(Bson::String(s)) => s.as_bytes().to_vec(),
        _ => Vec::new(),
    }
}

fn binary(s: &str) -> Binary {
    Binary { subtype: BinarySubtype::Generic, bytes: s.as_bytes().to_vec() }
}

fn sasl_start(conn: &mut Conn, st: &SimState, cluster: &ClusterRef, cmd: &Document, db: &str) -> Document {
    conn.sasl = None;
    let mech_name = cmd.get_str("mechanism").unwrap_or("");
    let Some(mech) = Mechanism::parse(mech_name) else {
        return error(
            334,
            "MechanismUnavailable",
            format!("Received authentication for mechanism {mech_name} which is not enabled"),
        );
    };
    let Some(first) = ClientFirst::parse(&payload(cmd)) else { return auth_failed() };
    let Some(keys) = credentials(st, cluster, db, &first.username).and_then(|c| c.keys(mech)) else {
        return auth_failed();
    };
    let (conv, server_first) = Conversation::start(mech, first, keys.clone());
    let skip_empty_exchange =
        cmd.get_document("options").and_then(|o| o.get_bool("skipEmptyExchange")).unwrap_or(false);
    conn.sasl = Some(Pending { conv, db: db.to_string(), skip_empty_exchange, proved: false });
    doc! { "conversationId": 1, "done": false, "payload": binary(&server_first), "ok": 1.0 }
}

fn sasl_continue(conn: &mut Conn, cmd: &Document) -> Document {
    let Some(mut p) = conn.sasl.take() else {
        return error(17, "ProtocolError", "No SASL session state found");
    };
    let done = |conn: &mut Conn, p: &Pending, reply: &str| {
        conn.user = Some(Principal { username: p.conv.username.clone(), db: p.db.clone() });
        doc! { "conversationId": 1, "done": true, "payload": binary(reply), "ok": 1.0 }
    };
    if p.proved {
        return done(conn, &p, "");
    }
    let Some(server_final) = p.conv.finish(&payload(cmd)) else { return auth_failed() };
    if p.skip_empty_exchange {
        return done(conn, &p, &server_final);
    }
    p.proved = true;
    conn.sasl = Some(p);
    doc! { "conversationId": 1, "done": false, "payload": binary(&server_final), "ok": 1.0 }
}

/// The roles of the connection's user as the project has them now (`None`: not logged in, or
/// the user is gone).
fn current_roles<'a>(conn: &Conn, st: &'a SimState, cluster: &ClusterRef) -> Option<&'a [serde_json::Value]> {
    let p = conn.user.as_ref()?;
    let users = st.world.users.get(&cluster.group_id)?;
    users.iter().find(|u| u.username == p.username && u.database_name == p.db).map(|u| u.roles.as_slice())
}

fn unauthorized(name: &str, db: &str, target: &str) -> Document {
    error(
        13,
        "Unauthorized",
        format!("not authorized on {db} to execute command {{ {name}: \"{target}\", $db: \"{db}\" }}"),
    )
}

fn data_command(
    conn: &Conn,
    st: &SimState,
    plane: &DataPlane,
    cluster: &ClusterRef,
    name: &str,
    cmd: &Document,
    db: &str,
) -> Document {
    if conn.user.is_none() {
        return error(13, "Unauthorized", format!("Command {name} requires authentication"));
    }
    let roles = current_roles(conn, st, cluster).unwrap_or(&[]);
    let mut store = super::guard(&plane.store);
    let target = cmd.get_str(name).unwrap_or("");
    let need = |action: Action| roles::allowed(roles, action, db, Some(target));
    match name {
        "listDatabases" => list_databases(&store, roles, cluster, cmd),
        "insert" if !need(Action::Write) => unauthorized(name, db, target),
        "find" | "delete" if !need(if name == "find" { Action::Read } else { Action::Write }) => {
            unauthorized(name, db, target)
        }
        "insert" => insert(&mut store, cluster, db, target, cmd),
        "find" => find(&store, cluster, db, target, cmd),
        "delete" => delete(&mut store, cluster, db, target, cmd),
        "killCursors" => {
            let ids = cmd.get_array("cursors").cloned().unwrap_or_default();
            doc! { "cursorsKilled": [], "cursorsNotFound": ids, "cursorsAlive": [], "cursorsUnknown": [], "ok": 1.0 }
        }
        _ => error(43, "CursorNotFound", "cursor id not found (every find answers in one batch)"),
    }
}

fn documents(cmd: &Document, field: &str) -> Vec<Document> {
    let arr = cmd.get_array(field).map(|a| a.as_slice()).unwrap_or(&[]);
    arr.iter().filter_map(|b| b.as_document().cloned()).collect()
}

fn insert(store: &mut store::Store, cluster: &ClusterRef, db: &str, coll: &str, cmd: &Document) -> Document {
    let (n, err) = store.insert(&cluster.id, db, coll, documents(cmd, "documents"));
    let mut reply = doc! { "n": n as i32 };
    match err {
        None => {}
        Some(InsertError::DuplicateKey(index, id)) => {
            let errmsg =
                format!("E11000 duplicate key error collection: {db}.{coll} index: _id_ dup key: {{ _id: {id} }}");
            let e = doc! { "index": index as i32, "code": 11000, "keyPattern": {"_id": 1}, "keyValue": {"_id": id}, "errmsg": errmsg };
            reply.insert("writeErrors", vec![e]);
        }
        Some(InsertError::Full) => {
            let msg = format!("a simulated cluster holds at most {} MiB of documents", store::MAX_CLUSTER_BYTES >> 20);
            return error(14031, "OutOfDiskSpace", msg);
        }
    }
    reply.insert("ok", 1.0);
    reply
}

fn number(cmd: &Document, field: &str) -> i64 {
    match cmd.get(field) {
        Some(Bson::Int32(i)) => i64::from(*i),
        Some(Bson::Int64(i)) => *i,
        Some(Bson::Double(d)) => *d as i64,
        _ => 0,
    }
}

fn bad_value(msg: String) -> Document {
    error(2, "BadValue", msg)
}

fn find(store: &store::Store, cluster: &ClusterRef, db: &str, coll: &str, cmd: &Document) -> Document {
    let filter = cmd.get_document("filter").cloned().unwrap_or_default();
    if let Err(e) = store::check_filter(&filter) {
        return bad_value(e.0);
    }
    let skip = number(cmd, "skip").max(0) as usize;
    let limit = number(cmd, "limit").unsigned_abs() as usize;
    let batch = store.find(&cluster.id, db, coll, &filter, skip, limit);
    doc! { "cursor": { "firstBatch": batch, "id": 0_i64, "ns": format!("{db}.{coll}") }, "ok": 1.0 }
}

fn delete(store: &mut store::Store, cluster: &ClusterRef, db: &str, coll: &str, cmd: &Document) -> Document {
    let mut n = 0;
    for d in documents(cmd, "deletes") {
        let filter = d.get_document("q").cloned().unwrap_or_default();
        if let Err(e) = store::check_filter(&filter) {
            return bad_value(e.0);
        }
        n += store.delete(&cluster.id, db, coll, &filter, number(&d, "limit") == 1);
    }
    doc! { "n": n as i32, "ok": 1.0 }
}

/// As with `authorizedDatabases`: a user sees the databases it may read.
fn list_databases(store: &store::Store, roles: &[serde_json::Value], cluster: &ClusterRef, cmd: &Document) -> Document {
    let dbs: Vec<(String, usize)> = store
        .databases(&cluster.id)
        .into_iter()
        .filter(|(db, _)| roles::allowed(roles, Action::Read, db, None))
        .collect();
    let name_only = cmd.get_bool("nameOnly").unwrap_or(false);
    let total: usize = dbs.iter().map(|(_, s)| s).sum();
    let list: Vec<Document> = dbs
        .into_iter()
        .map(|(name, size)| {
            if name_only {
                doc! { "name": name }
            } else {
                doc! { "name": name, "sizeOnDisk": size as i64, "empty": size == 0 }
            }
        })
        .collect();
    let mut reply = doc! { "databases": list };
    if !name_only {
        reply.insert("totalSize", total as i64);
        reply.insert("totalSizeMb", (total >> 20) as i64);
    }
    reply.insert("ok", 1.0);
    reply
}
