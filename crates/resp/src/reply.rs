//! Protocol-version-aware reply encoding straight into the connection's output buffer.

use bytes::{BufMut, BytesMut};
use memchr::memchr2;

use crate::num::{decimal_len, put_i64, put_line_i64, put_line_usize};
use strnum::double_17g;

/// Appends `value` formatted exactly like C's `printf("%.17g")`, which is how Redis
/// renders doubles in replies (`inf`, `-inf`, `nan` and `-nan` included).
///
/// Seventeen significant digits always parse back to the same `f64`.
pub fn format_double_17g<B: BufMut + ?Sized>(value: f64, out: &mut B) {
    out.put_slice(double_17g(value).as_bytes());
}

/// Writes replies for one client into its output buffer, choosing RESP2 or RESP3
/// forms according to the protocol the client negotiated with `HELLO`.
///
/// Every method appends directly to the buffer; nothing is allocated besides the
/// buffer's own growth.
#[derive(Debug)]
pub struct ReplyWriter<'a> {
    out: &'a mut BytesMut,
    proto: u8,
}

impl<'a> ReplyWriter<'a> {
    /// Creates a writer for protocol version `proto` (2 or 3; anything above 2 is
    /// treated as RESP3).
    pub fn new(out: &'a mut BytesMut, proto: u8) -> ReplyWriter<'a> {
        ReplyWriter { out, proto }
    }

    /// The protocol version this writer was created with.
    pub fn proto(&self) -> u8 {
        self.proto
    }

    /// True when RESP3 forms are written.
    pub fn is_resp3(&self) -> bool {
        self.proto >= 3
    }

    /// The underlying buffer, for callers that need to write something unusual.
    pub fn buffer(&mut self) -> &mut BytesMut {
        self.out
    }

    /// Appends pre-encoded protocol bytes unchanged.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.out.put_slice(bytes);
    }

    /// Writes `+OK`.
    pub fn ok(&mut self) {
        self.out.put_slice(b"+OK\r\n");
    }

    /// Writes a simple string `+text`. CR and LF would break the framing, so they are
    /// written as spaces.
    pub fn simple(&mut self, text: &[u8]) {
        self.line(b'+', text);
    }

    /// Writes an error reply. `message` carries its code, e.g. `b"ERR no such key"` or
    /// `b"WRONGTYPE ..."`; a leading `-` is accepted and not doubled. CR and LF are
    /// written as spaces so the reply stays one line.
    pub fn error(&mut self, message: &[u8]) {
        let message = message.strip_prefix(b"-").unwrap_or(message);
        self.line(b'-', message);
    }

    fn line(&mut self, prefix: u8, text: &[u8]) {
        self.out.reserve(text.len() + 3);
        self.out.put_u8(prefix);
        if memchr2(b'\r', b'\n', text).is_none() {
            self.out.put_slice(text);
        } else {
            for &c in text {
                self.out
                    .put_u8(if c == b'\r' || c == b'\n' { b' ' } else { c });
            }
        }
        self.out.put_slice(b"\r\n");
    }

    /// Writes an integer reply `:n`.
    pub fn integer(&mut self, value: i64) {
        put_line_i64(self.out, b':', value);
    }

    /// Writes a bulk string `$len` + payload.
    pub fn bulk(&mut self, data: &[u8]) {
        put_line_usize(self.out, b'$', data.len());
        self.out.reserve(data.len() + 2);
        self.out.put_slice(data);
        self.out.put_slice(b"\r\n");
    }

    /// Writes only the `$len` header of a bulk string; the caller then appends exactly
    /// `len` bytes and [`ReplyWriter::crlf`]. Useful to stream a large value in pieces.
    pub fn bulk_header(&mut self, len: usize) {
        put_line_usize(self.out, b'$', len);
    }

    /// Writes the CRLF that ends a payload started with [`ReplyWriter::bulk_header`].
    pub fn crlf(&mut self) {
        self.out.put_slice(b"\r\n");
    }

    /// Writes an integer as a bulk string, e.g. `$3\r\n-12\r\n`.
    pub fn bulk_integer(&mut self, value: i64) {
        put_line_usize(self.out, b'$', decimal_len(value));
        put_i64(self.out, value);
        self.out.put_slice(b"\r\n");
    }

    /// Writes a null: `$-1` in RESP2 (null bulk), `_` in RESP3.
    pub fn null(&mut self) {
        self.out.put_slice(if self.is_resp3() {
            b"_\r\n"
        } else {
            b"$-1\r\n"
        });
    }

    /// Writes a null array: `*-1` in RESP2, `_` in RESP3.
    pub fn null_array(&mut self) {
        self.out.put_slice(if self.is_resp3() {
            b"_\r\n"
        } else {
            b"*-1\r\n"
        });
    }

    /// Writes an array header for `len` elements.
    pub fn array_len(&mut self, len: usize) {
        put_line_usize(self.out, b'*', len);
    }

    /// Writes a map header for `len` key/value pairs: `%len` in RESP3, or a flat array
    /// of `2 * len` elements in RESP2.
    pub fn map_len(&mut self, len: usize) {
        if self.is_resp3() {
            put_line_usize(self.out, b'%', len);
        } else {
            put_line_usize(self.out, b'*', len.saturating_mul(2));
        }
    }

    /// Writes a set header: `~len` in RESP3, `*len` in RESP2.
    pub fn set_len(&mut self, len: usize) {
        let prefix = if self.is_resp3() { b'~' } else { b'*' };
        put_line_usize(self.out, prefix, len);
    }

