//! The project's one code generator. Every file derived from the operation registry (the
//! core's own description, `ops::describe`) is written here, for every language:
//!
//! - `cargo xtask codegen` rewrites them;
//! - `cargo xtask codegen --check` writes nothing and fails, naming each stale file, when any
//!   differs from what the registry makes (the test command runs it).
//!
//! One module per target: `docs.rs` (docs/operations.{json,md}), `typescript.rs` (the Node
//! binding's types), `go.rs` (the Go facade), `dotnet.rs` (the .NET facade), `java.rs` (the Java
//! facade and exception classes), `python.rs` (the Python facade, its types and exception
//! classes). Each answers its files as (path from the repository root, content); nothing here
//! knows another's format.

mod docs;
mod dotnet;
mod facade;
mod go;
mod java;
mod python;
mod typescript;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// One generated file: where it goes (from the repository root) and what it holds.
pub struct Generated {
    pub path: &'static str,
    pub text: String,
}

fn generate() -> Vec<Generated> {
    let description = ductape_core::ops::describe::describe_public();
    let mut files = docs::files(&description);
    files.extend(typescript::files(&description));
    files.extend(go::files(&description));
    files.extend(dotnet::files(&description));
    files.extend(java::files(&description));
    files.extend(python::files(&description));
    files.sort_by_key(|g| g.path);
    files
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask/ sits in the repository root").to_path_buf()
}

fn codegen(check: bool) -> ExitCode {
    let root = root();
    let mut stale = Vec::new();
    for g in generate() {
        let path = root.join(g.path);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == g.text {
            continue;
        }
        if check {
            stale.push(g.path);
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        }
        std::fs::write(&path, &g.text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        println!("wrote {}", g.path);
    }
    if stale.is_empty() {
        return ExitCode::SUCCESS;
    }
    for p in &stale {
        eprintln!("stale: {p}");
    }
    eprintln!("{} generated file(s) differ from the registry: run `cargo xtask codegen`", stale.len());
    ExitCode::FAILURE
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
        _ => {
            eprintln!("usage: cargo xtask codegen [--check]");
            ExitCode::from(2)
        }
    }
}
