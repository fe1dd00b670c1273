//! The hash family: HSET and friends, counters in fields, HRANDFIELD sampling and HSCAN.

use bytes::Bytes;
use storage::hash::{Hash, Limits, Sample};
use storage::value::Value;
use strnum::LongDouble;

use crate::base::config::NOTIFY_HASH;
use crate::base::error::{CmdError, CmdResult};
use crate::base::reply::Out;
use crate::command::ctx::{int_arg, is, Ctx};
use crate::command::short::{F, R, W, WD};
use crate::command::{acl, key, Command};
use crate::keyspace::KeyRef;
const RD: u64 = acl::READ | acl::HASH;
const WR: u64 = acl::WRITE | acl::HASH;

use crate::command::keyed as c;

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    c("hset", -4, WD | F, WR | acl::FAST, |ctx, args| hset(ctx, args, false)).key_flags(key::RW | key::UPDATE).doc("hash", "2.0.0", "Sets one or more fields of a hash, creating the hash if needed; replies with the number of new fields."),
    c("hsetnx", 4, WD | F, WR | acl::FAST, hsetnx).key_flags(key::RW | key::INSERT).doc("hash", "2.0.0", "Sets a hash field only when the field is not there yet."),
    c("hmset", -4, WD | F, WR | acl::FAST, |ctx, args| hset(ctx, args, true)).key_flags(key::RW | key::UPDATE).doc("hash", "2.0.0", "Sets several hash fields (deprecated form of HSET that replies OK)."),
    c("hget", 3, R | F, RD | acl::FAST, |ctx, args| super::lookup_each(ctx, args, false, field_value)).key_flags(key::RO | key::ACCESS).doc("hash", "2.0.0", "Returns the value of one hash field."),
    c("hmget", -3, R | F, RD | acl::FAST, |ctx, args| super::lookup_each(ctx, args, true, field_value)).key_flags(key::RO | key::ACCESS).doc("hash", "2.0.0", "Returns the values of several hash fields, nil for missing ones."),
    c("hdel", -3, W | F, WR | acl::FAST, |ctx, args| super::remove_each(ctx, args, (NOTIFY_HASH, "hdel"), Hash::remove, Hash::is_empty)).key_flags(key::RW | key::DELETE).doc("hash", "2.0.0", "Removes fields from a hash; the key goes away with its last field."),
    c("hlen", 2, R | F, RD | acl::FAST, |ctx, args| super::card(ctx, args, Hash::len)).key_flags(key::RO).doc("hash", "2.0.0", "Returns how many fields a hash has."),
    c("hstrlen", 3, R | F, RD | acl::FAST, |ctx, args| super::count(ctx, args, |h: Option<&Hash>, a| h.and_then(|h| h.get(&a[2])).map_or(0, <[u8]>::len))).key_flags(key::RO).doc("hash", "3.2.0", "Returns the length in bytes of a hash field's value."),
    c("hexists", 3, R | F, RD | acl::FAST, |ctx, args| super::contains(ctx, args, Hash::contains)).key_flags(key::RO).doc("hash", "2.0.0", "Tells whether a field exists in a hash."),
    c("hkeys", 2, R, RD | acl::SLOW, |ctx, args| getall_generic(ctx, args, Part::Fields)).key_flags(key::RO | key::ACCESS).doc("hash", "2.0.0", "Returns every field name of a hash."),
    c("hvals", 2, R, RD | acl::SLOW, |ctx, args| getall_generic(ctx, args, Part::Values)).key_flags(key::RO | key::ACCESS).doc("hash", "2.0.0", "Returns every value of a hash."),
    c("hgetall", 2, R, RD | acl::SLOW, |ctx, args| getall_generic(ctx, args, Part::Both)).key_flags(key::RO | key::ACCESS).doc("hash", "2.0.0", "Returns every field and value of a hash."),
    c("hincrby", 4, WD | F, WR | acl::FAST, hincrby).key_flags(key::RW | key::ACCESS | key::UPDATE).doc("hash", "2.0.0", "Adds an integer to the integer held by a hash field, starting from 0."),
    c("hincrbyfloat", 4, WD | F, WR | acl::FAST, hincrbyfloat).key_flags(key::RW | key::ACCESS | key::UPDATE).doc("hash", "2.6.0", "Adds a decimal number to the number held by a hash field, starting from 0."),
    c("hrandfield", -2, R, RD | acl::SLOW, hrandfield).key_flags(key::RO | key::ACCESS).doc("hash", "6.2.0", "Returns one or more random fields of a hash, optionally with their values."),
    c("hscan", -3, R, RD | acl::SLOW, hscan).key_flags(key::RO | key::ACCESS).doc("hash", "2.8.0", "Walks the fields and values of a hash a few at a time with a cursor."),
];

