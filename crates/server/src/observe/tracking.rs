//! Client-side caching (CLIENT TRACKING): which clients may hold which keys in a local cache,
//! and the invalidation messages sent to them when those keys change.
//!
//! Two modes, as in Redis. In the default mode every key a tracking client reads with a
//! read-only command is remembered in one table, key → ids of the clients that read it (keys of
//! every database share the table, as in Redis); the first change to the key sends each of them
//! an invalidation and forgets the key (one-shot). In BCAST mode a client registers prefixes
//! instead, and receives, batched at the end of the command that made them, the names of all
//! changed keys that start with one of its prefixes. The table is bounded by
//! `tracking-table-max-keys`: past it, random keys are dropped and invalidated.
//!
//! Delivery: a RESP3 client gets `>2 invalidate [keys]` pushes on its own connection; a client
//! with REDIRECT has them sent to another connection, which must speak RESP3 or (RESP2) be in
//! Pub/Sub mode, where they arrive as `message __redis__:invalidate [keys]`. If the redirect
//! target has gone, a RESP3 client is told with a `tracking-redir-broken` push. A flush of a
//! database invalidates everything with a null in place of the key list.
//!
//! Ordering: messages whose target is the client running the current command are held in its
//! `base::running::Running` and written into its own reply buffer by the dispatcher, before
//! its reply when the change happened before the command ran (eviction, the table limit) and
//! after it otherwise, so an invalidation never splits a reply. Messages for other clients go
//! to their push queues at once.
//!
//! Cost for everyone else: the dispatcher checks one relaxed atomic (any tracking client?) and
//! a key change checks another (anything tracked at all?); nothing else runs until tracking is
//! used.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use parking_lot::Mutex;
use resp::ReplyWriter;

use crate::base::handle::ClientHandle;
use crate::base::reply::Out;
use crate::base::running::Running;
/// The bits of `ClientHandle::tracking`.
pub mod mode {
    /// Tracking is on.
    pub const ON: u32 = 1 << 0;
    /// Broadcast mode (prefixes instead of remembered keys).
    pub const BCAST: u32 = 1 << 1;
    /// Keys are remembered only after CLIENT CACHING YES.
    pub const OPTIN: u32 = 1 << 2;
    /// Keys are remembered unless CLIENT CACHING NO.
    pub const OPTOUT: u32 = 1 << 3;
    /// CLIENT CACHING was given for the next command (YES under OPTIN, NO under OPTOUT).
    pub const CACHING: u32 = 1 << 4;
    /// No invalidation for keys the client changed itself.
    pub const NOLOOP: u32 = 1 << 5;
    /// The redirect target has disconnected.
    pub const BROKEN_REDIRECT: u32 = 1 << 6;
}

use mode::*;

/// The Pub/Sub channel RESP2 redirect targets receive invalidations on.
const CHANNEL: &[u8] = b"__redis__:invalidate";

/// Keys evicted from the table per pass over the limit, times the number of consecutive passes
/// that ended still over it (Redis's escalating effort).
const LIMIT_EFFORT: usize = 100;

/// One tracking client.
#[derive(Debug)]
struct Tracker {
    handle: Arc<ClientHandle>,
    /// The client invalidations are redirected to, if any.
    redirect: Option<Arc<ClientHandle>>,
    /// BCAST prefixes.
    prefixes: BTreeSet<Bytes>,
}

/// A BCAST prefix: its clients and the keys under it changed since the last broadcast.
#[derive(Debug, Default)]
struct Prefix {
    clients: BTreeSet<u64>,
    /// Changed key → id of the client that changed it last (0: the server, e.g. expiry), so
    /// that NOLOOP clients can be spared their own changes.
    keys: BTreeMap<Bytes, u64>,
}

/// The key table: key → client ids, in a vector so that a random key can be picked for the
/// `tracking-table-max-keys` limit, with an index by name.
#[derive(Debug, Default)]
struct KeyTable {
    slots: Vec<(Bytes, Vec<u64>)>,
    index: HashMap<Bytes, usize>,
}

impl KeyTable {
    fn len(&self) -> usize {
        self.slots.len()
    }

