//! Allocation-free integer formatting for the encoders, and the lenient integer parser clients
//! read replies with (requests are parsed with Redis's own rules, `strnum::parse_i64`).

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

/// Parses an integer the lenient way a client should read replies: optional sign,
/// leading zeros allowed, overflow rejected.
pub(crate) fn parse_lenient_i64(s: &[u8]) -> Option<i64> {
    std::str::from_utf8(s).ok()?.parse().ok()
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
}
