//! The geospatial family: positions stored as 52-bit geohash scores in a sorted set.
//!
//! GEOADD turns its triples into a ZADD (as Redis does), so everything about sorted sets
//! (encodings, notifications, WATCH) applies unchanged; the position math is in `storage::geo`.
//!
//! GEOSEARCH, GEOSEARCHSTORE and the older GEORADIUS forms share one implementation, as in
//! Redis: the arguments are parsed in Redis's order (so the same error wins when several are
//! wrong), the shape becomes at most nine score ranges of the sorted set, each member in them is
//! kept when it lies inside the shape, and the hits are sorted, cut to COUNT, then replied or
//! stored.

use std::cmp::Ordering;

use bytes::Bytes;
use storage::geo::{self, Search, Shape};
use storage::small::SmallBytes;
use storage::value::Value;
use storage::zset::{ScoreRange, ZSet};

use super::zset::zadd;
use crate::base::config::{NOTIFY_GENERIC, NOTIFY_ZSET};
use crate::base::error::{CmdError, CmdResult};
use crate::base::reply::Out;
use crate::command::ctx::{is, Ctx};
use crate::command::{acl, flag, key, Command, KEY12};
const G: &str = "geo";
const RD: u64 = acl::READ | acl::GEO | acl::SLOW;
const WR: u64 = acl::WRITE | acl::GEO | acl::SLOW;

use crate::command::keyed as c;

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    c("geoadd", -5, flag::WRITE | flag::DENYOOM, WR, geoadd).key_flags(key::RW | key::UPDATE).doc(G, "3.2.0", "Adds members with their longitude and latitude to a geospatial index."),
    c("geopos", -2, flag::READONLY, RD, geopos).key_flags(key::RO | key::ACCESS).doc(G, "3.2.0", "Returns the longitude and latitude of members of a geospatial index."),
    c("geodist", -4, flag::READONLY, RD, geodist).key_flags(key::RO | key::ACCESS).doc(G, "3.2.0", "Returns the distance between two members of a geospatial index."),
    c("geohash", -2, flag::READONLY, RD, geohash).key_flags(key::RO | key::ACCESS).doc(G, "3.2.0", "Returns members of a geospatial index as geohash strings."),
    c("geosearch", -7, flag::READONLY, RD, |ctx, args| search_generic(ctx, args, Kind::Search)).key_flags(key::RO | key::ACCESS).doc(G, "6.2.0", "Returns the members of a geospatial index inside a circle or a box."),
    c("geosearchstore", -8, flag::WRITE | flag::DENYOOM, WR, |ctx, args| search_generic(ctx, args, Kind::SearchStore)).keys(KEY12).key_flags_split(key::OW | key::UPDATE, key::RO | key::ACCESS).doc(G, "6.2.0", "Stores the members of a geospatial index inside a circle or a box in another key."),
    c("georadius", -6, flag::WRITE | flag::DENYOOM, WR, |ctx, args| search_generic(ctx, args, Kind::Radius { read_only: false })).keyfn(radius_store_keys).key_flags_split(key::RO | key::ACCESS, key::OW | key::UPDATE).doc(G, "3.2.0", "Returns (or stores) the members of a geospatial index within a distance of a point."),
    c("georadius_ro", -6, flag::READONLY, RD, |ctx, args| search_generic(ctx, args, Kind::Radius { read_only: true })).key_flags(key::RO | key::ACCESS).doc(G, "3.2.10", "The read-only form of GEORADIUS."),
    c("georadiusbymember", -5, flag::WRITE | flag::DENYOOM, WR, |ctx, args| search_generic(ctx, args, Kind::ByMember { read_only: false })).keyfn(bymember_store_keys).key_flags_split(key::RO | key::ACCESS, key::OW | key::UPDATE).doc(G, "3.2.0", "Returns (or stores) the members of a geospatial index within a distance of a member."),
    c("georadiusbymember_ro", -5, flag::READONLY, RD, |ctx, args| search_generic(ctx, args, Kind::ByMember { read_only: true })).key_flags(key::RO | key::ACCESS).doc(G, "3.2.10", "The read-only form of GEORADIUSBYMEMBER."),
];

