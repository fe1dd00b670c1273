//! The bitmap family: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO, all
//! working on string values; the bit arithmetic itself lives in `storage::bitmap`.

use bytes::Bytes;
use storage::bitmap::{self as bits, BitOp, FieldType, Overflow, Unit};
use storage::small::SmallBytes;
use storage::value::Value;

use super::string::edit_in_place;
use crate::base::config::{NOTIFY_GENERIC as GENERIC, NOTIFY_STRING as STRING};
use crate::base::error::{CmdError, CmdResult};
use crate::command::ctx::{int_arg, is, keyword, Ctx};
use crate::command::short::{F, R, WD};
use crate::command::{acl, key, Command, KeySpec};
use crate::keyspace::KeyRef;
const RD: u64 = acl::READ | acl::BITMAP;
const WR: u64 = acl::WRITE | acl::BITMAP;

use crate::command::keyed as c;

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    c("setbit", 4, WD, WR | acl::SLOW, setbit).key_flags(key::RW | key::ACCESS | key::UPDATE).doc("bitmap", "2.2.0", "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist."),
    c("getbit", 3, R | F, RD | acl::FAST, getbit).key_flags(key::RO | key::ACCESS).doc("bitmap", "2.2.0", "Returns a bit value by offset."),
    c("bitcount", -2, R, RD | acl::SLOW, bitcount).key_flags(key::RO | key::ACCESS).doc("bitmap", "2.6.0", "Counts the set bits of a string, optionally within a byte or bit range."),
    c("bitpos", -3, R, RD | acl::SLOW, bitpos).key_flags(key::RO | key::ACCESS).doc("bitmap", "2.8.7", "Finds the first set or clear bit of a string, optionally within a byte or bit range."),
    c("bitop", -4, WD, WR | acl::SLOW, bitop).keys(KeySpec { first: 2, last: -1, step: 1 }).key_flags_split(key::OW | key::UPDATE, key::RO | key::ACCESS).doc("bitmap", "2.6.0", "Combines strings bit by bit with AND, OR, XOR or NOT and stores the result."),
    c("bitfield", -2, WD, WR | acl::SLOW, |ctx, args| bitfield_generic(ctx, args, false)).key_flags(key::RW | key::UPDATE | key::ACCESS).key_flags_fn(bitfield_key_flags).doc("bitmap", "3.2.0", "Reads, writes and increments integer fields of any width at any bit offset of a string."),
    c("bitfield_ro", -2, R | F, RD | acl::FAST, |ctx, args| bitfield_generic(ctx, args, true)).key_flags(key::RO | key::ACCESS).doc("bitmap", "6.0.0", "Reads integer fields of any width at any bit offset of a string."),
];

const OFFSET_ERR: &str = "bit offset is not an integer or out of range";

/// The string stored at a key: `Ok(None)` if missing, WRONGTYPE for other types.
fn read_str<'k>(k: &'k mut KeyRef<'_>, no_touch: bool) -> Result<Option<&'k Value>, CmdError> {
    match k.read(no_touch) {
        None => Ok(None),
        Some(v) if v.is_string() => Ok(Some(v)),
        Some(_) => Err(CmdError::WrongType),
    }
}

/// The largest string allowed, in bytes (`proto-max-bulk-len`).
fn max_len(ctx: &Ctx<'_>) -> u64 {
    ctx.srv.config.read().proto_max_bulk_len().max(0) as u64
}

/// A bit offset argument: non-negative and inside the largest string allowed.
fn bit_offset(ctx: &Ctx<'_>, a: &[u8]) -> Result<u64, CmdError> {
    match strnum::parse_i64(a) {
        Some(n) if n >= 0 && ((n as u64) >> 3) < max_len(ctx) => Ok(n as u64),
        _ => Err(CmdError::err(OFFSET_ERR)),
    }
}

/// A BITFIELD offset: a bit offset, or `#N` for the N-th field of the given width (the
/// product wraps like Redis's 64-bit arithmetic and is then range-checked).
fn field_offset(ctx: &Ctx<'_>, a: &[u8], width: u32) -> Result<u64, CmdError> {
    let n = match a.split_first() {
        Some((b'#', rest)) => strnum::parse_i64(rest).map(|n| n.wrapping_mul(i64::from(width))),
        _ => strnum::parse_i64(a),
    };
    match n {
        Some(n) if n >= 0 && ((n as u64) >> 3) < max_len(ctx) => Ok(n as u64),
        _ => Err(CmdError::err(OFFSET_ERR)),
    }
}

