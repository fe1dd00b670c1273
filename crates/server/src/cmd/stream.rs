//! The stream family: XADD, XRANGE/XREVRANGE, XLEN, XDEL, XTRIM, XSETID, XREAD (blocking
//! too), and the consumer groups: XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM and
//! XINFO, with Redis 7.0's replies, errors and counters.
//!
//! The data lives in `storage::stream`; this module parses arguments, locks keys, writes replies
//! and emits keyspace notifications. Blocking reads ask to wait with `CmdError::Block` and are
//! re-run by the dispatcher when a key changes; XREAD pins `$` to the stream's last ID when it
//! blocks, so the re-run only sees entries added afterwards.

use bytes::{Bytes, BytesMut};
use resp::ReplyWriter;
use storage::stream::{AddError, Entry, Group, IdSpec, Log, Pending, Stream, StreamId, Trim};
use storage::value::Value;

use crate::base::config::NOTIFY_STREAM;
use crate::base::error::BlockOn;
use crate::base::error::{CmdError, CmdResult};
use crate::base::reply::Out;
use crate::command::ctx::{int_arg, is, Ctx};
use crate::command::keyed as c;
use crate::command::{acl, flag, help_sub, key, Command, KeySpec};
use crate::keyspace::KeyRef;

use crate::command::short::{F, R, W, WD};
const RD: u64 = acl::READ | acl::STREAM;
const WR: u64 = acl::WRITE | acl::STREAM;

/// Keys of an XGROUP/XINFO subcommand: the argument after the subcommand name.
const KEY2: KeySpec = KeySpec {
    first: 2,
    last: 2,
    step: 1,
};

const fn sub(
    name: &'static str,
    arity: i32,
    flags: u32,
    acl: u64,
    h: crate::command::Handler,
) -> Command {
    Command::new(name, arity, flags, acl, h).keys(KEY2)
}

#[rustfmt::skip]
static XGROUP: &[Command] = &[
    sub("create", -5, WD, WR | acl::SLOW, xgroup).key_flags(key::RW | key::INSERT).doc("stream", "5.0.0", "Creates a consumer group."),
    sub("setid", -5, W, WR | acl::SLOW, xgroup).key_flags(key::RW | key::UPDATE).doc("stream", "5.0.0", "Sets the last-delivered ID of a consumer group."),
    sub("destroy", 4, W, WR | acl::SLOW, xgroup).key_flags(key::RW | key::DELETE).doc("stream", "5.0.0", "Destroys a consumer group."),
    sub("createconsumer", 5, WD, WR | acl::SLOW, xgroup).key_flags(key::RW | key::INSERT).doc("stream", "6.2.0", "Creates a consumer in a consumer group."),
    sub("delconsumer", 5, W, WR | acl::SLOW, xgroup).key_flags(key::RW | key::DELETE).doc("stream", "5.0.0", "Deletes a consumer from a consumer group."),
    help_sub("stream", "5.0.0", acl::STREAM | acl::SLOW, xgroup),
];

#[rustfmt::skip]
static XINFO: &[Command] = &[
    sub("consumers", 4, R, RD | acl::SLOW, xinfo_consumers).key_flags(key::RO | key::ACCESS).doc("stream", "5.0.0", "Returns a list of the consumers in a consumer group."),
    sub("groups", 3, R, RD | acl::SLOW, xinfo_groups).key_flags(key::RO | key::ACCESS).doc("stream", "5.0.0", "Returns a list of the consumer groups of a stream."),
    sub("stream", -3, R, RD | acl::SLOW, xinfo_stream).key_flags(key::RO | key::ACCESS).doc("stream", "5.0.0", "Returns information about a stream."),
    help_sub("stream", "5.0.0", acl::STREAM | acl::SLOW, xinfo_help),
];

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    c("xadd", -5, WD | F, WR | acl::FAST, xadd).key_flags(key::RW | key::UPDATE).doc("stream", "5.0.0", "Appends a new entry to a stream, creating it if needed."),
    c("xrange", -4, R, RD | acl::SLOW, |ctx, args| range_generic(ctx, args, false)).key_flags(key::RO | key::ACCESS).doc("stream", "5.0.0", "Returns the entries of a stream within a range of IDs."),
    c("xrevrange", -4, R, RD | acl::SLOW, |ctx, args| range_generic(ctx, args, true)).key_flags(key::RO | key::ACCESS).doc("stream", "5.0.0", "Returns the entries of a stream within a range of IDs, in reverse order."),
    c("xlen", 2, R | F, RD | acl::FAST, |ctx, args| super::card(ctx, args, |s: &Stream| s.log.len() as usize)).key_flags(key::RO).doc("stream", "5.0.0", "Returns the number of entries in a stream."),
    c("xdel", -3, W | F, WR | acl::FAST, xdel).key_flags(key::RW | key::DELETE).doc("stream", "5.0.0", "Deletes entries from a stream and returns how many were deleted."),
    c("xtrim", -4, W, WR | acl::SLOW, xtrim).key_flags(key::RW | key::DELETE).doc("stream", "5.0.0", "Removes the oldest entries of a stream."),
    c("xsetid", -3, WD | F, WR | acl::FAST, xsetid).key_flags(key::RW | key::UPDATE).doc("stream", "5.0.0", "Sets a stream's last ID and counters."),
    Command::new("xread", -4, R | flag::BLOCKING, RD | acl::SLOW | acl::BLOCKING, |ctx, args| read_generic(ctx, args, false)).keyfn(read_keys).key_flags(key::RO | key::ACCESS).doc("stream", "5.0.0", "Returns entries from one or more streams with IDs greater than given ones, optionally waiting for them."),
    Command::new("xreadgroup", -7, W | flag::BLOCKING, WR | acl::SLOW | acl::BLOCKING, |ctx, args| read_generic(ctx, args, true)).keyfn(read_keys).key_flags(key::RO | key::ACCESS).doc("stream", "5.0.0", "Returns new or pending entries of one or more streams for a consumer of a group, optionally waiting for them."),
    c("xack", -4, W | F, WR | acl::FAST, xack).key_flags(key::RW | key::UPDATE).doc("stream", "5.0.0", "Acknowledges pending entries of a consumer group."),
    c("xpending", -3, R, RD | acl::SLOW, xpending).key_flags(key::RO | key::ACCESS).doc("stream", "5.0.0", "Returns information about the pending entries of a consumer group."),
    c("xclaim", -6, W | F, WR | acl::FAST, xclaim).key_flags(key::RW | key::UPDATE).doc("stream", "5.0.0", "Changes the owner of pending entries of a consumer group."),
    c("xautoclaim", -6, W | F, WR | acl::FAST, xautoclaim).key_flags(key::RW | key::DELETE).doc("stream", "6.2.0", "Changes the owner of pending entries idle for long enough, scanning the pending list."),
    Command::container("xgroup", acl::SLOW, XGROUP).doc("stream", "5.0.0", "A container for consumer group commands."),
    Command::container("xinfo", acl::SLOW, XINFO).doc("stream", "5.0.0", "A container for stream introspection commands."),
];

/// Where XREAD/XREADGROUP's keys are: the first half of the arguments after STREAMS.
pub fn read_keys(args: &[Bytes]) -> Vec<usize> {
    let mut i = 1;
    while let Some(a) = args.get(i) {
        if is(a, "streams") {
            let rest = args.len() - i - 1;
            if !rest.is_multiple_of(2) {
                return Vec::new();
            }
            return (i + 1..i + 1 + rest / 2).collect();
        }
        i += if is(a, "block") || is(a, "count") {
            2
        } else if is(a, "group") {
            3
        } else {
            1
        };
    }
    Vec::new()
}

