//! The primitives every RDB record is made of — lengths, strings (plain, as integers, or LZF
//! compressed), scores, times — read and written with the running CRC-64 and the offset that
//! error messages report.

use std::fmt;
use std::io::{Read, Write};

use crc::{Crc, Digest, CRC_64_REDIS};

/// Redis's CRC-64 (Jones polynomial, reflected): the file trailer and the DUMP checksum.
pub static CRC64: Crc<u64> = Crc::<u64>::new(&CRC_64_REDIS);

/// Strings longer than this are tried with LZF when compression is on (Redis's rule).
const COMPRESS_MIN: usize = 20;

/// LZF cannot expand data by more than this factor (a 3-byte back reference stands for at most
/// 264 bytes), so a larger claimed length is a corrupt or hostile header, not a real string.
const LZF_MAX_RATIO: u64 = 100;

/// Strings are read in pieces of this size at the most, so that a length that lies cannot make
/// the reader allocate more than the input really holds.
const READ_CHUNK: usize = 1 << 16;

/// Why a file or payload could not be read.
#[derive(Debug)]
pub enum Error {
    /// The underlying reader failed.
    Io(std::io::Error),
    /// The data is not what the format allows: where, and what was wrong.
    Corrupt {
        /// Bytes read before the problem was found.
        offset: u64,
        /// What was wrong, in Redis's words where Redis has some.
        what: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "{e}"),
            Error::Corrupt { offset, what } => {
                write!(
                    f,
                    "Internal error in RDB reading offset {offset}, function at rdb.c:0 -> {what}"
                )
            }
        }
    }
}

impl std::error::Error for Error {}

/// A value read from an RDB source.
pub type Result<T> = std::result::Result<T, Error>;

/// An RDB source: a reader with the checksum of everything read so far and its offset.
pub struct Input<R> {
    inner: R,
    crc: Digest<'static, u64>,
    offset: u64,
}

impl<R: Read> Input<R> {
    /// Reads from `inner`.
    pub fn new(inner: R) -> Self {
        Input {
            inner,
            crc: CRC64.digest(),
            offset: 0,
        }
    }

    /// Bytes read so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The CRC-64 of everything read so far.
    pub fn crc(&self) -> u64 {
        self.crc.clone().finalize()
    }

    /// An error at the current offset.
    pub fn corrupt(&self, what: impl Into<String>) -> Error {
        Error::Corrupt {
            offset: self.offset,
            what: what.into(),
        }
    }