/// A longitude/latitude pair argument, checked against the projection's limits.
fn lon_lat(lon: &[u8], lat: &[u8]) -> Result<(f64, f64), CmdError> {
    let lon = strnum::parse_f64(lon).ok_or(CmdError::NotFloat)?;
    let lat = strnum::parse_f64(lat).ok_or(CmdError::NotFloat)?;
    if !geo::valid(lon, lat) {
        return Err(CmdError::err(format!(
            "invalid longitude,latitude pair {lon:.6},{lat:.6}"
        )));
    }
    Ok((lon, lat))
}

fn geoadd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut at = 2;
    let (mut nx, mut xx) = (false, false);
    while let Some(a) = args.get(at) {
        if is(a, "nx") {
            nx = true;
        } else if is(a, "xx") {
            xx = true;
        } else if !is(a, "ch") {
            break;
        }
        at += 1;
    }
    let triples = &args[at..];
    if triples.is_empty() || !triples.len().is_multiple_of(3) || (nx && xx) {
        return Err(CmdError::Syntax);
    }
    // ZADD key [options] score member ..., with each position encoded as its score.
    let mut zargs: Vec<Bytes> = Vec::with_capacity(at + triples.len() / 3 * 2);
    zargs.push(Bytes::from_static(b"zadd"));
    zargs.extend_from_slice(&args[1..at]);
    for t in triples.chunks(3) {
        let (lon, lat) = lon_lat(&t[0], &t[1])?;
        let bits = geo::encode(lon, lat).unwrap_or(0);
        zargs.push(Bytes::from(bits.to_string()));
        zargs.push(t[2].clone());
    }
    zadd(ctx, &zargs)
}

/// Writes a coordinate as Redis's human-friendly long double (a RESP3 double, or a bulk string).
fn coordinate(out: &mut Out, v: f64) {
    let mut text = Vec::new();
    strnum::format_long_double(v, &mut text);
    if out.proto >= 3 {
        out.buf.extend_from_slice(b",");
        out.buf.extend_from_slice(&text);
        out.buf.extend_from_slice(b"\r\n");
    } else {
        out.bulk(&text);
    }
}

/// Writes a distance as Redis does: a bulk string with four decimals, in every protocol.
fn distance_reply(out: &mut Out, d: f64) {
    let mut text = Vec::with_capacity(16);
    geo::format_distance(d, &mut text);
    out.bulk(&text);
}

/// The decoded positions of members of the sorted set at `key` (`None` for missing members).
fn positions(
    ctx: &Ctx<'_>,
    key: &[u8],
    members: &[Bytes],
) -> Result<Vec<Option<(f64, f64)>>, CmdError> {
    let mut l = ctx.key(key);
    let mut k = l.get();
    let z = k.read_as::<ZSet>(ctx.client.no_touch)?;
    Ok(members
        .iter()
        .map(|m| z.and_then(|z| z.score(m)).map(geo::decode_score))
        .collect())
}

fn geopos(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let found = positions(ctx, &args[1], &args[2..])?;
    ctx.out.array(found.len());
    for p in found {
        match p {
            Some((lon, lat)) => {
                ctx.out.array(2);
                coordinate(ctx.out, lon);
                coordinate(ctx.out, lat);
            }
            None => ctx.out.null_array(),
        }
    }
    Ok(())
}

fn geodist(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let to_meters = match args.get(4) {
        None => 1.0,
        Some(u) if args.len() == 5 => geo::unit(u)
            .ok_or_else(|| CmdError::err("unsupported unit provided. please use M, KM, FT, MI"))?,
        Some(_) => return Err(CmdError::Syntax),
    };
    let found = positions(ctx, &args[1], &args[2..4])?;
    match (
        found.first().copied().flatten(),
        found.get(1).copied().flatten(),
    ) {
        (Some((lon1, lat1)), Some((lon2, lat2))) => {
            distance_reply(ctx.out, geo::distance(lon1, lat1, lon2, lat2) / to_meters);
        }
        _ => ctx.out.null(),
    }
    Ok(())
}

