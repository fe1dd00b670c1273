//! The special modes that replace the command flow: `--pipe` mass insertion,
//! `--scan`, `--latency` / `--latency-history`, `--stat` and
//! `--intrinsic-latency`.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferrodis::{cmd, ReplyReader, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::format::{repr_into, Output};
use crate::session::{emit, errstr, Session};

fn connect_or_exit(s: &mut Session) {
    if !s.connect(false, false) {
        std::process::exit(1);
    }
}

fn interval_sleep(s: &Session) {
    if s.cfg.interval_us > 0 {
        std::thread::sleep(Duration::from_micros(s.cfg.interval_us));
    }
}

/// Twenty unpredictable bytes to recognise the reply to our final ECHO.
fn magic() -> [u8; 20] {
    let mut out = [0u8; 20];
    let state = std::collections::hash_map::RandomState::new();
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let mut h = state.build_hasher();
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        let bytes = h.finish().to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
    out
}

/// `--pipe`: streams standard input (raw RESP) to the server while counting the
/// replies, then sends an ECHO of a random marker and waits for it.
pub fn pipe(s: &mut Session) -> ! {
    connect_or_exit(s);
    let Some(client) = s.client.take() else {
        std::process::exit(1)
    };
    let (transport, _) = client.into_transport();
    let timeout = s.cfg.pipe_timeout;
    let code = s.rt.block_on(pipe_async(transport, timeout));
    std::process::exit(code);
}

async fn pipe_async(transport: ferrodis::Transport, pipe_timeout: u64) -> i32 {
    let (rd, mut wr) = tokio::io::split(transport);
    let marker = magic();
    let eof = Arc::new(AtomicBool::new(false));
    let eof_w = eof.clone();
    tokio::spawn(async move {
        let mut stdin = tokio::io::stdin();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match stdin.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    eprintln!("Error reading from stdin: {e}");
                    std::process::exit(1);
                }
            };
            if n == 0 {
                break;
            }
            if let Err(e) = wr.write_all(buf.get(..n).unwrap_or_default()).await {
                eprintln!("Error writing to the server: {e}");
                std::process::exit(1);
            }
        }
        // The leading CRLF keeps the ECHO well formed even after junk input.
        let mut echo = b"\r\n*2\r\n$4\r\nECHO\r\n$20\r\n".to_vec();
        echo.extend_from_slice(&marker);
        echo.extend_from_slice(b"\r\n");
        eof_w.store(true, Ordering::SeqCst);
        emit(b"All data transferred. Waiting for the last reply...\n");
        if let Err(e) = wr.write_all(&echo).await {
            eprintln!("Error writing to the server: {e}");
            std::process::exit(1);
        }
        let _ = wr.flush().await;
        // Keep the write half open until the replies are read.
        std::future::pending::<()>().await;
    });

    let mut reader = ReplyReader::new(rd);
    let (mut errors, mut replies) = (0u64, 0u64);
    let mut last_read = Instant::now();
    loop {
        let next = tokio::time::timeout(Duration::from_secs(1), reader.read_value()).await;
        match next {
            Err(_) => {}
            Ok(Ok(Some(v))) => {
                last_read = Instant::now();
                match &v {
                    Value::Error(e) => {
                        eprintln!("{e}");
                        errors += 1;
                    }
                    Value::Bulk(b) if eof.load(Ordering::SeqCst) && b[..] == marker[..] => {
                        emit(b"Last reply received from server.\n");
                        break;
                    }
                    _ => {}
                }
                replies += 1;
            }
            Ok(Ok(None)) | Ok(Err(_)) => {
                eprintln!("Error reading replies from server");
                std::process::exit(1);
            }
        }
        if eof.load(Ordering::SeqCst)
            && pipe_timeout > 0
            && last_read.elapsed() > Duration::from_secs(pipe_timeout)
        {
            eprintln!("No replies for {pipe_timeout} seconds: exiting.");
            errors += 1;
            break;
        }
    }
    emit(format!("errors: {errors}, replies: {replies}\n").as_bytes());
    i32::from(errors > 0)
}

