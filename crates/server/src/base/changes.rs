//! The change stream: for every command that changed the keyspace, the commands that reproduce
//! its changes elsewhere (Redis's propagation), in the order the changes were applied.
//!
//! Commands run concurrently, each holding only the shard locks of its keys, so "the order the
//! changes were applied" is fixed by a sequence number a command takes at its first change,
//! while it still holds the lock of the key it changed. Any later change to that key waits for
//! the lock and so takes a later number. A command's record is completed when the command ends
//! and committed under its number; the log hands records to its subscribers strictly in number
//! order, holding back any that overtook a command still running.
//!
//! Nothing is recorded while nobody subscribes: a command then only counts its changes.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;

use crate::base::running::Running;

/// One command of the stream: the database it applies to and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// The database the command runs in.
    pub db: usize,
    /// The command and its arguments.
    pub argv: Vec<Bytes>,
}

/// What one command (or one change the server made on its own, such as an expiry) did to the
/// keyspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The commands that reproduce the changes; more than one are applied as a transaction.
    pub ops: Vec<Op>,
    /// How many changes the command made (Redis's `dirty` count).
    pub changes: u64,
}

impl Record {
    /// The record's commands as a client sends them: a `SELECT` whenever the database differs
    /// from `*db` (which follows along), and MULTI/EXEC around more than one command.
    pub fn render(&self, db: &mut Option<usize>, into: &mut Vec<Vec<Bytes>>) {
        let transaction = self.ops.len() > 1;
        if transaction {
            into.push(vec![Bytes::from_static(b"MULTI")]);
        }
        for op in &self.ops {
            if *db != Some(op.db) {
                into.push(vec![
                    Bytes::from_static(b"SELECT"),
                    Bytes::from(op.db.to_string()),
                ]);
                *db = Some(op.db);
            }
            into.push(op.argv.clone());
        }
        if transaction {
            into.push(vec![Bytes::from_static(b"EXEC")]);
        }
    }
}

/// Receives the records of the stream, in apply order.
pub type Subscriber = tokio::sync::mpsc::UnboundedReceiver<Arc<Record>>;

/// The ordered log of records and its subscribers.
#[derive(Debug, Default)]
pub struct ChangeLog {
    /// Whether anybody subscribes: read once per command.
    active: AtomicBool,
    /// The next sequence number to hand out.
    next: AtomicU64,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Records committed ahead of a number still outstanding.
    waiting: BTreeMap<u64, Option<Arc<Record>>>,
    /// The number of the next record to deliver.
    deliver: u64,
    subscribers: Vec<tokio::sync::mpsc::UnboundedSender<Arc<Record>>>,
}

impl ChangeLog {
    /// Whether records are being kept.
    #[inline]
    pub fn active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    /// Starts receiving every record committed from now on. The caller must make sure no
    /// command is running (the server's exclusive lock), so that none straddles the start.
    pub fn subscribe(&self) -> Subscriber {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let mut inner = self.inner.lock();
        if inner.subscribers.is_empty() {
            // Numbers handed out while nobody listened were never committed.
            inner.waiting.clear();
            inner.deliver = self.next.load(Ordering::Relaxed);
        }
        inner.subscribers.push(tx);
        self.active.store(true, Ordering::Relaxed);
        rx
    }

    /// Takes the next position in the log. Call it while holding the lock of the key being
    /// changed, and commit exactly once under the number.
    fn reserve(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// Completes position `seq` (`None`: nothing to deliver there) and delivers every record
    /// that is now next in line.
    fn commit(&self, seq: u64, record: Option<Record>) {
        let mut inner = self.inner.lock();
        if seq < inner.deliver {
            // Reserved before the first subscriber arrived.
            return;
        }
        inner.waiting.insert(seq, record.map(Arc::new));
        loop {
            let next = inner.deliver;
            let Some(record) = inner.waiting.remove(&next) else {
                break;
            };
            inner.deliver += 1;
            if let Some(record) = record {
                inner.subscribers.retain(|s| s.send(record.clone()).is_ok());
            }
        }
        if inner.subscribers.is_empty() {
            self.active.store(false, Ordering::Relaxed);
        }
    }

    /// Records a change the server made on its own (an expiry, an eviction), as one command
    /// in database `db`. Call it while holding the lock of the key it removed.
    pub fn emit(&self, db: usize, argv: impl FnOnce() -> Vec<Bytes>) {
        if !self.active() {
            return;
        }
        let seq = self.reserve();
        let record = Record {
            ops: vec![Op { db, argv: argv() }],
            changes: 0,
        };
        self.commit(seq, Some(record));
    }
}

/// The effects of one command as they happen: how many changes it made, and, while somebody
/// records the stream, its place in the log and the commands that reproduce it. Transactions
/// share one: EXEC's record holds the commands of every queued command that changed something.
#[derive(Debug)]
pub struct Effects<'r> {
    /// The client the command runs for, when it is a client's command.
    running: Option<&'r Running>,
    /// The command is itself a replay of the stream (see `Client::replaying`).
    replaying: bool,
    changes: Cell<u64>,
    /// Of `changes`, those already in a snapshot the command saved.
    saved: Cell<u64>,
    /// What is kept for the log: present only when the log was being kept as the command
    /// started, so a command nobody records carries nothing to build or drop.
    recorder: Option<RefCell<Recorder>>,
}

