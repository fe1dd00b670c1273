//! The blocking and buffered clients, pub/sub and MONITOR, against ferrodis and redis-server
//! alike.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::future::poll_fn;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use ferrodis::{blocking, buffered::BufferedClient, client, cmd, ConnectOptions, Pipeline, Value};
use futures_core::Stream;

/// ferrodis on a runtime of its own, for the blocking client, which runs another one.
fn ferrodis_beside_blocking_client() -> (tokio::runtime::Runtime, common::Ferrodis) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(common::ferrodis(""));
    (rt, server)
}

#[test]
fn blocking_client_against_ferrodis() {
    let (_rt, server) = ferrodis_beside_blocking_client();
    let mut c = blocking::connect(server.addr).unwrap();
    c.set("hello", "world".into()).unwrap();
    assert_eq!(c.get("hello").unwrap().as_deref(), Some(&b"world"[..]));
    assert_eq!(&c.ping(None).unwrap()[..], b"PONG");
    c.set_expires("e", "v".into(), Duration::from_secs(10))
        .unwrap();
    let n: i64 = c.query(cmd("INCRBY").arg("n").arg(3)).unwrap();
    assert_eq!(n, 3);
    assert_eq!(c.call(&["GET", "n"]).unwrap(), Value::Bulk("3".into()));
    assert!(matches!(
        c.execute(&cmd("NOSUCH")).unwrap(),
        Value::Error(_)
    ));
    let mut p = Pipeline::new();
    p.cmd("INCR").arg("n");
    p.cmd("INCR").arg("n");
    assert_eq!(c.pipeline(&p).unwrap(), vec![Value::Int(4), Value::Int(5)]);
    assert_eq!(
        c.transaction(&p).unwrap(),
        vec![Value::Int(6), Value::Int(7)]
    );
    assert_eq!(c.publish("nobody", "x".into()).unwrap(), 0);
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buffered_client_shares_one_connection() {
    let server = common::ferrodis("").await;
    let shared = BufferedClient::buffer(client::connect(server.addr).await.unwrap());
    let mut tasks = Vec::new();
    for t in 0..20 {
        let c = shared.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..50 {
                let _: i64 = c
                    .query(ferrodis::Cmd::from_args(["INCR", "counter"]))
                    .await
                    .unwrap();
            }
            let mut c = c;
            c.set(&format!("task:{t}"), Bytes::from(t.to_string()))
                .await
                .unwrap();
            c.get(&format!("task:{t}")).await.unwrap()
        }));
    }
    for (t, h) in tasks.into_iter().enumerate() {
        assert_eq!(h.await.unwrap(), Some(Bytes::from(t.to_string())));
    }
    let mut c = shared.clone();
    assert_eq!(
        c.get("counter").await.unwrap().as_deref(),
        Some(&b"1000"[..])
    );
    // Error replies reach the right caller and do not disturb the others.
    assert!(shared.call(&["NOSUCH"]).await.unwrap_err().is_server());
    assert_eq!(
        shared
            .execute(ferrodis::Cmd::from_args(["ECHO", "x"]))
            .await
            .unwrap(),
        Value::Bulk("x".into())
    );
    assert_eq!(c.publish("nobody", "x".into()).await.unwrap(), 0);
}

#[tokio::test]
async fn buffered_client_reports_a_dead_connection() {
    let addr = common::fake_server(b"", true).await;
    let shared = BufferedClient::buffer(client::connect(addr).await.unwrap());
    let err = shared.call(&["PING"]).await.unwrap_err();
    assert!(err.is_connection_error(), "{err:?}");
    let err = shared.call(&["PING"]).await.unwrap_err();
    assert!(err.is_connection_error(), "{err:?}");
}

async fn next_from<S: Stream + Unpin>(s: &mut S) -> Option<S::Item> {
    tokio::time::timeout(
        Duration::from_secs(5),
        poll_fn(|cx| Pin::new(&mut *s).poll_next(cx)),
    )
    .await
    .expect("a stream item within 5 s")
}