/// Length of the marker that ends a diskless (EOF-delimited) RDB transfer.
const RDB_EOF_MARK_SIZE: usize = 40;

/// `REPLCONF arg1 arg2`, announced on stderr as redis-cli does; false (after a
/// message) if the server refuses it.
fn replconf(s: &mut Session, arg1: &str, arg2: &str) -> bool {
    eprintln!("sending REPLCONF {arg1} {arg2}");
    match s.call(cmd("REPLCONF").arg(arg1).arg(arg2)) {
        Err(_) => {
            eprintln!("\nI/O error");
            std::process::exit(1);
        }
        Ok(Value::Error(e)) => {
            eprintln!("REPLCONF {arg1} error: {e}");
            false
        }
        Ok(_) => true,
    }
}

/// How the RDB payload after SYNC is delimited.
enum Payload {
    Length(u64),
    EofMark([u8; RDB_EOF_MARK_SIZE]),
}

/// Sends SYNC on the raw socket and reads the `$<len>` or `$EOF:<mark>` line.
async fn send_sync(t: &mut ferrodis::Transport, pending: &mut Vec<u8>) -> Payload {
    if t.write_all(b"SYNC\r\n").await.is_err() {
        eprintln!("Error writing to master");
        std::process::exit(1);
    }
    // The master may send bare newlines as keepalives before the header.
    let mut line = Vec::new();
    loop {
        let byte = if pending.is_empty() {
            let mut b = [0u8; 1];
            match t.read(&mut b).await {
                Ok(1) => b[0],
                _ => {
                    eprintln!("Error reading bulk length while SYNCing");
                    std::process::exit(1);
                }
            }
        } else {
            pending.remove(0)
        };
        if byte == b'\n' {
            if line.is_empty() {
                continue;
            }
            break;
        }
        line.push(byte);
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    let text = String::from_utf8_lossy(&line).into_owned();
    if text.starts_with('-') {
        eprintln!("SYNC with master failed: {text}");
        std::process::exit(1);
    }
    if let Some(mark) = text.strip_prefix("$EOF:") {
        if let Some(m) = mark.as_bytes().get(..RDB_EOF_MARK_SIZE) {
            let mut out = [0u8; RDB_EOF_MARK_SIZE];
            out.copy_from_slice(m);
            return Payload::EofMark(out);
        }
    }
    let digits: String = text
        .chars()
        .skip(1)
        .take_while(char::is_ascii_digit)
        .collect();
    Payload::Length(digits.parse().unwrap_or(0))
}

/// Reads the RDB payload, handing each piece to `sink`; returns the payload size
/// and any bytes read past its end (the start of the command stream).
async fn read_payload(
    t: &mut ferrodis::Transport,
    payload: &Payload,
    mut pending: Vec<u8>,
    mut sink: impl FnMut(&[u8]),
) -> (u64, Vec<u8>) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut total: u64 = 0;
    // The last bytes seen, to spot the EOF mark across read boundaries.
    let mut tail: Vec<u8> = Vec::with_capacity(2 * RDB_EOF_MARK_SIZE);
    loop {
        let want = match payload {
            Payload::Length(len) => {
                let left = len.saturating_sub(total);
                if left == 0 {
                    return (total, pending);
                }
                usize::try_from(left).unwrap_or(usize::MAX).min(buf.len())
            }
            Payload::EofMark(_) => buf.len(),
        };
        let chunk: Vec<u8> = if pending.is_empty() {
            match t.read(&mut buf[..want]).await {
                Ok(n) if n > 0 => buf[..n].to_vec(),
                _ => {
                    eprintln!("I/O Error reading RDB payload from socket");
                    std::process::exit(1);
                }
            }
        } else {
            let n = want.min(pending.len());
            pending.drain(..n).collect()
        };
        match payload {
            Payload::Length(_) => {
                sink(&chunk);
                total += chunk.len() as u64;
            }
            Payload::EofMark(mark) => {
                // Look for the mark in the unwritten tail plus this chunk.
                tail.extend_from_slice(&chunk);
                if let Some(pos) = tail
                    .windows(RDB_EOF_MARK_SIZE)
                    .position(|w| w == mark.as_slice())
                {
                    sink(&tail[..pos]);
                    total += pos as u64;
                    let rest = tail[pos + RDB_EOF_MARK_SIZE..].to_vec();
                    return (total, rest);
                }
                // Everything but the last mark-length bytes is surely payload.
                let keep_from = tail.len().saturating_sub(RDB_EOF_MARK_SIZE);
                let safe: Vec<u8> = tail.drain(..keep_from).collect();
                sink(&safe);
                total += safe.len() as u64;
            }
        }
    }
}

