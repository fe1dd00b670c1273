//! Number parsing and formatting that reproduce Redis 7.0.15 byte for byte on x86-64 Linux.
//!
//! Redis is strict and quirky about numbers, and clients see every quirk: which texts count as
//! integers or floats, how scores and INCRBYFLOAT results are printed. This module mirrors the
//! C helpers Redis uses (`string2ll`, `string2ull`, `string2d`, `string2ld`, `d2string`,
//! `ld2string` and the `%.17g` of `addReplyDouble`) including their glibc-dependent behaviour:
//!
//! * Floats accept what glibc's `strtod`/`strtold` accept over the whole input: an optional sign,
//!   decimal text with optional exponent, `inf`/`infinity` in any case, and hexadecimal floats
//!   such as `0x1p3`. Leading whitespace, trailing garbage, NaN, overflow to infinity and
//!   underflow to zero are rejected, as Redis rejects them (a denormal result is accepted).
//! * INCRBYFLOAT, HINCRBYFLOAT and blocking timeouts compute in x87 80-bit `long double` in
//!   Redis. Rust has no such type, so [`LongDouble`] implements it in software: correctly rounded
//!   parsing, addition and `%.17Lf` printing with a 64-bit significand and 15-bit exponent range.
//!   That is why `INCRBYFLOAT` of 0.1 onto 0.2 gives `0.3` here just as in Redis, where plain
//!   `f64` arithmetic would give `0.30000000000000004`.
//! * All decimal output is exact (correctly rounded, ties to even) like glibc's `printf`.

use std::cmp::Ordering;
use std::fmt::Write as _;

/// Size of Redis's long-double text buffer (`MAX_LONG_DOUBLE_CHARS`); `string2ld` refuses inputs
/// of this length or longer.
pub const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;

/// Longest text `string2ll` considers (`LONG_STR_SIZE` - 1): sign plus 19 digits, or 20 digits.
const MAX_INTEGER_TEXT: usize = 20;

// ---------------------------------------------------------------------------------------------
// Integers.
// ---------------------------------------------------------------------------------------------

/// Parses a signed 64-bit integer exactly as Redis's `string2ll`.
///
/// Accepts an optional `-` followed by decimal digits with no leading zero (only `0` itself may
/// start with zero), at most 20 bytes, within `i64` range. Rejects the empty string, `+`, `-0`,
/// spaces and anything else.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > MAX_INTEGER_TEXT {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, s),
    };
    let (&first, rest) = digits.split_first()?;
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut v = u64::from(first - b'0');
    for &d in rest {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        if v > 1u64 << 63 {
            return None;
        }
        // 2^63 wraps to i64::MIN, whose negation is itself: exactly the value wanted.
        Some((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// Parses an unsigned 64-bit integer exactly as Redis's `string2ull` (used for stream IDs).
///
/// The input is treated as a C string, so it ends at the first NUL byte. Text `string2ll` accepts
/// is taken when non-negative (a negative one is refused). Anything else goes through glibc's
/// `strtoull`, which additionally allows leading whitespace, a `+` sign, leading zeros, and a `-`
/// sign that negates modulo 2^64 (so `-0` is 0 and `-00001` is `u64::MAX`); values above
/// `u64::MAX` are refused.
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    let s = match s.iter().position(|&b| b == 0) {
        Some(nul) => &s[..nul],
        None => s,
    };
    if let Some(v) = parse_i64(s) {
        return u64::try_from(v).ok();
    }
    strtoull(s)
}

/// glibc's `strtoull` in base 10 over the whole of `s`: leading C whitespace, an optional sign
/// (`-` negates modulo 2^64), then at least one digit and nothing else; values above
/// `u64::MAX` are refused.
pub fn strtoull(s: &[u8]) -> Option<u64> {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits = &s[i..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(if negative { v.wrapping_neg() } else { v })
}

/// Writes `v` in decimal into `buf` and returns the written part (Redis's `ll2string`).
///
/// Twenty bytes always suffice: `i64::MIN` is a sign and 19 digits.
pub fn format_i64(v: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut magnitude = v.unsigned_abs();
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if v < 0 {
        start -= 1;
        buf[start] = b'-';
    }
    &buf[start..]
}

/// Appends `v` in decimal to `out`.
pub fn push_i64(v: i64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    out.extend_from_slice(format_i64(v, &mut buf));
}

/// The bytes C's `isspace` accepts in the "C" locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

// ---------------------------------------------------------------------------------------------
// Doubles.
// ---------------------------------------------------------------------------------------------

/// Parses a float argument exactly as Redis's `string2d` (ZADD scores, ZRANGEBYSCORE bounds,
/// GEO coordinates and other `double` arguments).
///
/// The whole input must be one `strtod` literal: optional sign, then decimal digits with an
/// optional `.` and exponent, `inf`/`infinity` (any case), or a hexadecimal float (`0x1.8p1`).
/// Rejected: empty input, leading or trailing whitespace, NaN in any spelling, finite literals
/// that overflow to infinity and nonzero literals that underflow to zero. `-0` gives -0.0.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    if s.first().is_some_and(|&b| is_c_space(b)) {
        return None;
    }
    match scan_float(s)? {
        FloatText::Infinity { negative } => Some(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
        FloatText::Decimal { nonzero, .. } => {
            // The scanner admitted only ASCII in a grammar that is a subset of Rust's, and
            // Rust's conversion is correctly rounded like glibc's.
            let text = std::str::from_utf8(s).ok()?;
            let v: f64 = text.parse().ok()?;
            if v.is_infinite() || (v == 0.0 && nonzero) {
                None
            } else {
                Some(v)
            }
        }
        FloatText::Hex {
            negative,
            int_digits,
            frac_digits,
            exp2,
        } => match hex_to_binary(int_digits, frac_digits, exp2, &F64) {
            Rounded::Zero { inexact: false } => Some(if negative { -0.0 } else { 0.0 }),
            Rounded::Finite { mant, exp } => {
                let v = f64_from_parts(mant, exp);
                Some(if negative { -v } else { v })
            }
            Rounded::Zero { inexact: true } | Rounded::Overflow => None,
        },
    }
}

/// Appends `v` as C's `printf("%.17g")` prints it: what Redis sends for doubles (ZSCORE, ZINCRBY
/// and WITHSCORES replies, in RESP2 as a bulk string and in RESP3 after `,`).
///
/// Infinities print as `inf`/`-inf`, zero as `0` or `-0`, NaN as `nan` or `-nan`. Up to 17
/// significant digits with trailing zeros removed; exponent form (`1e+20`, `1.0000000000000001e-05`)
/// when the decimal exponent is below -4 or above 16.
pub fn format_double(v: f64, out: &mut Vec<u8>) {
    out.extend_from_slice(double_17g(v).as_bytes());
}

/// The `%.17g` text of a double, held on the stack: [`format_double`] without allocating.
pub fn double_17g(v: f64) -> Double17g {
    let mut out = Double17g {
        buf: [0; 32],
        len: 0,
    };
    write_17g(v, &mut out);
    out
}

fn write_17g(v: f64, out: &mut Double17g) {
    if v.is_nan() {
        out.extend_from_slice(if v.is_sign_negative() {
            b"-nan"
        } else {
            b"nan"
        });
        return;
    }
    if v.is_infinite() {
        out.extend_from_slice(if v < 0.0 { b"-inf" } else { b"inf" });
        return;
    }
    if v == 0.0 {
        out.extend_from_slice(if v.is_sign_negative() { b"-0" } else { b"0" });
        return;
    }
    // Rust's exact formatting rounds to nearest with ties to even, as glibc does, so the 17
    // significant digits are the same; only the layout is redone here.
    let mut text = StackText::new();
    if write!(text, "{:.16e}", v.abs()).is_err() {
        return;
    }
    let raw = text.as_bytes();
    let Some(e_pos) = raw.iter().position(|&b| b == b'e') else {
        return;
    };
    let mut digits = [0u8; 17];
    let mut n = 0;
    for &b in &raw[..e_pos] {
        if b.is_ascii_digit() && n < digits.len() {
            digits[n] = b;
            n += 1;
        }
    }
    if n == 0 {
        return;
    }
    let exp = std::str::from_utf8(&raw[e_pos + 1..])
        .ok()
        .and_then(|t| t.parse::<i32>().ok())
        .unwrap_or(0);
    // `%g` drops trailing zeros (and the point if nothing follows it).
    let mut len = n;
    while len > 1 && digits[len - 1] == b'0' {
        len -= 1;
    }
    let digits = &digits[..len];
    if v < 0.0 {
        out.push(b'-');
    }
    if !(-4..17).contains(&exp) {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push(b'0');
        }
        let mut digits = [0u8; 20];
        out.extend_from_slice(format_i64(i64::from(e), &mut digits));
    } else if exp >= 0 {
        let int_len = exp as usize + 1;
        for i in 0..int_len {
            out.push(digits.get(i).copied().unwrap_or(b'0'));
        }
        if digits.len() > int_len {
            out.push(b'.');
            out.extend_from_slice(&digits[int_len..]);
        }
    } else {
        out.extend_from_slice(b"0.");
        for _ in 0..(-exp - 1) {
            out.push(b'0');
        }
        out.extend_from_slice(digits);
    }
}

/// The `%.17g` text of a double, at most 24 bytes, on the stack.
#[derive(Debug, Clone, Copy)]
pub struct Double17g {
    buf: [u8; 32],
    len: usize,
}

impl Double17g {
    /// The text.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn push(&mut self, c: u8) {
        // The longest text is 24 bytes, so nothing is ever dropped.
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = c;
            self.len += 1;
        }
    }

    fn extend_from_slice(&mut self, s: &[u8]) {
        for &c in s {
            self.push(c);
        }
    }
}