/// How `edit_bits` found the string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Found {
    /// The key was missing and has been created (which already counted one change).
    Created,
    /// The string existed and was padded with zero bytes.
    Grown,
    /// The string existed and was long enough.
    AsIs,
}

/// Looks up the string at a key for writing, creating it or padding it with zero bytes so that
/// bit `max_bit` exists, and applies `f` to its bytes. WRONGTYPE for other types. An existing
/// key is edited in place and the caller decides whether that counts as a change (Redis counts
/// only real changes); a created key is stored once, counting one change.
fn edit_bits<R>(
    k: &mut KeyRef<'_>,
    max_bit: u64,
    f: impl FnOnce(&mut [u8]) -> R,
) -> Result<(R, Found), CmdError> {
    let need = (max_bit >> 3) as usize + 1;
    let Some(e) = k.value_mut() else {
        let mut v = vec![0u8; need];
        let r = f(&mut v);
        k.set(Value::Str(SmallBytes::new(&v)), false);
        if let Some(e) = k.value_mut() {
            e.set_raw(true);
        }
        return Ok((r, Found::Created));
    };
    if !e.value.is_string() {
        return Err(CmdError::WrongType);
    }
    let mut grown = false;
    let mut out = None;
    edit_in_place(e, |v| {
        if v.len() < need {
            v.resize(need, 0);
            grown = true;
        }
        out = Some(f(v));
    });
    match out {
        Some(r) => Ok((r, if grown { Found::Grown } else { Found::AsIs })),
        None => Err(CmdError::WrongType),
    }
}

fn setbit(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let offset = bit_offset(ctx, &args[2])?;
    let on = match &args[3][..] {
        b"1" => true,
        b"0" => false,
        _ => return Err(CmdError::err("bit is not an integer or out of range")),
    };
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let (old, found) = edit_bits(&mut k, offset, |v| bits::set_bit(v, offset, on))?;
    // Like Redis, only a created or grown string or a flipped bit counts as a change.
    if found != Found::AsIs || old != on {
        if found != Found::Created {
            k.changed();
        }
        ctx.notify(STRING, "setbit", &args[1]);
    }
    ctx.out.int(old as i64);
    Ok(())
}

fn getbit(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let offset = bit_offset(ctx, &args[2])?;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let bit = match read_str(&mut k, ctx.client.no_touch)? {
        None => false,
        Some(v) => v.with_str(|s| bits::get_bit(s, offset)) == Some(true),
    };
    ctx.out.int(bit as i64);
    Ok(())
}

/// The BYTE|BIT word of BITCOUNT and BITPOS.
fn unit_arg(a: &[u8]) -> Result<Unit, CmdError> {
    keyword(a, &[("bit", Unit::Bit), ("byte", Unit::Byte)])
}

fn bitcount(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    // Redis looks the key up first: a missing key answers 0 whatever the other arguments.
    let Some(v) = read_str(&mut k, ctx.client.no_touch)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let range = match args.len() {
        2 => None,
        4 | 5 => {
            let start = int_arg(&args[2])?;
            let end = int_arg(&args[3])?;
            // An inverted range of negative indexes is empty before the unit is even read.
            if start < 0 && end < 0 && start > end {
                ctx.out.int(0);
                return Ok(());
            }
            let unit = match args.get(4) {
                Some(a) => unit_arg(a)?,
                None => Unit::Byte,
            };
            Some((start, end, unit))
        }
        _ => return Err(CmdError::Syntax),
    };
    let n = v.with_str(|s| bits::bitcount(s, range)).unwrap_or(0);
    ctx.out.int(n as i64);
    Ok(())
}

fn bitpos(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let bit = match int_arg(&args[2])? {
        0 => false,
        1 => true,
        _ => return Err(CmdError::err("The bit argument must be 1 or 0.")),
    };
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    // A missing key is an endless run of zeros.
    let Some(v) = read_str(&mut k, ctx.client.no_touch)? else {
        ctx.out.int(if bit { -1 } else { 0 });
        return Ok(());
    };
    let (start, end, unit) = match args.len() {
        3 => (None, None, Unit::Byte),
        4..=6 => {
            let start = int_arg(&args[3])?;
            // Redis reads the unit word before the end index.
            let unit = match args.get(5) {
                Some(a) => unit_arg(a)?,
                None => Unit::Byte,
            };
            let end = match args.get(4) {
                Some(a) => Some(int_arg(a)?),
                None => None,
            };
            (Some(start), end, unit)
        }
        _ => return Err(CmdError::Syntax),
    };
    let pos = v
        .with_str(|s| bits::bitpos(s, bit, start, end, unit))
        .unwrap_or(-1);
    ctx.out.int(pos);
    Ok(())
}

