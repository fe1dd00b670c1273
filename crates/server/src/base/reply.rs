//! `Out`: the reply buffer a command handler writes into.
//!
//! Handlers append encoded replies here and never see a socket. The connection flushes the
//! buffer once per batch of pipelined commands; MULTI/EXEC and scripts reuse the same writer.
//! The encoding follows the client's protocol version (RESP2 or RESP3).

use bytes::BytesMut;
use resp::ReplyWriter;

/// The reply buffer of one client; see the module documentation.
#[derive(Debug)]
pub struct Out {
    /// Encoded replies not yet written to the socket.
    pub buf: BytesMut,
    /// The client's protocol version, 2 or 3.
    pub proto: u8,
    /// Bytes up to here are sent even under CLIENT REPLY OFF/SKIP (pub/sub confirmations).
    pub kept: usize,
    /// Most reply bytes buffered at once since the peak was last reset (CLIENT LIST's `rbp`).
    pub peak: usize,
    /// Unix milliseconds of the last peak reset.
    peak_reset_at: u64,
}

/// Smallest reply buffer a client keeps.
const REPLY_MIN: usize = 1024;
/// Reply buffer of a new client, and the most a buffer keeps between writes.
const REPLY_CHUNK: usize = 16 * 1024;

impl Out {
    /// An empty buffer for a client speaking `proto`.
    pub fn new(proto: u8) -> Self {
        Out {
            buf: BytesMut::with_capacity(REPLY_CHUNK),
            proto,
            kept: 0,
            peak: 0,
            peak_reset_at: 0,
        }
    }

    /// Fits the emptied buffer to the client's recent needs after `written` bytes went out,
    /// with Redis's policy, so that idle clients hold little memory and busy ones do not
    /// reallocate on every reply: a buffer grown past 16 KiB goes back to 16 KiB, and one
    /// whose peak use stayed under half of it shrinks to that peak (at least 1 KiB). The peak
    /// restarts every `reset_after` ms (`None`: never). `resize` off only tracks the peak.
    pub fn fit_buffer(
        &mut self,
        written: usize,
        now_ms: u64,
        reset_after: Option<u64>,
        resize: bool,
    ) {
        self.peak = self.peak.max(written);
        let cap = self.buf.capacity();
        let fitted = if cap > REPLY_CHUNK {
            Some(REPLY_CHUNK)
        } else if cap / 2 >= REPLY_MIN && self.peak < cap / 2 {
            Some(REPLY_MIN.max(self.peak + 1))
        } else {
            None
        };
        if let Some(reset) = reset_after {
            if now_ms.saturating_sub(self.peak_reset_at) >= reset {
                self.peak = self.buf.len();
                self.peak_reset_at = now_ms;
            }
        }
        if let (true, Some(n)) = (resize, fitted) {
            self.buf = BytesMut::with_capacity(n);
        }
    }

    #[inline]
    fn w(&mut self) -> ReplyWriter<'_> {
        ReplyWriter::new(&mut self.buf, self.proto)
    }

    /// A big number (a bulk string in RESP2).
    pub fn big_number(&mut self, digits: &[u8]) {
        self.w().big_number(digits);
    }

    /// The header of an attribute map of `n` pairs (RESP3 only; nothing in RESP2, where the
    /// caller must not write the attribute's contents either).
    pub fn attribute(&mut self, n: usize) {
        if self.proto >= 3 {
            self.buf.extend_from_slice(format!("|{n}\r\n").as_bytes());
        }
    }

    /// `+OK`.
    #[inline]
    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }

    /// A simple string.
    pub fn simple(&mut self, s: &[u8]) {
        self.w().simple(s);
    }

    /// An error; `msg` includes its code (`ERR ...`).
    pub fn error(&mut self, msg: &[u8]) {
        self.w().error(msg);
    }

    /// An integer.
    #[inline]
    pub fn int(&mut self, n: i64) {
        self.w().integer(n);
    }

    /// A bulk string.
    #[inline]
    pub fn bulk(&mut self, s: &[u8]) {
        self.w().bulk(s);
    }

    /// A bulk string holding the decimal form of an integer.
    pub fn bulk_int(&mut self, n: i64) {
        self.w().bulk_integer(n);
    }

    /// The null bulk string (`$-1`, or `_` in RESP3).
    #[inline]
    pub fn null(&mut self) {
        self.w().null();
    }

    /// The null array (`*-1`, or `_` in RESP3).
    pub fn null_array(&mut self) {
        self.w().null_array();
    }

    /// The header of an array of `n` elements.
    #[inline]
    pub fn array(&mut self, n: usize) {
        self.w().array_len(n);
    }

    /// The header of a map of `n` pairs (an array of 2n elements in RESP2).
    pub fn map(&mut self, n: usize) {
        self.w().map_len(n);
    }

    /// The header of a set of `n` elements (an array in RESP2).
    pub fn set(&mut self, n: usize) {
        self.w().set_len(n);
    }

    /// The header of a push message of `n` elements (an array in RESP2).
    pub fn push(&mut self, n: usize) {
        self.w().push_len(n);
    }

    /// A double (a bulk string in RESP2).
    pub fn double(&mut self, d: f64) {
        self.w().double(d);
    }

    /// A boolean (an integer 1/0 in RESP2).
    pub fn boolean(&mut self, b: bool) {
        self.w().boolean(b);
    }

    /// A verbatim string of format `txt` (a bulk string in RESP2).
    pub fn verbatim(&mut self, s: &[u8]) {
        self.w().verbatim(b"txt", s);
    }

    /// Marks everything written so far as sent even when replies are switched off.
    pub fn keep(&mut self) {
        self.kept = self.buf.len();
    }

    /// Bytes written so far, to undo a partial reply.
    pub fn mark(&self) -> usize {
        self.buf.len()
    }

    /// Discards everything written after `mark`.
    pub fn truncate(&mut self, mark: usize) {
        self.buf.truncate(mark);
    }
}
