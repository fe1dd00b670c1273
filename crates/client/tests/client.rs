//! The async client against real servers: ferrodis in-process and, when installed,
//! Debian's redis-server. The same suite runs against both.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use ferrodis::{client, cmd, ConnectOptions, Error, Pipeline, Value};

fn opts(addr: SocketAddr) -> ConnectOptions {
    ConnectOptions::new(addr.ip().to_string(), addr.port())
}

/// mini-redis's API and the typed helpers for strings and keys.
async fn strings_and_keys(addr: SocketAddr) {
    let mut c = client::connect(addr).await.unwrap();
    c.call(&["FLUSHALL"]).await.unwrap();

    // The mini-redis hello-world, verbatim.
    c.set("hello", "world".into()).await.unwrap();
    assert_eq!(
        c.get("hello").await.unwrap().as_deref(),
        Some(&b"world"[..])
    );
    assert_eq!(c.get("missing").await.unwrap(), None);
    assert_eq!(&c.ping(None).await.unwrap()[..], b"PONG");
    assert_eq!(&c.ping(Some("hi".into())).await.unwrap()[..], b"hi");
    assert_eq!(&c.echo("e").await.unwrap()[..], b"e");

    c.set_expires("tmp", "v".into(), Duration::from_millis(100))
        .await
        .unwrap();
    let ttl = c.ttl("tmp").await.unwrap().expect("a TTL");
    assert!(ttl <= Duration::from_millis(100));
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(c.get("tmp").await.unwrap(), None);
    assert_eq!(c.ttl("hello").await.unwrap(), None);

    assert_eq!(c.incr("n").await.unwrap(), 1);
    assert_eq!(c.incr_by("n", 9).await.unwrap(), 10);
    assert_eq!(c.decr("n").await.unwrap(), 9);
    assert_eq!(c.incr_by_float("f", 1.5).await.unwrap(), 1.5);
    // A server error leaves the connection usable.
    let err = c.incr("hello").await.unwrap_err();
    assert!(err.is_server(), "{err:?}");
    assert_eq!(err.server_error().unwrap().code(), "ERR");
    assert_eq!(c.incr("n").await.unwrap(), 10);

    c.mset([("a", "1"), ("b", "2")]).await.unwrap();
    assert_eq!(
        c.mget(["a", "nope", "b"]).await.unwrap(),
        vec![Some(Bytes::from("1")), None, Some(Bytes::from("2"))]
    );
    assert_eq!(c.exists(["a", "b", "nope"]).await.unwrap(), 2);
    assert!(c.set_nx("a", "x").await.is_ok_and(|set| !set));
    assert!(c.set_nx("c", "x").await.unwrap());
    assert_eq!(c.append("c", "yz").await.unwrap(), 3);
    assert_eq!(c.strlen("c").await.unwrap(), 3);
    assert_eq!(c.getdel("c").await.unwrap().as_deref(), Some(&b"xyz"[..]));
    assert_eq!(c.key_type("a").await.unwrap(), "string");
    assert_eq!(c.key_type("c").await.unwrap(), "none");
    assert!(c.expire("a", Duration::from_secs(100)).await.unwrap());
    assert!(c.persist("a").await.unwrap());
    c.rename("b", "b2").await.unwrap();
    assert_eq!(c.del(["a", "b2", "nope"]).await.unwrap(), 2);

    for i in 0..50 {
        c.set(&format!("scan:{i}"), Bytes::from(i.to_string()))
            .await
            .unwrap();
    }
    let mut keys = c.scan_all(Some("scan:*")).await.unwrap();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 50);
    let mut k = c.keys("scan:1*").await.unwrap();
    k.sort();
    assert_eq!(k.len(), 11);
    assert!(c.dbsize().await.unwrap() >= 50);
    assert!(c
        .info(Some("server"))
        .await
        .unwrap()
        .contains("redis_version"));
    c.flushdb().await.unwrap();
    assert_eq!(c.dbsize().await.unwrap(), 0);
}

