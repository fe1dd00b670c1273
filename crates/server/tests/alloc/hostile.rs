//! Hostile input: every protocol limit gets Redis's exact error, nothing is allocated on a
//! length the peer merely claims, and the server keeps serving other clients.

use crate::common::{start, text, Conn};
use resp::Frame;

/// Sends `bytes` on a fresh connection and checks that the server answers with the protocol
/// error `expected` and closes, while another client is still served.
async fn check_protocol_error(addr: std::net::SocketAddr, bytes: &[u8], expected: &str) {
    let mut bystander = Conn::connect(addr).await;
    let mut c = Conn::connect(addr).await;
    c.raw(bytes).await;
    let reply = c.read().await.expect("an error reply before closing");
    assert_eq!(
        reply,
        Frame::Error(format!("ERR Protocol error: {expected}").into()),
        "input {:?}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(40)])
    );
    c.expect_closed().await;
    // The other client is still served (with a password set, it is told to authenticate).
    let pong = text(&bystander.cmd(&["PING"]).await);
    assert!(pong == "PONG" || pong.starts_with("NOAUTH"), "{pong}");
}

#[tokio::test]
async fn protocol_errors_reply_exactly_and_close() {
    let s = start("").await;
    let cases: &[(&[u8], &str)] = &[
        (b"*3000000000\r\n", "invalid multibulk length"),
        (b"*abc\r\n", "invalid multibulk length"),
        (
            b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n",
            "expected '$', got 'f'",
        ),
        (b"*1\r\n$-10\r\n", "invalid bulk length"),
        (b"*1\r\n$2000000000\r\n", "invalid bulk length"),
        (b"*1\r\n$blabla\r\n", "invalid bulk length"),
        (
            b"set \"\"\"test-key\"\"\" test-value\r\n",
            "unbalanced quotes in request",
        ),
    ];
    for (bytes, expected) in cases {
        check_protocol_error(s.addr, bytes, expected).await;
    }
}

#[tokio::test]
async fn oversized_headers_and_inline_requests_are_refused() {
    let s = start("").await;
    let mut inline = b"\x00".to_vec();
    inline.extend(std::iter::repeat_n(b'p', 70 * 1024));
    check_protocol_error(s.addr, &inline, "too big inline request").await;
    let mut count = b"*".to_vec();
    count.extend(std::iter::repeat_n(b'1', 70 * 1024));
    check_protocol_error(s.addr, &count, "too big mbulk count string").await;
    let mut bulk = b"*1\r\n$".to_vec();
    bulk.extend(std::iter::repeat_n(b'1', 70 * 1024));
    check_protocol_error(s.addr, &bulk, "too big bulk count string").await;
}

#[tokio::test]
async fn unauthenticated_clients_get_tighter_limits() {
    let s = start("requirepass secret").await;
    check_protocol_error(s.addr, b"*11\r\n", "unauthenticated multibulk length").await;
    check_protocol_error(s.addr, b"*1\r\n$16385\r\n", "unauthenticated bulk length").await;
    let mut c = Conn::connect(s.addr).await;
    assert_eq!(
        text(&c.cmd(&["GET", "x"]).await),
        "NOAUTH Authentication required."
    );
    assert_eq!(text(&c.cmd(&["AUTH", "secret"]).await), "OK");
    // Once authenticated the ordinary limits apply.
    let big = "v".repeat(20000);
    assert_eq!(text(&c.cmd(&["SET", "x", &big]).await), "OK");
}

