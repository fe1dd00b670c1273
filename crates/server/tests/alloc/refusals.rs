//! Commands refused before they run (out of memory, too few replicas), alone and inside
//! MULTI: a refusal while queueing makes EXEC abort, and a refused EXEC discards its
//! transaction and says why.

use crate::common::{render, start, Conn};
async fn run(c: &mut Conn, line: &str) -> String {
    let args: Vec<&str> = line.split(' ').collect();
    render(&c.cmd(&args).await)
}

#[tokio::test]
async fn min_replicas_to_write_refuses_writes_and_transactions_holding_them() {
    let srv = start("").await;
    let mut c = Conn::connect(srv.addr).await;
    let mut admin = Conn::connect(srv.addr).await;
    assert_eq!(run(&mut c, "SET xx 1").await, "OK");

    // The transaction was queued before the setting changed: EXEC itself is refused.
    assert_eq!(run(&mut c, "MULTI").await, "OK");
    assert_eq!(run(&mut c, "INCR xx").await, "QUEUED");
    assert_eq!(
        run(&mut admin, "CONFIG SET min-replicas-to-write 2").await,
        "OK"
    );
    assert_eq!(
        run(&mut c, "EXEC").await,
        "(error) EXECABORT Transaction discarded because of: NOREPLICAS Not enough good replicas to write."
    );
    assert_eq!(run(&mut c, "GET xx").await, "\"1\"");
    assert_eq!(
        run(&mut c, "SET xx 2").await,
        "(error) NOREPLICAS Not enough good replicas to write."
    );

    // Reads still run, in a transaction too.
    assert_eq!(run(&mut c, "MULTI").await, "OK");
    assert_eq!(run(&mut c, "GET xx").await, "QUEUED");
    assert_eq!(run(&mut c, "EXEC").await, "[\"1\"]");

    // A lag limit of 0 turns the check off, as in Redis.
    assert_eq!(
        run(&mut admin, "CONFIG SET min-replicas-max-lag 0").await,
        "OK"
    );
    assert_eq!(run(&mut c, "SET xx 2").await, "OK");
}

#[tokio::test]
async fn out_of_memory_refuses_queueing_and_exec_of_writes() {
    let srv = start("").await;
    let mut c = Conn::connect(srv.addr).await;
    let mut admin = Conn::connect(srv.addr).await;
    assert_eq!(run(&mut c, "SET x value").await, "OK");

    // Queued before memory ran out: a read-only transaction still runs...
    assert_eq!(run(&mut c, "MULTI").await, "OK");
    assert_eq!(run(&mut c, "GET x").await, "QUEUED");
    assert_eq!(run(&mut admin, "CONFIG SET maxmemory 1").await, "OK");
    assert_eq!(run(&mut c, "EXEC").await, "[\"value\"]");
    assert_eq!(run(&mut admin, "CONFIG SET maxmemory 0").await, "OK");

    // ...one holding a write is discarded at EXEC.
    assert_eq!(run(&mut c, "MULTI").await, "OK");
    assert_eq!(run(&mut c, "SET x 1").await, "QUEUED");
    assert_eq!(run(&mut admin, "CONFIG SET maxmemory 1").await, "OK");
    assert_eq!(
        run(&mut c, "EXEC").await,
        "(error) EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'."
    );

    // While out of memory, nothing can be queued, not even a read, but DISCARD works.
    assert_eq!(run(&mut c, "MULTI").await, "OK");
    assert_eq!(
        run(&mut c, "GET x").await,
        "(error) OOM command not allowed when used memory > 'maxmemory'."
    );
    assert_eq!(run(&mut c, "DISCARD").await, "OK");
    assert_eq!(run(&mut admin, "CONFIG SET maxmemory 0").await, "OK");
    assert_eq!(run(&mut c, "GET x").await, "\"value\"");
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
