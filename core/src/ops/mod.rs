//! The operation layer: operation name -> typed request -> typed reply.
//!
//! Each feature module exposes `async fn(&Ductape, Request) -> Result<Reply>`; this file is the
//! only place that maps names to them, so a new operation needs no binding code at all.

mod debug;
mod parse;

pub use parse::{parse, parse_json, parse_value};

use crate::error::{Error, ErrorCode, Result};
use crate::Ductape;
use serde::Serialize;
use serde_json::Value;

/// Every operation name, in the order the docs list them.
pub const OPERATIONS: &[&str] = &[
    "cloud.connections.create",
    "cloud.connections.complete",
    "cloud.connections.validate",
    "cloud.connections.fetch",
    "cloud.connections.list",
    "cloud.connections.update",
    "cloud.connections.delete",
    "debug.echo",
    "debug.sleep",
    "debug.error",
    "debug.panic",
];

pub(crate) async fn dispatch(d: &Ductape, operation: &str, params: Value) -> Result<Value> {
    use crate::connections as conn;
    match operation {
        "cloud.connections.create" => reply(conn::create(d, parse(params)?).await),
        "cloud.connections.complete" => reply(conn::complete(d, parse(params)?).await),
        "cloud.connections.validate" => reply(conn::validate::validate(d, parse(params)?).await),
        "cloud.connections.fetch" => reply(conn::fetch(d, parse(params)?).await),
        "cloud.connections.list" => reply(conn::list(d, parse(params)?).await),
        "cloud.connections.update" => reply(conn::update(d, parse(params)?).await),
        "cloud.connections.delete" => reply(conn::delete(d, parse(params)?).await),
        "debug.echo" | "debug.sleep" | "debug.error" | "debug.panic" => {
            if !d.options().debug_operations {
                return Err(Error::new(
                    ErrorCode::UnknownOperation,
                    format!("operation '{operation}' is only available with the debug_operations option"),
                ));
            }
            match operation {
                "debug.echo" => reply(debug::echo(parse(params)?).await),
                "debug.sleep" => reply(debug::sleep(parse(params)?).await),
                "debug.error" => reply(debug::error(parse(params)?).await),
                _ => reply(debug::panic(parse(params)?).await),
            }
        }
        _ => Err(Error::new(
            ErrorCode::UnknownOperation,
            format!("unknown operation '{operation}'; known operations: {}", OPERATIONS.join(", ")),
        )),
    }
}

fn reply<T: Serialize>(outcome: Result<T>) -> Result<Value> {
    outcome.and_then(|value| {
        serde_json::to_value(value).map_err(|e| Error::new(ErrorCode::Internal, format!("reply not serialisable: {e}")))
    })
}
