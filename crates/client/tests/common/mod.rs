//! Servers for the client's integration tests: ferrodis in-process on port 0, Debian's
//! redis-server as a child process on a free port, and fake servers
//! that answer with whatever bytes a test wants.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, TcpListener as StdListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A ferrodis server running on the current Tokio runtime; stops when dropped.
pub struct Ferrodis {
    pub addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Starts ferrodis in-process with `directives` (redis.conf lines).
pub async fn ferrodis(directives: &str) -> Ferrodis {
    let mut config = ferrodis_server::base::config::Config::new();
    config.load_from_str(directives).expect("valid test config");
    let srv = ferrodis_server::build(config);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        ferrodis_server::net::run(srv, vec![listener], async move {
            let _ = rx.await;
        })
        .await;
    });
    Ferrodis { addr, _stop: tx }
}

/// A redis-server child process; killed when dropped.
pub struct Redis {
    pub addr: SocketAddr,
    pub port: u16,
    child: Child,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const REDIS_SERVER: &str = "/usr/bin/redis-server";

/// Starts Debian's redis-server on a free port with extra arguments. A missing
/// redis-server fails the test: scripts/test.sh installs it.
pub fn redis(extra: &[&str]) -> Redis {
    assert!(
        std::path::Path::new(REDIS_SERVER).exists(),
        "{REDIS_SERVER} is not installed: run scripts/test.sh, which installs it, or apt-get install redis-server"
    );
    for _ in 0..5 {
        let port = free_port();
        let mut cmd = Command::new(REDIS_SERVER);
        cmd.args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--logfile",
            "",
            "--loglevel",
            "warning",
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("spawn redis-server");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                break; // port taken or bad arguments: try another port
            }
            if std::net::TcpStream::connect(addr).is_ok() {
                return Redis { addr, port, child };
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("redis-server did not start");
}

pub fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fake server: for each connection, waits for the first request bytes, then
/// writes `reply` and either closes (`close`) or keeps the socket open, silent.
pub async fn fake_server(reply: &'static [u8], close: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let _ = sock.write_all(reply).await;
                if close {
                    let _ = sock.shutdown().await;
                    drop(sock);
                } else {
                    // Hold the connection open without answering anything else.
                    let mut sink = [0u8; 4096];
                    while let Ok(n) = sock.read(&mut sink).await {
                        if n == 0 {
                            break;
                        }
                    }
                }
            });
        }
    });
    addr
}

/// Two tests of one scenario: `$ferrodis` runs `$scenario` (an async function of the server's
/// address) against an in-process ferrodis configured by `$directives`, `$redis` against
/// Debian's redis-server started with `$redis_args`, so both servers answer the same checks.
// Like the rest of this module, shared by test binaries that do not all use it.
#[allow(unused_macros)]
macro_rules! against_both {
    ($ferrodis:ident, $redis:ident, $scenario:expr, $directives:expr, $redis_args:expr) => {
        #[tokio::test]
        async fn $ferrodis() {
            let server = common::ferrodis($directives).await;
            ($scenario)(server.addr).await;
        }

        #[tokio::test]
        async fn $redis() {
            let server = common::redis($redis_args);
            ($scenario)(server.addr).await;
        }
    };
}
#[allow(unused_imports)]
pub(crate) use against_both;