/// The thresholds for converting a small hash, read from the configuration for every write so
/// that CONFIG SET applies to the next conversion.
fn limits(ctx: &Ctx<'_>) -> Limits {
    ctx.srv.config.read().hash_limits()
}

/// Applies `f` to the hash at `k`, creating an empty one if the key is missing. `f` returns
/// its result and whether it changed the hash; a new hash is stored only if `f` succeeded and
/// left it non-empty, so a failed command never leaves an empty key behind.
fn update<R>(
    k: &mut KeyRef<'_>,
    f: impl FnOnce(&mut Hash) -> Result<(R, bool), CmdError>,
) -> Result<R, CmdError> {
    match k.get_mut_as::<Hash>()? {
        Some(h) => {
            let (r, changed) = f(h)?;
            if changed {
                k.changed();
            }
            Ok(r)
        }
        None => {
            let mut h = Hash::new();
            let (r, _) = f(&mut h)?;
            if !h.is_empty() {
                k.set(Value::Hash(Box::new(h)), false);
            }
            Ok(r)
        }
    }
}

fn hset_generic(ctx: &mut Ctx<'_>, args: &[Bytes], name: &str) -> Result<i64, CmdError> {
    if args.len() % 2 == 1 {
        return Err(CmdError::WrongArity(name.into()));
    }
    let limits = limits(ctx);
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let created = update(&mut k, |h| {
        let mut created = 0;
        for pair in args[2..].chunks_exact(2) {
            created += i64::from(h.set(&pair[0], &pair[1], limits));
        }
        Ok((created, true))
    })?;
    // Redis counts every pair written as a change; `KeyRef` counted one.
    let pairs = (args.len() - 2) / 2;
    ctx.count_changes(pairs.saturating_sub(1) as u64);
    ctx.notify(NOTIFY_HASH, "hset", &args[1]);
    Ok(created)
}

/// HSET, which replies with how many fields it created, and HMSET (`hmset`), which replies OK.
fn hset(ctx: &mut Ctx<'_>, args: &[Bytes], hmset: bool) -> CmdResult {
    let created = hset_generic(ctx, args, if hmset { "hmset" } else { "hset" })?;
    if hmset {
        ctx.out.ok();
    } else {
        ctx.out.int(created);
    }
    Ok(())
}

fn hsetnx(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let limits = limits(ctx);
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let added = update(&mut k, |h| {
        if h.contains(&args[2]) {
            return Ok((false, false));
        }
        h.set(&args[2], &args[3], limits);
        Ok((true, true))
    })?;
    if added {
        ctx.notify(NOTIFY_HASH, "hset", &args[1]);
    }
    ctx.out.int(i64::from(added));
    Ok(())
}

/// HGET and HMGET's reply for one field: its value, if the hash has it.
fn field_value(h: &Hash, field: &[u8], out: &mut Out) -> bool {
    h.get(field).map(|v| out.bulk(v)).is_some()
}

/// What HKEYS, HVALS and HGETALL return of each pair.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Fields,
    Values,
    Both,
}

fn getall_generic(ctx: &mut Ctx<'_>, args: &[Bytes], part: Part) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let h = k.read_as::<Hash>(ctx.client.no_touch)?;
    let n = h.map_or(0, |h| h.len());
    // Fields with values form a map (RESP3); one side alone is a flat array.
    if part == Part::Both {
        ctx.out.map(n);
    } else {
        ctx.out.array(n);
    }
    for (f, v) in h.into_iter().flat_map(|h| h.iter()) {
        if part != Part::Values {
            ctx.out.bulk(f);
        }
        if part != Part::Fields {
            ctx.out.bulk(v);
        }
    }
    Ok(())
}

fn hincrby(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let by = int_arg(&args[3])?;
    let limits = limits(ctx);
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let field = &args[2];
    let new = update(&mut k, |h| {
        let cur = match h.get(field) {
            None => 0,
            Some(v) => {
                strnum::parse_i64(v).ok_or_else(|| CmdError::err("hash value is not an integer"))?
            }
        };
        let new = cur.checked_add(by).ok_or(CmdError::Overflow)?;
        h.set(field, itoa::Buffer::new().format(new).as_bytes(), limits);
        Ok((new, true))
    })?;
    ctx.notify(NOTIFY_HASH, "hincrby", &args[1]);
    ctx.out.int(new);
    Ok(())
}

