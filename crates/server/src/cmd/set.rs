//! The set family: membership, random picks, moves, the intersection/union/difference
//! operations (and their STORE forms) and SSCAN.
//!
//! Multi-key commands lock every key's shard at once, so they are atomic, but can look at only
//! one key at a time; the algebra is therefore done one set at a time against a running result
//! (the candidates of an intersection are the members of the smallest set, filtered by each
//! other set in turn), which keeps Redis's complexity without copying the large sets.

use bytes::Bytes;
use storage::set::{Member, OwnedMember, Set};
use storage::value::Value;

use crate::base::config::{NOTIFY_GENERIC, NOTIFY_SET};
use crate::base::error::{CmdError, CmdResult};
use crate::base::reply::Out;
use crate::command::ctx::{int_arg, is, Ctx};
use crate::command::short::{F, R, W, WD};
use crate::command::{acl, flag, key, Command, KeySpec, ALL_KEYS, KEY12, NO_KEYS};
use crate::keyspace::MultiLock;
const RD: u64 = acl::READ | acl::SET;
const WR: u64 = acl::WRITE | acl::SET;

/// The destination key first, then every source key (the STORE forms).
const DST_AND_SOURCES: KeySpec = KeySpec {
    first: 1,
    last: -1,
    step: 1,
};

/// The most members a negative SRANDMEMBER count may ask for. Redis has no limit and would
/// build a reply of any size; a bound keeps one command from exhausting memory.
const MAX_REPEATED_PICKS: u64 = 1 << 24;

use crate::command::keyed as c;

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    c("sadd", -3, WD | F, WR | acl::FAST, sadd).key_flags(key::RW | key::INSERT).doc("set", "1.0.0", "Adds one or more members to a set, creating the key if needed."),
    c("srem", -3, W | F, WR | acl::FAST, |ctx, args| super::remove_each(ctx, args, (NOTIFY_SET, "srem"), Set::remove, Set::is_empty)).key_flags(key::RW | key::DELETE).doc("set", "1.0.0", "Removes one or more members from a set, deleting the key when it empties."),
    c("scard", 2, R | F, RD | acl::FAST, |ctx, args| super::card(ctx, args, Set::len)).key_flags(key::RO).doc("set", "1.0.0", "Returns the number of members of a set."),
    c("sismember", 3, R | F, RD | acl::FAST, |ctx, args| super::contains(ctx, args, Set::contains)).key_flags(key::RO).doc("set", "1.0.0", "Tells whether a value is a member of a set."),
    c("smismember", -3, R | F, RD | acl::FAST, smismember).key_flags(key::RO | key::ACCESS).doc("set", "6.2.0", "Tells, for each of several values, whether it is a member of a set."),
    c("smembers", 2, R, RD | acl::SLOW, smembers).key_flags(key::RO | key::ACCESS).doc("set", "1.0.0", "Returns every member of a set."),
    c("spop", -2, W | F, WR | acl::FAST, spop).key_flags(key::RW | key::ACCESS | key::DELETE).doc("set", "1.0.0", "Removes and returns one or more random members of a set."),
    c("srandmember", -2, R, RD | acl::SLOW, srandmember).key_flags(key::RO | key::ACCESS).doc("set", "1.0.0", "Returns one or more random members of a set without removing them."),
    c("smove", 4, W | F, WR | acl::FAST, smove).keys(KEY12).key_flags_split(key::RW | key::ACCESS | key::DELETE, key::RW | key::INSERT).doc("set", "1.0.0", "Moves a member from one set to another."),
    c("sinter", -2, R, RD | acl::SLOW, |ctx, args| inter_generic(ctx, &args[1..], InterOut::Reply)).keys(ALL_KEYS).key_flags(key::RO | key::ACCESS).doc("set", "1.0.0", "Returns the members common to every given set."),
    c("sintercard", -3, R | flag::MOVABLE_KEYS, RD | acl::SLOW, sintercard).keys(NO_KEYS).keynum(1, 1, 1).key_flags(key::RO | key::ACCESS).doc("set", "7.0.0", "Returns how many members the given sets have in common, optionally stopping at a limit."),
    c("sinterstore", -3, WD, WR | acl::SLOW, |ctx, args| inter_generic(ctx, &args[2..], InterOut::Store(&args[1]))).keys(DST_AND_SOURCES).key_flags_split(key::RW | key::UPDATE, key::RO | key::ACCESS).doc("set", "1.0.0", "Stores the intersection of sets in a key."),
    c("sunion", -2, R, RD | acl::SLOW, |ctx, args| union_diff(ctx, &args[1..], None, false)).keys(ALL_KEYS).key_flags(key::RO | key::ACCESS).doc("set", "1.0.0", "Returns the members of any of the given sets."),
    c("sunionstore", -3, WD, WR | acl::SLOW, |ctx, args| union_diff(ctx, &args[2..], Some(&args[1]), false)).keys(DST_AND_SOURCES).key_flags_split(key::OW | key::UPDATE, key::RO | key::ACCESS).doc("set", "1.0.0", "Stores the union of sets in a key."),
    c("sdiff", -2, R, RD | acl::SLOW, |ctx, args| union_diff(ctx, &args[1..], None, true)).keys(ALL_KEYS).key_flags(key::RO | key::ACCESS).doc("set", "1.0.0", "Returns the members of the first set that are in none of the others."),
    c("sdiffstore", -3, WD, WR | acl::SLOW, |ctx, args| union_diff(ctx, &args[2..], Some(&args[1]), true)).keys(DST_AND_SOURCES).key_flags_split(key::OW | key::UPDATE, key::RO | key::ACCESS).doc("set", "1.0.0", "Stores the difference of sets in a key."),
    c("sscan", -3, R, RD | acl::SLOW, sscan).key_flags(key::RO | key::ACCESS).doc("set", "2.8.0", "Iterates over the members of a set."),
];

