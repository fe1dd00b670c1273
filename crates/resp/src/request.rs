//! Server-side request decoding: multibulk and inline commands, with Redis 7.0's exact
//! limits and protocol error messages, resumable across partial reads.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use memchr::memchr2;

use crate::num::put_line_usize;
use strnum::parse_i64;

/// Longest inline command, or multibulk/bulk count line, that may be buffered without
/// its terminator before the client is rejected (Redis's `PROTO_INLINE_MAX_SIZE`).
pub const PROTO_INLINE_MAX_SIZE: usize = 64 * 1024;

/// Largest multibulk count an unauthenticated client may announce.
pub const UNAUTHENTICATED_MAX_MULTIBULK_LEN: i64 = 10;

/// Largest bulk length an unauthenticated client may announce.
pub const UNAUTHENTICATED_MAX_BULK_LEN: i64 = 16 * 1024;

/// Argument slots reserved up front for a multibulk request, whatever count it claims.
const INITIAL_ARGS_CAPACITY: usize = 1024;

/// Above this capacity the decoder's scratch offsets are released after a request, so
/// one huge command does not pin memory for the life of the connection.
const RETAINED_OFFSETS_CAPACITY: usize = 4096;

/// Per-client limits applied while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest bulk argument accepted (`proto-max-bulk-len`). A replica reading its
    /// master's stream should pass `i64::MAX`, as Redis skips this check for masters.
    pub max_bulk_len: i64,
    /// Largest multibulk count accepted. Redis 7.0 allows up to `INT_MAX`, which is the
    /// default; counts never drive allocation, so a large limit is safe.
    pub max_multibulk_len: i64,
    /// Whether the client may skip the stricter unauthenticated limits (true when no
    /// authentication is required or the client has authenticated).
    pub authenticated: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bulk_len: 512 * 1024 * 1024,
            max_multibulk_len: i64::from(i32::MAX),
            authenticated: true,
        }
    }
}

/// A malformed request. Each maps to the exact error Redis 7.0.15 sends before closing
/// the connection; the reply is `-ERR ` followed by [`ProtocolError::message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// An inline command grew past [`PROTO_INLINE_MAX_SIZE`] without a newline.
    TooBigInlineRequest,
    /// An inline command has an unterminated quote, or a closing quote followed by
    /// something other than whitespace.
    UnbalancedQuotes,
    /// A `*count` line grew past [`PROTO_INLINE_MAX_SIZE`] without a CR.
    TooBigMbulkCount,
    /// A `*count` line is not a valid integer or exceeds the multibulk limit.
    InvalidMultibulkLength,
    /// An unauthenticated client announced more than ten arguments.
    UnauthenticatedMultibulkLength,
    /// A `$len` line grew past [`PROTO_INLINE_MAX_SIZE`] without a CR.
    TooBigBulkCount,
    /// A bulk header did not start with `$`; holds the byte found instead.
    ExpectedDollar(u8),
    /// A `$len` line is not a valid integer, is negative, or exceeds `max_bulk_len`.
    InvalidBulkLength,
    /// An unauthenticated client announced a bulk longer than 16 KiB.
    UnauthenticatedBulkLength,
}

impl ProtocolError {
    /// The error text as Redis sends it (without the `-ERR ` prefix or CRLF).
    ///
    /// This is bytes rather than a string because [`ProtocolError::ExpectedDollar`]
    /// echoes the offending raw byte; like Redis, CR and LF are shown as spaces so the
    /// reply stays well-formed.
    pub fn message(&self) -> Vec<u8> {
        match self {
            ProtocolError::ExpectedDollar(found) => {
                let shown = match found {
                    b'\r' | b'\n' => b' ',
                    other => *other,
                };
                let mut msg = b"Protocol error: expected '$', got '".to_vec();
                msg.push(shown);
                msg.push(b'\'');
                msg
            }
            other => other.static_message().as_bytes().to_vec(),
        }
    }