    /// Remembers that client `id` may cache `key`; returns whether that is a new item.
    fn add(&mut self, key: &[u8], id: u64) -> bool {
        if let Some(&i) = self.index.get(key) {
            let Some((_, ids)) = self.slots.get_mut(i) else {
                return false;
            };
            if ids.contains(&id) {
                return false;
            }
            ids.push(id);
            return true;
        }
        // Copied, so that a remembered key does not keep its request buffer alive.
        let key = Bytes::copy_from_slice(key);
        self.index.insert(key.clone(), self.slots.len());
        self.slots.push((key, vec![id]));
        true
    }

    /// Forgets `key`, returning the clients that were remembered for it.
    fn remove(&mut self, key: &[u8]) -> Option<Vec<u64>> {
        let i = self.index.remove(key)?;
        if i >= self.slots.len() {
            return None;
        }
        let (_, ids) = self.slots.swap_remove(i);
        if let Some((moved, _)) = self.slots.get(i) {
            if let Some(slot) = self.index.get_mut(moved) {
                *slot = i;
            }
        }
        Some(ids)
    }

    fn random_key(&self) -> Option<Bytes> {
        if self.slots.is_empty() {
            return None;
        }
        self.slots
            .get(fastrand::usize(..self.slots.len()))
            .map(|(k, _)| k.clone())
    }

    fn clear(&mut self) {
        self.slots = Vec::new();
        self.index = HashMap::new();
    }
}

#[derive(Debug, Default)]
struct Inner {
    table: KeyTable,
    /// Client ids across the whole table (INFO's `tracking_total_items`).
    items: usize,
    /// Tracking clients by id.
    trackers: HashMap<u64, Tracker>,
    /// BCAST prefixes.
    prefixes: BTreeMap<Bytes, Prefix>,
    /// Consecutive limit passes that ended still over the limit.
    limit_rounds: usize,
}

/// The tracking state of the server; see the module documentation.
#[derive(Debug, Default)]
pub struct Tracking {
    /// Clients with tracking on (INFO's `tracking_clients`), checked by the dispatcher.
    clients: AtomicUsize,
    /// Remembered keys plus BCAST prefixes, checked on every key change.
    entries: AtomicUsize,
    /// Some BCAST prefix has changed keys waiting to be broadcast.
    bcast_pending: AtomicBool,
    /// `tracking-table-max-keys` (0: no limit).
    max_keys: AtomicU64,
    inner: Mutex<Inner>,
}

/// A message to one tracking client.
enum Msg<'a> {
    /// One key changed.
    Key(&'a [u8]),
    /// Several keys changed (BCAST).
    Keys(&'a [Bytes]),
    /// Everything is invalid (a database was flushed).
    All,
}

/// Where messages for the client running the current command go: its reply buffer.
struct Own<'a> {
    id: u64,
    out: &'a mut Out,
}

impl Tracking {
    /// Whether any client has tracking on: the one check the dispatcher makes.
    #[inline]
    pub fn active(&self) -> bool {
        self.clients.load(Ordering::Relaxed) > 0
    }

    /// Number of clients with tracking on.
    pub fn clients(&self) -> usize {
        self.clients.load(Ordering::Relaxed)
    }

    /// INFO's (`tracking_total_keys`, `tracking_total_items`, `tracking_total_prefixes`).
    pub fn totals(&self) -> (usize, usize, usize) {
        let inner = self.inner.lock();
        (inner.table.len(), inner.items, inner.prefixes.len())
    }

    /// Sets `tracking-table-max-keys`.
    pub fn set_max_keys(&self, n: u64) {
        self.max_keys.store(n, Ordering::Relaxed);
    }

    fn update_entries(&self, inner: &Inner) {
        self.entries
            .store(inner.table.len() + inner.prefixes.len(), Ordering::Relaxed);
    }

