//! Client-side caching (CLIENT TRACKING) over real connections: invalidation pushes and
//! redirected Pub/Sub messages, their order relative to replies, BCAST prefixes, NOLOOP,
//! OPTIN/OPTOUT, flushes, the table limit, broken redirects and the introspection commands.

use std::time::Duration;

use crate::common::{start, text, Conn, TestServer};
use resp::Frame;

/// An `invalidate` push carrying these keys, as RESP3 clients receive it.
fn invalidate(keys: &[&str]) -> Frame {
    Frame::Push(vec![
        Frame::bulk("invalidate"),
        Frame::Array(keys.iter().map(|k| Frame::bulk(k.to_string())).collect()),
    ])
}

/// A RESP2 invalidation message on `__redis__:invalidate` carrying these keys.
fn message(keys: &[&str]) -> Frame {
    Frame::Array(vec![
        Frame::bulk("message"),
        Frame::bulk("__redis__:invalidate"),
        Frame::Array(keys.iter().map(|k| Frame::bulk(k.to_string())).collect()),
    ])
}

/// A connection switched to RESP3.
async fn resp3(addr: std::net::SocketAddr) -> Conn {
    let mut c = Conn::connect(addr).await;
    assert!(matches!(c.cmd(&["HELLO", "3"]).await, Frame::Map(_)));
    c
}

/// A RESP2 connection subscribed to the invalidation channel, and its id.
async fn redirect_target(addr: std::net::SocketAddr) -> (Conn, String) {
    let mut c = Conn::connect(addr).await;
    let id = text(&c.cmd(&["CLIENT", "ID"]).await);
    c.cmd(&["SUBSCRIBE", "__redis__:invalidate"]).await;
    (c, id)
}

/// Sends a PING and returns what arrives before its PONG.
async fn before_pong(c: &mut Conn) -> Vec<Frame> {
    let mut seen = Vec::new();
    let mut f = c.cmd(&["PING"]).await;
    while f != Frame::Simple("PONG".into()) {
        seen.push(f);
        f = c.read().await.expect("PONG");
    }
    seen
}

/// Asserts CLIENT INFO shows exactly `flags` for `c`.
async fn assert_flags(c: &mut Conn, flags: &str) {
    let line = text(&c.cmd(&["CLIENT", "INFO"]).await);
    assert!(line.contains(&format!("flags={flags} ")), "{line}");
}

/// A client tracking in the default mode with its invalidations redirected to another,
/// returned first.
async fn tracking_redirected(s: &TestServer) -> (Conn, Conn) {
    let (redir, id) = redirect_target(s.addr).await;
    let mut r = Conn::connect(s.addr).await;
    r.cmd(&["CLIENT", "TRACKING", "on", "REDIRECT", &id]).await;
    (redir, r)
}

#[tokio::test]
async fn resp3_push_after_another_client_writes() {
    let s = start("").await;
    let mut r = resp3(s.addr).await;
    let mut w = Conn::connect(s.addr).await;
    assert_eq!(text(&r.cmd(&["CLIENT", "TRACKING", "on"]).await), "OK");
    w.cmd(&["SET", "k", "1"]).await;
    assert_eq!(text(&r.cmd(&["GET", "k"]).await), "1");
    w.cmd(&["SET", "k", "2"]).await;
    assert_eq!(r.read().await.unwrap(), invalidate(&["k"]));
    // One-shot: a second change is not reported until the key is read again.
    w.cmd(&["SET", "k", "3"]).await;
    assert!(before_pong(&mut r).await.is_empty());
    // A key that was never read is not reported.
    w.cmd(&["SET", "other", "1"]).await;
    assert!(before_pong(&mut r).await.is_empty());
}

