//! The string family: GET, SET and friends, counters, ranges and LCS.

use bytes::Bytes;
use storage::small::SmallBytes;
use storage::value::Value;
use strnum::LongDouble;

use super::{argv, expire_arg, propagate_expiry, string_opts, TimeUnit};
use crate::base::config::{NOTIFY_GENERIC as GENERIC, NOTIFY_STRING as STRING};
use crate::base::error::{CmdError, CmdResult};
use crate::command::ctx::{int_arg, is, Ctx};
use crate::command::short::{F, R, W, WD};
use crate::command::{acl, key, Command, ALL_KEYS, KEY12};
use crate::keyspace::KeyRef;
const RD: u64 = acl::READ | acl::STRING;
const WR: u64 = acl::WRITE | acl::STRING;

use crate::command::keyed as c;

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    c("get", 2, R | F, RD | acl::FAST, get).key_flags(key::RO | key::ACCESS).doc("string", "1.0.0", "Returns the string value of a key."),
    c("set", -3, WD, WR | acl::SLOW, set).key_flags(key::RW | key::ACCESS | key::UPDATE).key_flags_fn(set_key_flags).doc("string", "1.0.0", "Sets the string value of a key, ignoring its type."),
    c("setnx", 3, WD | F, WR | acl::FAST, setnx).key_flags(key::OW | key::INSERT).doc("string", "1.0.0", "Sets the value of a key only when the key doesn't exist."),
    c("setex", 4, WD, WR | acl::SLOW, |ctx, args| setex_generic(ctx, args, "setex", TimeUnit::Seconds)).key_flags(key::OW | key::UPDATE).doc("string", "2.0.0", "Sets the value and expiration time of a key in seconds."),
    c("psetex", 4, WD, WR | acl::SLOW, |ctx, args| setex_generic(ctx, args, "psetex", TimeUnit::Millis)).key_flags(key::OW | key::UPDATE).doc("string", "2.6.0", "Sets the value and expiration time of a key in milliseconds."),
    c("getset", 3, WD | F, WR | acl::FAST, getset).key_flags(key::RW | key::ACCESS | key::UPDATE).doc("string", "1.0.0", "Returns the previous value of a key after setting it to a new value."),
    c("getdel", 2, W | F, WR | acl::FAST, getdel).key_flags(key::RW | key::ACCESS | key::DELETE).doc("string", "6.2.0", "Returns the value of a key after deleting it."),
    c("getex", -2, W | F, WR | acl::FAST, getex).key_flags(key::RW | key::ACCESS | key::UPDATE).doc("string", "6.2.0", "Returns the value of a key after setting its expiration time."),
    c("mget", -2, R | F, RD | acl::FAST, mget).keys(ALL_KEYS).key_flags(key::RO | key::ACCESS).doc("string", "1.0.0", "Atomically returns the values of one or more keys."),
    c("mset", -3, WD, WR | acl::SLOW, |ctx, args| mset(ctx, args, false)).keys(crate::command::KeySpec { first: 1, last: -1, step: 2 }).key_flags(key::OW | key::UPDATE).doc("string", "1.0.1", "Atomically creates or modifies the values of one or more keys."),
    c("msetnx", -3, WD, WR | acl::SLOW, |ctx, args| mset(ctx, args, true)).keys(crate::command::KeySpec { first: 1, last: -1, step: 2 }).key_flags(key::OW | key::INSERT).doc("string", "1.0.1", "Atomically modifies the values of one or more keys only when all keys don't exist."),
    c("append", 3, WD | F, WR | acl::FAST, append).key_flags(key::RW | key::INSERT).doc("string", "2.0.0", "Appends a string to the value of a key. Creates the key if it doesn't exist."),
    c("strlen", 2, R | F, RD | acl::FAST, strlen).key_flags(key::RO).doc("string", "2.2.0", "Returns the length of a string value."),
    c("getrange", 4, R, RD | acl::SLOW, getrange).key_flags(key::RO | key::ACCESS).doc("string", "2.4.0", "Returns a substring of the string stored at a key."),
    c("substr", 4, R, RD | acl::SLOW, getrange).key_flags(key::RO | key::ACCESS).doc("string", "1.0.0", "Returns a substring from a string value."),
    c("setrange", 4, WD, WR | acl::SLOW, setrange).key_flags(key::RW | key::UPDATE).doc("string", "2.2.0", "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist."),
    c("incr", 2, WD | F, WR | acl::FAST, |ctx, args| incr_generic(ctx, &args[1], 1)).key_flags(key::RW | key::ACCESS | key::UPDATE).doc("string", "1.0.0", "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist."),
    c("decr", 2, WD | F, WR | acl::FAST, |ctx, args| incr_generic(ctx, &args[1], -1)).key_flags(key::RW | key::ACCESS | key::UPDATE).doc("string", "1.0.0", "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist."),
    c("incrby", 3, WD | F, WR | acl::FAST, incrby).key_flags(key::RW | key::ACCESS | key::UPDATE).doc("string", "1.0.0", "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist."),
    c("decrby", 3, WD | F, WR | acl::FAST, decrby).key_flags(key::RW | key::ACCESS | key::UPDATE).doc("string", "1.0.0", "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist."),
    c("incrbyfloat", 3, WD | F, WR | acl::FAST, incrbyfloat).key_flags(key::RW | key::ACCESS | key::UPDATE).doc("string", "2.6.0", "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist."),
    c("lcs", -3, R, RD | acl::SLOW, lcs).keys(KEY12).key_flags(key::RO | key::ACCESS).doc("string", "7.0.0", "Finds the longest common substring."),
];

