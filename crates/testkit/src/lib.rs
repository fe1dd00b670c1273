//! Test support shared by the workspace's crates: a server process (Debian's redis-server, or
//! the built ferrodis-server) started on a free local port for one test, with persistence off
//! unless the test asks, and stopped when dropped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's redis-server, the reference the tests compare with.
pub const REDIS_SERVER: &str = "/usr/bin/redis-server";

/// A server process; killed when dropped.
#[derive(Debug)]
pub struct Spawned {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its port.
    pub port: u16,
    /// The process.
    pub child: Child,
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A local TCP port nothing listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `bin` on a free port of 127.0.0.1 without snapshots or AOF, then with `extra`
/// arguments (which may override those), and waits until it accepts connections. A server
/// that exits at once (its port was taken meanwhile) is tried again on another port.
pub fn spawn(bin: &str, extra: &[&str]) -> Spawned {
    assert!(
        Path::new(bin).exists(),
        "{bin} is not there: scripts/test.sh installs redis-server and builds ferrodis-server"
    );
    for _ in 0..5 {
        let port = free_port();
        let mut child = Command::new(bin)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--logfile", ""])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            if TcpStream::connect(addr).is_ok() {
                return Spawned { addr, port, child };
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("{bin} did not start");
}

/// Debian's redis-server with `extra` arguments.
pub fn redis(extra: &[&str]) -> Spawned {
    spawn(REDIS_SERVER, extra)
}