/// Redis's `double2ll`: the integer equal to `v` when `v` is integral and within ±2^62.
///
/// Listpack-encoded sorted sets store such scores as integers, which is why `-0.0` comes back as
/// `0` from a small sorted set (but as `-0` from a skiplist-encoded one).
pub fn f64_to_i64_exact(v: f64) -> Option<i64> {
    const LIMIT: f64 = 4_611_686_018_427_387_904.0; // 2^62, which is (double)(LLONG_MAX / 2).
    ((-LIMIT..=LIMIT).contains(&v) && v.trunc() == v).then_some(v as i64)
}

/// Appends `v` as Redis's `d2string` prints it (scores stored in listpack-encoded sorted sets).
///
/// Like [`format_double`], except that NaN is always `nan` and integral values within
/// ±2^62 print as plain integers (`1000000000000000000` rather than `1e+18`).
pub fn format_double_d2string(v: f64, out: &mut Vec<u8>) {
    if v.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    if v != 0.0 {
        if let Some(i) = f64_to_i64_exact(v) {
            push_i64(i, out);
            return;
        }
    }
    format_double(v, out);
}

/// Appends `v` as Redis's human-friendly long-double format prints it (`ld2string` with
/// `LD_STR_HUMAN`, as used by `addReplyHumanLongDouble` for GEOPOS and friends): the exact value
/// with 17 digits after the point, trailing zeros and point removed, `-0` shown as `0`.
///
/// For example 1.5 prints as `1.5`, 0.1 as `0.10000000000000001`, 1e20 as `100000000000000000000`.
pub fn format_long_double(v: f64, out: &mut Vec<u8>) {
    LongDouble::from_f64(v).format_human(out);
}

// ---------------------------------------------------------------------------------------------
// Software x87 extended precision.
// ---------------------------------------------------------------------------------------------

/// A value of x87 80-bit `long double`, the type Redis uses for INCRBYFLOAT, HINCRBYFLOAT and
/// blocking-command timeouts, implemented in software with the same rounding (to nearest, ties
/// to even), range and subnormals as the hardware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongDouble(Ld);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ld {
    Zero {
        negative: bool,
    },
    /// The value `(-1)^negative * mant * 2^exp`; `mant` has its top bit set unless the value is
    /// subnormal, in which case `exp` is the smallest exponent.
    Finite {
        negative: bool,
        mant: u64,
        exp: i32,
    },
    Infinite {
        negative: bool,
    },
    Nan {
        negative: bool,
    },
}

impl LongDouble {
    /// Positive zero.
    pub const ZERO: LongDouble = LongDouble(Ld::Zero { negative: false });