/// The string stored at a key: `Ok(None)` if missing, WRONGTYPE for other types.
fn read_str<'k>(k: &'k mut KeyRef<'_>, no_touch: bool) -> Result<Option<&'k Value>, CmdError> {
    match k.read(no_touch) {
        None => Ok(None),
        Some(v) if v.is_string() => Ok(Some(v)),
        Some(_) => Err(CmdError::WrongType),
    }
}

/// Replies with the string at `k` (null when there is none) and says whether there was one.
#[inline]
fn reply_current(ctx: &mut Ctx<'_>, k: &mut KeyRef<'_>) -> Result<bool, CmdError> {
    let v = read_str(k, ctx.client.no_touch)?;
    reply_str(ctx, v);
    Ok(v.is_some())
}

/// Writes a string value as a bulk reply, or null when missing.
fn reply_str(ctx: &mut Ctx<'_>, v: Option<&Value>) {
    match v {
        None => ctx.out.null(),
        Some(v) => {
            let out = &mut *ctx.out;
            v.with_str(|s| out.bulk(s));
        }
    }
}

fn max_len(ctx: &Ctx<'_>) -> u64 {
    ctx.srv.config.read().proto_max_bulk_len().max(0) as u64
}

fn get(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    reply_current(ctx, &mut k)?;
    Ok(())
}

/// SET reads its key only when GET asks for the old value; otherwise it overwrites blindly.
fn set_key_flags(args: &[Bytes]) -> u16 {
    if args.iter().skip(3).any(|a| is(a, "get")) {
        key::RW | key::ACCESS | key::UPDATE
    } else {
        key::OW | key::UPDATE
    }
}

fn set(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let o = string_opts("set", args, 3, true, ctx.now)?;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    if o.get {
        reply_current(ctx, &mut k)?;
    }
    if (o.nx && k.exists()) || (o.xx && !k.exists()) {
        if !o.get {
            ctx.out.null();
        }
        return Ok(());
    }
    k.set_expiring(Value::from_bytes(&args[2]), o.keep_ttl, o.expire);
    if let (Some(at), false) = (o.expire, o.pxat) {
        propagate_set_pxat(ctx, &args[1], &args[2], at);
    }
    ctx.notify(STRING, "set", &args[1]);
    if o.expire.is_some() {
        ctx.notify(GENERIC, "expire", &args[1]);
    }
    if !o.get {
        ctx.out.ok();
    }
    Ok(())
}

/// A relative or second-based expiry is propagated as `SET key value PXAT ms`, as in Redis,
/// so that a replay later or elsewhere gets the same deadline.
fn propagate_set_pxat(ctx: &Ctx<'_>, key: &[u8], value: &[u8], at: u64) {
    ctx.propagate(|| argv([b"SET", key, value, b"PXAT", at.to_string().as_bytes()]));
}

fn setnx(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    if k.exists() {
        ctx.out.int(0);
    } else {
        k.set(Value::from_bytes(&args[2]), false);
        ctx.notify(STRING, "set", &args[1]);
        ctx.out.int(1);
    }
    Ok(())
}

