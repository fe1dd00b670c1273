//! The HyperLogLog family: PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST.
//!
//! A sketch is an ordinary string value holding Redis's exact bytes (see `storage::hll`), so
//! GET, SET and APPEND see it as Redis would and sketches move freely between the two servers.
//! Every change edits the string in place, which keeps the key's TTL as Redis does.

use bytes::Bytes;
use storage::hll::{self, HllError, REGISTERS};
use storage::shard::Entry;
use storage::small::SmallBytes;
use storage::value::Value;
use thin_vec::ThinVec;

use crate::base::config::NOTIFY_STRING;
use crate::base::error::{CmdError, CmdResult};
use crate::command::ctx::Ctx;
use crate::command::{acl, flag, key, Command, KeySpec, ALL_KEYS, KEY1, NO_KEYS};
const G: &str = "hyperloglog";

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    Command::new("pfadd", -2, flag::WRITE | flag::DENYOOM | flag::FAST, acl::WRITE | acl::HYPERLOGLOG | acl::FAST, pfadd).keys(KEY1).key_flags(key::RW | key::INSERT).doc(G, "2.8.9", "Adds elements to a HyperLogLog key. Creates the key if it doesn't exist."),
    Command::new("pfcount", -2, flag::READONLY | flag::MAY_REPLICATE, acl::READ | acl::HYPERLOGLOG | acl::SLOW, pfcount).keys(ALL_KEYS).key_flags(key::RW | key::ACCESS).doc(G, "2.8.9", "Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s)."),
    Command::new("pfmerge", -2, flag::WRITE | flag::DENYOOM, acl::WRITE | acl::HYPERLOGLOG | acl::SLOW, pfmerge).keys(ALL_KEYS).key_flags_split(key::RW | key::ACCESS | key::INSERT, key::RO | key::ACCESS).doc(G, "2.8.9", "Merges one or more HyperLogLog values into a single key."),
    Command::new("pfdebug", 3, flag::WRITE | flag::DENYOOM | flag::ADMIN, acl::WRITE | acl::HYPERLOGLOG | acl::ADMIN | acl::SLOW | acl::DANGEROUS, pfdebug).keys(KeySpec { first: 2, last: 2, step: 1, }).key_flags(key::RW | key::ACCESS).doc(G, "2.8.9", "Internal commands for debugging HyperLogLog values."),
    Command::new("pfselftest", 1, flag::ADMIN, acl::HYPERLOGLOG | acl::ADMIN | acl::SLOW | acl::DANGEROUS, pfselftest).keys(NO_KEYS).doc(G, "2.8.9", "An internal command for testing HyperLogLog values."),
];

/// Redis's reply for a string that is not a sketch (or a value of another type stored as an
/// integer, which Redis never treats as one).
fn not_hll() -> CmdError {
    CmdError::raw("WRONGTYPE Key is not a valid HyperLogLog string value.")
}

/// Redis's reply for a sketch whose sparse opcodes do not add up.
fn corrupt() -> CmdError {
    CmdError::raw("INVALIDOBJ Corrupted HLL object detected")
}

fn hll_err(e: HllError) -> CmdError {
    match e {
        HllError::NotHll => not_hll(),
        HllError::Corrupt => corrupt(),
    }
}

/// The bytes of a value that passes Redis's sketch header check.
fn hll_bytes(v: &Value) -> Result<&[u8], CmdError> {
    match v {
        Value::Str(s) => {
            hll::check(s).map_err(hll_err)?;
            Ok(s.as_slice())
        }
        Value::Int(_) => Err(not_hll()),
        _ => Err(CmdError::WrongType),
    }
}

/// The checked sketch of an entry as an editable buffer. Like Redis's unsharing of the string
/// before an edit, this makes it a `raw` string.
fn hll_mut(e: &mut Entry) -> Result<&mut ThinVec<u8>, CmdError> {
    hll_bytes(&e.value)?;
    e.set_raw(true);
    match &mut e.value {
        Value::Str(s) => Ok(s.make_vec()),
        _ => Err(not_hll()),
    }
}

fn new_value() -> Value {
    Value::Str(SmallBytes::Heap(ThinVec::from(hll::new_sparse())))
}

fn sparse_max(ctx: &Ctx<'_>) -> usize {
    ctx.srv.config.read().hll_sparse_max_bytes()
}

