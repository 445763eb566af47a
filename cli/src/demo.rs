//! `ductape demo`: the product page's whole story, one operation per step, each printed with
//! what it did and how long it took; it stops at the first failed step with that step's exit
//! code, and a re-run on the same workspace adopts what an earlier run left.

use crate::output::{self, Colour, Format};
use crate::session::{start_sim, Global, Session};
use crate::tempdir::TempWorkspace;
use crate::{exit, progress, target};
use atlas_sim::SimConfig;
use serde_json::{json, Value};
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The connection's tag
    #[arg(long, default_value = "demo_atlas")]
    tag: String,
    /// The product's tag
    #[arg(long, default_value = "ductape-demo")]
    product: String,
    /// The product environment the cluster is imported into
    #[arg(long, default_value = "dev")]
    env: String,
    /// The cluster to import [default: Cluster0 on the simulator; on Atlas the first IDLE one]
    #[arg(long)]
    cluster: Option<String>,
    /// Which of the cluster's connection strings to store [default: standard on the simulator, whose
    /// standardSrv names do not resolve; on Atlas the core's default, standard_srv]
    #[arg(long)]
    connection_type: Option<String>,
}

const VERIFY: &str = "cloud.resources.verify";
const STEPS: usize = 16;

struct Demo<'a> {
    session: &'a Session,
    format: Format,
    colours: bool,
    n: usize,
}

/// How a step ended: its envelope, or the exit code the demo stops with.
type Step = Result<Value, u8>;

impl Demo<'_> {
    async fn call(&self, operation: &str, request: &Value) -> (Value, u128) {
        let started = Instant::now();
        let (display, listener) = progress::Display::start("       ");
        let reply = self.session.ductape.call_json_with_progress(operation, &request.to_string(), Some(listener)).await;
        display.finish();
        (serde_json::from_str(&reply).unwrap_or_default(), started.elapsed().as_millis())
    }

    /// One step: `title` before it, then its outcome as `detail` tells it. With `adopt`, a
    /// `conflict` (left by an earlier run) is answered by that read instead.
    async fn step(
        &mut self,
        title: &str,
        operation: &str,
        request: Value,
        adopt: Option<(&str, Value)>,
        detail: impl Fn(&Value) -> String,
    ) -> Step {
        self.n += 1;
        if self.format == Format::Table {
            say!("[{:>2}/{STEPS}] {title}  {}", self.n, output::paint(operation, Colour::Dim, self.colours));
        }
        let (mut envelope, mut ms) = self.call(operation, &request).await;
        let mut note = "";
        if let (Some((read, read_request)), true) = (adopt, envelope["error"]["code"] == "conflict") {
            let (adopted, more) = self.call(read, &read_request).await;
            (envelope, ms, note) = (adopted, ms + more, "adopted the existing one: ");
        }
        let code = exit::for_envelope(&envelope);
        let skipped = operation == VERIFY && envelope["error"]["code"] == "unknown_operation";
        self.report(operation, &envelope, ms, code, skipped, &format!("{note}{}", detail(&envelope["result"])));
        match (code, skipped) {
            (0, _) | (_, true) => Ok(envelope),
            (code, false) => Err(code),
        }
    }

    fn report(&self, operation: &str, envelope: &Value, ms: u128, code: u8, skipped: bool, detail: &str) {
        if self.format == Format::Json {
            let mut shown = envelope.clone();
            redact_secrets(operation, &mut shown["result"]);
            say!("{}", json!({"step": self.n, "operation": operation, "elapsed_ms": ms, "reply": shown}));
            return;
        }
        let line = if skipped {
            output::paint(&format!("skipped ({VERIFY} not available)"), Colour::Yellow, self.colours)
        } else if code == 0 {
            format!("{} {detail}", output::paint("ok", Colour::Green, self.colours))
        } else if envelope["ok"] == true {
            let r = &envelope["result"];
            output::error_line(&json!({"code": r["code"], "message": r["message"]}), self.colours)
        } else {
            output::error_line(&envelope["error"], self.colours)
        };
        say!("        {line} ({ms} ms)");
    }
}

/// The secret reply fields of an operation's result, redacted: the demo never shows a secret.
fn redact_secrets(operation: &str, result: &mut Value) {
    let Some(op) = ductape_core::ops::find(operation) else { return };
    for field in ductape_core::ops::secret_fields(&op.reply_schema()) {
        if let Some(v) = result.get_mut(&field) {
            *v = output::redact(v);
        }
    }
}