    /// Parses `s` exactly as Redis's `string2ld` (INCRBYFLOAT values and increments, HINCRBYFLOAT,
    /// BLPOP-style timeouts).
    ///
    /// Same grammar and rejections as [`parse_f64`], but with `long double` range (about
    /// 1.19e4932 down to 3.6e-4951), so `1e400` is accepted, and inputs of
    /// [`MAX_LONG_DOUBLE_CHARS`] bytes or more are refused.
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.is_empty() || s.len() >= MAX_LONG_DOUBLE_CHARS || is_c_space(s[0]) {
            return None;
        }
        let (negative, rounded) = match scan_float(s)? {
            FloatText::Infinity { negative } => {
                return Some(LongDouble(Ld::Infinite { negative }));
            }
            FloatText::Decimal {
                negative,
                int_digits,
                frac_digits,
                exp10,
                ..
            } => (
                negative,
                decimal_to_binary(int_digits, frac_digits, exp10, &F80),
            ),
            FloatText::Hex {
                negative,
                int_digits,
                frac_digits,
                exp2,
            } => (negative, hex_to_binary(int_digits, frac_digits, exp2, &F80)),
        };
        match rounded {
            Rounded::Zero { inexact: false } => Some(LongDouble(Ld::Zero { negative })),
            Rounded::Finite { mant, exp } => Some(LongDouble(Ld::Finite {
                negative,
                mant,
                exp,
            })),
            Rounded::Zero { inexact: true } | Rounded::Overflow => None,
        }
    }

    /// The exact `long double` value of an integer (as for int-encoded strings).
    pub fn from_i64(v: i64) -> LongDouble {
        let negative = v < 0;
        LongDouble::from_rounded(
            negative,
            round_to(&F80, u128::from(v.unsigned_abs()), 0, false),
        )
    }

    /// The exact `long double` value of a double.
    pub fn from_f64(v: f64) -> LongDouble {
        let negative = v.is_sign_negative();
        if v.is_nan() {
            return LongDouble(Ld::Nan { negative });
        }
        if v.is_infinite() {
            return LongDouble(Ld::Infinite { negative });
        }
        if v == 0.0 {
            return LongDouble(Ld::Zero { negative });
        }
        let bits = v.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let fraction = bits & ((1u64 << 52) - 1);
        let (mant, exp) = if biased == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1u64 << 52), biased - 1075)
        };
        LongDouble::from_rounded(negative, round_to(&F80, u128::from(mant), exp, false))
    }

    /// The nearest double (ties to even), as a C cast from `long double` to `double` gives.
    pub fn to_f64(self) -> f64 {
        match self.0 {
            Ld::Zero { negative } => {
                if negative {
                    -0.0
                } else {
                    0.0
                }
            }
            Ld::Infinite { negative } => {
                if negative {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }
            Ld::Nan { negative } => {
                if negative {
                    -f64::NAN
                } else {
                    f64::NAN
                }
            }
            Ld::Finite {
                negative,
                mant,
                exp,
            } => {
                let magnitude = match round_to(&F64, u128::from(mant), i64::from(exp), false) {
                    Rounded::Zero { .. } => 0.0,
                    Rounded::Finite { mant, exp } => f64_from_parts(mant, exp),
                    Rounded::Overflow => f64::INFINITY,
                };
                if negative {
                    -magnitude
                } else {
                    magnitude
                }
            }
        }
    }

    /// Whether the value is neither infinite nor NaN.
    pub fn is_finite(self) -> bool {
        matches!(self.0, Ld::Zero { .. } | Ld::Finite { .. })
    }

    /// Whether the value is NaN.
    pub fn is_nan(self) -> bool {
        matches!(self.0, Ld::Nan { .. })
    }

    /// The 80-bit x87 memory image of the value (sign, 15-bit biased exponent, 64-bit significand
    /// with explicit leading bit) in the low 80 bits; NaN is the default quiet NaN.
    pub fn to_x87_bits(self) -> u128 {
        let (negative, biased, mant): (bool, u128, u64) = match self.0 {
            Ld::Zero { negative } => (negative, 0, 0),
            Ld::Infinite { negative } => (negative, 0x7fff, 1 << 63),
            Ld::Nan { negative } => (negative, 0x7fff, 3 << 62),
            Ld::Finite {
                negative,
                mant,
                exp,
            } => {
                let biased = if mant >> 63 == 0 {
                    0
                } else {
                    (i64::from(exp) + 16446) as u128
                };
                (negative, biased, mant)
            }
        };
        (u128::from(negative) << 79) | (biased << 64) | u128::from(mant)
    }

    /// Correctly rounded sum, as the x87 unit computes `a + b` in extended precision.
    fn sum(self, other: LongDouble) -> LongDouble {
        match (self.0, other.0) {
            (Ld::Nan { .. }, _) => self,
            (_, Ld::Nan { .. }) => other,
            (Ld::Infinite { negative: a }, Ld::Infinite { negative: b }) => {
                if a == b {
                    self
                } else {
                    // The x87 "invalid" result is the negative default NaN.
                    LongDouble(Ld::Nan { negative: true })
                }
            }
            (Ld::Infinite { .. }, _) => self,
            (_, Ld::Infinite { .. }) => other,
            (Ld::Zero { negative: a }, Ld::Zero { negative: b }) => {
                LongDouble(Ld::Zero { negative: a && b })
            }
            (Ld::Zero { .. }, _) => other,
            (_, Ld::Zero { .. }) => self,
            (
                Ld::Finite {
                    negative: na,
                    mant: ma,
                    exp: ea,
                },
                Ld::Finite {
                    negative: nb,
                    mant: mb,
                    exp: eb,
                },
            ) => {
                // Order the operands so that `hi` has the larger exponent, hence magnitude.
                let ((nh, mh, eh), (nl, ml, el)) = if ea >= eb {
                    ((na, ma, ea), (nb, mb, eb))
                } else {
                    ((nb, mb, eb), (na, ma, ea))
                };
                let d = i64::from(eh) - i64::from(el);
                if d >= 70 {
                    // The smaller operand is below a quarter of the larger one's last unit, so
                    // the rounded sum is the larger operand itself.
                    return if ea >= eb { self } else { other };
                }
                // Work in a frame with 63 guard bits below the larger operand. Bits of the
                // smaller one that fall off the frame are folded into one sticky bit placed at
                // an odd position, which rounds exactly as the lost bits would.
                let big = u128::from(mh) << 63;
                let shifted = u128::from(ml) << 62;
                let d = d as u32;
                let lost = d > 0 && (shifted & ((1u128 << d) - 1)) != 0;
                let small = ((shifted >> d) << 1) | u128::from(lost);
                let frame = i64::from(eh) - 63;
                let (negative, sum) = if nh == nl {
                    (nh, big + small)
                } else if big >= small {
                    (nh, big - small)
                } else {
                    (nl, small - big)
                };
                if sum == 0 {
                    return LongDouble::ZERO;
                }
                LongDouble::from_rounded(negative, round_to(&F80, sum, frame, false))
            }
        }
    }

    /// Computes `(long long) ceill(self * 1000.0L)` as Redis does to turn a timeout in seconds
    /// into milliseconds, with x86-64 conversion semantics: NaN, infinities and values outside
    /// the `i64` range become `i64::MIN` (so they are reported as negative timeouts).
    pub fn timeout_millis(self) -> i64 {
        let (negative, mant, exp) = match self.0 {
            Ld::Zero { .. } => return 0,
            Ld::Nan { .. } | Ld::Infinite { .. } => return i64::MIN,
            Ld::Finite {
                negative,
                mant,
                exp,
            } => (negative, mant, exp),
        };
        // The product is rounded to extended precision first, exactly as the FPU does.
        let (mant, exp) = match round_to(&F80, u128::from(mant) * 1000, i64::from(exp), false) {
            Rounded::Finite { mant, exp } => (mant, i64::from(exp)),
            Rounded::Zero { .. } => return 0,
            Rounded::Overflow => return i64::MIN,
        };
        // Ceiling toward +infinity: round positive values with a fraction up, truncate negatives.
        let magnitude: u128 = if exp >= 0 {
            if exp >= 64 {
                return i64::MIN;
            }
            u128::from(mant) << exp
        } else {
            let shift = -exp;
            let (whole, has_fraction) = if shift >= 64 {
                (0u128, mant != 0)
            } else {
                let whole = u128::from(mant >> shift);
                (whole, mant & ((1u64 << shift) - 1) != 0)
            };
            if has_fraction && !negative {
                whole + 1
            } else {
                whole
            }
        };
        if negative {
            if magnitude <= 1u128 << 63 {
                (magnitude as u64 as i64).wrapping_neg()
            } else {
                i64::MIN
            }
        } else {
            i64::try_from(magnitude).unwrap_or(i64::MIN)
        }
    }

    /// Appends the value as Redis's `ld2string(..., LD_STR_HUMAN)` prints it: `printf("%.17Lf")`
    /// with trailing zeros and a trailing point removed and `-0` turned into `0`; infinities as
    /// `inf`/`-inf`. This is the text INCRBYFLOAT and HINCRBYFLOAT store and reply with.
    pub fn format_human(self, out: &mut Vec<u8>) {
        let start = out.len();
        let (negative, mant, exp) = match self.0 {
            Ld::Nan { negative } => {
                out.extend_from_slice(if negative { b"-nan" } else { b"nan" });
                return;
            }
            Ld::Infinite { negative } => {
                out.extend_from_slice(if negative { b"-inf" } else { b"inf" });
                return;
            }
            Ld::Zero { negative } => (negative, 0u64, 0i32),
            Ld::Finite {
                negative,
                mant,
                exp,
            } => (negative, mant, exp),
        };
        if negative {
            out.push(b'-');
        }
        if exp >= 0 {
            if exp <= 64 {
                let whole = u128::from(mant) << exp;
                let _ = write!(VecText(out), "{whole}");
            } else {
                let mut whole = Big::from_u64(mant);
                whole.shl(exp as u32);
                whole.push_decimal(out);
            }
        } else {
            const SCALE: u128 = 100_000_000_000_000_000; // 10^17
            let shift = exp.unsigned_abs();
            let (mut whole, fraction) = if shift >= 64 {
                (0u64, mant)
            } else {
                (mant >> shift, mant & ((1u64 << shift) - 1))
            };
            let product = u128::from(fraction) * SCALE;
            let mut digits = if shift >= 128 { 0 } else { product >> shift };
            let round_up = if shift >= 128 {
                // The product is below 2^121, far from half of 2^shift.
                false
            } else {
                let rem = product - (digits << shift);
                let half = 1u128 << (shift - 1);
                rem > half || (rem == half && digits & 1 == 1)
            };
            if round_up {
                digits += 1;
                if digits == SCALE {
                    digits = 0;
                    whole += 1;
                }
            }
            let _ = write!(VecText(out), "{whole}.{digits:017}");
            while out.last() == Some(&b'0') {
                out.pop();
            }
            if out.last() == Some(&b'.') {
                out.pop();
            }
        }
        if &out[start..] == b"-0" {
            out.truncate(start);
            out.push(b'0');
        }
    }

    fn from_rounded(negative: bool, rounded: Rounded) -> LongDouble {
        LongDouble(match rounded {
            Rounded::Zero { .. } => Ld::Zero { negative },
            Rounded::Finite { mant, exp } => Ld::Finite {
                negative,
                mant,
                exp,
            },
            Rounded::Overflow => Ld::Infinite { negative },
        })
    }
}