fn setex_generic(ctx: &mut Ctx<'_>, args: &[Bytes], cmd: &str, unit: TimeUnit) -> CmdResult {
    let at = expire_arg(cmd, &args[2], unit, ctx.now)?;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    k.set_expiring(Value::from_bytes(&args[3]), false, Some(at));
    propagate_set_pxat(ctx, &args[1], &args[3], at);
    ctx.notify(STRING, "set", &args[1]);
    ctx.notify(GENERIC, "expire", &args[1]);
    ctx.out.ok();
    Ok(())
}

fn getset(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    reply_current(ctx, &mut k)?;
    k.set(Value::from_bytes(&args[2]), false);
    ctx.notify(STRING, "set", &args[1]);
    Ok(())
}

fn getdel(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    if reply_current(ctx, &mut k)? {
        k.delete();
        ctx.propagate(|| argv([b"DEL", &args[1]]));
        ctx.notify(GENERIC, "del", &args[1]);
    }
    Ok(())
}

fn getex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let o = string_opts("getex", args, 2, false, ctx.now)?;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    if !reply_current(ctx, &mut k)? {
        return Ok(());
    }
    if let Some(at) = o.expire {
        k.set_expire(at);
        propagate_expiry(ctx, &args[1], at, !k.exists(), &[]);
        let event = if k.exists() { "expire" } else { "del" };
        ctx.notify(GENERIC, event, &args[1]);
    } else if o.persist && k.persist() {
        ctx.propagate(|| argv([b"PERSIST", &args[1]]));
        ctx.notify(GENERIC, "persist", &args[1]);
    }
    Ok(())
}

fn mget(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let keys = &args[1..];
    ctx.out.array(keys.len());
    for key in keys {
        let mut l = ctx.key(key);
        let mut k = l.get();
        // MGET answers nil for keys of other types rather than failing.
        match k.read(ctx.client.no_touch) {
            Some(v) if v.is_string() => reply_str(ctx, Some(v)),
            _ => ctx.out.null(),
        }
    }
    Ok(())
}

/// The (key, value) pairs of MSET/MSETNX, with Redis's arity error for an odd count.
fn pairs<'a>(args: &'a [Bytes], cmd: &str) -> Result<&'a [Bytes], CmdError> {
    let kv = &args[1..];
    if !kv.len().is_multiple_of(2) {
        return Err(CmdError::WrongArity(cmd.into()));
    }
    Ok(kv)
}

/// MSET and MSETNX (`nx`).
fn mset(ctx: &mut Ctx<'_>, args: &[Bytes], nx: bool) -> CmdResult {
    let done = try_mset(ctx, args, nx)?;
    super::reply_done(ctx.out, nx, done);
    Ok(())
}

/// Whether MSET(NX) set the keys.
fn try_mset(ctx: &mut Ctx<'_>, args: &[Bytes], nx: bool) -> Result<bool, CmdError> {
    let kv = pairs(args, if nx { "msetnx" } else { "mset" })?;
    let db = ctx.client.db;
    let keys: Vec<(usize, &[u8])> = kv.chunks(2).map(|p| (db, &p[0][..])).collect();
    let mut locked = ctx.keys(&keys);
    if nx {
        for p in kv.chunks(2) {
            if locked.key(db, &p[0], ctx.now).is_some_and(|k| k.exists()) {
                return Ok(false);
            }
        }
    }
    for p in kv.chunks(2) {
        if let Some(mut k) = locked.key(db, &p[0], ctx.now) {
            k.set(Value::from_bytes(&p[1]), false);
        }
        ctx.notify(STRING, "set", &p[0]);
    }
    Ok(true)
}

fn append(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let max = max_len(ctx);
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let add = &args[2];
    let Some(e) = k.value_mut() else {
        k.set(Value::Str(SmallBytes::new(add)), false);
        ctx.notify(STRING, "append", &args[1]);
        ctx.out.int(add.len() as i64);
        return Ok(());
    };
    let cur = e.value.str_len().ok_or(CmdError::WrongType)?;
    if (cur + add.len()) as u64 > max {
        return Err(CmdError::err(
            "string exceeds maximum allowed size (proto-max-bulk-len)",
        ));
    }
    let len = edit_in_place(e, |v| v.extend_from_slice(add));
    k.changed();
    ctx.notify(STRING, "append", &args[1]);
    ctx.out.int(len as i64);
    Ok(())
}

