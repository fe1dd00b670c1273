//! Ending connections from the server side: CLIENT KILL with its TYPE filter (pub/sub clients
//! apart from normal ones, as Redis classifies them), and shutdown, each reaching a connection
//! that is idle, waiting for its next request, or receiving pushed messages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{render, start, text, Conn};

async fn run(c: &mut Conn, line: &str) -> String {
    let args: Vec<&str> = line.split(' ').collect();
    render(&c.cmd(&args).await)
}

/// The ids listed by a CLIENT LIST reply.
fn ids(list: &str) -> Vec<u64> {
    list.lines()
        .filter_map(|l| l.strip_prefix("id=")?.split(' ').next()?.parse().ok())
        .collect()
}

#[tokio::test]
async fn type_filters_tell_subscribers_from_normal_clients() {
    let srv = start("").await;
    let mut admin = Conn::connect(srv.addr).await;
    let mut idle = Conn::connect(srv.addr).await;
    let mut sub = Conn::connect(srv.addr).await;
    let admin_id: u64 = text(&admin.cmd(&["CLIENT", "ID"]).await).parse().unwrap();
    let idle_id: u64 = text(&idle.cmd(&["CLIENT", "ID"]).await).parse().unwrap();
    let sub_id: u64 = text(&sub.cmd(&["CLIENT", "ID"]).await).parse().unwrap();
    sub.cmd(&["SUBSCRIBE", "news"]).await;

    let pubsub = text(&admin.cmd(&["CLIENT", "LIST", "TYPE", "pubsub"]).await);
    assert_eq!(ids(&pubsub), vec![sub_id]);
    let mut normal = ids(&text(
        &admin.cmd(&["CLIENT", "LIST", "TYPE", "normal"]).await,
    ));
    normal.sort_unstable();
    assert_eq!(normal, vec![admin_id, idle_id]);
    assert_eq!(
        text(&admin.cmd(&["CLIENT", "LIST", "TYPE", "master"]).await),
        ""
    );
    assert_eq!(
        run(&mut admin, "CLIENT LIST TYPE bogus").await,
        "(error) ERR Unknown client type 'bogus'"
    );

    // The subscriber gets a message, so its connection has taken pushes before it is killed.
    assert_eq!(run(&mut admin, "PUBLISH news hello").await, "(integer) 1");
    assert_eq!(
        render(&sub.read().await.unwrap()),
        r#"["message", "news", "hello"]"#
    );
    assert_eq!(
        run(&mut admin, "CLIENT KILL TYPE pubsub").await,
        "(integer) 1"
    );
    sub.expect_closed().await;
    // The idle normal client is next; the caller is skipped.
    assert_eq!(
        run(&mut admin, "CLIENT KILL TYPE normal").await,
        "(integer) 1"
    );
    idle.expect_closed().await;
    assert_eq!(run(&mut admin, "PING").await, "PONG");
}

#[tokio::test]
async fn shutdown_closes_idle_and_subscribed_connections() {
    let srv = start("").await;
    let mut idle = Conn::connect(srv.addr).await;
    let mut sub = Conn::connect(srv.addr).await;
    assert_eq!(run(&mut idle, "PING").await, "PONG");
    sub.cmd(&["SUBSCRIBE", "news"]).await;
    // Dropping the test server asks the server to shut down.
    drop(srv);
    idle.expect_closed().await;
    sub.expect_closed().await;
}