/// Correctly rounded sum, as the x87 unit computes `a + b` in extended precision.
impl std::ops::Add for LongDouble {
    type Output = LongDouble;

    fn add(self, other: LongDouble) -> LongDouble {
        self.sum(other)
    }
}

/// Redis's INCRBYFLOAT / HINCRBYFLOAT step: the sum, or `None` when it is NaN or infinite (Redis
/// then replies "increment would produce NaN or Infinity").
pub fn incr_by_float(value: LongDouble, incr: LongDouble) -> Option<LongDouble> {
    let sum = value + incr;
    sum.is_finite().then_some(sum)
}

// ---------------------------------------------------------------------------------------------
// Float literal scanning.
// ---------------------------------------------------------------------------------------------

/// A float literal that glibc's `strtod` would consume completely and that is not NaN.
enum FloatText<'a> {
    Infinity {
        negative: bool,
    },
    Decimal {
        negative: bool,
        int_digits: &'a [u8],
        frac_digits: &'a [u8],
        exp10: i64,
        /// Whether any digit is nonzero (so a zero result means underflow).
        nonzero: bool,
    },
    Hex {
        negative: bool,
        int_digits: &'a [u8],
        frac_digits: &'a [u8],
        exp2: i64,
    },
}

/// Exponents are clamped here while scanning: far beyond any overflow or underflow threshold
/// of the digit counts an input can have, yet far from `i64` overflow.
const EXP_CLAMP: i64 = 1 << 40;

/// Scans the whole of `s` as a `strtod` literal; `None` unless it is one (or when it is NaN).
fn scan_float(s: &[u8]) -> Option<FloatText<'_>> {
    let (negative, rest) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
        return Some(FloatText::Infinity { negative });
    }
    if let [b'0', b'x' | b'X', hex @ ..] = rest {
        let int_len = hex.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        let int_digits = &hex[..int_len];
        let mut pos = int_len;
        let mut frac_digits: &[u8] = &[];
        if hex.get(pos) == Some(&b'.') {
            let frac_len = hex[pos + 1..]
                .iter()
                .take_while(|b| b.is_ascii_hexdigit())
                .count();
            frac_digits = &hex[pos + 1..pos + 1 + frac_len];
            pos += 1 + frac_len;
        }
        if int_digits.is_empty() && frac_digits.is_empty() {
            // strtod reads just the "0" and stops at the 'x'.
            return None;
        }
        let exp2 = match hex.get(pos) {
            None => 0,
            Some(b'p' | b'P') => scan_exponent(&hex[pos + 1..])?,
            Some(_) => return None,
        };
        return Some(FloatText::Hex {
            negative,
            int_digits,
            frac_digits,
            exp2,
        });
    }
    let int_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let int_digits = &rest[..int_len];
    let mut pos = int_len;
    let mut frac_digits: &[u8] = &[];
    if rest.get(pos) == Some(&b'.') {
        let frac_len = rest[pos + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        frac_digits = &rest[pos + 1..pos + 1 + frac_len];
        pos += 1 + frac_len;
    }
    if int_digits.is_empty() && frac_digits.is_empty() {
        return None;
    }
    let exp10 = match rest.get(pos) {
        None => 0,
        Some(b'e' | b'E') => scan_exponent(&rest[pos + 1..])?,
        Some(_) => return None,
    };
    let nonzero = int_digits.iter().chain(frac_digits).any(|&d| d != b'0');
    Some(FloatText::Decimal {
        negative,
        int_digits,
        frac_digits,
        exp10,
        nonzero,
    })
}

/// Scans `[+-]digits` to the end of the input, clamping the magnitude to [`EXP_CLAMP`].
fn scan_exponent(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        v = (v * 10 + i64::from(d - b'0')).min(EXP_CLAMP);
    }
    Some(if negative { -v } else { v })
}

// ---------------------------------------------------------------------------------------------
// Correct rounding to a binary format.
// ---------------------------------------------------------------------------------------------

/// A binary floating-point format.
struct Format {
    /// Significand bits, including the leading one.
    precision: u32,
    /// Exponent of the last significand bit of subnormals (the smallest representable unit).
    min_lsb: i64,
    /// Exponent of the leading bit of the largest finite values.
    max_msb: i64,
}

