//! Commands refused before they run (out of memory, too few replicas), alone and inside
//! MULTI: a refusal while queueing makes EXEC abort, and a refused EXEC discards its
//! transaction and says why.

use crate::common::{render, start, transcript, Conn, TestServer};

/// The client under test and the administrator changing settings under it.
const C: usize = 0;
const ADMIN: usize = 1;

async fn two_clients(srv: &TestServer) -> [Conn; 2] {
    [Conn::connect(srv.addr).await, Conn::connect(srv.addr).await]
}

#[tokio::test]
async fn min_replicas_to_write_refuses_writes_and_transactions_holding_them() {
    let srv = start("").await;
    let mut conns = two_clients(&srv).await;
    let refused = "(error) NOREPLICAS Not enough good replicas to write.";
    transcript(
        &mut conns,
        &[
            (C, "SET xx 1", "OK"),
            // The transaction was queued before the setting changed: EXEC itself is refused.
            (C, "MULTI", "OK"),
            (C, "INCR xx", "QUEUED"),
            (ADMIN, "CONFIG SET min-replicas-to-write 2", "OK"),
            (C, "EXEC", "(error) EXECABORT Transaction discarded because of: NOREPLICAS Not enough good replicas to write."),
            (C, "GET xx", "\"1\""),
            (C, "SET xx 2", refused),
            // Reads still run, in a transaction too.
            (C, "MULTI", "OK"),
            (C, "GET xx", "QUEUED"),
            (C, "EXEC", "[\"1\"]"),
            // A lag limit of 0 turns the check off, as in Redis.
            (ADMIN, "CONFIG SET min-replicas-max-lag 0", "OK"),
            (C, "SET xx 2", "OK"),
        ],
    )
    .await;
}

#[tokio::test]
async fn out_of_memory_refuses_queueing_and_exec_of_writes() {
    let srv = start("").await;
    let mut conns = two_clients(&srv).await;
    let oom = "(error) OOM command not allowed when used memory > 'maxmemory'.";
    transcript(
        &mut conns,
        &[
            (C, "SET x value", "OK"),
            // Queued before memory ran out: a read-only transaction still runs...
            (C, "MULTI", "OK"),
            (C, "GET x", "QUEUED"),
            (ADMIN, "CONFIG SET maxmemory 1", "OK"),
            (C, "EXEC", "[\"value\"]"),
            (ADMIN, "CONFIG SET maxmemory 0", "OK"),
            // ...one holding a write is discarded at EXEC.
            (C, "MULTI", "OK"),
            (C, "SET x 1", "QUEUED"),
            (ADMIN, "CONFIG SET maxmemory 1", "OK"),
            (C, "EXEC", "(error) EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'."),
            // While out of memory, nothing can be queued, not even a read, but DISCARD works.
            (C, "MULTI", "OK"),
            (C, "GET x", oom),
            (C, "DISCARD", "OK"),
            (ADMIN, "CONFIG SET maxmemory 0", "OK"),
            (C, "GET x", "\"value\""),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_normal_client_over_its_output_buffer_limit_is_disconnected() {
    let srv = start("client-output-buffer-limit normal 1mb 0 0").await;
    let mut c = Conn::connect(srv.addr).await;
    let big = "x".repeat(8 << 20);
    assert_eq!(render(&c.cmd(&["SET", "big", &big]).await), "OK");
    // 24 MiB of replies the client does not read: far more than the socket buffers take.
    c.raw(b"GET big\r\nGET big\r\nGET big\r\n").await;
    c.expect_closed().await;
    let mut other = Conn::connect(srv.addr).await;
    assert_eq!(
        render(&other.cmd(&["STRLEN", "big"]).await),
        "(integer) 8388608"
    );
}