fn names(result: &Value, list: &str, name: &str) -> String {
    let items: Vec<String> = result[list]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| match r["metadata"]["state"].as_str() {
            Some(state) => format!("{} ({state})", r[name].as_str().unwrap_or_default()),
            None => r[name].as_str().unwrap_or_default().to_string(),
        })
        .collect();
    items.join(", ")
}

pub async fn run(g: &Global, args: Args) -> u8 {
    let credentials = match (g.sim, target::from_env()) {
        (true, _) | (false, Ok(None)) => None,
        (false, Ok(Some(c))) => Some(c),
        (false, Err(e)) => {
            eprintln!("ductape: {e}");
            return exit::USAGE;
        }
    };
    let on_sim = credentials.is_none();
    let sim = if on_sim {
        match start_sim(SimConfig::default()).await {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("ductape: {e}");
                return exit::CLI;
            }
        }
    } else {
        None
    };
    // A fresh workspace unless one is named, so a first run never trips over an old one.
    let temporary = match &g.workspace_dir {
        Some(_) => None,
        None => match TempWorkspace::create() {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("ductape: could not create a temporary workspace: {e}");
                return exit::CLI;
            }
        },
    };
    let session = match Session::open(g, temporary.as_ref().map(|t| t.path.clone()), sim).await {
        Ok(s) => s,
        Err((code, e)) => {
            eprintln!("ductape: {e}");
            return code;
        }
    };
    session.banner();
    let mut complete = credentials.unwrap_or_else(target::seed_credentials);
    complete.insert("tag".into(), json!(args.tag));
    let mut demo = Demo { session: &session, format: g.format(), colours: output::stdout_colours(), n: 0 };
    let started = Instant::now();
    let code = match story(&mut demo, &args, Value::Object(complete), on_sim).await {
        Ok(()) => {
            if g.format() == Format::Table {
                let done = output::paint("demo complete", Colour::Green, demo.colours);
                say!("\n{done}: {} steps in {} ms", demo.n, started.elapsed().as_millis());
            }
            0
        }
        Err(code) => {
            if g.format() == Format::Table {
                say!("\ndemo stopped at step {} (exit code {code}); a re-run on the same --workspace-dir adopts what exists", demo.n);
            }
            code
        }
    };
    drop(session);
    drop(temporary);
    code
}

