//! The sorted set family: adding and scoring members, ranks, ranges by rank, score or
//! lexicographic order (and their STORE and REMOVE forms), pops, random picks, the union,
//! intersection and difference operations, and ZSCAN.
//!
//! The data work lives in `storage::zset`; this module parses arguments with Redis's exact
//! rules and error texts, and shapes replies for RESP2 and RESP3. Score, lex and rank ranges
//! all become a span of ranks in the set, from which `LIMIT offset count` is cut.
//!
//! Multi-key commands lock every key's shard at once (so they are atomic) but can look at one
//! key at a time, so ZUNION, ZINTER and ZDIFF fold the inputs one by one into a running result,
//! in Redis's order (smallest input first for union and intersection), which also gives the
//! same floating-point sums as Redis.

use std::collections::HashMap;

use bytes::Bytes;
use storage::set::Set;
use storage::small::SmallBytes;
use storage::value::Value;
use storage::zset::{AddFlags, AddResult, LexRange, Limits, ScoreRange, ZSet, RANDOM_REPLY_MAX};
use strnum::{format_double, format_double_d2string, parse_f64};

use crate::base::config::{NOTIFY_GENERIC, NOTIFY_ZSET};
use crate::base::error::{CmdError, CmdResult};
use crate::base::reply::Out;
use crate::command::ctx::{int_arg, is, keyword, Ctx};
use crate::command::short::{F, R, W, WD};
use crate::command::{acl, flag, key, Command, KEY12, NO_KEYS};
use crate::keyspace::KeyRef;
const MOV: u32 = flag::MOVABLE_KEYS;
const RD: u64 = acl::READ | acl::SORTEDSET;
const WR: u64 = acl::WRITE | acl::SORTEDSET;

use crate::command::keyed as c;

