//! BGSAVE: the snapshot file written on a thread of its own from the keyspace's point-in-time
//! view (`keyspace::snapshot`) while clients are served, and the save points that start one.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use crate::base::clock::now_ms;
use crate::base::config::Config;
use crate::keyspace::snapshot::Job;
use crate::keyspace::Keyspace;
use crate::persist::snapshot::{self, Settings, Source};
use crate::persist::Status;

/// Failed background saves are retried by the save points after this many seconds.
const RETRY_DELAY_SECS: u64 = 5;

/// Starts a background save: fixes the keyspace's view as it is now. The caller holds the
/// server's exclusive lock and then runs [`run`] on a thread of its own. `None` when a save is
/// running already.
pub fn start(ks: &Keyspace, status: &Status) -> Option<Arc<Job>> {
    let job = ks.start_snapshot()?;
    status.bgsave_in_progress.store(true, Ordering::Relaxed);
    status.bgsave_started.store(now_ms(), Ordering::Relaxed);
    status.last_try.store(now_ms() / 1000, Ordering::Relaxed);
    status
        .dirty_at_start
        .store(ks.stats.dirty.load(Ordering::Relaxed), Ordering::Relaxed);
    tracing::info!("Background saving started");
    Some(job)
}

/// Writes the file from the view, then ends the save and records how it went.
pub fn run(ks: &Keyspace, settings: &Settings, status: &Status, job: &Job) {
    let started = Instant::now();
    let result = snapshot::write_file(ks, settings, Source::View(job));
    status
        .last_kept_bytes
        .store(job.kept_bytes.load(Ordering::Relaxed), Ordering::Relaxed);
    ks.snapshots.finish();
    status
        .last_bgsave_secs
        .store(started.elapsed().as_secs() as i64, Ordering::Relaxed);
    match result {
        Ok(()) => {
            tracing::info!("DB saved on disk");
            // Changes made while the save ran are not in the file: they still count.
            let before = status.dirty_at_start.load(Ordering::Relaxed);
            let _ = ks
                .stats
                .dirty
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |d| {
                    Some(d.saturating_sub(before))
                });
            status.saved();
            tracing::info!("Background saving terminated with success");
        }
        // Stopped on purpose: not a failure (Redis's child killed by SIGUSR1).
        Err(_) if job.aborted() => tracing::warn!("Background saving terminated by FLUSHALL"),
        Err(e) => {
            status.last_save_failed.store(true, Ordering::Relaxed);
            tracing::warn!("Background saving error: {e}");
        }
    }
    status.bgsave_in_progress.store(false, Ordering::Relaxed);
}

/// Whether a save point says to save now (or BGSAVE SCHEDULE asked for one): enough changes
/// since the last save for one of the points' periods, and a failed save not retried sooner
/// than 5 seconds after it.
pub fn due(ks: &Keyspace, config: &Config, status: &Status) -> bool {
    if status.bgsave_in_progress.load(Ordering::Relaxed) {
        return false;
    }
    if status.scheduled.swap(false, Ordering::Relaxed) {
        return true;
    }
    let now = now_ms() / 1000;
    let dirty = ks.stats.dirty.load(Ordering::Relaxed);
    let since_save = now.saturating_sub(status.last_save.load(Ordering::Relaxed));
    let may_retry = !status.last_save_failed.load(Ordering::Relaxed)
        || now.saturating_sub(status.last_try.load(Ordering::Relaxed)) > RETRY_DELAY_SECS;
    may_retry
        && config
            .save()
            .iter()
            .any(|p| dirty >= p.changes && since_save > p.seconds)
}