/// Generic commands, conversion failures, pipelines and transactions.
async fn generic_pipelines_transactions(addr: SocketAddr) {
    let mut c = client::connect(addr).await.unwrap();
    c.call(&["FLUSHALL"]).await.unwrap();

    assert_eq!(
        c.cmd("SET").arg("n").arg(10).await.unwrap(),
        Value::Status("OK".into())
    );
    assert_eq!(c.cmd("GET").arg("n").query::<i64>().await.unwrap(), 10);
    assert_eq!(c.call(&["STRLEN", "n"]).await.unwrap(), Value::Int(2));
    let v = c.execute(&cmd("NOSUCHCOMMAND")).await.unwrap();
    match v {
        Value::Error(e) => assert_eq!(e.code(), "ERR"),
        other => panic!("{other:?}"),
    }
    assert!(c.call(&["NOSUCHCOMMAND"]).await.unwrap_err().is_server());
    c.set("s", "text".into()).await.unwrap();
    let err = c.query::<i64>(cmd("GET").arg("s")).await.unwrap_err();
    assert!(matches!(err, Error::UnexpectedReply(_)), "{err:?}");
    // A conversion failure does not spoil the connection.
    assert_eq!(c.get("s").await.unwrap().as_deref(), Some(&b"text"[..]));

    // One round trip, replies in order, error replies in place.
    let mut p = Pipeline::new();
    p.cmd("SET").arg("a").arg(1);
    p.cmd("INCR").arg("a");
    p.cmd("INCR").arg("s");
    p.cmd("GET").arg("a");
    let replies = c.pipeline(&p).await.unwrap();
    assert_eq!(replies.len(), 4);
    assert_eq!(replies[0], Value::Status("OK".into()));
    assert_eq!(replies[1], Value::Int(2));
    assert!(matches!(replies[2], Value::Error(_)));
    assert_eq!(replies[3], Value::Bulk("2".into()));
    assert!(p.query::<Vec<Value>>(&mut c).await.unwrap_err().is_server());

    let mut p = Pipeline::new();
    p.cmd("INCR").arg("a");
    p.cmd("GET").arg("a");
    let (n, s): (i64, String) = p.query(&mut c).await.unwrap();
    assert_eq!((n, s.as_str()), (3, "3"));

    let mut big = Pipeline::new();
    for _ in 0..2000 {
        big.cmd("INCR").arg("many");
    }
    let replies = c.pipeline(&big).await.unwrap();
    assert_eq!(replies.last(), Some(&Value::Int(2000)));

    // MULTI/EXEC in one round trip.
    let mut tx = Pipeline::new();
    tx.cmd("INCR").arg("t");
    tx.cmd("INCR").arg("t");
    assert_eq!(
        c.transaction(&tx).await.unwrap(),
        vec![Value::Int(1), Value::Int(2)]
    );
    tx.atomic();
    assert_eq!(
        c.pipeline(&tx).await.unwrap(),
        vec![Value::Int(3), Value::Int(4)]
    );
    // A command rejected while queueing aborts the transaction with its error.
    let mut bad = Pipeline::new();
    bad.cmd("INCR");
    bad.cmd("INCR").arg("t");
    let err = c.transaction(&bad).await.unwrap_err();
    assert!(err.is_server(), "{err:?}");
    assert_eq!(c.get("t").await.unwrap().as_deref(), Some(&b"4"[..]));
    // A runtime error inside EXEC is one of its replies.
    let mut mixed = Pipeline::new();
    mixed.cmd("INCR").arg("s");
    mixed.cmd("INCR").arg("t");
    let r = c.transaction(&mixed).await.unwrap();
    assert!(matches!(r[0], Value::Error(_)));
    assert_eq!(r[1], Value::Int(5));

    // WATCH: a change by another client aborts.
    let mut other = client::connect(addr).await.unwrap();
    c.watch(["w"]).await.unwrap();
    other.set("w", "changed".into()).await.unwrap();
    let mut tx = Pipeline::new();
    tx.cmd("SET").arg("w").arg("mine");
    assert!(matches!(
        c.transaction(&tx).await,
        Err(Error::TransactionAborted)
    ));
    assert_eq!(c.get("w").await.unwrap().as_deref(), Some(&b"changed"[..]));
    c.watch(["w"]).await.unwrap();
    c.unwatch().await.unwrap();
    other.set("w", "again".into()).await.unwrap();
    assert!(c.transaction(&tx).await.is_ok());
}