const G: &str = "sorted-set";

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    c("zadd", -4, WD | F, WR | acl::FAST, zadd).key_flags(key::RW | key::UPDATE).doc(G, "1.2.0", "Adds members with scores to a sorted set, or updates the scores of members already in it."),
    c("zincrby", 4, WD | F, WR | acl::FAST, |ctx, args| zadd_generic(ctx, args, true)).key_flags(key::RW | key::ACCESS | key::UPDATE).doc(G, "1.2.0", "Adds an increment to the score of a member, creating the member or the key as needed."),
    c("zrem", -3, W | F, WR | acl::FAST, |ctx, args| super::remove_each(ctx, args, (NOTIFY_ZSET, "zrem"), ZSet::remove, ZSet::is_empty)).key_flags(key::RW | key::DELETE).doc(G, "1.2.0", "Removes members from a sorted set, deleting the key when it empties."),
    c("zcard", 2, R | F, RD | acl::FAST, |ctx, args| super::card(ctx, args, ZSet::len)).key_flags(key::RO).doc(G, "1.2.0", "Returns the number of members of a sorted set."),
    c("zcount", 4, R | F, RD | acl::FAST, zcount).key_flags(key::RO | key::ACCESS).doc(G, "2.0.0", "Counts the members whose scores fall in a range."),
    c("zlexcount", 4, R | F, RD | acl::FAST, zlexcount).key_flags(key::RO | key::ACCESS).doc(G, "2.8.9", "Counts the members that fall in a lexicographic range."),
    c("zscore", 3, R | F, RD | acl::FAST, |ctx, args| super::lookup_each(ctx, args, false, member_score)).key_flags(key::RO | key::ACCESS).doc(G, "1.2.0", "Returns the score of a member."),
    c("zmscore", -3, R | F, RD | acl::FAST, |ctx, args| super::lookup_each(ctx, args, true, member_score)).key_flags(key::RO | key::ACCESS).doc(G, "6.2.0", "Returns the scores of several members."),
    c("zrank", 3, R | F, RD | acl::FAST, |ctx, args| rank_generic(ctx, args, false)).key_flags(key::RO | key::ACCESS).doc(G, "2.0.0", "Returns the position of a member, counting from the lowest score."),
    c("zrevrank", 3, R | F, RD | acl::FAST, |ctx, args| rank_generic(ctx, args, true)).key_flags(key::RO | key::ACCESS).doc(G, "2.0.0", "Returns the position of a member, counting from the highest score."),
    c("zrange", -4, R, RD | acl::SLOW, |ctx, args| range_generic(ctx, args, 1, None, RangeBy::Auto, None)).key_flags(key::RO | key::ACCESS).doc(G, "1.2.0", "Returns members in a range of positions, scores or lexicographic order."),
    c("zrangestore", -5, WD, WR | acl::SLOW, |ctx, args| range_generic(ctx, args, 2, Some(&args[1]), RangeBy::Auto, None)).keys(KEY12).key_flags_split(key::OW | key::UPDATE, key::RO | key::ACCESS).doc(G, "6.2.0", "Stores a range of a sorted set's members in another key."),
    c("zrevrange", -4, R, RD | acl::SLOW, |ctx, args| range_generic(ctx, args, 1, None, RangeBy::Rank, Some(true))).key_flags(key::RO | key::ACCESS).doc(G, "1.2.0", "Returns members in a range of positions, from the highest score down."),
    c("zrangebyscore", -4, R, RD | acl::SLOW, |ctx, args| range_generic(ctx, args, 1, None, RangeBy::Score, Some(false))).key_flags(key::RO | key::ACCESS).doc(G, "1.0.5", "Returns the members whose scores fall in a range."),
    c("zrevrangebyscore", -4, R, RD | acl::SLOW, |ctx, args| range_generic(ctx, args, 1, None, RangeBy::Score, Some(true))).key_flags(key::RO | key::ACCESS).doc(G, "2.2.0", "Returns the members whose scores fall in a range, from the highest score down."),
    c("zrangebylex", -4, R, RD | acl::SLOW, |ctx, args| range_generic(ctx, args, 1, None, RangeBy::Lex, Some(false))).key_flags(key::RO | key::ACCESS).doc(G, "2.8.9", "Returns the members in a lexicographic range."),
    c("zrevrangebylex", -4, R, RD | acl::SLOW, |ctx, args| range_generic(ctx, args, 1, None, RangeBy::Lex, Some(true))).key_flags(key::RO | key::ACCESS).doc(G, "2.8.9", "Returns the members in a lexicographic range, from the highest down."),
    c("zremrangebyrank", 4, W, WR | acl::SLOW, zremrangebyrank).key_flags(key::RW | key::DELETE).doc(G, "2.0.0", "Removes the members in a range of positions."),
    c("zremrangebyscore", 4, W, WR | acl::SLOW, zremrangebyscore).key_flags(key::RW | key::DELETE).doc(G, "1.2.0", "Removes the members whose scores fall in a range."),
    c("zremrangebylex", 4, W, WR | acl::SLOW, zremrangebylex).key_flags(key::RW | key::DELETE).doc(G, "2.8.9", "Removes the members in a lexicographic range."),
    c("zpopmin", -2, W | F, WR | acl::FAST, |ctx, args| zpop_minmax(ctx, args, false)).key_flags(key::RW | key::ACCESS | key::DELETE).doc(G, "5.0.0", "Removes and returns the members with the lowest scores."),
    c("zpopmax", -2, W | F, WR | acl::FAST, |ctx, args| zpop_minmax(ctx, args, true)).key_flags(key::RW | key::ACCESS | key::DELETE).doc(G, "5.0.0", "Removes and returns the members with the highest scores."),
    c("zmpop", -4, W | MOV, WR | acl::SLOW, zmpop).keys(NO_KEYS).keynum(1, 1, 1).key_flags(key::RW | key::ACCESS | key::DELETE).doc(G, "7.0.0", "Removes and returns members from the first non-empty sorted set among several."),
    c("zrandmember", -2, R, RD | acl::SLOW, zrandmember).key_flags(key::RO | key::ACCESS).doc(G, "6.2.0", "Returns one or more random members, optionally with their scores."),
    c("zunion", -3, R | MOV, RD | acl::SLOW, |ctx, args| setop_generic(ctx, args, "zunion", None, 1, SetOp::Union, false)).keys(NO_KEYS).keynum(1, 1, 1).key_flags(key::RO | key::ACCESS).doc(G, "6.2.0", "Returns the union of sorted sets, with aggregated scores."),
    c("zinter", -3, R | MOV, RD | acl::SLOW, |ctx, args| setop_generic(ctx, args, "zinter", None, 1, SetOp::Inter, false)).keys(NO_KEYS).keynum(1, 1, 1).key_flags(key::RO | key::ACCESS).doc(G, "6.2.0", "Returns the intersection of sorted sets, with aggregated scores."),
    c("zintercard", -3, R | MOV, RD | acl::SLOW, |ctx, args| setop_generic(ctx, args, "zintercard", None, 1, SetOp::Inter, true)).keys(NO_KEYS).keynum(1, 1, 1).key_flags(key::RO | key::ACCESS).doc(G, "7.0.0", "Counts the members common to several sorted sets, optionally stopping at a limit."),
    c("zdiff", -3, R | MOV, RD | acl::SLOW, |ctx, args| setop_generic(ctx, args, "zdiff", None, 1, SetOp::Diff, false)).keys(NO_KEYS).keynum(1, 1, 1).key_flags(key::RO | key::ACCESS).doc(G, "6.2.0", "Returns the members of the first sorted set that are in none of the others."),
    c("zunionstore", -4, WD | MOV, WR | acl::SLOW, |ctx, args| setop_generic(ctx, args, "zunionstore", Some(&args[1]), 2, SetOp::Union, false)).keynum(2, 1, 1).key_flags_split(key::OW | key::UPDATE, key::RO | key::ACCESS).doc(G, "2.0.0", "Stores the union of sorted sets in a key."),
    c("zinterstore", -4, WD | MOV, WR | acl::SLOW, |ctx, args| setop_generic(ctx, args, "zinterstore", Some(&args[1]), 2, SetOp::Inter, false)).keynum(2, 1, 1).key_flags_split(key::OW | key::UPDATE, key::RO | key::ACCESS).doc(G, "2.0.0", "Stores the intersection of sorted sets in a key."),
    c("zdiffstore", -4, WD | MOV, WR | acl::SLOW, |ctx, args| setop_generic(ctx, args, "zdiffstore", Some(&args[1]), 2, SetOp::Diff, false)).keynum(2, 1, 1).key_flags_split(key::OW | key::UPDATE, key::RO | key::ACCESS).doc(G, "6.2.0", "Stores the difference of sorted sets in a key."),
    c("zscan", -3, R, RD | acl::SLOW, zscan).key_flags(key::RO | key::ACCESS).doc(G, "2.8.0", "Iterates over the members and scores of a sorted set."),
];