    fn static_message(&self) -> &'static str {
        match self {
            ProtocolError::TooBigInlineRequest => "Protocol error: too big inline request",
            ProtocolError::UnbalancedQuotes => "Protocol error: unbalanced quotes in request",
            ProtocolError::TooBigMbulkCount => "Protocol error: too big mbulk count string",
            ProtocolError::InvalidMultibulkLength => "Protocol error: invalid multibulk length",
            ProtocolError::UnauthenticatedMultibulkLength => {
                "Protocol error: unauthenticated multibulk length"
            }
            ProtocolError::TooBigBulkCount => "Protocol error: too big bulk count string",
            ProtocolError::ExpectedDollar(_) => "Protocol error: expected '$'",
            ProtocolError::InvalidBulkLength => "Protocol error: invalid bulk length",
            ProtocolError::UnauthenticatedBulkLength => {
                "Protocol error: unauthenticated bulk length"
            }
        }
    }

    /// The short reason Redis writes to its log for this error, e.g. `invalid mbulk count`.
    pub fn log_reason(&self) -> &'static str {
        match self {
            ProtocolError::TooBigInlineRequest => "too big inline request",
            ProtocolError::UnbalancedQuotes => "unbalanced quotes in inline request",
            ProtocolError::TooBigMbulkCount => "too big mbulk count string",
            ProtocolError::InvalidMultibulkLength => "invalid mbulk count",
            ProtocolError::UnauthenticatedMultibulkLength => "unauth mbulk count",
            ProtocolError::TooBigBulkCount => "too big bulk count string",
            ProtocolError::ExpectedDollar(_) => "expected $ but got something else",
            ProtocolError::InvalidBulkLength => "invalid bulk length",
            ProtocolError::UnauthenticatedBulkLength => "unauth bulk length",
        }
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.message()))
    }
}

impl std::error::Error for ProtocolError {}

/// One decoded command: its arguments, the command name first.
///
/// Multibulk arguments are zero-copy slices of the bytes read from the socket; they
/// keep that read buffer alive, so a value stored long-term should be copied if it is
/// much smaller than the buffer it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// The arguments in order; never empty for a request returned by the decoder.
    pub args: Vec<Bytes>,
}

impl Request {
    /// Wraps an argument vector.
    pub fn new(args: Vec<Bytes>) -> Request {
        Request { args }
    }

    /// The arguments, command name first.
    pub fn args(&self) -> &[Bytes] {
        &self.args
    }

    /// Number of arguments including the command name.
    pub fn len(&self) -> usize {
        self.args.len()
    }

    /// True when there are no arguments (never the case for decoded requests).
    pub fn is_empty(&self) -> bool {
        self.args.is_empty()
    }

    /// Takes the argument vector.
    pub fn into_args(self) -> Vec<Bytes> {
        self.args
    }
}

/// Appends `args` as a RESP multibulk request, the form clients send commands in.
pub fn encode_request<A: AsRef<[u8]>>(args: &[A], out: &mut BytesMut) {
    put_line_usize(out, b'*', args.len());
    for arg in args {
        let arg = arg.as_ref();
        put_line_usize(out, b'$', arg.len());
        out.reserve(arg.len() + 2);
        out.put_slice(arg);
        out.put_slice(b"\r\n");
    }
}

/// What the decoder is in the middle of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Phase {
    /// Between requests.
    #[default]
    Idle,
    /// Waiting for the newline ending an inline command.
    Inline,
    /// Waiting for the `*count` line.
    MultibulkCount,
    /// Reading `$len` headers and payloads.
    Args,
}

/// The outcome of one decoding step.
enum Step {
    Done(Request),
    /// Something was consumed or the phase advanced: keep going.
    Again,
    Incomplete,
}

/// Incremental decoder for client requests, one per connection.
///
/// The caller appends socket data to a `BytesMut` and calls [`RequestDecoder::decode`]
/// until it returns `Ok(None)`. While a request is incomplete the decoder remembers
/// where it stopped (arguments already located, the pending bulk length, how far it has
/// searched for a terminator), so a command arriving in many pieces is scanned once in
/// total, not once per piece. Between calls the caller must only append to the buffer.
///
/// After an error the connection is meant to be closed, as Redis does; the buffer and
/// the decoder are then in an unspecified (but safe) state.
#[derive(Debug, Default)]
pub struct RequestDecoder {
    phase: Phase,
    /// Start of the next unparsed part of the current request.
    pos: usize,
    /// How far the buffer has been searched for the current line's terminator.
    scan: usize,
    /// The search hit a NUL byte. Redis uses `strchr`, which stops at NUL, so a NUL
    /// before the terminator hides it for good; this is kept so the same requests
    /// end in the same size errors as with Redis.
    blocked: bool,
    /// Arguments still to read.
    remaining: usize,
    /// Length of the bulk whose payload is awaited, once its header was parsed.
    bulk_len: Option<usize>,
    /// `(start, len)` of every argument located so far, relative to the buffer front.
    /// Kept across requests so steady-state decoding allocates only the `Request`.
    offsets: Vec<(usize, usize)>,
    /// An empty argument vector handed back by `recycle`, reused by the next request.
    spare: Vec<Bytes>,
}