const F64: Format = Format {
    precision: 53,
    min_lsb: -1074,
    max_msb: 1023,
};
const F80: Format = Format {
    precision: 64,
    min_lsb: -16445,
    max_msb: 16383,
};

/// An exact value rounded to a [`Format`] (sign kept by the caller).
#[derive(Debug, PartialEq)]
enum Rounded {
    /// Zero; `inexact` when a nonzero value underflowed (C's ERANGE case).
    Zero { inexact: bool },
    /// `mant * 2^exp`, `mant` below `2^precision`.
    Finite { mant: u64, exp: i32 },
    /// Too large for the format (C's ERANGE with an infinite result).
    Overflow,
}

/// Rounds the exact value `q * 2^e2` (plus something strictly between 0 and `2^e2` when `sticky`)
/// to nearest, ties to even. When `sticky` is set, `q` must have at least `precision + 2` bits.
fn round_to(fmt: &Format, q: u128, e2: i64, sticky: bool) -> Rounded {
    if q == 0 {
        return Rounded::Zero { inexact: sticky };
    }
    let bits = i64::from(128 - q.leading_zeros());
    let msb = e2 + bits - 1;
    if msb > fmt.max_msb {
        return Rounded::Overflow;
    }
    let lsb = (msb - (i64::from(fmt.precision) - 1)).max(fmt.min_lsb);
    let shift = lsb - e2;
    let mut mant = if shift <= 0 {
        // Every bit fits: no rounding (and the left shift is below the precision).
        q << (-shift) as u32
    } else if shift > 128 {
        0
    } else {
        let shift = shift as u32;
        let (kept, rem, half) = if shift == 128 {
            (0, q, 1u128 << 127)
        } else {
            (q >> shift, q & ((1u128 << shift) - 1), 1u128 << (shift - 1))
        };
        let up = rem > half || (rem == half && (sticky || kept & 1 == 1));
        kept + u128::from(up)
    };
    let mut lsb = lsb;
    if mant >> fmt.precision != 0 {
        // Rounding carried into a new leading bit; the dropped bit is zero.
        mant >>= 1;
        lsb += 1;
    }
    if mant == 0 {
        return Rounded::Zero { inexact: true };
    }
    let msb = lsb + i64::from(128 - mant.leading_zeros()) - 1;
    if msb > fmt.max_msb {
        return Rounded::Overflow;
    }
    match (u64::try_from(mant), i32::try_from(lsb)) {
        (Ok(mant), Ok(exp)) => Rounded::Finite { mant, exp },
        _ => Rounded::Overflow,
    }
}

/// Builds the positive double `mant * 2^exp` from a [`Rounded::Finite`] result for [`F64`].
fn f64_from_parts(mant: u64, exp: i32) -> f64 {
    if mant < 1 << 52 {
        // Subnormal: the exponent is the minimum and the bits are the fraction itself.
        f64::from_bits(mant)
    } else {
        let biased = (i64::from(exp) + 1075) as u64;
        f64::from_bits((biased << 52) | (mant & ((1u64 << 52) - 1)))
    }
}

/// Converts hexadecimal significand digits and a binary exponent to `fmt`.
fn hex_to_binary(int_digits: &[u8], frac_digits: &[u8], exp2: i64, fmt: &Format) -> Rounded {
    let mut q: u128 = 0;
    let mut e2 = exp2;
    let mut sticky = false;
    let mut leading = true;
    let digit = |b: u8| u128::from(char::from(b).to_digit(16).unwrap_or(0));
    for (i, &b) in int_digits.iter().chain(frac_digits).enumerate() {
        let is_frac = i >= int_digits.len();
        let d = digit(b);
        if leading && d == 0 {
            if is_frac {
                e2 -= 4;
            }
            continue;
        }
        leading = false;
        if q >> 120 == 0 {
            q = (q << 4) | d;
            if is_frac {
                e2 -= 4;
            }
        } else {
            // Keep 121+ significant bits; the rest only matters as a sticky bit.
            sticky |= d != 0;
            if !is_frac {
                e2 += 4;
            }
        }
        e2 = e2.clamp(-EXP_CLAMP, EXP_CLAMP);
    }
    if q == 0 {
        return Rounded::Zero { inexact: false };
    }
    round_to(fmt, q, e2, sticky)
}

/// Converts decimal digits (`int_digits.frac_digits * 10^exp10`) to `fmt`, correctly rounded.
/// Callers bound the digit count (string2ld refuses inputs of 5 KiB or more).
fn decimal_to_binary(int_digits: &[u8], frac_digits: &[u8], exp10: i64, fmt: &Format) -> Rounded {
    let all: Vec<u8> = int_digits.iter().chain(frac_digits).copied().collect();
    let first = all.iter().position(|&d| d != b'0');
    let Some(first) = first else {
        return Rounded::Zero { inexact: false };
    };
    let last = all.iter().rposition(|&d| d != b'0').unwrap_or(first);
    let digits = &all[first..=last];
    let trailing_zeros = (all.len() - 1 - last) as i64;
    let count = digits.len() as i64;
    // The value is digits * 10^e with 10^(count - 1 + e) <= value < 10^(count + e).
    let e = exp10 - frac_digits.len() as i64 + trailing_zeros;
    // Decimal exponents safely past the format's range in either direction (1.19e4932 and
    // 3.6e-4951 for long double) are decided without big arithmetic.
    let max_decimal = (fmt.max_msb + 1) * 30103 / 100_000 + 2;
    let min_decimal = fmt.min_lsb * 30103 / 100_000 - 2;
    if count - 1 + e > max_decimal {
        return Rounded::Overflow;
    }
    if count + e < min_decimal {
        return Rounded::Zero { inexact: true };
    }
    let mut n = Big::from_decimal(digits);
    if e >= 0 {
        n.mul_pow10(e as u32);
        let (q, e2, sticky) = n.top_bits();
        round_to(fmt, q, e2, sticky)
    } else {
        let mut den = Big::from_u64(1);
        den.mul_pow10((-e) as u32);
        // Scale numerator or denominator by a power of two so that the quotient has between
        // precision + 3 and precision + 4 bits: enough to round, small enough for a u128.
        let want = i64::from(fmt.precision) + 3;
        let k = want + den.bit_len() - n.bit_len();
        if k >= 0 {
            n.shl(k as u32);
        } else {
            den.shl((-k) as u32);
        }
        let (q, sticky) = n.div_small_quotient(&den);
        round_to(fmt, q, -k, sticky)
    }
}

// ---------------------------------------------------------------------------------------------
// Minimal unsigned big integers for the rare exact conversions.
// ---------------------------------------------------------------------------------------------

/// An unsigned integer as little-endian 64-bit limbs without high zero limbs.
#[derive(Clone, Debug)]
struct Big(Vec<u64>);

impl Big {
    fn from_u64(v: u64) -> Big {
        let mut b = Big(vec![v]);
        b.trim();
        b
    }

