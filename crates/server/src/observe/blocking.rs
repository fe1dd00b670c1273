//! Clients blocked on keys (BLPOP, BZPOPMIN, BLMOVE...): per-key FIFO queues, served by the
//! command that makes a key ready.
//!
//! A blocking command whose keys are empty returns `CmdError::Block`; the dispatcher then parks
//! the client here and its connection waits for a reply. Every change to a key goes through
//! `db::KeyRef`, which calls `signal` when the key has waiters. After each command, the executing
//! task serves the ready keys: it re-runs each waiter's command, oldest first, on the waiter's
//! behalf, and hands the encoded reply to the waiting connection. Serving right after the command
//! that pushed (not when the waiter's task next runs) is what gives Redis's guarantees: FIFO among
//! clients blocked on a key, and no other client's command slipping in between.
//!
//! One mutex (`serve`) serialises serving, timeouts and CLIENT UNBLOCK, so a waiter is removed
//! exactly once: either served, or timed out, or unblocked.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::oneshot;

use crate::base::handle::ClientHandle;
/// A parked client.
#[derive(Debug)]
pub struct Waiter {
    /// The client's handle.
    pub handle: Arc<ClientHandle>,
    /// Selected database when it blocked.
    pub db: usize,
    /// Protocol version.
    pub proto: u8,
    /// The blocked command, to run again when a key is ready.
    pub args: Vec<Bytes>,
    /// Its keys.
    pub keys: Vec<Bytes>,
    /// The reply sent to the client on timeout or CLIENT UNBLOCK ... TIMEOUT.
    pub timeout_reply: Bytes,
    /// Where the reply goes.
    pub reply: oneshot::Sender<Bytes>,
    /// See `BlockOn::serve_all`.
    pub serve_all: bool,
}

#[derive(Debug, Default)]
struct Queues {
    waiters: HashMap<u64, Waiter>,
    by_key: HashMap<(usize, Bytes), VecDeque<u64>>,
}

/// The registry of blocked clients; see the module documentation.
#[derive(Debug, Default)]
pub struct Blocking {
    /// Number of blocked clients, read without locking on every key change.
    count: AtomicUsize,
    queues: Mutex<Queues>,
    ready: Mutex<Vec<(usize, Bytes)>>,
    /// Held while serving, timing out or unblocking, so each waiter leaves exactly once.
    pub serve: Mutex<()>,
}

impl Blocking {
    /// Number of blocked clients (INFO's `blocked_clients`).
    pub fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    /// Whether the client with `id` is blocked.
    pub fn is_blocked(&self, id: u64) -> bool {
        self.count() > 0 && self.queues.lock().waiters.contains_key(&id)
    }

    /// Parks a client on its keys.
    pub fn park(&self, w: Waiter) {
        let mut q = self.queues.lock();
        for k in &w.keys {
            let queue = q.by_key.entry((w.db, k.clone())).or_default();
            if !queue.contains(&w.handle.id) {
                queue.push_back(w.handle.id);
            }
        }
        q.waiters.insert(w.handle.id, w);
        self.count.store(q.waiters.len(), Ordering::Relaxed);
    }

    /// Removes a waiter from every queue, returning it if it was still parked.
    pub fn remove(&self, id: u64) -> Option<Waiter> {
        let mut q = self.queues.lock();
        let w = q.waiters.remove(&id)?;
        for k in &w.keys {
            let slot = (w.db, k.clone());
            if let Some(queue) = q.by_key.get_mut(&slot) {
                queue.retain(|x| *x != id);
                if queue.is_empty() {
                    q.by_key.remove(&slot);
                }
            }
        }
        self.count.store(q.waiters.len(), Ordering::Relaxed);
        Some(w)
    }

    /// Notes that a key changed; called by `KeyRef` for every change while anyone is blocked.
    #[inline]
    pub fn signal(&self, db: usize, key: &[u8]) {
        if self.count() == 0 {
            return;
        }
        let has_waiters = self
            .queues
            .lock()
            .by_key
            .contains_key(&(db, Bytes::copy_from_slice(key)));
        if has_waiters {
            let mut ready = self.ready.lock();
            if !ready.iter().any(|(d, k)| *d == db && k == key) {
                ready.push((db, Bytes::copy_from_slice(key)));
            }
        }
    }

    /// Every key with waiters in database `db` becomes ready (SWAPDB, MOVE into it...).
    pub fn signal_db(&self, db: usize) {
        if self.count() == 0 {
            return;
        }
        let keys: Vec<(usize, Bytes)> = self
            .queues
            .lock()
            .by_key
            .keys()
            .filter(|(d, _)| *d == db)
            .cloned()
            .collect();
        self.ready.lock().extend(keys);
    }

    /// Whether some key was signalled since the last serve.
    #[inline]
    pub fn has_ready(&self) -> bool {
        self.count() > 0 && !self.ready.lock().is_empty()
    }

    /// Takes the keys signalled so far.
    pub fn take_ready(&self) -> Vec<(usize, Bytes)> {
        std::mem::take(&mut *self.ready.lock())
    }

    /// The ids of the waiters on a key, oldest first.
    pub fn waiter_ids(&self, db: usize, key: &Bytes) -> Vec<u64> {
        let q = self.queues.lock();
        q.by_key
            .get(&(db, key.clone()))
            .map(|v| v.iter().copied().collect())
            .unwrap_or_default()
    }

    /// A parked waiter's command, client handle, protocol and `serve_all` flag.
    pub fn waiter(&self, id: u64) -> Option<(Vec<Bytes>, Arc<ClientHandle>, u8, bool)> {
        let q = self.queues.lock();
        let w = q.waiters.get(&id)?;
        Some((w.args.clone(), w.handle.clone(), w.proto, w.serve_all))
    }

    /// The oldest waiter on a key: its id, command, database and protocol.
    pub fn first_waiter(
        &self,
        db: usize,
        key: &Bytes,
    ) -> Option<(u64, Vec<Bytes>, Arc<ClientHandle>, u8)> {
        let q = self.queues.lock();
        let id = *q.by_key.get(&(db, key.clone()))?.front()?;
        let w = q.waiters.get(&id)?;
        Some((id, w.args.clone(), w.handle.clone(), w.proto))
    }
}