/// Applies an in-place edit to a string entry, turning it into a heap string Redis would call
/// `raw`; returns the new length.
pub(super) fn edit_in_place(
    e: &mut storage::shard::Entry,
    f: impl FnOnce(&mut thin_vec::ThinVec<u8>),
) -> usize {
    if let Value::Int(n) = e.value {
        e.value = Value::Str(SmallBytes::new(itoa::Buffer::new().format(n).as_bytes()));
    }
    e.set_raw(true);
    match &mut e.value {
        Value::Str(s) => {
            let v = s.make_vec();
            f(v);
            v.len()
        }
        // Callers check the type first; other values are left untouched.
        _ => 0,
    }
}

fn strlen(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let n = read_str(&mut k, ctx.client.no_touch)?.and_then(Value::str_len);
    ctx.out.int(n.unwrap_or(0) as i64);
    Ok(())
}

fn getrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (start, end) = super::index_pair(args)?;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(v) = read_str(&mut k, ctx.client.no_touch)? else {
        ctx.out.bulk(b"");
        return Ok(());
    };
    let out = &mut *ctx.out;
    v.with_str(|s| match substring_range(s.len() as i64, start, end) {
        Some((a, b)) => out.bulk(&s[a..=b]),
        None => out.bulk(b""),
    });
    Ok(())
}

/// GETRANGE's index rules: negative indexes count from the end, the range is clamped to the
/// string, and an empty or inverted range yields nothing.
fn substring_range(len: i64, mut start: i64, mut end: i64) -> Option<(usize, usize)> {
    if start < 0 && end < 0 && start > end {
        return None;
    }
    if start < 0 {
        start += len;
    }
    if end < 0 {
        end += len;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if len == 0 || start > end {
        return None;
    }
    Some((start as usize, end as usize))
}

fn setrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let offset = int_arg(&args[2])?;
    if offset < 0 {
        return Err(CmdError::err("offset is out of range"));
    }
    let value = &args[3];
    let max = max_len(ctx);
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(e) = k.value_mut() else {
        if value.is_empty() {
            ctx.out.int(0);
            return Ok(());
        }
        check_len_to(max, offset as u64 + value.len() as u64)?;
        let mut buf = vec![0u8; offset as usize];
        buf.extend_from_slice(value);
        k.set(Value::Str(SmallBytes::new(&buf)), false);
        if let Some(e) = k.value_mut() {
            e.set_raw(true);
        }
        ctx.notify(STRING, "setrange", &args[1]);
        ctx.out.int(buf.len() as i64);
        return Ok(());
    };
    let cur = e.value.str_len().ok_or(CmdError::WrongType)?;
    if value.is_empty() {
        ctx.out.int(cur as i64);
        return Ok(());
    }
    check_len_to(max, offset as u64 + value.len() as u64)?;
    let offset = offset as usize;
    let len = edit_in_place(e, |v| {
        let end = offset + value.len();
        if v.len() < end {
            v.resize(end, 0);
        }
        v[offset..end].copy_from_slice(value);
    });
    k.changed();
    ctx.notify(STRING, "setrange", &args[1]);
    ctx.out.int(len as i64);
    Ok(())
}

fn check_len_to(max: u64, len: u64) -> CmdResult {
    if len > max {
        return Err(CmdError::err(
            "string exceeds maximum allowed size (proto-max-bulk-len)",
        ));
    }
    Ok(())
}

/// Adds `by` to the integer at a key, keeping its TTL, with Redis's overflow checks.
fn incr_generic(ctx: &mut Ctx<'_>, key: &[u8], by: i64) -> CmdResult {
    let mut l = ctx.key(key);
    let mut k = l.get();
    let cur = match k.peek() {
        None => 0,
        Some(Value::Int(n)) => *n,
        Some(v) => {
            let parsed = v.with_str(strnum::parse_i64).ok_or(CmdError::WrongType)?;
            parsed.ok_or(CmdError::NotInteger)?
        }
    };
    let new = cur.checked_add(by).ok_or(CmdError::Overflow)?;
    k.set(Value::Int(new), true);
    ctx.notify(STRING, "incrby", key);
    ctx.out.int(new);
    Ok(())
}

fn incrby(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let by = int_arg(&args[2])?;
    incr_generic(ctx, &args[1], by)
}

