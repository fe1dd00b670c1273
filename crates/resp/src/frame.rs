//! The [`Frame`] value type covering every RESP2 and RESP3 reply, its encoder, and a
//! client-side decoder hardened against hostile servers.

use bytes::{BufMut, Bytes, BytesMut};
use memchr::memchr;

use crate::num::{parse_lenient_i64, put_line_i64, put_line_usize};
use strnum::double_17g;

/// Deepest aggregate nesting [`decode_frame`] accepts; deeper input is rejected so a
/// hostile peer cannot exhaust the stack with `*1\r\n*1\r\n...`.
pub const MAX_FRAME_DEPTH: usize = 128;

/// Aggregates never pre-allocate room for more elements than this, whatever count the
/// peer claims; the vector grows only as elements actually arrive.
const MAX_PREALLOC: usize = 1024;

/// One RESP2 or RESP3 protocol value.
///
/// `Double` compares with `f64` semantics, so a frame holding NaN is not equal to itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// `+text` simple string. Must not contain CR or LF.
    Simple(Bytes),
    /// `-text` simple error, including its code (`ERR ...`). Must not contain CR or LF.
    Error(Bytes),
    /// `:n` integer.
    Integer(i64),
    /// `$len` binary-safe bulk string.
    Bulk(Bytes),
    /// Null: RESP3 `_`, or RESP2's null bulk `$-1` when decoding.
    Null,
    /// RESP2 null array `*-1`.
    NullArray,
    /// `*n` array.
    Array(Vec<Frame>),
    /// `%n` map, as key/value pairs in wire order.
    Map(Vec<(Frame, Frame)>),
    /// `~n` set, in wire order.
    Set(Vec<Frame>),
    /// `,x` double; `inf`, `-inf` and `nan` included.
    Double(f64),
    /// `(digits` big number, kept as its decimal text.
    BigNumber(Bytes),
    /// `#t` / `#f` boolean.
    Boolean(bool),
    /// `=len` verbatim string: a three-byte format such as `txt` plus the payload.
    Verbatim {
        /// The format tag that precedes the `:` on the wire.
        format: [u8; 3],
        /// The payload after the `fmt:` prefix.
        data: Bytes,
    },
    /// `>n` out-of-band push message.
    Push(Vec<Frame>),
    /// `|n` attribute map that precedes the reply it describes.
    ///
    /// [`decode_frame`] returns a top-level attribute as a frame of its own; the reply it
    /// annotates is the next frame in the stream. Attributes nested inside an aggregate
    /// are parsed and discarded, because they are not counted in the aggregate's length
    /// and a client may ignore them.
    Attribute(Vec<(Frame, Frame)>),
    /// `!len` binary-safe blob error.
    BlobError(Bytes),
}

impl Frame {
    /// Convenience constructor for a bulk string frame.
    pub fn bulk(data: impl Into<Bytes>) -> Frame {
        Frame::Bulk(data.into())
    }

    /// Convenience constructor for a simple string frame.
    pub fn simple(text: impl Into<Bytes>) -> Frame {
        Frame::Simple(text.into())
    }

    /// Appends the exact wire form of this frame to `out`.
    ///
    /// RESP3 types are written in their RESP3 form; use [`crate::ReplyWriter`] to emit
    /// replies that degrade to RESP2. Doubles use `%.17g`, which parses back to the same
    /// value. Simple strings and errors are written verbatim, so they must not contain
    /// CR or LF.
    pub fn encode(&self, out: &mut BytesMut) {
        match self {
            Frame::Simple(s) => put_simple(out, b'+', s),
            Frame::Error(s) => put_simple(out, b'-', s),
            Frame::Integer(n) => put_line_i64(out, b':', *n),
            Frame::Bulk(data) => put_blob(out, b'$', data),
            Frame::Null => out.put_slice(b"_\r\n"),
            Frame::NullArray => out.put_slice(b"*-1\r\n"),
            Frame::Array(items) => put_items(out, b'*', items),
            Frame::Set(items) => put_items(out, b'~', items),
            Frame::Push(items) => put_items(out, b'>', items),
            Frame::Map(pairs) => put_pairs(out, b'%', pairs),
            Frame::Attribute(pairs) => put_pairs(out, b'|', pairs),
            Frame::Double(v) => {
                let text = double_17g(*v);
                out.reserve(text.as_bytes().len() + 3);
                out.put_u8(b',');
                out.put_slice(text.as_bytes());
                out.put_slice(b"\r\n");
            }
            Frame::BigNumber(digits) => put_simple(out, b'(', digits),
            Frame::Boolean(b) => out.put_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
            Frame::Verbatim { format, data } => {
                put_line_usize(out, b'=', data.len() + 4);
                out.reserve(data.len() + 6);
                out.put_slice(format);
                out.put_u8(b':');
                out.put_slice(data);
                out.put_slice(b"\r\n");
            }
            Frame::BlobError(data) => put_blob(out, b'!', data),
        }
    }