/// SELECT through options, RESP3 through HELLO, client names.
async fn options_select_resp3(addr: SocketAddr) {
    let mut zero = client::connect(addr).await.unwrap();
    zero.call(&["FLUSHALL"]).await.unwrap();
    let mut one = opts(addr).db(1).connect().await.unwrap();
    one.set("only-in-1", "x".into()).await.unwrap();
    assert_eq!(zero.get("only-in-1").await.unwrap(), None);
    let url = format!("redis://{addr}/1");
    let mut by_url = client::connect_url(&url).await.unwrap();
    assert!(by_url.get("only-in-1").await.unwrap().is_some());

    let mut r3 = opts(addr)
        .resp3()
        .client_name("tester")
        .connect()
        .await
        .unwrap();
    assert_eq!(r3.protocol(), 3);
    let name: String = r3.query(cmd("CLIENT").arg("GETNAME")).await.unwrap();
    assert_eq!(name, "tester");
    r3.set("k", "v".into()).await.unwrap();
    assert_eq!(r3.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));
    assert_eq!(r3.get("nope").await.unwrap(), None);
    let hello = r3.call(&["HELLO", "3"]).await.unwrap();
    assert!(matches!(hello, Value::Map(_)), "{hello:?}");
    let m: std::collections::HashMap<String, Value> = ferrodis::from_value(hello).unwrap();
    assert_eq!(m.get("proto"), Some(&Value::Int(3)));
    // Back to RESP2 on the same connection.
    r3.hello(2, None, None).await.unwrap();
    assert_eq!(r3.protocol(), 2);
    assert!(matches!(
        r3.call(&["HELLO", "2"]).await.unwrap(),
        Value::Array(_)
    ));
}

async fn auth(addr: SocketAddr) {
    let mut anon = client::connect(addr).await.unwrap();
    let err = anon.get("x").await.unwrap_err();
    assert_eq!(err.server_error().unwrap().code(), "NOAUTH");
    let err = opts(addr).password("wrong").connect().await.unwrap_err();
    assert!(err.is_server(), "{err:?}");
    let mut ok = opts(addr).password("secret").connect().await.unwrap();
    assert_eq!(&ok.ping(None).await.unwrap()[..], b"PONG");
    let mut user = opts(addr)
        .username("default")
        .password("secret")
        .resp3()
        .connect()
        .await
        .unwrap();
    assert_eq!(&user.ping(None).await.unwrap()[..], b"PONG");
    anon.auth(None, "secret").await.unwrap();
    assert_eq!(anon.get("x").await.unwrap(), None);
}

