//! `maxmemory`: evicting keys when memory use passes the limit, with Redis's policies.
//!
//! Like Redis, eviction is approximate: each round samples `maxmemory-samples` random keys of
//! a random non-empty database and evicts the best candidate for the policy (the longest idle
//! for LRU, the lowest decayed access counter for LFU, the nearest expiry for volatile-ttl,
//! any for random). Memory use is the
//! counting allocator's figure (INFO's `used_memory`).

use std::sync::atomic::Ordering;

use crate::base::changes::Effects;
use crate::base::clock::{lru_clock, now_ms};
use crate::base::config::MaxmemoryPolicy;
use crate::base::running::Running;
use crate::keyspace::SHARDS;
use crate::state::State;
/// The clock is read once per this many evicted keys.
const KEYS_PER_CLOCK_READ: usize = 16;

/// What to do about memory before running a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Under the limit (possibly after evicting).
    Fine,
    /// Still over the limit: commands that may grow memory must be refused.
    OutOfMemory,
    /// Over the limit when the time for evicting ran out (never returned by `make_room`, which
    /// lets the command run and leaves the rest to the cron).
    Unfinished,
}

/// How long one call may evict, from `maxmemory-eviction-tenacity` as Redis computes it: 50 µs
/// per step up to 10 (the default, 500 µs), then 15% more per step, and no limit at 100.
fn time_limit(tenacity: u32) -> Option<std::time::Duration> {
    let us = match tenacity {
        0..=10 => 50 * u64::from(tenacity),
        11..=99 => (500.0 * 1.15f64.powi(tenacity as i32 - 10)) as u64,
        _ => return None,
    };
    Some(std::time::Duration::from_micros(us))
}

/// Evicts keys until memory use is under `maxmemory`, as far as the policy allows. When the
/// time `maxmemory-eviction-tenacity` grants runs out first, the command goes ahead, as in
/// Redis, and the eviction goes on before the next command or in the next cron tick.
pub fn make_room(srv: &State, running: Option<&Running>) -> Verdict {
    let verdict = evict_keys(srv, running);
    srv.eviction_unfinished
        .store(verdict == Verdict::Unfinished, Ordering::Relaxed);
    match verdict {
        Verdict::Unfinished => Verdict::Fine,
        v => v,
    }
}

fn evict_keys(srv: &State, running: Option<&Running>) -> Verdict {
    let limit = srv.hot.maxmemory.load(Ordering::Relaxed);
    if limit == 0 || (crate::base::alloc::allocated() as u64) <= limit {
        return Verdict::Fine;
    }
    let (policy, samples, budget) = {
        let c = srv.config.read();
        (
            c.maxmemory_policy(),
            c.maxmemory_samples().max(1) as usize,
            time_limit(c.maxmemory_eviction_tenacity()),
        )
    };
    if policy == MaxmemoryPolicy::NoEviction {
        return Verdict::OutOfMemory;
    }
    let started = std::time::Instant::now();
    for evicted in 1.. {
        if (crate::base::alloc::allocated() as u64) <= limit {
            return Verdict::Fine;
        }
        if !evict_one(srv, policy, samples, running) {
            break;
        }
        if evicted % KEYS_PER_CLOCK_READ == 0 && budget.is_some_and(|b| started.elapsed() > b) {
            return Verdict::Unfinished;
        }
    }
    if (crate::base::alloc::allocated() as u64) <= limit {
        Verdict::Fine
    } else {
        Verdict::OutOfMemory
    }
}

/// The `maxmemory-clients` limit in bytes (0: no client eviction): a byte count, or a
/// percentage of `maxmemory`.
fn client_limit(srv: &State) -> u64 {
    let c = srv.config.read();
    match c.maxmemory_clients() {
        crate::base::config::MaxmemoryClients::Bytes(n) => n,
        crate::base::config::MaxmemoryClients::Percent(p) => c.maxmemory().saturating_mul(p) / 100,
    }
}