/// Writes one member as a bulk string.
#[inline]
pub fn reply_member(out: &mut Out, m: Member<'_>) {
    match m {
        Member::Int(v) => out.bulk_int(v),
        Member::Bytes(b) => out.bulk(b),
    }
}

/// Members per SREM when SPOP with a count is propagated, as Redis batches them.
const SPOP_BATCH: usize = 1024;

/// Propagates what SPOP did as Redis does: the whole set popped as `DEL`, otherwise the
/// members removed, as `SREM`s of at most `SPOP_BATCH` members each.
fn propagate_spop(ctx: &Ctx<'_>, key: &[u8], popped: &[OwnedMember], emptied: bool) {
    if emptied {
        ctx.propagate(|| super::argv([b"DEL", key]));
        return;
    }
    for batch in popped.chunks(SPOP_BATCH) {
        ctx.propagate(|| {
            let mut v = super::argv([b"SREM", key]);
            v.extend(
                batch
                    .iter()
                    .map(|m| m.as_member().with_bytes(Bytes::copy_from_slice)),
            );
            v
        });
    }
}

fn max_intset(ctx: &Ctx<'_>) -> usize {
    ctx.srv.config.read().set_max_intset_entries()
}

/// Uniform 64-bit random numbers for SPOP and SRANDMEMBER.
fn rng() -> impl FnMut() -> u64 {
    || fastrand::u64(..)
}

fn sadd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let max = max_intset(ctx);
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let members = &args[2..];
    let added = match k.get_mut_as::<Set>()? {
        Some(s) => {
            let n = members.iter().filter(|m| s.insert(m, max)).count();
            if n > 0 {
                k.changed_by(n as u64);
            }
            n
        }
        None => {
            let mut s = Set::new();
            let n = members.iter().filter(|m| s.insert(m, max)).count();
            k.set_counting(Value::Set(Box::new(s)), false, n as u64);
            n
        }
    };
    if added > 0 {
        ctx.notify(NOTIFY_SET, "sadd", &args[1]);
    }
    ctx.out.int(added as i64);
    Ok(())
}

fn smismember(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let s = k.read_as::<Set>(ctx.client.no_touch)?;
    let members = &args[2..];
    ctx.out.array(members.len());
    for m in members {
        let found = s.is_some_and(|s| s.contains(m));
        ctx.out.int(found as i64);
    }
    Ok(())
}

/// Writes a whole set as a RESP3 set (an array in RESP2).
fn reply_set(out: &mut Out, s: &Set) {
    out.set(s.len());
    for m in s.iter() {
        reply_member(out, m);
    }
}

fn smembers(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    match k.read_as::<Set>(ctx.client.no_touch)? {
        Some(s) => reply_set(ctx.out, s),
        None => ctx.out.set(0),
    }
    Ok(())
}

fn spop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    match args.len() {
        2 => spop_one(ctx, &args[1]),
        3 => spop_count(ctx, &args[1], &args[2]),
        _ => Err(CmdError::Syntax),
    }
}

