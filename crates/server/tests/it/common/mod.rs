//! Shared helpers for the server's integration tests: an in-process server on port 0 and a
//! minimal RESP client that can also send raw bytes.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use ferrodis_server::base::config::Config;
use ferrodis_server::base::reply::Out;
use ferrodis_server::dispatch::execute;
use ferrodis_server::dispatch::Server;
use ferrodis_server::state::client::Client;
use resp::Frame;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A server running in this process; it stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub srv: Arc<Server>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Starts a server with `directives` (redis.conf lines) applied over the defaults.
pub async fn start(directives: &str) -> TestServer {
    let mut config = Config::new();
    // No save points: a test server never writes dump.rdb into the source tree by itself.
    config
        .load_from_str(&format!("save \"\"\n{directives}"))
        .expect("valid test configuration");
    let srv = ferrodis_server::build(config);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let s = srv.clone();
    tokio::spawn(async move {
        ferrodis_server::net::run(s, vec![listener], async move {
            let _ = rx.await;
        })
        .await;
    });
    TestServer {
        addr,
        srv,
        _stop: tx,
    }
}

/// A TCP port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A test connection.
pub struct Conn {
    pub stream: TcpStream,
    buf: BytesMut,
}

impl Conn {
    pub async fn connect(addr: SocketAddr) -> Conn {
        Conn::over(TcpStream::connect(addr).await.unwrap())
    }

    /// A test connection over a stream connected by other means.
    pub fn over(stream: TcpStream) -> Conn {
        Conn {
            stream,
            buf: BytesMut::new(),
        }
    }

    /// Sends a command as a multibulk request and reads its reply.
    pub async fn cmd(&mut self, args: &[&str]) -> Frame {
        let mut out = BytesMut::new();
        resp::encode_request(args, &mut out);
        self.stream.write_all(&out).await.unwrap();
        self.read().await.expect("a reply")
    }

    /// Sends a command line (split on spaces) and renders its reply as `render` does.
    pub async fn run(&mut self, line: &str) -> String {
        let args: Vec<&str> = line.split(' ').collect();
        render(&self.cmd(&args).await)
    }

    /// Sends raw bytes.
    pub async fn raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    /// Reads one reply, or `None` if the server closed the connection first.
    pub async fn read(&mut self) -> Option<Frame> {
        loop {
            if let Some(f) = resp::decode_frame_bytes(&mut self.buf).unwrap() {
                return Some(f);
            }
            let n =
                tokio::time::timeout(Duration::from_secs(10), self.stream.read_buf(&mut self.buf))
                    .await
                    .expect("reply within 10 s")
                    .unwrap_or(0);
            if n == 0 {
                return None;
            }
        }
    }

    /// Waits until the server closes the connection, failing after 10 s.
    pub async fn expect_closed(&mut self) {
        let mut scratch = [0u8; 4096];
        loop {
            let n = tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut scratch))
                .await
                .expect("connection closed within 10 s")
                .unwrap_or(0);
            if n == 0 {
                return;
            }
        }
    }
}

/// A simple-string, error or bulk reply as text.
pub fn text(f: &Frame) -> String {
    match f {
        Frame::Simple(b) | Frame::Error(b) | Frame::Bulk(b) => {
            String::from_utf8_lossy(b).into_owned()
        }
        Frame::Integer(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

/// A server and one client talking to it directly.
pub struct Session {
    srv: Arc<Server>,
    client: Client,
    out: Out,
}

impl Session {
    pub fn new() -> Self {
        Session::with("")
    }

    /// A session with a server configured by `directives` (redis.conf lines).
    pub fn with(directives: &str) -> Self {
        let mut config = Config::new();
        config
            .load_from_str(&format!("save \"\"\n{directives}"))
            .expect("valid test configuration");
        let srv = ferrodis_server::build(config);
        let client = Client::new(srv.detached_handle(), true);
        Session {
            srv,
            client,
            out: Out::new(2),
        }
    }

    /// Runs one command line (split on spaces) and renders its reply.
    pub fn run(&mut self, line: &str) -> String {
        let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        render(&self.call(&args))
    }

    /// Runs one command given as (binary) arguments and returns its one reply.
    pub fn call(&mut self, args: &[&[u8]]) -> Frame {
        let args: Vec<Bytes> = args.iter().map(|a| Bytes::copy_from_slice(a)).collect();
        execute(&self.srv, &mut self.client, &mut self.out, &args);
        let mut buf = BytesMut::from(&self.out.buf[..]);
        self.out.buf.clear();
        let frame = resp::decode_frame_bytes(&mut buf)
            .unwrap()
            .expect("a whole reply");
        assert!(buf.is_empty(), "one reply per command");
        frame
    }
}

pub fn render(f: &Frame) -> String {
    match f {
        Frame::Simple(s) => String::from_utf8_lossy(s).into_owned(),
        Frame::Error(e) => format!("(error) {}", String::from_utf8_lossy(e)),
        Frame::Integer(n) => format!("(integer) {n}"),
        Frame::Bulk(b) => format!("\"{}\"", String::from_utf8_lossy(b)),
        Frame::Null | Frame::NullArray => "(nil)".into(),
        Frame::Array(items) => {
            let inner: Vec<String> = items.iter().map(render).collect();
            format!("[{}]", inner.join(", "))
        }
        other => format!("{other:?}"),
    }
}

/// Runs a transcript over several connections: each step is (connection, command line, the
/// reply as `render` prints it).
pub async fn transcript(conns: &mut [Conn], steps: &[(usize, &str, &str)]) {
    for (i, (who, line, want)) in steps.iter().enumerate() {
        assert_eq!(conns[*who].run(line).await, *want, "step {i}: {line}");
    }
}

/// `check` of cases built at run time.
pub fn check_owned(cases: &[(String, String)]) {
    let refs: Vec<(&str, &str)> = cases
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    check(&refs);
}

/// Pairs of text as owned strings, to extend cases built at run time.
pub fn owned<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = (String, String)> + 'a {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string()))
}

/// Runs `cases` (command, expected reply) in order in one session.
pub fn check(cases: &[(&str, &str)]) {
    let mut s = Session::new();
    for (cmd, want) in cases {
        assert_eq!(s.run(cmd), *want, "command: {cmd}");
    }
}
