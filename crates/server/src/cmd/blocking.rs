//! Blocking pops: BLPOP, BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP, BZPOPMIN, BZPOPMAX and BZMPOP.
//!
//! Each tries its non-blocking form first. When the keys are empty it asks to wait
//! (`CmdError::Block`) unless it runs inside MULTI or a script, where it answers as on timeout,
//! as Redis does. The dispatcher parks the client and re-runs the very same command when a key
//! changes (see `blocking`), so the pop logic exists once, in the list family.

use bytes::{Bytes, BytesMut};
use resp::ReplyWriter;
use storage::list::{End, List};
use storage::value::Collection;
use storage::zset::ZSet;
use strnum::LongDouble;

use super::list::{move_one, pop_first, side};
use super::zset;
use crate::base::error::BlockOn;
use crate::base::error::{CmdError, CmdResult};
use crate::command::ctx::Ctx;
use crate::command::{acl, flag, key, Command, KeySpec};
const B: u32 = flag::WRITE | flag::BLOCKING | flag::NOSCRIPT;
const BACL: u64 = acl::WRITE | acl::LIST | acl::SLOW | acl::BLOCKING;
const ZACL: u64 = acl::WRITE | acl::SORTEDSET | acl::BLOCKING;

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    Command::new("blpop", -3, B, BACL, |ctx, args| bpop(ctx, args, End::Head)).keys(KeySpec { first: 1, last: -2, step: 1 }).key_flags(key::RW | key::ACCESS | key::DELETE).doc("list", "2.0.0", "Removes and returns the first element in a list, blocking until one is available."),
    Command::new("brpop", -3, B, BACL, |ctx, args| bpop(ctx, args, End::Tail)).keys(KeySpec { first: 1, last: -2, step: 1 }).key_flags(key::RW | key::ACCESS | key::DELETE).doc("list", "2.0.0", "Removes and returns the last element in a list, blocking until one is available."),
    Command::new("brpoplpush", 4, B | flag::DENYOOM, BACL, |ctx, args| bmove(ctx, args, End::Tail, End::Head, &args[3])).keys(KeySpec { first: 1, last: 2, step: 1 }).key_flags_split(key::RW | key::ACCESS | key::DELETE, key::RW | key::INSERT).doc("list", "2.2.0", "Pops the last element of a list and pushes it to another, blocking until one is available."),
    Command::new("blmove", 6, B | flag::DENYOOM, BACL, blmove).keys(KeySpec { first: 1, last: 2, step: 1 }).key_flags_split(key::RW | key::ACCESS | key::DELETE, key::RW | key::INSERT).doc("list", "6.2.0", "Pops an element from one end of a list and pushes it to another, blocking until one is available."),
    Command::new("blmpop", -5, B, BACL, blmpop).keynum(2, 1, 1).key_flags(key::RW | key::ACCESS | key::DELETE).doc("list", "7.0.0", "Pops elements from the first non-empty list among several, blocking until one is available."),
    Command::new("bzpopmin", -3, flag::WRITE | flag::BLOCKING | flag::NOSCRIPT | flag::FAST, ZACL | acl::FAST, |ctx, args| bzpop(ctx, args, false)).keys(KeySpec { first: 1, last: -2, step: 1 }).key_flags(key::RW | key::ACCESS | key::DELETE).doc("sorted-set", "5.0.0", "Removes and returns the member with the lowest score from one or more sorted sets, blocking until one is available."),
    Command::new("bzpopmax", -3, flag::WRITE | flag::BLOCKING | flag::NOSCRIPT | flag::FAST, ZACL | acl::FAST, |ctx, args| bzpop(ctx, args, true)).keys(KeySpec { first: 1, last: -2, step: 1 }).key_flags(key::RW | key::ACCESS | key::DELETE).doc("sorted-set", "5.0.0", "Removes and returns the member with the highest score from one or more sorted sets, blocking until one is available."),
    Command::new("bzmpop", -5, B, ZACL | acl::SLOW, bzmpop).keynum(2, 1, 1).key_flags(key::RW | key::ACCESS | key::DELETE).doc("sorted-set", "7.0.0", "Removes and returns members from the first non-empty sorted set among several, blocking until one is available."),
];

/// A timeout argument in seconds (fractions allowed) as an absolute deadline in Unix
/// milliseconds; `None` waits forever. Redis's parsing and errors.
fn deadline(ctx: &Ctx<'_>, arg: &[u8]) -> Result<Option<u64>, CmdError> {
    let secs = LongDouble::parse(arg)
        .ok_or_else(|| CmdError::err("timeout is not a float or out of range"))?;
    let ms = secs.timeout_millis();
    if ms < 0 {
        return Err(CmdError::err("timeout is negative"));
    }
    Ok((ms > 0).then(|| ctx.now.saturating_add(ms as u64)))
}