fn geohash(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let found = positions(ctx, &args[1], &args[2..])?;
    ctx.out.array(found.len());
    for p in found {
        match p {
            Some((lon, lat)) => ctx.out.bulk(&geo::geohash_string(lon, lat)),
            None => ctx.out.null(),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and the read-only forms.
// ---------------------------------------------------------------------------------------------

/// Which search command is running: it decides where the options start, which options are
/// accepted and how the centre is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// GEORADIUS key lon lat radius unit (STORE allowed unless read-only).
    Radius { read_only: bool },
    /// GEORADIUSBYMEMBER key member radius unit (STORE allowed unless read-only).
    ByMember { read_only: bool },
    /// GEOSEARCH key FROM... BY...
    Search,
    /// GEOSEARCHSTORE dst key FROM... BY... [STOREDIST]
    SearchStore,
}

impl Kind {
    /// Index of the source key.
    fn src(self) -> usize {
        if self == Kind::SearchStore {
            2
        } else {
            1
        }
    }

    /// Index of the first option.
    fn base(self) -> usize {
        match self {
            Kind::Radius { .. } => 6,
            Kind::ByMember { .. } => 5,
            Kind::Search => 2,
            Kind::SearchStore => 3,
        }
    }

    /// Whether STORE and STOREDIST (with a key) are accepted.
    fn takes_store(self) -> bool {
        matches!(
            self,
            Kind::Radius { read_only: false } | Kind::ByMember { read_only: false }
        )
    }

    /// Whether this is GEOSEARCH or GEOSEARCHSTORE (FROM.../BY... options).
    fn is_search(self) -> bool {
        matches!(self, Kind::Search | Kind::SearchStore)
    }
}

/// The order of the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    /// The order the cells are scanned in.
    None,
    /// Nearest first.
    Asc,
    /// Farthest first.
    Desc,
}

/// A parsed search.
struct Query {
    /// The centre and shape; `None` when the source key is missing and the centre would have
    /// been one of its members (the reply is empty then anyway).
    search: Option<Search>,
    withdist: bool,
    withhash: bool,
    withcoord: bool,
    sort: Sort,
    /// Stop scanning once COUNT hits are found (ANY).
    any: bool,
    /// At most this many results; 0 for all.
    count: usize,
    /// Where to store the results, and whether their scores are the distances.
    store: Option<(usize, bool)>,
}

/// One member found inside the shape.
struct Hit<'a> {
    member: &'a [u8],
    score: f64,
    /// Distance from the centre, in meters until the reply converts it to the unit.
    dist: f64,
    lon: f64,
    lat: f64,
}

/// The destination keys of GEORADIUS, as its key specifications find them (COMMAND GETKEYS):
/// the key after the first STORE, then the key after the first STOREDIST, searched from the
/// first option on.
fn radius_store_keys(args: &[Bytes]) -> Vec<usize> {
    keyword_keys(args, 6)
}

/// The destination keys of GEORADIUSBYMEMBER (see `radius_store_keys`).
fn bymember_store_keys(args: &[Bytes]) -> Vec<usize> {
    keyword_keys(args, 5)
}

/// For STORE then STOREDIST: the argument after the keyword's first occurrence at or after
/// `from` (the last argument cannot be a keyword, since no key follows it).
fn keyword_keys(args: &[Bytes], from: usize) -> Vec<usize> {
    ["store", "storedist"]
        .iter()
        .filter_map(|kw| {
            (from..args.len().saturating_sub(1))
                .find(|&i| is(&args[i], kw))
                .map(|i| i + 1)
        })
        .collect()
}

/// Where the destination key is, found by walking the options the way the parser consumes
/// them (so it agrees with the parse whenever the parse succeeds), before any key is locked.
fn store_index(args: &[Bytes], kind: Kind) -> Option<usize> {
    match kind {
        Kind::SearchStore => return Some(1),
        Kind::Search => return None,
        _ if !kind.takes_store() => return None,
        _ => {}
    }
    let mut found = None;
    let mut i = kind.base();
    while i < args.len() {
        let a = &args[i];
        if is(a, "count") && i + 1 < args.len() {
            i += 1;
        } else if (is(a, "store") || is(a, "storedist")) && i + 1 < args.len() {
            found = Some(i + 1);
            i += 1;
        }
        i += 1;
    }
    found
}

