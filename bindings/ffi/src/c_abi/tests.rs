use super::*;
use crate::DuctapeClient;
use std::ffi::c_void;
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn workdir(tag: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("ductape-c-abi-{tag}-{}", std::process::id()))
}

fn options(tag: &str) -> String {
    format!(r#"{{"debug_operations": true, "workspace_dir": {:?}}}"#, workdir(tag).to_string_lossy())
}

unsafe fn take(ptr: *mut u8, len: usize) -> String {
    let text = String::from_utf8(unsafe { std::slice::from_raw_parts(ptr, len) }.to_vec()).unwrap();
    unsafe { ductape_reply_free(ptr, len) };
    text
}

fn open(tag: &str) -> *mut DuctapeHandle {
    let o = options(tag);
    let handle = unsafe { ductape_open(o.as_ptr(), o.len(), std::ptr::null_mut(), std::ptr::null_mut()) };
    assert!(!handle.is_null());
    handle
}

fn call(handle: *const DuctapeHandle, op: &str, params: &str) -> String {
    let mut len = 0usize;
    unsafe { take(ductape_call(handle, op.as_ptr(), op.len(), params.as_ptr(), params.len(), &mut len), len) }
}

#[test]
fn calls_through_a_handle_answer_the_same_envelopes_as_uniffi() {
    let client = DuctapeClient::new(options("uniffi")).unwrap();
    let handle = client.native_handle() as usize as *mut DuctapeHandle;
    assert_eq!(call(handle, "debug.echo", r#"{"value":[1,"é"]}"#), r#"{"ok":true,"result":[1,"é"]}"#);
    assert_eq!(call(handle, "debug.echo", r#"{"value":1}"#), client.call("debug.echo".into(), r#"{"value":1}"#.into()));
    assert!(call(handle, "debug.panic", "{}").contains(r#""code":"internal""#));
    let bad = unsafe {
        let mut len = 0;
        take(ductape_call(handle, [0xffu8].as_ptr(), 1, std::ptr::null(), 0, &mut len), len)
    };
    assert!(bad.contains("invalid_argument") && bad.contains("not UTF-8"), "{bad}");
    assert!(call(std::ptr::null(), "debug.echo", "{}").contains("failed_precondition"));
    unsafe { ductape_handle_release(handle) };
    // The client outlives the released handle.
    assert_eq!(client.call("debug.echo".into(), r#"{"value":2}"#.into()), r#"{"ok":true,"result":2}"#);
    let _ = std::fs::remove_dir_all(workdir("uniffi"));
}

#[test]
fn open_answers_a_handle_or_an_error_envelope() {
    let handle = open("open");
    assert_eq!(call(handle, "debug.echo", r#"{"value":"x"}"#), r#"{"ok":true,"result":"x"}"#);
    unsafe { ductape_close(handle) };
    unsafe { ductape_close(std::ptr::null_mut()) };

    let (mut err, mut len) = (std::ptr::null_mut(), 0usize);
    let bad = r#"{"bogus": 1}"#;
    let handle = unsafe { ductape_open(bad.as_ptr(), bad.len(), &mut err, &mut len) };
    assert!(handle.is_null());
    let reply: serde_json::Value = serde_json::from_str(&unsafe { take(err, len) }).unwrap();
    assert_eq!((reply["ok"].as_bool(), reply["error"]["code"].as_str()), (Some(false), Some("invalid_argument")));
    assert_eq!(reply["error"]["field"], "bogus");
    let handle = unsafe { ductape_open([0xc3u8].as_ptr(), 1, &mut err, &mut len) };
    assert!(handle.is_null() && unsafe { take(err, len) }.contains("not UTF-8"));
    let _ = std::fs::remove_dir_all(workdir("open"));
}

#[test]
fn describe_and_version_need_no_client() {
    let mut len = 0;
    let text = unsafe { take(ductape_describe(&mut len), len) };
    let description: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(description["operations"].is_array() || description["operations"].is_object(), "{text:.200}");
    let version = unsafe { std::ffi::CStr::from_ptr(ductape_version()) };
    assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

/// Collects one async call's callbacks.
struct Seen {
    done: mpsc::Sender<(u64, String)>,
    progress: std::sync::Mutex<Vec<String>>,
}

extern "C" fn on_done(user_data: *mut c_void, task_id: u64, reply: *const u8, len: usize) {
    // The call's own reference, taken back: the test may drop its own as soon as it has the reply.
    let seen = unsafe { Arc::from_raw(user_data as *const Seen) };
    let text = String::from_utf8(unsafe { std::slice::from_raw_parts(reply, len) }.to_vec()).unwrap();
    seen.done.send((task_id, text)).unwrap();
}

extern "C" fn on_progress(user_data: *mut c_void, event: *const u8, len: usize) {
    let seen = unsafe { &*(user_data as *const Seen) };
    let text = String::from_utf8(unsafe { std::slice::from_raw_parts(event, len) }.to_vec()).unwrap();
    seen.progress.lock().unwrap().push(text);
}

fn start(handle: *const DuctapeHandle, op: &str, params: &str) -> (u64, Arc<Seen>, mpsc::Receiver<(u64, String)>) {
    let (tx, rx) = mpsc::channel();
    let seen = Arc::new(Seen { done: tx, progress: Default::default() });
    let data = Arc::into_raw(seen.clone()) as *mut c_void;
    let id = unsafe {
        ductape_call_async(
            handle,
            op.as_ptr(),
            op.len(),
            params.as_ptr(),
            params.len(),
            Some(on_progress),
            Some(on_done),
            data,
        )
    };
    (id, seen, rx)
}

#[test]
fn async_calls_answer_once_with_progress_and_cancel_promptly() {
    let handle = open("async");
    let (id, seen, rx) = start(handle, "debug.progress", r#"{"steps": 3}"#);
    let (done_id, reply) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!((done_id, reply.as_str()), (id, r#"{"ok":true,"result":{"reported":3}}"#));
    assert_eq!(seen.progress.lock().unwrap().len(), 3);
    assert!(!ductape_cancel(id), "a finished task is no longer open");

    // Cancelled in flight: the callback still comes, promptly, with `cancelled`. The call is inside
    // the operation when it is cancelled: it has reported progress (10,000 ticks 10 ms apart, 100 s).
    let (id, seen, rx) = start(handle, "debug.progress", r#"{"steps": 10000, "delay_ms": 10}"#);
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.progress.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the call to cancel never reported progress");
        assert!(rx.try_recv().is_err(), "the call to cancel ended before it was cancelled");
        std::thread::sleep(Duration::from_millis(1));
    }
    let t = Instant::now();
    assert!(ductape_cancel(id));
    let (_, reply) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(reply.contains(r#""code":"cancelled""#), "{reply}");
    assert!(t.elapsed() < Duration::from_secs(1));
    assert!(rx.recv_timeout(Duration::from_millis(100)).is_err(), "on_done comes exactly once");

    // Refused inputs come back through the callback as well; a panic is an error, not a crash.
    let (_, _seen, rx) = start(std::ptr::null(), "debug.echo", "{}");
    assert!(rx.recv_timeout(Duration::from_secs(5)).unwrap().1.contains("failed_precondition"));
    let (_, _seen, rx) = start(handle, "debug.panic", r#"{"message":"boom"}"#);
    assert!(rx.recv_timeout(Duration::from_secs(5)).unwrap().1.contains(r#""code":"internal""#));
    unsafe { ductape_close(handle) };
    let _ = std::fs::remove_dir_all(workdir("async"));
}

/// A progress callback whose user data is a `SyncSender<()>`: signals each event (the first one
/// reaches a waiting canceller; later ones find the channel full or closed and are dropped).
extern "C" fn signal_progress(user_data: *mut c_void, _event: *const u8, _len: usize) {
    let progressed = unsafe { &*(user_data as *const mpsc::SyncSender<()>) };
    let _ = progressed.try_send(());
}

#[test]
fn cancellable_blocking_calls_stop_from_another_thread_even_before_they_start() {
    let handle = open("cancellable");
    let run = |id: u64, op: &str, params: &str| run_cancellable(handle, id, op, params);
    // Cancelled from another thread while it runs: the canceller waits for the call's first
    // progress event (10,000 ticks 10 ms apart, 100 s), so the call is inside the operation.
    let id = ductape_task_new();
    let (progressed, first_progress) = mpsc::sync_channel::<()>(1);
    let canceller = std::thread::spawn(move || {
        first_progress.recv_timeout(Duration::from_secs(30)).expect("the call to cancel never reported progress");
        (Instant::now(), ductape_cancel(id))
    });
    let mut len = 0;
    let ptr = unsafe {
        let op = "debug.progress";
        let params = r#"{"steps": 10000, "delay_ms": 10}"#;
        ductape_call_cancellable(
            handle,
            id,
            op.as_ptr(),
            op.len(),
            params.as_ptr(),
            params.len(),
            Some(signal_progress),
            &progressed as *const mpsc::SyncSender<()> as *mut c_void,
            &mut len,
        )
    };
    let reply = unsafe { take(ptr, len) };
    let (cancelled_at, found) = canceller.join().unwrap();
    assert!(found, "the cancel found the running call");
    assert!(reply.contains(r#""code":"cancelled""#) && cancelled_at.elapsed() < Duration::from_secs(2), "{reply}");

    let early = ductape_task_new();
    assert!(ductape_cancel(early));
    assert!(run(early, "debug.echo", r#"{"value":1}"#).contains("cancelled"));
    assert!(run(early, "debug.echo", r#"{"value":1}"#).contains("already used"));
    assert_eq!(run(0, "debug.echo", r#"{"value":1}"#), r#"{"ok":true,"result":1}"#);
    let id = ductape_task_new();
    assert_eq!(run(id, "debug.echo", r#"{"value":2}"#), r#"{"ok":true,"result":2}"#);
    assert!(!ductape_cancel(id));
    unsafe { ductape_close(handle) };
    let _ = std::fs::remove_dir_all(workdir("cancellable"));
}

#[test]
fn finished_calls_leave_no_task_id_open() {
    // Other tests run in parallel and open ids of their own; wait until only ours could be left.
    let handle = open("ids");
    for _ in 0..20 {
        let (_, _seen, rx) = start(handle, "debug.echo", r#"{"value":0}"#);
        rx.recv_timeout(Duration::from_secs(5)).unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while tasks::open_task_ids() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(tasks::open_task_ids(), 0);
    unsafe { ductape_close(handle) };
    let _ = std::fs::remove_dir_all(workdir("ids"));
}

fn run_cancellable(handle: *const DuctapeHandle, id: u64, op: &str, params: &str) -> String {
    let mut len = 0;
    let ptr = unsafe {
        ductape_call_cancellable(
            handle,
            id,
            op.as_ptr(),
            op.len(),
            params.as_ptr(),
            params.len(),
            None,
            std::ptr::null_mut(),
            &mut len,
        )
    };
    unsafe { take(ptr, len) }
}

#[test]
fn an_async_call_s_id_given_to_a_blocking_call_is_refused_and_stays_cancellable() {
    let handle = open("async-id");
    let (id, _seen, rx) = start(handle, "debug.sleep", r#"{"ms": 30000}"#);
    let reply = run_cancellable(handle, id, "debug.echo", r#"{"value":1}"#);
    assert!(reply.contains(r#""code":"invalid_argument""#) && reply.contains("ductape_call_async"), "{reply}");
    assert!(ductape_cancel(id), "the async call is still cancellable by its id");
    let (_, reply) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(reply.contains(r#""code":"cancelled""#), "{reply}");

    // An id a blocking call holds is not lent to a second one either.
    let h = handle as usize;
    let held = ductape_task_new();
    let first = std::thread::spawn(move || run_cancellable(h as *const _, held, "debug.sleep", r#"{"ms": 30000}"#));
    std::thread::sleep(Duration::from_millis(50));
    let second = run_cancellable(handle, held, "debug.echo", r#"{"value":1}"#);
    assert!(second.contains(r#""code":"invalid_argument""#) && second.contains("already used"), "{second}");
    assert!(ductape_cancel(held), "the first call still holds its id");
    assert!(first.join().unwrap().contains(r#""code":"cancelled""#));
    unsafe { ductape_close(handle) };
    let _ = std::fs::remove_dir_all(workdir("async-id"));
}

#[test]
fn an_unused_task_id_is_released_by_ductape_task_free() {
    let handle = open("task-free");
    let id = ductape_task_new();
    assert!(ductape_cancel(id), "open until freed");
    assert!(ductape_task_free(id));
    assert!(!ductape_cancel(id), "released");
    assert!(!ductape_task_free(id), "freed once");
    assert!(run_cancellable(handle, id, "debug.echo", "{}").contains("already used"));
    // Ids a call holds are released by that call, not by ductape_task_free.
    let (async_id, _seen, rx) = start(handle, "debug.sleep", r#"{"ms": 30000}"#);
    assert!(!ductape_task_free(async_id));
    assert!(ductape_cancel(async_id));
    rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(!ductape_task_free(0));
    unsafe { ductape_close(handle) };
    let _ = std::fs::remove_dir_all(workdir("task-free"));
}
