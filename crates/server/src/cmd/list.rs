//! The list family: pushes and pops at both ends, positional access, LRANGE/LTRIM/LREM/LINSERT/
//! LPOS, moves between lists, and LMPOP.
//!
//! The blocking commands (BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH) are not in this table yet;
//! when they come they reuse `pop_first` and `move_one`, the very code paths LPOP/RPOP/LMPOP
//! and LMOVE/RPOPLPUSH use, and ask to block when those report that nothing was there.

use bytes::Bytes;
use storage::list::{range_bounds, Elem, End, List};
use storage::value::Value;

use crate::base::config::{NOTIFY_GENERIC, NOTIFY_LIST};
use crate::base::error::{CmdError, CmdResult};
use crate::base::reply::Out;
use crate::command::ctx::{int_arg, is, keyword, Ctx};
use crate::command::short::{F, R, W, WD};
use crate::command::{acl, key, Command, KEY12};
use crate::keyspace::KeyRef;
const RD: u64 = acl::READ | acl::LIST;
const WR: u64 = acl::WRITE | acl::LIST;

use crate::command::keyed as c;

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    c("lpush", -3, WD | F, WR | acl::FAST, |ctx, args| push_generic(ctx, args, End::Head, false)).key_flags(key::RW | key::INSERT).doc("list", "1.0.0", "Adds elements at the head of a list, creating the list if needed."),
    c("rpush", -3, WD | F, WR | acl::FAST, |ctx, args| push_generic(ctx, args, End::Tail, false)).key_flags(key::RW | key::INSERT).doc("list", "1.0.0", "Adds elements at the tail of a list, creating the list if needed."),
    c("lpushx", -3, WD | F, WR | acl::FAST, |ctx, args| push_generic(ctx, args, End::Head, true)).key_flags(key::RW | key::INSERT).doc("list", "2.2.0", "Adds elements at the head of a list, only if the list already exists."),
    c("rpushx", -3, WD | F, WR | acl::FAST, |ctx, args| push_generic(ctx, args, End::Tail, true)).key_flags(key::RW | key::INSERT).doc("list", "2.2.0", "Adds elements at the tail of a list, only if the list already exists."),
    c("lpop", -2, W | F, WR | acl::FAST, |ctx, args| pop_generic(ctx, args, End::Head, "lpop")).key_flags(key::RW | key::ACCESS | key::DELETE).doc("list", "1.0.0", "Removes and returns the first elements of a list; the list goes away when emptied."),
    c("rpop", -2, W | F, WR | acl::FAST, |ctx, args| pop_generic(ctx, args, End::Tail, "rpop")).key_flags(key::RW | key::ACCESS | key::DELETE).doc("list", "1.0.0", "Removes and returns the last elements of a list; the list goes away when emptied."),
    c("llen", 2, R | F, RD | acl::FAST, |ctx, args| super::card(ctx, args, List::len)).key_flags(key::RO).doc("list", "1.0.0", "Returns the number of elements of a list."),
    c("lindex", 3, R, RD | acl::SLOW, lindex).key_flags(key::RO | key::ACCESS).doc("list", "1.0.0", "Returns the element at a position of a list."),
    c("lset", 4, WD, WR | acl::SLOW, lset).key_flags(key::RW | key::UPDATE).doc("list", "1.0.0", "Replaces the element at a position of a list."),
    c("lrange", 4, R, RD | acl::SLOW, lrange).key_flags(key::RO | key::ACCESS).doc("list", "1.0.0", "Returns the elements of a list between two positions."),
    c("ltrim", 4, W, WR | acl::SLOW, ltrim).key_flags(key::RW | key::DELETE).doc("list", "1.0.0", "Keeps only the elements of a list between two positions."),
    c("lrem", 4, W, WR | acl::SLOW, lrem).key_flags(key::RW | key::DELETE).doc("list", "1.0.0", "Removes elements equal to a value from a list."),
    c("linsert", 5, WD, WR | acl::SLOW, linsert).key_flags(key::RW | key::INSERT).doc("list", "2.2.0", "Inserts an element before or after another element of a list."),
    c("lpos", -3, R, RD | acl::SLOW, lpos).key_flags(key::RO | key::ACCESS).doc("list", "6.0.6", "Returns the positions of the elements of a list equal to a value."),
    c("lmove", 5, WD, WR | acl::SLOW, lmove).keys(KEY12).key_flags_split(key::RW | key::ACCESS | key::DELETE, key::RW | key::INSERT).doc("list", "6.2.0", "Pops an element from one end of a list and pushes it at an end of another (or the same) list."),
    c("rpoplpush", 3, WD, WR | acl::SLOW, rpoplpush).keys(KEY12).key_flags_split(key::RW | key::ACCESS | key::DELETE, key::RW | key::INSERT).doc("list", "1.2.0", "Pops the last element of a list and pushes it at the head of another (or the same) list."),
    Command::new("lmpop", -4, W, WR | acl::SLOW, lmpop).keynum(1, 1, 1).key_flags(key::RW | key::ACCESS | key::DELETE).doc("list", "7.0.0", "Pops elements from the first non-empty list among several keys."),
];