fn bitop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let op = keyword(
        &args[1],
        &[
            ("and", BitOp::And),
            ("or", BitOp::Or),
            ("xor", BitOp::Xor),
            ("not", BitOp::Not),
        ],
    )?;
    if op == BitOp::Not && args.len() != 4 {
        return Err(CmdError::err(
            "BITOP NOT must be called with a single source key.",
        ));
    }
    let db = ctx.client.db;
    let now = ctx.now;
    let no_touch = ctx.client.no_touch;
    let dest = &args[2];
    let srcs = &args[3..];
    let names: Vec<(usize, &[u8])> = args[2..].iter().map(|a| (db, &a[..])).collect();
    let mut m = ctx.keys(&names);
    // Copy the sources first: the destination may be one of them.
    let mut values: Vec<Vec<u8>> = Vec::with_capacity(srcs.len());
    for key in srcs {
        let bytes = match m.key(db, key, now) {
            Some(mut k) => match read_str(&mut k, no_touch)? {
                Some(v) => v.with_str(<[u8]>::to_vec).unwrap_or_default(),
                None => Vec::new(),
            },
            None => Vec::new(),
        };
        values.push(bytes);
    }
    let refs: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
    let res = bits::bitop(op, &refs);
    drop(values);
    let len = res.len();
    if let Some(mut k) = m.key(db, dest, now) {
        if len > 0 {
            k.set(Value::Str(SmallBytes::new(&res)), false);
            if let Some(e) = k.value_mut() {
                e.set_raw(true);
            }
            ctx.notify(STRING, "set", dest);
        } else if k.delete() {
            ctx.notify(GENERIC, "del", dest);
        }
    }
    ctx.out.int(len as i64);
    Ok(())
}

/// What one BITFIELD subcommand does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FieldOp {
    Get,
    Set(i64),
    IncrBy(i64),
}

/// One parsed BITFIELD subcommand.
#[derive(Clone, Copy, Debug)]
struct Field {
    op: FieldOp,
    ty: FieldType,
    offset: u64,
    overflow: Overflow,
}

/// Parses BITFIELD's subcommands in Redis's order, stopping at the first error.
fn parse_fields(ctx: &Ctx<'_>, args: &[Bytes]) -> Result<Vec<Field>, CmdError> {
    let mut fields = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 2;
    while let Some(sub) = args.get(j) {
        let remaining = args.len() - j - 1;
        let kind = if is(sub, "get") && remaining >= 2 {
            0
        } else if is(sub, "set") && remaining >= 3 {
            1
        } else if is(sub, "incrby") && remaining >= 3 {
            2
        } else if is(sub, "overflow") && remaining >= 1 {
            let words = [
                ("wrap", Overflow::Wrap),
                ("sat", Overflow::Sat),
                ("fail", Overflow::Fail),
            ];
            overflow = keyword(&args[j + 1], &words)
                .map_err(|_| CmdError::err("Invalid OVERFLOW type specified"))?;
            j += 2;
            continue;
        } else {
            return Err(CmdError::Syntax);
        };
        let ty = FieldType::parse(&args[j + 1]).ok_or_else(|| {
            CmdError::err(
                "Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
            )
        })?;
        let offset = field_offset(ctx, &args[j + 2], ty.bits)?;
        let op = match kind {
            0 => FieldOp::Get,
            1 => FieldOp::Set(int_arg(&args[j + 3])?),
            _ => FieldOp::IncrBy(int_arg(&args[j + 3])?),
        };
        fields.push(Field {
            op,
            ty,
            offset,
            overflow,
        });
        j += if kind == 0 { 3 } else { 4 };
    }
    Ok(fields)
}