    /// Writes a push header: `>len` in RESP3, `*len` in RESP2 (pub/sub messages).
    pub fn push_len(&mut self, len: usize) {
        let prefix = if self.is_resp3() { b'>' } else { b'*' };
        put_line_usize(self.out, prefix, len);
    }

    /// Writes a double: `,x` in RESP3, a bulk string in RESP2, formatted with `%.17g`
    /// as Redis does.
    pub fn double(&mut self, value: f64) {
        let text = double_17g(value);
        let text = text.as_bytes();
        if self.is_resp3() {
            self.out.reserve(text.len() + 3);
            self.out.put_u8(b',');
            self.out.put_slice(text);
            self.out.put_slice(b"\r\n");
        } else {
            self.bulk(text);
        }
    }

    /// Writes a boolean: `#t`/`#f` in RESP3, the integer 1/0 in RESP2.
    pub fn boolean(&mut self, value: bool) {
        let bytes: &[u8] = match (self.is_resp3(), value) {
            (true, true) => b"#t\r\n",
            (true, false) => b"#f\r\n",
            (false, true) => b":1\r\n",
            (false, false) => b":0\r\n",
        };
        self.out.put_slice(bytes);
    }

    /// Writes a verbatim string with a three-byte format such as `b"txt"`: `=len` in
    /// RESP3, a plain bulk string of `data` in RESP2.
    pub fn verbatim(&mut self, format: &[u8; 3], data: &[u8]) {
        if self.is_resp3() {
            put_line_usize(self.out, b'=', data.len() + 4);
            self.out.reserve(data.len() + 6);
            self.out.put_slice(format);
            self.out.put_u8(b':');
            self.out.put_slice(data);
            self.out.put_slice(b"\r\n");
        } else {
            self.bulk(data);
        }
    }

    /// Writes a big number given as decimal digits: `(digits` in RESP3, a bulk string in
    /// RESP2.
    pub fn big_number(&mut self, digits: &[u8]) {
        if self.is_resp3() {
            self.line(b'(', digits);
        } else {
            self.bulk(digits);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(f: impl Fn(&mut ReplyWriter<'_>)) -> (Vec<u8>, Vec<u8>) {
        let mut two = BytesMut::new();
        f(&mut ReplyWriter::new(&mut two, 2));
        let mut three = BytesMut::new();
        f(&mut ReplyWriter::new(&mut three, 3));
        (two.to_vec(), three.to_vec())
    }

    fn check(f: impl Fn(&mut ReplyWriter<'_>), resp2: &[u8], resp3: &[u8]) {
        let (two, three) = both(f);
        assert_eq!(two, resp2, "RESP2");
        assert_eq!(three, resp3, "RESP3");
    }

    #[test]
    fn protocol_independent_forms() {
        check(|w| w.ok(), b"+OK\r\n", b"+OK\r\n");
        check(|w| w.simple(b"PONG"), b"+PONG\r\n", b"+PONG\r\n");
        check(|w| w.simple(b"a\r\nb"), b"+a  b\r\n", b"+a  b\r\n");
        check(|w| w.error(b"ERR foo"), b"-ERR foo\r\n", b"-ERR foo\r\n");
        check(|w| w.error(b"-ERR x\ny"), b"-ERR x y\r\n", b"-ERR x y\r\n");
        check(|w| w.integer(-5), b":-5\r\n", b":-5\r\n");
        check(|w| w.bulk(b"hi"), b"$2\r\nhi\r\n", b"$2\r\nhi\r\n");
        check(|w| w.bulk_integer(-12), b"$3\r\n-12\r\n", b"$3\r\n-12\r\n");
        check(|w| w.array_len(3), b"*3\r\n", b"*3\r\n");
        check(
            |w| {
                w.bulk_header(3);
                w.raw(b"abc");
                w.crlf();
            },
            b"$3\r\nabc\r\n",
            b"$3\r\nabc\r\n",
        );
    }

    #[test]
    fn protocol_dependent_forms() {
        check(|w| w.null(), b"$-1\r\n", b"_\r\n");
        check(|w| w.null_array(), b"*-1\r\n", b"_\r\n");
        check(|w| w.map_len(2), b"*4\r\n", b"%2\r\n");
        check(|w| w.set_len(2), b"*2\r\n", b"~2\r\n");
        check(|w| w.push_len(3), b"*3\r\n", b">3\r\n");
        check(|w| w.boolean(true), b":1\r\n", b"#t\r\n");
        check(|w| w.boolean(false), b":0\r\n", b"#f\r\n");
        check(|w| w.double(1.5), b"$3\r\n1.5\r\n", b",1.5\r\n");
        check(
            |w| w.double(0.1),
            b"$19\r\n0.10000000000000001\r\n",
            b",0.10000000000000001\r\n",
        );
        check(|w| w.double(f64::INFINITY), b"$3\r\ninf\r\n", b",inf\r\n");
        check(
            |w| w.double(f64::NEG_INFINITY),
            b"$4\r\n-inf\r\n",
            b",-inf\r\n",
        );
        check(
            |w| w.verbatim(b"txt", b"hello"),
            b"$5\r\nhello\r\n",
            b"=9\r\ntxt:hello\r\n",
        );
        check(
            |w| w.big_number(b"12345678901234567890"),
            b"$20\r\n12345678901234567890\r\n",
            b"(12345678901234567890\r\n",
        );
    }

    #[test]
    fn format_double_into_vec() {
        let mut out = Vec::new();
        format_double_17g(3.0, &mut out);
        format_double_17g(1e100, &mut out);
        assert_eq!(out, b"31e+100");
    }
}
