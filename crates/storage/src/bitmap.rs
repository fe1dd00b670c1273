//! Bit operations on string values: counting, searching, combining and reading or writing
//! integer fields at arbitrary bit offsets, with Redis's index and overflow rules.
//!
//! Bits are numbered from the most significant bit of the first byte, as SETBIT does: bit 0 is
//! `0x80` of byte 0, bit 7 is `0x01` of byte 0, bit 8 is `0x80` of byte 1.

/// Whether a range given to BITCOUNT or BITPOS counts bytes or bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Unit {
    /// The range's indexes are byte indexes (the default).
    #[default]
    Byte,
    /// The range's indexes are bit indexes.
    Bit,
}

/// The value of bit `pos`, with bits beyond the end of `s` reading as zero.
#[inline]
pub fn get_bit(s: &[u8], pos: u64) -> bool {
    let byte = pos >> 3;
    if byte >= s.len() as u64 {
        return false;
    }
    s.get(byte as usize)
        .is_some_and(|b| b & (0x80 >> (pos & 7)) != 0)
}

/// Sets bit `pos` of `s` to `on`, returning its previous value. A bit beyond the end of `s` is
/// left alone (callers grow the string first) and reads as zero.
#[inline]
pub fn set_bit(s: &mut [u8], pos: u64, on: bool) -> bool {
    let byte = pos >> 3;
    if byte >= s.len() as u64 {
        return false;
    }
    let mask = 0x80u8 >> (pos & 7);
    match s.get_mut(byte as usize) {
        Some(b) => {
            let old = *b & mask != 0;
            if on {
                *b |= mask;
            } else {
                *b &= !mask;
            }
            old
        }
        None => false,
    }
}

/// Counts the set bits of a byte slice.
pub fn popcount(s: &[u8]) -> u64 {
    let mut chunks = s.chunks_exact(8);
    let mut n: u64 = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        n += u64::from(u64::from_ne_bytes(w).count_ones());
    }
    n + chunks
        .remainder()
        .iter()
        .map(|b| u64::from(b.count_ones()))
        .sum::<u64>()
}

/// Resolves a BITCOUNT/BITPOS range against a total length (in the range's unit): negative
/// indexes count from the end, both ends are clamped, and `None` means the range is empty.
fn clamp_range(total: i64, mut start: i64, mut end: i64) -> Option<(u64, u64)> {
    if start < 0 {
        start = start.saturating_add(total);
    }
    if end < 0 {
        end = end.saturating_add(total);
    }
    start = start.max(0);
    end = end.max(0);
    if end >= total {
        end = total - 1;
    }
    if start > end {
        return None;
    }
    Some((start as u64, end as u64))
}

/// The inclusive bit range `[first, last]` a BITCOUNT/BITPOS range covers, or `None` when it is
/// empty.
fn bit_range(s: &[u8], start: i64, end: i64, unit: Unit) -> Option<(u64, u64)> {
    let len = s.len() as i64;
    match unit {
        Unit::Byte => clamp_range(len, start, end).map(|(a, b)| (a * 8, b * 8 + 7)),
        Unit::Bit => clamp_range(len.saturating_mul(8), start, end),
    }
}

/// Counts the set bits in the inclusive bit range `[first, last]` of `s` (inside `s`).
fn count_bits(s: &[u8], first: u64, last: u64) -> u64 {
    let (fb, lb) = ((first >> 3) as usize, (last >> 3) as usize);
    let Some(bytes) = s.get(fb..=lb) else {
        return 0;
    };
    let mut n = popcount(bytes);
    // Take away the bits of the edge bytes that fall outside the range.
    let head = !(0xFFu8 >> (first & 7));
    let tail = (0xFFu32 >> ((last & 7) + 1)) as u8;
    if let Some(b) = bytes.first() {
        n -= u64::from((b & head).count_ones());
    }
    if let Some(b) = bytes.last() {
        n -= u64::from((b & tail).count_ones());
    }
    n
}

