//! Bad server output: truncated frames, unknown types, wrong shapes, closed and
//! silent sockets must each give an error, never a panic or a hang.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use ferrodis::{client, Error, ReplyReader};

/// Runs GET against a fake server answering `reply` and returns the outcome,
/// failing the test if it takes more than 5 seconds.
async fn get_against(reply: &'static [u8], close: bool) -> ferrodis::Result<Option<bytes::Bytes>> {
    let addr = common::fake_server(reply, close).await;
    let mut c = client::connect(addr).await.unwrap();
    c.set_timeout(Some(Duration::from_secs(2)));
    tokio::time::timeout(Duration::from_secs(5), c.get("k"))
        .await
        .expect("no hang")
}

#[tokio::test]
async fn garbage_yields_errors() {
    let deep: &'static [u8] = Box::leak("*1\r\n".repeat(500).into_bytes().into_boxed_slice());
    let cases: Vec<(&'static [u8], bool, &str)> = vec![
        (b"", true, "closed"),
        (b"$5\r\nab", true, "protocol"),
        (b"*3\r\n:1\r\n", true, "protocol"),
        (b"?what\r\n", false, "protocol"),
        (b":12x\r\n", false, "protocol"),
        (b"$3\r\nabcXY", false, "protocol"),
        (b"$-7\r\n", false, "protocol"),
        (b"$99999999999\r\nabc", true, "protocol"),
        (b"*99999999999\r\n:1\r\n", true, "protocol"),
        (b"=2\r\nab\r\n", false, "protocol"),
        (b",notafloat\r\n", false, "protocol"),
        (b"#x\r\n", false, "protocol"),
        (deep, false, "protocol"),
        (b"*2\r\n:1\r\n:2\r\n", false, "unexpected"),
        (b"%1\r\n+a\r\n+b\r\n", false, "unexpected"),
        (b"-ERR boom\r\n", false, "server"),
        (b"!4\r\nOOPS\r\n", false, "server"),
        (b"", false, "timeout"),
        (b"$10\r\nabc", false, "timeout"),
    ];
    for (reply, close, want) in cases {
        let res = get_against(reply, close).await;
        let err = res.expect_err(&format!("{:?} must fail", String::from_utf8_lossy(reply)));
        let got = match &err {
            Error::Closed => "closed",
            Error::Protocol(_) => "protocol",
            Error::UnexpectedReply(_) => "unexpected",
            Error::Server(_) => "server",
            Error::Timeout => "timeout",
            other => panic!("unexpected error kind {other:?}"),
        };
        assert_eq!(
            got,
            want,
            "reply {:?}: {err}",
            String::from_utf8_lossy(&reply[..reply.len().min(30)])
        );
    }
}

#[tokio::test]
async fn connection_is_unusable_after_a_failure() {
    let addr = common::fake_server(b"?garbage\r\n", false).await;
    let mut c = client::connect(addr).await.unwrap();
    assert!(matches!(c.get("k").await, Err(Error::Protocol(_))));
    assert!(c.is_broken());
    assert!(matches!(c.get("k").await, Err(Error::Closed)));

    let addr = common::fake_server(b"", false).await;
    let mut c = client::connect(addr).await.unwrap();
    c.set_timeout(Some(Duration::from_millis(100)));
    assert!(matches!(c.ping(None).await, Err(Error::Timeout)));
    assert!(matches!(c.ping(None).await, Err(Error::Closed)));
}

#[tokio::test]
async fn subscriber_rejects_garbage() {
    // A confirmation of the wrong shape, then silence.
    let addr = common::fake_server(b"*2\r\n$9\r\nsubscribe\r\n:1\r\n", true).await;
    let c = client::connect(addr).await.unwrap();
    let res = tokio::time::timeout(Duration::from_secs(5), c.subscribe(vec!["a".into()]))
        .await
        .expect("no hang");
    assert!(res.is_err());
    // An integer where a message should be.
    let addr =
        common::fake_server(b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n:5\r\n", false).await;
    let c = client::connect(addr).await.unwrap();
    let mut sub = c.subscribe(vec!["a".into()]).await.unwrap();
    let res = tokio::time::timeout(Duration::from_secs(5), sub.next_message())
        .await
        .expect("no hang");
    assert!(matches!(res, Err(Error::UnexpectedReply(_))), "{res:?}");
}

/// Random bytes through the reply reader: any outcome but a panic.
#[tokio::test]
async fn random_bytes_never_panic() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = b"+-:$*%~>_,#!=(|.;?\r\n0123456789-abc";
    for _ in 0..20_000 {
        let len = (next() % 40) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if next() % 4 == 0 {
                    (next() & 0xff) as u8
                } else {
                    alphabet[(next() as usize) % alphabet.len()]
                }
            })
            .collect();
        let mut r = ReplyReader::new(&bytes[..]);
        for _ in 0..8 {
            match r.read_value().await {
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => break,
            }
        }
    }
}