// ---------------------------------------------------------------------------------------------
// Shared helpers.
// ---------------------------------------------------------------------------------------------

/// The encoding thresholds currently configured (GEO's stores too).
pub fn limits(ctx: &Ctx<'_>) -> Limits {
    ctx.srv.config.read().zset_limits()
}

/// A float argument (scores, increments): Redis's strict `string2d` rules.
fn float_arg(a: &[u8]) -> Result<f64, CmdError> {
    parse_f64(a).ok_or(CmdError::NotFloat)
}

/// An integer argument that must lie in `min..=max`, with Redis's message for each failure:
/// `msg` replaces both the not-an-integer and the out-of-range texts when given.
fn ranged_arg(a: &[u8], min: i64, max: i64, msg: Option<&'static str>) -> Result<i64, CmdError> {
    let v = match strnum::parse_i64(a) {
        Some(v) => v,
        None => {
            return Err(match msg {
                Some(m) => CmdError::err(m),
                None => CmdError::NotInteger,
            })
        }
    };
    if v < min || v > max {
        return Err(match msg {
            Some(m) => CmdError::err(m),
            None => CmdError::err(format!(
                "value is out of range, value must between {min} and {max}"
            )),
        });
    }
    Ok(v)
}

fn score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, CmdError> {
    ScoreRange::parse(min, max).ok_or_else(|| CmdError::err("min or max is not a float"))
}

fn lex_range(min: &[u8], max: &[u8]) -> Result<LexRange, CmdError> {
    LexRange::parse(min, max).ok_or_else(|| CmdError::err("min or max not valid string range item"))
}

/// Writes (member, score) pairs: flat in RESP2, a pair per element in RESP3 when scores are
/// included (Redis never uses a map here, because order matters).
fn reply_pairs<'a>(
    out: &mut Out,
    n: usize,
    withscores: bool,
    items: impl Iterator<Item = (&'a [u8], f64)>,
) {
    let nested = withscores && out.proto >= 3;
    out.array(if withscores && !nested { n * 2 } else { n });
    for (m, s) in items {
        if nested {
            out.array(2);
        }
        out.bulk(m);
        if withscores {
            out.double(s);
        }
    }
}

/// Normalises a ZRANGE-style index pair against `len`: the ascending rank span it covers.
fn rank_span(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let llen = len as i64;
    let mut start = if start < 0 { llen + start } else { start };
    let mut end = if end < 0 { llen + end } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        return None;
    }
    if end >= llen {
        end = llen - 1;
    }
    Some((start as usize, end as usize + 1))
}

// ---------------------------------------------------------------------------------------------
// ZADD, ZINCRBY, ZREM.
// ---------------------------------------------------------------------------------------------

pub fn zadd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, args, false)
}

