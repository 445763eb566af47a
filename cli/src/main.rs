//! `ductape`: every operation of the core as a command, the bundled Atlas simulator, and the
//! product page's whole story as `ductape demo`. Commands are thin: each builds one operation's
//! JSON request and prints the operation layer's reply.

/// `println!` that ends the process when standard output is a closed pipe (`ductape ... | head`),
/// quietly and with the status a SIGPIPE would give (141). Rust ignores SIGPIPE, which the network
/// code needs (the MongoDB driver's socket to a server that closed must not kill the process), so
/// `println!` would panic instead.
macro_rules! say {
    ($($t:tt)*) => { crate::output::say_line(&format!($($t)*)) };
}

mod commands;
mod demo;
mod exit;
mod input;
mod output;
mod progress;
mod run;
mod session;
mod sim_cmd;
mod target;
mod tempdir;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "ductape",
    version,
    about = "Ductape cloud connections for MongoDB Atlas: link a project, sync its network access, import clusters into products",
    after_long_help = exit::help_table(),
    after_help = "Exit codes: one per error code (`ductape --help` lists them)."
)]
struct Cli {
    #[command(flatten)]
    global: session::Global,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    #[command(flatten)]
    Op(commands::OpCommand),
    /// Run any operation by name with a JSON request (`-` reads it from standard input)
    #[command(after_long_help = "Give requests that hold secrets on standard input: an argument is visible to \
                                 other users (ps) and stays in shell history; the CLI warns.")]
    Call {
        /// The operation, e.g. cloud.connections.list (`ductape operations` lists them)
        operation: String,
        /// The request as JSON, or - for standard input
        #[arg(default_value = "{}")]
        json: String,
    },
    /// List every operation and what it does
    Operations,
    /// Print the machine-readable description: every operation's request and reply JSON Schema,
    /// secret fields, error codes and options
    Describe,
    /// Start the bundled Atlas simulator (default seed, with its data plane) and print how to point the
    /// CLI, the SDKs and drivers at it; runs until interrupted
    Sim(sim_cmd::Args),
    /// Run the product page's whole story: connect, validate, sync network access, list clusters,
    /// import one into a product, resolve and verify its connection string, clean up
    Demo(demo::Args),
    /// Print a shell completion script (e.g. `ductape completions bash > /etc/bash_completion.d/ductape`)
    Completions { shell: clap_complete::Shell },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ductape: cannot start the async runtime: {e}");
            return exit::code(exit::CLI);
        }
    };
    let g = &cli.global;
    let code = match cli.command {
        Cmd::Op(cmd) => runtime.block_on(run::operation_command(g, &cmd)),
        Cmd::Call { operation, json } => runtime.block_on(run::call(g, &operation, &json)),
        Cmd::Operations => {
            ductape_core::ops::operations()
                .filter(|op| !op.debug_only)
                .for_each(|op| say!("{:<42} {}", op.name, op.summary));
            0
        }
        Cmd::Describe => {
            let description = ductape_core::ops::describe::describe_public();
            say!("{}", serde_json::to_string_pretty(&description).unwrap_or_default());
            0
        }
        Cmd::Sim(args) => runtime.block_on(sim_cmd::run(g, args)),
        Cmd::Demo(args) => runtime.block_on(demo::run(g, args)),
        Cmd::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "ductape", &mut script);
            say!("{}", String::from_utf8_lossy(&script).trim_end());
            0
        }
    };
    exit::code(code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
