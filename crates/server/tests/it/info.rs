//! INFO's computed fields against what a client measures: the instantaneous rates under a
//! steady, paced load, and the read and write counts.

use std::time::Duration;

use crate::common::{start, text, Conn};
use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A field of an INFO reply.
fn field(info: &str, name: &str) -> f64 {
    info.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} in {info}"))
}

#[tokio::test]
async fn instantaneous_ops_per_sec_matches_a_steady_load() {
    let t = start("").await;
    let mut load = Conn::connect(t.addr).await;
    let mut probe = Conn::connect(t.addr).await;
    // 20 PINGs every 10 ms: 2000 commands a second, far below what the server can do, so the
    // rate is the pacing's however loaded the machine is.
    let batch = b"PING\r\n".repeat(20);
    let mut replies = BytesMut::new();
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    let started = tokio::time::Instant::now();
    let mut sent = 0u64;
    while started.elapsed() < Duration::from_millis(2500) {
        tick.tick().await;
        load.stream.write_all(&batch).await.unwrap();
        sent += 20;
        // Read the replies as they come, so nothing backs up.
        while replies.len() < (sent as usize) * 7 {
            load.stream.read_buf(&mut replies).await.unwrap();
        }
    }
    let rate = sent as f64 / started.elapsed().as_secs_f64();
    let info = text(&probe.cmd(&["INFO", "stats"]).await);
    let reported = field(&info, "instantaneous_ops_per_sec");
    assert!(
        (reported - rate).abs() <= rate * 0.25,
        "INFO says {reported} commands/s, the client sent {rate:.0}/s"
    );
    // 7 bytes in and out per PING: the byte rates follow.
    let kbps_in = field(&info, "instantaneous_input_kbps");
    assert!(
        (kbps_in * 1024.0 - rate * 6.0).abs() <= rate * 6.0 * 0.25,
        "{kbps_in} KiB/s in for {rate:.0} PINGs/s"
    );
    // One read and one write per batch at most, however the batches were split.
    let reads = field(&info, "total_reads_processed");
    let writes = field(&info, "total_writes_processed");
    assert!(
        reads >= 250.0 && reads <= sent as f64 + 2.0,
        "{reads} reads"
    );
    assert!(
        writes >= 250.0 && writes <= sent as f64 + 2.0,
        "{writes} writes"
    );
}

#[tokio::test]
async fn expiry_statistics_come_from_the_active_cycle() {
    let t = start("hz 100").await;
    let mut c = Conn::connect(t.addr).await;
    for i in 0..50 {
        c.cmd(&["SET", &format!("long{i}"), "v", "EX", "1000"])
            .await;
        c.cmd(&["SET", &format!("short{i}"), "v", "PX", "1"]).await;
    }
    // Let the cycle (100 times a second here) reclaim the short keys and sample the long ones.
    let mut info = String::new();
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        info = text(&c.cmd(&["INFO", "keyspace"]).await);
        if info.contains("db0:keys=50,") {
            break;
        }
    }
    let line = info.lines().find(|l| l.starts_with("db0:")).unwrap().trim();
    let avg_ttl: u64 = line.rsplit("avg_ttl=").next().unwrap().parse().unwrap();
    assert!((900_000..=1_000_000).contains(&avg_ttl), "{line}");
    let stats = text(&c.cmd(&["INFO", "stats"]).await);
    assert_eq!(field(&stats, "expired_keys"), 50.0);
    assert!(field(&stats, "expired_stale_perc") > 0.0, "{stats}");
    c.cmd(&["FLUSHALL"]).await;
    c.cmd(&["SET", "plain", "v"]).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let info = text(&c.cmd(&["INFO", "keyspace"]).await);
    assert!(info.contains("db0:keys=1,expires=0,avg_ttl=0"), "{info}");
}

#[tokio::test]
async fn client_list_counts_argument_and_transaction_memory() {
    let t = start("").await;
    let mut a = Conn::connect(t.addr).await;
    let mut b = Conn::connect(t.addr).await;
    // "client" and "info": 10 bytes of arguments, as Redis counts them.
    let own = text(&a.cmd(&["CLIENT", "INFO"]).await);
    assert!(own.contains(" argv-mem=10 multi-mem=0 "), "{own}");
    a.cmd(&["MULTI"]).await;
    a.cmd(&["SET", "a", "1"]).await;
    a.cmd(&["SET", "bb", "22"]).await;
    // Each queued command: its argument bytes plus a pointer per argument (5 + 24, 7 + 24).
    let list = text(&b.cmd(&["CLIENT", "LIST"]).await);
    let line = list.lines().find(|l| l.contains(" multi=2 ")).unwrap();
    assert!(line.contains(" argv-mem=0 multi-mem=60 "), "{line}");
    a.cmd(&["EXEC"]).await;
    let list = text(&b.cmd(&["CLIENT", "LIST"]).await);
    assert!(!list.contains("multi-mem=60"), "{list}");
}

#[tokio::test]
async fn recent_client_buffer_peaks() {
    let t = start("hz 100").await;
    let mut c = Conn::connect(t.addr).await;
    let mut big = Conn::connect(t.addr).await;
    big.raw(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000000\r\n").await;
    big.raw(&vec![b'x'; 300_000]).await;
    let mut seen = 0.0;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        seen = field(
            &text(&c.cmd(&["INFO", "clients"]).await),
            "client_recent_max_input_buffer",
        );
        if seen >= 300_000.0 {
            break;
        }
    }
    assert!(seen >= 300_000.0, "{seen}");
}

/// CONFIG RESETSTAT clears the per-command statistics (INFO commandstats, LATENCY HISTOGRAM)
/// as well as the server's.
#[test]
fn resetstat_clears_command_statistics() {
    let mut s = crate::common::Session::new();
    s.run("SET k v");
    assert!(s.run("INFO commandstats").contains("cmdstat_set:calls=1,"));
    assert_eq!(s.run("CONFIG RESETSTAT"), "OK");
    let after = s.run("INFO commandstats");
    assert!(!after.contains("cmdstat_set"), "{after}");
    assert!(
        after.contains("cmdstat_config|resetstat:calls=1,"),
        "{after}"
    );
}