/// Records a change to a list: deletes the key when the list became empty (Redis never keeps
/// an empty list), otherwise marks it changed.
/// Emits the notifications of a list change: `event` on the key, then `del` if the change
/// emptied (and so deleted) the list.
fn notify_list(ctx: &Ctx<'_>, key: &[u8], event: &str, emptied: bool) {
    ctx.notify(NOTIFY_LIST, event, key);
    if emptied {
        ctx.notify(NOTIFY_GENERIC, "del", key);
    }
}

/// The event names of popping from, and pushing to, an end.
fn pop_event(end: End) -> &'static str {
    match end {
        End::Head => "lpop",
        End::Tail => "rpop",
    }
}

fn push_event(end: End) -> &'static str {
    match end {
        End::Head => "lpush",
        End::Tail => "rpush",
    }
}

/// Records a change of `changes` elements (Redis counts one per element pushed, popped or
/// trimmed), deleting the key when the list is left empty.
fn finish(k: &mut KeyRef<'_>, empty: bool, changes: u64) {
    k.changed_or_emptied(empty, changes);
}

/// Writes one element as a bulk string.
#[inline]
fn reply_elem(out: &mut Out, e: Elem<'_>) {
    match e {
        Elem::Int(v) => out.bulk_int(v),
        Elem::Str(s) => out.bulk(s),
    }
}

/// An empty list with the node-size setting that new lists take.
fn new_list(ctx: &Ctx<'_>) -> List {
    List::new(ctx.srv.config.read().list_max_listpack_size())
}

/// Parses LEFT/RIGHT (LMOVE, LMPOP and the blocking variants).
pub fn side(a: &[u8]) -> Result<End, CmdError> {
    keyword(a, &[("left", End::Head), ("right", End::Tail)])
}

/// Parses an integer in `min..=i64::MAX`, failing with `ERR <msg>` both when it is not an
/// integer and when it is too small (Redis's `getRangeLongFromObjectOrReply` with a message).
fn int_at_least(a: &[u8], min: i64, msg: &'static str) -> Result<i64, CmdError> {
    match strnum::parse_i64(a) {
        Some(v) if v >= min => Ok(v),
        _ => Err(CmdError::err(msg)),
    }
}