/// BITCOUNT: the number of set bits of `s`, over the whole string when `range` is `None`, or
/// over `start..=end` in the given unit with Redis's negative-index rules.
pub fn bitcount(s: &[u8], range: Option<(i64, i64, Unit)>) -> u64 {
    match range {
        None => popcount(s),
        Some((start, end, unit)) => {
            if start < 0 && end < 0 && start > end {
                return 0;
            }
            match bit_range(s, start, end, unit) {
                Some((first, last)) => count_bits(s, first, last),
                None => 0,
            }
        }
    }
}

/// The first bit equal to `bit` in the inclusive bit range `[first, last]` of `s`.
fn find_bit(s: &[u8], bit: bool, first: u64, last: u64) -> Option<u64> {
    let mut pos = first;
    // Walk bit by bit up to a byte boundary, then skip whole bytes that cannot match.
    while pos <= last {
        if pos & 7 == 0 && pos + 7 <= last {
            let skip = if bit { 0x00 } else { 0xFF };
            let from = (pos >> 3) as usize;
            let to = ((last + 1) >> 3) as usize;
            let run = s
                .get(from..to)
                .map_or(0, |r| r.iter().take_while(|&&b| b == skip).count());
            pos += run as u64 * 8;
            if pos > last {
                break;
            }
        }
        if get_bit(s, pos) == bit {
            return Some(pos);
        }
        pos += 1;
    }
    None
}

/// BITPOS: the position of the first bit equal to `bit` in `s`, over the whole string when
/// `start` is `None`, else from `start` to `end` (the string's end when `None`) in the given
/// unit. A missing clear bit is reported as the bit just past the string when no end was
/// given (the string reads as padded with zeros), and as -1 otherwise; a missing set bit is
/// always -1, as is an empty range.
pub fn bitpos(s: &[u8], bit: bool, start: Option<i64>, end: Option<i64>, unit: Unit) -> i64 {
    let range = match start {
        None => bit_range(s, 0, -1, Unit::Byte),
        Some(start) => {
            let end = end.unwrap_or(-1);
            bit_range(s, start, end, unit)
        }
    };
    let Some((first, last)) = range else {
        return -1;
    };
    match find_bit(s, bit, first, last) {
        Some(p) => p as i64,
        None if bit || end.is_some() => -1,
        // Redis answers with the first bit after the last byte it examined.
        None => (((last >> 3) + 1) * 8) as i64,
    }
}

/// A BITOP operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitOp {
    /// Bitwise AND of all sources.
    And,
    /// Bitwise OR of all sources.
    Or,
    /// Bitwise XOR of all sources.
    Xor,
    /// Bitwise NOT of the single source.
    Not,
}

/// BITOP: combines the sources (missing bytes of shorter sources read as zero) into a string as
/// long as the longest source. NOT uses only the first source.
pub fn bitop(op: BitOp, srcs: &[&[u8]]) -> Vec<u8> {
    let len = srcs.iter().map(|s| s.len()).max().unwrap_or(0);
    if op == BitOp::Not {
        return srcs
            .first()
            .map_or_else(Vec::new, |s| s.iter().map(|b| !b).collect());
    }
    let mut out = match srcs.first() {
        Some(s) => {
            let mut v = s.to_vec();
            v.resize(len, 0);
            v
        }
        None => return Vec::new(),
    };
    for src in srcs.iter().skip(1) {
        match op {
            BitOp::And => {
                for (i, o) in out.iter_mut().enumerate() {
                    *o &= src.get(i).copied().unwrap_or(0);
                }
            }
            BitOp::Or => {
                for (o, b) in out.iter_mut().zip(src.iter()) {
                    *o |= b;
                }
            }
            BitOp::Xor => {
                for (o, b) in out.iter_mut().zip(src.iter()) {
                    *o ^= b;
                }
            }
            BitOp::Not => {}
        }
    }
    out
}

/// The type of a BITFIELD field: signed `i1`..`i64` or unsigned `u1`..`u63`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldType {
    /// Whether the field is a two's complement signed integer.
    pub signed: bool,
    /// The field's width in bits.
    pub bits: u32,
}

