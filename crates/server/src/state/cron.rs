//! Periodic background work, `hz` times a second (more with `dynamic-hz` and many clients):
//! Redis's active expiry cycle, eviction left over by commands, and the tracking table's size
//! limit.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::base::clock::now_ms;

use crate::keyspace::SHARDS;
use crate::state::State;
/// Keys sampled per round in one shard at the lowest effort (Redis's
/// ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP); each step of `active-expire-effort` adds a quarter.
const SAMPLES: usize = 20;
/// Another round runs while more than this percentage of the sample had expired, at the lowest
/// effort; each step lowers it by one.
const STALE_PERCENT: usize = 10;
/// The share of a cron tick a cycle may take, in percent, at the lowest effort; each step adds 2.
const TIME_PERCENT: u64 = 25;
/// With `dynamic-hz`, the tick rate doubles until each tick serves at most this many clients.
const CLIENTS_PER_TICK: usize = 200;

/// How hard the active expiry cycle works, from `active-expire-effort` (1 to 10) and the tick
/// rate, as Redis derives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effort {
    /// Keys sampled per round in a shard.
    samples: usize,
    /// Another round runs while more than this percentage of the sample expired.
    stale_percent: usize,
    /// Longest one cycle may run.
    budget: Duration,
}

impl Effort {
    /// The effort for `active-expire-effort` `level` at `hz` ticks a second.
    pub fn new(level: i32, hz: u64) -> Self {
        let step = level.clamp(1, 10) as usize - 1;
        let percent = TIME_PERCENT + 2 * step as u64;
        Effort {
            samples: SAMPLES + SAMPLES / 4 * step,
            stale_percent: STALE_PERCENT - step,
            budget: Duration::from_micros(percent * 1_000_000 / hz.max(1) / 100),
        }
    }
}

/// The tick rate: `hz`, doubled with `dynamic-hz` while a tick would serve more than
/// [`CLIENTS_PER_TICK`] clients, up to the highest rate Redis allows.
pub fn effective_hz(configured: i32, dynamic: bool, clients: usize) -> u64 {
    let max = crate::base::config::MAX_HZ as u64;
    let mut hz = u64::try_from(configured).unwrap_or(1).clamp(1, max);
    while dynamic && clients as u64 / hz > CLIENTS_PER_TICK as u64 && hz < max {
        hz = (hz * 2).min(max);
    }
    hz
}

/// Runs the background tasks until the server shuts down.
pub async fn run<S>(srv: Arc<S>)
where
    S: std::ops::Deref<Target = State> + Send + Sync + 'static,
{
    let mut stop = srv.shutdown.subscribe();
    loop {
        let (configured, dynamic, level) = {
            let c = srv.config.read();
            (c.hz(), c.dynamic_hz(), c.active_expire_effort())
        };
        let hz = effective_hz(configured, dynamic, srv.clients.lock().len());
        srv.hz.store(hz as u32, Ordering::Relaxed);
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(1000 / hz)) => {}
            _ = crate::state::stopped(&mut stop) => return,
        }
        crate::base::clock::resync_clock();
        if srv.cron_paused.load(Ordering::Relaxed) {
            continue;
        }
        sample_metrics(&srv);
        if srv.active_expire.load(Ordering::Relaxed) && !srv.is_paused() {
            let started = Instant::now();
            expire_cycle(&srv, Effort::new(level, hz));
            // A slow cycle is a latency event, as in Redis's latency monitor.
            let ms = started.elapsed().as_millis() as u64;
            let threshold = srv.hot.latency_threshold.load(Ordering::Relaxed);
            if threshold > 0 && ms >= threshold as u64 {
                srv.latency.lock().add("expire-cycle", now_ms() / 1000, ms);
            }
        }
        crate::state::evict::evict_clients(&srv);
        srv.persist.migrate.close_idle();
        if crate::persist::bgsave::due(&srv.keyspace, &srv.config.read(), &srv.persist) {
            let _alone = srv.exclusive.write();
            srv.start_bgsave();
        }
        // Eviction a command's time budget cut short goes on here, as Redis's eviction timer.
        if srv.eviction_unfinished.load(Ordering::Relaxed) {
            let _shared = srv.exclusive.read();
            crate::state::evict::make_room(&srv, None);
        }
        // After expiry, so that invalidations of keys it removed go out in this round.
        srv.keyspace.tracking.cron();
    }
}

