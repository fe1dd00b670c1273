//! Allocation-free integer and double formatting plus the integer parsers used by the decoders.

use bytes::BufMut;

/// Two ASCII digits for every value 0..100, so formatting emits two digits per division.
const DIGIT_PAIRS: [u8; 200] = {
    let mut table = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        table[i * 2] = b'0' + (i / 10) as u8;
        table[i * 2 + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    table
};

/// Room for a protocol header line: a type byte, a sign, 20 digits and CRLF.
const LINE_CAP: usize = 24;

/// Writes the decimal digits of `v` right-aligned ending at `end`, returning the start index.
///
/// The buffer must have at least 20 bytes before `end`; every caller sizes it for that.
fn digits_backwards(mut v: u64, buf: &mut [u8], end: usize) -> usize {
    let mut pos = end;
    while v >= 100 {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        pos -= 2;
        buf[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if v >= 10 {
        let pair = v as usize * 2;
        pos -= 2;
        buf[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        pos -= 1;
        buf[pos] = b'0' + v as u8;
    }
    pos
}

/// Appends `<prefix><v>\r\n` with a single copy into `out`.
#[inline]
pub(crate) fn put_line_i64<B: BufMut + ?Sized>(out: &mut B, prefix: u8, v: i64) {
    let mut buf = [0u8; LINE_CAP];
    buf[LINE_CAP - 2] = b'\r';
    buf[LINE_CAP - 1] = b'\n';
    let mut start = digits_backwards(v.unsigned_abs(), &mut buf, LINE_CAP - 2);
    if v < 0 {
        start -= 1;
        buf[start] = b'-';
    }
    start -= 1;
    buf[start] = prefix;
    out.put_slice(&buf[start..]);
}

/// Appends `<prefix><n>\r\n` for a length or count.
#[inline]
pub(crate) fn put_line_usize<B: BufMut + ?Sized>(out: &mut B, prefix: u8, n: usize) {
    let mut buf = [0u8; LINE_CAP];
    buf[LINE_CAP - 2] = b'\r';
    buf[LINE_CAP - 1] = b'\n';
    let mut start = digits_backwards(n as u64, &mut buf, LINE_CAP - 2);
    start -= 1;
    buf[start] = prefix;
    out.put_slice(&buf[start..]);
}

/// Appends the plain decimal form of `v` (no prefix, no CRLF).
pub(crate) fn put_i64<B: BufMut + ?Sized>(out: &mut B, v: i64) {
    let mut buf = [0u8; LINE_CAP];
    let mut start = digits_backwards(v.unsigned_abs(), &mut buf, LINE_CAP);
    if v < 0 {
        start -= 1;
        buf[start] = b'-';
    }
    out.put_slice(&buf[start..]);
}

/// Number of bytes `put_i64` would write for `v`.
pub(crate) fn decimal_len(v: i64) -> usize {
    let mut n = v.unsigned_abs();
    let mut len = usize::from(v < 0) + 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

/// Parses an integer with exactly the strictness of Redis's `string2ll`.
///
/// Request framing must accept and reject the same spellings as Redis (no `+`, no
/// leading zeros, no `-0`, at most 20 bytes), or a pipeline that Redis rejects with a
/// protocol error would be executed here and vice versa.
pub(crate) fn parse_strict_i64(s: &[u8]) -> Option<i64> {
    // Redis refuses anything of 21 bytes or more before looking at it.
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    if negative {
        // The magnitude of i64::MIN is one more than i64::MAX.
        if v > i64::MAX as u64 + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// Parses an integer the lenient way a client should read replies: optional sign,
/// leading zeros allowed, overflow rejected.
pub(crate) fn parse_lenient_i64(s: &[u8]) -> Option<i64> {
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// A fixed-size stack buffer that collects `fmt` output without allocating.
struct StackWriter<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> std::fmt::Write for StackWriter<N> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(std::fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The `%.17g` rendering of a double, held on the stack.
pub(crate) struct Double17g {
    buf: [u8; 32],
    len: usize,
}

impl Double17g {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn push(&mut self, c: u8) {
        // The longest possible output is 24 bytes, so this never drops anything.
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = c;
            self.len += 1;
        }
    }
}

/// Renders `value` the way glibc's `printf("%.17g")` does.
///
/// Rust's `{:.16e}` yields the same correctly rounded 17 significant digits as glibc,
/// so only the layout rules of `%g` (fixed vs. exponent notation, trailing-zero
/// removal, two-digit exponent) have to be reproduced here.
pub(crate) fn double_17g(value: f64) -> Double17g {
    use std::fmt::Write;

    let mut out = Double17g {
        buf: [0; 32],
        len: 0,
    };
    if value.is_sign_negative() && (value.is_nan() || value.is_infinite() || value == 0.0) {
        out.push(b'-');
    }
    if value.is_nan() {
        out.buf[out.len..out.len + 3].copy_from_slice(b"nan");
        out.len += 3;
        return out;
    }
    if value.is_infinite() {
        out.buf[out.len..out.len + 3].copy_from_slice(b"inf");
        out.len += 3;
        return out;
    }
    if value == 0.0 {
        out.push(b'0');
        return out;
    }

    let mut sci = StackWriter::<40> {
        buf: [0; 40],
        len: 0,
    };
    if write!(sci, "{:.16e}", value.abs()).is_err() {
        // Cannot happen for a finite double (at most 23 bytes), but stay total.
        out.push(b'0');
        return out;
    }
    let text = &sci.buf[..sci.len];
    let Some(e_pos) = text.iter().position(|&c| c == b'e') else {
        out.push(b'0');
        return out;
    };
    let exponent = std::str::from_utf8(&text[e_pos + 1..])
        .ok()
        .and_then(|s| s.parse::<i32>().ok())
        .unwrap_or(0);

    // Collect the 17 significant digits, dropping the decimal point.
    let mut digits = [0u8; 17];
    let mut count = 0;
    for &c in &text[..e_pos] {
        if c.is_ascii_digit() && count < digits.len() {
            digits[count] = c;
            count += 1;
        }
    }
    // %g without '#' strips trailing zeros of the fraction.
    while count > 1 && digits[count - 1] == b'0' {
        count -= 1;
    }
    let digits = &digits[..count];

    if value < 0.0 {
        out.push(b'-');
    }
    if !(-4..17).contains(&exponent) {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            for &d in &digits[1..] {
                out.push(d);
            }
        }
        out.push(b'e');
        out.push(if exponent < 0 { b'-' } else { b'+' });
        let magnitude = exponent.unsigned_abs();
        if magnitude < 10 {
            out.push(b'0');
        }
        let mut tmp = [0u8; 20];
        let start = digits_backwards(u64::from(magnitude), &mut tmp, 20);
        for &d in &tmp[start..] {
            out.push(d);
        }
    } else if exponent >= 0 {
        let int_len = exponent as usize + 1;
        for i in 0..int_len {
            out.push(digits.get(i).copied().unwrap_or(b'0'));
        }
        if digits.len() > int_len {
            out.push(b'.');
            for &d in &digits[int_len..] {
                out.push(d);
            }
        }
    } else {
        out.push(b'0');
        out.push(b'.');
        for _ in 0..(-exponent - 1) {
            out.push(b'0');
        }
        for &d in digits {
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(prefix: u8, v: i64) -> Vec<u8> {
        let mut out = Vec::new();
        put_line_i64(&mut out, prefix, v);
        out
    }

    #[test]
    fn integer_lines() {
        assert_eq!(line(b':', 0), b":0\r\n");
        assert_eq!(line(b':', 7), b":7\r\n");
        assert_eq!(line(b':', 42), b":42\r\n");
        assert_eq!(line(b':', -100), b":-100\r\n");
        assert_eq!(line(b':', i64::MAX), b":9223372036854775807\r\n");
        assert_eq!(line(b':', i64::MIN), b":-9223372036854775808\r\n");
        let mut out = Vec::new();
        put_line_usize(&mut out, b'*', usize::MAX);
        assert_eq!(out, format!("*{}\r\n", usize::MAX).into_bytes());
        for v in [0, 9, 10, 99, 100, -1, -10, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            put_i64(&mut out, v);
            assert_eq!(out, v.to_string().into_bytes());
            assert_eq!(decimal_len(v), v.to_string().len());
        }
    }

    #[test]
    fn strict_parse_matches_string2ll() {
        assert_eq!(parse_strict_i64(b"0"), Some(0));
        assert_eq!(parse_strict_i64(b"12"), Some(12));
        assert_eq!(parse_strict_i64(b"-12"), Some(-12));
        assert_eq!(parse_strict_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_strict_i64(b"-9223372036854775808"), Some(i64::MIN));
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
            assert_eq!(parse_strict_i64(bad), None, "{:?}", bad);
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