impl RequestDecoder {
    /// Creates a decoder positioned between requests.
    pub fn new() -> RequestDecoder {
        RequestDecoder::default()
    }

    /// Decodes the next command at the front of `buf`.
    ///
    /// Returns `Ok(Some(request))` and removes its bytes from `buf` when a whole command
    /// is present, and `Ok(None)` when more data is needed. Empty inline lines and
    /// multibulk counts of zero or less are consumed silently, as Redis does.
    pub fn decode(
        &mut self,
        buf: &mut BytesMut,
        limits: &Limits,
    ) -> Result<Option<Request>, ProtocolError> {
        // A buffer shorter than what was already parsed means the caller replaced it;
        // start over rather than index past its end.
        if self.pos > buf.len() || self.scan > buf.len() {
            self.reset();
        }
        loop {
            let step = match self.phase {
                Phase::Idle => {
                    let Some(&first) = buf.first() else {
                        return Ok(None);
                    };
                    self.phase = if first == b'*' {
                        Phase::MultibulkCount
                    } else {
                        Phase::Inline
                    };
                    Step::Again
                }
                Phase::Inline => self.inline(buf)?,
                Phase::MultibulkCount => self.multibulk_count(buf, limits)?,
                Phase::Args => self.args(buf, limits)?,
            };
            match step {
                Step::Done(request) => return Ok(Some(request)),
                Step::Again => continue,
                Step::Incomplete => return Ok(None),
            }
        }
    }

    /// Hands back a request once it has been executed, so that its argument vector is reused
    /// for the next one instead of allocating a new vector per command.
    pub fn recycle(&mut self, request: Request) {
        let mut args = request.args;
        if args.capacity() <= RETAINED_OFFSETS_CAPACITY {
            args.clear();
            self.spare = args;
        }
    }

    /// True while a request has been started but not completed.
    pub fn is_partial(&self) -> bool {
        self.phase != Phase::Idle
    }

    /// Bytes at the front of the buffer already parsed as part of the incomplete request
    /// (whole arguments and headers).
    ///
    /// Redis moves parsed arguments out of its query buffer, so its
    /// `client-query-buffer-limit` applies to `buf.len() - parsed_len()`, not `buf.len()`.
    pub fn parsed_len(&self) -> usize {
        self.pos
    }

    /// When the decoder is waiting for a bulk payload, how many more bytes (including
    /// the trailing CRLF) must arrive to complete it; lets the caller reserve exactly
    /// once for a large argument instead of growing the buffer repeatedly.
    pub fn missing_bulk_bytes(&self, buf: &BytesMut) -> Option<usize> {
        let len = self.bulk_len?;
        Some(
            self.pos
                .saturating_add(len)
                .saturating_add(2)
                .saturating_sub(buf.len()),
        )
    }

    /// Forgets any partial request, e.g. after the caller discarded the buffer.
    pub fn reset(&mut self) {
        self.phase = Phase::Idle;
        self.pos = 0;
        self.scan = 0;
        self.blocked = false;
        self.remaining = 0;
        self.bulk_len = None;
        self.offsets.clear();
        if self.offsets.capacity() > RETAINED_OFFSETS_CAPACITY {
            self.offsets = Vec::new();
        }
    }

