//! CONFIG SET port and bind open and close listening sockets while the server runs, and roll
//! every parameter of the call back when a socket cannot be opened.

use crate::common::{free_port, start, text, Conn};
#[tokio::test]
async fn config_set_port_moves_the_listener_and_rolls_back_on_failure() {
    let srv = start("bind 127.0.0.1").await;
    let mut c = Conn::connect(srv.addr).await;

    // A port someone else holds: the call fails as a whole.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_port = busy.local_addr().unwrap().port().to_string();
    let reply = c
        .cmd(&["CONFIG", "SET", "maxmemory", "10000001", "port", &busy_port])
        .await;
    assert_eq!(
        text(&reply),
        "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs."
    );
    let maxmemory = c.cmd(&["CONFIG", "GET", "maxmemory"]).await;
    assert!(format!("{maxmemory:?}").contains("\"0\""), "{maxmemory:?}");

    // A free port: new connections are accepted there, and existing ones stay.
    let port = free_port();
    let reply = c.cmd(&["CONFIG", "SET", "port", &port.to_string()]).await;
    assert_eq!(text(&reply), "OK");
    let mut moved = Conn::connect(([127, 0, 0, 1], port).into()).await;
    assert_eq!(text(&moved.cmd(&["PING"]).await), "PONG");
    assert_eq!(text(&c.cmd(&["PING"]).await), "PONG");

    // An address the machine does not have: bind fails and nothing changes.
    let reply = c.cmd(&["CONFIG", "SET", "bind", "192.0.2.1"]).await;
    assert_eq!(
        text(&reply),
        "ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses."
    );
    let mut again = Conn::connect(([127, 0, 0, 1], port).into()).await;
    assert_eq!(text(&again.cmd(&["PING"]).await), "PONG");
}
