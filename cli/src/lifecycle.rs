//! The main job: the product page's calls, in order, printing each reply.

use crate::target;
use ductape_core::{Ductape, Options};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

pub struct Args {
    tag: String,
    workspace_dir: Option<PathBuf>,
}

impl Args {
    pub fn parse(args: &[String]) -> Result<Args, String> {
        let mut parsed = Args { tag: "prod_atlas".into(), workspace_dir: None };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--tag" => parsed.tag = value.clone(),
                "--workspace-dir" => parsed.workspace_dir = Some(PathBuf::from(value)),
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(parsed)
    }
}

pub async fn run(args: Args) -> ExitCode {
    let target = match target::choose().await {
        Ok(t) => t,
        Err(e) => {
            eprintln!("ductape: {e}");
            return ExitCode::FAILURE;
        }
    };
    // A fresh workspace per run unless one is named, so the demo never trips over an old tag.
    let workspace_dir = args.workspace_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("ductape-lifecycle-{}-{}", std::process::id(), now_millis()))
    });
    println!("Atlas: {}", target.description);
    println!("Workspace: {}", workspace_dir.display());
    let options =
        Options { workspace_dir: Some(workspace_dir), atlas_base_url: target.base_url.clone(), ..Default::default() };
    let ductape = match Ductape::open(options) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("ductape: {e}");
            return ExitCode::FAILURE;
        }
    };

    let tag = args.tag.as_str();
    let mut complete = target.credentials.clone();
    complete.insert("tag".into(), json!(tag));
    let steps: Vec<(&str, Value)> = vec![
        ("cloud.connections.create", json!({"provider": "mongodb_atlas", "name": tag, "scopes": ["database"]})),
        ("cloud.connections.complete", Value::Object(complete)),
        ("cloud.connections.validate", json!({ "tag": tag })),
        ("cloud.connections.fetch", json!({ "tag": tag })),
        ("cloud.connections.list", json!({})),
    ];
    let mut failed = 0;
    for (number, (operation, params)) in steps.into_iter().enumerate() {
        println!("\n{}. {operation}", number + 1);
        match ductape.call(operation, params).await {
            Ok(result) => {
                println!("{}", serde_json::to_string_pretty(&result).unwrap_or_default());
                if result.get("valid") == Some(&Value::Bool(false)) {
                    failed += 1;
                }
            }
            Err(e) => {
                println!("error: {e}");
                failed += 1;
            }
        }
    }
    drop(target);
    if failed == 0 {
        println!("\nlifecycle complete: connection '{tag}' is active");
        ExitCode::SUCCESS
    } else {
        println!("\nlifecycle failed: {failed} step(s) did not succeed");
        ExitCode::FAILURE
    }
}

fn now_millis() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0)
}