    /// Finds `needle` at or after the resume point, with C `strchr` semantics (a NUL
    /// ends the search). Remembers how far it looked so no byte is scanned twice.
    fn find(&mut self, buf: &[u8], needle: u8) -> Option<usize> {
        if self.blocked {
            return None;
        }
        let from = self.scan.max(self.pos);
        let rest = buf.get(from..)?;
        match memchr2(needle, 0, rest) {
            Some(offset) => {
                let at = from + offset;
                self.scan = at;
                if rest[offset] == 0 {
                    self.blocked = true;
                    None
                } else {
                    Some(at)
                }
            }
            None => {
                self.scan = buf.len();
                None
            }
        }
    }

    fn inline(&mut self, buf: &mut BytesMut) -> Result<Step, ProtocolError> {
        let Some(newline) = self.find(buf, b'\n') else {
            if buf.len() > PROTO_INLINE_MAX_SIZE {
                return Err(ProtocolError::TooBigInlineRequest);
            }
            return Ok(Step::Incomplete);
        };
        let line_end = if newline > 0 && buf.get(newline - 1) == Some(&b'\r') {
            newline - 1
        } else {
            newline
        };
        self.reset();
        if line_end == 0 {
            buf.advance(newline + 1);
            return Ok(Step::Again);
        }
        let line = buf.split_to(newline + 1).freeze().slice(..line_end);
        let args = split_inline(&line)?;
        if args.is_empty() {
            Ok(Step::Again)
        } else {
            Ok(Step::Done(Request { args }))
        }
    }

    fn multibulk_count(
        &mut self,
        buf: &mut BytesMut,
        limits: &Limits,
    ) -> Result<Step, ProtocolError> {
        let Some(cr) = self.find(buf, b'\r') else {
            if buf.len() > PROTO_INLINE_MAX_SIZE {
                return Err(ProtocolError::TooBigMbulkCount);
            }
            return Ok(Step::Incomplete);
        };
        // Like Redis, require one byte after the CR and skip it without checking it.
        if cr + 1 >= buf.len() {
            return Ok(Step::Incomplete);
        }
        let count = buf
            .get(1..cr)
            .and_then(parse_i64)
            .filter(|&n| n <= limits.max_multibulk_len)
            .ok_or(ProtocolError::InvalidMultibulkLength)?;
        if count > UNAUTHENTICATED_MAX_MULTIBULK_LEN && !limits.authenticated {
            return Err(ProtocolError::UnauthenticatedMultibulkLength);
        }
        let next = cr + 2;
        let Ok(count) = usize::try_from(count) else {
            // Zero or negative counts are empty commands that Redis silently skips.
            buf.advance(next);
            self.reset();
            return Ok(Step::Again);
        };
        if count == 0 {
            buf.advance(next);
            self.reset();
            return Ok(Step::Again);
        }
        self.remaining = count;
        self.offsets.clear();
        self.offsets.reserve(count.min(INITIAL_ARGS_CAPACITY));
        self.pos = next;
        self.scan = next;
        self.phase = Phase::Args;
        Ok(Step::Again)
    }

    fn args(&mut self, buf: &mut BytesMut, limits: &Limits) -> Result<Step, ProtocolError> {
        while self.remaining > 0 {
            let len = match self.bulk_len {
                Some(len) => len,
                None => match self.bulk_header(buf, limits)? {
                    Some(len) => len,
                    None => return Ok(Step::Incomplete),
                },
            };
            let end = self
                .pos
                .checked_add(len)
                .and_then(|end| end.checked_add(2))
                .ok_or(ProtocolError::InvalidBulkLength)?;
            if buf.len() < end {
                return Ok(Step::Incomplete);
            }
            // Like Redis, the two bytes after the payload are skipped unchecked.
            self.offsets.push((self.pos, len));
            self.pos = end;
            self.scan = end;
            self.bulk_len = None;
            self.remaining -= 1;
        }
        let frozen = buf.split_to(self.pos).freeze();
        let mut args = std::mem::take(&mut self.spare);
        args.extend(
            self.offsets
                .iter()
                .map(|&(start, len)| frozen.slice(start..start + len)),
        );
        self.reset();
        Ok(Step::Done(Request { args }))
    }