/// Samples the instantaneous metrics when their period has passed, and the clients' largest
/// buffers.
fn sample_metrics(srv: &State) {
    let now = now_ms();
    let st = &srv.stats;
    let (input, output) = srv.clients.lock().values().fold((0, 0), |(i, o), c| {
        (
            i.max(c.qbuf.load(Ordering::Relaxed)),
            o.max(c.omem.load(Ordering::Relaxed)),
        )
    });
    st.client_peaks.record(now / 1000, input, output);
    if st.instantaneous.due(now) {
        let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        st.instantaneous.sample(
            now,
            [
                load(&st.commands),
                load(&st.net_input),
                load(&st.net_output),
            ],
        );
    }
}

/// One active expiry cycle over every database: sample keys with a TTL, delete the expired
/// ones, and keep going in a shard while the sample shows many stale keys, until the cycle's
/// time is up. Updates the statistics Redis keeps of it: each database's estimated average TTL,
/// the share of stale keys, the cycles cut short by time and the time spent.
pub fn expire_cycle(srv: &State, effort: Effort) {
    let started = Instant::now();
    let ks = &srv.keyspace;
    let _shared = srv.exclusive.read();
    let (mut sampled, mut expired, mut timed_out) = (0, 0, false);
    'dbs: for db in 0..ks.count() {
        if ks.db(db).volatile_len() == 0 {
            ks.db(db).forget_ttls();
            continue;
        }
        let (mut ttl_sum, mut ttl_samples) = (0u64, 0u64);
        for s in 0..SHARDS {
            loop {
                let now = now_ms();
                let mut shard = ks.db(db).shard(s);
                if shard.volatile_len() == 0 {
                    break;
                }
                let round = shard.expire_sample(
                    effort.samples,
                    now,
                    || fastrand::u64(..),
                    |e| ks.reclaimed(db, &e.key, e.value, crate::keyspace::Reclaim::Expired, None),
                );
                drop(shard);
                if round.expired > 0 {
                    ks.stats
                        .expired
                        .fetch_add(round.expired as u64, Ordering::Relaxed);
                }
                sampled += round.sampled;
                expired += round.expired;
                ttl_sum += round.ttl_sum;
                ttl_samples += round.ttl_samples;
                if started.elapsed() > effort.budget {
                    timed_out = true;
                    ks.db(db).note_ttls(ttl_sum, ttl_samples);
                    break 'dbs;
                }
                if round.sampled == 0 || round.expired * 100 <= round.sampled * effort.stale_percent
                {
                    break;
                }
            }
        }
        ks.db(db).note_ttls(ttl_sum, ttl_samples);
    }
    ks.stats
        .note_expire_cycle(sampled, expired, timed_out, started.elapsed());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effort_follows_redis() {
        let low = Effort::new(1, 10);
        assert_eq!((low.samples, low.stale_percent), (20, 10));
        assert_eq!(low.budget, Duration::from_millis(25));
        let high = Effort::new(10, 10);
        assert_eq!((high.samples, high.stale_percent), (65, 1));
        assert_eq!(high.budget, Duration::from_millis(43));
        assert_eq!(Effort::new(1, 100).budget, Duration::from_micros(2500));
    }

    #[test]
    fn dynamic_hz_doubles_with_clients() {
        assert_eq!(effective_hz(10, true, 2000), 10);
        assert_eq!(effective_hz(10, true, 2010), 20);
        assert_eq!(effective_hz(10, true, 10_000), 80);
        assert_eq!(effective_hz(10, false, 10_000), 10);
        assert_eq!(effective_hz(400, true, 1_000_000), 500);
    }
}