#[tokio::test]
async fn own_write_invalidation_follows_the_reply() {
    let s = start("").await;
    let mut r = resp3(s.addr).await;
    r.cmd(&["CLIENT", "TRACKING", "on"]).await;
    r.cmd(&["HSET", "h", "f", "1"]).await;
    r.cmd(&["HGET", "h", "f"]).await;
    assert_eq!(r.cmd(&["HDEL", "h", "f"]).await, Frame::Integer(1));
    assert_eq!(r.read().await.unwrap(), invalidate(&["h"]));
    // Inside a transaction the invalidation comes after EXEC's whole reply.
    r.cmd(&["MSET", "a", "1", "b", "2"]).await;
    r.cmd(&["GET", "a"]).await;
    r.cmd(&["MULTI"]).await;
    r.cmd(&["INCR", "a"]).await;
    r.cmd(&["GET", "b"]).await;
    assert_eq!(
        r.cmd(&["EXEC"]).await,
        Frame::Array(vec![Frame::Integer(2), Frame::bulk("2")])
    );
    assert_eq!(r.read().await.unwrap(), invalidate(&["a"]));
}

#[tokio::test]
async fn redirect_to_resp2_subscriber_and_noloop() {
    let s = start("").await;
    let (mut redir, id) = redirect_target(s.addr).await;
    let mut r = Conn::connect(s.addr).await;
    let mut w = Conn::connect(s.addr).await;
    let on = r
        .cmd(&["CLIENT", "TRACKING", "on", "REDIRECT", &id, "NOLOOP"])
        .await;
    assert_eq!(text(&on), "OK");
    assert_eq!(text(&r.cmd(&["CLIENT", "GETREDIR"]).await), id);
    r.cmd(&["MGET", "x", "mine", "y"]).await;
    w.cmd(&["SET", "x", "1"]).await;
    r.cmd(&["SET", "mine", "1"]).await;
    w.cmd(&["SET", "y", "1"]).await;
    assert_eq!(redir.read().await.unwrap(), message(&["x"]));
    assert_eq!(redir.read().await.unwrap(), message(&["y"]));
    let list = text(&r.cmd(&["CLIENT", "INFO"]).await);
    assert!(list.contains("flags=t "), "{list}");
    assert!(list.contains(&format!("redir={id} ")), "{list}");
}

#[tokio::test]
async fn bcast_prefixes_batch_per_prefix() {
    let s = start("").await;
    let (mut redir, id) = redirect_target(s.addr).await;
    let mut r = Conn::connect(s.addr).await;
    let on = r
        .cmd(&[
            "CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", &id, "PREFIX", "a:", "PREFIX", "b:",
        ])
        .await;
    assert_eq!(text(&on), "OK");
    r.cmd(&["MULTI"]).await;
    for k in ["a:1", "a:2", "b:1", "c:1"] {
        r.cmd(&["INCR", k]).await;
    }
    r.cmd(&["EXEC"]).await;
    assert_eq!(redir.read().await.unwrap(), message(&["a:1", "a:2"]));
    assert_eq!(redir.read().await.unwrap(), message(&["b:1"]));
    let info = r.cmd(&["CLIENT", "TRACKINGINFO"]).await;
    let Frame::Array(items) = info else {
        panic!("{info:?}")
    };
    assert_eq!(
        items[1],
        Frame::Array(vec![Frame::bulk("on"), Frame::bulk("bcast")])
    );
    assert_eq!(
        items[5],
        Frame::Array(vec![Frame::bulk("a:"), Frame::bulk("b:")])
    );
    assert_flags(&mut r, "tB").await;
}

#[tokio::test]
async fn flush_sends_a_null_and_clears_the_table() {
    let s = start("").await;
    let (mut redir, mut r) = tracking_redirected(&s).await;
    let mut w = Conn::connect(s.addr).await;
    r.cmd(&["GET", "k1"]).await;
    r.cmd(&["GET", "k2"]).await;
    assert_eq!(s.srv.keyspace.tracking.totals(), (2, 2, 0));
    w.cmd(&["FLUSHALL"]).await;
    assert_eq!(s.srv.keyspace.tracking.totals(), (0, 0, 0));
    // One message for FLUSHALL, not one per database.
    assert_eq!(
        redir.read().await.unwrap(),
        Frame::Array(vec![
            Frame::bulk("message"),
            Frame::bulk("__redis__:invalidate"),
            Frame::Null,
        ])
    );
    let pong = redir.cmd(&["PING"]).await;
    assert_eq!(
        pong,
        Frame::Array(vec![Frame::bulk("pong"), Frame::bulk("")])
    );
}