// ---------------------------------------------------------------------------------------------
// Shared helpers.

fn invalid_id() -> CmdError {
    CmdError::err("Invalid stream ID specified as stream command argument")
}

/// An ID where `-` and `+` are not accepted.
fn strict_id(a: &[u8], missing_seq: u64) -> Result<StreamId, CmdError> {
    StreamId::parse(a, missing_seq, true, false)
        .map(|(id, _)| id)
        .ok_or_else(invalid_id)
}

/// An ID where `-` and `+` are accepted.
fn loose_id(a: &[u8], missing_seq: u64) -> Result<StreamId, CmdError> {
    StreamId::parse(a, missing_seq, false, false)
        .map(|(id, _)| id)
        .ok_or_else(invalid_id)
}

/// A range bound: an ID, `-`/`+`, or `(ID` for an exclusive bound.
fn interval(a: &[u8], missing_seq: u64) -> Result<(StreamId, bool), CmdError> {
    if a.len() > 1 && a[0] == b'(' {
        Ok((strict_id(&a[1..], missing_seq)?, true))
    } else {
        Ok((loose_id(a, missing_seq)?, false))
    }
}

/// A range start, moved past the bound when exclusive.
fn range_start(a: &[u8]) -> Result<StreamId, CmdError> {
    match interval(a, 0)? {
        (id, false) => Ok(id),
        (id, true) => id
            .incr()
            .ok_or_else(|| CmdError::err("invalid start ID for the interval")),
    }
}

/// A range end, moved before the bound when exclusive.
fn range_end(a: &[u8]) -> Result<StreamId, CmdError> {
    match interval(a, u64::MAX)? {
        (id, false) => Ok(id),
        (id, true) => id
            .decr()
            .ok_or_else(|| CmdError::err("invalid end ID for the interval")),
    }
}

/// Writes an ID as a bulk string.
fn bulk_id(out: &mut Out, id: StreamId) {
    let mut buf = [0u8; 48];
    let mut a = itoa::Buffer::new();
    let ms = a.format(id.ms).as_bytes();
    let mut n = ms.len();
    buf[..n].copy_from_slice(ms);
    buf[n] = b'-';
    n += 1;
    let seq = a.format(id.seq).as_bytes();
    buf[n..n + seq.len()].copy_from_slice(seq);
    n += seq.len();
    out.bulk(&buf[..n]);
}

/// Writes an entry: `[id, [field, value, ...]]`.
fn write_entry(out: &mut Out, e: &Entry<'_>) {
    out.array(2);
    bulk_id(out, e.id);
    out.array(e.fields.len() * 2);
    for (f, v) in &e.fields {
        out.bulk(f);
        out.bulk(v);
    }
}

/// An integer as a reply, saturating at `i64::MAX`.
fn int_u(out: &mut Out, n: u64) {
    out.int(i64::try_from(n).unwrap_or(i64::MAX));
}

/// The node limits new entries follow (`stream-node-max-bytes`, `stream-node-max-entries`).
fn node_limits(ctx: &Ctx<'_>) -> (usize, usize) {
    let cfg = ctx.srv.config.read();
    (
        cfg.stream_node_max_bytes(),
        usize::try_from(cfg.stream_node_max_entries()).unwrap_or(0),
    )
}

fn no_group_for_key(group: &[u8], key: &[u8]) -> CmdError {
    CmdError::Other(
        format!(
            "NOGROUP No such consumer group '{}' for key name '{}'",
            String::from_utf8_lossy(group),
            String::from_utf8_lossy(key)
        )
        .into(),
    )
}

fn no_key_or_group(key: &[u8], group: &[u8]) -> CmdError {
    CmdError::Other(
        format!(
            "NOGROUP No such key '{}' or consumer group '{}'",
            String::from_utf8_lossy(key),
            String::from_utf8_lossy(group)
        )
        .into(),
    )
}

fn subcommand_syntax(args: &[Bytes]) -> CmdError {
    let sub = args
        .get(1)
        .map(|a| String::from_utf8_lossy(a))
        .unwrap_or_default();
    let cmd = args
        .first()
        .map(|a| String::from_utf8_lossy(a).to_uppercase())
        .unwrap_or_default();
    let sub: String = sub.chars().take(128).collect();
    CmdError::err(format!(
        "unknown subcommand or wrong number of arguments for '{sub}'. Try {cmd} HELP."
    ))
}

/// Milliseconds from `then` to `now`, never negative.
fn elapsed(now: u64, then: u64) -> i64 {
    i64::try_from(now.saturating_sub(then)).unwrap_or(i64::MAX)
}

// ---------------------------------------------------------------------------------------------
// XADD, XTRIM.

/// Options shared by XADD and XTRIM.
struct AddTrim {
    trim: Option<Trim>,
    approx: bool,
    limit: u64,
    nomkstream: bool,
    /// XADD's ID and its index.
    id: Option<IdSpec>,
    id_at: usize,
}

