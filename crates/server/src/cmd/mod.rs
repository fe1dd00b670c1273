//! Command families, one module each, and argument helpers they share.

use bytes::Bytes;

use storage::value::Collection;

use crate::base::config::NOTIFY_GENERIC;
use crate::base::error::{CmdError, CmdResult};
use crate::base::reply::Out;
use crate::command::ctx::{int_arg, is, keyword, Ctx};
use crate::command::Command;
pub mod bitmap;
pub mod blocking;
pub mod conn;
pub mod geo;
pub mod hash;
pub mod hll;
pub mod info;
pub mod keys;
pub mod list;
pub mod persist;
pub mod pubsub;
pub mod server;
pub mod set;
pub mod sort;
pub mod stream;
pub mod string;
pub mod tx;
pub mod zset;

/// Every family's commands, for building the command table.
pub fn families() -> Vec<&'static [Command]> {
    vec![
        string::COMMANDS,
        keys::COMMANDS,
        conn::COMMANDS,
        server::COMMANDS,
        tx::COMMANDS,
        pubsub::COMMANDS,
        list::COMMANDS,
        blocking::COMMANDS,
        hash::COMMANDS,
        set::COMMANDS,
        sort::COMMANDS,
        zset::COMMANDS,
        geo::COMMANDS,
        hll::COMMANDS,
        bitmap::COMMANDS,
        stream::COMMANDS,
        persist::COMMANDS,
    ]
}

/// Parses a scan cursor as Redis does with C's `strtoul`: the text ends at a NUL byte, may be
/// empty (cursor 0), may carry a sign (a negative value wraps around modulo 2^64), and must not
/// start with whitespace, hold anything but digits after the sign, or exceed 64 bits.
pub fn parse_cursor(arg: &[u8]) -> Result<u64, CmdError> {
    strtoul(arg).ok_or_else(|| CmdError::err("invalid cursor"))
}

fn strtoul(arg: &[u8]) -> Option<u64> {
    let s = arg.split(|&b| b == 0).next().unwrap_or_default();
    match s.first() {
        None => Some(0),
        // strtoul would skip leading C whitespace; Redis refuses it explicitly.
        Some(b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') => None,
        Some(_) => strnum::strtoull(s),
    }
}

/// The arguments LMPOP, BLMPOP, ZMPOP and BZMPOP share, starting with `numkeys` at index
/// `at`: `numkeys key [key ...] <where> [COUNT count]`. Returns the keys, the `<where>` word
/// and the count, with Redis's errors (a count of keys running past the arguments is a syntax
/// error, checked without overflow).
pub fn mpop_args(args: &[Bytes], at: usize) -> Result<(&[Bytes], &Bytes, Option<usize>), CmdError> {
    let positive = |a: &[u8], msg: &'static str| match strnum::parse_i64(a) {
        Some(n) if n > 0 => Ok(n as usize),
        _ => Err(CmdError::err(msg)),
    };
    let numkeys = positive(
        args.get(at).map_or(&b""[..], |a| &a[..]),
        "numkeys should be greater than 0",
    )?;
    let where_at = match numkeys.checked_add(at + 1) {
        Some(i) if i < args.len() => i,
        _ => return Err(CmdError::Syntax),
    };
    let count = match &args[where_at + 1..] {
        [] => None,
        [word, n] if is(word, "count") => Some(positive(n, "count should be greater than 0")?),
        _ => return Err(CmdError::Syntax),
    };
    Ok((&args[at + 1..where_at], &args[where_at], count))
}

/// How an expiry argument is expressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    /// Relative seconds (EX, EXPIRE).
    Seconds,
    /// Relative milliseconds (PX, PEXPIRE).
    Millis,
    /// Absolute Unix seconds (EXAT, EXPIREAT).
    UnixSeconds,
    /// Absolute Unix milliseconds (PXAT, PEXPIREAT).
    UnixMillis,
}

