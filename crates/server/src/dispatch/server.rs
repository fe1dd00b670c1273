//! The server: the shared state with the command table, as the dispatcher and the network
//! layer hold it, and the per-command rules that need both (pauses, slow log).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;

use crate::base::clock::now_ms;
use crate::base::config::Config;
use crate::command::{flag, Entry, Table};
use crate::state::client::Client;
use crate::state::State;
/// One server: its state and its command table.
#[derive(Debug)]
pub struct Server {
    state: State,
    /// The command table.
    pub table: Table,
}

impl std::ops::Deref for Server {
    type Target = State;

    fn deref(&self) -> &State {
        &self.state
    }
}

impl Server {
    /// A server with `config` and the commands of `table`, not yet listening.
    pub fn new(config: Config, table: Table) -> Arc<Self> {
        Arc::new(Server {
            state: State::new(config),
            table,
        })
    }

    /// The shared state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Whether CLIENT PAUSE holds this command now: every command under PAUSE ALL, and under
    /// PAUSE WRITE those that may write or replicate (EXEC when it queued one).
    #[inline]
    pub fn paused_for(&self, entry: &Entry, client: &Client) -> bool {
        if !self.is_paused() {
            return false;
        }
        if !self.pause_write_only.load(Ordering::Relaxed) {
            return true;
        }
        let writes = |flags: u32| flags & (flag::WRITE | flag::MAY_REPLICATE) != 0;
        if entry.cmd.flags & flag::EXEC != 0 {
            return client.multi.as_ref().is_some_and(|m| {
                m.queue.iter().any(|args| {
                    args.first()
                        .and_then(|n| self.table.get(n))
                        .is_some_and(|e| writes(e.cmd.flags))
                })
            });
        }
        writes(entry.cmd.flags)
    }

    /// Accounting after a command ran: latency histogram, slow log and latency monitor.
    pub fn after_command(&self, client: &Client, entry: &Entry, args: &[Bytes], nanos: u64) {
        let usec = nanos / 1000;
        let tracking = self.hot.latency_tracking.load(Ordering::Relaxed);
        let slower_than = self.hot.slowlog_slower_than.load(Ordering::Relaxed);
        let latency_threshold = self.hot.latency_threshold.load(Ordering::Relaxed);
        if tracking {
            entry.stats.hist.record(nanos);
        }
        let flags = entry.cmd.flags;
        if slower_than >= 0 && usec >= slower_than as u64 && flags & flag::SKIP_SLOWLOG == 0 {
            let args = redact(entry, args);
            let name = client.handle.name.lock().clone().unwrap_or_default();
            self.slowlog.lock().push(
                &args,
                usec,
                now_ms() / 1000,
                client.handle.addr.clone(),
                name,
            );
        }
        let ms = usec / 1000;
        if latency_threshold > 0 && ms >= latency_threshold as u64 {
            let event = if flags & flag::FAST != 0 {
                "fast-command"
            } else {
                "command"
            };
            self.latency.lock().add(event, now_ms() / 1000, ms);
        }
    }
}

/// Replaces secrets in a command's arguments before the slow log or MONITOR shows them.
pub(super) fn redact(entry: &Entry, args: &[Bytes]) -> Vec<Bytes> {
    const HIDDEN: &str = "(redacted)";
    let mut v = args.to_vec();
    match entry.name_parts() {
        (None, "auth") => v.iter_mut().skip(1).for_each(|a| *a = Bytes::from(HIDDEN)),
        (None, "hello") => {
            let mut i = 2;
            while i < v.len() {
                if v[i].eq_ignore_ascii_case(b"auth") {
                    for a in v.iter_mut().skip(i + 1).take(2) {
                        *a = Bytes::from(HIDDEN);
                    }
                    i += 3;
                } else {
                    i += 1;
                }
            }
        }
        (None, "migrate") => {
            // The passwords of AUTH (one) and AUTH2 (a user and a password) among the options.
            let mut i = 6;
            while i < v.len() {
                let hidden = if v[i].eq_ignore_ascii_case(b"auth") {
                    1
                } else if v[i].eq_ignore_ascii_case(b"auth2") {
                    2
                } else if v[i].eq_ignore_ascii_case(b"keys") {
                    break;
                } else {
                    0
                };
                for a in v.iter_mut().skip(i + 1).take(hidden) {
                    *a = Bytes::from(HIDDEN);
                }
                i += 1 + hidden;
            }
        }
        (Some("config"), "set") => {
            let mut i = 2;
            while i + 1 < v.len() {
                if crate::base::config::is_sensitive(&v[i]) {
                    v[i + 1] = Bytes::from(HIDDEN);
                }
                i += 2;
            }
        }
        _ => {}
    }
    v
}
