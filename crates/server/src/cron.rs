//! Periodic background work: Redis's active expiry cycle and the tracking table's size limit.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::db::{now_ms, SHARDS};
use crate::server::Server;

/// Keys sampled per round in one shard, as Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP.
const SAMPLES: usize = 20;
/// Another round runs while more than this percentage of the sample had expired.
const STALE_PERCENT: usize = 10;
/// Longest a cycle may run, so clients never wait long behind it.
const BUDGET: Duration = Duration::from_millis(25);

/// Runs the background tasks until the server shuts down.
pub async fn run(srv: Arc<Server>) {
    let mut stop = srv.shutdown.subscribe();
    loop {
        let hz = srv.config.read().hz().clamp(1, 500) as u64;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(1000 / hz)) => {}
            _ = crate::server::stopped(&mut stop) => return,
        }
        crate::db::resync_clock();
        if srv.cron_paused.load(Ordering::Relaxed) {
            continue;
        }
        if srv.active_expire.load(Ordering::Relaxed) && !srv.is_paused() {
            let started = Instant::now();
            expire_cycle(&srv);
            // A slow cycle is a latency event, as in Redis's latency monitor.
            let ms = started.elapsed().as_millis() as u64;
            let threshold = srv.hot.latency_threshold.load(Ordering::Relaxed);
            if threshold > 0 && ms >= threshold as u64 {
                srv.latency.lock().add("expire-cycle", now_ms() / 1000, ms);
            }
        }
        // After expiry, so that invalidations of keys it removed go out in this round.
        srv.keyspace.tracking.cron();
    }
}

/// One active expiry cycle over every database: sample keys with a TTL, delete the expired
/// ones, and keep going in a shard while the sample shows many stale keys.
pub fn expire_cycle(srv: &Server) {
    let started = Instant::now();
    let ks = &srv.keyspace;
    let _shared = srv.exclusive.read();
    for db in 0..ks.count() {
        for s in 0..SHARDS {
            loop {
                let now = now_ms();
                let mut shard = ks.db(db).shard(s);
                if shard.volatile_len() == 0 {
                    break;
                }
                let (sampled, expired) = shard.expire_sample(
                    SAMPLES,
                    now,
                    || fastrand::u64(..),
                    |e| {
                        ks.watches.touch(db, &e.key, false);
                        ks.tracking.key_changed(&e.key, false);
                        ks.notify
                            .emit(crate::config::NOTIFY_EXPIRED, "expired", &e.key, db);
                    },
                );
                drop(shard);
                if expired > 0 {
                    ks.stats
                        .expired
                        .fetch_add(expired as u64, Ordering::Relaxed);
                    ks.dirty(expired as u64);
                }
                if sampled == 0
                    || expired * 100 <= sampled * STALE_PERCENT
                    || started.elapsed() > BUDGET
                {
                    break;
                }
            }
        }
    }
}