/// The recording part of `Effects`.
#[derive(Debug, Default)]
struct Recorder {
    /// The command's place in the log, taken at its first change.
    seq: Option<u64>,
    /// The running command propagates even if it changed nothing (FLUSHALL of nothing).
    forced: bool,
    /// The commands recorded by the commands that have ended.
    ops: Vec<Op>,
    /// What the running command propagates instead of its own arguments, when it says so.
    rewrite: Option<Vec<Op>>,
}

/// Where a command's own part of its `Effects` begins (see `Effects::begin`).
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    changes: u64,
}

impl<'r> Effects<'r> {
    /// The effects of a command starting now against `log`, for the client `running` (none for
    /// the server's own work); `replaying` when the command comes from the change stream.
    #[inline]
    pub fn new(log: &ChangeLog, replaying: bool, running: Option<&'r Running>) -> Self {
        Effects {
            running,
            replaying,
            changes: Cell::new(0),
            saved: Cell::new(0),
            recorder: log.active().then(RefCell::default),
        }
    }

    /// Whether the commands that reproduce the changes are wanted. Handlers that propagate
    /// something other than their own arguments build it only then.
    #[inline]
    pub fn recording(&self) -> bool {
        self.recorder.is_some()
    }

    /// The client the command runs for.
    #[inline]
    pub fn running(&self) -> Option<&'r Running> {
        self.running
    }

    /// Whether the command replays the change stream: then keys past their TTL stay until the
    /// stream's own `DEL` comes, as Redis leaves them for its master and while loading.
    #[inline]
    pub fn replaying(&self) -> bool {
        self.replaying
    }

    /// Counts `n` changes. Call it while holding the lock of the key changed: the first change
    /// fixes the command's place in the log.
    #[inline]
    pub fn changed(&self, log: &ChangeLog, n: u64) {
        self.changes.set(self.changes.get() + n);
        if let Some(r) = &self.recorder {
            let mut r = r.borrow_mut();
            if r.seq.is_none() {
                r.seq = Some(log.reserve());
            }
        }
    }

    /// Records the deletion of a key the server found expired while this command ran, in
    /// database `db`. Once the command holds a place in the log, the deletion joins its record
    /// ahead of the command's own changes, where it happened; before that it is a record of
    /// its own, ahead of the command's.
    pub fn reclaimed(&self, log: &ChangeLog, db: usize, argv: impl FnOnce() -> Vec<Bytes>) {
        match self.recorder.as_ref().map(RefCell::borrow_mut) {
            Some(mut r) if r.seq.is_some() => r.ops.push(Op { db, argv: argv() }),
            _ => log.emit(db, argv),
        }
    }

    /// How many changes were made so far.
    #[inline]
    pub fn changes(&self) -> u64 {
        self.changes.get()
    }

    /// Notes that the command saved the dataset after its changes so far (FLUSHALL with save
    /// points): they are not changes since the last save.
    pub fn saved_now(&self) {
        self.saved.set(self.changes.get());
    }

    /// The changes the command made that no snapshot holds yet (what the dirty counter adds).
    #[inline]
    pub fn unsaved(&self) -> u64 {
        self.changes.get() - self.saved.get()
    }

    /// Makes the running command propagate `argv` in database `db` (after anything it said
    /// before) instead of its own arguments.
    pub fn propagate(&self, db: usize, argv: Vec<Bytes>) {
        if let Some(r) = &self.recorder {
            r.borrow_mut()
                .rewrite
                .get_or_insert_with(Vec::new)
                .push(Op { db, argv });
        }
    }

    /// Makes the running command propagate even when it changed nothing, as Redis propagates
    /// FLUSHALL and FLUSHDB of empty databases. Call it under the lock that orders the command.
    pub fn force(&self, log: &ChangeLog) {
        if let Some(r) = &self.recorder {
            r.borrow_mut().forced = true;
        }
        self.changed(log, 0);
    }

    /// Makes the running command propagate nothing of its own (EXEC: its queued commands
    /// speak for it).
    pub fn propagate_nothing(&self) {
        if let Some(r) = &self.recorder {
            r.borrow_mut().rewrite.get_or_insert_with(Vec::new);
        }
    }

    /// Marks the start of one command's part.
    #[inline]
    pub fn begin(&self) -> Mark {
        Mark {
            changes: self.changes.get(),
        }
    }

    /// Ends one command's part: if it changed anything, what reproduces it (its rewrite, or its
    /// own arguments in database `db`) joins the record. Nothing to do while nobody records.
    #[inline]
    pub fn end(&self, mark: Mark, db: usize, args: &[Bytes]) {
        if let Some(r) = &self.recorder {
            r.borrow_mut()
                .end(self.changes.get() != mark.changes, db, args);
        }
    }

    /// Completes the record of a command: commits it to the log if it holds a place there.
    #[inline]
    pub fn commit(self, log: &ChangeLog) {
        let Some(r) = self.recorder else { return };
        let r = r.into_inner();
        let Some(seq) = r.seq else { return };
        let record = (!r.ops.is_empty()).then_some(Record {
            ops: r.ops,
            changes: self.changes.get(),
        });
        log.commit(seq, record);
    }
}