/// A count argument as a `usize` (counts beyond memory are as good as infinite).
fn to_count(v: i64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

fn push_generic(ctx: &mut Ctx<'_>, args: &[Bytes], end: End, only_existing: bool) -> CmdResult {
    let fresh = new_list(ctx);
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let len = match k.get_mut_as::<List>()? {
        Some(list) => {
            for v in &args[2..] {
                list.push(end, v);
            }
            let n = list.len();
            k.changed_by(args.len() as u64 - 2);
            n
        }
        None if only_existing => 0,
        None => {
            let mut list = fresh;
            for v in &args[2..] {
                list.push(end, v);
            }
            let n = list.len();
            k.set_counting(Value::List(Box::new(list)), false, args.len() as u64 - 2);
            n
        }
    };
    if len > 0 {
        notify_list(ctx, &args[1], push_event(end), false);
    }
    ctx.out.int(len as i64);
    Ok(())
}

fn pop_generic(ctx: &mut Ctx<'_>, args: &[Bytes], end: End, name: &str) -> CmdResult {
    if args.len() > 3 {
        return Err(CmdError::WrongArity(name.to_string()));
    }
    let count = match args.get(2) {
        None => None,
        Some(a) => Some(to_count(int_at_least(
            a,
            0,
            "value is out of range, must be positive",
        )?)),
    };
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(list) = k.get_mut_as::<List>()? else {
        match count {
            Some(_) => ctx.out.null_array(),
            None => ctx.out.null(),
        }
        return Ok(());
    };
    let out = &mut *ctx.out;
    let popped = match count {
        Some(0) => {
            out.array(0);
            return Ok(());
        }
        None => match list.pop(end) {
            Some(e) => {
                reply_elem(out, e.as_elem());
                1
            }
            None => {
                out.null();
                0
            }
        },
        Some(n) => {
            let popped = n.min(list.len());
            out.array(popped);
            list.pop_many(end, n, |e| reply_elem(out, e));
            popped
        }
    };
    let empty = list.is_empty();
    finish(&mut k, empty, popped as u64);
    notify_list(ctx, &args[1], pop_event(end), empty);
    Ok(())
}

/// Pops from the first of `keys` that holds a list (all their shards locked at once, so the
/// choice and the pop are atomic) and replies `[key, element]` when `count` is `None` (BLPOP,
/// BRPOP) or `[key, [elements...]]` with up to `count` elements (LMPOP, BLMPOP). A key holding
/// another type fails with WRONGTYPE when the scan reaches it. Returns `Ok(false)`, having
/// replied nothing, when no key holds a list: LMPOP then replies a null array, the blocking
/// commands block.
pub fn pop_first(
    ctx: &mut Ctx<'_>,
    keys: &[Bytes],
    end: End,
    count: Option<usize>,
) -> Result<bool, CmdError> {
    let db = ctx.client.db;
    let spec: Vec<(usize, &[u8])> = keys.iter().map(|k| (db, &k[..])).collect();
    let mut locked = ctx.keys(&spec);
    for key in keys {
        let Some(mut k) = locked.key(db, key, ctx.now) else {
            continue;
        };
        let Some(list) = k.get_mut_as::<List>()? else {
            continue;
        };
        if list.is_empty() {
            continue;
        }
        let out = &mut *ctx.out;
        let popped = match count {
            None => {
                let Some(e) = list.pop(end) else {
                    continue;
                };
                out.array(2);
                out.bulk(key);
                reply_elem(out, e.as_elem());
                None
            }
            Some(n) => {
                let popped = n.min(list.len());
                out.array(2);
                out.bulk(key);
                out.array(popped);
                list.pop_many(end, n, |e| reply_elem(out, e));
                Some(popped)
            }
        };
        let empty = list.is_empty();
        finish(&mut k, empty, popped.unwrap_or(1) as u64);
        // BLPOP propagates as LPOP, LMPOP and BLMPOP as LPOP with the count popped, as in Redis.
        ctx.propagate(|| {
            let name: &[u8] = if end == End::Head { b"LPOP" } else { b"RPOP" };
            match popped {
                None => super::argv([name, key]),
                Some(n) => super::argv([name, key, n.to_string().as_bytes()]),
            }
        });
        notify_list(ctx, key, pop_event(end), empty);
        return Ok(true);
    }
    Ok(false)
}

fn lmpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (keys, end, count) = super::mpop_args(args, 1)?;
    let end = side(end)?;
    if !pop_first(ctx, keys, end, Some(count.unwrap_or(1)))? {
        ctx.out.null_array();
    }
    Ok(())
}

fn lindex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(list) = k.read_as::<List>(ctx.client.no_touch)? else {
        ctx.out.null();
        return Ok(());
    };
    let index = int_arg(&args[2])?;
    match list.get(index) {
        Some(e) => reply_elem(ctx.out, e),
        None => ctx.out.null(),
    }
    Ok(())
}

fn lset(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let list = k.get_mut_as::<List>()?.ok_or(CmdError::NoSuchKey)?;
    let index = int_arg(&args[2])?;
    if !list.set(index, &args[3]) {
        return Err(CmdError::err("index out of range"));
    }
    k.changed();
    notify_list(ctx, &args[1], "lset", false);
    ctx.out.ok();
    Ok(())
}

fn lrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (start, stop) = super::index_pair(args)?;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(list) = k.read_as::<List>(ctx.client.no_touch)? else {
        ctx.out.array(0);
        return Ok(());
    };
    match range_bounds(list.len(), start, stop) {
        None => ctx.out.array(0),
        Some((a, b)) => {
            let n = b - a + 1;
            let out = &mut *ctx.out;
            out.array(n);
            for e in list.iter_from(a, false).take(n) {
                reply_elem(out, e);
            }
        }
    }
    Ok(())
}

fn ltrim(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (start, stop) = super::index_pair(args)?;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    if let Some(list) = k.get_mut_as::<List>()? {
        let before = list.len();
        list.trim(start, stop);
        let (empty, trimmed) = (list.is_empty(), before - list.len());
        finish(&mut k, empty, trimmed as u64);
        notify_list(ctx, &args[1], "ltrim", empty);
    }
    ctx.out.ok();
    Ok(())
}

fn lrem(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let count = int_arg(&args[2])?;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let removed = match k.get_mut_as::<List>()? {
        None => 0,
        Some(list) => {
            let removed = list.remove(&args[3], count);
            let empty = list.is_empty();
            if removed > 0 {
                finish(&mut k, empty, removed as u64);
                notify_list(ctx, &args[1], "lrem", empty);
            }
            removed
        }
    };
    ctx.out.int(removed as i64);
    Ok(())
}

fn linsert(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let after = keyword(&args[2], &[("after", true), ("before", false)])?;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let reply = match k.get_mut_as::<List>()? {
        None => 0,
        Some(list) => {
            if list.insert(&args[3], &args[4], after) {
                let n = list.len() as i64;
                k.changed();
                notify_list(ctx, &args[1], "linsert", false);
                n
            } else {
                -1
            }
        }
    };
    ctx.out.int(reply);
    Ok(())
}

