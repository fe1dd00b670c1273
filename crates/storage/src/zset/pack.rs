//! The small encoding of a sorted set (Redis's "listpack"): every (score, member) pair packed
//! back to back in one byte buffer, in (score, member) order.
//!
//! An entry is the score as 8 little-endian bytes, then the member's length as a LEB128 varint,
//! then the member's bytes. Small sorted sets are the common case, and one contiguous buffer
//! costs about ten bytes of overhead per member, against the hundred or so of an indexed
//! structure. Every operation is a linear scan, which is why the set switches to the tree
//! encoding once it passes `zset-max-listpack-entries` members.
//!
//! Scores are stored as Redis stores them in a listpack: an integral score is kept as an integer
//! there, so a negative zero comes back as plain zero. [`Pack::insert`] applies that rule.

use std::cmp::Ordering;

use super::cmp_key;
use crate::varint;

/// A sorted set packed into one buffer; see the module documentation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pack {
    buf: Vec<u8>,
    len: usize,
}

/// One decoded entry: its score, member, and the offset of the entry that follows it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PackEntry<'a> {
    pub score: f64,
    pub member: &'a [u8],
    pub next: usize,
}

/// Decodes the entry starting at `off`, or `None` at the end of the buffer.
#[inline]
fn decode(buf: &[u8], off: usize) -> Option<PackEntry<'_>> {
    let score_bytes: [u8; 8] = buf.get(off..off + 8)?.try_into().ok()?;
    let score = f64::from_le_bytes(score_bytes);
    let (member, end) = varint::read_str(buf, off + 8)?;
    Some(PackEntry {
        score,
        member,
        next: end,
    })
}

/// Appends the encoding of one entry to `out`.
fn encode(out: &mut Vec<u8>, score: f64, member: &[u8]) {
    out.extend_from_slice(&score.to_le_bytes());
    varint::put(out, member.len() as u64);
    out.extend_from_slice(member);
}

/// Bytes one entry takes.
fn encoded_len(member: &[u8]) -> usize {
    8 + varint::size(member.len() as u64) + member.len()
}

/// The score a listpack keeps: integral values are stored as integers, which drops the sign of
/// a negative zero.
#[inline]
fn stored_score(score: f64) -> f64 {
    if score == 0.0 {
        0.0
    } else {
        score
    }
}

