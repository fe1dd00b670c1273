//! The geospatial family: positions stored as 52-bit geohash scores in a sorted set.
//!
//! GEOADD turns its triples into a ZADD (as Redis does), so everything about sorted sets
//! (encodings, notifications, WATCH) applies unchanged; the position math is in `storage::geo`.

use bytes::Bytes;
use storage::geo;

use super::zset::zadd;
use crate::command::{acl, flag, Command, KEY1};
use crate::error::{CmdError, CmdResult};
use crate::exec::{is, Ctx};
use crate::reply::Out;
use storage::zset::ZSet;

const G: &str = "geo";
const RD: u64 = acl::READ | acl::GEO | acl::SLOW;
const WR: u64 = acl::WRITE | acl::GEO | acl::SLOW;

const fn c(
    name: &'static str,
    arity: i32,
    flags: u32,
    acl: u64,
    h: crate::command::Handler,
) -> Command {
    Command::new(name, arity, flags, acl, h).keys(KEY1)
}

/// The family's commands.
pub static COMMANDS: &[Command] = &[
    c("geoadd", -5, flag::WRITE | flag::DENYOOM, WR, geoadd).doc(
        G,
        "3.2.0",
        "Adds members with their longitude and latitude to a geospatial index.",
    ),
    c("geopos", -2, flag::READONLY, RD, geopos).doc(
        G,
        "3.2.0",
        "Returns the longitude and latitude of members of a geospatial index.",
    ),
    c("geodist", -4, flag::READONLY, RD, geodist).doc(
        G,
        "3.2.0",
        "Returns the distance between two members of a geospatial index.",
    ),
    c("geohash", -2, flag::READONLY, RD, geohash).doc(
        G,
        "3.2.0",
        "Returns members of a geospatial index as geohash strings.",
    ),
];

/// A longitude/latitude pair argument, checked against the projection's limits.
fn lon_lat(lon: &[u8], lat: &[u8]) -> Result<(f64, f64), CmdError> {
    let lon = storage::num::parse_f64(lon).ok_or(CmdError::NotFloat)?;
    let lat = storage::num::parse_f64(lat).ok_or(CmdError::NotFloat)?;
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
    storage::num::format_long_double(v, &mut text);
    if out.proto >= 3 {
        out.buf.extend_from_slice(b",");
        out.buf.extend_from_slice(&text);
        out.buf.extend_from_slice(b"\r\n");
    } else {
        out.bulk(&text);
    }
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
        .map(|m| z.and_then(|z| z.score(m)).map(|s| geo::decode(s as u64)))
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
            let d = geo::distance(lon1, lat1, lon2, lat2) / to_meters;
            ctx.out.bulk(format!("{d:.4}").as_bytes());
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