#[tokio::test]
async fn proto_max_bulk_len_is_configurable() {
    let s = start("").await;
    let mut c = Conn::connect(s.addr).await;
    assert_eq!(
        text(&c.cmd(&["CONFIG", "SET", "proto-max-bulk-len", "1mb"]).await),
        "OK"
    );
    check_protocol_error(s.addr, b"*1\r\n$2000000\r\n", "invalid bulk length").await;
    assert_eq!(
        text(&c.cmd(&["SETRANGE", "k", "1048576", "x"]).await),
        "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    );
}

#[tokio::test]
async fn a_claimed_length_allocates_nothing_before_the_bytes_arrive() {
    let s = start("").await;
    let mut c = Conn::connect(s.addr).await;
    let before = ferrodis_server::base::alloc::allocated();
    // Claim a 500 MB argument and a million arguments, and send only a few bytes of each.
    c.raw(b"*2\r\n$524288000\r\nabc").await;
    let mut other = Conn::connect(s.addr).await;
    other.raw(b"*1000000\r\n$3\r\nSET\r\n").await;
    let mut bystander = Conn::connect(s.addr).await;
    assert_eq!(text(&bystander.cmd(&["PING"]).await), "PONG");
    let grown = ferrodis_server::base::alloc::allocated().saturating_sub(before);
    assert!(
        grown < 16 * 1024 * 1024,
        "allocated {grown} bytes on claimed lengths"
    );
}

#[tokio::test]
async fn query_buffer_limit_closes_the_client() {
    let s = start("client-query-buffer-limit 1mb").await;
    let mut c = Conn::connect(s.addr).await;
    c.raw(b"*1\r\n$104857600\r\n").await;
    let chunk = vec![b'x'; 256 * 1024];
    for _ in 0..8 {
        // The server may close the socket part way; later writes then fail, which is fine.
        if tokio::io::AsyncWriteExt::write_all(&mut c.stream, &chunk)
            .await
            .is_err()
        {
            break;
        }
    }
    c.expect_closed().await;
    let mut bystander = Conn::connect(s.addr).await;
    assert_eq!(text(&bystander.cmd(&["PING"]).await), "PONG");
}

#[tokio::test]
async fn maxclients_refuses_extra_connections() {
    let s = start("maxclients 2").await;
    let mut a = Conn::connect(s.addr).await;
    let mut b = Conn::connect(s.addr).await;
    assert_eq!(text(&a.cmd(&["PING"]).await), "PONG");
    assert_eq!(text(&b.cmd(&["PING"]).await), "PONG");
    let mut c = Conn::connect(s.addr).await;
    assert_eq!(
        c.read().await,
        Some(Frame::Error("ERR max number of clients reached".into()))
    );
    c.expect_closed().await;
    assert_eq!(text(&a.cmd(&["PING"]).await), "PONG");
}

#[tokio::test]
async fn bad_arguments_change_nothing_and_keep_the_connection() {
    let s = start("").await;
    let mut c = Conn::connect(s.addr).await;
    assert_eq!(text(&c.cmd(&["SET", "k", "10"]).await), "OK");
    let cases: &[(&[&str], &str)] = &[
        (
            &["INCRBY", "k", "abc"],
            "ERR value is not an integer or out of range",
        ),
        (
            &["INCRBY", "k", "9223372036854775807"],
            "ERR increment or decrement would overflow",
        ),
        (
            &["DECRBY", "k", "-9223372036854775808"],
            "ERR decrement would overflow",
        ),
        (
            &["SET", "k", "v", "EX", "0"],
            "ERR invalid expire time in 'set' command",
        ),
        (
            &["SET", "k", "v", "EX", "9223372036854775807"],
            "ERR invalid expire time in 'set' command",
        ),
        (&["SET", "k", "v", "NX", "XX"], "ERR syntax error"),
        (&["SETRANGE", "k", "-1", "x"], "ERR offset is out of range"),
        (
            &["SETRANGE", "k", "9223372036854775807", "x"],
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
        ),
        (
            &["SETBIT", "k", "4294967296", "1"],
            "ERR bit offset is not an integer or out of range",
        ),
        (
            &["INCRBYFLOAT", "k", "nan"],
            "ERR value is not a valid float",
        ),
        (
            &["EXPIRE", "k", "9223372036854775807"],
            "ERR invalid expire time in 'expire' command",
        ),
        (&["SELECT", "16"], "ERR DB index is out of range"),
        (&["SCAN", "abc"], "ERR invalid cursor"),
        (&["SCAN", "0", "COUNT", "0"], "ERR syntax error"),
        (&["GET"], "ERR wrong number of arguments for 'get' command"),
        (
            &["CONFIG", "GET"],
            "ERR wrong number of arguments for 'config|get' command",
        ),
    ];
    for (args, expected) in cases {
        assert_eq!(text(&c.cmd(args).await), *expected, "{args:?}");
    }
    assert_eq!(text(&c.cmd(&["GET", "k"]).await), "10");
    assert_eq!(c.cmd(&["TTL", "k"]).await, Frame::Integer(-1));
}

#[tokio::test]
async fn pathological_glob_patterns_finish() {
    let s = start("").await;
    let mut c = Conn::connect(s.addr).await;
    let key = "a".repeat(50_000);
    assert_eq!(text(&c.cmd(&["SET", &key, "1"]).await), "OK");
    let pattern = "*?".repeat(50_000);
    assert_eq!(c.cmd(&["KEYS", &pattern]).await, Frame::Array(vec![]));
    let pattern = format!("{}b", "a*".repeat(20));
    assert_eq!(c.cmd(&["KEYS", &pattern]).await, Frame::Array(vec![]));
}