/// The reply a blocked command gets on timeout: a null array or a null bulk string.
fn timeout_reply(proto: u8, array: bool) -> Bytes {
    let mut buf = BytesMut::new();
    let mut w = ReplyWriter::new(&mut buf, proto);
    if array {
        w.null_array();
    } else {
        w.null();
    }
    buf.freeze()
}

/// Whether a blocked client being served can proceed: Redis serves a waiter only from a key
/// that now holds the type it waits for (a key set to another type does not wake it). Errors
/// from the attempt itself (a destination of the wrong type) then reach the client as usual.
fn ready<T: Collection>(ctx: &Ctx<'_>, keys: &[Bytes]) -> bool {
    !ctx.client.serving
        || keys.iter().any(|key| {
            let mut l = ctx.key(key);
            let k = l.get();
            matches!(k.peek_as::<T>(), Ok(Some(_)))
        })
}

/// Waits on `keys` if the client may block; otherwise answers as on timeout.
fn wait(ctx: &mut Ctx<'_>, keys: &[Bytes], until: Option<u64>, array: bool) -> CmdResult {
    if !ctx.client.may_block {
        if array {
            ctx.out.null_array();
        } else {
            ctx.out.null();
        }
        return Ok(());
    }
    Err(CmdError::Block(Box::new(BlockOn {
        keys: keys.iter().map(|k| Bytes::copy_from_slice(k)).collect(),
        deadline: until,
        timeout_reply: timeout_reply(ctx.out.proto, array),
        args: None,
        serve_all: false,
    })))
}

fn bpop(ctx: &mut Ctx<'_>, args: &[Bytes], end: End) -> CmdResult {
    let (keys, timeout) = args[1..].split_at(args.len() - 2);
    let until = deadline(ctx, &timeout[0])?;
    if ready::<List>(ctx, keys) && pop_first(ctx, keys, end, None)? {
        return Ok(());
    }
    wait(ctx, keys, until, true)
}

fn bmove(ctx: &mut Ctx<'_>, args: &[Bytes], from: End, to: End, timeout: &[u8]) -> CmdResult {
    let until = deadline(ctx, timeout)?;
    if ready::<List>(ctx, &args[1..2]) && move_one(ctx, &args[1], &args[2], from, to)? {
        // As the non-blocking move, which a replay must never turn into a wait.
        ctx.propagate(|| {
            let side = |e: End| -> &'static [u8] {
                match e {
                    End::Head => b"LEFT",
                    End::Tail => b"RIGHT",
                }
            };
            super::argv([b"LMOVE", &args[1], &args[2], side(from), side(to)])
        });
        return Ok(());
    }
    wait(ctx, &args[1..2], until, false)
}

fn blmove(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let from = side(&args[3])?;
    let to = side(&args[4])?;
    bmove(ctx, args, from, to, &args[5])
}

fn blmpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let until = deadline(ctx, &args[1])?;
    let (keys, end, count) = super::mpop_args(args, 2)?;
    let end = side(end)?;
    if ready::<List>(ctx, keys) && pop_first(ctx, keys, end, Some(count.unwrap_or(1)))? {
        return Ok(());
    }
    wait(ctx, keys, until, true)
}

/// BZPOPMIN and BZPOPMAX: `key [key ...] timeout`.
fn bzpop(ctx: &mut Ctx<'_>, args: &[Bytes], max: bool) -> CmdResult {
    let (keys, timeout) = args[1..].split_at(args.len() - 2);
    let until = deadline(ctx, &timeout[0])?;
    let shape = zset::PopShape {
        emit_key: true,
        nested: false,
    };
    if ready::<ZSet>(ctx, keys) && zset::pop_first(ctx, keys, max, 1, shape)? {
        return Ok(());
    }
    wait(ctx, keys, until, true)
}

fn bzmpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let until = deadline(ctx, &args[1])?;
    let (keys, which, count) = super::mpop_args(args, 2)?;
    let max = zset::min_or_max(which)?;
    let shape = zset::PopShape {
        emit_key: true,
        nested: true,
    };
    if ready::<ZSet>(ctx, keys) && zset::pop_first(ctx, keys, max, count.unwrap_or(1), shape)? {
        return Ok(());
    }
    wait(ctx, keys, until, true)
}