async fn collection_helpers(addr: SocketAddr) {
    let mut c = client::connect(addr).await.unwrap();
    assert!(c.hset("h", "f", "v").await.unwrap());
    assert!(!c.hset("h", "f", "w").await.unwrap());
    c.hset("h", "g", 1).await.unwrap();
    assert_eq!(c.hget("h", "f").await.unwrap().as_deref(), Some(&b"w"[..]));
    assert_eq!(c.hgetall("h").await.unwrap().len(), 2);
    assert_eq!(c.hdel("h", ["g", "nope"]).await.unwrap(), 1);
    assert_eq!(c.rpush("l", ["a", "b"]).await.unwrap(), 2);
    assert_eq!(c.lpush("l", ["z"]).await.unwrap(), 3);
    assert_eq!(c.lrange("l", 0, -1).await.unwrap(), vec!["z", "a", "b"]);
    assert_eq!(c.llen("l").await.unwrap(), 3);
    assert_eq!(c.lpop("l").await.unwrap().as_deref(), Some(&b"z"[..]));
    assert_eq!(c.rpop("l").await.unwrap().as_deref(), Some(&b"b"[..]));
    assert_eq!(c.sadd("s", ["x", "y", "x"]).await.unwrap(), 2);
    assert!(c.sismember("s", "x").await.unwrap());
    assert_eq!(c.srem("s", ["x"]).await.unwrap(), 1);
    assert_eq!(c.smembers("s").await.unwrap(), vec!["y"]);
    assert!(c.zadd("z", 1.5, "m").await.unwrap());
    c.zadd("z", 0.5, "n").await.unwrap();
    assert_eq!(c.zscore("z", "m").await.unwrap(), Some(1.5));
    assert_eq!(c.zscore("z", "nope").await.unwrap(), None);
    assert_eq!(c.zrange("z", 0, -1).await.unwrap(), vec!["n", "m"]);
    // RESP3 replies decode to the same Rust values.
    let mut r3 = opts(addr).resp3().connect().await.unwrap();
    assert!(matches!(
        r3.call(&["ZSCORE", "z", "m"]).await.unwrap(),
        Value::Double(_)
    ));
    assert_eq!(r3.zscore("z", "m").await.unwrap(), Some(1.5));
    assert!(matches!(
        r3.call(&["HGETALL", "h"]).await.unwrap(),
        Value::Map(_)
    ));
    assert_eq!(r3.hgetall("h").await.unwrap().len(), 1);
    assert!(matches!(
        r3.call(&["SMEMBERS", "s"]).await.unwrap(),
        Value::Set(_)
    ));
}

/// RESP3 push messages (client-side caching invalidations) are set aside while
/// replies are read and handed out by `next_push`.
async fn resp3_pushes(addr: SocketAddr) {
    let mut c = opts(addr).resp3().connect().await.unwrap();
    let mut other = client::connect(addr).await.unwrap();
    c.call(&["CLIENT", "TRACKING", "ON"]).await.unwrap();
    c.set("tracked", "1".into()).await.unwrap();
    c.get("tracked").await.unwrap();
    other.set("tracked", "2".into()).await.unwrap();
    let push = tokio::time::timeout(Duration::from_secs(5), c.next_push())
        .await
        .expect("an invalidation within 5 s")
        .unwrap()
        .unwrap();
    let items = push.as_array().unwrap();
    assert_eq!(items[0], Value::Bulk("invalidate".into()));
    // Replies keep flowing while pushes are queued.
    c.get("tracked").await.unwrap();
    other.set("tracked", "3".into()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(&c.ping(None).await.unwrap()[..], b"PONG");
    let queued = c.drain_pushes();
    assert!(queued.len() <= 1);
}

common::against_both!(
    ferrodis_strings_and_keys,
    redis_strings_and_keys,
    strings_and_keys,
    "",
    &[]
);
common::against_both!(
    ferrodis_generic_pipelines_transactions,
    redis_generic_pipelines_transactions,
    generic_pipelines_transactions,
    "",
    &[]
);
common::against_both!(
    ferrodis_options_select_resp3,
    redis_options_select_resp3,
    options_select_resp3,
    "",
    &[]
);
common::against_both!(
    ferrodis_auth,
    redis_auth,
    auth,
    "requirepass secret",
    &["--requirepass", "secret"]
);
common::against_both!(
    ferrodis_collection_helpers,
    redis_collection_helpers,
    collection_helpers,
    "",
    &[]
);
common::against_both!(
    ferrodis_resp3_pushes,
    redis_resp3_pushes,
    resp3_pushes,
    "",
    &[]
);

#[tokio::test]
async fn connect_refused_is_io_error() {
    let port = common::free_port();
    let err = client::connect(("127.0.0.1", port)).await.unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
}