#[tokio::test]
async fn optin_and_optout_follow_client_caching() {
    let s = start("").await;
    let mut r = resp3(s.addr).await;
    let mut w = Conn::connect(s.addr).await;
    r.cmd(&["CLIENT", "TRACKING", "on", "OPTIN"]).await;
    r.cmd(&["GET", "skipped"]).await;
    assert_eq!(text(&r.cmd(&["CLIENT", "CACHING", "yes"]).await), "OK");
    r.cmd(&["GET", "cached"]).await;
    // CACHING applies to one command only.
    r.cmd(&["GET", "skipped2"]).await;
    w.cmd(&["MSET", "skipped", "1", "cached", "1", "skipped2", "1"])
        .await;
    assert_eq!(before_pong(&mut r).await, vec![invalidate(&["cached"])]);
    let e = r.cmd(&["CLIENT", "CACHING", "no"]).await;
    assert_eq!(
        text(&e),
        "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."
    );
    let e = r.cmd(&["CLIENT", "TRACKING", "on", "OPTOUT"]).await;
    assert!(text(&e).starts_with("ERR You can't switch OPTIN/OPTOUT mode"));
    r.cmd(&["CLIENT", "TRACKING", "off"]).await;
    r.cmd(&["CLIENT", "TRACKING", "on", "OPTOUT"]).await;
    r.cmd(&["CLIENT", "CACHING", "no"]).await;
    r.cmd(&["GET", "skipped"]).await;
    r.cmd(&["GET", "cached"]).await;
    w.cmd(&["MSET", "skipped", "2", "cached", "2"]).await;
    assert_eq!(before_pong(&mut r).await, vec![invalidate(&["cached"])]);
}

#[tokio::test]
async fn option_errors_match_redis() {
    let s = start("").await;
    let mut r = Conn::connect(s.addr).await;
    let cases: &[(&[&str], &str)] = &[
        (&["CLIENT", "TRACKING", "on", "PREFIX", "a"], "ERR PREFIX option requires BCAST mode to be enabled"),
        (&["CLIENT", "TRACKING", "on", "BCAST", "OPTIN"], "ERR OPTIN and OPTOUT are not compatible with BCAST"),
        (&["CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"], "ERR You can't specify both OPTIN mode and OPTOUT mode"),
        (&["CLIENT", "TRACKING", "on", "REDIRECT", "999999"], "ERR The client ID you want redirect to does not exist"),
        (&["CLIENT", "TRACKING", "on", "REDIRECT", "x"], "ERR value is not an integer or out of range"),
        (&["CLIENT", "TRACKING", "maybe"], "ERR syntax error"),
        (&["CLIENT", "TRACKING", "on", "bogus"], "ERR syntax error"),
        (&["CLIENT", "CACHING", "yes"], "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"),
        (&["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FOOBAR", "PREFIX", "FOO"], "ERR Prefix 'FOOBAR' overlaps with another provided prefix 'FOO'. Prefixes for a single client must not overlap."),
    ];
    for (args, want) in cases {
        assert_eq!(text(&r.cmd(args).await), *want, "{args:?}");
    }
    r.cmd(&["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FOO"])
        .await;
    let e = r
        .cmd(&["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FO"])
        .await;
    assert_eq!(text(&e), "ERR Prefix 'FO' overlaps with an existing prefix 'FOO'. Prefixes for a single client must not overlap.");
    let e = r.cmd(&["CLIENT", "TRACKING", "on"]).await;
    assert!(text(&e).starts_with("ERR You can't switch BCAST mode on/off"));
}