fn decrby(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let by = int_arg(&args[2])?;
    if by == i64::MIN {
        return Err(CmdError::err("decrement would overflow"));
    }
    incr_generic(ctx, &args[1], -by)
}

fn incrbyfloat(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    // Redis computes in 80-bit long double; `LongDouble` reproduces that arithmetic so that,
    // for example, 10.5 + 0.1 is stored as "10.6" exactly as Redis stores it.
    let by = LongDouble::parse(&args[2]).ok_or(CmdError::NotFloat)?;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let cur = match k.peek() {
        None => LongDouble::ZERO,
        Some(v) => v
            .with_str(LongDouble::parse)
            .ok_or(CmdError::WrongType)?
            .ok_or(CmdError::NotFloat)?,
    };
    let new = strnum::incr_by_float(cur, by)
        .ok_or_else(|| CmdError::err("increment would produce NaN or Infinity"))?;
    let mut text = Vec::new();
    new.format_human(&mut text);
    k.set(Value::Str(SmallBytes::new(&text)), true);
    // The result, not the increment: float arithmetic elsewhere may round differently.
    ctx.propagate(|| argv([b"SET", &args[1], &text, b"KEEPTTL"]));
    ctx.notify(STRING, "incrbyfloat", &args[1]);
    ctx.out.bulk(&text);
    Ok(())
}

fn lcs(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let a = lcs_input(ctx, &args[1])?;
    let b = lcs_input(ctx, &args[2])?;
    let (mut idx, mut len, mut with_len, mut min_len) = (false, false, false, 0i64);
    let mut i = 3;
    while let Some(opt) = args.get(i) {
        if is(opt, "idx") {
            idx = true;
        } else if is(opt, "len") {
            len = true;
        } else if is(opt, "withmatchlen") {
            with_len = true;
        } else if let (true, Some(v)) = (is(opt, "minmatchlen"), args.get(i + 1)) {
            min_len = int_arg(v)?.max(0);
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if idx && len {
        return Err(CmdError::err(
            "If you want both the length and indexes, please just use IDX.",
        ));
    }
    let cells = (a.len() as u64 + 1) * (b.len() as u64 + 1);
    if cells.saturating_mul(4) > max_len(ctx) {
        return Err(CmdError::err(
            "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        ));
    }
    let m = storage::lcs::Lcs::new(&a, &b);
    if len {
        ctx.out.int(m.len() as i64);
    } else if idx {
        let matches: Vec<_> = m
            .ranges()
            .into_iter()
            .filter(|r| min_len == 0 || r.len as i64 >= min_len)
            .collect();
        ctx.out.map(2);
        ctx.out.bulk(b"matches");
        ctx.out.array(matches.len());
        for r in matches {
            ctx.out.array(2 + with_len as usize);
            ctx.out.array(2);
            ctx.out.int(r.a.0 as i64);
            ctx.out.int(r.a.1 as i64);
            ctx.out.array(2);
            ctx.out.int(r.b.0 as i64);
            ctx.out.int(r.b.1 as i64);
            if with_len {
                ctx.out.int(r.len as i64);
            }
        }
        ctx.out.bulk(b"len");
        ctx.out.int(m.len() as i64);
    } else {
        ctx.out.bulk(&m.string());
    }
    Ok(())
}

/// A copy of a string key for LCS (missing keys are empty strings).
fn lcs_input(ctx: &Ctx<'_>, key: &[u8]) -> Result<Vec<u8>, CmdError> {
    let mut l = ctx.key(key);
    let mut k = l.get();
    match k.read(ctx.client.no_touch) {
        None => Ok(Vec::new()),
        Some(v) => v
            .with_str(|s| s.to_vec())
            .ok_or_else(|| CmdError::err("The specified keys must contain string values")),
    }
}

#[cfg(test)]
mod tests {
    use super::substring_range;

    #[test]
    fn getrange_indexes() {
        let check = |len, s, e, want| assert_eq!(substring_range(len, s, e), want, "{len} {s} {e}");
        check(5, 0, -1, Some((0, 4)));
        check(5, -3, -1, Some((2, 4)));
        check(5, 3, 100, Some((3, 4)));
        check(5, 4, 2, None);
        check(5, -1, -5, None);
        check(0, 0, -1, None);
        check(5, -100, -100, Some((0, 0)));
        check(5, i64::MIN, i64::MAX, Some((0, 4)));
    }
}