/// Client eviction: while the clients together hold more than `maxmemory-clients`, the one
/// holding the most is disconnected, as Redis does. Clients under CLIENT NO-EVICT are passed
/// over, and count for nothing.
pub fn evict_clients(srv: &State) {
    let limit = client_limit(srv);
    if limit == 0 {
        return;
    }
    let mut clients: Vec<(usize, std::sync::Arc<crate::state::ClientHandle>)> = srv
        .clients
        .lock()
        .values()
        .filter(|c| !c.no_evict.load(Ordering::Relaxed) && !c.killed.load(Ordering::Relaxed))
        .map(|c| (c.memory(), c.clone()))
        .collect();
    let mut total: u64 = clients.iter().map(|(m, _)| *m as u64).sum();
    clients.sort_by_key(|c| std::cmp::Reverse(c.0));
    for (mem, c) in clients {
        if total <= limit {
            break;
        }
        tracing::warn!("Evicting client: id={} addr={} tot-mem={mem}", c.id, c.addr);
        c.killed.store(true, Ordering::Relaxed);
        c.kill.notify_one();
        srv.stats.evicted_clients.fetch_add(1, Ordering::Relaxed);
        total -= mem as u64;
    }
}

/// The indexes below `n` for which `holds` is true.
fn holding(n: usize, holds: impl Fn(usize) -> bool) -> Vec<usize> {
    (0..n).filter(|&i| holds(i)).collect()
}

/// Evicts the best of a sample of keys; returns false when no key can be evicted.
fn evict_one(
    srv: &State,
    policy: MaxmemoryPolicy,
    samples: usize,
    running: Option<&Running>,
) -> bool {
    let ks = &srv.keyspace;
    let volatile_only = policy.is_volatile();
    // Candidates are the keys with a TTL for volatile policies, any key otherwise.
    let holds = |volatile: usize, empty: bool| if volatile_only { volatile > 0 } else { !empty };
    let Some(&db) = fastrand::choice(&holding(ks.count(), |d| {
        holds(ks.db(d).volatile_len(), ks.db(d).is_empty())
    })) else {
        return false;
    };
    // Samples come from the shards that hold candidates, and for volatile policies from the
    // keys with a TTL, as Redis samples its expires dictionary: a lone candidate among many
    // shards or many keys without a TTL is found at once, not by luck.
    let shards = holding(SHARDS, |s| {
        let shard = ks.db(db).shard(s);
        holds(shard.volatile_len(), shard.is_empty())
    });
    if shards.is_empty() {
        return false;
    }
    let now = now_ms();
    let clock = lru_clock(now);
    // (score, shard, key): the highest score is evicted.
    let mut best: Option<(u64, usize, Vec<u8>)> = None;
    for _ in 0..samples {
        let s = shards[fastrand::usize(..shards.len())];
        let shard = ks.db(db).shard(s);
        let picked = if volatile_only {
            shard.random_volatile(fastrand::u64(..))
        } else {
            shard.random(fastrand::u64(..))
        };
        let Some((i, e)) = picked.and_then(|i| Some((i, shard.entry(i)?))) else {
            continue;
        };
        let score = match policy {
            MaxmemoryPolicy::VolatileTtl => u64::MAX - shard.expire_at(i).unwrap_or(u64::MAX),
            MaxmemoryPolicy::AllkeysRandom | MaxmemoryPolicy::VolatileRandom => 1,
            // The least frequently used goes first, as Redis's 255 minus the decayed counter.
            MaxmemoryPolicy::AllkeysLfu | MaxmemoryPolicy::VolatileLfu => {
                255 - u64::from(ks.access.frequency(e.clock(), now))
            }
            _ => crate::base::clock::lru_idle(clock, e.clock()),
        };
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, s, e.key.to_vec()));
        }
    }
    let Some((_, _, key)) = best else {
        return true;
    };
    // The client whose command made room gets invalidations of evicted keys before its reply.
    let fx = Effects::new(&ks.changes, false, running);
    if ks.key(db, &key, now, &fx).get().evict() {
        srv.stats.evicted.fetch_add(1, Ordering::Relaxed);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn tenacity_time_limits_follow_redis() {
        assert_eq!(time_limit(0), Some(Duration::ZERO));
        assert_eq!(time_limit(10), Some(Duration::from_micros(500)));
        assert_eq!(time_limit(11), Some(Duration::from_micros(575)));
        assert_eq!(time_limit(100), None);
    }
}