/// LPOS's error for RANK 0.
const RANK_ZERO: &str = "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
/// LPOS's error for the one rank whose opposite does not exist.
const RANK_RANGE: &str =
    "value is out of range, value must between -9223372036854775807 and 9223372036854775807";

fn lpos(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut rank = 1i64;
    let mut count: Option<usize> = None;
    let mut maxlen = 0usize;
    let mut i = 3;
    while let Some(opt) = args.get(i) {
        let Some(v) = args.get(i + 1) else {
            return Err(CmdError::Syntax);
        };
        if is(opt, "rank") {
            rank = int_arg(v)?;
            // A negative rank is negated to scan from the tail, so the one value without a
            // positive counterpart is refused.
            if rank == i64::MIN {
                return Err(CmdError::err(RANK_RANGE));
            }
            if rank == 0 {
                return Err(CmdError::err(RANK_ZERO));
            }
        } else if is(opt, "count") {
            count = Some(to_count(int_at_least(v, 0, "COUNT can't be negative")?));
        } else if is(opt, "maxlen") {
            maxlen = to_count(int_at_least(v, 0, "MAXLEN can't be negative")?);
        } else {
            return Err(CmdError::Syntax);
        }
        i += 2;
    }
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(list) = k.read_as::<List>(ctx.client.no_touch)? else {
        match count {
            Some(_) => ctx.out.array(0),
            None => ctx.out.null(),
        }
        return Ok(());
    };
    let found = list.positions(&args[2], rank, count.unwrap_or(1), maxlen);
    match count {
        Some(_) => {
            ctx.out.array(found.len());
            for p in found {
                ctx.out.int(p as i64);
            }
        }
        None => match found.first() {
            Some(&p) => ctx.out.int(p as i64),
            None => ctx.out.null(),
        },
    }
    Ok(())
}

/// Moves one element from the `from` end of `src` to the `to` end of `dst` (which may be the
/// same list), creating `dst` if needed, and replies with the element: LMOVE, RPOPLPUSH, and
/// later BLMOVE/BRPOPLPUSH. Both keys are locked together, and a `dst` of another type fails
/// before anything changes. Returns `Ok(false)`, having replied nothing, when `src` holds no
/// list.
pub fn move_one(
    ctx: &mut Ctx<'_>,
    src: &[u8],
    dst: &[u8],
    from: End,
    to: End,
) -> Result<bool, CmdError> {
    let fresh = new_list(ctx);
    let db = ctx.client.db;
    let now = ctx.now;
    let mut locked = ctx.keys(&[(db, src), (db, dst)]);
    match locked.key(db, src, now).as_ref().and_then(KeyRef::peek) {
        None => return Ok(false),
        Some(Value::List(_)) => {}
        Some(_) => return Err(CmdError::WrongType),
    }
    let same = src == dst;
    if !same {
        match locked.key(db, dst, now).as_ref().and_then(KeyRef::peek) {
            None | Some(Value::List(_)) => {}
            Some(_) => return Err(CmdError::WrongType),
        }
    }
    let (e, emptied) = {
        let Some(mut k) = locked.key(db, src, now) else {
            return Ok(false);
        };
        let Some(list) = k.get_mut_as::<List>()? else {
            return Ok(false);
        };
        let Some(e) = list.pop(from) else {
            return Ok(false);
        };
        if same {
            // Rotating within one list: the element is pushed back before emptiness could be
            // observed, so the key never disappears.
            list.push_elem(to, e.as_elem());
            k.changed();
            (e, false)
        } else {
            let empty = list.is_empty();
            // The move counts once, where the element lands.
            finish(&mut k, empty, 0);
            (e, empty)
        }
    };
    notify_list(ctx, src, pop_event(from), emptied);
    if let (false, Some(mut k)) = (same, locked.key(db, dst, now)) {
        match k.get_mut_as::<List>()? {
            Some(list) => {
                list.push_elem(to, e.as_elem());
                k.changed();
            }
            None => {
                let mut list = fresh;
                list.push_elem(to, e.as_elem());
                k.set(Value::List(Box::new(list)), false);
            }
        }
    }
    notify_list(ctx, dst, push_event(to), false);
    reply_elem(ctx.out, e.as_elem());
    Ok(true)
}

fn lmove(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let from = side(&args[3])?;
    let to = side(&args[4])?;
    if !move_one(ctx, &args[1], &args[2], from, to)? {
        ctx.out.null();
    }
    Ok(())
}

fn rpoplpush(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if !move_one(ctx, &args[1], &args[2], End::Tail, End::Head)? {
        ctx.out.null();
    }
    Ok(())
}