    /// Fills `buf` exactly.
    pub fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
        match self.inner.read_exact(buf) {
            Ok(()) => {
                self.crc.update(buf);
                self.offset += buf.len() as u64;
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                Err(self.corrupt("Unexpected EOF reading RDB file"))
            }
            Err(e) => Err(Error::Io(e)),
        }
    }

    /// `N` bytes.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut b = [0u8; N];
        self.fill(&mut b)?;
        Ok(b)
    }

    /// One byte.
    pub fn byte(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    /// `n` bytes, read in bounded pieces.
    pub fn vec(&mut self, n: u64) -> Result<Vec<u8>> {
        let n = usize::try_from(n).map_err(|_| self.corrupt("string too long"))?;
        let mut v = Vec::with_capacity(n.min(READ_CHUNK));
        while v.len() < n {
            let start = v.len();
            let piece = (n - start).min(READ_CHUNK);
            v.resize(start + piece, 0);
            self.fill(&mut v[start..])?;
        }
        Ok(v)
    }

    /// A length, or an encoding marker: `(value, true)` when the high bits say a special
    /// string encoding follows.
    fn len_or_encoding(&mut self) -> Result<(u64, bool)> {
        let b = self.byte()?;
        match b >> 6 {
            0 => Ok((u64::from(b & 0x3f), false)),
            1 => Ok(((u64::from(b & 0x3f) << 8) | u64::from(self.byte()?), false)),
            3 => Ok((u64::from(b & 0x3f), true)),
            _ => match b {
                0x80 => Ok((u64::from(u32::from_be_bytes(self.array()?)), false)),
                0x81 => Ok((u64::from_be_bytes(self.array()?), false)),
                _ => Err(self.corrupt(format!("Unknown length encoding {b} in rdbLoadLen()"))),
            },
        }
    }

    /// A length.
    pub fn length(&mut self) -> Result<u64> {
        match self.len_or_encoding()? {
            (n, false) => Ok(n),
            (_, true) => Err(self.corrupt("Unexpected string encoding where a length belongs")),
        }
    }

    /// A length that counts things to be read next: at most `max` of them.
    pub fn count(&mut self, max: u64) -> Result<u64> {
        let n = self.length()?;
        if n > max {
            return Err(self.corrupt(format!("Count {n} out of range")));
        }
        Ok(n)
    }

    /// A string in any of its encodings.
    pub fn string(&mut self) -> Result<Vec<u8>> {
        let (n, encoded) = self.len_or_encoding()?;
        if !encoded {
            return self.vec(n);
        }
        let int = match n {
            0 => i64::from(self.array::<1>()?[0] as i8),
            1 => i64::from(i16::from_le_bytes(self.array()?)),
            2 => i64::from(i32::from_le_bytes(self.array()?)),
            3 => return self.lzf(),
            _ => return Err(self.corrupt(format!("Unknown RDB string encoding type {n}"))),
        };
        Ok(itoa::Buffer::new().format(int).as_bytes().to_vec())
    }

    fn lzf(&mut self) -> Result<Vec<u8>> {
        let clen = self.length()?;
        let len = self.length()?;
        if len == 0 || len > clen.saturating_mul(LZF_MAX_RATIO) {
            return Err(self.corrupt("Invalid LZF compressed string"));
        }
        let packed = self.vec(clen)?;
        let len =
            usize::try_from(len).map_err(|_| self.corrupt("Invalid LZF compressed string"))?;
        match lzf::decompress(&packed, len) {
            Ok(v) if v.len() == len => Ok(v),
            _ => Err(self.corrupt("Invalid LZF compressed string")),
        }
    }

    /// A binary score (8 bytes, little-endian IEEE 754).
    pub fn binary_double(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// A score as text, as RDB before version 8 wrote them: a length byte (253 NaN, 254 +inf,
    /// 255 -inf) and the digits.
    pub fn text_double(&mut self) -> Result<f64> {
        let n = self.byte()?;
        match n {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            _ => {
                let text = self.vec(u64::from(n))?;
                std::str::from_utf8(&text)
                    .ok()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .ok_or_else(|| self.corrupt("Invalid double value"))
            }
        }
    }

    /// Unix milliseconds (8 bytes, little-endian).
    pub fn millis(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }
}

/// An RDB sink: a writer with the checksum of everything written so far.
pub struct Output<W> {
    inner: W,
    crc: Digest<'static, u64>,
    compress: bool,
}

impl<W: Write> Output<W> {
    /// Writes to `inner`, compressing long strings when `compress` (`rdbcompression`).
    pub fn new(inner: W, compress: bool) -> Self {
        Output {
            inner,
            crc: CRC64.digest(),
            compress,
        }
    }

    /// The CRC-64 of everything written so far.
    pub fn crc(&self) -> u64 {
        self.crc.clone().finalize()
    }

    /// The writer, once everything is written.
    pub fn into_inner(self) -> W {
        self.inner
    }

    /// Raw bytes.
    pub fn bytes(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.crc.update(b);
        self.inner.write_all(b)
    }

    /// One byte.
    pub fn byte(&mut self, b: u8) -> std::io::Result<()> {
        self.bytes(&[b])
    }

    /// A length in the shortest of the four forms.
    pub fn len(&mut self, n: u64) -> std::io::Result<()> {
        if n < 1 << 6 {
            self.byte(n as u8)
        } else if n < 1 << 14 {
            self.bytes(&[0x40 | (n >> 8) as u8, n as u8])
        } else if let Ok(n) = u32::try_from(n) {
            self.byte(0x80)?;
            self.bytes(&n.to_be_bytes())
        } else {
            self.byte(0x81)?;
            self.bytes(&n.to_be_bytes())
        }
    }

    /// A string, as Redis writes one: as a small integer when it is the canonical text of
    /// one that fits 32 bits, LZF-compressed when that saves at least 4 bytes of a string
    /// over 20 bytes, plain otherwise.
    pub fn string(&mut self, s: &[u8]) -> std::io::Result<()> {
        if s.len() <= 11 {
            if let Some(n) = strnum::parse_i64(s) {
                if self.small_int(n)? {
                    return Ok(());
                }
            }
        }
        if self.compress && s.len() > COMPRESS_MIN {
            if let Ok(packed) = lzf::compress(s) {
                if packed.len() + 4 <= s.len() {
                    self.byte(0xc3)?;
                    self.len(packed.len() as u64)?;
                    self.len(s.len() as u64)?;
                    return self.bytes(&packed);
                }
            }
        }
        self.len(s.len() as u64)?;
        self.bytes(s)
    }

    /// A string that is the integer `n`.
    pub fn int_string(&mut self, n: i64) -> std::io::Result<()> {
        if self.small_int(n)? {
            return Ok(());
        }
        self.string(itoa::Buffer::new().format(n).as_bytes())
    }

    /// Writes `n` in an integer encoding if it fits one; says whether it did.
    fn small_int(&mut self, n: i64) -> std::io::Result<bool> {
        if let Ok(v) = i8::try_from(n) {
            self.bytes(&[0xc0, v as u8])?;
        } else if let Ok(v) = i16::try_from(n) {
            self.byte(0xc1)?;
            self.bytes(&v.to_le_bytes())?;
        } else if let Ok(v) = i32::try_from(n) {
            self.byte(0xc2)?;
            self.bytes(&v.to_le_bytes())?;
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// A binary score.
    pub fn binary_double(&mut self, d: f64) -> std::io::Result<()> {
        self.bytes(&d.to_le_bytes())
    }

    /// Unix milliseconds.
    pub fn millis(&mut self, ms: i64) -> std::io::Result<()> {
        self.bytes(&ms.to_le_bytes())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn written(f: impl FnOnce(&mut Output<Vec<u8>>)) -> Vec<u8> {
        let mut o = Output::new(Vec::new(), true);
        f(&mut o);
        o.into_inner()
    }

    #[test]
    fn lengths_take_the_shortest_form_and_read_back() {
        for (n, size) in [
            (0u64, 1),
            (63, 1),
            (64, 2),
            (16383, 2),
            (16384, 5),
            (u64::from(u32::MAX), 5),
            (1 << 32, 9),
        ] {
            let buf = written(|o| o.len(n).unwrap());
            assert_eq!(buf.len(), size, "{n}");
            assert_eq!(Input::new(&buf[..]).length().unwrap(), n);
        }
    }

    #[test]
    fn strings_use_integer_and_lzf_encodings_as_redis_does() {
        assert_eq!(written(|o| o.string(b"12").unwrap()), [0xc0, 12]);
        assert_eq!(written(|o| o.string(b"-300").unwrap()), [0xc1, 0xd4, 0xfe]);
        assert_eq!(
            written(|o| o.string(b"012").unwrap()),
            [3, b'0', b'1', b'2']
        );
        let long = vec![b'a'; 200];
        let buf = written(|o| o.string(&long).unwrap());
        assert_eq!(buf[0], 0xc3);
        let cases: [&[u8]; 7] = [b"12", b"-300", b"012", b"70000", b"99999999999", &long, b""];
        for s in cases {
            let buf = written(|o| o.string(s).unwrap());
            assert_eq!(Input::new(&buf[..]).string().unwrap(), s);
        }
    }

    #[test]
    fn lying_lengths_fail_without_allocating_them() {
        let mut buf = vec![0x81];
        buf.extend_from_slice(&(u64::MAX / 2).to_be_bytes());
        assert!(Input::new(&buf[..]).string().is_err());
        // An LZF header claiming a huge expansion of 3 bytes.
        let buf = [0xc3, 3, 0x80, 0x7f, 0xff, 0xff, 0xff, 1, 2, 3];
        assert!(Input::new(&buf[..]).string().is_err());
    }
}
