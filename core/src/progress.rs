//! Progress of long operations (a network sync that waits for Atlas, an import that waits for a
//! user to propagate), delivered while the call runs to a listener the caller passed with it.
//!
//! One mechanism for every long operation and every binding: a handler calls [`report`]; the
//! event goes, as a [`ProgressEvent`], to the listener of the call it runs in (a task-local set by [`with_listener`], so no handler signature carries
//! it). A call without a listener pays one task-local lookup per event. Bindings turn the
//! listener into their language's callback: uniffi callback interfaces (Java/Kotlin, Python),
//! a C function pointer with `user_data` (Go, .NET), a JavaScript function (TypeScript).
//!
//! Events are also logged at debug level. A listener runs on whichever thread the call runs on
//! and must return quickly; a listener that panics is caught, logged once, and not called again
//! for that call (the operation itself carries on).

use serde::Serialize;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// One progress event. Its JSON form (`to_json`) is what every binding hands its callback.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressEvent {
    /// The operation reporting, `cloud.connections.syncNetworkAccess`.
    pub operation: String,
    /// Stable step name, snake_case: `read_access_list`, `wait_active`.
    pub step: String,
    /// Units of this step done so far.
    pub done: u64,
    /// Units this step has in all, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Milliseconds since the call started.
    pub elapsed_ms: u64,
    /// A short human sentence, never a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl ProgressEvent {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a progress event serialises")
    }
}

/// What a caller passes to receive events.
pub type Listener = Arc<dyn Fn(&ProgressEvent) + Send + Sync>;

struct Scope {
    operation: String,
    started: Instant,
    listener: Listener,
    broken: AtomicBool,
}

tokio::task_local! {
    static SCOPE: Arc<Scope>;
}

/// Runs `f` (one call of `operation`) with `listener` receiving its progress events.
pub async fn with_listener<F: Future>(operation: &str, listener: Option<Listener>, f: F) -> F::Output {
    match listener {
        None => f.await,
        Some(listener) => {
            let scope =
                Scope { operation: operation.to_string(), started: Instant::now(), listener, broken: false.into() };
            SCOPE.scope(Arc::new(scope), f).await
        }
    }
}

/// Whether the running call has a listener (to skip building costly messages).
pub fn listening() -> bool {
    SCOPE.try_with(|_| ()).is_ok()
}

/// Reports `done` of `total` units of `step` to the running call's listener, if any.
pub fn report(step: &str, done: u64, total: Option<u64>, message: Option<String>) {
    tracing::debug!(step, done, total, message = message.as_deref().unwrap_or(""), "progress");
    let _ = SCOPE.try_with(|scope| {
        if scope.broken.load(Ordering::Relaxed) {
            return;
        }
        let event = ProgressEvent {
            operation: scope.operation.clone(),
            step: step.to_string(),
            done,
            total,
            elapsed_ms: scope.started.elapsed().as_millis().try_into().unwrap_or(u64::MAX),
            message,
        };
        if catch_unwind(AssertUnwindSafe(|| (scope.listener)(&event))).is_err() {
            scope.broken.store(true, Ordering::Relaxed);
            tracing::warn!(operation = %scope.operation, "a progress listener panicked; no more events for this call");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn recorder() -> (Listener, Arc<Mutex<Vec<ProgressEvent>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        (Arc::new(move |e: &ProgressEvent| s.lock().unwrap().push(e.clone())), seen)
    }

    #[tokio::test]
    async fn events_reach_the_listener_of_their_call_only() {
        let (listener, seen) = recorder();
        with_listener("op.a", Some(listener), async {
            assert!(listening());
            report("read", 1, Some(2), None);
            report("read", 2, Some(2), Some("done".into()));
        })
        .await;
        // Outside any call, and in a call without a listener: nothing, and no failure.
        report("stray", 0, None, None);
        with_listener("op.b", None, async { report("quiet", 0, None, None) }).await;
        let seen = seen.lock().unwrap();
        let steps: Vec<_> = seen.iter().map(|e| (e.operation.as_str(), e.step.as_str(), e.done)).collect();
        assert_eq!(steps, [("op.a", "read", 1), ("op.a", "read", 2)]);
        assert_eq!(
            serde_json::to_value(&seen[1]).unwrap(),
            serde_json::json!({"operation": "op.a", "step": "read", "done": 2, "total": 2,
                               "elapsed_ms": seen[1].elapsed_ms, "message": "done"})
        );
    }

    #[tokio::test]
    async fn a_panicking_listener_is_dropped_and_the_call_goes_on() {
        let calls = Arc::new(Mutex::new(0));
        let c = calls.clone();
        let listener: Listener = Arc::new(move |_| {
            *c.lock().unwrap() += 1;
            panic!("listener bug");
        });
        let out = with_listener("op", Some(listener), async {
            report("a", 0, None, None);
            report("b", 0, None, None);
            7
        })
        .await;
        assert_eq!((out, *calls.lock().unwrap()), (7, 1));
    }
}
