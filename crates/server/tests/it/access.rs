//! Who may connect and which commands answer: protected mode and `rename-command`, against an
//! in-process server.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use crate::common::{start, text, Conn};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpSocket, TcpStream};

/// A connection to `server` from 127.0.0.2: on the loopback interface, but not the address
/// Redis counts as local (only 127.0.0.1 and ::1 are).
async fn from_other_host(server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
    socket.connect(server).await.unwrap()
}

/// What the server sends before it closes the connection, with no request sent.
async fn greeting(mut stream: TcpStream) -> String {
    let mut got = Vec::new();
    stream.read_to_end(&mut got).await.unwrap();
    String::from_utf8(got).unwrap()
}

#[tokio::test]
async fn protected_mode_denies_remote_clients_without_a_password() {
    let t = start("").await;
    let denied = greeting(from_other_host(t.addr).await).await;
    assert!(
        denied.starts_with("-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user."),
        "{denied}"
    );
    assert!(denied.ends_with("from the outside.\r\n"), "{denied}");
    assert_eq!(t.srv.stats.rejected_connections.load(Ordering::Relaxed), 1);
    assert_eq!(t.srv.stats.connections.load(Ordering::Relaxed), 0);

    // The loopback address itself is served.
    let mut local = Conn::connect(t.addr).await;
    assert_eq!(text(&local.cmd(&["PING"]).await), "PONG");

    // Turning protected mode off at run time lets the remote client in.
    local.cmd(&["CONFIG", "SET", "protected-mode", "no"]).await;
    let mut remote = Conn::over(from_other_host(t.addr).await);
    assert_eq!(text(&remote.cmd(&["PING"]).await), "PONG");
}

#[tokio::test]
async fn protected_mode_lets_remote_clients_authenticate_when_a_password_is_set() {
    let t = start("requirepass s3cret").await;
    let mut remote = Conn::over(from_other_host(t.addr).await);
    assert_eq!(
        text(&remote.cmd(&["PING"]).await),
        "NOAUTH Authentication required."
    );
    assert_eq!(text(&remote.cmd(&["AUTH", "s3cret"]).await), "OK");
    assert_eq!(text(&remote.cmd(&["PING"]).await), "PONG");
}

#[tokio::test]
async fn renamed_and_disabled_commands() {
    let long = "b840fc02d524045429941cc15f59e41cb7be6c52";
    let t = start(&format!(
        "rename-command flushall \"\"\nrename-command config {long}"
    ))
    .await;
    let mut c = Conn::connect(t.addr).await;
    assert_eq!(
        text(&c.cmd(&["FLUSHALL"]).await),
        "ERR unknown command 'FLUSHALL', with args beginning with: "
    );
    assert_eq!(
        text(&c.cmd(&["CONFIG", "GET", "port"]).await),
        "ERR unknown command 'CONFIG', with args beginning with: 'GET' 'port' "
    );
    // The new name, in any case, runs the command, which keeps its own name elsewhere.
    let got = c
        .cmd(&[&long.to_uppercase(), "GET", "maxmemory-policy"])
        .await;
    assert_eq!(
        crate::common::render(&got),
        "[\"maxmemory-policy\", \"noeviction\"]"
    );
    let info = crate::common::render(&c.cmd(&["COMMAND", "INFO", long]).await);
    assert!(info.starts_with("[[\"config\", (integer) -2,"), "{info}");
    let count = text(&c.cmd(&["COMMAND", "COUNT"]).await);
    assert_eq!(count, (t.srv.table.len()).to_string());
    assert!(t.srv.table.get(b"flushall").is_none());
}
