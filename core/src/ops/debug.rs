//! Debug-only operations (`debug-operations` feature, `debug_operations` option), so that every
//! language's tests can exercise errors, panics and cancellation without a network.

use crate::error::{Error, ErrorCode, Result};
use crate::Ductape;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

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
pub struct RendezvousRequest {
    /// Calls with the same name meet.
    pub name: String,
    /// How many calls must be in flight at once.
    pub parties: usize,
    /// How long one call waits for the others.
    pub timeout_ms: u64,
}

#[derive(Serialize, JsonSchema)]
pub struct RendezvousReply {
    /// Whether `parties` calls of this name were in flight at once.
    pub met: bool,
    /// How many had arrived when this call stopped waiting.
    pub arrived: usize,
}

/// One meeting: how many calls arrived (only grows, so that no caller misses the moment the party
/// was complete) and how many are still inside (the meeting is forgotten when the last one leaves,
/// so a name can be used again, by the next test or the next language's runner in one process).
struct Meeting {
    arrivals: Arc<watch::Sender<usize>>,
    inside: usize,
}

static MEETINGS: once_cell::sync::Lazy<Mutex<HashMap<String, Meeting>>> = once_cell::sync::Lazy::new(Default::default);

fn meetings() -> std::sync::MutexGuard<'static, HashMap<String, Meeting>> {
    MEETINGS.lock().unwrap_or_else(|p| p.into_inner())
}

/// Waits until `parties` calls named `name` have arrived. Tests of concurrency use it instead of
/// timing: N calls meet only if they run at the same time, however loaded the machine is.
pub async fn rendezvous(_: &Ductape, req: RendezvousRequest) -> Result<RendezvousReply> {
    let arrivals = {
        let mut all = meetings();
        let meeting = all
            .entry(req.name.clone())
            .or_insert_with(|| Meeting { arrivals: Arc::new(watch::channel(0).0), inside: 0 });
        meeting.inside += 1;
        meeting.arrivals.send_modify(|n| *n += 1);
        Arc::clone(&meeting.arrivals)
    };
    let _leave = Leave(req.name);
    let mut seen = arrivals.subscribe();
    let wait = seen.wait_for(|n| *n >= req.parties);
    let met = tokio::time::timeout(Duration::from_millis(req.timeout_ms), wait).await.is_ok();
    let arrived = *arrivals.borrow();
    Ok(RendezvousReply { met, arrived })
}

/// Leaves the meeting when the call ends, also when it is cancelled.
struct Leave(String);

impl Drop for Leave {
    fn drop(&mut self) {
        let mut all = meetings();
        if let Some(meeting) = all.get_mut(&self.0) {
            meeting.inside -= 1;
            if meeting.inside == 0 {
                all.remove(&self.0);
            }
        }
    }
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

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressRequest {
    /// How many events to report (step `tick`, done 1..=steps of steps).
    pub steps: u64,
    /// Pause before each event, in milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
}

#[derive(Serialize, JsonSchema)]
pub struct ProgressReply {
    pub reported: u64,
}

/// Reports `steps` progress events, so every binding can test its listener without Atlas.
pub async fn progress(_: &Ductape, req: ProgressRequest) -> Result<ProgressReply> {
    for done in 1..=req.steps {
        if req.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(req.delay_ms)).await;
        }
        crate::progress::report("tick", done, Some(req.steps), Some(format!("tick {done} of {}", req.steps)));
    }
    Ok(ProgressReply { reported: req.steps })
}