#[tokio::test]
async fn broken_redirect_is_reported() {
    let s = start("").await;
    let (mut redir, id) = redirect_target(s.addr).await;
    let mut r = resp3(s.addr).await;
    let mut w = Conn::connect(s.addr).await;
    r.cmd(&["CLIENT", "TRACKING", "on", "REDIRECT", &id]).await;
    r.cmd(&["GET", "k"]).await;
    assert_eq!(text(&redir.cmd(&["QUIT"]).await), "OK");
    redir.expect_closed().await;
    w.cmd(&["SET", "k", "1"]).await;
    let got = before_pong(&mut r).await;
    assert_eq!(
        got,
        vec![Frame::Push(vec![
            Frame::bulk("tracking-redir-broken"),
            Frame::Integer(id.parse().unwrap()),
        ])]
    );
    let info = r.cmd(&["CLIENT", "TRACKINGINFO"]).await;
    let Frame::Map(pairs) = info else {
        panic!("{info:?}")
    };
    assert_eq!(
        pairs[0].1,
        Frame::Set(vec![Frame::bulk("on"), Frame::bulk("broken_redirect")])
    );
    assert_flags(&mut r, "tR").await;
}

#[tokio::test]
async fn table_limit_evicts_with_invalidations() {
    let s = start("").await;
    let (mut redir, mut r) = tracking_redirected(&s).await;
    for i in 0..250 {
        r.cmd(&["GET", &format!("key{i}")]).await;
    }
    r.cmd(&["CONFIG", "SET", "tracking-table-max-keys", "1"])
        .await;
    // The periodic task brings the table down to the limit: 249 invalidations, no more.
    for _ in 0..249 {
        let f = redir.read().await.unwrap();
        assert!(matches!(f, Frame::Array(ref v) if v.len() == 3), "{f:?}");
    }
    let pong = redir.cmd(&["PING"]).await;
    assert_eq!(
        pong,
        Frame::Array(vec![Frame::bulk("pong"), Frame::bulk("")])
    );
    assert_eq!(s.srv.keyspace.tracking.totals().0, 1);
}

#[tokio::test]
async fn reset_and_disconnect_turn_tracking_off() {
    let s = start("").await;
    let mut r = Conn::connect(s.addr).await;
    let mut b = Conn::connect(s.addr).await;
    r.cmd(&["CLIENT", "TRACKING", "on"]).await;
    b.cmd(&["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p"])
        .await;
    let info = text(&r.cmd(&["INFO", "clients"]).await);
    assert!(info.contains("tracking_clients:2"), "{info}");
    let stats = text(&r.cmd(&["INFO", "stats"]).await);
    assert!(stats.contains("tracking_total_prefixes:1"), "{stats}");
    assert_eq!(text(&r.cmd(&["RESET"]).await), "RESET");
    assert_eq!(text(&r.cmd(&["CLIENT", "GETREDIR"]).await), "-1");
    drop(b);
    // The server notices the closed connection asynchronously.
    for _ in 0..100 {
        if s.srv.keyspace.tracking.clients() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(s.srv.keyspace.tracking.clients(), 0);
    assert_eq!(s.srv.keyspace.tracking.totals().2, 0);
}

#[tokio::test]
async fn lazy_expiry_invalidation_follows_multi_key_reply() {
    let s = start("enable-debug-command yes").await;
    let mut r = resp3(s.addr).await;
    r.cmd(&["CLIENT", "TRACKING", "on"]).await;
    r.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]).await;
    r.cmd(&["MSET", "x", "1", "y", "2"]).await;
    r.cmd(&["PEXPIRE", "y", "20"]).await;
    r.cmd(&["GET", "y"]).await;
    tokio::time::sleep(Duration::from_millis(40)).await;
    assert_eq!(
        r.cmd(&["MGET", "x", "y"]).await,
        Frame::Array(vec![Frame::bulk("1"), Frame::Null])
    );
    assert_eq!(r.read().await.unwrap(), invalidate(&["y"]));
}
