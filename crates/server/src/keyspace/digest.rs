//! DEBUG DIGEST and DIGEST-VALUE: order-independent fingerprints of the dataset and of keys.
//!
//! The digest only has to change when the data changes and agree between two servers holding
//! the same data; it is not byte-compatible with Redis's SHA1-based one.

use std::hash::{BuildHasher, Hasher};

use crate::keyspace::Keyspace;
use crate::keyspace::SHARDS;
use storage::shard::Entry;

/// A 20-byte digest, all zeros for "nothing".
pub type Digest = [u8; 20];

/// Mixes bytes into a digest with five differently seeded 32-bit lanes.
fn mix(parts: &[&[u8]]) -> Digest {
    let mut d = [0u8; 20];
    for (lane, chunk) in d.chunks_mut(4).enumerate() {
        let mut h =
            foldhash::quality::FixedState::with_seed(0x5eed_0000 + lane as u64).build_hasher();
        for p in parts {
            h.write_usize(p.len());
            h.write(p);
        }
        chunk.copy_from_slice(&(h.finish() as u32).to_le_bytes());
    }
    d
}

fn xor(into: &mut Digest, d: &Digest) {
    for (a, b) in into.iter_mut().zip(d) {
        *a ^= b;
    }
}

/// The digest of one entry: its key, type, value and expiry time.
fn entry_digest(e: &Entry, expire: Option<u64>) -> Digest {
    let exp = expire.unwrap_or(0).to_le_bytes();
    let v = value_digest(&e.value);
    mix(&[&e.key, &v, &exp])
}

/// The digest of a value: its type and its contents in canonical order.
fn value_digest(v: &storage::value::Value) -> Digest {
    let mut parts: Vec<Vec<u8>> = vec![v.type_name().as_bytes().to_vec()];
    v.feed_digest(&mut |b| parts.push(b.to_vec()));
    let refs: Vec<&[u8]> = parts.iter().map(|p| &p[..]).collect();
    mix(&refs)
}

/// The digest of every key in every database (zeros when empty).
pub fn dataset(ks: &Keyspace) -> Digest {
    let mut total = [0u8; 20];
    for db in 0..ks.count() {
        let dbno = (db as u64).to_le_bytes();
        for s in 0..SHARDS {
            let shard = ks.db(db).shard(s);
            for e in shard.iter() {
                let i = shard.find(ks.hash(&e.key).hash, &e.key);
                let exp = i.and_then(|i| shard.expire_at(i));
                let d = entry_digest(e, exp);
                xor(&mut total, &mix(&[&dbno, &d]));
            }
        }
    }
    total
}

/// The digest of one key's value (zeros when missing).
pub fn key(ks: &Keyspace, db: usize, key: &[u8], now: u64) -> Digest {
    // A read: nothing is changed, so the effects are not committed anywhere.
    let fx = crate::base::changes::Effects::new(&ks.changes, false, None);
    let mut l = ks.key(db, key, now, &fx);
    let k = l.get();
    match k.entry() {
        Some(e) => value_digest(&e.value),
        None => [0; 20],
    }
}

/// Lowercase hex of a digest.
pub fn hex(d: &Digest) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}