/// Applies one write subcommand to the (already padded) string; returns the reply value (nil
/// when FAIL refused it) and whether the bits changed.
fn apply_write(s: &mut [u8], f: &Field) -> (Option<i64>, bool) {
    let FieldType {
        signed,
        bits: width,
    } = f.ty;
    let old = bits::get_field(s, f.offset, f.ty);
    let (new, reply) = if signed {
        let new = match f.op {
            FieldOp::IncrBy(by) => bits::signed_add(old, by, width, f.overflow),
            FieldOp::Set(v) => bits::signed_add(v, 0, width, f.overflow),
            FieldOp::Get => Some(old),
        };
        let reply = match f.op {
            FieldOp::IncrBy(_) => new,
            _ => new.map(|_| old),
        };
        (new.map(|n| n as u64), reply)
    } else {
        let oldu = old as u64;
        let new = match f.op {
            FieldOp::IncrBy(by) => bits::unsigned_add(oldu, by, width, f.overflow),
            FieldOp::Set(v) => bits::unsigned_add(v as u64, 0, width, f.overflow),
            FieldOp::Get => Some(oldu),
        };
        let reply = match f.op {
            FieldOp::IncrBy(_) => new.map(|n| n as i64),
            _ => new.map(|_| old),
        };
        (new, reply)
    };
    match new {
        Some(n) => {
            bits::set_field(s, f.offset, width, n);
            (reply, n != old as u64)
        }
        None => (None, false),
    }
}

fn bitfield_generic(ctx: &mut Ctx<'_>, args: &[Bytes], read_only: bool) -> CmdResult {
    let fields = parse_fields(ctx, args)?;
    let writes = fields.iter().any(|f| f.op != FieldOp::Get);
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let replies: Vec<Option<i64>> = if !writes {
        let v = read_str(&mut k, ctx.client.no_touch)?;
        let get_all = |s: &[u8]| -> Vec<Option<i64>> {
            fields
                .iter()
                .map(|f| Some(bits::get_field(s, f.offset, f.ty)))
                .collect()
        };
        match v {
            None => get_all(&[]),
            Some(v) => v.with_str(get_all).unwrap_or_default(),
        }
    } else {
        if read_only {
            return Err(CmdError::err(
                "BITFIELD_RO only supports the GET subcommand",
            ));
        }
        if k.peek().is_some_and(|v| !v.is_string()) {
            return Err(CmdError::WrongType);
        }
        let max_bit = fields
            .iter()
            .filter(|f| f.op != FieldOp::Get)
            .map(|f| f.offset + u64::from(f.ty.bits) - 1)
            .max()
            .unwrap_or(0);
        let mut changes = 0u64;
        let (replies, found) = edit_bits(&mut k, max_bit, |s| {
            fields
                .iter()
                .map(|f| match f.op {
                    FieldOp::Get => Some(bits::get_field(s, f.offset, f.ty)),
                    _ => {
                        let (reply, changed) = apply_write(s, f);
                        if reply.is_some() && changed {
                            changes += 1;
                        }
                        reply
                    }
                })
                .collect::<Vec<Option<i64>>>()
        })?;
        // As in Redis, every write that went through into a created or grown string counts as
        // a change, and otherwise only writes that changed bits do.
        if found != Found::AsIs {
            changes = replies
                .iter()
                .zip(&fields)
                .filter(|(r, f)| r.is_some() && f.op != FieldOp::Get)
                .count() as u64;
        }
        if changes > 0 {
            // Storing a created key counted one change already; `changed` counts one too.
            if found != Found::Created {
                k.changed();
            }
            ctx.count_changes(changes - 1);
            ctx.notify(STRING, "setbit", &args[1]);
        }
        replies
    };
    ctx.out.array(replies.len());
    for r in replies {
        match r {
            Some(n) => ctx.out.int(n),
            None => ctx.out.null(),
        }
    }
    Ok(())
}

/// BITFIELD only reads when every operation is a well-formed GET (OVERFLOW aside); anything
/// else, a malformed operation included, counts as a write, as Redis counts it.
fn bitfield_key_flags(args: &[Bytes]) -> u16 {
    let mut i = 2;
    while let Some(op) = args.get(i) {
        let remaining = args.len() - i - 1;
        if is(op, "get") && remaining >= 2 {
            i += 3;
        } else if is(op, "overflow") && remaining >= 1 {
            i += 2;
        } else {
            return key::RW | key::ACCESS | key::UPDATE;
        }
    }
    key::RO | key::ACCESS
}