    /// Turns tracking on (or changes its options) for `handle`. `options` holds the `BCAST`,
    /// `OPTIN`, `OPTOUT` and `NOLOOP` bits; `prefixes` are added to the client's BCAST
    /// prefixes (none means the empty prefix, every key). The caller has checked the options.
    pub fn enable(
        &self,
        handle: &Arc<ClientHandle>,
        redirect: Option<Arc<ClientHandle>>,
        options: u32,
        prefixes: &[Bytes],
    ) {
        let mut inner = self.inner.lock();
        let id = handle.id;
        let old = handle.tracking.load(Ordering::Relaxed);
        if old & ON == 0 {
            self.clients.fetch_add(1, Ordering::Relaxed);
        }
        let flags = ON | (old & CACHING) | (options & (BCAST | OPTIN | OPTOUT | NOLOOP));
        handle.tracking.store(flags, Ordering::Relaxed);
        handle
            .tracking_redirect
            .store(redirect.as_ref().map_or(0, |r| r.id), Ordering::Relaxed);
        let Inner {
            trackers,
            prefixes: table,
            ..
        } = &mut *inner;
        let tracker = trackers.entry(id).or_insert_with(|| Tracker {
            handle: handle.clone(),
            redirect: None,
            prefixes: BTreeSet::new(),
        });
        tracker.redirect = redirect;
        if options & BCAST != 0 {
            let empty = [Bytes::new()];
            let wanted = if prefixes.is_empty() {
                &empty[..]
            } else {
                prefixes
            };
            for p in wanted {
                // Copied, so that a prefix does not keep its request buffer alive.
                let p = Bytes::copy_from_slice(p);
                table.entry(p.clone()).or_default().clients.insert(id);
                tracker.prefixes.insert(p);
            }
        }
        self.update_entries(&inner);
    }

    /// Turns tracking off for `handle` (CLIENT TRACKING OFF, RESET, disconnection). Keys it
    /// read stay in the table until they change, as in Redis: removing them would cost a walk
    /// of the whole table.
    pub fn disable(&self, handle: &ClientHandle) {
        if handle.tracking.load(Ordering::Relaxed) & ON == 0 {
            return;
        }
        let mut inner = self.inner.lock();
        if let Some(tracker) = inner.trackers.remove(&handle.id) {
            for p in tracker.prefixes {
                if let Some(state) = inner.prefixes.get_mut(&p) {
                    state.clients.remove(&handle.id);
                    if state.clients.is_empty() {
                        inner.prefixes.remove(&p);
                    }
                }
            }
        }
        handle.tracking.store(0, Ordering::Relaxed);
        handle.tracking_redirect.store(0, Ordering::Relaxed);
        self.clients.fetch_sub(1, Ordering::Relaxed);
        self.update_entries(&inner);
    }

    /// Redis's check that no two prefixes of one client overlap (one is a prefix of the
    /// other): the new ones against the client's current ones and against each other.
    pub fn prefix_conflict(&self, id: u64, new: &[Bytes]) -> Option<String> {
        let inner = self.inner.lock();
        let existing = inner.trackers.get(&id).map(|t| &t.prefixes);
        let overlap = |a: &[u8], b: &[u8]| {
            let n = a.len().min(b.len());
            a[..n] == b[..n]
        };
        // Line breaks would end the error reply early; Redis turns them into spaces too.
        let show = |b: &[u8]| String::from_utf8_lossy(b).replace(['\r', '\n'], " ");
        for (i, p) in new.iter().enumerate() {
            if let Some(old) = existing.and_then(|set| set.iter().find(|o| overlap(o, p))) {
                return Some(format!(
                    "Prefix '{}' overlaps with an existing prefix '{}'. Prefixes for a single client must not overlap.",
                    show(p),
                    show(old)
                ));
            }
            if let Some(other) = new[i + 1..].iter().find(|o| overlap(p, o)) {
                return Some(format!(
                    "Prefix '{}' overlaps with another provided prefix '{}'. Prefixes for a single client must not overlap.",
                    show(p),
                    show(other)
                ));
            }
        }
        None
    }

