//! `maxmemory`: evicting keys when memory use passes the limit, with Redis's policies.
//!
//! Like Redis, eviction is approximate: each round samples `maxmemory-samples` random keys of
//! a random non-empty database and evicts the best candidate for the policy (the longest idle
//! for LRU and LFU, the nearest expiry for volatile-ttl, any for random). Memory use is the
//! counting allocator's figure (INFO's `used_memory`).

use std::sync::atomic::Ordering;

use storage::shard::Entry;

use crate::config::{MaxmemoryPolicy, NOTIFY_EVICTED};
use crate::db::{lru_clock, now_ms, SHARDS};
use crate::server::Server;

/// Most keys evicted in one call, so a single command never stalls for long.
const MAX_ROUND: usize = 10_000;

/// What to do about memory before running a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Under the limit (possibly after evicting).
    Fine,
    /// Still over the limit: commands that may grow memory must be refused.
    OutOfMemory,
}

/// Evicts keys until memory use is under `maxmemory`, as far as the policy allows.
pub fn make_room(srv: &Server) -> Verdict {
    let limit = srv.hot.maxmemory.load(Ordering::Relaxed);
    if limit == 0 || (crate::alloc::allocated() as u64) <= limit {
        return Verdict::Fine;
    }
    let (policy, samples) = {
        let c = srv.config.read();
        (c.maxmemory_policy(), c.maxmemory_samples().max(1) as usize)
    };
    if policy == MaxmemoryPolicy::NoEviction {
        return Verdict::OutOfMemory;
    }
    for _ in 0..MAX_ROUND {
        if (crate::alloc::allocated() as u64) <= limit {
            return Verdict::Fine;
        }
        if !evict_one(srv, policy, samples) {
            break;
        }
    }
    if (crate::alloc::allocated() as u64) <= limit {
        Verdict::Fine
    } else {
        Verdict::OutOfMemory
    }
}

/// Evicts the best of a sample of keys; returns false when no key can be evicted.
fn evict_one(srv: &Server, policy: MaxmemoryPolicy, samples: usize) -> bool {
    let ks = &srv.keyspace;
    let volatile_only = policy.is_volatile();
    let dbs: Vec<usize> = (0..ks.count())
        .filter(|&d| {
            let db = ks.db(d);
            if volatile_only {
                db.volatile_len() > 0
            } else {
                !db.is_empty()
            }
        })
        .collect();
    if dbs.is_empty() {
        return false;
    }
    let db = dbs[fastrand::usize(..dbs.len())];
    let now = now_ms();
    let clock = lru_clock(now);
    // (score, shard, key): the highest score is evicted.
    let mut best: Option<(u64, usize, Vec<u8>)> = None;
    for _ in 0..samples {
        let s = fastrand::usize(..SHARDS);
        let shard = ks.db(db).shard(s);
        let Some(i) = shard.random(fastrand::u64(..)) else {
            continue;
        };
        let Some(e) = shard.entry(i) else { continue };
        if volatile_only && !e.is_volatile() {
            continue;
        }
        let score = match policy {
            MaxmemoryPolicy::VolatileTtl => u64::MAX - shard.expire_at(i).unwrap_or(u64::MAX),
            MaxmemoryPolicy::AllkeysRandom | MaxmemoryPolicy::VolatileRandom => 1,
            _ => idle(e, clock),
        };
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, s, e.key.to_vec()));
        }
    }
    let Some((_, _, key)) = best else {
        return true;
    };
    let removed = {
        let mut l = ks.key(db, &key, now);
        let mut k = l.get();
        // An eviction is the server's change, not the running client's (BCAST NOLOOP).
        crate::tracking::by_server(|| k.delete())
    };
    if removed {
        srv.stats.evicted.fetch_add(1, Ordering::Relaxed);
        ks.notify.emit(NOTIFY_EVICTED, "evicted", &key, db);
    }
    true
}

/// Seconds since the entry was last used, from its 24-bit clock.
fn idle(e: &Entry, clock: u32) -> u64 {
    (clock.wrapping_sub(e.clock()) & 0x00FF_FFFF) as u64
}