    /// Parses a `$len` line at `self.pos`, returning `None` if it is not complete yet.
    fn bulk_header(
        &mut self,
        buf: &BytesMut,
        limits: &Limits,
    ) -> Result<Option<usize>, ProtocolError> {
        let Some(cr) = self.find(buf, b'\r') else {
            if buf.len() - self.pos > PROTO_INLINE_MAX_SIZE {
                return Err(ProtocolError::TooBigBulkCount);
            }
            return Ok(None);
        };
        if cr + 1 >= buf.len() {
            return Ok(None);
        }
        let first = buf.get(self.pos).copied().unwrap_or(b'\r');
        if first != b'$' {
            return Err(ProtocolError::ExpectedDollar(first));
        }
        let len = buf
            .get(self.pos + 1..cr)
            .and_then(parse_i64)
            .filter(|&n| n >= 0 && n <= limits.max_bulk_len)
            .ok_or(ProtocolError::InvalidBulkLength)?;
        if len > UNAUTHENTICATED_MAX_BULK_LEN && !limits.authenticated {
            return Err(ProtocolError::UnauthenticatedBulkLength);
        }
        let len = usize::try_from(len).map_err(|_| ProtocolError::InvalidBulkLength)?;
        self.pos = cr + 2;
        self.scan = self.pos;
        self.bulk_len = Some(len);
        Ok(Some(len))
    }
}