/// `--rdb FILE` / `--functions-rdb FILE`: fetches an RDB snapshot over the
/// replication protocol (`-` writes it to stdout).
pub fn rdb(s: &mut Session, file: &str, functions_only: bool) -> ! {
    connect_or_exit(s);
    replconf(s, "capa", "eof");
    replconf(s, "rdb-only", "1");
    if functions_only && !replconf(s, "rdb-filter-only", "functions") {
        eprintln!("Failed requesting functions only RDB from server, aborting");
        std::process::exit(1);
    }
    let Some(client) = s.client.take() else {
        std::process::exit(1)
    };
    let (mut t, pending) = client.into_transport();
    let to_stdout = file == "-";
    let mut out: Box<dyn std::io::Write> = if to_stdout {
        Box::new(std::io::stdout())
    } else {
        match std::fs::File::create(file) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("Error opening '{file}': {}", short_io(&e));
                std::process::exit(1);
            }
        }
    };
    let mut write_err = None;
    let total = s.rt.block_on(async {
        let mut pending = pending.to_vec();
        let payload = send_sync(&mut t, &mut pending).await;
        match &payload {
            Payload::Length(n) => {
                eprintln!("SYNC sent to master, writing {n} bytes to '{file}'")
            }
            Payload::EofMark(_) => eprintln!(
                "SYNC sent to master, writing bytes of bulk transfer until EOF marker to '{file}'"
            ),
        }
        let (total, _) = read_payload(&mut t, &payload, pending, |chunk| {
            if write_err.is_none() {
                if let Err(e) = out.write_all(chunk) {
                    write_err = Some(e);
                }
            }
        })
        .await;
        (total, matches!(payload, Payload::EofMark(_)))
    });
    if let Some(e) = write_err {
        eprintln!("Error writing data to file: {}", short_io(&e));
        std::process::exit(1);
    }
    if let Err(e) = out.flush() {
        eprintln!("Error writing data to file: {}", short_io(&e));
        std::process::exit(1);
    }
    drop(out);
    if total.1 {
        eprintln!("Transfer finished with success after {} bytes", total.0);
    } else {
        eprintln!("Transfer finished with success.");
    }
    if !to_stdout {
        if let Err(e) = std::fs::File::open(file).and_then(|f| f.sync_all()) {
            eprintln!("Fail to fsync '{file}': {}", short_io(&e));
            std::process::exit(1);
        }
    }
    std::process::exit(0);
}

