//! Ending connections from the server side: CLIENT KILL with its TYPE filter (pub/sub clients
//! apart from normal ones, as Redis classifies them), shutdown, each reaching a connection
//! that is idle, waiting for its next request, or receiving pushed messages, and client
//! eviction under `maxmemory-clients`.

use crate::common::{render, start, text, Conn};
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
        admin.run("CLIENT LIST TYPE bogus").await,
        "(error) ERR Unknown client type 'bogus'"
    );

    // The subscriber gets a message, so its connection has taken pushes before it is killed.
    assert_eq!(admin.run("PUBLISH news hello").await, "(integer) 1");
    assert_eq!(
        render(&sub.read().await.unwrap()),
        r#"["message", "news", "hello"]"#
    );
    assert_eq!(admin.run("CLIENT KILL TYPE pubsub").await, "(integer) 1");
    sub.expect_closed().await;
    // The idle normal client is next; the caller is skipped.
    assert_eq!(admin.run("CLIENT KILL TYPE normal").await, "(integer) 1");
    idle.expect_closed().await;
    assert_eq!(admin.run("PING").await, "PONG");
}

#[tokio::test]
async fn shutdown_closes_idle_and_subscribed_connections() {
    let srv = start("").await;
    let mut idle = Conn::connect(srv.addr).await;
    let mut sub = Conn::connect(srv.addr).await;
    assert_eq!(idle.run("PING").await, "PONG");
    sub.cmd(&["SUBSCRIBE", "news"]).await;
    // Dropping the test server asks the server to shut down.
    drop(srv);
    idle.expect_closed().await;
    sub.expect_closed().await;
}

/// With `maxmemory-clients`, the client holding the most memory goes once the clients
/// together hold more than the limit; a client under CLIENT NO-EVICT stays.
#[tokio::test]
async fn client_eviction_disconnects_the_biggest_client() {
    let t = start("maxmemory-clients 1mb").await;
    let mut keeper = Conn::connect(t.addr).await;
    assert_eq!(keeper.run("CLIENT NO-EVICT on").await, "OK");
    let mut small = Conn::connect(t.addr).await;
    assert_eq!(small.run("PING").await, "PONG");
    // A 10 MB argument of which 2 MB have arrived: the query buffer holds them.
    let mut big = Conn::connect(t.addr).await;
    big.raw(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10000000\r\n")
        .await;
    big.raw(&vec![b'x'; 2_000_000]).await;
    big.expect_closed().await;
    let stats = text(&keeper.cmd(&["INFO", "stats"]).await);
    assert!(stats.contains("evicted_clients:1\r\n"), "{stats}");
    // The others are still served; memory use is back under the limit.
    assert_eq!(small.run("PING").await, "PONG");
    let memory = text(&keeper.cmd(&["INFO", "memory"]).await);
    let used: u64 = memory
        .lines()
        .find_map(|l| l.strip_prefix("mem_clients_normal:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(used < 1 << 20, "{used}");
}
