//! Debug-only operations (`debug-operations` feature, `debug_operations` option), so that every
//! language's tests can exercise errors, panics and cancellation without a network.

use crate::error::{Error, ErrorCode, Result};
use crate::Ductape;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EchoRequest {
    /// Any JSON value; the reply is this value.
    #[serde(default)]
    pub value: Value,
}

pub async fn echo(_: &Ductape, req: EchoRequest) -> Result<Value> {
    Ok(req.value)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SleepRequest {
    pub ms: u64,
}

#[derive(Serialize, JsonSchema)]
pub struct SleepReply {
    pub slept_ms: u64,
}

pub async fn sleep(_: &Ductape, req: SleepRequest) -> Result<SleepReply> {
    tokio::time::sleep(Duration::from_millis(req.ms)).await;
    Ok(SleepReply { slept_ms: req.ms })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorRequest {
    pub code: ErrorCode,
    #[serde(default)]
    pub message: String,
    pub field: Option<String>,
}

pub async fn error(_: &Ductape, req: ErrorRequest) -> Result<Value> {
    let mut e = Error::new(req.code, req.message);
    e.field = req.field;
    Err(e)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PanicRequest {
    #[serde(default)]
    pub message: String,
}

pub async fn panic(_: &Ductape, req: PanicRequest) -> Result<Value> {
    panic!("debug.panic: {}", req.message)
}