/// `--replica`: registers as a replica, discards the snapshot and prints every
/// command the master propagates, as CSV.
pub fn replica(s: &mut Session) -> ! {
    connect_or_exit(s);
    replconf(s, "capa", "eof");
    replconf(s, "rdb-filter-only", "");
    let Some(client) = s.client.take() else {
        std::process::exit(1)
    };
    let (mut t, pending) = client.into_transport();
    let code = s.rt.block_on(async {
        let mut pending = pending.to_vec();
        let payload = send_sync(&mut t, &mut pending).await;
        match &payload {
            Payload::Length(n) => {
                eprintln!("SYNC with master, discarding {n} bytes of bulk transfer...")
            }
            Payload::EofMark(_) => {
                eprintln!("SYNC with master, discarding bytes of bulk transfer until EOF marker...")
            }
        }
        let (total, rest) = read_payload(&mut t, &payload, pending, |_| {}).await;
        if matches!(payload, Payload::EofMark(_)) {
            // redis-cli counts the marker in this figure.
            eprintln!(
                "SYNC done after {} bytes. Logging commands from master.",
                total + RDB_EOF_MARK_SIZE as u64
            );
            // The master counts the replica online once it acknowledges.
            tokio::time::sleep(Duration::from_secs(1)).await;
            eprintln!("sending REPLCONF ACK 0");
            let ack = ferrodis::Cmd::from_args(["REPLCONF", "ACK", "0"]).encode();
            if t.write_all(&ack).await.is_err() {
                eprintln!("\nI/O error");
                return 1;
            }
        } else {
            eprintln!("SYNC done. Logging commands from master.");
        }
        let mut reader = ReplyReader::with_initial(t, &rest);
        loop {
            match reader.read_value().await {
                Ok(Some(v)) => {
                    let mut line = Vec::new();
                    crate::format::csv(&mut line, &v);
                    line.push(b'\n');
                    emit(&line);
                }
                Ok(None) => {
                    eprintln!("Error: Server closed the connection");
                    return 1;
                }
                Err(e) => {
                    eprintln!("Error: {}", errstr(&e));
                    return 1;
                }
            }
        }
    });
    std::process::exit(code);
}

fn short_io(e: &std::io::Error) -> String {
    let msg = e.to_string();
    msg.split(" (os error").next().unwrap_or(&msg).to_string()
}

/// `--scan [--pattern P] [--count N]`: every key, one per line.
pub fn scan(s: &mut Session) -> ! {
    connect_or_exit(s);
    let mut cursor = b"0".to_vec();
    loop {
        let mut c = cmd("SCAN");
        c.arg(cursor.clone());
        if let Some(p) = &s.cfg.pattern {
            c.arg("MATCH").arg(p.clone());
        }
        if let Some(n) = s.cfg.count {
            c.arg("COUNT").arg(n);
        }
        let reply = match s.call(&c) {
            Ok(v) => v,
            Err(_) => {
                eprintln!("\nI/O error");
                std::process::exit(1);
            }
        };
        let items = match reply {
            Value::Error(e) => {
                eprintln!("SCAN error: {e}");
                std::process::exit(1);
            }
            Value::Array(items) => items,
            _ => {
                eprintln!("Non ARRAY response from SCAN!");
                std::process::exit(1);
            }
        };
        let [next, Value::Array(keys)] = items.as_slice() else {
            eprintln!("Invalid element count from SCAN!");
            std::process::exit(1);
        };
        let mut out = Vec::new();
        for k in keys {
            let key = k.as_bytes().unwrap_or_default();
            if s.cfg.output == Output::Standard {
                repr_into(&mut out, key);
            } else {
                out.extend_from_slice(key);
            }
            out.push(b'\n');
        }
        emit(&out);
        cursor = next.as_bytes().unwrap_or(b"0").to_vec();
        interval_sleep(s);
        if cursor == b"0" || cursor.is_empty() {
            std::process::exit(0);
        }
    }
}