fn pfadd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let max = sparse_max(ctx);
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    // One change for creating the key (counted as it is stored) and one per register set, as
    // Redis counts them.
    let mut updated = 0u64;
    let created = !k.exists();
    if created {
        k.set(new_value(), false);
        updated += 1;
    }
    let registers = |updated: u64| updated - u64::from(created);
    let Some(e) = k.value_mut() else {
        return Err(not_hll());
    };
    let buf = hll_mut(e)?;
    let mut failed = false;
    for ele in &args[2..] {
        match hll::add(buf, ele, max) {
            Ok(true) => updated += 1,
            Ok(false) => {}
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    if failed {
        // Registers set before the corruption was found stay set, as in Redis.
        if updated > 0 {
            k.changed_by(registers(updated));
        }
        return Err(corrupt());
    }
    if updated > 0 {
        hll::invalidate_cache(buf);
        k.changed_by(registers(updated));
        ctx.notify(NOTIFY_STRING, "pfadd", &args[1]);
    }
    ctx.out.int(i64::from(updated > 0));
    Ok(())
}

fn pfcount(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 2 {
        return pfcount_union(ctx, &args[1..]);
    }
    let no_touch = ctx.client.no_touch;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let card = match k.read(no_touch) {
        None => {
            ctx.out.int(0);
            return Ok(());
        }
        Some(v) => {
            let s = hll_bytes(v)?;
            hll::cached_count(s)
        }
    };
    let Some(e) = k.value_mut() else {
        return Err(not_hll());
    };
    let buf = hll_mut(e)?;
    let card = match card {
        Some(c) => c,
        None => {
            // Caching the count changes the string, which Redis signals like any write.
            let c = hll::count(buf).map_err(hll_err)?;
            hll::set_cached_count(buf, c);
            k.changed();
            c
        }
    };
    ctx.out.int(card as i64);
    Ok(())
}

/// PFCOUNT of several keys: the count of their union, never cached anywhere.
fn pfcount_union(ctx: &mut Ctx<'_>, keys: &[Bytes]) -> CmdResult {
    let db = ctx.client.db;
    let now = ctx.now;
    let no_touch = ctx.client.no_touch;
    let names: Vec<(usize, &[u8])> = keys.iter().map(|k| (db, &k[..])).collect();
    let mut m = ctx.keys(&names);
    let mut max = Box::new([0u8; REGISTERS]);
    for key in keys {
        let Some(mut k) = m.key(db, key, now) else {
            continue;
        };
        let Some(v) = k.read(no_touch) else {
            continue;
        };
        hll::merge_into(&mut max, hll_bytes(v)?).map_err(hll_err)?;
    }
    ctx.out.int(hll::count_registers(&max) as i64);
    Ok(())
}

fn pfmerge(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let max_bytes = sparse_max(ctx);
    let db = ctx.client.db;
    let now = ctx.now;
    let no_touch = ctx.client.no_touch;
    let names: Vec<(usize, &[u8])> = args[1..].iter().map(|k| (db, &k[..])).collect();
    let mut m = ctx.keys(&names);
    let mut max = Box::new([0u8; REGISTERS]);
    let mut use_dense = false;
    // The destination is a source too, read first as in Redis.
    for key in &args[1..] {
        let Some(mut k) = m.key(db, key, now) else {
            continue;
        };
        let Some(v) = k.read(no_touch) else {
            continue;
        };
        let s = hll_bytes(v)?;
        use_dense |= hll::check(s) == Ok(hll::DENSE);
        hll::merge_into(&mut max, s).map_err(hll_err)?;
    }
    let Some(mut k) = m.key(db, &args[1], now) else {
        return Err(CmdError::err("internal error: destination not locked"));
    };
    // A merge is one change, whether or not it creates the key.
    let created = !k.exists();
    if created {
        k.set(new_value(), false);
    }
    let Some(e) = k.value_mut() else {
        return Err(not_hll());
    };
    let buf = hll_mut(e)?;
    if use_dense {
        hll::to_dense(buf).map_err(hll_err)?;
    }
    hll::write_registers(buf, &max, max_bytes);
    k.changed_by(u64::from(!created));
    // Redis reports a merge as a "pfadd" event: it is a mass addition of elements.
    ctx.notify(NOTIFY_STRING, "pfadd", &args[1]);
    ctx.out.ok();
    Ok(())
}

/// What a PFDEBUG subcommand produced, replied once the key is released.
enum Debug {
    Registers(Box<[u8; REGISTERS]>),
    Decoded(String),
    Encoding(&'static str),
    Converted(bool),
}

fn pfdebug(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let sub = args[1].to_ascii_lowercase();
    let mut l = ctx.key(&args[2]);
    let mut k = l.get();
    let Some(e) = k.value_mut() else {
        return Err(CmdError::err("The specified key does not exist"));
    };
    let buf = hll_mut(e)?;
    let (res, converted) = match &sub[..] {
        b"getreg" => {
            let conv = hll::to_dense(buf).map_err(hll_err)?;
            (
                Debug::Registers(hll::registers(buf).map_err(hll_err)?),
                conv,
            )
        }
        b"decode" => match hll::decode(buf) {
            Some(s) => (Debug::Decoded(s), false),
            None => return Err(CmdError::err("HLL encoding is not sparse")),
        },
        b"encoding" => (Debug::Encoding(hll::encoding_name(buf)), false),
        b"todense" => {
            let conv = hll::to_dense(buf).map_err(hll_err)?;
            (Debug::Converted(conv), conv)
        }
        _ => {
            return Err(CmdError::err(format!(
                "Unknown PFDEBUG subcommand '{}'",
                String::from_utf8_lossy(&args[1])
            )))
        }
    };
    if converted {
        k.changed();
    }
    let out = &mut *ctx.out;
    match res {
        Debug::Registers(regs) => {
            out.array(REGISTERS);
            for &r in regs.iter() {
                out.int(i64::from(r));
            }
        }
        Debug::Decoded(s) => out.bulk(s.as_bytes()),
        Debug::Encoding(s) => out.simple(s.as_bytes()),
        Debug::Converted(c) => out.int(i64::from(c)),
    }
    Ok(())
}

fn pfselftest(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let max = sparse_max(ctx);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0x5eed);
    hll::selftest(seed, max).map_err(CmdError::err)?;
    ctx.out.ok();
    Ok(())
}
