//! Servers for the client's integration tests: ferrodis in-process on port 0, Debian's
//! redis-server as a child process on a free port, and fake servers
//! that answer with whatever bytes a test wants.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;

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
    // No save points: a test server never writes dump.rdb into the source tree by itself.
    config
        .load_from_str(&format!("save \"\"\n{directives}"))
        .expect("valid test config");
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

#[allow(unused_imports)]
pub use testkit::{free_port, REDIS_SERVER};

/// A redis-server child process; killed when dropped.
pub type Redis = testkit::Spawned;

/// Starts Debian's redis-server on a free port with extra arguments. A missing
/// redis-server fails the test: scripts/test.sh installs it.
pub fn redis(extra: &[&str]) -> Redis {
    let mut args = vec!["--daemonize", "no", "--loglevel", "warning"];
    args.extend_from_slice(extra);
    testkit::redis(&args)
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