/// A radius and its unit: the radius in the unit and the unit's length in meters.
fn radius_arg(radius: &[u8], unit: &[u8]) -> Result<(f64, f64), CmdError> {
    let r = strnum::parse_f64(radius).ok_or_else(|| CmdError::err("need numeric radius"))?;
    if r < 0.0 {
        return Err(CmdError::err("radius cannot be negative"));
    }
    Ok((r, unit_arg(unit)?))
}

/// A box's width, height and unit.
fn box_arg(width: &[u8], height: &[u8], unit: &[u8]) -> Result<(f64, f64, f64), CmdError> {
    let w = strnum::parse_f64(width).ok_or_else(|| CmdError::err("need numeric width"))?;
    let h = strnum::parse_f64(height).ok_or_else(|| CmdError::err("need numeric height"))?;
    if h < 0.0 || w < 0.0 {
        return Err(CmdError::err("height or width cannot be negative"));
    }
    Ok((w, h, unit_arg(unit)?))
}

/// A unit's length in meters.
fn unit_arg(unit: &[u8]) -> Result<f64, CmdError> {
    geo::unit(unit)
        .ok_or_else(|| CmdError::err("unsupported unit provided. please use M, KM, FT, MI"))
}

/// The position of a member of the source set, or Redis's error when it is not there.
fn member_position(z: &ZSet, member: &[u8]) -> Result<(f64, f64), CmdError> {
    z.score(member)
        .map(geo::decode_score)
        .ok_or_else(|| CmdError::err("could not decode requested zset member"))
}