impl FieldType {
    /// Parses a type such as `i16` or `u8` (lowercase prefix, as Redis requires). `u64` is
    /// refused because its values could not be replied as signed 64-bit integers. The text
    /// ends at a NUL byte, as Redis reads it as a C string.
    pub fn parse(s: &[u8]) -> Option<FieldType> {
        let (&sign, rest) = s.split_first()?;
        let signed = match sign {
            b'i' => true,
            b'u' => false,
            _ => return None,
        };
        let rest = rest.split(|&b| b == 0).next().unwrap_or_default();
        let bits = strnum::parse_i64(rest)?;
        let max = if signed { 64 } else { 63 };
        if !(1..=max).contains(&bits) {
            return None;
        }
        Some(FieldType {
            signed,
            bits: bits as u32,
        })
    }
}

/// Reads `bits` (1..=64) bits at bit offset `offset` as an unsigned integer, most significant
/// bit first; bits beyond the end of `s` read as zero.
pub fn get_unsigned(s: &[u8], offset: u64, bits: u32) -> u64 {
    let mut v: u64 = 0;
    for i in 0..u64::from(bits.min(64)) {
        v = (v << 1) | u64::from(get_bit(s, offset.saturating_add(i)));
    }
    v
}

/// Reads a field of type `ty` at `offset`, sign-extending signed fields.
pub fn get_field(s: &[u8], offset: u64, ty: FieldType) -> i64 {
    let u = get_unsigned(s, offset, ty.bits);
    if ty.signed && ty.bits < 64 && u & (1u64 << (ty.bits - 1)) != 0 {
        (u | (u64::MAX << ty.bits)) as i64
    } else {
        u as i64
    }
}

/// Writes the low `bits` bits of `value` at bit offset `offset`, most significant bit first.
/// Bits beyond the end of `s` are dropped; callers grow the string first.
pub fn set_field(s: &mut [u8], offset: u64, bits: u32, value: u64) {
    let bits = bits.min(64);
    for i in 0..bits {
        let on = (value >> (bits - 1 - i)) & 1 != 0;
        set_bit(s, offset.saturating_add(u64::from(i)), on);
    }
}

/// What BITFIELD does when a SET or INCRBY result does not fit its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overflow {
    /// Wrap around modulo the field's range (the default).
    #[default]
    Wrap,
    /// Saturate at the field's minimum or maximum.
    Sat,
    /// Leave the field alone and reply nil.
    Fail,
}

/// Computes `value + incr` for a signed field of `bits` bits with Redis's overflow detection
/// (including its arithmetic on out-of-range SET values, done in wrapping 64-bit integers).
/// Returns `None` when the result overflows under [`Overflow::Fail`].
pub fn signed_add(value: i64, incr: i64, bits: u32, ow: Overflow) -> Option<i64> {
    let bits = bits.clamp(1, 64);
    let max: i64 = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let wrap = || {
        let mut c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let mask = u64::MAX << bits;
            if c & (1u64 << (bits - 1)) != 0 {
                c |= mask;
            } else {
                c &= !mask;
            }
        }
        c as i64
    };
    let limit = if value > max
        || (bits != 64 && incr > max_incr)
        || (value >= 0 && incr > 0 && incr > max_incr)
    {
        max
    } else if value < min
        || (bits != 64 && incr < min_incr)
        || (value < 0 && incr < 0 && incr < min_incr)
    {
        min
    } else {
        return Some(value.wrapping_add(incr));
    };
    match ow {
        Overflow::Wrap => Some(wrap()),
        Overflow::Sat => Some(limit),
        Overflow::Fail => None,
    }
}