/// The error Redis gives for an expiry it cannot represent, naming the command.
pub fn invalid_expire(cmd: &str) -> CmdError {
    CmdError::Other(format!("ERR invalid expire time in '{cmd}' command").into())
}

/// Parses SET/GETEX's expiry argument into absolute Unix milliseconds, with Redis's checks:
/// the value must be positive and must not overflow once converted.
pub fn expire_arg(cmd: &str, arg: &[u8], unit: TimeUnit, now: u64) -> Result<u64, CmdError> {
    let v = int_arg(arg)?;
    let seconds = matches!(unit, TimeUnit::Seconds | TimeUnit::UnixSeconds);
    if v <= 0 || (seconds && v > i64::MAX / 1000) {
        return Err(invalid_expire(cmd));
    }
    let mut ms = if seconds { v * 1000 } else { v };
    if matches!(unit, TimeUnit::Seconds | TimeUnit::Millis) {
        ms = ms
            .checked_add(now as i64)
            .ok_or_else(|| invalid_expire(cmd))?;
    }
    Ok(ms as u64)
}

/// HGET and ZSCORE (the name at `args[2]`), or HMGET and ZMSCORE (`many`: every name from
/// `args[2]` on, replied as an array): looks each name up in the collection at `args[1]`, a
/// missing key being empty; `reply` writes what it finds and says whether it found it, nil
/// standing for the rest.
pub fn lookup_each<T: Collection>(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    many: bool,
    reply: impl Fn(&T, &[u8], &mut Out) -> bool,
) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let c = k.read_as::<T>(ctx.client.no_touch)?;
    let names = if many { &args[2..] } else { &args[2..3] };
    if many {
        ctx.out.array(names.len());
    }
    for name in names {
        if !c.is_some_and(|c| reply(c, name, ctx.out)) {
            ctx.out.null();
        }
    }
    Ok(())
}

/// A read of the collection at `args[1]` that replies with a number: what `count` makes of the
/// collection (`None` for a missing key) and the arguments.
pub fn count<T: Collection>(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    count: impl FnOnce(Option<&T>, &[Bytes]) -> usize,
) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let n = count(k.read_as::<T>(ctx.client.no_touch)?, args);
    ctx.out.int(i64::try_from(n).unwrap_or(i64::MAX));
    Ok(())
}

/// HLEN, LLEN, SCARD, ZCARD and XLEN: how many elements the collection holds, as `len` counts
/// them, 0 for a missing key.
pub fn card<T: Collection>(ctx: &mut Ctx<'_>, args: &[Bytes], len: fn(&T) -> usize) -> CmdResult {
    count(ctx, args, |c, _| c.map_or(0, len))
}

/// HEXISTS and SISMEMBER: 1 when the collection has the name at `args[2]`, else 0.
pub fn contains<T: Collection>(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    has: fn(&T, &[u8]) -> bool,
) -> CmdResult {
    count(ctx, args, |c, args| {
        usize::from(c.is_some_and(|c| has(c, &args[2])))
    })
}

/// SREM, ZREM and HDEL: removes every name from `args[2]` on from the collection at `args[1]`
/// (the key goes with its last element), sends the `event` notification of its class and
/// `del` as Redis does, and replies with how many names it removed.
pub fn remove_each<T: Collection>(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    (class, event): (u32, &str),
    remove: fn(&mut T, &[u8]) -> bool,
    is_empty: fn(&T) -> bool,
) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(c) = k.get_mut_as::<T>()? else {
        ctx.out.int(0);
        return Ok(());
    };
    let mut removed = 0u64;
    for name in &args[2..] {
        removed += u64::from(remove(c, name));
        if is_empty(c) {
            break;
        }
    }
    let emptied = is_empty(c);
    if removed > 0 {
        k.changed_or_emptied(emptied, removed);
        ctx.notify(class, event, &args[1]);
    }
    if emptied {
        ctx.notify(NOTIFY_GENERIC, "del", &args[1]);
    }
    ctx.out.int(i64::try_from(removed).unwrap_or(i64::MAX));
    Ok(())
}