/// PING with redis-cli's reconnecting behaviour for the monitoring modes.
fn reconnecting(s: &mut Session, c: &ferrodis::Cmd) -> Value {
    let mut tries = 0;
    loop {
        if s.client.is_some() {
            match s.call(c) {
                Ok(v) => {
                    if tries > 0 {
                        emit(b"\r\x1b[0K");
                    }
                    return v;
                }
                Err(e) if !e.is_connection_error() => {
                    eprintln!("Error: {}", errstr(&e));
                    std::process::exit(1);
                }
                Err(_) => {}
            }
        }
        tries += 1;
        emit(format!("\r\x1b[0KReconnecting... {tries}\r").as_bytes());
        s.connect(true, true);
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn latency_print(s: &Session, min: u64, max: u64, avg: f64, count: u64) {
    let text = match s.cfg.output {
        Output::Standard => format!("min: {min}, max: {max}, avg: {avg:.2} ({count} samples)"),
        Output::Csv => format!("{min},{max},{avg:.2},{count}\n"),
        Output::Raw => format!("{min} {max} {avg:.2} {count}\n"),
        Output::Json | Output::QuotedJson => {
            format!("{{\"min\": {min}, \"max\": {max}, \"avg\": {avg:.2}, \"count\": {count}}}\n")
        }
    };
    emit(text.as_bytes());
}

/// `--latency` / `--latency-history`: PING every 10 ms and report min/max/avg in
/// milliseconds. On a terminal it runs until interrupted; otherwise it reports
/// once after the interval (1 s by default).
pub fn latency(s: &mut Session, history: bool) -> ! {
    connect_or_exit(s);
    let history_ms = if s.cfg.interval_us > 0 {
        s.cfg.interval_us / 1000
    } else {
        15_000
    };
    let interval_ms = if s.cfg.interval_us == 0 {
        1000
    } else {
        s.cfg.interval_us / 1000
    };
    let (mut min, mut max, mut tot, mut count) = (0u64, 0u64, 0u64, 0u64);
    let mut history_start = Instant::now();
    let ping = cmd("PING");
    loop {
        let start = Instant::now();
        reconnecting(s, &ping);
        let lat = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        count += 1;
        if count == 1 {
            (min, max, tot) = (lat, lat, lat);
        } else {
            min = min.min(lat);
            max = max.max(lat);
            tot += lat;
        }
        let avg = tot as f64 / count as f64;
        if s.cfg.output == Output::Standard {
            emit(b"\x1b[0G\x1b[2K");
            latency_print(s, min, max, avg, count);
        } else if history {
            latency_print(s, min, max, avg, count);
        } else if history_start.elapsed().as_millis() > u128::from(interval_ms) {
            latency_print(s, min, max, avg, count);
            std::process::exit(0);
        }
        if history && history_start.elapsed().as_millis() > u128::from(history_ms) {
            emit(
                format!(
                    " -- {:.2} seconds range\n",
                    history_start.elapsed().as_secs_f64()
                )
                .as_bytes(),
            );
            history_start = Instant::now();
            (min, max, tot, count) = (0, 0, 0, 0);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The number after `field` and one separator in INFO text, as redis-cli reads it.
fn info_field(info: &str, field: &str) -> Option<i64> {
    let at = info.find(field)?;
    let rest = info.get(at + field.len() + 1..)?;
    let end = rest.find(['\r', ',']).unwrap_or(rest.len());
    let v = rest.get(..end)?;
    let digits: String = v
        .chars()
        .enumerate()
        .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '-'))
        .map(|(_, c)| c)
        .collect();
    Some(digits.parse().unwrap_or(0))
}

fn human_bytes(n: i64) -> String {
    let (sign, n) = if n < 0 { ("-", -n) } else { ("", n) };
    let d = n as f64;
    if n < 1024 {
        format!("{sign}{n}B")
    } else if n < 1024 * 1024 {
        format!("{sign}{:.2}K", d / 1024.0)
    } else if n < 1024 * 1024 * 1024 {
        format!("{sign}{:.2}M", d / (1024.0 * 1024.0))
    } else {
        format!("{sign}{:.2}G", d / (1024.0 * 1024.0 * 1024.0))
    }
}

/// `--stat`: one line of keys, memory, clients, requests and connections per
/// interval (1 s by default), with a header every 20 lines.
pub fn stat(s: &mut Session) -> ! {
    connect_or_exit(s);
    let interval = if s.cfg.interval_us == 0 {
        1_000_000
    } else {
        s.cfg.interval_us
    };
    let mut requests: i64 = 0;
    let info_cmd = cmd("INFO");
    for i in 0u64.. {
        let info = match reconnecting(s, &info_cmd) {
            Value::Error(e) => {
                eprintln!("ERROR: {e}");
                std::process::exit(1);
            }
            v => v
                .as_bytes()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default(),
        };
        let mut line = String::new();
        if i % 20 == 0 {
            line.push_str(
                "------- data ------ --------------------- load -------------------- - child -\n\
                 keys       mem      clients blocked requests            connections          \n",
            );
        }
        let keys: i64 = (0..20)
            .filter_map(|db| info_field(&info, &format!("db{db}:keys")))
            .sum();
        line.push_str(&format!("{:<11}", keys));
        line.push_str(&format!(
            "{:<8}",
            human_bytes(info_field(&info, "used_memory").unwrap_or(0))
        ));
        let field = |f: &str| info_field(&info, f).unwrap_or(i64::MIN);
        line.push_str(&format!(" {:<8}", field("connected_clients")));
        line.push_str(&format!("{:<8}", field("blocked_clients")));
        let total = field("total_commands_processed");
        let delta = if requests == 0 { 0 } else { total - requests };
        line.push_str(&format!("{:<19}", format!("{total} (+{delta})")));
        requests = total;
        line.push_str(&format!(" {:<12}", field("total_connections_received")));
        let child = info_field(&info, "bgsave_in_progress").unwrap_or(0)
            | (info_field(&info, "aof_rewrite_in_progress").unwrap_or(0) << 1)
            | (info_field(&info, "loading").unwrap_or(0) << 2);
        line.push_str(match child {
            1 => "SAVE",
            2 => "AOF",
            3 => "SAVE+AOF",
            4 => "LOAD",
            _ => "",
        });
        line.push('\n');
        emit(line.as_bytes());
        std::thread::sleep(Duration::from_micros(interval));
    }
    std::process::exit(0);
}

/// `--intrinsic-latency SECONDS`: how long this machine stalls a busy loop.
pub fn intrinsic_latency(seconds: u64) -> ! {
    let run_time = Duration::from_secs(seconds);
    let end = Instant::now() + run_time;
    let (mut max_us, mut runs) = (0u128, 0u64);
    let mut scratch = [0u64; 64];
    loop {
        let start = Instant::now();
        // A small fixed amount of work whose duration should not vary.
        for i in 0..scratch.len() {
            scratch[i] = std::hint::black_box(
                scratch[(i + 1) % 64]
                    .wrapping_mul(31)
                    .wrapping_add(i as u64),
            );
        }
        let now = Instant::now();
        let lat = now.duration_since(start).as_micros();
        runs += 1;
        if lat > max_us {
            max_us = lat;
            emit(format!("Max latency so far: {max_us} microseconds.\n").as_bytes());
        }
        if now > end {
            let avg_us = run_time.as_micros() as f64 / runs as f64;
            emit(
                format!(
                    "\n{runs} total runs (avg latency: {avg_us:.4} microseconds / {:.2} nanoseconds per run).\n\
                     Worst run took {:.0}x longer than the average latency.\n",
                    avg_us * 1e3,
                    max_us as f64 / avg_us
                )
                .as_bytes(),
            );
            std::process::exit(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_fields() {
        let info = "# Server\r\nused_memory:1024\r\nused_memory_human:1K\r\ndb0:keys=5,expires=0\r\ndb3:keys=2,expires=1\r\n";
        assert_eq!(info_field(info, "used_memory"), Some(1024));
        assert_eq!(info_field(info, "db0:keys"), Some(5));
        assert_eq!(info_field(info, "db3:keys"), Some(2));
        assert_eq!(info_field(info, "db1:keys"), None);
        assert_eq!(human_bytes(1536), "1.50K");
        assert_eq!(human_bytes(12), "12B");
    }
}
