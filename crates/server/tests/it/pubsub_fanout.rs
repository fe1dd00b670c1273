//! Pub/sub at scale against the real server binary: 10,000 subscribers of one channel each
//! receive 250 messages in publication order, while a subscriber that never reads is
//! disconnected by `client-output-buffer-limit pubsub` and the server's memory stays bounded.
//!
//! The server runs as its own process so that the test's 10,000 client sockets and the
//! server's 10,000 connections count against two descriptor limits, not one, and so that its
//! resident memory can be read from /proc.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SUBSCRIBERS: usize = 10_000;
const MESSAGES: usize = 250;
const BULK_SIZE: usize = 1 << 20;

/// The server process; killed when dropped so that a failing test leaves nothing behind.
struct ServerProcess {
    child: Child,
    port: u16,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    fn start() -> ServerProcess {
        // Bind port 0 to learn a free port, then hand it to the server.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_ferrodis-server"))
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--maxclients",
                "10100",
                "--loglevel",
                "warning",
                "--save",
                "",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        ServerProcess { child, port }
    }

    /// The server's resident set size in bytes.
    fn rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        kb * 1024
    }
}

/// Encodes a command as a RESP multibulk request.
fn request(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The exact bytes a RESP2 subscriber receives for `message` on `channel`.
fn message(channel: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = b"*3\r\n$7\r\nmessage\r\n".to_vec();
    for part in [channel, payload] {
        out.extend_from_slice(format!("${}\r\n", part.len()).as_bytes());
        out.extend_from_slice(part);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Reads until `buf` holds at least `n` bytes.
async fn read_at_least(s: &mut TcpStream, buf: &mut BytesMut, n: usize) {
    while buf.len() < n {
        let read = tokio::time::timeout(Duration::from_secs(60), s.read_buf(buf))
            .await
            .expect("data within 60 s")
            .unwrap();
        assert!(read > 0, "server closed the connection");
    }
}

/// Sends a command and reads one line-terminated reply (integers and simple strings only).
async fn simple_cmd(s: &mut TcpStream, args: &[&[u8]]) -> String {
    s.write_all(&request(args)).await.unwrap();
    let mut buf = BytesMut::new();
    loop {
        if let Some(end) = buf.windows(2).position(|w| w == b"\r\n") {
            return String::from_utf8_lossy(&buf[..end]).into_owned();
        }
        let want = buf.len() + 1;
        read_at_least(s, &mut buf, want).await;
    }
}

/// Sends a command whose reply is one bulk string and returns it.
async fn bulk_cmd(s: &mut TcpStream, args: &[&[u8]]) -> String {
    s.write_all(&request(args)).await.unwrap();
    let mut buf = BytesMut::new();
    loop {
        if let Some(end) = buf.windows(2).position(|w| w == b"\r\n") {
            let len: usize = std::str::from_utf8(&buf[1..end]).unwrap().parse().unwrap();
            let total = end + 2 + len + 2;
            read_at_least(s, &mut buf, total).await;
            return String::from_utf8_lossy(&buf[end + 2..end + 2 + len]).into_owned();
        }
        let want = buf.len() + 1;
        read_at_least(s, &mut buf, want).await;
    }
}

/// Connects and subscribes to `channels`, consuming the confirmations.
async fn subscriber(port: u16, channels: &[&[u8]]) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut args: Vec<&[u8]> = vec![b"SUBSCRIBE"];
    args.extend_from_slice(channels);
    s.write_all(&request(&args)).await.unwrap();
    let mut expected = Vec::new();
    for (i, ch) in channels.iter().enumerate() {
        expected.extend_from_slice(b"*3\r\n$9\r\nsubscribe\r\n");
        expected.extend_from_slice(format!("${}\r\n", ch.len()).as_bytes());
        expected.extend_from_slice(ch);
        expected.extend_from_slice(format!("\r\n:{}\r\n", i + 1).as_bytes());
    }
    let mut buf = BytesMut::new();
    read_at_least(&mut s, &mut buf, expected.len()).await;
    assert_eq!(&buf[..], &expected[..]);
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_subscribers_receive_every_message_in_order() {
    let server = ServerProcess::start();
    let port = server.port;
    let mut admin = loop {
        match TcpStream::connect(("127.0.0.1", port)).await {
            Ok(s) => break s,
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };
    assert_eq!(simple_cmd(&mut admin, &[b"PING"]).await, "+PONG");

    // Every subscriber must see exactly this byte stream: the messages, in publication order.
    let expected: Arc<Vec<u8>> = Arc::new(
        (0..MESSAGES)
            .flat_map(|i| message(b"news", format!("message-{i}").as_bytes()))
            .collect(),
    );

    // Subscribe in waves, so the listen backlog is never the bottleneck.
    let mut subs = Vec::with_capacity(SUBSCRIBERS);
    for wave in 0..SUBSCRIBERS / 500 {
        let joins: Vec<_> = (0..500)
            .map(|_| tokio::spawn(subscriber(port, &[b"news"])))
            .collect();
        for j in joins {
            subs.push(j.await.unwrap());
        }
        assert_eq!(subs.len(), (wave + 1) * 500);
    }
    let mut slow = subscriber(port, &[b"news", b"bulk"]).await;
    slow.write_all(&request(&[b"CLIENT", b"SETNAME", b"slow"]))
        .await
        .unwrap();
    // Its reply waits unread, as everything sent to it will.

    let readers: Vec<_> = subs
        .into_iter()
        .map(|mut s| {
            let expected = expected.clone();
            tokio::spawn(async move {
                let mut buf = BytesMut::with_capacity(4096);
                let mut checked = 0;
                while checked < expected.len() {
                    buf.clear();
                    let n = tokio::time::timeout(Duration::from_secs(120), s.read_buf(&mut buf))
                        .await
                        .expect("messages keep arriving")
                        .unwrap();
                    assert!(n > 0, "subscriber disconnected after {checked} bytes");
                    let end = checked + n;
                    assert!(end <= expected.len(), "more bytes than published");
                    assert_eq!(&buf[..], &expected[checked..end], "order at byte {checked}");
                    checked = end;
                }
            })
        })
        .collect();

    let mut publisher = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let rss_before = server.rss();
    let mut rss_peak = rss_before;
    let bulk = vec![b'x'; BULK_SIZE];
    let mut bulk_bytes = 0;
    for i in 0..MESSAGES {
        let payload = format!("message-{i}");
        let receivers =
            simple_cmd(&mut publisher, &[b"PUBLISH", b"news", payload.as_bytes()]).await;
        let receivers: usize = receivers.trim_start_matches(':').parse().unwrap();
        assert!(receivers >= SUBSCRIBERS, "{receivers} receivers");
        // After each ordinary message, a large one goes to the channel only the slow client
        // reads.
        simple_cmd(&mut publisher, &[b"PUBLISH", b"bulk", &bulk]).await;
        bulk_bytes += BULK_SIZE;
        rss_peak = rss_peak.max(server.rss());
    }
    let started = Instant::now();
    for r in readers {
        r.await.unwrap();
    }
    eprintln!(
        "{SUBSCRIBERS} subscribers received {MESSAGES} messages each; last reader done {:?} after the last publish",
        started.elapsed()
    );

    // The client that never read was disconnected at the pub/sub output-buffer limit...
    let clients = bulk_cmd(&mut admin, &[b"CLIENT", b"LIST"]).await;
    assert!(
        !clients.contains("name=slow"),
        "the non-reading subscriber is still connected"
    );
    // ...before the data queued for it could make the server grow without bound: it was sent
    // 250 MiB, and the limit is 32 MiB (hard) plus what the kernel's socket buffers hold.
    let growth = rss_peak.saturating_sub(rss_before);
    eprintln!(
        "{} MiB sent to the slow subscriber; server RSS grew by at most {} MiB",
        bulk_bytes >> 20,
        growth >> 20
    );
    assert!(bulk_bytes >= 200 << 20);
    assert!(
        growth < 100 << 20,
        "server memory grew by {growth} bytes while a subscriber did not read"
    );
    drop(slow.shutdown().await);
}
