//! The operation layer: the registry (every operation declared once), request parsing, the reply
//! envelope, and the machine-readable description derived from the registry.
//!
//! No feature imports from here: features hold their handlers and types, and this layer points
//! at them.

#[cfg(feature = "debug-operations")]
mod debug;
pub mod describe;
mod envelope;
mod parse;
mod registry;

pub use envelope::{envelope, envelope_text};
pub use parse::{parse, parse_json, parse_value};
pub use registry::{find, names, operations, schema_of, secret_fields, Operation};

use crate::error::{Error, ErrorCode, Result};
use crate::Ductape;
use serde_json::Value;

/// Runs operation `name`; answers its reply as JSON text.
pub(crate) async fn dispatch(d: &Ductape, name: &str, params: Value) -> Result<String> {
    let op = find(name).ok_or_else(|| {
        let known: Vec<&str> = operations().filter(|op| !op.debug_only).map(|op| op.name).collect();
        Error::new(
            ErrorCode::UnknownOperation,
            format!("unknown operation '{name}'; known operations: {}", known.join(", ")),
        )
    })?;
    if op.debug_only && !d.options().debug_operations {
        return Err(Error::new(
            ErrorCode::UnknownOperation,
            format!("operation '{name}' is only available with the debug_operations option"),
        ));
    }
    op.run(d, parse::positional(params)?).await
}