fn zadd_generic(ctx: &mut Ctx<'_>, args: &[Bytes], incr_cmd: bool) -> CmdResult {
    let mut flags = AddFlags {
        incr: incr_cmd,
        ..AddFlags::default()
    };
    let mut ch = false;
    let mut idx = 2;
    while let Some(a) = args.get(idx) {
        if is(a, "nx") {
            flags.nx = true;
        } else if is(a, "xx") {
            flags.xx = true;
        } else if is(a, "ch") {
            ch = true;
        } else if is(a, "incr") {
            flags.incr = true;
        } else if is(a, "gt") {
            flags.gt = true;
        } else if is(a, "lt") {
            flags.lt = true;
        } else {
            break;
        }
        idx += 1;
    }
    let pairs = &args[idx.min(args.len())..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return Err(CmdError::Syntax);
    }
    if flags.nx && flags.xx {
        return Err(CmdError::err(
            "XX and NX options at the same time are not compatible",
        ));
    }
    if (flags.nx && (flags.gt || flags.lt)) || (flags.gt && flags.lt) {
        return Err(CmdError::err(
            "GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    if flags.incr && pairs.len() > 2 {
        return Err(CmdError::err(
            "INCR option supports a single increment-element pair",
        ));
    }
    // Every score is checked before anything changes: the command applies fully or not at all.
    let scores = pairs
        .chunks_exact(2)
        .map(|p| float_arg(&p[0]))
        .collect::<Result<Vec<f64>, CmdError>>()?;
    let lim = limits(ctx);
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let mut created = None;
    let z: &mut ZSet = match k.get_mut_as::<ZSet>()? {
        Some(z) => z,
        None if flags.xx => {
            if flags.incr {
                ctx.out.null();
            } else {
                ctx.out.int(0);
            }
            return Ok(());
        }
        None => created.insert(ZSet::for_new_key(pairs[1].len(), &lim)),
    };
    let (mut added, mut updated, mut processed) = (0i64, 0i64, 0);
    let mut last = 0.0;
    let mut nan = false;
    for (p, &score) in pairs.chunks_exact(2).zip(&scores) {
        match z.add(&p[1], score, flags, &lim) {
            AddResult::Added(s) => {
                added += 1;
                processed += 1;
                last = s;
            }
            AddResult::Updated(s) => {
                updated += 1;
                processed += 1;
                last = s;
            }
            AddResult::Unchanged(s) => {
                processed += 1;
                last = s;
            }
            AddResult::Skipped => {}
            AddResult::NotANumber => {
                nan = true;
                break;
            }
        }
    }
    match created {
        Some(z) if !z.is_empty() => {
            k.set_counting(Value::ZSet(Box::new(z)), false, (added + updated) as u64)
        }
        Some(_) => {}
        None if added + updated > 0 => k.changed_by((added + updated) as u64),
        None => {}
    }
    if added + updated > 0 {
        let event = if flags.incr { "zincr" } else { "zadd" };
        ctx.notify(NOTIFY_ZSET, event, &args[1]);
    }
    if nan {
        return Err(CmdError::err("resulting score is not a number (NaN)"));
    }
    if flags.incr {
        if processed > 0 {
            ctx.out.double(last);
        } else {
            ctx.out.null();
        }
    } else {
        ctx.out.int(if ch { added + updated } else { added });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Single-key reads.
// ---------------------------------------------------------------------------------------------

/// ZSCORE and ZMSCORE's reply for one member: its score, if the set has it.
fn member_score(z: &ZSet, member: &[u8], out: &mut Out) -> bool {
    z.score(member).map(|s| out.double(s)).is_some()
}

fn rank_generic(ctx: &mut Ctx<'_>, args: &[Bytes], reverse: bool) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    match k
        .read_as::<ZSet>(ctx.client.no_touch)?
        .and_then(|z| z.rank(&args[2], reverse))
    {
        Some(r) => ctx.out.int(r as i64),
        None => ctx.out.null(),
    }
    Ok(())
}

fn zcount(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let range = score_range(&args[2], &args[3])?;
    let span = |z: &ZSet| z.score_span(&range);
    super::count(ctx, args, |z, _| z.map(span).map_or(0, |(lo, hi)| hi - lo))
}

fn zlexcount(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let range = lex_range(&args[2], &args[3])?;
    let span = |z: &ZSet| z.lex_span(&range, false);
    super::count(ctx, args, |z, _| z.map(span).map_or(0, |(lo, hi)| hi - lo))
}

// ---------------------------------------------------------------------------------------------
// ZRANGE and its relatives.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RangeBy {
    Auto,
    Rank,
    Score,
    Lex,
}

/// A parsed range request, before looking at the set.
enum RangeSpec {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// What to read from the source set: ranks `lo..hi`, walked downwards when `reverse`.
struct Selection {
    lo: usize,
    hi: usize,
    reverse: bool,
}

impl RangeSpec {
    /// The ranks the request selects in `z`, with `LIMIT offset count` applied (`count`
    /// negative means no limit, a negative offset selects nothing, as in Redis).
    fn select(&self, z: &ZSet, reverse: bool, offset: i64, count: i64) -> Selection {
        let none = Selection {
            lo: 0,
            hi: 0,
            reverse,
        };
        let (lo, hi) = match self {
            RangeSpec::Rank(start, end) => {
                let Some((lo, hi)) = rank_span(*start, *end, z.len()) else {
                    return none;
                };
                // A reversed rank range counts from the top.
                return if reverse {
                    Selection {
                        lo: z.len() - hi,
                        hi: z.len() - lo,
                        reverse,
                    }
                } else {
                    Selection { lo, hi, reverse }
                };
            }
            RangeSpec::Score(r) => z.score_span(r),
            RangeSpec::Lex(r) => z.lex_span(r, reverse),
        };
        let Ok(offset) = usize::try_from(offset) else {
            return none;
        };
        if let RangeSpec::Lex(r) = self {
            if lo == hi {
                return none;
            }
            // Redis skips `offset` members from the first one in range without checking them,
            // then takes members while they stay in range. With equal scores that is the
            // span; with mixed scores (only meaningful for a listpack) it can differ.
            let limit = usize::try_from(count).unwrap_or(usize::MAX);
            return if reverse {
                let Some(top) = hi.checked_sub(offset).filter(|&t| t > 0) else {
                    return none;
                };
                let n = z
                    .range(0, top, true)
                    .take(limit)
                    .take_while(|(m, _)| r.above_min(m))
                    .count();
                Selection {
                    lo: top - n,
                    hi: top,
                    reverse,
                }
            } else {
                let start = lo.saturating_add(offset).min(z.len());
                let n = z
                    .range(start, z.len(), false)
                    .take(limit)
                    .take_while(|(m, _)| r.below_max(m))
                    .count();
                Selection {
                    lo: start,
                    hi: start + n,
                    reverse,
                }
            };
        }
        let avail = (hi - lo).saturating_sub(offset);
        let n = match usize::try_from(count) {
            Ok(c) => avail.min(c),
            Err(_) => avail,
        };
        if reverse {
            let top = hi.saturating_sub(offset);
            Selection {
                lo: top - n,
                hi: top,
                reverse,
            }
        } else {
            let start = lo + offset.min(hi - lo);
            Selection {
                lo: start,
                hi: start + n,
                reverse,
            }
        }
    }
}

/// ZRANGE, ZRANGESTORE and the older range commands (Redis's `zrangeGenericCommand`): `src`
/// is the index of the source key; `dst` is set for ZRANGESTORE.
fn range_generic(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    src: usize,
    dst: Option<&Bytes>,
    mut by: RangeBy,
    mut reverse: Option<bool>,
) -> CmdResult {
    let mut withscores = false;
    let mut offset = 0i64;
    let mut count = -1i64;
    let mut j = src + 3;
    while let Some(a) = args.get(j) {
        let left = args.len() - j - 1;
        if dst.is_none() && is(a, "withscores") {
            withscores = true;
        } else if is(a, "limit") && left >= 2 {
            offset = int_arg(&args[j + 1])?;
            count = int_arg(&args[j + 2])?;
            j += 2;
        } else if reverse.is_none() && is(a, "rev") {
            reverse = Some(true);
        } else if by == RangeBy::Auto && is(a, "bylex") {
            by = RangeBy::Lex;
        } else if by == RangeBy::Auto && is(a, "byscore") {
            by = RangeBy::Score;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    let reverse = reverse.unwrap_or(false);
    if by == RangeBy::Auto {
        by = RangeBy::Rank;
    }
    if count != -1 && by == RangeBy::Rank {
        return Err(CmdError::err(
            "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if withscores && by == RangeBy::Lex {
        return Err(CmdError::err(
            "syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    let (mut min, mut max) = (&args[src + 1], &args[src + 2]);
    if reverse && by != RangeBy::Rank {
        // Score and lex ranges are written max first when reversed.
        std::mem::swap(&mut min, &mut max);
    }
    let spec = match by {
        RangeBy::Score => RangeSpec::Score(score_range(min, max)?),
        RangeBy::Lex => RangeSpec::Lex(lex_range(min, max)?),
        _ => RangeSpec::Rank(int_arg(min)?, int_arg(max)?),
    };
    match dst {
        None => {
            let mut l = ctx.key(&args[src]);
            let mut k = l.get();
            let Some(z) = k.read_as::<ZSet>(ctx.client.no_touch)? else {
                ctx.out.array(0);
                return Ok(());
            };
            let sel = spec.select(z, reverse, offset, count);
            let n = sel.hi - sel.lo;
            reply_pairs(ctx.out, n, withscores, z.range(sel.lo, sel.hi, sel.reverse));
            Ok(())
        }
        Some(dst) => {
            let lim = limits(ctx);
            let (db, now) = (ctx.client.db, ctx.now);
            let mut m = ctx.keys(&[(db, &args[src][..]), (db, &dst[..])]);
            let picked: Vec<(SmallBytes, f64)> = {
                let Some(mut k) = m.key(db, &args[src], now) else {
                    return Err(CmdError::err("internal error: key not locked"));
                };
                match k.read_as::<ZSet>(ctx.client.no_touch)? {
                    None => Vec::new(),
                    Some(z) => {
                        let sel = spec.select(z, reverse, offset, count);
                        z.range(sel.lo, sel.hi, sel.reverse)
                            .map(|(m, s)| (SmallBytes::new(m), s))
                            .collect()
                    }
                }
            };
            let Some(mut k) = m.key(db, dst, now) else {
                return Err(CmdError::err("internal error: key not locked"));
            };
            if picked.is_empty() {
                if k.delete() {
                    ctx.notify(NOTIFY_GENERIC, "del", dst);
                }
                ctx.out.int(0);
                return Ok(());
            }
            // Redis fills the destination one member at a time, in the order the range is
            // read, starting from a skiplist only when a rank range is known to be too long.
            // That order is observable: members that went into a listpack before it converted
            // kept a negative zero score as zero.
            let mut z = if by == RangeBy::Rank && picked.len() > lim.max_entries {
                ZSet::new_skiplist()
            } else {
                ZSet::new()
            };
            for (member, score) in &picked {
                z.insert_new(member, *score, &lim);
            }
            k.set(Value::ZSet(Box::new(z)), false);
            ctx.notify(NOTIFY_ZSET, "zrangestore", dst);
            ctx.out.int(picked.len() as i64);
            Ok(())
        }
    }
}

/// Emits the notifications of a removal: `event` when something was removed, then `del` when
/// the set was emptied (and so deleted).
fn notify_removed(ctx: &Ctx<'_>, key: &[u8], event: &str, removed: bool, emptied: bool) {
    if removed {
        ctx.notify(NOTIFY_ZSET, event, key);
    }
    if emptied {
        ctx.notify(NOTIFY_GENERIC, "del", key);
    }
}

/// Stores a computed set under a key (replacing whatever was there, TTL included) and replies
/// with its size; an empty result deletes the key instead. The encoding follows Redis: a
/// listpack when the result fits the limits, a skiplist otherwise.
fn store_result(k: &mut KeyRef<'_>, items: Vec<(SmallBytes, f64)>, lim: &Limits, out: &mut Out) {
    let n = items.len();
    if n == 0 {
        k.delete();
        out.int(0);
        return;
    }
    let longest = items.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
    let total = items.iter().map(|(m, _)| m.len()).sum::<usize>();
    let z = ZSet::from_unique(items, lim.fits(n, longest, total));
    k.set(Value::ZSet(Box::new(z)), false);
    out.int(n as i64);
}

// ---------------------------------------------------------------------------------------------
// ZREMRANGEBY*.
// ---------------------------------------------------------------------------------------------

fn zremrangebyrank(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let spec = RangeSpec::Rank(int_arg(&args[2])?, int_arg(&args[3])?);
    remrange_generic(ctx, args, spec)
}

fn zremrangebyscore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let spec = RangeSpec::Score(score_range(&args[2], &args[3])?);
    remrange_generic(ctx, args, spec)
}

fn zremrangebylex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let spec = RangeSpec::Lex(lex_range(&args[2], &args[3])?);
    remrange_generic(ctx, args, spec)
}

fn remrange_generic(ctx: &mut Ctx<'_>, args: &[Bytes], spec: RangeSpec) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let Some(z) = k.get_mut_as::<ZSet>()? else {
        ctx.out.int(0);
        return Ok(());
    };
    let sel = spec.select(z, false, 0, -1);
    let removed = z.remove_ranks(sel.lo, sel.hi);
    let emptied = z.is_empty();
    if removed > 0 {
        k.changed_or_emptied(emptied, removed as u64);
    }
    let event = match spec {
        RangeSpec::Rank(..) => "zremrangebyrank",
        RangeSpec::Score(_) => "zremrangebyscore",
        RangeSpec::Lex(_) => "zremrangebylex",
    };
    notify_removed(ctx, &args[1], event, removed > 0, emptied);
    ctx.out.int(removed as i64);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Pops.
// ---------------------------------------------------------------------------------------------

/// How a pop reply is shaped (Redis's `genericZpopCommand` flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PopShape {
    /// Name the key the members came from (BZPOPMIN/BZPOPMAX, ZMPOP, BZMPOP).
    pub emit_key: bool,
    /// One array per (member, score) pair instead of a flat list (ZMPOP, BZMPOP, and
    /// ZPOPMIN/ZPOPMAX with a count in RESP3).
    pub nested: bool,
}

/// Pops up to `count` members from the first non-empty sorted set among `keys` and writes the
/// reply in `shape`. Returns `Ok(false)`, having written nothing, when every key is missing;
/// the caller then replies (or, for the blocking pops, blocks). A key of the wrong type before
/// the first sorted set is an error. This is the shared core of ZPOPMIN, ZPOPMAX, ZMPOP and
/// the blocking pops.
pub fn pop_first(
    ctx: &mut Ctx<'_>,
    keys: &[Bytes],
    max: bool,
    count: usize,
    shape: PopShape,
) -> Result<bool, CmdError> {
    let (db, now) = (ctx.client.db, ctx.now);
    let names: Vec<(usize, &[u8])> = keys.iter().map(|k| (db, &k[..])).collect();
    let mut m = ctx.keys(&names);
    for key in keys {
        let Some(mut k) = m.key(db, key, now) else {
            continue;
        };
        let Some(z) = k.get_mut_as::<ZSet>()? else {
            continue;
        };
        let popped = z.pop(max, count);
        let empty = z.is_empty();
        k.changed_or_emptied(empty, popped.len() as u64);
        write_popped(ctx.out, key, &popped, shape);
        // Every pop propagates as the plain pop that happened, with the count popped (the
        // blocking and multi-key forms too), as in Redis.
        ctx.propagate(|| {
            let name: &[u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
            if count == 1 && !shape.nested {
                super::argv([name, key])
            } else {
                super::argv([name, key, popped.len().to_string().as_bytes()])
            }
        });
        let event = if max { "zpopmax" } else { "zpopmin" };
        notify_removed(ctx, key, event, !popped.is_empty(), empty);
        return Ok(true);
    }
    Ok(false)
}

/// Writes popped members in one of Redis's pop reply shapes.
pub fn write_popped(out: &mut Out, key: &[u8], popped: &[(SmallBytes, f64)], shape: PopShape) {
    match (shape.emit_key, shape.nested) {
        (false, false) => out.array(popped.len() * 2),
        (false, true) => out.array(popped.len()),
        (true, false) => {
            out.array(popped.len() * 2 + 1);
            out.bulk(key);
        }
        (true, true) => {
            out.array(2);
            out.bulk(key);
            out.array(popped.len());
        }
    }
    for (m, s) in popped {
        if shape.nested {
            out.array(2);
        }
        out.bulk(m);
        out.double(*s);
    }
}

fn zpop_minmax(ctx: &mut Ctx<'_>, args: &[Bytes], max: bool) -> CmdResult {
    if args.len() > 3 {
        return Err(CmdError::Syntax);
    }
    let count = match args.get(2) {
        None => None,
        Some(a) => Some(ranged_arg(
            a,
            0,
            i64::MAX,
            Some("value is out of range, must be positive"),
        )?),
    };
    let shape = PopShape {
        emit_key: false,
        nested: ctx.out.proto >= 3 && count.is_some(),
    };
    let keys = &args[1..2];
    if count == Some(0) {
        // Still checks the key's type, as Redis does before looking at the count.
        let mut l = ctx.key(&args[1]);
        let k = l.get();
        if let Some(v) = k.peek() {
            if !matches!(v, Value::ZSet(_)) {
                return Err(CmdError::WrongType);
            }
        }
        ctx.out.array(0);
        return Ok(());
    }
    let n = count.map_or(1, |c| usize::try_from(c).unwrap_or(usize::MAX));
    if !pop_first(ctx, keys, max, n, shape)? {
        ctx.out.array(0);
    }
    Ok(())
}

fn zmpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (keys, which, count) = super::mpop_args(args, 1)?;
    let max = min_or_max(which)?;
    let shape = PopShape {
        emit_key: true,
        nested: true,
    };
    if !pop_first(ctx, keys, max, count.unwrap_or(1), shape)? {
        ctx.out.null_array();
    }
    Ok(())
}

/// Parses MIN or MAX: whether to pop the highest scores.
pub fn min_or_max(a: &[u8]) -> Result<bool, CmdError> {
    keyword(a, &[("min", false), ("max", true)])
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER.
// ---------------------------------------------------------------------------------------------

fn zrandmember(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut withscores = false;
    let count = match args.get(2) {
        None => None,
        Some(a) => {
            let n = ranged_arg(a, -i64::MAX, i64::MAX, None)?;
            if args.len() > 4 || (args.len() == 4 && !is(&args[3], "withscores")) {
                return Err(CmdError::Syntax);
            }
            if args.len() == 4 {
                withscores = true;
                if !(-i64::MAX / 2..=i64::MAX / 2).contains(&n) {
                    return Err(CmdError::err("value is out of range"));
                }
            }
            if n < 0 && n.unsigned_abs() > RANDOM_REPLY_MAX as u64 {
                return Err(CmdError::err(format!(
                    "value is out of range, value must between -{RANDOM_REPLY_MAX} and {}",
                    i64::MAX
                )));
            }
            Some(n)
        }
    };
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let z = k.read_as::<ZSet>(ctx.client.no_touch)?;
    let out = &mut *ctx.out;
    let Some(n) = count else {
        match z.and_then(|z| z.nth(fastrand::usize(..z.len().max(1)))) {
            Some((m, _)) => out.bulk(m),
            None => out.null(),
        }
        return Ok(());
    };
    let z = match z {
        Some(z) if n != 0 => z,
        _ => {
            out.array(0);
            return Ok(());
        }
    };
    let size = z.len();
    let ranked = z.ranked();
    if n < 0 || n == 1 {
        // Repeats allowed: independent uniform draws.
        let n = n.unsigned_abs() as usize;
        let picks = (0..n).filter_map(|_| ranked.get(fastrand::usize(..size)));
        reply_pairs(out, n, withscores, picks);
        return Ok(());
    }
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    if n >= size {
        // The whole set, highest first: Redis walks sorted sets downwards here.
        reply_pairs(out, size, withscores, z.range(0, size, true));
        return Ok(());
    }
    // Distinct picks: a partial shuffle when most of the set is wanted, otherwise random
    // draws with rejection of repeats.
    let ranks: Vec<usize> = if n * 3 > size {
        let mut all: Vec<usize> = (0..size).collect();
        for i in 0..n {
            let j = fastrand::usize(i..size);
            all.swap(i, j);
        }
        all.truncate(n);
        all
    } else {
        let mut seen = std::collections::HashSet::with_capacity(n);
        let mut picks = Vec::with_capacity(n);
        while picks.len() < n {
            let r = fastrand::usize(..size);
            if seen.insert(r) {
                picks.push(r);
            }
        }
        picks
    };
    reply_pairs(
        out,
        ranks.len(),
        withscores,
        ranks.iter().filter_map(|&r| ranked.get(r)),
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

/// Combines two scores as Redis's `zunionInterAggregate`: a sum of opposite infinities is 0,
/// and a NaN operand of MIN or MAX leaves the target unchanged.
#[inline]
fn aggregate(target: &mut f64, val: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *target += val;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if val < *target {
                *target = val;
            }
        }
        Aggregate::Max => {
            if val > *target {
                *target = val;
            }
        }
    }
}

/// One input of a set operation: a sorted set, or a plain set whose members all score 1.
enum Src<'a> {
    Z(&'a ZSet),
    S(&'a Set),
}

impl Src<'_> {
    fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        match self {
            Src::Z(z) => z.iter().for_each(|(m, s)| f(m, s)),
            Src::S(s) => s.iter().for_each(|m| m.with_bytes(|b| f(b, 1.0))),
        }
    }

    fn get(&self, member: &[u8]) -> Option<f64> {
        match self {
            Src::Z(z) => z.score(member),
            Src::S(s) => s.contains(member).then_some(1.0),
        }
    }
}

/// Looks at a key's value as a set-operation input: `Ok(None)` when missing.
fn as_src(v: Option<&Value>) -> Result<Option<Src<'_>>, CmdError> {
    match v {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(Src::Z(z))),
        Some(Value::Set(s)) => Ok(Some(Src::S(s))),
        Some(_) => Err(CmdError::WrongType),
    }
}

/// Redis's `zunionInterDiffGenericCommand`.
fn setop_generic(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    name: &str,
    dst: Option<&Bytes>,
    numkeys_idx: usize,
    op: SetOp,
    card_only: bool,
) -> CmdResult {
    let setnum = int_arg(&args[numkeys_idx])?;
    if setnum < 1 {
        return Err(CmdError::err(format!(
            "at least 1 input key is needed for '{name}' command"
        )));
    }
    let first = numkeys_idx + 1;
    let setnum = match usize::try_from(setnum) {
        Ok(n) if n <= args.len() - first => n,
        _ => return Err(CmdError::Syntax),
    };
    let keys = &args[first..first + setnum];
    let (db, now) = (ctx.client.db, ctx.now);
    let mut names: Vec<(usize, &[u8])> = keys.iter().map(|k| (db, &k[..])).collect();
    if let Some(d) = dst {
        names.push((db, d));
    }
    let mut m = ctx.keys(&names);

    // Look every input up first: a wrong type is reported before any option error.
    let mut sizes = Vec::with_capacity(setnum);
    for key in keys {
        let Some(mut k) = m.key(db, key, now) else {
            return Err(CmdError::err("internal error: key not locked"));
        };
        let len = match as_src(k.read(ctx.client.no_touch))? {
            None => 0,
            Some(Src::Z(z)) => z.len(),
            Some(Src::S(s)) => s.len(),
        };
        sizes.push(len);
    }

    let mut weights = vec![1.0f64; setnum];
    let mut how = Aggregate::Sum;
    let mut withscores = false;
    let mut limit = 0usize;
    let mut j = first + setnum;
    while j < args.len() {
        let remaining = args.len() - j;
        let a = &args[j];
        if op != SetOp::Diff && !card_only && remaining > setnum && is(a, "weights") {
            for (i, w) in weights.iter_mut().enumerate() {
                *w = parse_f64(&args[j + 1 + i])
                    .ok_or_else(|| CmdError::err("weight value is not a float"))?;
            }
            j += 1 + setnum;
        } else if op != SetOp::Diff && !card_only && remaining >= 2 && is(a, "aggregate") {
            let words = [
                ("sum", Aggregate::Sum),
                ("min", Aggregate::Min),
                ("max", Aggregate::Max),
            ];
            how = keyword(&args[j + 1], &words)?;
            j += 2;
        } else if dst.is_none() && !card_only && is(a, "withscores") {
            withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && is(a, "limit") {
            let v = ranged_arg(&args[j + 1], 0, i64::MAX, Some("LIMIT can't be negative"))?;
            limit = usize::try_from(v).unwrap_or(usize::MAX);
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }

    // Inputs in processing order: by size for union and intersection (stable, as Redis's
    // qsort is on these inputs), as given for difference.
    let mut order: Vec<usize> = (0..setnum).collect();
    if op != SetOp::Diff {
        order.sort_by_key(|&i| sizes[i]);
    }

    let mut acc: HashMap<Vec<u8>, f64> = HashMap::new();
    match op {
        SetOp::Union => {
            for &i in &order {
                if sizes[i] == 0 {
                    continue;
                }
                let Some(k) = m.key(db, &keys[i], now) else {
                    continue;
                };
                let Some(src) = as_src(k.peek())? else {
                    continue;
                };
                let w = weights[i];
                src.for_each(|member, s| {
                    let mut score = w * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    match acc.get_mut(member) {
                        Some(t) => aggregate(t, score, how),
                        None => {
                            acc.insert(member.to_vec(), score);
                        }
                    }
                });
            }
        }
        SetOp::Inter => {
            if sizes[order[0]] > 0 {
                for (pos, &i) in order.iter().enumerate() {
                    let Some(k) = m.key(db, &keys[i], now) else {
                        continue;
                    };
                    let Some(src) = as_src(k.peek())? else {
                        acc.clear();
                        break;
                    };
                    let w = weights[i];
                    if pos == 0 {
                        src.for_each(|member, s| {
                            let mut score = w * s;
                            if score.is_nan() {
                                score = 0.0;
                            }
                            acc.insert(member.to_vec(), score);
                        });
                    } else {
                        acc.retain(|member, t| match src.get(member) {
                            Some(v) => {
                                aggregate(t, v * w, how);
                                true
                            }
                            None => false,
                        });
                    }
                    if acc.is_empty() {
                        break;
                    }
                }
            }
        }
        SetOp::Diff => {
            // The same key subtracted from itself leaves nothing.
            let self_subtract = keys[1..].iter().any(|k| k == &keys[0]);
            if sizes[0] > 0 && !self_subtract {
                for (i, key) in keys.iter().enumerate() {
                    if i > 0 && sizes[i] == 0 {
                        continue;
                    }
                    let Some(k) = m.key(db, key, now) else {
                        continue;
                    };
                    let Some(src) = as_src(k.peek())? else {
                        continue;
                    };
                    if i == 0 {
                        src.for_each(|member, s| {
                            acc.insert(member.to_vec(), s);
                        });
                    } else {
                        src.for_each(|member, _| {
                            acc.remove(member);
                        });
                    }
                    if acc.is_empty() {
                        break;
                    }
                }
            }
        }
    }

    if card_only {
        let n = if limit > 0 {
            acc.len().min(limit)
        } else {
            acc.len()
        };
        ctx.out.int(n as i64);
        return Ok(());
    }
    let items: Vec<(SmallBytes, f64)> = acc
        .into_iter()
        .map(|(member, s)| (SmallBytes::new(&member), s))
        .collect();
    match dst {
        Some(d) => {
            let lim = limits(ctx);
            let Some(mut k) = m.key(db, d, now) else {
                return Err(CmdError::err("internal error: key not locked"));
            };
            let stored = !items.is_empty();
            store_result(&mut k, items, &lim, ctx.out);
            if stored {
                ctx.notify(NOTIFY_ZSET, name, d);
            }
        }
        None => {
            let n = items.len();
            let z = ZSet::from_unique(items, false);
            reply_pairs(ctx.out, n, withscores, z.iter());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// ZSCAN.
// ---------------------------------------------------------------------------------------------

fn zscan(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    super::scan_collection(ctx, args, |z: &ZSet, cursor, count, found| {
        // A listpack reports scores as its entries store them (integers as integers); the
        // large encoding prints them as `%.17g` does.
        let listpack = z.is_listpack();
        let mut text = Vec::with_capacity(24);
        z.scan(cursor, count, |m, s| {
            if !found.matches(m) {
                return;
            }
            text.clear();
            if listpack {
                format_double_d2string(s, &mut text);
            } else {
                format_double(s, &mut text);
            }
            found.push(m);
            found.push(&text);
        })
    })
}