/// What HSCAN, SSCAN and ZSCAN found: the strings of the reply, copied out of the collection
/// (its scan lends each element only to a callback) into one buffer, so that the reply can
/// start with their number.
pub struct Found<'p> {
    pattern: Option<&'p [u8]>,
    text: Vec<u8>,
    ends: Vec<usize>,
}

impl Found<'_> {
    /// Whether an element named `name` is wanted (MATCH).
    pub fn matches(&self, name: &[u8]) -> bool {
        self.pattern
            .is_none_or(|p| storage::glob::glob_match(p, name, false))
    }

    /// Adds one string to the reply.
    pub fn push(&mut self, s: &[u8]) {
        self.text.extend_from_slice(s);
        self.ends.push(self.text.len());
    }
}

/// HSCAN, SSCAN and ZSCAN: the cursor at `args[2]` and the options from `args[3]` on (checked
/// only once the key is known to hold a `T`, as in Redis) for the collection at `args[1]`, a
/// missing key being empty. `walk` visits the collection from the cursor, pushing what the
/// reply lists, and returns the next cursor.
pub fn scan_collection<T: Collection>(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    walk: impl FnOnce(&T, u64, usize, &mut Found<'_>) -> u64,
) -> CmdResult {
    let cursor = parse_cursor(&args[2])?;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(c) = k.read_as::<T>(ctx.client.no_touch)? else {
        ctx.out.array(2);
        ctx.out.bulk(b"0");
        ctx.out.array(0);
        return Ok(());
    };
    let ScanOptions { pattern, count, .. } = scan_options(args, 3, false)?;
    let mut found = Found {
        pattern,
        text: Vec::new(),
        ends: Vec::new(),
    };
    let next = walk(c, cursor, count, &mut found);
    ctx.out.array(2);
    ctx.out.bulk(itoa::Buffer::new().format(next).as_bytes());
    ctx.out.array(found.ends.len());
    let mut start = 0;
    for &end in &found.ends {
        ctx.out.bulk(&found.text[start..end]);
        start = end;
    }
    Ok(())
}

/// The two integer indexes at `args[2]` and `args[3]` (LRANGE, LTRIM, GETRANGE).
pub fn index_pair(args: &[Bytes]) -> Result<(i64, i64), CmdError> {
    Ok((int_arg(&args[2])?, int_arg(&args[3])?))
}

/// The options of SCAN and its per-key forms.
pub struct ScanOptions<'a> {
    /// MATCH: only what matches this glob (`None` for `*`, which matches everything).
    pub pattern: Option<&'a [u8]>,
    /// COUNT: how much work one call does (10 by default).
    pub count: usize,
    /// TYPE (SCAN only): only keys of this type.
    pub type_filter: Option<&'a [u8]>,
}

/// Parses MATCH, COUNT and, where `with_type` (SCAN), TYPE from `args[from]` on.
pub fn scan_options(
    args: &[Bytes],
    from: usize,
    with_type: bool,
) -> Result<ScanOptions<'_>, CmdError> {
    let mut o = ScanOptions {
        pattern: None,
        count: 10,
        type_filter: None,
    };
    let mut i = from;
    while let Some(a) = args.get(i) {
        match args.get(i + 1) {
            Some(v) if is(a, "count") => {
                let n = int_arg(v)?;
                if n < 1 {
                    return Err(CmdError::Syntax);
                }
                o.count = usize::try_from(n).unwrap_or(usize::MAX);
            }
            Some(v) if is(a, "match") => o.pattern = (&v[..] != b"*").then_some(&v[..]),
            Some(v) if with_type && is(a, "type") => o.type_filter = Some(&v[..]),
            _ => return Err(CmdError::Syntax),
        }
        i += 2;
    }
    Ok(o)
}