fn spop_one(ctx: &mut Ctx<'_>, key: &[u8]) -> CmdResult {
    let mut l = ctx.key(key);
    let mut k = l.get();
    let Some(s) = k.get_mut_as::<Set>()? else {
        ctx.out.null();
        return Ok(());
    };
    let popped = s.pop_random(&mut rng());
    let empty = s.is_empty();
    match &popped {
        Some(m) => reply_member(ctx.out, m.as_member()),
        None => ctx.out.null(),
    }
    k.changed_or_emptied(empty, 1);
    // A single SPOP is an SREM of its member, even when it empties the set.
    propagate_spop(ctx, key, popped.as_slice(), false);
    ctx.notify(NOTIFY_SET, "spop", key);
    if empty {
        ctx.notify(NOTIFY_GENERIC, "del", key);
    }
    Ok(())
}

fn spop_count(ctx: &mut Ctx<'_>, key: &[u8], count: &[u8]) -> CmdResult {
    let count = match strnum::parse_i64(count) {
        Some(n) if n >= 0 => n as u64,
        _ => return Err(CmdError::err("value is out of range, must be positive")),
    };
    let max = max_intset(ctx);
    let mut l = ctx.key(key);
    let mut k = l.get();
    let Some(s) = k.get_mut_as::<Set>()? else {
        ctx.out.set(0);
        return Ok(());
    };
    if count == 0 {
        ctx.out.set(0);
        return Ok(());
    }
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    let popped: Vec<OwnedMember> = s.pop_random_many(count, &mut rng(), max);
    let empty = s.is_empty();
    ctx.out.set(popped.len());
    for m in &popped {
        reply_member(ctx.out, m.as_member());
    }
    k.changed_or_emptied(empty, popped.len() as u64);
    propagate_spop(ctx, key, &popped, empty);
    ctx.notify(NOTIFY_SET, "spop", key);
    if empty {
        ctx.notify(NOTIFY_GENERIC, "del", key);
    }
    Ok(())
}

fn srandmember(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 3 {
        return Err(CmdError::Syntax);
    }
    let count = match args.get(2) {
        None => None,
        Some(a) => {
            let n = int_arg(a)?;
            if n == i64::MIN {
                return Err(CmdError::err(
                    "value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                ));
            }
            if n < 0 && n.unsigned_abs() > MAX_REPEATED_PICKS {
                return Err(CmdError::err(format!(
                    "value is out of range, value must between -{MAX_REPEATED_PICKS} and 9223372036854775807"
                )));
            }
            Some(n)
        }
    };
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let s = k.read_as::<Set>(ctx.client.no_touch)?;
    let mut rng = rng();
    let out = &mut *ctx.out;
    match (s, count) {
        (None, None) => out.null(),
        (Some(s), None) => match s.random(&mut rng) {
            Some(m) => reply_member(out, m),
            None => out.null(),
        },
        (None, Some(_)) | (_, Some(0)) => out.array(0),
        (Some(s), Some(n)) if n < 0 => {
            // Repeats allowed: independent draws, in random order.
            let n = n.unsigned_abs() as usize;
            out.array(n);
            for _ in 0..n {
                match s.random(&mut rng) {
                    Some(m) => reply_member(out, m),
                    None => out.null(),
                }
            }
        }
        (Some(s), Some(n)) => {
            let picks = s.random_distinct(usize::try_from(n).unwrap_or(usize::MAX), &mut rng);
            out.array(picks.len());
            for m in picks {
                reply_member(out, m);
            }
        }
    }
    Ok(())
}

fn smove(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (src, dst, member) = (&args[1][..], &args[2][..], &args[3][..]);
    let db = ctx.client.db;
    let now = ctx.now;
    let max = max_intset(ctx);
    let mut m = ctx.keys(&[(db, src), (db, dst)]);
    // A missing source answers 0 before the destination's type is even looked at.
    let src_has = {
        let Some(k) = m.key(db, src, now) else {
            ctx.out.int(0);
            return Ok(());
        };
        match k.peek_as::<Set>()? {
            None => {
                ctx.out.int(0);
                return Ok(());
            }
            Some(s) => s.contains(member),
        }
    };
    let dst_exists = match m.key(db, dst, now) {
        Some(k) => k.peek_as::<Set>()?.is_some(),
        None => false,
    };
    if src == dst || !src_has {
        ctx.out.int(src_has as i64);
        return Ok(());
    }
    let mut src_emptied = false;
    if let Some(mut k) = m.key(db, src, now) {
        if let Some(s) = k.get_mut_as::<Set>()? {
            s.remove(member);
            src_emptied = s.is_empty();
            if src_emptied {
                k.delete();
            } else {
                k.changed();
            }
        }
    }
    ctx.notify(NOTIFY_SET, "srem", src);
    if src_emptied {
        ctx.notify(NOTIFY_GENERIC, "del", src);
    }
    // The destination only counts as changed when the member was not there already.
    let mut added = false;
    if let Some(mut k) = m.key(db, dst, now) {
        if dst_exists {
            if let Some(s) = k.get_mut_as::<Set>()? {
                added = s.insert(member, max);
                if added {
                    k.changed();
                }
            }
        } else {
            let mut s = Set::new();
            added = s.insert(member, max);
            k.set(Value::Set(Box::new(s)), false);
        }
    }
    if added {
        ctx.notify(NOTIFY_SET, "sadd", dst);
    }
    ctx.out.int(1);
    Ok(())
}

/// Locks the shards of `keys` and of `dst`, if any.
fn lock_keys<'a>(ctx: &Ctx<'a>, keys: &[Bytes], dst: Option<&[u8]>) -> MultiLock<'a> {
    let db = ctx.client.db;
    let mut names: Vec<(usize, &[u8])> = keys.iter().map(|k| (db, &k[..])).collect();
    if let Some(d) = dst {
        names.push((db, d));
    }
    ctx.keys(&names)
}