    /// The BCAST prefixes of a client, in order.
    pub fn prefixes_of(&self, id: u64) -> Vec<Bytes> {
        let inner = self.inner.lock();
        inner
            .trackers
            .get(&id)
            .map(|t| t.prefixes.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// After a read-only command of a tracking client: remembers its keys, unless the client
    /// is in BCAST mode or OPTIN/OPTOUT with CLIENT CACHING says otherwise.
    pub fn remember<'k>(&self, handle: &ClientHandle, keys: impl Iterator<Item = &'k [u8]>) {
        let flags = handle.tracking.load(Ordering::Relaxed);
        if flags & ON == 0 || flags & BCAST != 0 {
            return;
        }
        let caching = flags & CACHING != 0;
        if (flags & OPTIN != 0 && !caching) || (flags & OPTOUT != 0 && caching) {
            return;
        }
        let mut inner = self.inner.lock();
        for key in keys {
            if inner.table.add(key, handle.id) {
                inner.items += 1;
            }
        }
        self.update_entries(&inner);
    }

    /// A key changed (`by_client`: through a command, not by expiry). Cheap when nothing is
    /// tracked: one relaxed load.
    #[inline]
    pub fn key_changed(&self, key: &[u8], by_client: bool, running: Option<&Running>) {
        if self.entries.load(Ordering::Relaxed) == 0 {
            return;
        }
        self.invalidate(key, by_client, running);
    }

    #[cold]
    fn invalidate(&self, key: &[u8], by_client: bool, running: Option<&Running>) {
        let current = running.map_or(0, |r| r.id);
        let modifier = if by_client { current } else { 0 };
        let mut inner = self.inner.lock();
        let mut recorded = false;
        for (prefix, state) in inner.prefixes.iter_mut() {
            if key.starts_with(prefix) {
                state.keys.insert(Bytes::copy_from_slice(key), modifier);
                recorded = true;
            }
        }
        if recorded {
            self.bcast_pending.store(true, Ordering::Relaxed);
        }
        self.invalidate_tracked(&mut inner, key, running);
    }

    /// Forgets `key` and tells every client that was remembered for it; the client running
    /// the command gets it after its reply.
    fn invalidate_tracked(&self, inner: &mut Inner, key: &[u8], running: Option<&Running>) {
        let Some(ids) = inner.table.remove(key) else {
            return;
        };
        inner.items = inner.items.saturating_sub(ids.len());
        self.update_entries(inner);
        for id in ids {
            let Some(tracker) = inner.trackers.get(&id) else {
                continue;
            };
            let flags = tracker.handle.tracking.load(Ordering::Relaxed);
            // A client that switched to BCAST since it read the key is not told about keys
            // of its earlier mode.
            if flags & ON == 0 || flags & BCAST != 0 {
                continue;
            }
            if let Some(r) = running.filter(|r| r.id == id) {
                if flags & NOLOOP == 0 {
                    r.pending
                        .borrow_mut()
                        .push(Some(Bytes::copy_from_slice(key)));
                }
                continue;
            }
            send(tracker, &Msg::Key(key), &mut None);
        }
    }

    /// A database was emptied: the table is cleared and every tracking client told that
    /// all its keys are invalid (once per command, however many databases it empties).
    pub fn flushed(&self, running: Option<&Running>) {
        if self.entries.load(Ordering::Relaxed) == 0 && !self.active() {
            return;
        }
        let mut inner = self.inner.lock();
        inner.table.clear();
        inner.items = 0;
        self.update_entries(&inner);
        if let Some(r) = running {
            if r.flushed.replace(true) {
                return;
            }
        }
        for (&id, tracker) in inner.trackers.iter() {
            match running.filter(|r| r.id == id) {
                Some(r) => r.pending.borrow_mut().push(None),
                None => send(tracker, &Msg::All, &mut None),
            }
        }
    }

    /// Keeps the table within `tracking-table-max-keys` by invalidating random keys, with
    /// Redis's effort: 100 keys per pass, more on each pass that ends still over the limit.
    pub fn enforce_limit(&self, running: Option<&Running>) {
        let max = self.max_keys.load(Ordering::Relaxed) as usize;
        // `entries` counts prefixes too, so it can only overstate the table: when it is within
        // the limit, so is the table, and no lock is taken.
        if max == 0 || self.entries.load(Ordering::Relaxed) <= max {
            return;
        }
        let mut inner = self.inner.lock();
        if inner.table.len() <= max {
            inner.limit_rounds = 0;
            return;
        }
        let effort = LIMIT_EFFORT.saturating_mul(inner.limit_rounds.saturating_add(1));
        for _ in 0..effort {
            let Some(key) = inner.table.random_key() else {
                break;
            };
            self.invalidate_tracked(&mut inner, &key, running);
            if inner.table.len() <= max {
                inner.limit_rounds = 0;
                return;
            }
        }
        inner.limit_rounds += 1;
    }

    /// Sends the BCAST keys changed since the last broadcast to the clients of their
    /// prefixes, one message per prefix. `own` receives the messages for the client running
    /// the current command.
    fn broadcast(&self, own: &mut Option<Own<'_>>) {
        if !self.bcast_pending.swap(false, Ordering::Relaxed) {
            return;
        }
        let mut inner = self.inner.lock();
        let Inner {
            prefixes, trackers, ..
        } = &mut *inner;
        for state in prefixes.values_mut() {
            if state.keys.is_empty() {
                continue;
            }
            let keys = std::mem::take(&mut state.keys);
            let all: Vec<Bytes> = keys.keys().cloned().collect();
            for id in &state.clients {
                let Some(tracker) = trackers.get(id) else {
                    continue;
                };
                if tracker.handle.tracking.load(Ordering::Relaxed) & NOLOOP != 0 {
                    let mine: Vec<Bytes> = keys
                        .iter()
                        .filter(|(_, by)| *by != id)
                        .map(|(k, _)| k.clone())
                        .collect();
                    if !mine.is_empty() {
                        send(tracker, &Msg::Keys(&mine), own);
                    }
                } else {
                    send(tracker, &Msg::Keys(&all), own);
                }
            }
        }
    }

    /// Writes the invalidations held for the client running the current command (see the
    /// module documentation) into its reply buffer, or to its redirect target.
    fn deliver_own(&self, running: &Running, out: &mut Out) {
        let pending = std::mem::take(&mut *running.pending.borrow_mut());
        if pending.is_empty() {
            return;
        }
        let inner = self.inner.lock();
        let Some(tracker) = inner.trackers.get(&running.id) else {
            return;
        };
        let mut own = Some(Own {
            id: running.id,
            out,
        });
        for p in &pending {
            let msg = match p {
                Some(key) => Msg::Key(key),
                None => Msg::All,
            };
            send(tracker, &msg, &mut own);
        }
    }

    /// Periodic work when nothing else triggers it: the table limit (after CONFIG SET lowers
    /// it) and BCAST keys changed outside commands (active expiry).
    pub fn cron(&self) {
        if !self.active() {
            return;
        }
        self.enforce_limit(None);
        self.broadcast(&mut None);
    }
}

/// Encodes a message for a client speaking `proto`: a push in RESP3, a Pub/Sub message on
/// the invalidation channel in RESP2.
fn encode(msg: &Msg<'_>, proto: u8) -> Bytes {
    let mut buf = BytesMut::new();
    let mut w = ReplyWriter::new(&mut buf, proto);
    if proto >= 3 {
        w.push_len(2);
        w.bulk(b"invalidate");
    } else {
        w.array_len(3);
        w.bulk(b"message");
        w.bulk(CHANNEL);
    }
    match msg {
        Msg::Key(k) => {
            w.array_len(1);
            w.bulk(k);
        }
        Msg::Keys(keys) => {
            w.array_len(keys.len());
            for k in keys.iter() {
                w.bulk(k);
            }
        }
        Msg::All => w.null(),
    }
    buf.freeze()
}

/// Sends a message to a tracking client: to its redirect target when it has one (or, when
/// that target is gone, a `tracking-redir-broken` push to the client itself), else to the
/// client, which must speak RESP3 to receive anything.
fn send(tracker: &Tracker, msg: &Msg<'_>, own: &mut Option<Own<'_>>) {
    let handle = &tracker.handle;
    let redirect_id = handle.tracking_redirect.load(Ordering::Relaxed);
    let (to, redirected) = if redirect_id != 0 {
        match tracker
            .redirect
            .as_ref()
            .filter(|r| !r.gone.load(Ordering::Relaxed))
        {
            Some(r) => (r, true),
            None => {
                handle.tracking.fetch_or(BROKEN_REDIRECT, Ordering::Relaxed);
                if handle.resp.load(Ordering::Relaxed) >= 3 {
                    let mut buf = BytesMut::new();
                    let mut w = ReplyWriter::new(&mut buf, 3);
                    w.push_len(2);
                    w.bulk(b"tracking-redir-broken");
                    w.integer(redirect_id as i64);
                    deliver(handle, buf.freeze(), own);
                }
                return;
            }
        }
    } else {
        (handle, false)
    };
    let proto = to.resp.load(Ordering::Relaxed) as u8;
    // RESP2 has no pushes: only a redirect target in Pub/Sub mode can receive them.
    if proto < 3 && !(redirected && to.subscriptions.load(Ordering::Relaxed) > 0) {
        return;
    }
    deliver(to, encode(msg, proto), own);
}

/// Writes a message into the running client's reply buffer when it is for that client, or
/// queues it on the recipient's connection.
fn deliver(to: &ClientHandle, bytes: Bytes, own: &mut Option<Own<'_>>) {
    if let Some(o) = own.as_mut() {
        if o.id == to.id {
            o.out.buf.extend_from_slice(&bytes);
            return;
        }
    }
    if to.killed.load(Ordering::Relaxed) || to.gone.load(Ordering::Relaxed) {
        return;
    }
    let Some(tx) = to.push.get() else { return };
    let n = bytes.len();
    if tx.send(bytes).is_ok() {
        to.omem.fetch_add(n, Ordering::Relaxed);
    }
}

impl Tracking {
    /// Before a command runs (at the top level, not inside EXEC): enforces the table limit
    /// when `limit`, then writes the invalidations already due to the client ahead of its
    /// reply, where CLIENT REPLY OFF does not remove them.
    pub fn before_command(&self, running: &Running, out: &mut Out, limit: bool) {
        if limit {
            self.enforce_limit(Some(running));
        }
        self.deliver_own(running, out);
        out.keep();
    }

