//! Freeing large values off the command path (UNLINK, FLUSHDB/FLUSHALL ASYNC, DEL with
//! `lazyfree-lazy-user-del`), on one background thread, with Redis's INFO counters.
//!
//! Dropping a collection of millions of elements takes as long as building it did; a client that
//! asked for an asynchronous delete must not wait for it, nor make everyone else wait. Values
//! whose freeing takes more than `THRESHOLD` allocations (Redis's rule, see
//! `Value::free_effort`) go to the freeing thread; the rest are dropped at once, which is cheaper
//! than the hand-off.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};

use parking_lot::Mutex;
use storage::value::Value;

/// Values needing more allocations freed than this are freed in the background.
pub const THRESHOLD: usize = 64;

/// Something to drop in the background, and how many objects it counts for.
type Job = (Box<dyn Send>, u64);

/// The background freer and its counters.
#[derive(Debug, Default)]
pub struct LazyFree {
    /// Objects handed to the thread and not freed yet (INFO `lazyfree_pending_objects`).
    pending: std::sync::Arc<AtomicU64>,
    /// Objects the thread freed since the last CONFIG RESETSTAT (INFO `lazyfreed_objects`).
    freed: std::sync::Arc<AtomicU64>,
    /// The thread's queue, started on first use.
    queue: Mutex<Option<Sender<Job>>>,
}

impl LazyFree {
    /// Frees `value`: in the background when that is much work, here otherwise.
    pub fn free_value(&self, value: Value) {
        if value.free_effort() > THRESHOLD {
            self.submit(Box::new(value), 1);
        }
    }

    /// Frees `items`, counted as `objects`, in the background.
    pub fn free_many<T: Send + 'static>(&self, items: T, objects: u64) {
        self.submit(Box::new(items), objects);
    }

    fn submit(&self, job: Box<dyn Send>, objects: u64) {
        self.pending.fetch_add(objects, Ordering::Relaxed);
        let mut queue = self.queue.lock();
        let tx = queue.get_or_insert_with(|| {
            let (tx, rx) = channel::<Job>();
            let (pending, freed) = (self.pending.clone(), self.freed.clone());
            let spawned = std::thread::Builder::new()
                .name("lazyfree".into())
                .spawn(move || {
                    for (job, objects) in rx {
                        drop(job);
                        pending.fetch_sub(objects, Ordering::Relaxed);
                        freed.fetch_add(objects, Ordering::Relaxed);
                    }
                });
            if let Err(e) = spawned {
                // Without the thread, jobs are dropped by the failed send below, here.
                tracing::warn!("could not start the lazyfree thread: {e}");
            }
            tx
        });
        if let Err(unsent) = tx.send((job, objects)) {
            let (job, objects) = unsent.0;
            drop(job);
            self.pending.fetch_sub(objects, Ordering::Relaxed);
            self.freed.fetch_add(objects, Ordering::Relaxed);
        }
    }

    /// (pending, freed) for INFO.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.pending.load(Ordering::Relaxed),
            self.freed.load(Ordering::Relaxed),
        )
    }

    /// CONFIG RESETSTAT.
    pub fn reset_stats(&self) {
        self.freed.store(0, Ordering::Relaxed);
    }
}
