//! MIGRATE's side of the wire: connections to target servers, kept for reuse as Redis keeps
//! them (at most 64, each closed after 10 idle seconds), and the exchange of one batch of
//! AUTH, SELECT and RESTORE commands with its one-line replies, under the caller's timeout.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Connections kept at the most.
const MAX_CACHED: usize = 64;
/// A kept connection unused this long is closed.
const MAX_IDLE: Duration = Duration::from_secs(10);

/// One kept connection and the database it last selected.
#[derive(Debug)]
struct Cached {
    stream: BufReader<TcpStream>,
    db: Option<i64>,
    used: Instant,
}

/// The kept connections, by `host:port`.
#[derive(Debug, Default)]
pub struct Sockets {
    cached: Mutex<HashMap<String, Cached>>,
}

/// Where a batch failed on the wire: connecting, sending, or reading a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireError {
    Connect,
    Write,
    Read,
}

impl WireError {
    /// MIGRATE's error reply for it, in Redis's words.
    pub fn reply(self) -> &'static str {
        match self {
            WireError::Connect => "IOERR error or timeout connecting to the client",
            WireError::Write => "IOERR error or timeout writing to target instance",
            WireError::Read => "IOERR error or timeout reading to target instance",
        }
    }
}

/// What the target answered to one batch.
#[derive(Debug, Default)]
pub struct Answer {
    /// For each RESTORE, whether it succeeded.
    pub restored: Vec<bool>,
    /// The first error the target replied with, without its leading `-`.
    pub error: Option<String>,
}

impl Sockets {
    /// Connections kept now (INFO `migrate_cached_sockets`).
    pub fn len(&self) -> usize {
        self.cached.lock().len()
    }

    /// Whether no connection is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Closes the connections unused for 10 seconds (the cron calls it).
    pub fn close_idle(&self) {
        self.cached
            .lock()
            .retain(|_, c| c.used.elapsed() < MAX_IDLE);
    }

    /// Sends `auth` (if any), a SELECT of `db` unless the kept connection has it selected,
    /// then `restores`, and reads a reply to each. A broken kept connection is retried once
    /// on a new one, when nothing was read from it yet.
    pub fn exchange(
        &self,
        host: &str,
        port: u16,
        timeout: Duration,
        db: i64,
        auth: Option<&[&[u8]]>,
        restores: &[Vec<&[u8]>],
    ) -> Result<Answer, WireError> {
        let name = format!("{host}:{port}");
        for attempt in 0..2 {
            let (mut conn, fresh) = match self.cached.lock().remove(&name) {
                Some(c) => (c, false),
                None => (connect(host, port, timeout)?, true),
            };
            match batch(&mut conn, timeout, db, auth, restores) {
                Ok(answer) => {
                    conn.db = if answer.error.is_none() {
                        Some(db)
                    } else {
                        None
                    };
                    conn.used = Instant::now();
                    let mut cached = self.cached.lock();
                    if cached.len() >= MAX_CACHED {
                        if let Some(k) = cached.keys().next().cloned() {
                            cached.remove(&k);
                        }
                    }
                    cached.insert(name, conn);
                    return Ok(answer);
                }
                // A kept connection the target closed meanwhile: try once more on a new one.
                Err((e, nothing_read))
                    if attempt == 0 && !fresh && nothing_read && e != WireError::Connect =>
                {
                    continue
                }
                Err((e, _)) => return Err(e),
            }
        }
        Err(WireError::Read)
    }
}

fn connect(host: &str, port: u16, timeout: Duration) -> Result<Cached, WireError> {
    let addr = (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or(WireError::Connect)?;
    let stream = TcpStream::connect_timeout(&addr, timeout).map_err(|_| WireError::Connect)?;
    let _ = stream.set_nodelay(true);
    Ok(Cached {
        stream: BufReader::new(stream),
        db: None,
        used: Instant::now(),
    })
}

/// Writes one command in RESP.
fn encode(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// One exchange; on failure, also whether no reply was read yet.
fn batch(
    conn: &mut Cached,
    timeout: Duration,
    db: i64,
    auth: Option<&[&[u8]]>,
    restores: &[Vec<&[u8]>],
) -> Result<Answer, (WireError, bool)> {
    let mut out = Vec::new();
    if let Some(a) = auth {
        encode(&mut out, a);
    }
    let select = conn.db != Some(db);
    let db_text = db.to_string();
    if select {
        encode(&mut out, &[b"SELECT", db_text.as_bytes()]);
    }
    for r in restores {
        encode(&mut out, r);
    }
    let stream = conn.stream.get_mut();
    let _ = stream.set_write_timeout(Some(timeout));
    let _ = stream.set_read_timeout(Some(timeout));
    stream
        .write_all(&out)
        .map_err(|_| (WireError::Write, true))?;
    let mut answer = Answer::default();
    let mut read_any = false;
    let mut line = String::new();
    let mut next = |conn: &mut Cached, answer: &mut Answer| -> Result<bool, (WireError, bool)> {
        line.clear();
        match conn.stream.read_line(&mut line) {
            Ok(n) if n > 0 && line.ends_with('\n') => {}
            _ => return Err((WireError::Read, !read_any)),
        }
        read_any = true;
        if let Some(e) = line.strip_prefix('-') {
            answer.error.get_or_insert_with(|| e.trim_end().to_string());
            return Ok(false);
        }
        Ok(true)
    };
    if auth.is_some() {
        next(conn, &mut answer)?;
    }
    if select {
        next(conn, &mut answer)?;
    }
    for _ in restores {
        let ok = next(conn, &mut answer)?;
        answer.restored.push(ok);
    }
    Ok(answer)
}