async fn story(demo: &mut Demo<'_>, args: &Args, complete: Value, on_sim: bool) -> Result<(), u8> {
    let tag = args.tag.as_str();
    let (product, env) = (args.product.as_str(), args.env.as_str());
    let cloud = json!({"tag": tag});
    demo.step(
        &format!("create the connection '{tag}'"),
        "cloud.connections.create",
        json!({"provider": "mongodb_atlas", "name": tag, "scopes": ["database"]}),
        Some(("cloud.connections.fetch", cloud.clone())),
        |r| format!("{} is {}", r["tag"].as_str().unwrap_or_default(), r["status"].as_str().unwrap_or_default()),
    )
    .await?;
    demo.step("store its project and API key (encrypted)", "cloud.connections.complete", complete, None, |r| {
        format!("project {} stored", r["metadata"]["project_id"].as_str().unwrap_or("?"))
    })
    .await?;
    demo.step("validate the key, its access list and role", "cloud.connections.validate", cloud.clone(), None, |r| {
        format!("valid: {}", r["account_identifier"].as_str().unwrap_or_default())
    })
    .await?;
    let wanted = json!({"tag": tag, "include_ductape_proxy": false, "allowed_sources": [{"cidr": "203.0.113.0/24", "label": "ductape demo", "source": "custom"}]});
    demo.step(
        "want 203.0.113.0/24 on the project's IP access list",
        "cloud.connections.updateManagedNetworking",
        wanted,
        None,
        |r| format!("{} allowed source(s)", r["networking"]["allowed_sources"].as_array().map_or(0, Vec::len)),
    )
    .await?;
    demo.step(
        "sync the access list and wait until ACTIVE",
        "cloud.connections.syncNetworkAccess",
        json!({"tag": tag, "wait": true}),
        None,
        |r| format!("synced {}; {} entries in the project", r["synced_ips"], r["entries_in_project"]),
    )
    .await?;
    let listed = demo
        .step(
            "list the project's clusters",
            "cloud.resources.list",
            json!({"cloud": tag, "service": "atlas-cluster"}),
            None,
            |r| names(r, "resources", "name"),
        )
        .await?;
    let cluster = match (&args.cluster, on_sim) {
        (Some(c), _) => c.clone(),
        (None, true) => "Cluster0".to_string(),
        (None, false) => first_idle(&listed["result"]).ok_or_else(|| {
            say!("        no IDLE cluster in the project to import; name one with --cluster");
            exit::for_code(ductape_core::ErrorCode::FailedPrecondition)
        })?,
    };
    demo.step(
        &format!("create the product '{product}'"),
        "products.create",
        json!({"name": "Ductape Demo", "tag": product}),
        Some(("products.fetch", json!({"product": product}))),
        |r| format!("product {}", r["tag"].as_str().unwrap_or_default()),
    )
    .await?;
    let of_env = json!({"product": product, "env": env});
    demo.step(
        &format!("create its environment '{env}'"),
        "products.environments.create",
        json!({"product": product, "slug": env}),
        Some(("products.environments.fetch", of_env)),
        |r| format!("environment {}", r["slug"].as_str().unwrap_or_default()),
    )
    .await?;
    let connection_type = args.connection_type.clone().or_else(|| on_sim.then(|| "standard".to_string()));
    let component = json!({"product": product, "component": "db-mongo", "env": env});
    let mut import = json!({"cloud": tag, "service": "atlas-cluster", "type": "databases", "product": product,
                            "component": "db-mongo", "env": env, "resource": cluster});
    if let Some(t) = connection_type {
        import["connection_type"] = json!(t);
    }
    demo.step(
        &format!("import {cluster} into {product}/db-mongo/{env}"),
        "cloud.resources.import",
        import,
        None,
        |r| {
            format!(
                "user {}, string in {}{}{}",
                r["database_user"].as_str().unwrap_or_default(),
                r["connection_url_ref"].as_str().unwrap_or_default(),
                if r["rotated"] == true { ", password rotated" } else { "" },
                if r["verified"] == true { ", login verified" } else { "" }
            )
        },
    )
    .await?;
    demo.step(
        "resolve the component's connection string",
        "products.components.resolve",
        component.clone(),
        None,
        |r| output::redact(&r["connection_url"]).as_str().unwrap_or_default().to_string(),
    )
    .await?;
    demo.step("connect with it and ping", VERIFY, component.clone(), None, |r| {
        format!("ping answered by {} in {} ms", r["server"].as_str().unwrap_or("?"), r["elapsed_ms"])
    })
    .await?;
    demo.step(
        "unlink: delete the database user and the secret",
        "cloud.resources.unlink",
        {
            let mut u = component.clone();
            u["cloud"] = json!(tag);
            u
        },
        None,
        |r| match r["user_kept"]["message"].as_str() {
            Some(why) => format!("user {} left in Atlas: {why}", r["database_user"].as_str().unwrap_or_default()),
            None => format!("user {} deleted", r["database_user"].as_str().unwrap_or_default()),
        },
    )
    .await?;
    demo.step(
        "want no demo entry on the access list",
        "cloud.connections.updateManagedNetworking",
        json!({"tag": tag, "allowed_sources": [], "include_ductape_proxy": false}),
        None,
        |_| "none wanted".to_string(),
    )
    .await?;
    demo.step(
        "sync with prune: remove the demo's entry",
        "cloud.connections.syncNetworkAccess",
        json!({"tag": tag, "prune": true}),
        None,
        |r| format!("removed {}", r["removed"]),
    )
    .await?;
    demo.step(
        &format!("delete the product '{product}'"),
        "products.delete",
        json!({"product": product, "force": true}),
        None,
        |r| format!("{} environment(s), {} component(s) deleted", r["environments_deleted"], r["components_deleted"]),
    )
    .await?;
    demo.step(&format!("delete the connection '{tag}'"), "cloud.connections.delete", cloud, None, |r| {
        format!("deleted at {}", r["deleted_at"].as_str().unwrap_or_default())
    })
    .await?;
    Ok(())
}

fn first_idle(list: &Value) -> Option<String> {
    list["resources"]
        .as_array()?
        .iter()
        .find(|r| r["metadata"]["state"] == "IDLE" && r["metadata"]["paused"] != true)
        .and_then(|r| r["name"].as_str().map(String::from))
}