/// Checks the type of every source key as Redis does before any work (a WRONGTYPE anywhere
/// fails the command), counting a hit or miss for each; returns their sizes, 0 when missing.
fn source_sizes(
    m: &mut MultiLock<'_>,
    db: usize,
    keys: &[Bytes],
    now: u64,
    no_touch: bool,
) -> Result<Vec<usize>, CmdError> {
    let mut sizes = Vec::with_capacity(keys.len());
    for key in keys {
        let n = match m.key(db, key, now) {
            Some(mut k) => k.read_as::<Set>(no_touch)?.map_or(0, Set::len),
            None => 0,
        };
        sizes.push(n);
    }
    Ok(sizes)
}

/// Runs `f` on the set at `key`, if it is one.
fn with_set<R>(
    m: &mut MultiLock<'_>,
    db: usize,
    key: &[u8],
    now: u64,
    f: impl FnOnce(&Set) -> R,
) -> Option<R> {
    let k = m.key(db, key, now)?;
    match k.peek() {
        Some(Value::Set(s)) => Some(f(s)),
        _ => None,
    }
}

/// Stores `result` at `dst` (deleting `dst` when the result is empty), replies its size and
/// emits `event`, or `del` when an existing destination was removed.
fn store_result(ctx: &mut Ctx<'_>, m: &mut MultiLock<'_>, dst: &[u8], result: Set, event: &str) {
    let n = result.len();
    let mut deleted = false;
    if let Some(mut k) = m.key(ctx.client.db, dst, ctx.now) {
        if result.is_empty() {
            deleted = k.delete();
        } else {
            k.set(Value::Set(Box::new(result)), false);
        }
    }
    if n > 0 {
        ctx.notify(NOTIFY_SET, event, dst);
    } else if deleted {
        ctx.notify(NOTIFY_GENERIC, "del", dst);
    }
    ctx.out.int(n as i64);
}

/// What an intersection produces.
enum InterOut<'a> {
    /// The members, as SINTER replies.
    Reply,
    /// Only the count, stopping at a limit (0: none), as SINTERCARD replies.
    Count(u64),
    /// A new set stored at this key, as SINTERSTORE does.
    Store(&'a [u8]),
}