    /// Returns the encoded wire form as a new buffer.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }
}

fn put_simple(out: &mut BytesMut, prefix: u8, text: &[u8]) {
    out.reserve(text.len() + 3);
    out.put_u8(prefix);
    out.put_slice(text);
    out.put_slice(b"\r\n");
}

fn put_blob(out: &mut BytesMut, prefix: u8, data: &[u8]) {
    put_line_usize(out, prefix, data.len());
    out.reserve(data.len() + 2);
    out.put_slice(data);
    out.put_slice(b"\r\n");
}

fn put_items(out: &mut BytesMut, prefix: u8, items: &[Frame]) {
    put_line_usize(out, prefix, items.len());
    for item in items {
        item.encode(out);
    }
}

fn put_pairs(out: &mut BytesMut, prefix: u8, pairs: &[(Frame, Frame)]) {
    put_line_usize(out, prefix, pairs.len());
    for (k, v) in pairs {
        k.encode(out);
        v.encode(out);
    }
}

/// Why a reply stream could not be decoded. Any of these means the stream is out of
/// sync and the connection should be dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// The first byte of a value is not a known RESP type marker.
    UnknownType(u8),
    /// A length or element count is malformed, negative where that is not allowed, or
    /// too large for this platform.
    InvalidLength,
    /// An integer reply is malformed or out of `i64` range.
    InvalidInteger,
    /// A double reply is malformed.
    InvalidDouble,
    /// A boolean reply is neither `t` nor `f`.
    InvalidBoolean,
    /// A big number is not an optionally signed run of digits.
    InvalidBigNumber,
    /// A verbatim string is shorter than its `fmt:` prefix or lacks the colon.
    InvalidVerbatim,
    /// A CR is not followed by LF, or a payload is not followed by CRLF.
    MissingCrlf,
    /// Aggregates are nested deeper than [`MAX_FRAME_DEPTH`].
    TooDeep,
    /// A streamed-type marker (`;` or `.`) appeared outside a streamed value.
    UnexpectedStreamMarker,
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::UnknownType(b) => {
                write!(f, "unknown RESP type byte {:?}", char::from(*b))
            }
            FrameError::InvalidLength => f.write_str("invalid RESP length or count"),
            FrameError::InvalidInteger => f.write_str("invalid RESP integer"),
            FrameError::InvalidDouble => f.write_str("invalid RESP double"),
            FrameError::InvalidBoolean => f.write_str("invalid RESP boolean"),
            FrameError::InvalidBigNumber => f.write_str("invalid RESP big number"),
            FrameError::InvalidVerbatim => f.write_str("invalid RESP verbatim string"),
            FrameError::MissingCrlf => f.write_str("missing CRLF terminator"),
            FrameError::TooDeep => write!(f, "RESP nesting deeper than {MAX_FRAME_DEPTH}"),
            FrameError::UnexpectedStreamMarker => f.write_str("unexpected streamed-type marker"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Decodes one complete reply from the front of `buf`.
///
/// Returns `Ok(None)` if `buf` does not yet hold a whole value, or the frame and the
/// number of bytes it occupied. Payloads are copied out of `buf`; see
/// [`decode_frame_bytes`] for the zero-copy variant. Besides every RESP2/RESP3 type this
/// accepts RESP3 streamed strings (`$?` with `;` chunks) and streamed aggregates
/// (`*?`, `~?`, `%?`, `>?`, `|?` ended by `.`), which are returned as the ordinary
/// frame they spell. A top-level attribute is returned as its own [`Frame::Attribute`].
///
/// Nothing is allocated ahead of the bytes that justify it, nesting is capped at
/// [`MAX_FRAME_DEPTH`], and no input can make it panic.
pub fn decode_frame(buf: &[u8]) -> Result<Option<(Frame, usize)>, FrameError> {
    run(&mut Parser {
        buf,
        pos: 0,
        mode: Mode::Copy,
    })
}

/// Decodes one complete reply from the front of `buf`, removing its bytes from `buf`
/// and returning payloads as zero-copy slices of them.
///
/// Returns `Ok(None)` (leaving `buf` untouched) while the reply is incomplete. This
/// first checks completeness without building anything, so a large bulk reply arriving
/// in pieces costs only a header parse per call.
pub fn decode_frame_bytes(buf: &mut BytesMut) -> Result<Option<Frame>, FrameError> {
    let len = match run(&mut Parser {
        buf,
        pos: 0,
        mode: Mode::Skip,
    })? {
        Some((_, len)) => len,
        None => return Ok(None),
    };
    let frozen = buf.split_to(len).freeze();
    let mut parser = Parser {
        buf: &frozen,
        pos: 0,
        mode: Mode::Share(&frozen),
    };
    Ok(run(&mut parser)?.map(|(frame, _)| frame))
}

fn run(parser: &mut Parser<'_>) -> Result<Option<(Frame, usize)>, FrameError> {
    match parser.value(0, true) {
        Ok(Item::Value(frame)) => Ok(Some((frame, parser.pos))),
        Ok(Item::End) => Err(FrameError::UnexpectedStreamMarker),
        Err(Fail::Incomplete) => Ok(None),
        Err(Fail::Invalid(e)) => Err(e),
    }
}

/// How the parser materialises payloads.
#[derive(Clone, Copy)]
enum Mode<'a> {
    /// Copy each payload into its own allocation.
    Copy,
    /// Slice payloads out of this buffer, which is the one being parsed.
    Share(&'a Bytes),
    /// Build nothing: only validate and measure.
    Skip,
}

/// Internal failure: either more input is needed or the input is bad.
enum Fail {
    Incomplete,
    Invalid(FrameError),
}

impl From<FrameError> for Fail {
    fn from(e: FrameError) -> Self {
        Fail::Invalid(e)
    }
}

/// A parsed element, or the `.` terminator of a streamed aggregate.
enum Item {
    Value(Frame),
    End,
}

type Parsed<T> = Result<T, Fail>;

struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
    mode: Mode<'a>,
}