impl Pack {
    /// Number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Bytes of the encoded entries (Redis's `lpBytes`, near enough for its 1 GiB safety cap).
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.buf.capacity()
    }

    /// Iterates over the entries in order.
    #[inline]
    pub fn iter(&self) -> PackIter<'_> {
        PackIter {
            buf: &self.buf,
            off: 0,
        }
    }

    /// The offset and score of `member`.
    pub fn find(&self, member: &[u8]) -> Option<(usize, f64)> {
        let mut off = 0;
        while let Some(e) = decode(&self.buf, off) {
            if e.member == member {
                return Some((off, e.score));
            }
            off = e.next;
        }
        None
    }

    /// The rank (0-based, ascending) of `member`.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        self.iter().position(|e| e.member == member)
    }

    /// Inserts a member the caller knows is absent, at its place in the order.
    pub fn insert(&mut self, score: f64, member: &[u8]) {
        let score = stored_score(score);
        let mut off = 0;
        while let Some(e) = decode(&self.buf, off) {
            if cmp_key(e.score, e.member, score, member) == Ordering::Greater {
                break;
            }
            off = e.next;
        }
        let mut entry = Vec::with_capacity(encoded_len(member));
        encode(&mut entry, score, member);
        self.buf.reserve_exact(entry.len());
        self.buf.splice(off..off, entry);
        self.len += 1;
    }

    /// Appends an entry that sorts after every entry present (bulk building).
    pub fn push(&mut self, score: f64, member: &[u8]) {
        encode(&mut self.buf, stored_score(score), member);
        self.len += 1;
    }

    /// Removes the entry at offset `off` (as returned by [`Pack::find`]).
    pub fn remove_at(&mut self, off: usize) {
        if let Some(e) = decode(&self.buf, off) {
            let end = e.next;
            self.buf.drain(off..end);
            self.len -= 1;
            self.shrink();
        }
    }

    /// Removes the entries with ranks in `lo..hi`, returning how many were removed.
    pub fn remove_ranks(&mut self, lo: usize, hi: usize) -> usize {
        let hi = hi.min(self.len);
        if lo >= hi {
            return 0;
        }
        let mut start = None;
        let mut end = self.buf.len();
        let mut off = 0;
        let mut rank = 0;
        while let Some(e) = decode(&self.buf, off) {
            if rank == lo {
                start = Some(off);
            }
            if rank == hi {
                end = off;
                break;
            }
            off = e.next;
            rank += 1;
        }
        let Some(start) = start else { return 0 };
        self.buf.drain(start..end);
        self.len -= hi - lo;
        self.shrink();
        hi - lo
    }

    /// Gives memory back after large removals.
    fn shrink(&mut self) {
        if self.buf.capacity() > 64 && self.buf.len() * 2 < self.buf.capacity() {
            self.buf.shrink_to_fit();
        }
    }

    /// Number of leading entries for which `pred(score, member)` holds.
    pub fn count_while(&self, mut pred: impl FnMut(f64, &[u8]) -> bool) -> usize {
        self.iter().take_while(|e| pred(e.score, e.member)).count()
    }

    /// The entry of rank `rank`.
    pub fn nth(&self, rank: usize) -> Option<PackEntry<'_>> {
        self.iter().nth(rank)
    }

    /// The offset of every entry, for random access by rank.
    pub fn offsets(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.len);
        let mut off = 0;
        while let Some(e) = decode(&self.buf, off) {
            out.push(off as u32);
            off = e.next;
        }
        out
    }

    /// The entry at offset `off`.
    #[inline]
    pub fn at(&self, off: usize) -> Option<PackEntry<'_>> {
        decode(&self.buf, off)
    }
}

/// Iterator over a pack's entries in order.
#[derive(Debug, Clone)]
pub(crate) struct PackIter<'a> {
    buf: &'a [u8],
    off: usize,
}

impl<'a> Iterator for PackIter<'a> {
    type Item = PackEntry<'a>;

    #[inline]
    fn next(&mut self) -> Option<PackEntry<'a>> {
        let e = decode(self.buf, self.off)?;
        self.off = e.next;
        Some(e)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn insert_find_remove_keep_order() {
        let mut p = Pack::default();
        p.insert(2.0, b"b");
        p.insert(1.0, b"z");
        p.insert(2.0, b"a");
        p.insert(-0.0, b"zero");
        let long = vec![b'x'; 300];
        p.insert(5.0, &long);
        let got: Vec<(f64, Vec<u8>)> = p.iter().map(|e| (e.score, e.member.to_vec())).collect();
        assert_eq!(
            got,
            vec![
                (0.0, b"zero".to_vec()),
                (1.0, b"z".to_vec()),
                (2.0, b"a".to_vec()),
                (2.0, b"b".to_vec()),
                (5.0, long.clone()),
            ]
        );
        // Negative zero is stored as zero, as in a Redis listpack.
        assert!(p.find(b"zero").unwrap().1.is_sign_positive());
        assert_eq!(p.rank(b"b"), Some(3));
        assert_eq!(p.find(&long).unwrap().1, 5.0);
        let (off, _) = p.find(b"a").unwrap();
        p.remove_at(off);
        assert_eq!(p.len(), 4);
        assert_eq!(p.rank(b"b"), Some(2));
        assert_eq!(p.remove_ranks(1, 3), 2);
        let got: Vec<Vec<u8>> = p.iter().map(|e| e.member.to_vec()).collect();
        assert_eq!(got, vec![b"zero".to_vec(), long]);
        assert_eq!(p.offsets().len(), 2);
    }
}