async fn pubsub_suite(addr: std::net::SocketAddr, resp3: bool) {
    let mut opts = ConnectOptions::new(addr.ip().to_string(), addr.port());
    if resp3 {
        opts = opts.resp3();
    }
    let sub_client = opts.connect().await.unwrap();
    let mut publisher = client::connect(addr).await.unwrap();

    let mut sub = sub_client
        .subscribe(vec!["a".into(), "b".into()])
        .await
        .unwrap();
    assert_eq!(sub.get_subscribed(), &["a".to_string(), "b".to_string()]);
    assert_eq!(publisher.publish("a", "one".into()).await.unwrap(), 1);
    let m = sub.next_message().await.unwrap().unwrap();
    assert_eq!((m.channel.as_str(), &m.content[..]), ("a", &b"one"[..]));
    assert_eq!(m.pattern, None);

    sub.psubscribe(&["news.*".into()]).await.unwrap();
    assert_eq!(sub.get_subscribed_patterns(), &["news.*".to_string()]);
    publisher.publish("news.x", "two".into()).await.unwrap();
    let m = sub.next_message().await.unwrap().unwrap();
    assert_eq!(m.channel, "news.x");
    assert_eq!(m.pattern.as_deref(), Some("news.*"));

    // A message published before a subscription change is not lost.
    publisher.publish("b", "three".into()).await.unwrap();
    sub.unsubscribe(&["a".into()]).await.unwrap();
    assert_eq!(sub.get_subscribed(), &["b".to_string()]);
    let m = sub.next_message().await.unwrap().unwrap();
    assert_eq!(&m.content[..], b"three");
    assert_eq!(publisher.publish("a", "ignored".into()).await.unwrap(), 0);

    sub.subscribe(&["c".into()]).await.unwrap();
    sub.unsubscribe(&[]).await.unwrap();
    assert!(sub.get_subscribed().is_empty());
    sub.punsubscribe(&[]).await.unwrap();
    assert!(sub.get_subscribed_patterns().is_empty());

    // Leaving subscribed mode gives back a working client.
    sub.subscribe(&["d".into()]).await.unwrap();
    let mut back = sub.into_client().await.unwrap();
    assert_eq!(&back.ping(None).await.unwrap()[..], b"PONG");
    back.set("after", "sub".into()).await.unwrap();

    // The stream form, ended by the server closing the connection.
    let mut stream = back
        .subscribe(vec!["s".into()])
        .await
        .unwrap()
        .into_stream();
    publisher.publish("s", "x".into()).await.unwrap();
    publisher.publish("s", "y".into()).await.unwrap();
    let first = next_from(&mut stream).await.unwrap().unwrap();
    let second = next_from(&mut stream).await.unwrap().unwrap();
    assert_eq!(
        (&first.content[..], &second.content[..]),
        (&b"x"[..], &b"y"[..])
    );
    publisher
        .call(&["CLIENT", "KILL", "TYPE", "pubsub"])
        .await
        .unwrap();
    assert!(next_from(&mut stream).await.is_none());
}

common::against_both!(
    ferrodis_pubsub_resp2,
    redis_pubsub_resp2,
    |addr| pubsub_suite(addr, false),
    "",
    &[]
);
common::against_both!(
    ferrodis_pubsub_resp3,
    redis_pubsub_resp3,
    |addr| pubsub_suite(addr, true),
    "",
    &[]
);

async fn monitor(addr: std::net::SocketAddr) {
    let mut monitor = client::connect(addr)
        .await
        .unwrap()
        .monitor()
        .await
        .unwrap();
    let mut c = client::connect(addr).await.unwrap();
    c.set("watched", "1".into()).await.unwrap();
    let line = tokio::time::timeout(Duration::from_secs(5), monitor.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(
        line.to_lowercase().contains("\"set\" \"watched\" \"1\""),
        "{line}"
    );
}

common::against_both!(ferrodis_monitor, redis_monitor, monitor, "", &[]);

fn blocking_subscriber(addr: std::net::SocketAddr) {
    let sub_client = blocking::connect(addr).unwrap();
    let mut publisher = blocking::connect(addr).unwrap();
    let mut sub = sub_client.subscribe(vec!["q".into()]).unwrap();
    assert_eq!(sub.get_subscribed(), &["q".to_string()]);
    publisher.publish("q", "hi".into()).unwrap();
    let m = sub.next_message().unwrap().unwrap();
    assert_eq!(&m.content[..], b"hi");
    sub.psubscribe(&["p*".into()]).unwrap();
    sub.unsubscribe(&[]).unwrap();
    publisher.publish("pz", "via pattern".into()).unwrap();
    publisher
        .call(&["CLIENT", "KILL", "TYPE", "pubsub"])
        .unwrap();
    let rest: Vec<_> = sub.into_iter().collect();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].as_ref().unwrap().pattern.as_deref(), Some("p*"));
}

#[test]
fn ferrodis_blocking_subscriber() {
    let (_rt, server) = ferrodis_beside_blocking_client();
    blocking_subscriber(server.addr);
}

#[test]
fn redis_blocking_subscriber() {
    blocking_subscriber(common::redis(&[]).addr);
}