fn parse_add_trim(ctx: &Ctx<'_>, args: &[Bytes], xadd: bool) -> Result<AddTrim, CmdError> {
    let mut o = AddTrim {
        trim: None,
        approx: false,
        limit: 0,
        nomkstream: false,
        id: None,
        id_at: args.len(),
    };
    let mut limit_given = false;
    let mut i = 2;
    while i < args.len() {
        let more = args.len() - 1 - i;
        let a = &args[i];
        if xadd && &a[..] == b"*" {
            o.id = Some(IdSpec::Auto);
            o.id_at = i;
            break;
        } else if (is(a, "maxlen") || is(a, "minid")) && more > 0 {
            if o.trim.is_some() {
                return Err(CmdError::err(
                    "syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            o.approx = false;
            let next = &args[i + 1][..];
            if more >= 2 && next == b"~" {
                o.approx = true;
                i += 1;
            } else if more >= 2 && next == b"=" {
                i += 1;
            }
            let v = &args[i + 1];
            if is(a, "maxlen") {
                let n = int_arg(v)?;
                if n < 0 {
                    return Err(CmdError::err("The MAXLEN argument must be >= 0."));
                }
                o.trim = Some(Trim::MaxLen(n as u64));
            } else {
                o.trim = Some(Trim::MinId(strict_id(v, 0)?));
            }
            i += 1;
        } else if is(a, "limit") && more > 0 {
            let n = int_arg(&args[i + 1])?;
            if n < 0 {
                return Err(CmdError::err("The LIMIT argument must be >= 0."));
            }
            o.limit = n as u64;
            limit_given = true;
            i += 1;
        } else if xadd && is(a, "nomkstream") {
            o.nomkstream = true;
        } else if xadd {
            let (id, seq_given) = StreamId::parse(a, 0, true, true).ok_or_else(invalid_id)?;
            o.id = Some(if seq_given {
                IdSpec::Exact(id)
            } else {
                IdSpec::Ms(id.ms)
            });
            o.id_at = i;
            break;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if o.limit > 0 && o.trim.is_none() {
        return Err(CmdError::err(
            "syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    if !xadd && o.trim.is_none() {
        return Err(CmdError::err(
            "syntax error, XTRIM must be called with a trimming strategy",
        ));
    }
    if limit_given {
        if !o.approx {
            return Err(CmdError::err(
                "syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
    } else if o.approx {
        let per_node = ctx.srv.config.read().stream_node_max_entries();
        let l = per_node.saturating_mul(100);
        o.limit = if l <= 0 {
            10_000
        } else {
            l.min(1_000_000) as u64
        };
    } else {
        o.limit = 0;
    }
    Ok(o)
}

/// The trimming a replay must do to remove exactly the entries this trim removed: an exact
/// trim as given, an approximate one (which stops at block boundaries, so depends on how
/// entries are laid out) as the exact trim to where it stopped, as in Redis.
fn exact_trim(o: &AddTrim, log: &storage::stream::Log) -> Option<Vec<Bytes>> {
    let trim = o.trim?;
    let threshold = match (trim, o.approx) {
        (Trim::MaxLen(n), false) => n.to_string(),
        (Trim::MaxLen(_), true) => log.len().to_string(),
        (Trim::MinId(id), false) => id.to_string(),
        // Nothing left means nothing reached the threshold: trimming to it removes all.
        (Trim::MinId(id), true) => log.first_live_id().unwrap_or(id).to_string(),
    };
    let strategy: &[u8] = match trim {
        Trim::MaxLen(_) => b"MAXLEN",
        Trim::MinId(_) => b"MINID",
    };
    Some(super::argv([strategy, b"=", threshold.as_bytes()]))
}

fn xadd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let o = parse_add_trim(ctx, args, true)?;
    let fields_at = o.id_at + 1;
    let nfields = args.len().saturating_sub(fields_at);
    if fields_at > args.len() || nfields < 2 || nfields % 2 == 1 {
        return Err(CmdError::WrongArity("xadd".into()));
    }
    let spec = o.id.unwrap_or(IdSpec::Auto);
    if spec == IdSpec::Exact(StreamId::MIN) {
        return Err(CmdError::err(
            "The ID specified in XADD must be greater than 0-0",
        ));
    }
    let (max_bytes, max_entries) = node_limits(ctx);
    let pairs = &args[fields_at..];
    let now = ctx.now;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let mut fresh = None;
    let s: &mut Stream = match k.get_mut_as::<Stream>()? {
        Some(s) => s,
        None if o.nomkstream => {
            ctx.out.null();
            return Ok(());
        }
        None => fresh.insert(Stream::new()),
    };
    if s.log.last_id == StreamId::MAX {
        return Err(CmdError::err(
            "The stream has exhausted the last possible ID, unable to add more items",
        ));
    }
    let added = s
        .log
        .next_id(spec, now)
        .and_then(|id| s.log.append(id, pairs, max_bytes, max_entries).map(|_| id));
    let id = match added {
        Ok(id) => id,
        Err(AddError::NotGreater) => {
            return Err(CmdError::err(
                "The ID specified in XADD is equal or smaller than the target stream top item",
            ))
        }
        Err(AddError::TooLarge) => {
            return Err(CmdError::err("Elements are too large to be stored"))
        }
    };
    let trimmed = match o.trim {
        Some(t) => s.log.trim(t, o.approx, o.limit),
        None => 0,
    };
    // The ID the entry got (not `*`), and the trim as it happened.
    ctx.propagate(|| {
        let mut v = super::argv([b"XADD", &args[1]]);
        if o.nomkstream {
            v.push(Bytes::from_static(b"NOMKSTREAM"));
        }
        v.extend(exact_trim(&o, &s.log).unwrap_or_default());
        v.push(Bytes::from(id.to_string()));
        v.extend_from_slice(pairs);
        v
    });
    match fresh {
        Some(s) => k.set(Value::Stream(Box::new(s)), false),
        None => k.changed(),
    }
    drop(l);
    bulk_id(ctx.out, id);
    ctx.notify(NOTIFY_STREAM, "xadd", &args[1]);
    if trimmed > 0 {
        ctx.notify(NOTIFY_STREAM, "xtrim", &args[1]);
    }
    Ok(())
}

/// Finishes XDEL and XTRIM: every removed entry counts as a change (the key's own change
/// counted one already), the event goes out, and the reply is the number removed.
fn entries_removed(ctx: &mut Ctx<'_>, key: &[u8], deleted: u64, event: &str) -> CmdResult {
    if deleted > 0 {
        if deleted > 1 {
            ctx.count_changes(deleted - 1);
        }
        ctx.notify(NOTIFY_STREAM, event, key);
    }
    int_u(ctx.out, deleted);
    Ok(())
}

fn xtrim(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let o = parse_add_trim(ctx, args, false)?;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(s) = k.get_mut_as::<Stream>()? else {
        ctx.out.int(0);
        return Ok(());
    };
    let deleted = match o.trim {
        Some(t) => s.log.trim(t, o.approx, o.limit),
        None => 0,
    };
    if deleted > 0 {
        ctx.propagate(|| {
            let mut v = super::argv([b"XTRIM", &args[1]]);
            v.extend(exact_trim(&o, &s.log).unwrap_or_default());
            v
        });
        k.changed();
    }
    drop(l);
    entries_removed(ctx, &args[1], deleted, "xtrim")
}

// ---------------------------------------------------------------------------------------------
// XRANGE, XREVRANGE, XLEN, XDEL, XSETID.

fn range_generic(ctx: &mut Ctx<'_>, args: &[Bytes], rev: bool) -> CmdResult {
    let (start_arg, end_arg) = if rev {
        (&args[3], &args[2])
    } else {
        (&args[2], &args[3])
    };
    let start = range_start(start_arg)?;
    let end = range_end(end_arg)?;
    let mut count: Option<usize> = None;
    let mut j = 4;
    while j < args.len() {
        if is(&args[j], "count") && j + 1 < args.len() {
            let n = int_arg(&args[j + 1])?;
            count = Some(usize::try_from(n.max(0)).unwrap_or(usize::MAX));
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let no_touch = ctx.client.no_touch;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(s) = k.read_as::<Stream>(no_touch)? else {
        ctx.out.array(0);
        return Ok(());
    };
    if count == Some(0) {
        ctx.out.null_array();
        return Ok(());
    }
    let entries: Vec<Entry<'_>> = s
        .log
        .range(start, end, rev)
        .take(count.unwrap_or(usize::MAX))
        .collect();
    ctx.out.array(entries.len());
    for e in &entries {
        write_entry(ctx.out, e);
    }
    Ok(())
}

fn xdel(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(s) = k.get_mut_as::<Stream>()? else {
        ctx.out.int(0);
        return Ok(());
    };
    let ids = args[2..]
        .iter()
        .map(|a| strict_id(a, 0))
        .collect::<Result<Vec<_>, _>>()?;
    let deleted = s.log.delete(&ids);
    if deleted > 0 {
        k.changed();
    }
    drop(l);
    entries_removed(ctx, &args[1], deleted, "xdel")
}

fn xsetid(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let id = strict_id(&args[2], 0)?;
    let mut entries_added: Option<u64> = None;
    let mut max_deleted = StreamId::MIN;
    let mut i = 3;
    while i < args.len() {
        let more = args.len() - 1 - i;
        if is(&args[i], "entriesadded") && more > 0 {
            let n = int_arg(&args[i + 1])?;
            if n < 0 {
                return Err(CmdError::err("entries_added must be positive"));
            }
            entries_added = Some(n as u64);
        } else if is(&args[i], "maxdeletedid") && more > 0 {
            max_deleted = strict_id(&args[i + 1], 0)?;
            if id < max_deleted {
                return Err(CmdError::err(
                    "The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                ));
            }
        } else {
            return Err(CmdError::Syntax);
        }
        i += 2;
    }
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(s) = k.get_mut_as::<Stream>()? else {
        return Err(CmdError::NoSuchKey);
    };
    if !s.log.is_empty() {
        let top = s.log.last_live_id().unwrap_or(StreamId::MIN);
        if id < top {
            return Err(CmdError::err(
                "The ID specified in XSETID is smaller than the target stream top item",
            ));
        }
        if entries_added.is_some_and(|n| s.log.len() > n) {
            return Err(CmdError::err(
                "The entries_added specified in XSETID is smaller than the target stream length",
            ));
        }
    }
    s.log.last_id = id;
    if let Some(n) = entries_added {
        s.log.entries_added = n;
    }
    if !max_deleted.is_zero() {
        s.log.max_deleted = max_deleted;
    }
    drop(l);
    ctx.count_changes(1);
    ctx.out.ok();
    ctx.notify(NOTIFY_STREAM, "xsetid", &args[1]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// XREAD, XREADGROUP.

/// What a reader asks of one stream.
#[derive(Clone, Copy)]
enum Want {
    /// Entries after this ID.
    After(StreamId),
    /// XREADGROUP `>`: entries never delivered to the group.
    New,
}

/// The reply on timeout: a null array.
fn null_array_reply(proto: u8) -> Bytes {
    let mut buf = BytesMut::new();
    ReplyWriter::new(&mut buf, proto).null_array();
    buf.freeze()
}

/// Entries a blocked reader gets at most per stream when it gave no COUNT, as in Redis.
const BLOCKED_DEFAULT_COUNT: usize = 1000;

fn read_generic(ctx: &mut Ctx<'_>, args: &[Bytes], grouped: bool) -> CmdResult {
    let mut block: Option<Option<u64>> = None;
    let mut count: usize = 0;
    let mut streams_at = 0;
    let mut group: Option<(&Bytes, &Bytes)> = None;
    let mut noack = false;
    let mut i = 1;
    while i < args.len() {
        let more = args.len() - 1 - i;
        let a = &args[i];
        if is(a, "block") && more > 0 {
            i += 1;
            let ms = strnum::parse_i64(&args[i])
                .ok_or_else(|| CmdError::err("timeout is not an integer or out of range"))?;
            if ms < 0 {
                return Err(CmdError::err("timeout is negative"));
            }
            if ms > 0 && ms as u64 > (i64::MAX as u64).saturating_sub(ctx.now) {
                return Err(CmdError::err("timeout is out of range"));
            }
            block = Some((ms > 0).then(|| ctx.now + ms as u64));
        } else if is(a, "count") && more > 0 {
            i += 1;
            let n = int_arg(&args[i])?;
            count = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
        } else if is(a, "streams") && more > 0 {
            streams_at = i + 1;
            if !(args.len() - streams_at).is_multiple_of(2) {
                return Err(CmdError::err(
                    "Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                ));
            }
            break;
        } else if is(a, "group") && more >= 2 {
            if !grouped {
                return Err(CmdError::err(
                    "The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            group = Some((&args[i + 1], &args[i + 2]));
            i += 2;
        } else if is(a, "noack") {
            if !grouped {
                return Err(CmdError::err(
                    "The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            noack = true;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if streams_at == 0 {
        return Err(CmdError::Syntax);
    }
    if grouped && group.is_none() {
        return Err(CmdError::err("Missing GROUP option for XREADGROUP"));
    }
    let serving = ctx.client.serving;
    if serving && count == 0 {
        count = BLOCKED_DEFAULT_COUNT;
    }
    let n = (args.len() - streams_at) / 2;
    let keys = &args[streams_at..streams_at + n];
    let id_args = &args[streams_at + n..];
    let db = ctx.client.db;
    let now = ctx.now;
    let no_touch = ctx.client.no_touch;
    let list: Vec<(usize, &[u8])> = keys.iter().map(|k| (db, &k[..])).collect();
    let srv = ctx.srv;
    let mut m = ctx.keys(&list);

    // Resolve every stream and ID first, so that errors come before any reply.
    let mut wants = Vec::with_capacity(n);
    let mut pinned: Vec<(usize, StreamId)> = Vec::new();
    for (j, (key, ida)) in keys.iter().zip(id_args).enumerate() {
        let Some(mut k) = m.key(db, key, now) else {
            return Err(CmdError::err("internal error: key not locked"));
        };
        let s = match k.read_as::<Stream>(no_touch) {
            Ok(s) => s,
            // A blocked XREAD keeps waiting on a key that now holds another type.
            Err(_) if serving && !grouped => None,
            Err(_) if serving => {
                return Err(CmdError::raw("UNBLOCKED the stream key no longer exists"))
            }
            Err(e) => return Err(e),
        };
        if let Some((g, _)) = group {
            match s {
                Some(s) if s.groups.contains_key(&g[..]) => {}
                None if serving => {
                    return Err(CmdError::raw("UNBLOCKED the stream key no longer exists"))
                }
                Some(_) if serving => {
                    return Err(CmdError::raw(
                        "NOGROUP the consumer group this client was blocked on no longer exists",
                    ))
                }
                _ => {
                    return Err(CmdError::Other(
                        format!(
                            "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                            String::from_utf8_lossy(key),
                            String::from_utf8_lossy(g)
                        )
                        .into(),
                    ))
                }
            }
        }
        let want = if &ida[..] == b"$" {
            if grouped {
                return Err(CmdError::err(
                    "The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
                ));
            }
            let last = s.map_or(StreamId::MIN, |s| s.log.last_id);
            pinned.push((streams_at + n + j, last));
            Want::After(last)
        } else if &ida[..] == b">" {
            if !grouped {
                return Err(CmdError::err(
                    "The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
                ));
            }
            Want::New
        } else {
            Want::After(strict_id(ida, 0)?)
        };
        wants.push(want);
    }

    // Serve what can be served now, into a separate buffer: the number of streams served is
    // only known at the end.
    let proto = ctx.out.proto;
    let mut body = Out::new(proto);
    let mut served = 0usize;
    for (key, want) in keys.iter().zip(&wants) {
        let Some(mut k) = m.key(db, key, now) else {
            continue;
        };
        if let Some((g, consumer)) = group {
            // What a group read changes is propagated piece by piece below, never as itself.
            ctx.fx.propagate_nothing();
            let Ok(Some(s)) = k.get_mut_as::<Stream>() else {
                continue;
            };
            let Stream { log, groups } = s;
            let Some(gr) = groups.get_mut(&g[..]) else {
                continue;
            };
            let (start, history) = match *want {
                Want::After(id) => (id, true),
                Want::New => {
                    let fresh =
                        !log.is_empty() && log.last_live_id().is_some_and(|top| top > gr.last_id);
                    if !fresh {
                        continue;
                    }
                    (gr.last_id, false)
                }
            };
            served += 1;
            if proto == 2 {
                body.array(2);
            }
            body.bulk(key);
            let (cname, created) = gr.consumer(consumer, now);
            if created {
                srv.keyspace
                    .notify
                    .emit(NOTIFY_STREAM, "xgroup-createconsumer", key, db);
                ctx.count_changes(1);
                ctx.propagate(|| super::argv([b"XGROUP", b"CREATECONSUMER", key, g, consumer]));
            }
            let Some(from) = start.incr() else {
                body.array(0);
                continue;
            };
            let limit = if count == 0 { usize::MAX } else { count };
            let last_before = gr.last_id;
            if history {
                let delivered = write_history(&mut body, log, gr, &cname, from, limit, now);
                propagate_claims(ctx, key, g, gr, &delivered);
            } else {
                let entries: Vec<Entry<'_>> =
                    log.range(from, StreamId::MAX, false).take(limit).collect();
                body.array(entries.len());
                for e in &entries {
                    gr.advance(log, e.id);
                    if !noack {
                        gr.deliver(e.id, &cname, now);
                    }
                    write_entry(&mut body, e);
                }
                if !noack {
                    let ids: Vec<StreamId> = entries.iter().map(|e| e.id).collect();
                    propagate_claims(ctx, key, g, gr, &ids);
                }
            }
            if gr.last_id != last_before {
                ctx.propagate(|| setid_form(key, g, gr));
            }
            ctx.count_changes(1);
        } else {
            let Ok(Some(s)) = k.peek_as::<Stream>() else {
                continue;
            };
            let Want::After(after) = *want else { continue };
            if s.log.is_empty() || s.log.last_live_id().is_none_or(|top| top <= after) {
                continue;
            }
            let Some(from) = after.incr() else { continue };
            served += 1;
            if proto == 2 {
                body.array(2);
            }
            body.bulk(key);
            let limit = if count == 0 { usize::MAX } else { count };
            let entries: Vec<Entry<'_>> = s
                .log
                .range(from, StreamId::MAX, false)
                .take(limit)
                .collect();
            body.array(entries.len());
            for e in &entries {
                write_entry(&mut body, e);
            }
        }
    }
    drop(m);
    if served > 0 {
        if proto == 2 {
            ctx.out.array(served);
        } else {
            ctx.out.map(served);
        }
        ctx.out.buf.extend_from_slice(&body.buf);
        return Ok(());
    }
    match block {
        Some(deadline) if ctx.client.may_block => {
            // Pin `$` to the IDs seen now, so the retried command waits for newer entries.
            let rewritten = (!pinned.is_empty()).then(|| {
                let mut v: Vec<Bytes> = args.iter().map(|a| Bytes::copy_from_slice(a)).collect();
                for (at, id) in &pinned {
                    if let Some(slot) = v.get_mut(*at) {
                        *slot = Bytes::from(id.to_string());
                    }
                }
                v
            });
            Err(CmdError::Block(Box::new(BlockOn {
                keys: keys.iter().map(|k| Bytes::copy_from_slice(k)).collect(),
                deadline,
                timeout_reply: null_array_reply(proto),
                args: rewritten,
                serve_all: true,
            })))
        }
        _ => {
            ctx.out.null_array();
            Ok(())
        }
    }
}

/// XREADGROUP with an ID: the consumer's own pending entries after `from`. Entries deleted
/// since delivery come as `[id, nil]`.
/// Redis's replicated form of a delivery: an XCLAIM that forces entry `id` into the group's
/// PEL with its owner, delivery time and count, and moves the group's last ID along.
fn claim_form(key: &[u8], group: &[u8], id: StreamId, p: &Pending, last: StreamId) -> Vec<Bytes> {
    super::argv([
        b"XCLAIM",
        key,
        group,
        &p.consumer,
        b"0",
        id.to_string().as_bytes(),
        b"TIME",
        p.delivery_time.to_string().as_bytes(),
        b"RETRYCOUNT",
        p.delivery_count.to_string().as_bytes(),
        b"FORCE",
        b"JUSTID",
        b"LASTID",
        last.to_string().as_bytes(),
    ])
}

/// Redis's replicated form of a group's position: XGROUP SETID with the entries-read counter.
fn setid_form(key: &[u8], group: &[u8], gr: &Group) -> Vec<Bytes> {
    let read = gr.entries_read.map_or(-1, |n| n as i64);
    super::argv([
        b"XGROUP",
        b"SETID",
        key,
        group,
        gr.last_id.to_string().as_bytes(),
        b"ENTRIESREAD",
        read.to_string().as_bytes(),
    ])
}

/// Propagates the deliveries of `ids` to a group's consumer as Redis does, one XCLAIM each.
fn propagate_claims(ctx: &Ctx<'_>, key: &[u8], group: &[u8], gr: &Group, ids: &[StreamId]) {
    if !ctx.fx.recording() {
        return;
    }
    for id in ids {
        if let Some(p) = gr.pel.get(id) {
            ctx.propagate(|| claim_form(key, group, *id, p, gr.last_id));
        }
    }
}

/// Replies with a consumer's pending entries from `from` on (XREADGROUP with an ID), counting
/// a new delivery of each that still exists; returns those.
fn write_history(
    out: &mut Out,
    log: &Log,
    gr: &mut Group,
    consumer: &[u8],
    from: StreamId,
    limit: usize,
    now: u64,
) -> Vec<StreamId> {
    let ids: Vec<StreamId> = gr
        .consumers
        .get(consumer)
        .map(|c| c.pel.range(from..).take(limit).copied().collect())
        .unwrap_or_default();
    out.array(ids.len());
    let mut delivered = Vec::with_capacity(ids.len());
    for id in ids {
        match log.get(id) {
            Some(e) => {
                write_entry(out, &e);
                if let Some(p) = gr.pel.get_mut(&id) {
                    p.delivery_time = now;
                    p.delivery_count += 1;
                    delivered.push(id);
                }
            }
            None => {
                out.array(2);
                bulk_id(out, id);
                out.null_array();
            }
        }
    }
    delivered
}

// ---------------------------------------------------------------------------------------------
// XGROUP.

const XGROUP_HELP: &[&str] = &[
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
];

fn xgroup(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let op = &args[1];
    if args.len() == 2 && is(op, "help") {
        super::help(ctx, "XGROUP", XGROUP_HELP);
        return Ok(());
    }
    if args.len() < 4 {
        return Err(subcommand_syntax(args));
    }
    let create = is(op, "create");
    let setid = is(op, "setid");
    let mut mkstream = false;
    let mut entries_read: Option<u64> = None;
    let mut i = 5;
    while i < args.len() {
        if create && is(&args[i], "mkstream") {
            mkstream = true;
            i += 1;
        } else if (create || setid) && is(&args[i], "entriesread") && i + 1 < args.len() {
            let n = int_arg(&args[i + 1])?;
            if n < -1 {
                return Err(CmdError::err(
                    "value for ENTRIESREAD must be positive or -1",
                ));
            }
            entries_read = u64::try_from(n).ok();
            i += 2;
        } else {
            return Err(subcommand_syntax(args));
        }
    }
    let key = &args[2];
    let gname = &args[3][..];
    let mut l = ctx.key(key);
    let mut k = l.get();
    let exists = k.get_mut_as::<Stream>()?.is_some();
    if !mkstream {
        if !exists {
            return Err(CmdError::err(
                "The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
            ));
        }
        let has_group = k
            .peek_as::<Stream>()?
            .is_some_and(|s| s.groups.contains_key(gname));
        if !has_group && (setid || is(op, "createconsumer") || is(op, "delconsumer")) {
            return Err(no_group_for_key(gname, key));
        }
    }
    let now = ctx.now;
    if create && (5..=8).contains(&args.len()) {
        let id = if &args[4][..] == b"$" {
            k.peek_as::<Stream>()?
                .map_or(StreamId::MIN, |s| s.log.last_id)
        } else {
            strict_id(&args[4], 0)?
        };
        if !exists {
            k.set(Value::Stream(Box::new(Stream::new())), false);
        }
        let Some(s) = k.get_mut_as::<Stream>()? else {
            return Err(CmdError::NoSuchKey);
        };
        if s.groups.contains_key(gname) {
            return Err(CmdError::raw(
                "BUSYGROUP Consumer Group name already exists",
            ));
        }
        s.groups
            .insert(gname.to_vec(), Group::new(id, entries_read));
        drop(l);
        ctx.count_changes(1);
        ctx.out.ok();
        ctx.notify(NOTIFY_STREAM, "xgroup-create", key);
    } else if setid && (args.len() == 5 || args.len() == 7) {
        let Some(s) = k.get_mut_as::<Stream>()? else {
            return Err(CmdError::NoSuchKey);
        };
        let id = if &args[4][..] == b"$" {
            s.log.last_id
        } else {
            loose_id(&args[4], 0)?
        };
        let Some(g) = s.groups.get_mut(gname) else {
            return Err(no_group_for_key(gname, key));
        };
        g.last_id = id;
        g.entries_read = entries_read;
        drop(l);
        ctx.count_changes(1);
        ctx.out.ok();
        ctx.notify(NOTIFY_STREAM, "xgroup-setid", key);
    } else if is(op, "destroy") && args.len() == 4 {
        let removed = match k.get_mut_as::<Stream>()? {
            Some(s) => s.groups.remove(gname).is_some(),
            None => false,
        };
        drop(l);
        if removed {
            ctx.count_changes(1);
            ctx.out.int(1);
            ctx.notify(NOTIFY_STREAM, "xgroup-destroy", key);
            // Clients blocked on the group get -NOGROUP when their command runs again.
            ctx.srv.keyspace.blocking.signal(ctx.client.db, key);
        } else {
            ctx.out.int(0);
        }
    } else if is(op, "createconsumer") && args.len() == 5 {
        let Some(g) = k
            .get_mut_as::<Stream>()?
            .and_then(|s| s.groups.get_mut(gname))
        else {
            return Err(no_group_for_key(gname, key));
        };
        let created = if g.consumers.contains_key(&args[4][..]) {
            false
        } else {
            g.consumer(&args[4], now).1
        };
        drop(l);
        if created {
            ctx.count_changes(1);
            ctx.notify(NOTIFY_STREAM, "xgroup-createconsumer", key);
        }
        ctx.out.int(i64::from(created));
    } else if is(op, "delconsumer") && args.len() == 5 {
        let Some(g) = k
            .get_mut_as::<Stream>()?
            .and_then(|s| s.groups.get_mut(gname))
        else {
            return Err(no_group_for_key(gname, key));
        };
        let pending = g.delete_consumer(&args[4]);
        drop(l);
        if pending.is_some() {
            ctx.count_changes(1);
            ctx.notify(NOTIFY_STREAM, "xgroup-delconsumer", key);
        }
        ctx.out.int(pending.map_or(0, |n| n as i64));
    } else {
        return Err(subcommand_syntax(args));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// XACK, XPENDING, XCLAIM, XAUTOCLAIM.

fn xack(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(g) = k
        .get_mut_as::<Stream>()?
        .and_then(|s| s.groups.get_mut(&args[2][..]))
    else {
        ctx.out.int(0);
        return Ok(());
    };
    let ids = args[3..]
        .iter()
        .map(|a| strict_id(a, 0))
        .collect::<Result<Vec<_>, _>>()?;
    let mut acked = 0u64;
    for id in ids {
        if g.ack(id) {
            acked += 1;
        }
    }
    drop(l);
    ctx.count_changes(acked);
    int_u(ctx.out, acked);
    Ok(())
}

fn xpending(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let summary = args.len() == 3;
    if !summary && (args.len() < 6 || args.len() > 9) {
        return Err(CmdError::Syntax);
    }
    let mut min_idle: i64 = 0;
    let mut range = (StreamId::MIN, StreamId::MAX);
    let mut count: i64 = 0;
    let mut consumer: Option<&Bytes> = None;
    if !summary {
        let mut at = 3;
        if is(&args[3], "idle") {
            min_idle = int_arg(&args[4])?;
            if args.len() < 8 {
                return Err(CmdError::Syntax);
            }
            at += 2;
        }
        count = int_arg(&args[at + 2])?.max(0);
        range = (range_start(&args[at])?, range_end(&args[at + 1])?);
        consumer = args.get(at + 3);
    }
    let now = ctx.now;
    let no_touch = ctx.client.no_touch;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(g) = k
        .read_as::<Stream>(no_touch)?
        .and_then(|s| s.groups.get(&args[2][..]))
    else {
        return Err(no_key_or_group(&args[1], &args[2]));
    };
    let out = &mut *ctx.out;
    if summary {
        out.array(4);
        int_u(out, g.pel.len() as u64);
        match (g.pel.first_key_value(), g.pel.last_key_value()) {
            (Some((first, _)), Some((last, _))) => {
                bulk_id(out, *first);
                bulk_id(out, *last);
                let owners: Vec<(&[u8], usize)> = g
                    .consumers
                    .iter()
                    .filter(|(_, c)| !c.pel.is_empty())
                    .map(|(n, c)| (&n[..], c.pel.len()))
                    .collect();
                out.array(owners.len());
                for (name, n) in owners {
                    out.array(2);
                    out.bulk(name);
                    out.bulk_int(n as i64);
                }
            }
            _ => {
                out.null();
                out.null();
                out.null_array();
            }
        }
        return Ok(());
    }
    let (start, end) = range;
    // Walk the PEL lazily: COUNT bounds the work, not the size of the range.
    let ids: Box<dyn Iterator<Item = StreamId> + '_> = if start > end {
        Box::new(std::iter::empty())
    } else {
        match consumer {
            Some(name) => match g.consumers.get(&name[..]) {
                Some(c) => Box::new(c.pel.range(start..=end).copied()),
                None => {
                    out.array(0);
                    return Ok(());
                }
            },
            None => Box::new(g.pel.range(start..=end).map(|(id, _)| *id)),
        }
    };
    let mut rows: Vec<(StreamId, &Pending)> = Vec::new();
    for id in ids {
        if rows.len() as i64 >= count {
            break;
        }
        let Some(p) = g.pel.get(&id) else { continue };
        if min_idle != 0 && elapsed(now, p.delivery_time) < min_idle {
            continue;
        }
        rows.push((id, p));
    }
    out.array(rows.len());
    for (id, p) in rows {
        out.array(4);
        bulk_id(out, id);
        out.bulk(&p.consumer);
        out.int(elapsed(now, p.delivery_time));
        int_u(out, p.delivery_count);
    }
    Ok(())
}

/// The claiming consumer of XCLAIM / XAUTOCLAIM, looked up on the first claim only, and
/// created in the group (with `created` run, to announce it) when it does not exist yet.
/// A consumer created by a claim: the event goes out, and the change stream creates it too.
fn consumer_created(
    ctx: &Ctx<'_>,
    srv: &crate::state::State,
    db: usize,
    key: &[u8],
    group: &[u8],
    consumer: &[u8],
) {
    srv.keyspace
        .notify
        .emit(NOTIFY_STREAM, "xgroup-createconsumer", key, db);
    ctx.propagate(|| super::argv([b"XGROUP", b"CREATECONSUMER", key, group, consumer]));
}

/// Drops pending entry `id` whose stream entry was deleted, as a claim that finds it gone
/// does; propagated as the claim, which does the same wherever it is replayed.
fn forget_deleted(ctx: &Ctx<'_>, key: &[u8], group: &[u8], g: &mut Group, id: StreamId) {
    propagate_claims(ctx, key, group, g, &[id]);
    g.ack(id);
}

fn claimer(
    owner: &mut Option<std::sync::Arc<[u8]>>,
    g: &mut Group,
    name: &[u8],
    now: u64,
    created: impl FnOnce(),
) -> std::sync::Arc<[u8]> {
    if let Some(n) = owner {
        return n.clone();
    }
    let (n, new) = g.consumer(name, now);
    if new {
        created();
    }
    *owner = Some(n.clone());
    n
}

fn xclaim(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now;
    let srv = ctx.srv;
    let db = ctx.client.db;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(s) = k.get_mut_as::<Stream>()? else {
        return Err(no_key_or_group(&args[1], &args[2]));
    };
    if !s.groups.contains_key(&args[2][..]) {
        return Err(no_key_or_group(&args[1], &args[2]));
    }
    let min_idle = strnum::parse_i64(&args[4])
        .ok_or_else(|| CmdError::err("Invalid min-idle-time argument for XCLAIM"))?
        .max(0);
    let mut ids = Vec::new();
    let mut j = 5;
    while let Some(a) = args.get(j) {
        match StreamId::parse(a, 0, true, false) {
            Some((id, _)) => ids.push(id),
            None => break,
        }
        j += 1;
    }
    let mut force = false;
    let mut justid = false;
    let mut delivery: Option<i64> = None;
    let mut retry: Option<i64> = None;
    let mut last_id = StreamId::MIN;
    while j < args.len() {
        let more = args.len() - 1 - j;
        let a = &args[j];
        let num = |v: &[u8], what: &str| {
            strnum::parse_i64(v)
                .ok_or_else(|| CmdError::err(format!("Invalid {what} option argument for XCLAIM")))
        };
        if is(a, "force") {
            force = true;
        } else if is(a, "justid") {
            justid = true;
        } else if is(a, "idle") && more > 0 {
            j += 1;
            delivery = Some((now as i64).saturating_sub(num(&args[j], "IDLE")?));
        } else if is(a, "time") && more > 0 {
            j += 1;
            delivery = Some(num(&args[j], "TIME")?);
        } else if is(a, "retrycount") && more > 0 {
            j += 1;
            retry = Some(num(&args[j], "RETRYCOUNT")?);
        } else if is(a, "lastid") && more > 0 {
            j += 1;
            last_id = strict_id(&args[j], 0)?;
        } else {
            return Err(CmdError::err(format!(
                "Unrecognized XCLAIM option '{}'",
                String::from_utf8_lossy(a)
            )));
        }
        j += 1;
    }
    let Stream { log, groups } = s;
    let Some(g) = groups.get_mut(&args[2][..]) else {
        return Err(no_key_or_group(&args[1], &args[2]));
    };
    // Claims are propagated one by one below (IDLE is relative), never as the command itself.
    ctx.fx.propagate_nothing();
    let (key, group) = (&args[1][..], &args[2][..]);
    let moved = last_id > g.last_id;
    if moved {
        g.last_id = last_id;
    }
    let delivery_time = match delivery {
        Some(t) if t >= 0 && t <= now as i64 => t as u64,
        _ => now,
    };
    let mut body = Out::new(ctx.out.proto);
    let mut claimed = 0usize;
    let mut owner: Option<std::sync::Arc<[u8]>> = None;
    let mut changes = 0u64;
    for id in ids {
        let pending = g.pel.contains_key(&id);
        if !log.contains(id) {
            if pending {
                forget_deleted(ctx, key, group, g, id);
                changes += 1;
            }
            continue;
        }
        let forced = force && !pending;
        if !pending && !forced {
            continue;
        }
        if let (false, Some(p)) = (forced, g.pel.get(&id)) {
            if min_idle > 0 && elapsed(now, p.delivery_time) < min_idle {
                continue;
            }
        }
        let name = claimer(&mut owner, g, &args[3], now, || {
            consumer_created(ctx, srv, db, key, group, &args[3]);
            changes += 1;
        });
        if forced {
            g.pel.insert(
                id,
                Pending {
                    consumer: name.clone(),
                    delivery_time: now,
                    delivery_count: 1,
                },
            );
        }
        g.reassign(id, &name);
        if let Some(p) = g.pel.get_mut(&id) {
            p.delivery_time = delivery_time;
            match retry {
                Some(r) if r >= 0 => p.delivery_count = r as u64,
                _ if !justid => p.delivery_count += 1,
                _ => {}
            }
        }
        propagate_claims(ctx, key, group, g, &[id]);
        if justid {
            bulk_id(&mut body, id);
        } else if let Some(e) = log.get(id) {
            write_entry(&mut body, &e);
        }
        claimed += 1;
        changes += 1;
    }
    // A LASTID that moved the group travels with the claims, or on its own without any.
    if moved && changes == 0 {
        ctx.propagate(|| setid_form(key, group, g));
        changes += 1;
    }
    ctx.count_changes(changes);
    drop(l);
    ctx.out.array(claimed);
    ctx.out.buf.extend_from_slice(&body.buf);
    Ok(())
}

fn xautoclaim(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now;
    let srv = ctx.srv;
    let db = ctx.client.db;
    let min_idle = strnum::parse_i64(&args[4])
        .ok_or_else(|| CmdError::err("Invalid min-idle-time argument for XAUTOCLAIM"))?
        .max(0);
    let start = range_start(&args[5])?;
    let mut count: u64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < args.len() {
        let more = args.len() - 1 - j;
        if is(&args[j], "count") && more > 0 {
            let max = (i64::MAX / 16) as u64;
            count = match strnum::parse_i64(&args[j + 1]) {
                Some(n) if n >= 1 && (n as u64) <= max => n as u64,
                _ => return Err(CmdError::err("COUNT must be > 0")),
            };
            j += 1;
        } else if is(&args[j], "justid") {
            justid = true;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(s) = k.get_mut_as::<Stream>()? else {
        return Err(no_key_or_group(&args[1], &args[2]));
    };
    let Stream { log, groups } = s;
    let Some(g) = groups.get_mut(&args[2][..]) else {
        return Err(no_key_or_group(&args[1], &args[2]));
    };
    // Claims are propagated one by one below (the idle time is relative).
    ctx.fx.propagate_nothing();
    let (key, group) = (&args[1][..], &args[2][..]);
    let mut attempts = count.saturating_mul(10);
    let mut body = Out::new(ctx.out.proto);
    let mut claimed = 0usize;
    let mut deleted: Vec<StreamId> = Vec::new();
    let mut owner: Option<std::sync::Arc<[u8]>> = None;
    let mut changes = 0u64;
    let mut pos = Some(start);
    while attempts > 0 && count > 0 {
        attempts -= 1;
        let Some(from) = pos else { break };
        let Some(id) = g.pel.range(from..).next().map(|(id, _)| *id) else {
            pos = None;
            break;
        };
        pos = id.incr();
        if !log.contains(id) {
            forget_deleted(ctx, key, group, g, id);
            deleted.push(id);
            changes += 1;
            count -= 1;
            continue;
        }
        if min_idle > 0 {
            if let Some(p) = g.pel.get(&id) {
                if elapsed(now, p.delivery_time) < min_idle {
                    continue;
                }
            }
        }
        let name = claimer(&mut owner, g, &args[3], now, || {
            consumer_created(ctx, srv, db, key, group, &args[3]);
            changes += 1;
        });
        g.reassign(id, &name);
        if let Some(p) = g.pel.get_mut(&id) {
            p.delivery_time = now;
            if !justid {
                p.delivery_count += 1;
            }
        }
        propagate_claims(ctx, key, group, g, &[id]);
        if justid {
            bulk_id(&mut body, id);
        } else if let Some(e) = log.get(id) {
            write_entry(&mut body, &e);
        }
        claimed += 1;
        count -= 1;
        changes += 1;
    }
    let cursor = pos
        .and_then(|p| g.pel.range(p..).next().map(|(id, _)| *id))
        .unwrap_or(StreamId::MIN);
    ctx.count_changes(changes);
    drop(l);
    let out = &mut *ctx.out;
    out.array(3);
    bulk_id(out, cursor);
    out.array(claimed);
    out.buf.extend_from_slice(&body.buf);
    out.array(deleted.len());
    for id in deleted {
        bulk_id(out, id);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// XINFO.

const XINFO_HELP: &[&str] = &[
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
];

fn xinfo_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    super::help(ctx, "XINFO", XINFO_HELP);
    Ok(())
}

fn xinfo_consumers(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now;
    let mut l = ctx.key(&args[2]);
    let mut k = l.get();
    let s = existing(&mut k, ctx.client.no_touch)?;
    let Some(g) = s.groups.get(&args[3][..]) else {
        return Err(no_group_for_key(&args[3], &args[2]));
    };
    let out = &mut *ctx.out;
    out.array(g.consumers.len());
    for (name, c) in &g.consumers {
        out.map(3);
        fields(
            out,
            &[
                ("name", Val::Bulk(name)),
                ("pending", Val::Int(c.pel.len() as u64)),
                ("idle", Val::Signed(elapsed(now, c.seen_time))),
            ],
        );
    }
    Ok(())
}

/// The stream XINFO reports on: ERR no such key when there is none.
fn existing<'k>(k: &'k mut KeyRef<'_>, no_touch: bool) -> Result<&'k Stream, CmdError> {
    k.read_as::<Stream>(no_touch)?.ok_or(CmdError::NoSuchKey)
}

/// A value of an XINFO reply.
enum Val<'a> {
    Int(u64),
    Signed(i64),
    Bulk(&'a [u8]),
    Id(StreamId),
    /// A group's entries-read or lag: a number, or null where Redis cannot tell it.
    Maybe(Option<u64>),
}

/// Writes the name–value pairs of an XINFO map.
fn fields(out: &mut Out, pairs: &[(&str, Val<'_>)]) {
    for (name, v) in pairs {
        out.bulk(name.as_bytes());
        match *v {
            Val::Int(n) | Val::Maybe(Some(n)) => int_u(out, n),
            Val::Signed(n) => out.int(n),
            Val::Bulk(b) => out.bulk(b),
            Val::Id(id) => bulk_id(out, id),
            Val::Maybe(None) => out.null(),
        }
    }
}

fn xinfo_groups(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[2]);
    let mut k = l.get();
    let s = existing(&mut k, ctx.client.no_touch)?;
    let out = &mut *ctx.out;
    out.array(s.groups.len());
    for (name, g) in &s.groups {
        out.map(6);
        fields(
            out,
            &[
                ("name", Val::Bulk(name)),
                ("consumers", Val::Int(g.consumers.len() as u64)),
                ("pending", Val::Int(g.pel.len() as u64)),
                ("last-delivered-id", Val::Id(g.last_id)),
                ("entries-read", Val::Maybe(g.entries_read)),
                ("lag", Val::Maybe(g.lag(&s.log))),
            ],
        );
    }
    Ok(())
}

fn xinfo_stream(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let full = args.len() > 3;
    let mut count: usize = 10;
    if full {
        let opts = &args[3..];
        if (opts.len() != 1 && opts.len() != 3) || !is(&opts[0], "full") {
            return Err(subcommand_syntax(args));
        }
        if opts.len() == 3 {
            if !is(&opts[1], "count") {
                return Err(subcommand_syntax(args));
            }
            let n = int_arg(&opts[2])?;
            count = if n < 0 {
                10
            } else {
                usize::try_from(n).unwrap_or(usize::MAX)
            };
        }
    }
    let mut l = ctx.key(&args[2]);
    let mut k = l.get();
    let s = existing(&mut k, ctx.client.no_touch)?;
    let log = &s.log;
    let out = &mut *ctx.out;
    out.map(if full { 9 } else { 10 });
    fields(
        out,
        &[
            ("length", Val::Int(log.len())),
            ("radix-tree-keys", Val::Int(log.blocks() as u64)),
            ("radix-tree-nodes", Val::Int(log.blocks() as u64 + 1)),
            ("last-generated-id", Val::Id(log.last_id)),
            ("max-deleted-entry-id", Val::Id(log.max_deleted)),
            ("entries-added", Val::Int(log.entries_added)),
            ("recorded-first-entry-id", Val::Id(log.first_id)),
        ],
    );
    if !full {
        fields(out, &[("groups", Val::Int(s.groups.len() as u64))]);
        out.bulk(b"first-entry");
        match log.range(StreamId::MIN, StreamId::MAX, false).next() {
            Some(e) => write_entry(out, &e),
            None => out.null(),
        }
        out.bulk(b"last-entry");
        match log.range(StreamId::MIN, StreamId::MAX, true).next() {
            Some(e) => write_entry(out, &e),
            None => out.null(),
        }
        return Ok(());
    }
    let limit = if count == 0 { usize::MAX } else { count };
    out.bulk(b"entries");
    let entries: Vec<Entry<'_>> = log
        .range(StreamId::MIN, StreamId::MAX, false)
        .take(limit)
        .collect();
    out.array(entries.len());
    for e in &entries {
        write_entry(out, e);
    }
    out.bulk(b"groups");
    out.array(s.groups.len());
    for (name, g) in &s.groups {
        out.map(7);
        fields(
            out,
            &[
                ("name", Val::Bulk(name)),
                ("last-delivered-id", Val::Id(g.last_id)),
                ("entries-read", Val::Maybe(g.entries_read)),
                ("lag", Val::Maybe(g.lag(log))),
                ("pel-count", Val::Int(g.pel.len() as u64)),
            ],
        );
        out.bulk(b"pending");
        let pel: Vec<(&StreamId, &Pending)> = g.pel.iter().take(limit).collect();
        out.array(pel.len());
        for (id, p) in pel {
            out.array(4);
            bulk_id(out, *id);
            out.bulk(&p.consumer);
            int_u(out, p.delivery_time);
            int_u(out, p.delivery_count);
        }
        out.bulk(b"consumers");
        out.array(g.consumers.len());
        for (cname, c) in &g.consumers {
            out.map(4);
            fields(
                out,
                &[
                    ("name", Val::Bulk(cname)),
                    ("seen-time", Val::Int(c.seen_time)),
                    ("pel-count", Val::Int(c.pel.len() as u64)),
                ],
            );
            out.bulk(b"pending");
            let ids: Vec<&StreamId> = c.pel.iter().take(limit).collect();
            out.array(ids.len());
            for id in ids {
                let (time, n) = g
                    .pel
                    .get(id)
                    .map_or((0, 0), |p| (p.delivery_time, p.delivery_count));
                out.array(3);
                bulk_id(out, *id);
                int_u(out, time);
                int_u(out, n);
            }
        }
    }
    Ok(())
}
