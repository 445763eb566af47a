//! `ductape`: runs the Atlas connection lifecycle end to end, or any single operation.
//!
//! The lifecycle runs against the bundled simulator unless `MONGODB_ATLAS_*` credentials are
//! set, in which case it talks to real Atlas (or `MONGODB_ATLAS_BASE_URL`).

mod lifecycle;
mod target;

use ductape_core::{Ductape, Options};
use std::io::Read;
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  ductape lifecycle [--tag TAG] [--workspace-dir DIR]
      create, complete and validate a MongoDB Atlas connection, then fetch and list it.
      Uses real Atlas when MONGODB_ATLAS_PROJECT_ID and either MONGODB_ATLAS_PUBLIC_API_KEY +
      MONGODB_ATLAS_PRIVATE_API_KEY or MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET are
      set; otherwise starts the bundled Atlas simulator with its default seed.
  ductape call OPERATION [JSON|-]
      run one operation (e.g. cloud.connections.list) on the workspace and print the reply
      envelope; JSON defaults to {} and - reads it from standard input. Give requests that hold
      secrets on standard input: arguments are visible to other users (ps) and stay in shell history.
      Long operations (cloud.connections.syncNetworkAccess with wait) print their progress to
      standard error, one line per event.
  ductape operations
      list every operation name and what it does.
  ductape describe
      print the machine-readable description: every operation's request and reply JSON Schema,
      its secret fields, the error codes and the options (docs/operations.json).

environment: DUCTAPE_WORKSPACE_DIR, DUCTAPE_WORKSPACE_KEY, MONGODB_ATLAS_BASE_URL";

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, so printing into a closed pipe (`ductape lifecycle | head`) panicked
    // with exit code 101; with the default action the process just ends, as `cat` does.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ductape: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match args.first().map(String::as_str) {
        Some("lifecycle") => match lifecycle::Args::parse(&args[1..]) {
            Ok(parsed) => runtime.block_on(lifecycle::run(parsed)),
            Err(e) => usage_error(&e),
        },
        Some("call") if args.len() >= 2 && args.len() <= 3 => runtime.block_on(call(&args[1], args.get(2))),
        Some("operations") => {
            ductape_core::ops::operations().for_each(|op| println!("{:<32} {}", op.name, op.summary));
            ExitCode::SUCCESS
        }
        Some("describe") => {
            let description = ductape_core::ops::describe::describe();
            println!("{}", serde_json::to_string_pretty(&description).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => usage_error("expected a command"),
    }
}

fn usage_error(problem: &str) -> ExitCode {
    eprintln!("ductape: {problem}\n{USAGE}");
    ExitCode::from(2)
}

async fn call(operation: &str, json: Option<&String>) -> ExitCode {
    let params = match json.map(String::as_str) {
        None => "{}".to_string(),
        Some("-") => {
            let mut text = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut text) {
                eprintln!("ductape: cannot read standard input: {e}");
                return ExitCode::FAILURE;
            }
            text
        }
        Some(text) => {
            if let Some(field) = secret_field(text) {
                eprintln!(
                    "ductape: warning: {field} was given on the command line, where other users can see it (ps) and \
                     shell history keeps it; pass the request on standard input instead: ductape call {operation} -"
                );
            }
            text.to_string()
        }
    };
    let ductape = match Ductape::open(Options::default()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("ductape: {e}");
            return ExitCode::FAILURE;
        }
    };
    let progress: ductape_core::progress::Listener =
        std::sync::Arc::new(|e: &ductape_core::progress::ProgressEvent| {
            let total = e.total.map(|t| format!("/{t}")).unwrap_or_default();
            let message = e.message.as_deref().map(|m| format!(" {m}")).unwrap_or_default();
            eprintln!("ductape: {} {}{total} ({} ms){message}", e.step, e.done, e.elapsed_ms);
        });
    let reply = ductape.call_json_with_progress(operation, &params, Some(progress)).await;
    println!("{reply}");
    let ok = serde_json::from_str::<serde_json::Value>(&reply).ok().and_then(|v| v["ok"].as_bool()).unwrap_or(false);
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The first secret field (any operation's or option's, from the registry) with a value in a
/// request given as an argument (`None` for other text). The positional form's `params` is looked into.
fn secret_field(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let given = |v: &serde_json::Value, f: &str| {
        v.get(f).is_some_and(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
    };
    ductape_core::ops::describe::all_secret_fields()
        .into_iter()
        .find(|f| given(&value, f) || value.get("params").is_some_and(|p| given(p, f)))
}

#[cfg(test)]
mod tests {
    use super::secret_field;

    #[test]
    fn notices_a_secret_on_the_command_line() {
        let key = r#"{"tag":"t","project_id":"5c843ba379358e5b3dc2dec6","atlas_public_key":"awqxqtif","atlas_private_key":"a0403a4f-0151-4922-ae89-523b69cd8e04"}"#;
        assert_eq!(secret_field(key).as_deref(), Some("atlas_private_key"));
        let sa = r#"{"tag":"t","atlas_client_secret":"mdb_sa_sk_x"}"#;
        assert_eq!(secret_field(sa).as_deref(), Some("atlas_client_secret"));
        let positional = r#"{"tag":"t","params":{"atlas_private_key":"a0403a4f-0151-4922-ae89-523b69cd8e04"}}"#;
        assert_eq!(secret_field(positional).as_deref(), Some("atlas_private_key"));
        assert_eq!(secret_field(r#"{"tag":"t","atlas_private_key":"  "}"#), None);
        assert_eq!(secret_field(r#"{"tag":"t"}"#), None);
        assert_eq!(secret_field("{oops"), None);
    }
}
