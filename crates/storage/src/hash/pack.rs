//! The compact encoding of small hashes (Redis's `listpack`): every field and value in one byte
//! buffer, in insertion order.
//!
//! Each string is stored as its length in LEB128 (7 bits per byte, low bits first) followed by
//! its bytes, and a pair is a field followed by its value. A hash of a few short fields thus
//! costs one allocation and two or three bytes of overhead per field. Lookups are linear scans,
//! which is what makes this encoding only suitable below Redis's `hash-max-listpack-*` limits.

use thin_vec::ThinVec;

use crate::varint;

/// Where one pair sits in the buffer: `start..value_start` is the field (with its length
/// header), `value_start..end` the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Span {
    pub start: usize,
    pub value_start: usize,
    pub end: usize,
}

/// A small hash as one buffer; see the module documentation.
#[derive(Clone, Debug, Default)]
pub(super) struct Pack {
    buf: ThinVec<u8>,
    len: usize,
}

/// Encodes one string (header and bytes) into a fresh vector, for splicing.
fn encoded(s: &[u8]) -> ThinVec<u8> {
    let mut v = ThinVec::with_capacity(varint::size(s.len() as u64) + s.len());
    varint::put(&mut v, s.len() as u64);
    v.extend_from_slice(s);
    v
}

impl Pack {
    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Bytes used by the encoded pairs.
    pub fn byte_len(&self) -> usize {
        self.buf.len()
    }

    /// Heap bytes owned (buffer and its header).
    pub fn heap_bytes(&self) -> usize {
        if self.buf.capacity() == 0 {
            0
        } else {
            self.buf.capacity() + 16
        }
    }

    /// The pair starting at offset `at`, with its span.
    pub fn pair_at(&self, at: usize) -> Option<(&[u8], &[u8], Span)> {
        let (field, value_start) = varint::read_str(&self.buf, at)?;
        let (value, end) = varint::read_str(&self.buf, value_start)?;
        Some((
            field,
            value,
            Span {
                start: at,
                value_start,
                end,
            },
        ))
    }

    /// Iterates over the pairs in insertion order.
    pub fn iter(&self) -> PackIter<'_> {
        PackIter { pack: self, at: 0 }
    }

    /// Start offsets of every pair, for random access.
    pub fn offsets(&self) -> Vec<usize> {
        let mut v = Vec::with_capacity(self.len);
        let mut at = 0;
        while let Some((_, _, span)) = self.pair_at(at) {
            v.push(at);
            at = span.end;
        }
        v
    }

    /// Finds the pair of `field`.
    pub fn find(&self, field: &[u8]) -> Option<(&[u8], Span)> {
        let mut at = 0;
        while let Some((f, v, span)) = self.pair_at(at) {
            if f == field {
                return Some((v, span));
            }
            at = span.end;
        }
        None
    }

    /// Sets `field` to `value`; returns whether the field is new.
    pub fn insert(&mut self, field: &[u8], value: &[u8]) -> bool {
        match self.find(field).map(|(_, span)| span) {
            Some(span) => {
                let new = encoded(value);
                if new.len() == span.end - span.value_start {
                    self.buf[span.value_start..span.end].copy_from_slice(&new);
                } else {
                    self.buf.splice(span.value_start..span.end, new);
                }
                false
            }
            None => {
                self.buf.reserve(
                    varint::size(field.len() as u64)
                        + field.len()
                        + varint::size(value.len() as u64)
                        + value.len(),
                );
                varint::put(&mut self.buf, field.len() as u64);
                self.buf.extend_from_slice(field);
                varint::put(&mut self.buf, value.len() as u64);
                self.buf.extend_from_slice(value);
                self.len += 1;
                true
            }
        }
    }

    /// Removes `field`; returns whether it was present.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        let Some((_, span)) = self.find(field) else {
            return false;
        };
        self.buf.drain(span.start..span.end);
        self.len -= 1;
        // Give memory back once the hash has shrunk well below its buffer.
        if self.buf.capacity() > 64 && self.buf.capacity() > self.buf.len() * 2 {
            self.buf.shrink_to_fit();
        }
        true
    }
}

/// Iterator over a pack's pairs.
#[derive(Debug)]
pub(super) struct PackIter<'a> {
    pack: &'a Pack,
    at: usize,
}

impl<'a> Iterator for PackIter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let (f, v, span) = self.pack.pair_at(self.at)?;
        self.at = span.end;
        Some((f, v))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn insert_update_remove() {
        let mut p = Pack::default();
        assert!(p.insert(b"a", b"1"));
        assert!(p.insert(b"b", b"2"));
        assert!(!p.insert(b"a", &[b'x'; 200]));
        assert_eq!(p.find(b"a").unwrap().0, &[b'x'; 200][..]);
        assert!(!p.insert(b"a", b"3"));
        let pairs: Vec<_> = p.iter().collect();
        assert_eq!(pairs, vec![(&b"a"[..], &b"3"[..]), (&b"b"[..], &b"2"[..])]);
        assert_eq!(p.offsets(), vec![0, 4]);
        assert!(p.remove(b"a"));
        assert!(!p.remove(b"a"));
        assert_eq!(p.len(), 1);
        assert_eq!(p.find(b"b").unwrap().0, b"2");
    }
}