    fn from_decimal(digits: &[u8]) -> Big {
        let mut b = Big(Vec::with_capacity(digits.len() / 19 + 1));
        for chunk in digits.chunks(19) {
            let mut scale = 1u64;
            let mut value = 0u64;
            for &d in chunk {
                scale *= 10;
                value = value * 10 + u64::from(d.wrapping_sub(b'0') % 10);
            }
            b.mul_add_small(scale, value);
        }
        b
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn bit_len(&self) -> i64 {
        match self.0.last() {
            None => 0,
            Some(&top) => (self.0.len() as i64 - 1) * 64 + i64::from(64 - top.leading_zeros()),
        }
    }

    /// `self = self * m + a`.
    fn mul_add_small(&mut self, m: u64, a: u64) {
        let mut carry = u128::from(a);
        for limb in &mut self.0 {
            let t = u128::from(*limb) * u128::from(m) + carry;
            *limb = t as u64;
            carry = t >> 64;
        }
        if carry != 0 {
            self.0.push(carry as u64);
        }
        self.trim();
    }

    fn mul_pow10(&mut self, mut e: u32) {
        const TEN19: u64 = 10_000_000_000_000_000_000;
        while e >= 19 {
            self.mul_add_small(TEN19, 0);
            e -= 19;
        }
        self.mul_add_small(10u64.pow(e), 0);
    }

    fn shl(&mut self, bits: u32) {
        if self.is_zero() {
            return;
        }
        let limbs = (bits / 64) as usize;
        let rem = bits % 64;
        if rem != 0 {
            let mut carry = 0u64;
            for limb in &mut self.0 {
                let next = *limb >> (64 - rem);
                *limb = (*limb << rem) | carry;
                carry = next;
            }
            if carry != 0 {
                self.0.push(carry);
            }
        }
        if limbs != 0 {
            let mut shifted = vec![0; limbs];
            shifted.extend_from_slice(&self.0);
            self.0 = shifted;
        }
    }

    fn shr1(&mut self) {
        let mut carry = 0u64;
        for limb in self.0.iter_mut().rev() {
            let next = *limb << 63;
            *limb = (*limb >> 1) | carry;
            carry = next;
        }
        self.trim();
    }

    fn cmp(&self, other: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// `self -= other`, which must not exceed `self`.
    fn sub_assign(&mut self, other: &Big) {
        let mut borrow = false;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let o = other.0.get(i).copied().unwrap_or(0);
            let (t, b1) = limb.overflowing_sub(o);
            let (t, b2) = t.overflowing_sub(u64::from(borrow));
            *limb = t;
            borrow = b1 || b2;
        }
        self.trim();
    }

    /// The 128 leading bits as `(q, e2, sticky)` with `self = q * 2^e2 + rest`, `sticky` telling
    /// whether the rest is nonzero.
    fn top_bits(&self) -> (u128, i64, bool) {
        let bits = self.bit_len();
        let shift = (bits - 128).max(0);
        let bit = |i: i64| -> u128 {
            let limb = self.0.get((i / 64) as usize).copied().unwrap_or(0);
            u128::from((limb >> (i % 64)) & 1)
        };
        // Assemble the top bits a limb-aligned word at a time for speed.
        let mut q: u128 = 0;
        let mut i = bits - 1;
        while i >= shift {
            q = (q << 1) | bit(i);
            i -= 1;
        }
        let whole_limbs = (shift / 64) as usize;
        let mut sticky = self.0.iter().take(whole_limbs).any(|&l| l != 0);
        let partial = shift % 64;
        if partial != 0 {
            if let Some(&limb) = self.0.get(whole_limbs) {
                sticky |= limb & ((1u64 << partial) - 1) != 0;
            }
        }
        (q, shift, sticky)
    }

    /// Divides by `den` when the quotient is known to fit in 127 bits; returns the quotient and
    /// whether a remainder is left.
    fn div_small_quotient(mut self, den: &Big) -> (u128, bool) {
        let top = self.bit_len() - den.bit_len();
        if top < 0 {
            return (0, !self.is_zero());
        }
        let top = top.min(126) as u32;
        let mut d = den.clone();
        d.shl(top);
        let mut q: u128 = 0;
        for i in (0..=top).rev() {
            if self.cmp(&d) != Ordering::Less {
                self.sub_assign(&d);
                q |= 1u128 << i;
            }
            d.shr1();
        }
        (q, !self.is_zero())
    }

    /// Appends the decimal digits.
    fn push_decimal(mut self, out: &mut Vec<u8>) {
        const TEN19: u64 = 10_000_000_000_000_000_000;
        let mut groups = Vec::new();
        while !self.is_zero() {
            let mut rem = 0u128;
            for limb in self.0.iter_mut().rev() {
                let cur = (rem << 64) | u128::from(*limb);
                *limb = (cur / u128::from(TEN19)) as u64;
                rem = cur % u128::from(TEN19);
            }
            self.trim();
            groups.push(rem as u64);
        }
        match groups.split_last() {
            None => out.push(b'0'),
            Some((first, rest)) => {
                let _ = write!(VecText(out), "{first}");
                for g in rest.iter().rev() {
                    let _ = write!(VecText(out), "{g:019}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Small formatting sinks.
// ---------------------------------------------------------------------------------------------

/// `fmt::Write` onto a byte vector.
struct VecText<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for VecText<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// `fmt::Write` onto a stack buffer big enough for any `{:.16e}` of an `f64`.
struct StackText {
    buf: [u8; 40],
    len: usize,
}

impl StackText {
    fn new() -> StackText {
        StackText {
            buf: [0; 40],
            len: 0,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn f64_text(v: f64, f: fn(f64, &mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(v, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn ld(s: &str) -> LongDouble {
        LongDouble::parse(s.as_bytes()).unwrap()
    }

    fn human(v: LongDouble) -> String {
        let mut out = Vec::new();
        v.format_human(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn parse_i64_table() {
        // Acceptance as observed with `SET n <text>` + `INCRBY n 0` on Redis 7.0.15.
        let cases: &[(&[u8], Option<i64>)] = &[
            (b"0", Some(0)),
            (b"-0", None),
            (b"00", None),
            (b"01", None),
            (b"+1", None),
            (b" 1", None),
            (b"1 ", None),
            (b"", None),
            (b"-", None),
            (b"1a", None),
            (b"12", Some(12)),
            (b"-12", Some(-12)),
            (b"9223372036854775807", Some(i64::MAX)),
            (b"9223372036854775808", None),
            (b"-9223372036854775808", Some(i64::MIN)),
            (b"-9223372036854775809", None),
            (b"123456789012345678901", None),
            (b"99999999999999999999", None),
            (b"1\0", None),
        ];
        for &(text, expected) in cases {
            assert_eq!(
                parse_i64(text),
                expected,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn parse_u64_table() {
        // The stream-ID cases were observed with XADD on Redis 7.0.15 (" 5", "+6", "007",
        // "-0" accepted; 2^64 and "0x1" refused).
        let cases: &[(&[u8], Option<u64>)] = &[
            (b"0", Some(0)),
            (b"5", Some(5)),
            (b" 5", Some(5)),
            (b"\t\n5", Some(5)),
            (b"+6", Some(6)),
            (b"007", Some(7)),
            (b"-0", Some(0)),
            (b"-1", None),
            (b"-00001", Some(u64::MAX)),
            (b"-18446744073709551615", Some(1)),
            (b"-18446744073709551616", None),
            (b"18446744073709551615", Some(u64::MAX)),
            (b"18446744073709551616", None),
            (b"0x1", None),
            (b"", None),
            (b" ", None),
            (b"+", None),
            (b"5 ", None),
            (b"5\0garbage", Some(5)),
            (b"\0", None),
        ];
        for &(text, expected) in cases {
            assert_eq!(
                parse_u64(text),
                expected,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn format_i64_table() {
        let mut buf = [0u8; 20];
        assert_eq!(format_i64(0, &mut buf), b"0");
        assert_eq!(format_i64(-7, &mut buf), b"-7");
        assert_eq!(format_i64(i64::MAX, &mut buf), b"9223372036854775807");
        assert_eq!(format_i64(i64::MIN, &mut buf), b"-9223372036854775808");
    }

    proptest! {
        #[test]
        fn i64_round_trip(x in any::<i64>()) {
            let mut buf = [0u8; 20];
            let text = format_i64(x, &mut buf).to_vec();
            prop_assert_eq!(parse_i64(&text), Some(x));
            prop_assert_eq!(text, x.to_string().into_bytes());
        }

        #[test]
        fn u64_of_non_negative_i64(x in 0..=i64::MAX) {
            prop_assert_eq!(parse_u64(x.to_string().as_bytes()), Some(x as u64));
        }

        #[test]
        fn f64_display_round_trip(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            prop_assume!(v.is_finite());
            // %.17g always round-trips through string2d.
            let text = f64_text(v, format_double);
            let back = parse_f64(text.as_bytes()).unwrap();
            prop_assert_eq!(back.to_bits(), v.to_bits());
            // The long-double view of a double is exact.
            prop_assert_eq!(LongDouble::from_f64(v).to_f64().to_bits(), v.to_bits());
        }

        #[test]
        fn big_decimal_path_agrees_with_std(int in "[0-9]{0,30}", frac in "[0-9]{0,30}", exp in -400i64..400) {
            prop_assume!(!int.is_empty() || !frac.is_empty());
            let text = format!("{int}.{frac}e{exp}");
            let std_value: f64 = text.parse().unwrap();
            let ours = decimal_to_binary(int.as_bytes(), frac.as_bytes(), exp, &F64);
            match ours {
                Rounded::Finite { mant, exp } => prop_assert_eq!(f64_from_parts(mant, exp), std_value),
                Rounded::Zero { .. } => prop_assert_eq!(std_value, 0.0),
                Rounded::Overflow => prop_assert!(std_value.is_infinite()),
            }
        }
    }

    #[test]
    fn parse_f64_table() {
        // Acceptance as observed with `ZADD z <text> m` on Redis 7.0.15.
        let accepted: &[(&str, f64)] = &[
            ("1.5", 1.5),
            ("0.1", 0.1),
            ("3.0", 3.0),
            ("-0.0", -0.0),
            ("+inf", f64::INFINITY),
            ("inf", f64::INFINITY),
            ("-inf", f64::NEG_INFINITY),
            ("Infinity", f64::INFINITY),
            ("-INFINITY", f64::NEG_INFINITY),
            ("1e-310", 1e-310),
            ("4.9e-324", 5e-324),
            ("0x1p3", 8.0),
            ("0x1.8p1", 3.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("-.5e1", -5.0),
            ("00012", 12.0),
            ("1E+2", 100.0),
            ("1e0", 1.0),
            ("0e99999999999999999999", 0.0),
            ("-1.7976931348623157e308", f64::MIN),
        ];
        for &(text, v) in accepted {
            let got = parse_f64(text.as_bytes()).unwrap_or_else(|| panic!("{text} refused"));
            assert_eq!(got.to_bits(), v.to_bits(), "{text}");
        }
        let refused = [
            "",
            " 1",
            "1 ",
            "1e",
            "e1",
            ".",
            "nan",
            "-nan",
            "NaN",
            "nan(1)",
            "1e-400",
            "1e400",
            "0x",
            "0x.p1",
            "0x1p",
            "1\0",
            "infinit",
            "--1",
            "1..2",
            "0x1p99999",
            "0x1p-99999",
        ];
        for text in refused {
            assert_eq!(parse_f64(text.as_bytes()), None, "{text:?}");
        }
    }

    #[test]
    fn format_double_table() {
        // ZSCORE replies observed on Redis 7.0.15 (identical in RESP2 and RESP3).
        let cases: &[(f64, &str)] = &[
            (1.5, "1.5"),
            (0.1, "0.10000000000000001"),
            (1e20, "1e+20"),
            (1e-5, "1.0000000000000001e-05"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (3.0, "3"),
            (-0.0, "-0"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (1e-310, "9.9999999999999694e-311"),
            // 26215 / 2^18 = 0.100002288818359375 exactly: a tie at the 17th digit, rounded to even.
            (26215.0 / 262144.0, "0.10000228881835938"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (12345678901234567.0, "12345678901234568"),
            (0.0001, "0.0001"),
            (4611686018427387904.0, "4.6116860184273879e+18"),
            (1e18, "1e+18"),
            (f64::MIN, "-1.7976931348623157e+308"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"),
            (5e-324, "4.9406564584124654e-324"),
            (-5.0, "-5"),
            (100.0, "100"),
            (f64::NAN, "nan"),
        ];
        for &(v, text) in cases {
            assert_eq!(f64_text(v, format_double), text, "{v:e}");
        }
    }

    #[test]
    fn format_double_d2string_table() {
        // Outputs of Redis's own d2string.
        let cases: &[(f64, &str)] = &[
            (1e18, "1000000000000000000"),
            (4611686018427387904.0, "4611686018427387904"),
            (4611686018427388928.0, "4.6116860184273889e+18"),
            (-4611686018427387904.0, "-4611686018427387904"),
            (-0.0, "-0"),
            (0.0, "0"),
            (1.5, "1.5"),
            (f64::NAN, "nan"),
            (-f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for &(v, text) in cases {
            assert_eq!(f64_text(v, format_double_d2string), text, "{v:e}");
        }
        assert_eq!(f64_to_i64_exact(-0.0), Some(0));
        assert_eq!(f64_to_i64_exact(0.5), None);
        assert_eq!(f64_to_i64_exact(9.3e18), None);
    }

    #[test]
    fn format_long_double_of_doubles() {
        // ld2string(LD_STR_HUMAN) of doubles, as GEOPOS prints coordinates.
        let cases: &[(f64, &str)] = &[
            (1.5, "1.5"),
            (0.1, "0.10000000000000001"),
            (1e20, "100000000000000000000"),
            (-0.0, "0"),
            (1e-20, "0"),
            (-1e-20, "0"),
            (13.361389338970184, "13.36138933897018433"),
            (38.1155563954963, "38.11555639549629859"),
            (0.3, "0.29999999999999999"),
            (2.5e-17, "0.00000000000000002"),
            (123456789.12345679, "123456789.12345679104328156"),
            (-2.0, "-2"),
            (5e-324, "0"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for &(v, text) in cases {
            assert_eq!(f64_text(v, format_long_double), text, "{v:e}");
        }
        let max = f64_text(f64::MAX, format_long_double);
        assert_eq!(max.len(), 309);
        assert!(
            max.starts_with("179769313486231570814527423731704356798070567525844996598917476803")
        );
    }

    #[test]
    fn incrbyfloat_table() {
        // `SET x <a>` then `INCRBYFLOAT x <b>` on Redis 7.0.15; None is an error reply.
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("0.1", "0.2", Some("0.3")),
            ("10.5", "0.1", Some("10.6")),
            ("1.5", "1.1", Some("2.6")),
            ("0", "5.0e3", Some("5000")),
            ("0", "-0.0", Some("0")),
            ("0", "1e-20", Some("0")),
            ("0", "-1e-20", Some("0")),
            ("0", "0x1p3", Some("8")),
            ("0", "1e-4940", Some("0")),
            ("0", "+1", Some("1")),
            ("0", ".5", Some("0.5")),
            ("0", "5.", Some("5")),
            ("0", "0.000003814697265625", Some("0.00000381469726562")),
            ("3", "0.1", Some("3.1")),
            (
                "1",
                "0.333333333333333333333333",
                Some("1.33333333333333333"),
            ),
            (
                "0",
                "123456789012345678901234567890",
                Some("123456789012345678899921813504"),
            ),
            ("0", "1e20", Some("100000000000000000000")),
            ("1e18", "0.5", Some("1000000000000000000.5")),
            ("17179869184", "1.5", Some("17179869185.5")),
            ("17179869184", "17179869184", Some("34359738368")),
            ("1", "-1.1", Some("-0.1")),
            ("0", "0x1.8p1", Some("3")),
            ("0", "1e-17", Some("0.00000000000000001")),
            ("0", "5e-18", Some("0")),
            ("0", "6e-18", Some("0.00000000000000001")),
            ("0.1", "0", Some("0.1")),
            ("1.1", "2.2", Some("3.3")),
            ("0", "inf", None),
            ("0", "-inf", None),
            ("0", "Infinity", None),
            ("1e4932", "1e4932", None),
        ];
        for &(a, b, expected) in cases {
            let got = incr_by_float(ld(a), ld(b)).map(human);
            assert_eq!(got.as_deref(), expected, "{a} + {b}");
        }
        // Values far beyond double range print in full.
        let big = human(ld("1.7976931348623157e308"));
        assert_eq!(big.len(), 309);
        assert!(big.starts_with("179769313486231569995921046774104434048386446944329178485314420"));
        let huge = human(ld("1e400"));
        assert_eq!(huge.len(), 401);
        assert!(huge.starts_with("10000000000000000000281880683947586514586453433629052038625910"));
        // No negative zero: 1/41 - 1/41.
        assert_eq!(
            human(ld("0.024390243902439025") + ld("-0.024390243902439025")),
            "0"
        );
    }

    #[test]
    fn long_double_parse_refusals() {
        let refused = [
            "",
            " 1",
            "1 ",
            "1e",
            "nan",
            "1e4933",
            "1e-4960",
            "0x1p16384",
            "1\0",
            "--1",
            " ",
        ];
        for text in refused {
            assert_eq!(LongDouble::parse(text.as_bytes()), None, "{text:?}");
        }
        let long = format!("0.{}", "1".repeat(MAX_LONG_DOUBLE_CHARS - 2));
        assert_eq!(LongDouble::parse(long.as_bytes()), None);
        let just_fits = format!("0.{}", "1".repeat(MAX_LONG_DOUBLE_CHARS - 3));
        assert_eq!(
            human(LongDouble::parse(just_fits.as_bytes()).unwrap()),
            "0.11111111111111111"
        );
        // 5119 digits are accepted text but overflow the long double range.
        assert_eq!(
            LongDouble::parse("1".repeat(MAX_LONG_DOUBLE_CHARS - 1).as_bytes()),
            None
        );
        assert!(LongDouble::parse(b"-0").is_some());
        assert!(LongDouble::parse(b"inf").is_some_and(|v| !v.is_finite()));
    }

    #[test]
    fn long_double_conversions() {
        assert_eq!(
            LongDouble::from_i64(i64::MIN).to_x87_bits(),
            0xc03e_8000_0000_0000_0000
        );
        assert_eq!(LongDouble::from_i64(0), LongDouble::ZERO);
        assert_eq!(human(LongDouble::from_i64(i64::MAX)), "9223372036854775807");
        assert_eq!(ld("0.1").to_x87_bits(), 0x3ffb_cccc_cccc_cccc_cccd);
        assert_eq!(ld("0.1").to_f64(), 0.1);
        assert_eq!(ld("1e400").to_f64(), f64::INFINITY);
        let nan = ld("inf") + ld("-inf");
        assert!(nan.is_nan());
        assert_eq!(human(nan), "-nan");
    }

    #[test]
    fn timeout_millis_table() {
        // BLPOP on a non-empty list with these timeouts on Redis 7.0.15: a negative result is the
        // "timeout is negative" error.
        let cases: &[(&str, i64)] = &[
            ("1e30", i64::MIN),
            ("inf", i64::MIN),
            ("-inf", i64::MIN),
            ("-0.0001", 0),
            ("-0.001", 0),
            ("-0.002", -1),
            ("-0.0005", 0),
            ("0.0001", 1),
            ("0x1p3", 8000),
            ("-1e-4940", 0),
            ("9223372036854775.807", i64::MAX),
            ("9223372036854775.808", i64::MIN),
            ("-9223372036854775.808", -9223372036854775807),
            ("-9223372036854775.809", i64::MIN),
            ("9.3e15", i64::MIN),
            ("1.5", 1500),
            ("0.0015", 2),
            ("0", 0),
        ];
        for &(text, expected) in cases {
            assert_eq!(ld(text).timeout_millis(), expected, "{text}");
        }
    }

    #[test]
    fn parse_i64_matches_string2ll() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"12"), Some(12));
        assert_eq!(parse_i64(b"-12"), Some(-12));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"+1",
            b"01",
            b"-0",
            b" 1",
            b"1 ",
            b"1a",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"000000000000000000001",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", bad);
        }
    }

    fn g(v: f64) -> String {
        String::from_utf8(double_17g(v).as_bytes().to_vec()).unwrap_or_default()
    }

    #[test]
    fn double_17g_matches_printf() {
        // Expected values produced by C's printf("%.17g").
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (0.1, "0.10000000000000001"),
            (1.1, "1.1000000000000001"),
            (3.0e-5, "3.0000000000000001e-05"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (123456.0, "123456"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (1.5e300, "1.5000000000000001e+300"),
            (5e-324, "4.9406564584124654e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (-f64::NAN, "-nan"),
            (12345678901234567890.0, "1.2345678901234567e+19"),
            (1234567890123456.7, "1234567890123456.8"),
        ];
        for &(v, want) in cases {
            assert_eq!(g(v), want, "value {v:e}");
        }
    }
}