impl<'a> Parser<'a> {
    fn builds(&self) -> bool {
        !matches!(self.mode, Mode::Skip)
    }

    fn payload(&self, start: usize, end: usize) -> Bytes {
        match self.mode {
            Mode::Copy => Bytes::copy_from_slice(self.buf.get(start..end).unwrap_or_default()),
            Mode::Share(whole) if start <= end && end <= whole.len() => whole.slice(start..end),
            Mode::Share(_) | Mode::Skip => Bytes::new(),
        }
    }

    /// Reads a CRLF-terminated line starting at the cursor and returns its bounds.
    fn line(&mut self) -> Parsed<(usize, usize)> {
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        let cr = memchr(b'\r', rest).ok_or(Fail::Incomplete)?;
        match rest.get(cr + 1) {
            None => Err(Fail::Incomplete),
            Some(b'\n') => {
                let start = self.pos;
                self.pos += cr + 2;
                Ok((start, start + cr))
            }
            Some(_) => Err(FrameError::MissingCrlf.into()),
        }
    }

    fn slice(&self, (start, end): (usize, usize)) -> &'a [u8] {
        self.buf.get(start..end).unwrap_or_default()
    }

    /// Reads `len` payload bytes plus their CRLF and returns the payload bounds.
    fn blob(&mut self, len: usize) -> Parsed<(usize, usize)> {
        let start = self.pos;
        let end = start.checked_add(len).ok_or(FrameError::InvalidLength)?;
        let after = end.checked_add(2).ok_or(FrameError::InvalidLength)?;
        let crlf = self.buf.get(end..after).ok_or(Fail::Incomplete)?;
        if crlf != b"\r\n" {
            return Err(FrameError::MissingCrlf.into());
        }
        self.pos = after;
        Ok((start, end))
    }

    /// Parses a length or count line; each caller decides which header kinds it accepts.
    fn header(&mut self) -> Parsed<Header> {
        let line = self.line()?;
        let text = self.slice(line);
        if text == b"?" {
            return Ok(Header::Streamed);
        }
        match parse_lenient_i64(text) {
            Some(-1) => Ok(Header::Null),
            Some(n) => usize::try_from(n)
                .map(Header::Len)
                .map_err(|_| FrameError::InvalidLength.into()),
            None => Err(FrameError::InvalidLength.into()),
        }
    }

    /// Parses one value. `top` is true only for the outermost call, where an attribute
    /// is returned instead of being skipped.
    fn value(&mut self, depth: usize, top: bool) -> Parsed<Item> {
        loop {
            let marker = *self.buf.get(self.pos).ok_or(Fail::Incomplete)?;
            self.pos += 1;
            let frame = match marker {
                b'+' => Frame::Simple(self.line_payload()?),
                b'-' => Frame::Error(self.line_payload()?),
                b':' => {
                    let line = self.line()?;
                    Frame::Integer(
                        parse_lenient_i64(self.slice(line)).ok_or(FrameError::InvalidInteger)?,
                    )
                }
                b'_' => {
                    let line = self.line()?;
                    if line.0 != line.1 {
                        return Err(FrameError::InvalidLength.into());
                    }
                    Frame::Null
                }
                b',' => {
                    let line = self.line()?;
                    Frame::Double(parse_double(self.slice(line))?)
                }
                b'#' => {
                    let line = self.line()?;
                    match self.slice(line) {
                        b"t" => Frame::Boolean(true),
                        b"f" => Frame::Boolean(false),
                        _ => return Err(FrameError::InvalidBoolean.into()),
                    }
                }
                b'(' => {
                    let line = self.line()?;
                    let digits = self.slice(line);
                    if !is_big_number(digits) {
                        return Err(FrameError::InvalidBigNumber.into());
                    }
                    Frame::BigNumber(self.payload(line.0, line.1))
                }
                b'$' => match self.header()? {
                    Header::Null => Frame::Null,
                    Header::Len(len) => {
                        let (s, e) = self.blob(len)?;
                        Frame::Bulk(self.payload(s, e))
                    }
                    Header::Streamed => Frame::Bulk(self.streamed_string()?),
                },
                b'!' => match self.header()? {
                    Header::Len(len) => {
                        let (s, e) = self.blob(len)?;
                        Frame::BlobError(self.payload(s, e))
                    }
                    Header::Null | Header::Streamed => return Err(FrameError::InvalidLength.into()),
                },
                b'=' => match self.header()? {
                    Header::Len(len) => {
                        let (s, e) = self.blob(len)?;
                        let raw = self.slice((s, e));
                        match raw {
                            [a, b, c, b':', ..] => Frame::Verbatim {
                                format: [*a, *b, *c],
                                data: self.payload(s + 4, e),
                            },
                            _ => return Err(FrameError::InvalidVerbatim.into()),
                        }
                    }
                    Header::Null | Header::Streamed => return Err(FrameError::InvalidLength.into()),
                },
                b'*' => match self.header()? {
                    Header::Null => Frame::NullArray,
                    header => Frame::Array(self.items(header, depth)?),
                },
                b'~' => {
                    let header = self.non_null_header()?;
                    Frame::Set(self.items(header, depth)?)
                }
                b'>' => {
                    let header = self.non_null_header()?;
                    Frame::Push(self.items(header, depth)?)
                }
                b'%' => {
                    let header = self.non_null_header()?;
                    Frame::Map(self.pairs(header, depth)?)
                }
                b'|' => {
                    let header = self.non_null_header()?;
                    let pairs = self.pairs(header, depth)?;
                    if top {
                        Frame::Attribute(pairs)
                    } else {
                        // A nested attribute annotates the element that follows it and
                        // is not part of the aggregate's count: drop it and read on.
                        continue;
                    }
                }
                b'.' if !top => {
                    let line = self.line()?;
                    if line.0 != line.1 {
                        return Err(FrameError::UnexpectedStreamMarker.into());
                    }
                    return Ok(Item::End);
                }
                b'.' | b';' => return Err(FrameError::UnexpectedStreamMarker.into()),
                other => return Err(FrameError::UnknownType(other).into()),
            };
            return Ok(Item::Value(frame));
        }
    }

    fn line_payload(&mut self) -> Parsed<Bytes> {
        let (s, e) = self.line()?;
        Ok(self.payload(s, e))
    }

    fn non_null_header(&mut self) -> Parsed<Header> {
        match self.header()? {
            Header::Null => Err(FrameError::InvalidLength.into()),
            header => Ok(header),
        }
    }

    /// Reads the `;len` chunks of a streamed string up to the `;0` terminator.
    fn streamed_string(&mut self) -> Parsed<Bytes> {
        let mut data = BytesMut::new();
        loop {
            match self.buf.get(self.pos) {
                None => return Err(Fail::Incomplete),
                Some(b';') => self.pos += 1,
                Some(_) => return Err(FrameError::MissingCrlf.into()),
            }
            let len = match self.header()? {
                Header::Len(len) => len,
                Header::Null | Header::Streamed => return Err(FrameError::InvalidLength.into()),
            };
            if len == 0 {
                return Ok(data.freeze());
            }
            let (s, e) = self.blob(len)?;
            if self.builds() {
                data.extend_from_slice(self.slice((s, e)));
            }
        }
    }

    /// Reads the elements of a counted or streamed aggregate.
    fn items(&mut self, header: Header, depth: usize) -> Parsed<Vec<Frame>> {
        self.aggregate(header, depth, |p, depth| match p.value(depth, false)? {
            Item::Value(frame) => Ok(Some(frame)),
            Item::End => Ok(None),
        })
    }

    /// Reads the key/value pairs of a counted or streamed map or attribute.
    fn pairs(&mut self, header: Header, depth: usize) -> Parsed<Vec<(Frame, Frame)>> {
        self.aggregate(header, depth, |p, depth| {
            let Item::Value(key) = p.value(depth, false)? else {
                return Ok(None);
            };
            match p.value(depth, false)? {
                Item::Value(value) => Ok(Some((key, value))),
                // A streamed map may only end between pairs.
                Item::End => Err(FrameError::UnexpectedStreamMarker.into()),
            }
        })
    }

    /// Reads the members of a counted or streamed aggregate with `member`, which returns
    /// `None` at a streamed aggregate's end marker; members are kept only when building.
    fn aggregate<T>(
        &mut self,
        header: Header,
        depth: usize,
        mut member: impl FnMut(&mut Self, usize) -> Parsed<Option<T>>,
    ) -> Parsed<Vec<T>> {
        if depth >= MAX_FRAME_DEPTH {
            return Err(FrameError::TooDeep.into());
        }
        let (count, streamed) = match header {
            Header::Len(n) => (n, false),
            Header::Streamed => (usize::MAX, true),
            Header::Null => return Err(FrameError::InvalidLength.into()),
        };
        let mut members = if self.builds() && !streamed {
            Vec::with_capacity(count.min(MAX_PREALLOC))
        } else {
            Vec::new()
        };
        let mut seen = 0;
        while seen < count {
            match member(self, depth + 1)? {
                Some(m) if self.builds() => members.push(m),
                Some(_) => {}
                None if streamed => return Ok(members),
                None => return Err(FrameError::UnexpectedStreamMarker.into()),
            }
            seen += 1;
        }
        Ok(members)
    }
}