/// A command for the change stream, its arguments copied.
pub fn argv<const N: usize>(parts: [&[u8]; N]) -> Vec<Bytes> {
    parts.iter().map(|p| Bytes::copy_from_slice(p)).collect()
}

/// Propagates a new expiry time of `key` as Redis does: as `PEXPIREAT` with the absolute time
/// (followed by `flags`, EXPIRE's conditions), or as `DEL` when the time had passed and the key
/// is gone.
pub fn propagate_expiry(ctx: &Ctx<'_>, key: &[u8], at: u64, deleted: bool, flags: &[Bytes]) {
    ctx.propagate(|| {
        if deleted {
            return argv([b"DEL", key]);
        }
        let mut v = argv([b"PEXPIREAT", key, at.to_string().as_bytes()]);
        v.extend_from_slice(flags);
        v
    });
}

/// The option words after a key that SET and GETEX accept.
#[derive(Default, Debug)]
pub struct StringOpts {
    /// NX: only if the key does not exist.
    pub nx: bool,
    /// XX: only if the key exists.
    pub xx: bool,
    /// GET: reply with the old value.
    pub get: bool,
    /// KEEPTTL: keep the existing TTL.
    pub keep_ttl: bool,
    /// PERSIST: remove the TTL (GETEX).
    pub persist: bool,
    /// The absolute expiry time requested, if any.
    pub expire: Option<u64>,
    /// The expiry was given as PXAT, the form the change stream uses.
    pub pxat: bool,
}

/// Parses SET's (`is_set`) or GETEX's options starting at `args[from]`. Conflicting options
/// are a syntax error, as in Redis.
pub fn string_opts(
    cmd: &str,
    args: &[Bytes],
    from: usize,
    is_set: bool,
    now: u64,
) -> Result<StringOpts, CmdError> {
    let mut o = StringOpts::default();
    let mut unit: Option<(TimeUnit, &Bytes)> = None;
    let mut i = from;
    while let Some(a) = args.get(i) {
        let next = args.get(i + 1);
        let has_expire = unit.is_some();
        if is_set && is(a, "nx") && !o.xx {
            o.nx = true;
        } else if is_set && is(a, "xx") && !o.nx {
            o.xx = true;
        } else if is_set && is(a, "get") {
            o.get = true;
        } else if is_set && is(a, "keepttl") && !has_expire {
            o.keep_ttl = true;
        } else if !is_set && is(a, "persist") && !has_expire {
            o.persist = true;
        } else if let (Some(u), Some(v), false, false, false) =
            (time_word(a), next, has_expire, o.keep_ttl, o.persist)
        {
            unit = Some((u, v));
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if let Some((u, v)) = unit {
        o.expire = Some(expire_arg(cmd, v, u, now)?);
        o.pxat = matches!(u, TimeUnit::UnixMillis);
    }
    Ok(o)
}

fn time_word(a: &[u8]) -> Option<TimeUnit> {
    let words = [
        ("ex", TimeUnit::Seconds),
        ("px", TimeUnit::Millis),
        ("exat", TimeUnit::UnixSeconds),
        ("pxat", TimeUnit::UnixMillis),
    ];
    keyword(a, &words).ok()
}

/// The reply of a command with an NX form (RENAME, MSET): whether it did its work for the NX
/// form, OK for the plain one (which always does it).
pub fn reply_done(out: &mut Out, nx: bool, done: bool) {
    if nx {
        out.int(i64::from(done));
    } else {
        out.ok();
    }
}

/// Writes the reply of a command that answers with a list of name/value pairs from a static
/// help text (the `HELP` subcommands).
pub fn help(ctx: &mut crate::command::ctx::Ctx<'_>, cmd: &str, lines: &[&str]) {
    ctx.out.array(lines.len() + 3);
    ctx.out.simple(
        format!("{cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:").as_bytes(),
    );
    for l in lines {
        ctx.out.simple(l.as_bytes());
    }
    ctx.out.simple(b"HELP");
    ctx.out.simple(b"    Prints this help.");
}