fn inter_generic(ctx: &mut Ctx<'_>, keys: &[Bytes], mode: InterOut<'_>) -> CmdResult {
    let db = ctx.client.db;
    let now = ctx.now;
    let no_touch = ctx.client.no_touch;
    let max = max_intset(ctx);
    let dst = match mode {
        InterOut::Store(d) => Some(d),
        _ => None,
    };
    let mut m = lock_keys(ctx, keys, dst);
    let sizes = source_sizes(&mut m, db, keys, now, no_touch)?;
    let smallest = sizes
        .iter()
        .enumerate()
        .min_by_key(|&(_, n)| *n)
        .map(|(i, _)| i);
    // A plain SINTER of one key is SMEMBERS: reply straight from the set, without copying.
    if let (InterOut::Reply, [key]) = (&mode, keys) {
        let out = &mut *ctx.out;
        if with_set(&mut m, db, key, now, |s| reply_set(out, s)).is_none() {
            out.set(0);
        }
        return Ok(());
    }
    let mut candidates: Vec<OwnedMember> = Vec::new();
    if let Some(first) = smallest.filter(|&i| sizes[i] > 0) {
        let first_key = &keys[first][..];
        candidates = with_set(&mut m, db, first_key, now, |s| {
            s.iter().map(Member::to_owned_member).collect()
        })
        .unwrap_or_default();
        for (j, key) in keys.iter().enumerate() {
            if candidates.is_empty() {
                break;
            }
            if j == first || key[..] == *first_key {
                continue;
            }
            with_set(&mut m, db, key, now, |s| {
                candidates.retain(|c| s.contains_member(c.as_member()));
            });
        }
    }
    match mode {
        InterOut::Reply => {
            ctx.out.set(candidates.len());
            for c in &candidates {
                reply_member(ctx.out, c.as_member());
            }
        }
        InterOut::Count(limit) => {
            let mut n = candidates.len() as u64;
            if limit > 0 {
                n = n.min(limit);
            }
            ctx.out.int(n as i64);
        }
        InterOut::Store(dst) => {
            let result = Set::from_members(candidates.iter().map(OwnedMember::as_member), max);
            store_result(ctx, &mut m, dst, result, "sinterstore");
        }
    }
    Ok(())
}

fn sintercard(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let numkeys = match strnum::parse_i64(&args[1]) {
        Some(n) if n >= 1 => n as u64,
        _ => return Err(CmdError::err("numkeys should be greater than 0")),
    };
    if numkeys > (args.len() - 2) as u64 {
        return Err(CmdError::err(
            "Number of keys can't be greater than number of args",
        ));
    }
    let end = 2 + numkeys as usize;
    let mut limit = 0u64;
    let mut i = end;
    while let Some(a) = args.get(i) {
        match args.get(i + 1) {
            Some(v) if is(a, "limit") => {
                limit = match strnum::parse_i64(v) {
                    Some(n) if n >= 0 => n as u64,
                    _ => return Err(CmdError::err("LIMIT can't be negative")),
                };
                i += 2;
            }
            _ => return Err(CmdError::Syntax),
        }
    }
    inter_generic(ctx, &args[2..end], InterOut::Count(limit))
}

/// SUNION/SDIFF and their STORE forms.
fn union_diff(ctx: &mut Ctx<'_>, keys: &[Bytes], dst: Option<&[u8]>, diff: bool) -> CmdResult {
    let db = ctx.client.db;
    let now = ctx.now;
    let no_touch = ctx.client.no_touch;
    let max = max_intset(ctx);
    let mut m = lock_keys(ctx, keys, dst);
    let sizes = source_sizes(&mut m, db, keys, now, no_touch)?;
    let mut result = Set::new();
    if !diff {
        for (key, &n) in keys.iter().zip(&sizes) {
            if n > 0 {
                with_set(&mut m, db, key, now, |s| {
                    for x in s.iter() {
                        result.insert_member(x, max);
                    }
                });
            }
        }
    } else if let Some((first, rest)) = keys.split_first() {
        // A key subtracted from itself leaves nothing.
        let same = rest.iter().any(|k| k == first);
        if sizes.first().is_some_and(|&n| n > 0) && !same {
            result = with_set(&mut m, db, first, now, |s| Set::from_members(s.iter(), max))
                .unwrap_or_default();
            for (key, &n) in rest.iter().zip(&sizes[1..]) {
                if result.is_empty() {
                    break;
                }
                if n == 0 {
                    continue;
                }
                // Walk whichever side is smaller.
                with_set(&mut m, db, key, now, |s| {
                    if s.len() < result.len() {
                        for x in s.iter() {
                            result.remove_member(x);
                        }
                    } else {
                        result.retain(|x| !s.contains_member(x));
                    }
                });
            }
            // Redis builds the difference by adding the survivors to a new set; match its
            // encoding when the survivors would fit an intset.
            result.compact(max);
        }
    }
    match dst {
        Some(dst) => {
            let event = if diff { "sdiffstore" } else { "sunionstore" };
            store_result(ctx, &mut m, dst, result, event);
        }
        None => reply_set(ctx.out, &result),
    }
    Ok(())
}

fn sscan(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    super::scan_collection(ctx, args, |s: &Set, cursor, count, found| {
        s.scan(cursor, count, |m| {
            m.with_bytes(|b| {
                if found.matches(b) {
                    found.push(b);
                }
            });
        })
    })
}