/// Splits an inline command line into arguments with the quoting rules of Redis's
/// `sdssplitargs`. A line without quotes (or NUL) is split on blanks into zero-copy slices of
/// the read buffer; one with quotes goes through `split_args`, which copies.
fn split_inline(line: &Bytes) -> Result<Vec<Bytes>, ProtocolError> {
    if line.iter().any(|&c| matches!(c, b'"' | b'\'' | 0)) {
        let args = crate::split_args(line).ok_or(ProtocolError::UnbalancedQuotes)?;
        return Ok(args.into_iter().map(Bytes::from).collect());
    }
    let mut args = Vec::new();
    let n = line.len();
    let mut i = 0;
    loop {
        while i < n && crate::split::is_c_space(line[i]) {
            i += 1;
        }
        if i == n {
            return Ok(args);
        }
        let start = i;
        // Unquoted words end at these four bytes only (not at \v or \f), as in Redis.
        while i < n && !matches!(line[i], b' ' | b'\n' | b'\r' | b'\t') {
            i += 1;
        }
        args.push(line.slice(start..i));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn unauth() -> Limits {
        Limits {
            authenticated: false,
            ..Limits::default()
        }
    }

    /// Decodes everything in `wire` at once, returning the commands as byte vectors.
    fn decode_all(wire: &[u8], limits: &Limits) -> Result<Vec<Vec<Vec<u8>>>, ProtocolError> {
        let mut dec = RequestDecoder::new();
        let mut buf = BytesMut::from(wire);
        let mut out = Vec::new();
        while let Some(req) = dec.decode(&mut buf, limits)? {
            out.push(req.args().iter().map(|a| a.to_vec()).collect());
        }
        Ok(out)
    }

    fn one(wire: &[u8]) -> Vec<Vec<u8>> {
        let mut all = decode_all(wire, &Limits::default()).unwrap();
        assert_eq!(all.len(), 1, "{wire:?}");
        all.remove(0)
    }

    fn err(wire: &[u8], limits: &Limits) -> ProtocolError {
        decode_all(wire, limits).unwrap_err()
    }

    fn v(args: &[&str]) -> Vec<Vec<u8>> {
        args.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn multibulk_basic() {
        assert_eq!(one(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), v(&["GET", "k"]));
        assert_eq!(one(b"*1\r\n$0\r\n\r\n"), v(&[""]));
        // Binary payload containing CRLF and NUL.
        assert_eq!(one(b"*1\r\n$4\r\n\r\n\0x\r\n"), vec![b"\r\n\0x".to_vec()]);
    }

    #[test]
    fn multibulk_leaves_following_bytes() {
        let mut dec = RequestDecoder::new();
        let mut buf = BytesMut::from(&b"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI"[..]);
        let req = dec.decode(&mut buf, &Limits::default()).unwrap().unwrap();
        assert_eq!(req.args(), &[Bytes::from_static(b"PING")]);
        assert_eq!(&buf[..], b"*1\r\n$4\r\nPI");
        assert_eq!(dec.decode(&mut buf, &Limits::default()).unwrap(), None);
        assert!(dec.is_partial());
        assert_eq!(dec.parsed_len(), 8);
        assert_eq!(dec.missing_bulk_bytes(&buf), Some(4));
        buf.extend_from_slice(b"NG\r\n");
        assert_eq!(dec.missing_bulk_bytes(&buf), Some(0));
        let req = dec.decode(&mut buf, &Limits::default()).unwrap().unwrap();
        assert_eq!(req.len(), 1);
        assert!(buf.is_empty());
        assert!(!dec.is_partial());
    }

    #[test]
    fn empty_multibulk_counts_are_skipped() {
        assert_eq!(
            decode_all(
                b"*0\r\n*-1\r\n*-10\r\n*1\r\n$4\r\nPING\r\n",
                &Limits::default()
            )
            .unwrap(),
            vec![v(&["PING"])]
        );
    }

    #[test]
    fn multibulk_errors() {
        let d = Limits::default();
        assert_eq!(
            err(b"*3000000000\r\n", &d),
            ProtocolError::InvalidMultibulkLength
        );
        assert_eq!(err(b"*abc\r\n", &d), ProtocolError::InvalidMultibulkLength);
        assert_eq!(err(b"*\r\n", &d), ProtocolError::InvalidMultibulkLength);
        assert_eq!(err(b"*+1\r\n", &d), ProtocolError::InvalidMultibulkLength);
        assert_eq!(err(b"*01\r\n", &d), ProtocolError::InvalidMultibulkLength);
        let small = Limits {
            max_multibulk_len: 1024 * 1024,
            ..d
        };
        assert_eq!(
            err(b"*1048577\r\n", &small),
            ProtocolError::InvalidMultibulkLength
        );
        assert!(decode_all(b"*1048576\r\n", &small).unwrap().is_empty());
        assert_eq!(
            err(b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", &d),
            ProtocolError::ExpectedDollar(b'f')
        );
        assert_eq!(
            err(b"*1\r\nfoo\r\n", &d),
            ProtocolError::ExpectedDollar(b'f')
        );
        assert_eq!(err(b"*1\r\n$-10\r\n", &d), ProtocolError::InvalidBulkLength);
        assert_eq!(err(b"*1\r\n$-1\r\n", &d), ProtocolError::InvalidBulkLength);
        assert_eq!(
            err(b"*1\r\n$blabla\r\n", &d),
            ProtocolError::InvalidBulkLength
        );
        assert_eq!(
            err(b"*1\r\n$2000000000\r\n", &d),
            ProtocolError::InvalidBulkLength
        );
        assert_eq!(
            err(b"*1\r\n$536870913\r\n", &d),
            ProtocolError::InvalidBulkLength
        );
        // Exactly proto-max-bulk-len is allowed: the decoder waits for the payload.
        assert!(decode_all(b"*1\r\n$536870912\r\n", &d).unwrap().is_empty());
    }

    #[test]
    fn unauthenticated_limits() {
        let u = unauth();
        assert_eq!(
            err(b"*100\r\n", &u),
            ProtocolError::UnauthenticatedMultibulkLength
        );
        assert_eq!(
            err(b"*1\r\n$100000000\r\n", &u),
            ProtocolError::UnauthenticatedBulkLength
        );
        // The general validity checks take precedence, as in Redis.
        assert_eq!(
            err(b"*3000000000\r\n", &u),
            ProtocolError::InvalidMultibulkLength
        );
        assert_eq!(err(b"*1\r\n$-5\r\n", &u), ProtocolError::InvalidBulkLength);
        assert!(decode_all(b"*10\r\n$16384\r\n", &u).unwrap().is_empty());
        assert_eq!(
            err(b"*11\r\n", &u),
            ProtocolError::UnauthenticatedMultibulkLength
        );
        assert_eq!(
            err(b"*1\r\n$16385\r\n", &u),
            ProtocolError::UnauthenticatedBulkLength
        );
    }

    #[test]
    fn too_big_count_strings() {
        let d = Limits::default();
        let mut wire = b"*".to_vec();
        wire.resize(PROTO_INLINE_MAX_SIZE, b'1');
        assert!(decode_all(&wire, &d).unwrap().is_empty());
        wire.push(b'1');
        assert_eq!(err(&wire, &d), ProtocolError::TooBigMbulkCount);

        let mut wire = b"*1\r\n$".to_vec();
        wire.resize(PROTO_INLINE_MAX_SIZE + 4, b'1');
        assert!(decode_all(&wire, &d).unwrap().is_empty());
        wire.push(b'1');
        assert_eq!(err(&wire, &d), ProtocolError::TooBigBulkCount);

        let mut wire = b"GET ".to_vec();
        wire.resize(PROTO_INLINE_MAX_SIZE, b'a');
        assert!(decode_all(&wire, &d).unwrap().is_empty());
        wire.push(b'a');
        assert_eq!(err(&wire, &d), ProtocolError::TooBigInlineRequest);
        // With its newline present a long inline line is fine, as in Redis.
        wire.push(b'\n');
        assert_eq!(decode_all(&wire, &d).unwrap().len(), 1);
    }

    #[test]
    fn nul_hides_terminators_like_strchr() {
        // Redis's desync regression tests: after a NUL no newline is ever found, so the
        // connection ends with a size error rather than executing garbage.
        let d = Limits::default();
        for (prefix, want) in [
            (&b"\x00"[..], ProtocolError::TooBigInlineRequest),
            (b"*\x00", ProtocolError::TooBigMbulkCount),
            (b"$\x00", ProtocolError::TooBigInlineRequest),
        ] {
            let mut dec = RequestDecoder::new();
            let mut buf = BytesMut::from(prefix);
            let payload = [b"A".repeat(1024), b"\n".to_vec()].concat();
            let mut result = Ok(None);
            for _ in 0..100 {
                buf.extend_from_slice(&payload);
                result = dec.decode(&mut buf, &d);
                if result.is_err() {
                    break;
                }
            }
            assert_eq!(result, Err(want));
        }
    }

    #[test]
    fn error_messages_are_exact() {
        let cases = [
            (
                ProtocolError::TooBigInlineRequest,
                "Protocol error: too big inline request",
            ),
            (
                ProtocolError::UnbalancedQuotes,
                "Protocol error: unbalanced quotes in request",
            ),
            (
                ProtocolError::TooBigMbulkCount,
                "Protocol error: too big mbulk count string",
            ),
            (
                ProtocolError::InvalidMultibulkLength,
                "Protocol error: invalid multibulk length",
            ),
            (
                ProtocolError::UnauthenticatedMultibulkLength,
                "Protocol error: unauthenticated multibulk length",
            ),
            (
                ProtocolError::TooBigBulkCount,
                "Protocol error: too big bulk count string",
            ),
            (
                ProtocolError::ExpectedDollar(b'f'),
                "Protocol error: expected '$', got 'f'",
            ),
            (
                ProtocolError::ExpectedDollar(b'\r'),
                "Protocol error: expected '$', got ' '",
            ),
            (
                ProtocolError::InvalidBulkLength,
                "Protocol error: invalid bulk length",
            ),
            (
                ProtocolError::UnauthenticatedBulkLength,
                "Protocol error: unauthenticated bulk length",
            ),
        ];
        for (e, text) in cases {
            assert_eq!(e.to_string(), text);
            assert_eq!(e.message(), text.as_bytes());
            assert!(!e.log_reason().is_empty());
        }
        assert_eq!(
            ProtocolError::ExpectedDollar(0xff).message(),
            b"Protocol error: expected '$', got '\xff'"
        );
    }

    #[test]
    fn empty_bulk_line_reports_cr() {
        assert_eq!(
            err(b"*1\r\n\r\n", &Limits::default()),
            ProtocolError::ExpectedDollar(b'\r')
        );
    }

    #[test]
    fn inline_basic() {
        assert_eq!(one(b"PING\r\n"), v(&["PING"]));
        assert_eq!(one(b"PING\n"), v(&["PING"]));
        assert_eq!(one(b"  set   a\tb  \r\n"), v(&["set", "a", "b"]));
        assert_eq!(one(b"a\x0bb c\r\n"), v(&["a\x0bb", "c"]));
        assert_eq!(one(b"a\rb\r\n"), v(&["a", "b"]));
    }

    #[test]
    fn inline_empty_lines_are_skipped() {
        assert_eq!(
            decode_all(b"\r\n\n   \r\n\t\nPING\r\n\r\n", &Limits::default()).unwrap(),
            vec![v(&["PING"])]
        );
        let mut dec = RequestDecoder::new();
        let mut buf = BytesMut::from(&b"\r\n\r\n"[..]);
        assert_eq!(dec.decode(&mut buf, &Limits::default()).unwrap(), None);
        assert!(buf.is_empty());
    }

    #[test]
    fn inline_quotes_and_escapes() {
        assert_eq!(one(b"set \"a b\" 'c d'\r\n"), v(&["set", "a b", "c d"]));
        assert_eq!(
            one(b"x \"\\n\\r\\t\\b\\a\\\\\\\"\\q\"\n"),
            vec![b"x".to_vec(), b"\n\r\t\x08\x07\\\"q".to_vec()]
        );
        assert_eq!(
            one(b"x \"\\x41\\x4a\\x4A\\xzz\\x4\"\n"),
            vec![b"x".to_vec(), b"AJJxzzx4".to_vec()]
        );
        assert_eq!(one(b"x 'it\\'s' 'a\\nb'\n"), v(&["x", "it's", "a\\nb"]));
        assert_eq!(one(b"x \"\" ''\n"), v(&["x", "", ""]));
        assert_eq!(one(b"foo\"bar baz\" q\n"), v(&["foobar baz", "q"]));
        assert_eq!(one(b"\"a\"\t\"b\"\x0b'c'\n"), v(&["a", "b", "c"]));
        // A quote inside a single-quoted token is literal and vice versa.
        assert_eq!(one(b"'a\"b' \"a'b\"\n"), v(&["a\"b", "a'b"]));
    }

    #[test]
    fn inline_unbalanced_quotes() {
        let d = Limits::default();
        for wire in [
            &b"set \"\"\"test-key\"\"\" test-value\r\n"[..],
            b"set \"abc\r\n",
            b"set 'abc\r\n",
            b"set \"abc\"def\r\n",
            b"set 'abc'def\r\n",
            b"set \"abc\\\"\r\n",
            b"set \"abc\\\r\n",
        ] {
            assert_eq!(err(wire, &d), ProtocolError::UnbalancedQuotes, "{wire:?}");
        }
    }

    #[test]
    fn inline_args_share_the_read_buffer() {
        let mut dec = RequestDecoder::new();
        let mut buf = BytesMut::from(&b"GET key\r\n"[..]);
        let base = buf.as_ptr() as usize;
        let req = dec.decode(&mut buf, &Limits::default()).unwrap().unwrap();
        assert_eq!(req.args[1].as_ptr() as usize, base + 4);
    }

    #[test]
    fn resumes_without_rescanning() {
        // A large argument count delivered in small chunks: the work per call must be
        // proportional to the new bytes, which this checks indirectly via `parsed_len`.
        let n = 20_000;
        let args: Vec<Vec<u8>> = (0..n).map(|i| format!("v{i}").into_bytes()).collect();
        let mut wire = BytesMut::new();
        encode_request(&args, &mut wire);
        let mut dec = RequestDecoder::new();
        let mut buf = BytesMut::new();
        let mut last_parsed = 0;
        let mut got = None;
        for chunk in wire.chunks(7) {
            buf.extend_from_slice(chunk);
            if let Some(req) = dec.decode(&mut buf, &Limits::default()).unwrap() {
                got = Some(req);
            } else {
                assert!(dec.parsed_len() >= last_parsed);
                last_parsed = dec.parsed_len();
            }
        }
        let got = got.unwrap();
        assert_eq!(got.len(), n);
        assert_eq!(got.args[n - 1], Bytes::from(format!("v{}", n - 1)));
    }

    #[test]
    fn does_not_preallocate_claimed_count() {
        let mut dec = RequestDecoder::new();
        let mut buf = BytesMut::from(&b"*2147483647\r\n$1\r\na\r\n"[..]);
        assert_eq!(dec.decode(&mut buf, &Limits::default()).unwrap(), None);
        assert!(dec.offsets.capacity() <= INITIAL_ARGS_CAPACITY);
    }

    #[test]
    fn encode_request_form() {
        let mut out = BytesMut::new();
        encode_request(&["SET", "k", ""], &mut out);
        assert_eq!(&out[..], b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    }
}