/// Parses a search command's arguments in Redis's order. `z` is the source set (already
/// type-checked), needed to place a member used as the centre.
fn parse(args: &[Bytes], kind: Kind, z: Option<&ZSet>) -> Result<Query, CmdError> {
    let mut centre: Option<(f64, f64)> = None;
    let mut shape: Option<(Shape, f64)> = None;
    match kind {
        Kind::Radius { .. } => {
            centre = Some(lon_lat(&args[2], &args[3])?);
            let (r, to_m) = radius_arg(&args[4], &args[5])?;
            shape = Some((Shape::Radius(r), to_m));
        }
        Kind::ByMember { .. } => {
            // Without the key Redis goes on to the options without reading the radius.
            if let Some(z) = z {
                centre = Some(member_position(z, &args[2])?);
                let (r, to_m) = radius_arg(&args[3], &args[4])?;
                shape = Some((Shape::Radius(r), to_m));
            }
        }
        Kind::Search | Kind::SearchStore => {}
    }
    let mut q = Query {
        search: None,
        withdist: false,
        withhash: false,
        withcoord: false,
        sort: Sort::None,
        any: false,
        count: 0,
        store: (kind == Kind::SearchStore).then_some((1, false)),
    };
    let (mut from_member, mut from_lonlat, mut by_radius, mut by_box) =
        (false, false, false, false);
    let n = args.len();
    let mut i = kind.base();
    while i < n {
        let a = &args[i];
        // How many arguments follow this one.
        let rest = n - i - 1;
        if is(a, "withdist") {
            q.withdist = true;
        } else if is(a, "withhash") {
            q.withhash = true;
        } else if is(a, "withcoord") {
            q.withcoord = true;
        } else if is(a, "any") {
            q.any = true;
        } else if is(a, "asc") {
            q.sort = Sort::Asc;
        } else if is(a, "desc") {
            q.sort = Sort::Desc;
        } else if is(a, "count") && rest >= 1 {
            let c = strnum::parse_i64(&args[i + 1]).ok_or(CmdError::NotInteger)?;
            if c <= 0 {
                return Err(CmdError::err("COUNT must be > 0"));
            }
            // No search can return more members than a set holds, so clamping loses nothing.
            q.count = usize::try_from(c).unwrap_or(usize::MAX);
            i += 1;
        } else if (is(a, "store") || is(a, "storedist")) && rest >= 1 && kind.takes_store() {
            q.store = Some((i + 1, is(a, "storedist")));
            i += 1;
        } else if is(a, "storedist") && kind == Kind::SearchStore {
            q.store = Some((1, true));
        } else if is(a, "frommember") && rest >= 1 && kind.is_search() && !from_lonlat {
            // Without the key the member cannot be placed; the reply is empty anyway.
            if let Some(z) = z {
                centre = Some(member_position(z, &args[i + 1])?);
            }
            from_member = true;
            i += 1;
        } else if is(a, "fromlonlat") && rest >= 2 && kind.is_search() && !from_member {
            centre = Some(lon_lat(&args[i + 1], &args[i + 2])?);
            from_lonlat = true;
            i += 2;
        } else if is(a, "byradius") && rest >= 2 && kind.is_search() && !by_box {
            let (r, to_m) = radius_arg(&args[i + 1], &args[i + 2])?;
            shape = Some((Shape::Radius(r), to_m));
            by_radius = true;
            i += 2;
        } else if is(a, "bybox") && rest >= 3 && kind.is_search() && !by_radius {
            let (w, h, to_m) = box_arg(&args[i + 1], &args[i + 2], &args[i + 3])?;
            shape = Some((
                Shape::Box {
                    width: w,
                    height: h,
                },
                to_m,
            ));
            by_box = true;
            i += 3;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if q.store.is_some() && (q.withdist || q.withhash || q.withcoord) {
        let what = if kind == Kind::SearchStore {
            "GEOSEARCHSTORE"
        } else {
            "STORE option in GEORADIUS"
        };
        return Err(CmdError::err(format!(
            "{what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        )));
    }
    let name = String::from_utf8_lossy(&args[0]);
    if kind.is_search() && !(from_member || from_lonlat) {
        return Err(CmdError::err(format!(
            "exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        )));
    }
    if kind.is_search() && !(by_radius || by_box) {
        return Err(CmdError::err(format!(
            "exactly one of BYRADIUS and BYBOX can be specified for {name}"
        )));
    }
    if q.any && q.count == 0 {
        return Err(CmdError::err("the ANY argument requires COUNT argument"));
    }
    // COUNT without an order means the nearest ones, unless ANY asks for whichever come first.
    if q.count != 0 && q.sort == Sort::None && !q.any {
        q.sort = Sort::Asc;
    }
    if let (Some((lon, lat)), Some((shape, to_meters))) = (centre, shape) {
        q.search = Some(Search {
            lon,
            lat,
            shape,
            to_meters,
        });
    }
    Ok(q)
}

/// The members of `z` inside the search's shape, sorted as asked and cut to COUNT (with their
/// distances still in meters).
fn run<'a>(z: &'a ZSet, q: &Query, search: &Search) -> Vec<Hit<'a>> {
    let limit = if q.any { q.count } else { 0 };
    let full = |hits: &Vec<Hit<'_>>| limit != 0 && hits.len() >= limit;
    let mut hits: Vec<Hit<'a>> = Vec::new();
    for (min, max) in search.score_ranges() {
        if full(&hits) {
            break;
        }
        let range = ScoreRange {
            min: min as f64,
            max: max as f64,
            min_exclusive: false,
            max_exclusive: true,
        };
        let (lo, hi) = z.score_span(&range);
        for (member, score) in z.range(lo, hi, false) {
            if let Some((dist, lon, lat)) = search.matches(score) {
                hits.push(Hit {
                    member,
                    score,
                    dist,
                    lon,
                    lat,
                });
            }
            if full(&hits) {
                break;
            }
        }
    }
    let keep = if q.count == 0 {
        hits.len()
    } else {
        hits.len().min(q.count)
    };
    if q.sort != Sort::None {
        let desc = q.sort == Sort::Desc;
        // Redis's comparator: only the distance counts, ties stay where the sort leaves them.
        let cmp = move |a: &Hit<'_>, b: &Hit<'_>| {
            let o = if a.dist > b.dist {
                Ordering::Greater
            } else if a.dist == b.dist {
                Ordering::Equal
            } else {
                Ordering::Less
            };
            if desc {
                o.reverse()
            } else {
                o
            }
        };
        if keep == hits.len() {
            // Redis sorts everything with the C library's (stable, merge) sort.
            hits.sort_by(cmp);
        } else {
            geo::partial_sort(&mut hits, keep, &cmp);
        }
    }
    hits.truncate(keep);
    hits
}

/// Replies with the hits, each a bare member or an array with the requested extras.
fn reply_hits(out: &mut Out, q: &Query, to_meters: f64, hits: &[Hit<'_>]) {
    let extras = usize::from(q.withdist) + usize::from(q.withhash) + usize::from(q.withcoord);
    out.array(hits.len());
    for h in hits {
        if extras > 0 {
            out.array(extras + 1);
        }
        out.bulk(h.member);
        if q.withdist {
            distance_reply(out, h.dist / to_meters);
        }
        if q.withhash {
            // The score is a whole number below 2^52, so the cast is exact.
            out.int(h.score as i64);
        }
        if q.withcoord {
            out.array(2);
            coordinate(out, h.lon);
            coordinate(out, h.lat);
        }
    }
}

fn search_generic(ctx: &mut Ctx<'_>, args: &[Bytes], kind: Kind) -> CmdResult {
    let src = &args[kind.src()][..];
    let Some(dst_at) = store_index(args, kind) else {
        // A plain search: reply straight from the locked source.
        let mut l = ctx.key(src);
        let mut k = l.get();
        let z = k.read_as::<ZSet>(ctx.client.no_touch)?;
        let q = parse(args, kind, z)?;
        match (z, q.search.as_ref()) {
            (Some(z), Some(search)) => {
                let hits = run(z, &q, search);
                reply_hits(ctx.out, &q, search.to_meters, &hits);
            }
            _ => ctx.out.array(0),
        }
        return Ok(());
    };
    let dst = &args[dst_at][..];
    let lim = super::zset::limits(ctx);
    let (db, now) = (ctx.client.db, ctx.now);
    let mut m = ctx.keys(&[(db, src), (db, dst)]);
    // Members (and their new scores) to store, taken from the source before the destination
    // is touched: the two may be the same key.
    let picked: Vec<(SmallBytes, f64)> = {
        let Some(mut k) = m.key(db, src, now) else {
            return Err(CmdError::err("internal error: key not locked"));
        };
        let z = k.read_as::<ZSet>(ctx.client.no_touch)?;
        let q = parse(args, kind, z)?;
        let Some((at, dist_scores)) = q.store else {
            return Err(CmdError::err("internal error: no destination"));
        };
        if at != dst_at {
            return Err(CmdError::err("internal error: destination moved"));
        }
        match (z, q.search.as_ref()) {
            (Some(z), Some(search)) => {
                let hits = run(z, &q, search);
                let mut seen = std::collections::HashSet::with_capacity(hits.len());
                hits.into_iter()
                    // A set cannot hold a member twice; keep the first as Redis would have to.
                    .filter(|h| seen.insert(h.member))
                    .map(|h| {
                        let score = if dist_scores {
                            h.dist / search.to_meters
                        } else {
                            h.score
                        };
                        (SmallBytes::new(h.member), score)
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    };
    let Some(mut k) = m.key(db, dst, now) else {
        return Err(CmdError::err("internal error: key not locked"));
    };
    let n = picked.len();
    if n == 0 {
        if k.delete() {
            ctx.notify(NOTIFY_GENERIC, "del", dst);
        }
        ctx.out.int(0);
        return Ok(());
    }
    // Redis builds a skiplist and turns it into a listpack when the result fits the limits.
    let longest = picked.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
    let total = picked.iter().map(|(m, _)| m.len()).sum::<usize>();
    let z = ZSet::from_unique(picked, lim.fits(n, longest, total));
    // Redis counts one change per member stored.
    k.set_counting(Value::ZSet(Box::new(z)), false, n as u64);
    let event = if kind.is_search() {
        "geosearchstore"
    } else {
        "georadiusstore"
    };
    ctx.notify(NOTIFY_ZSET, event, dst);
    ctx.out.int(n as i64);
    Ok(())
}