/// A decoded length line.
enum Header {
    Len(usize),
    /// `-1`, the RESP2 null marker.
    Null,
    /// `?`, a RESP3 streamed value of unknown length.
    Streamed,
}

fn parse_double(text: &[u8]) -> Result<f64, FrameError> {
    // Rust's parser accepts `inf`, `-inf`, `nan` and exponent forms, which is the
    // RESP3 double grammar; empty or non-UTF-8 text is rejected.
    std::str::from_utf8(text)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .ok_or(FrameError::InvalidDouble)
}

fn is_big_number(text: &[u8]) -> bool {
    let digits = match text {
        [b'-' | b'+', rest @ ..] => rest,
        _ => text,
    };
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn decode_all(wire: &[u8]) -> Frame {
        let (frame, used) = decode_frame(wire).unwrap().unwrap();
        assert_eq!(used, wire.len(), "consumed length for {wire:?}");
        // Every strict prefix must be reported as incomplete, never as an error.
        for cut in 0..wire.len() {
            assert_eq!(
                decode_frame(&wire[..cut]),
                Ok(None),
                "prefix {cut} of {wire:?}"
            );
        }
        let mut buf = BytesMut::from(wire);
        // Compare encodings so NaN doubles count as equal.
        let shared = decode_frame_bytes(&mut buf).unwrap().unwrap();
        assert_eq!(shared.to_bytes(), frame.to_bytes());
        assert!(buf.is_empty());
        frame
    }

    fn b(s: &'static [u8]) -> Bytes {
        Bytes::from_static(s)
    }

    #[test]
    fn decodes_every_type() {
        assert_eq!(decode_all(b"+OK\r\n"), Frame::Simple(b(b"OK")));
        assert_eq!(decode_all(b"-ERR x\r\n"), Frame::Error(b(b"ERR x")));
        assert_eq!(decode_all(b":-42\r\n"), Frame::Integer(-42));
        assert_eq!(decode_all(b":+7\r\n"), Frame::Integer(7));
        assert_eq!(decode_all(b"$3\r\na\r\n\r\n"), Frame::Bulk(b(b"a\r\n")));
        assert_eq!(decode_all(b"$0\r\n\r\n"), Frame::Bulk(b(b"")));
        assert_eq!(decode_all(b"$-1\r\n"), Frame::Null);
        assert_eq!(decode_all(b"_\r\n"), Frame::Null);
        assert_eq!(decode_all(b"*-1\r\n"), Frame::NullArray);
        assert_eq!(
            decode_all(b"*2\r\n:1\r\n*0\r\n"),
            Frame::Array(vec![Frame::Integer(1), Frame::Array(vec![])])
        );
        assert_eq!(
            decode_all(b"%1\r\n+a\r\n#t\r\n"),
            Frame::Map(vec![(Frame::Simple(b(b"a")), Frame::Boolean(true))])
        );
        assert_eq!(
            decode_all(b"~1\r\n#f\r\n"),
            Frame::Set(vec![Frame::Boolean(false)])
        );
        assert_eq!(decode_all(b",1.5\r\n"), Frame::Double(1.5));
        assert_eq!(decode_all(b",inf\r\n"), Frame::Double(f64::INFINITY));
        assert_eq!(decode_all(b",-inf\r\n"), Frame::Double(f64::NEG_INFINITY));
        assert_eq!(decode_all(b",1e+20\r\n"), Frame::Double(1e20));
        assert!(matches!(decode_all(b",nan\r\n"), Frame::Double(v) if v.is_nan()));
        assert!(matches!(decode_all(b",-nan\r\n"), Frame::Double(v) if v.is_nan()));
        assert_eq!(
            decode_all(b"(-1234567890123456789012345\r\n"),
            Frame::BigNumber(b(b"-1234567890123456789012345"))
        );
        assert_eq!(
            decode_all(b"=8\r\ntxt:abcd\r\n"),
            Frame::Verbatim {
                format: *b"txt",
                data: b(b"abcd")
            }
        );
        assert_eq!(
            decode_all(b">2\r\n+message\r\n$1\r\nx\r\n"),
            Frame::Push(vec![Frame::Simple(b(b"message")), Frame::Bulk(b(b"x"))])
        );
        assert_eq!(
            decode_all(b"|1\r\n+ttl\r\n:3\r\n"),
            Frame::Attribute(vec![(Frame::Simple(b(b"ttl")), Frame::Integer(3))])
        );
        assert_eq!(
            decode_all(b"!5\r\nERR x\r\n"),
            Frame::BlobError(b(b"ERR x"))
        );
    }

    #[test]
    fn nested_attributes_are_dropped() {
        assert_eq!(
            decode_all(b"*2\r\n|1\r\n+k\r\n+v\r\n:1\r\n:2\r\n"),
            Frame::Array(vec![Frame::Integer(1), Frame::Integer(2)])
        );
    }

    #[test]
    fn streamed_values() {
        assert_eq!(
            decode_all(b"$?\r\n;4\r\nHell\r\n;1\r\no\r\n;0\r\n"),
            Frame::Bulk(b(b"Hello"))
        );
        assert_eq!(
            decode_all(b"*?\r\n:1\r\n*?\r\n.\r\n.\r\n"),
            Frame::Array(vec![Frame::Integer(1), Frame::Array(vec![])])
        );
        assert_eq!(
            decode_all(b"%?\r\n+a\r\n:1\r\n.\r\n"),
            Frame::Map(vec![(Frame::Simple(b(b"a")), Frame::Integer(1))])
        );
        assert_eq!(
            decode_frame(b".\r\n"),
            Err(FrameError::UnexpectedStreamMarker)
        );
        assert_eq!(
            decode_frame(b"*1\r\n.\r\n"),
            Err(FrameError::UnexpectedStreamMarker)
        );
        assert_eq!(
            decode_frame(b"%?\r\n+a\r\n.\r\n"),
            Err(FrameError::UnexpectedStreamMarker)
        );
    }

    #[test]
    fn consumes_only_one_frame() {
        let (frame, used) = decode_frame(b":1\r\n:2\r\n").unwrap().unwrap();
        assert_eq!((frame, used), (Frame::Integer(1), 4));
    }

    #[test]
    fn rejects_malformed_input() {
        let cases: &[(&[u8], FrameError)] = &[
            (b"?\r\n", FrameError::UnknownType(b'?')),
            (b":x\r\n", FrameError::InvalidInteger),
            (b":99999999999999999999\r\n", FrameError::InvalidInteger),
            (b"$-2\r\n", FrameError::InvalidLength),
            (b"$x\r\n", FrameError::InvalidLength),
            (b"$1\r\nab\r\n", FrameError::MissingCrlf),
            (b"+OK\rX", FrameError::MissingCrlf),
            (b"*-2\r\n", FrameError::InvalidLength),
            (b"%-1\r\n", FrameError::InvalidLength),
            (b",abc\r\n", FrameError::InvalidDouble),
            (b",\r\n", FrameError::InvalidDouble),
            (b"#x\r\n", FrameError::InvalidBoolean),
            (b"(12a\r\n", FrameError::InvalidBigNumber),
            (b"(\r\n", FrameError::InvalidBigNumber),
            (b"=3\r\ntxt\r\n", FrameError::InvalidVerbatim),
            (b"=4\r\ntxtx\r\n", FrameError::InvalidVerbatim),
            (b"_x\r\n", FrameError::InvalidLength),
            (b"$99999999999999999999\r\n", FrameError::InvalidLength),
            (b";1\r\n", FrameError::UnexpectedStreamMarker),
        ];
        for (wire, err) in cases {
            assert_eq!(decode_frame(wire), Err(*err), "{wire:?}");
        }
    }

    #[test]
    fn depth_is_bounded() {
        let mut ok = Vec::new();
        for _ in 0..MAX_FRAME_DEPTH {
            ok.extend_from_slice(b"*1\r\n");
        }
        ok.extend_from_slice(b":1\r\n");
        assert!(decode_frame(&ok).unwrap().is_some());

        let mut deep = Vec::new();
        for _ in 0..100_000 {
            deep.extend_from_slice(b"*1\r\n");
        }
        assert_eq!(decode_frame(&deep), Err(FrameError::TooDeep));
        let mut maps = Vec::new();
        for _ in 0..100_000 {
            maps.extend_from_slice(b"%1\r\n");
        }
        assert_eq!(decode_frame(&maps), Err(FrameError::TooDeep));
    }

    #[test]
    fn huge_claimed_counts_do_not_allocate() {
        // A claimed count of 2^62 must simply wait for data.
        assert_eq!(decode_frame(b"*4611686018427387904\r\n:1\r\n"), Ok(None));
        assert_eq!(decode_frame(b"$4611686018427387904\r\nabc"), Ok(None));
        assert_eq!(decode_frame(b"$9223372036854775807\r\nabc"), Ok(None),);
    }

    #[test]
    fn encode_forms() {
        let cases: Vec<(Frame, &[u8])> = vec![
            (Frame::Null, b"_\r\n"),
            (Frame::NullArray, b"*-1\r\n"),
            (Frame::Double(1.5), b",1.5\r\n"),
            (Frame::Double(f64::NEG_INFINITY), b",-inf\r\n"),
            (Frame::Double(0.1), b",0.10000000000000001\r\n"),
            (Frame::Boolean(true), b"#t\r\n"),
            (
                Frame::Verbatim {
                    format: *b"mkd",
                    data: b(b"hi"),
                },
                b"=6\r\nmkd:hi\r\n",
            ),
            (Frame::BlobError(b(b"E")), b"!1\r\nE\r\n"),
            (Frame::BigNumber(b(b"123")), b"(123\r\n"),
            (
                Frame::Map(vec![(Frame::Integer(1), Frame::Null)]),
                b"%1\r\n:1\r\n_\r\n",
            ),
        ];
        for (frame, wire) in cases {
            assert_eq!(&frame.to_bytes()[..], wire, "{frame:?}");
        }
    }
}