fn hincrbyfloat(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    // Computed in 80-bit long double as Redis does, so the stored text matches Redis's.
    let by = LongDouble::parse(&args[3]).ok_or(CmdError::NotFloat)?;
    if !by.is_finite() {
        return Err(CmdError::err("value is NaN or Infinity"));
    }
    let limits = limits(ctx);
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let field = &args[2];
    let text = update(&mut k, |h| {
        let cur = match h.get(field) {
            None => LongDouble::ZERO,
            Some(v) => {
                LongDouble::parse(v).ok_or_else(|| CmdError::err("hash value is not a float"))?
            }
        };
        let new = strnum::incr_by_float(cur, by)
            .ok_or_else(|| CmdError::err("increment would produce NaN or Infinity"))?;
        let mut text = Vec::new();
        new.format_human(&mut text);
        h.set(field, &text, limits);
        Ok((text, true))
    })?;
    // The result, not the increment: float arithmetic elsewhere may round differently.
    ctx.propagate(|| super::argv([b"HSET", &args[1], field, &text]));
    ctx.notify(NOTIFY_HASH, "hincrbyfloat", &args[1]);
    ctx.out.bulk(&text);
    Ok(())
}

/// Largest reply HRANDFIELD with a negative count may build. Redis would keep writing until
/// memory runs out; this bound is the largest bulk string a client may send (the default
/// `proto-max-bulk-len`), far beyond any real use.
const RANDOM_REPLY_LIMIT: usize = 512 << 20;
/// The fewest bytes one element of an HRANDFIELD reply takes (`$0\r\n\r\n`).
const MIN_ELEMENT_BYTES: usize = 6;

fn out_of_range() -> CmdError {
    CmdError::err("value is out of range")
}

fn hrandfield(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let Some(count) = args.get(2) else {
        let mut l = ctx.key(&args[1]);
        let mut k = l.get();
        match k
            .read_as::<Hash>(ctx.client.no_touch)?
            .and_then(|h| h.random_pair(&mut || fastrand::u64(..)))
        {
            Some((f, _)) => ctx.out.bulk(f),
            None => ctx.out.null(),
        }
        return Ok(());
    };
    let count = int_arg(count)?;
    if count == i64::MIN {
        return Err(CmdError::err(
            "value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ));
    }
    let with_values = match args.get(3) {
        None => false,
        Some(a) if args.len() == 4 && is(a, "withvalues") => true,
        Some(_) => return Err(CmdError::Syntax),
    };
    // Redis refuses counts whose doubled reply length could overflow.
    if with_values && count.unsigned_abs() > (i64::MAX / 2) as u64 {
        return Err(out_of_range());
    }
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(h) = k.read_as::<Hash>(ctx.client.no_touch)? else {
        ctx.out.array(0);
        return Ok(());
    };
    if count == 0 {
        ctx.out.array(0);
        return Ok(());
    }
    let n = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
    // A count of 1 is served like a negative one, as Redis does (one draw).
    let sample = if count < 0 || n == 1 {
        Sample::Repeated(n)
    } else {
        Sample::Distinct(n)
    };
    // Distinct fields are bounded by the hash itself; repeated draws are bounded only by the
    // count, so those are refused up front when even the smallest elements would not fit.
    let (elements, bounded) = match sample {
        Sample::Repeated(n) => (n, false),
        Sample::Distinct(n) => (n.min(h.len()), true),
    };
    let per_element = if with_values { 2 } else { 1 };
    if !bounded && elements.saturating_mul(per_element * MIN_ELEMENT_BYTES) > RANDOM_REPLY_LIMIT {
        return Err(out_of_range());
    }
    let resp3 = ctx.out.proto >= 3;
    let mark = ctx.out.mark();
    if with_values && !resp3 {
        ctx.out.array(elements * 2);
    } else {
        ctx.out.array(elements);
    }
    let out = &mut *ctx.out;
    let mut too_big = false;
    h.sample(sample, &mut || fastrand::u64(..), &mut |f, v| {
        if with_values && resp3 {
            out.array(2);
        }
        out.bulk(f);
        if with_values {
            out.bulk(v);
        }
        too_big = !bounded && out.mark() - mark > RANDOM_REPLY_LIMIT;
        !too_big
    });
    if too_big {
        ctx.out.truncate(mark);
        return Err(out_of_range());
    }
    Ok(())
}

fn hscan(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    super::scan_collection(ctx, args, |h: &Hash, cursor, count, found| {
        h.scan(cursor, count, &mut |f, v| {
            if found.matches(f) {
                found.push(f);
                found.push(v);
            }
        })
    })
}
