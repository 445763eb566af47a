//! The core's progress events on standard error: a spinner (or a bar when the step's total is
//! known) on a terminal, one plain line per event otherwise (logs, CI, pipes).

use ductape_core::progress::{Listener, ProgressEvent};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One call's display; [`Display::finish`] leaves the last state on screen.
pub struct Display {
    bar: Option<Arc<Mutex<Option<ProgressBar>>>>,
}

/// A plain line for an event: `ductape: wait_active 1/1 (1203 ms) 203.0.113.0/24 ACTIVE`.
pub fn plain_line(e: &ProgressEvent) -> String {
    let total = e.total.map(|t| format!("/{t}")).unwrap_or_default();
    let message = e.message.as_deref().map(|m| format!(" {m}")).unwrap_or_default();
    format!("ductape: {} {}{total} ({} ms){message}", e.step, e.done, e.elapsed_ms)
}

fn style(with_total: bool) -> ProgressStyle {
    let template = if with_total {
        "  {spinner} {prefix:<18} [{bar:24}] {pos}/{len} {elapsed:>4} {wide_msg}"
    } else {
        "  {spinner} {prefix:<18} {elapsed:>4} {wide_msg}"
    };
    ProgressStyle::with_template(template).expect("a valid template").progress_chars("=> ")
}

impl Display {
    /// A listener for one call, drawing on a terminal or printing lines (`indent` before each).
    pub fn start(indent: &'static str) -> (Display, Listener) {
        if !std::io::stderr().is_terminal() {
            let listener: Listener = Arc::new(move |e: &ProgressEvent| eprintln!("{indent}{}", plain_line(e)));
            return (Display { bar: None }, listener);
        }
        let slot: Arc<Mutex<Option<ProgressBar>>> = Arc::new(Mutex::new(None));
        let shared = slot.clone();
        let listener: Listener = Arc::new(move |e: &ProgressEvent| {
            let mut slot = shared.lock().unwrap_or_else(|p| p.into_inner());
            // A new step gets its own line; the finished one stays above it.
            if slot.as_ref().is_some_and(|b| b.prefix() != e.step) {
                if let Some(b) = slot.take() {
                    b.finish();
                }
            }
            let bar = slot.get_or_insert_with(|| {
                let b = ProgressBar::with_draw_target(e.total, ProgressDrawTarget::stderr());
                b.set_style(style(e.total.is_some()));
                b.set_prefix(e.step.clone());
                b.enable_steady_tick(Duration::from_millis(100));
                b
            });
            if let Some(t) = e.total {
                bar.set_length(t);
            }
            bar.set_position(e.done);
            bar.set_message(e.message.clone().unwrap_or_default());
        });
        (Display { bar: Some(slot) }, listener)
    }

    pub fn finish(self) {
        if let Some(slot) = self.bar {
            if let Some(b) = slot.lock().unwrap_or_else(|p| p.into_inner()).take() {
                b.finish();
            }
        }
    }
}