    /// After a read-only command: remembers the keys it read, if its client tracks.
    pub fn after_read<'k>(&self, handle: &ClientHandle, keys: impl Iterator<Item = &'k [u8]>) {
        if handle.tracking.load(Ordering::Relaxed) & ON != 0 {
            self.remember(handle, keys);
        }
    }

    /// Ends a command of the client `running` (whose handle is `handle`): writes the
    /// invalidations it caused for its own client after its reply, broadcasts BCAST changes,
    /// and clears CLIENT CACHING unless the command was CLIENT itself or the client is
    /// queueing a transaction (`queueing`): CACHING covers the next command or transaction, as
    /// in Redis.
    pub fn end_command(
        &self,
        running: &Running,
        handle: &ClientHandle,
        queueing: bool,
        out: &mut Out,
        name: &[u8],
    ) {
        self.deliver_own(running, out);
        let mut own = Some(Own {
            id: running.id,
            out,
        });
        self.broadcast(&mut own);
        if handle.tracking.load(Ordering::Relaxed) & CACHING != 0
            && !queueing
            && !name.eq_ignore_ascii_case(b"client")
        {
            handle.tracking.fetch_and(!CACHING, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn key_table_swap_remove_keeps_index() {
        let mut t = KeyTable::default();
        assert!(t.add(b"a", 1));
        assert!(t.add(b"b", 1));
        assert!(t.add(b"c", 2));
        assert!(!t.add(b"c", 2));
        assert!(t.add(b"c", 3));
        assert_eq!(t.remove(b"a"), Some(vec![1]));
        assert_eq!(t.len(), 2);
        assert_eq!(t.remove(b"c"), Some(vec![2, 3]));
        assert_eq!(t.remove(b"b"), Some(vec![1]));
        assert_eq!(t.remove(b"b"), None);
        assert!(t.random_key().is_none());
    }

    #[test]
    fn messages_per_protocol() {
        assert_eq!(
            &encode(&Msg::Key(b"k"), 3)[..],
            b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"
        );
        assert_eq!(
            &encode(&Msg::All, 2)[..],
            b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n"
        );
        assert_eq!(
            &encode(&Msg::All, 3)[..],
            b">2\r\n$10\r\ninvalidate\r\n_\r\n"
        );
    }

    #[test]
    fn prefix_overlap_messages() {
        let t = Tracking::default();
        let p = |s: &str| Bytes::copy_from_slice(s.as_bytes());
        let e = t.prefix_conflict(1, &[p("FOOBAR"), p("FOO")]).unwrap();
        assert!(e.starts_with("Prefix 'FOOBAR' overlaps with another provided prefix 'FOO'"));
        assert!(t.prefix_conflict(1, &[p("FOO"), p("BAR")]).is_none());
    }
}
