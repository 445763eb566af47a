//! Accepting connections and framing messages: one task per connection, TLS first, then
//! length-prefixed messages. Anything malformed closes that connection only; a stalled
//! half-message is dropped after the stall timeout; buffers grow only as bytes arrive.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::timeout;

use super::commands::{self, Conn, Outcome};
use super::wire::HEADER_LEN;
use super::DataPlane;

/// Counts a connection task from spawn to end, however it ends.
struct Live(Arc<AtomicUsize>);

impl Live {
    fn new(n: &Arc<AtomicUsize>) -> Live {
        n.fetch_add(1, Ordering::SeqCst);
        Live(n.clone())
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

pub async fn accept_loop(
    socket: std::net::TcpListener,
    plane: Arc<DataPlane>,
    cluster_id: String,
    mut stop: watch::Receiver<bool>,
) {
    let Ok(listener) = TcpListener::from_std(socket) else { return };
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => {
                    if plane.live_connections() >= plane.config.max_connections {
                        continue; // dropped: closed at once
                    }
                    let live = Live::new(&plane.live);
                    let task = serve(tcp, plane.clone(), cluster_id.clone(), stop.clone(), live);
                    tokio::spawn(task);
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            _ = stop.changed() => return,
        }
    }
}

async fn serve(
    tcp: TcpStream,
    plane: Arc<DataPlane>,
    cluster_id: String,
    mut stop: watch::Receiver<bool>,
    _live: Live,
) {
    let _ = tcp.set_nodelay(true);
    let Ok(local) = tcp.local_addr() else { return };
    let stall = plane.config.stall_timeout;
    let Ok(Ok(mut tls)) = timeout(stall, plane.tls.acceptor.accept(tcp)).await else { return };
    let mut conn = Conn::new(i64::from(plane.next_id()), cluster_id, plane.advertised(local.port()));
    tokio::select! {
        _ = session(&mut tls, &mut conn, &plane) => {}
        _ = stop.changed() => {}
    }
    let _ = timeout(stall, tls.shutdown()).await;
}

async fn session<S: AsyncRead + AsyncWrite + Unpin>(s: &mut S, conn: &mut Conn, plane: &DataPlane) {
    let (max, stall) = (plane.config.max_message_bytes, plane.config.stall_timeout);
    while let Ok(Some(msg)) = read_message(s, max, stall).await {
        match commands::handle_message(conn, plane, &msg) {
            Outcome::Reply(bytes) => {
                // A client that never reads its answers must not hold the task forever either.
                let written = timeout(stall, async { s.write_all(&bytes).await.and(s.flush().await) }).await;
                if !matches!(written, Ok(Ok(()))) {
                    return;
                }
            }
            Outcome::Silent => {}
            Outcome::Close => return,
        }
    }
}

fn invalid(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.to_string())
}

async fn read_timed<S: AsyncRead + Unpin>(s: &mut S, buf: &mut [u8], stall: Duration) -> std::io::Result<usize> {
    match timeout(stall, s.read(buf)).await {
        Ok(Ok(0)) => Err(std::io::ErrorKind::UnexpectedEof.into()),
        Ok(r) => r,
        Err(_) => Err(std::io::ErrorKind::TimedOut.into()),
    }
}

/// Reads one whole message. `Ok(None)`: the client closed between messages. A connection may
/// idle as long as it likes between messages (pooled connections do), but once a message has
/// begun each read must make progress within `stall`.
pub async fn read_message<S: AsyncRead + Unpin>(
    s: &mut S,
    max: usize,
    stall: Duration,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut len4 = [0u8; 4];
    if s.read(&mut len4[..1]).await? == 0 {
        return Ok(None);
    }
    let mut have = 1;
    while have < 4 {
        have += read_timed(s, &mut len4[have..], stall).await?;
    }
    let len = i32::from_le_bytes(len4);
    let len = usize::try_from(len).ok().filter(|l| *l >= HEADER_LEN && *l <= max);
    let Some(len) = len else { return Err(invalid("message length out of bounds")) };
    const STEP: usize = 64 * 1024;
    let mut buf = Vec::with_capacity(len.min(STEP));
    buf.extend_from_slice(&len4);
    while buf.len() < len {
        let start = buf.len();
        buf.resize(len.min(start + STEP), 0);
        let n = read_timed(s, &mut buf[start..], stall).await?;
        buf.truncate(start + n);
    }
    Ok(Some(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
    }

    #[test]
    fn framing_reads_whole_messages_and_refuses_bad_lengths() {
        run(async {
            let stall = Duration::from_millis(100);
            let mut two: &[u8] = &[20, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 0, 0, 0];
            assert_eq!(read_message(&mut two, 1000, stall).await.unwrap().unwrap().len(), 20);
            assert!(read_message(&mut two, 1000, stall).await.is_err(), "a message cut short");
            let mut empty: &[u8] = &[];
            assert!(read_message(&mut empty, 1000, stall).await.unwrap().is_none());
            for bad in [[3u8, 0, 0, 0], [0xff, 0xff, 0xff, 0xff], [0xe9, 0x03, 0, 0]] {
                let mut b: &[u8] = &bad;
                assert!(read_message(&mut b, 1000, stall).await.is_err(), "{bad:?}");
            }
        });
    }

    #[test]
    fn a_stalled_half_message_times_out() {
        run(async {
            let (mut client, mut server) = tokio::io::duplex(64);
            client.write_all(&[100, 0, 0, 0, 1, 2]).await.unwrap();
            let t = std::time::Instant::now();
            let r = read_message(&mut server, 1000, Duration::from_millis(100)).await;
            assert_eq!(r.unwrap_err().kind(), std::io::ErrorKind::TimedOut);
            assert!(t.elapsed() < Duration::from_secs(2));
            drop(client);
        });
    }
}
