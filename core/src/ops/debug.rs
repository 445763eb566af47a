//! Debug-only operations, enabled by `Options::debug_operations`, so that every language's
//! tests can exercise errors, panics and cancellation without a network.

use crate::error::{Error, ErrorCode, Result};
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EchoRequest {
    #[serde(default)]
    pub value: Value,
}

pub async fn echo(req: EchoRequest) -> Result<Value> {
    Ok(req.value)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SleepRequest {
    pub ms: u64,
}

pub async fn sleep(req: SleepRequest) -> Result<Value> {
    tokio::time::sleep(Duration::from_millis(req.ms)).await;
    Ok(serde_json::json!({ "slept_ms": req.ms }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorRequest {
    pub code: ErrorCode,
    #[serde(default)]
    pub message: String,
    pub field: Option<String>,
}

pub async fn error(req: ErrorRequest) -> Result<Value> {
    let mut e = Error::new(req.code, req.message);
    e.field = req.field;
    Err(e)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanicRequest {
    #[serde(default)]
    pub message: String,
}

pub async fn panic(req: PanicRequest) -> Result<Value> {
    panic!("debug.panic: {}", req.message)
}