/// Computes `value + incr` for an unsigned field of `bits` (1..=63) bits with Redis's overflow
/// detection; a negative SET value reads as a huge unsigned one, as in Redis. Returns `None`
/// when the result overflows under [`Overflow::Fail`].
pub fn unsigned_add(value: u64, incr: i64, bits: u32, ow: Overflow) -> Option<u64> {
    let bits = bits.clamp(1, 64);
    let max: u64 = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    let limit = if value > max || (incr > 0 && incr > max_incr) {
        max
    } else if incr < 0 && incr < min_incr {
        0
    } else {
        return Some(value.wrapping_add(incr as u64));
    };
    match ow {
        Overflow::Wrap => {
            let res = value.wrapping_add(incr as u64);
            Some(if bits == 64 {
                res
            } else {
                res & !(u64::MAX << bits)
            })
        }
        Overflow::Sat => Some(limit),
        Overflow::Fail => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn counts() {
        assert_eq!(bitcount(b"foobar", None), 26);
        assert_eq!(bitcount(b"foobar", Some((0, 0, Unit::Byte))), 4);
        assert_eq!(bitcount(b"foobar", Some((1, 1, Unit::Byte))), 6);
        assert_eq!(bitcount(b"foobar", Some((1, 1, Unit::Bit))), 1);
        assert_eq!(bitcount(b"foobar", Some((5, 30, Unit::Bit))), 17);
        assert_eq!(bitcount(b"foobar", Some((-1, -2, Unit::Byte))), 0);
        assert_eq!(
            bitcount(b"foobar", Some((i64::MIN, i64::MAX, Unit::Bit))),
            26
        );
        assert_eq!(bitcount(b"", Some((0, -1, Unit::Byte))), 0);
    }

    #[test]
    fn positions() {
        assert_eq!(bitpos(b"\xff\xf0\x00", false, None, None, Unit::Byte), 12);
        assert_eq!(bitpos(b"\x00\xff\xf0", true, Some(0), None, Unit::Byte), 8);
        assert_eq!(bitpos(b"\x00\xff\xf0", true, Some(2), None, Unit::Byte), 16);
        assert_eq!(bitpos(b"\x00\x00\x00", true, None, None, Unit::Byte), -1);
        assert_eq!(bitpos(b"\xff\xff\xff", false, None, None, Unit::Byte), 24);
        assert_eq!(
            bitpos(b"\xff\xff\xff", false, Some(0), None, Unit::Byte),
            24
        );
        assert_eq!(
            bitpos(b"\xff\xff\xff", false, Some(0), Some(-1), Unit::Byte),
            -1
        );
        assert_eq!(
            bitpos(b"\xff\xff\xff", false, Some(7), Some(15), Unit::Bit),
            -1
        );
        assert_eq!(bitpos(b"\xff\xff\xff", false, Some(7), None, Unit::Bit), 24);
        assert_eq!(bitpos(b"", false, None, None, Unit::Byte), -1);
    }

    #[test]
    fn ops() {
        assert_eq!(bitop(BitOp::And, &[b"\xff\x0f", b"\x3c"]), b"\x3c\x00");
        assert_eq!(bitop(BitOp::Or, &[b"\x01", b"\x10\x02"]), b"\x11\x02");
        assert_eq!(bitop(BitOp::Xor, &[b"\xff", b"\x0f", b""]), b"\xf0");
        assert_eq!(bitop(BitOp::Not, &[b"\x0f\xff"]), b"\xf0\x00");
        assert_eq!(bitop(BitOp::And, &[b"", b""]), b"");
    }

    #[test]
    fn field_types() {
        let t = |s: &[u8]| FieldType::parse(s).map(|t| (t.signed, t.bits));
        assert_eq!(t(b"i64"), Some((true, 64)));
        assert_eq!(t(b"u63"), Some((false, 63)));
        assert_eq!(t(b"u64"), None);
        assert_eq!(t(b"i65"), None);
        assert_eq!(t(b"i0"), None);
        assert_eq!(t(b"I8"), None);
        assert_eq!(t(b"u"), None);
        assert_eq!(t(b"u8\0x"), Some((false, 8)));
    }

    #[test]
    fn fields() {
        let mut s = vec![0u8; 3];
        set_field(&mut s, 5, 8, 0xff);
        assert_eq!(s, [0x07, 0xf8, 0x00]);
        let u8t = FieldType {
            signed: false,
            bits: 8,
        };
        let i8t = FieldType {
            signed: true,
            bits: 8,
        };
        assert_eq!(get_field(&s, 5, u8t), 255);
        assert_eq!(get_field(&s, 5, i8t), -1);
        assert_eq!(get_field(&s, 100, i8t), 0);
        assert_eq!(get_field(&s, u64::MAX - 3, i8t), 0);
        let i64t = FieldType {
            signed: true,
            bits: 64,
        };
        let mut s = vec![0u8; 9];
        set_field(&mut s, 3, 64, i64::MIN as u64);
        assert_eq!(get_field(&s, 3, i64t), i64::MIN);
    }

    #[test]
    fn overflow() {
        assert_eq!(signed_add(127, 1, 8, Overflow::Wrap), Some(-128));
        assert_eq!(signed_add(127, 1, 8, Overflow::Sat), Some(127));
        assert_eq!(signed_add(127, 1, 8, Overflow::Fail), None);
        assert_eq!(signed_add(-128, -1, 8, Overflow::Sat), Some(-128));
        assert_eq!(signed_add(i64::MAX, 1, 64, Overflow::Wrap), Some(i64::MIN));
        assert_eq!(signed_add(i64::MIN, -1, 64, Overflow::Sat), Some(i64::MIN));
        assert_eq!(signed_add(300, 0, 8, Overflow::Wrap), Some(44));
        assert_eq!(unsigned_add(255, 1, 8, Overflow::Wrap), Some(0));
        assert_eq!(unsigned_add(255, 1, 8, Overflow::Sat), Some(255));
        assert_eq!(unsigned_add(0, -1, 8, Overflow::Sat), Some(0));
        assert_eq!(unsigned_add(0, -1, 8, Overflow::Wrap), Some(255));
        assert_eq!(unsigned_add(u64::MAX, 0, 8, Overflow::Sat), Some(255));
        assert_eq!(unsigned_add(10, -11, 8, Overflow::Fail), None);
    }

    fn model_bits(s: &[u8]) -> Vec<bool> {
        (0..s.len() as u64 * 8).map(|i| get_bit(s, i)).collect()
    }

    /// The model's resolution of a range over `total` items: plain Python-like clamping.
    fn model_range(total: i64, start: i64, end: i64) -> Option<(i64, i64)> {
        let s = if start < 0 {
            (total + start).max(0)
        } else {
            start
        };
        let e = if end < 0 {
            (total + end).max(0)
        } else {
            end.min(total - 1)
        };
        (s <= e && total > 0).then_some((s, e))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn bitcount_matches_model(s in proptest::collection::vec(any::<u8>(), 0..12),
                                  start in -120i64..120, end in -120i64..120, bit_unit: bool) {
            let bits = model_bits(&s);
            let unit = if bit_unit { Unit::Bit } else { Unit::Byte };
            let total = if bit_unit { bits.len() as i64 } else { s.len() as i64 };
            let want = if start < 0 && end < 0 && start > end {
                0
            } else {
                match model_range(total, start, end) {
                    None => 0,
                    Some((a, b)) => {
                        let (a, b) = if bit_unit { (a, b) } else { (a * 8, b * 8 + 7) };
                        bits[a as usize..=b as usize].iter().filter(|&&x| x).count() as u64
                    }
                }
            };
            prop_assert_eq!(bitcount(&s, Some((start, end, unit))), want);
        }

        #[test]
        fn bitpos_matches_model(s in proptest::collection::vec(prop_oneof![Just(0u8), Just(0xffu8), any::<u8>()], 0..12),
                                bit: bool, start in -120i64..120, end in proptest::option::of(-120i64..120),
                                bit_unit: bool) {
            let bits = model_bits(&s);
            let unit = if bit_unit { Unit::Bit } else { Unit::Byte };
            let total = if bit_unit { bits.len() as i64 } else { s.len() as i64 };
            let want = match model_range(total, start, end.unwrap_or(-1)) {
                None => -1,
                Some((a, b)) => {
                    let (a, b) = if bit_unit { (a, b) } else { (a * 8, b * 8 + 7) };
                    match (a..=b).find(|&i| bits[i as usize] == bit) {
                        Some(p) => p,
                        None if bit || end.is_some() => -1,
                        None => (b / 8 + 1) * 8,
                    }
                }
            };
            prop_assert_eq!(bitpos(&s, bit, Some(start), end, unit), want);
        }

        #[test]
        fn bitop_matches_model(srcs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..6), 1..4),
                               which in 0usize..4) {
            let op = [BitOp::And, BitOp::Or, BitOp::Xor, BitOp::Not][which];
            let refs: Vec<&[u8]> = srcs.iter().map(|v| &v[..]).collect();
            let got = bitop(op, &refs);
            let len = srcs.iter().map(Vec::len).max().unwrap_or(0);
            let byte = |k: usize, i: usize| srcs[k].get(i).copied().unwrap_or(0);
            let want: Vec<u8> = if op == BitOp::Not {
                srcs[0].iter().map(|b| !b).collect()
            } else {
                (0..len).map(|i| (1..srcs.len()).fold(byte(0, i), |acc, k| match op {
                    BitOp::And => acc & byte(k, i),
                    BitOp::Or => acc | byte(k, i),
                    _ => acc ^ byte(k, i),
                })).collect()
            };
            prop_assert_eq!(got, want);
        }

        #[test]
        fn fields_match_model(s in proptest::collection::vec(any::<u8>(), 0..10), offset in 0u64..100,
                              signed: bool, bits in 1u32..=64, value: i64) {
            let bits = if signed { bits } else { bits.min(63) };
            let ty = FieldType { signed, bits };
            // Reading matches assembling the bits one by one.
            let mut want: u64 = 0;
            for i in 0..u64::from(bits) {
                want = (want << 1) | u64::from(get_bit(&s, offset + i));
            }
            prop_assert_eq!(get_unsigned(&s, offset, bits), want);
            // Writing then reading gives back the value reduced to the field's width.
            let mut buf = s.clone();
            buf.resize(buf.len().max(((offset + 64) / 8 + 1) as usize), 0);
            set_field(&mut buf, offset, bits, value as u64);
            let got = get_field(&buf, offset, ty) as i128;
            let modulus = 1i128 << bits;
            let mut reduced = (value as i128).rem_euclid(modulus);
            if signed && reduced >= modulus / 2 {
                reduced -= modulus;
            }
            prop_assert_eq!(got, reduced);
            // Bits outside the field are untouched.
            for i in 0..buf.len() as u64 * 8 {
                if i < offset || i >= offset + u64::from(bits) {
                    prop_assert_eq!(get_bit(&buf, i), get_bit(&s, i));
                }
            }
        }

        #[test]
        fn arithmetic_matches_model(bits in 1u32..=64, a: i64, b: i64, which in 0usize..3, signed: bool) {
            let ow = [Overflow::Wrap, Overflow::Sat, Overflow::Fail][which];
            let bits = if signed { bits } else { bits.min(63) };
            let modulus = 1i128 << bits;
            if signed {
                let (min, max) = (-(modulus / 2), modulus / 2 - 1);
                // Start from a value that fits the field, as INCRBY does.
                let v = (a as i128).rem_euclid(modulus);
                let v = if v > max { v - modulus } else { v } as i64;
                let exact = v as i128 + b as i128;
                let want = if (min..=max).contains(&exact) {
                    Some(exact)
                } else {
                    match ow {
                        Overflow::Wrap => {
                            let r = exact.rem_euclid(modulus);
                            Some(if r > max { r - modulus } else { r })
                        }
                        Overflow::Sat => Some(if exact > max { max } else { min }),
                        Overflow::Fail => None,
                    }
                };
                prop_assert_eq!(signed_add(v, b, bits, ow).map(i128::from), want);
            } else {
                let max = modulus - 1;
                let v = (a as i128).rem_euclid(modulus) as u64;
                let exact = v as i128 + b as i128;
                let want = if (0..=max).contains(&exact) {
                    Some(exact)
                } else {
                    match ow {
                        Overflow::Wrap => Some(exact.rem_euclid(modulus)),
                        Overflow::Sat => Some(if exact > max { max } else { 0 }),
                        Overflow::Fail => None,
                    }
                };
                prop_assert_eq!(unsigned_add(v, b, bits, ow).map(i128::from), want);
            }
        }
    }
}