impl Recorder {
    fn end(&mut self, changed: bool, db: usize, args: &[Bytes]) {
        let rewrite = self.rewrite.take();
        let forced = std::mem::take(&mut self.forced);
        if !changed && !forced {
            return;
        }
        match rewrite {
            Some(r) => self.ops.extend(r),
            None => self.ops.push(Op {
                db,
                argv: args.to_vec(),
            }),
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn op(db: usize, words: &[&'static str]) -> Op {
        Op {
            db,
            argv: words
                .iter()
                .map(|w| Bytes::from_static(w.as_bytes()))
                .collect(),
        }
    }

    fn set(key: &'static str) -> Vec<Bytes> {
        vec![
            Bytes::from_static(b"SET"),
            Bytes::from_static(key.as_bytes()),
            Bytes::from_static(b"v"),
        ]
    }

    #[test]
    fn records_are_delivered_in_reservation_order() {
        let log = ChangeLog::default();
        let mut rx = log.subscribe();
        let (a, b) = (
            Effects::new(&log, false, None),
            Effects::new(&log, false, None),
        );
        let ma = a.begin();
        a.changed(&log, 1);
        let mb = b.begin();
        b.changed(&log, 1);
        b.end(mb, 0, &set("b"));
        b.commit(&log);
        // `b` overtook `a`, which reserved first: nothing may be delivered yet.
        assert!(rx.try_recv().is_err());
        a.end(ma, 0, &set("a"));
        a.commit(&log);
        let first = rx.try_recv().expect("a's record");
        let second = rx.try_recv().expect("b's record");
        assert_eq!(first.ops[0].argv[1], "a");
        assert_eq!(second.ops[0].argv[1], "b");
    }

    #[test]
    fn a_command_that_changed_nothing_records_nothing() {
        let log = ChangeLog::default();
        let mut rx = log.subscribe();
        let fx = Effects::new(&log, false, None);
        let m = fx.begin();
        fx.end(m, 0, &set("k"));
        fx.commit(&log);
        log.emit(0, || set("after"));
        assert_eq!(
            rx.try_recv().expect("the emitted record").ops[0].argv[1],
            "after"
        );
    }

    #[test]
    fn rewrites_replace_the_arguments_and_transactions_are_wrapped() {
        let log = ChangeLog::default();
        let mut rx = log.subscribe();
        let fx = Effects::new(&log, false, None);
        // EXEC's part encloses the queued commands' parts.
        let exec = fx.begin();
        for (db, key) in [(0, "x"), (1, "y")] {
            let m = fx.begin();
            fx.changed(&log, 1);
            fx.propagate(db, set(key));
            fx.end(m, db, &[]);
        }
        fx.propagate_nothing();
        fx.end(exec, 1, &[Bytes::from_static(b"EXEC")]);
        fx.commit(&log);
        let record = rx.try_recv().expect("the transaction");
        assert_eq!(record.changes, 2);
        let mut db = Some(0);
        let mut out = Vec::new();
        record.render(&mut db, &mut out);
        let expected = [
            op(0, &["MULTI"]),
            op(0, &["SET", "x", "v"]),
            op(0, &["SELECT", "1"]),
            op(0, &["SET", "y", "v"]),
            op(0, &["EXEC"]),
        ];
        assert_eq!(out, expected.map(|o| o.argv));
        assert_eq!(db, Some(1));
    }

    #[test]
    fn nothing_is_kept_without_subscribers() {
        let log = ChangeLog::default();
        let fx = Effects::new(&log, false, None);
        assert!(!fx.recording());
        fx.changed(&log, 3);
        assert_eq!(fx.changes(), 3);
        fx.commit(&log);
        assert!(!log.active());
    }
}
