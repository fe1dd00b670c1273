//! `SmallBytes`: a byte string of 16 bytes that keeps up to 14 bytes inline.
//!
//! Keys and short string values are overwhelmingly short, so storing them inside the table's
//! slot saves an allocation and its header per key. Longer strings live behind a thin pointer
//! (`ThinVec`, one word) so the type stays at 16 bytes either way.

use std::fmt;
use std::ops::Deref;
use thin_vec::ThinVec;

/// Longest string kept inline.
pub const INLINE_CAP: usize = 14;

/// A compact byte string; see the module documentation.
#[derive(Clone)]
pub enum SmallBytes {
    /// Up to `INLINE_CAP` bytes stored in place.
    Inline {
        /// Number of bytes of `buf` in use.
        len: u8,
        /// The bytes, padded with zeros.
        buf: [u8; INLINE_CAP],
    },
    /// A longer string on the heap.
    Heap(ThinVec<u8>),
}

const _: () = assert!(std::mem::size_of::<SmallBytes>() == 16);

impl Default for SmallBytes {
    fn default() -> Self {
        SmallBytes::Inline {
            len: 0,
            buf: [0; INLINE_CAP],
        }
    }
}

impl SmallBytes {
    /// Copies `bytes` into a new string, inline when it fits.
    #[inline]
    pub fn new(bytes: &[u8]) -> Self {
        if bytes.len() <= INLINE_CAP {
            let mut buf = [0; INLINE_CAP];
            buf[..bytes.len()].copy_from_slice(bytes);
            SmallBytes::Inline {
                len: bytes.len() as u8,
                buf,
            }
        } else {
            SmallBytes::Heap(ThinVec::from(bytes))
        }
    }

    /// The string's bytes.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        match self {
            SmallBytes::Inline { len, buf } => &buf[..*len as usize],
            SmallBytes::Heap(v) => v,
        }
    }

    /// Heap bytes owned beyond the 16 inline bytes, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        match self {
            SmallBytes::Inline { .. } => 0,
            SmallBytes::Heap(v) => v.capacity() + 16,
        }
    }

    /// Mutable access to the bytes as a growable vector, moving inline strings to the heap.
    /// Used by in-place edits (APPEND, SETRANGE, SETBIT) that may grow the string.
    pub fn make_vec(&mut self) -> &mut ThinVec<u8> {
        if let SmallBytes::Inline { .. } = self {
            *self = SmallBytes::Heap(ThinVec::from(self.as_slice()));
        }
        match self {
            SmallBytes::Heap(v) => v,
            SmallBytes::Inline { .. } => unreachable!("converted to heap above"),
        }
    }
}

impl Deref for SmallBytes {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for SmallBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl fmt::Debug for SmallBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap_round_trip() {
        for n in [0, 1, 13, 14, 15, 100] {
            let data: Vec<u8> = (0..n as u8).collect();
            let s = SmallBytes::new(&data);
            assert_eq!(s.as_slice(), &data[..]);
            assert_eq!(matches!(s, SmallBytes::Inline { .. }), n <= INLINE_CAP);
        }
        let mut s = SmallBytes::new(b"abc");
        s.make_vec().extend_from_slice(b"defghijklmnopqrstuvwxyz");
        assert_eq!(&s[..], b"abcdefghijklmnopqrstuvwxyz");
    }
}
