//! One node of a list: a contiguous buffer of encoded entries, and the entry encoding itself.
//!
//! An entry is a header (a tag byte, then a length or an integer's bytes), the string's bytes,
//! and a trailing "back length": the size of header plus payload written so that it can be read
//! from its last byte backwards. The header lets a reader step forward, the back length lets it
//! step backward, so both ends of a node are reachable without any index.
//!
//! Tags:
//! - `0x00..=0x7F`: the integer 0..=127, no payload;
//! - `0x80..=0xBF`: a string of 0..=63 bytes (length in the low six bits);
//! - `0xC1..=0xC8`: an integer stored in 1..=8 little-endian bytes, sign-extended;
//! - `0xD0..=0xDF`: a string shorter than 4096 bytes (12-bit length: four bits here, one byte next);
//! - `0xF0`: a string with a 4-byte length; `0xF1`: a string with an 8-byte length.
//!
//! The bytes of a node live in `buf[head..]`. The gap before `head` lets pushes at the front of
//! the node write in place instead of moving the whole node, and pops at the front simply
//! advance `head`.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::Elem;

const STR6: u8 = 0x80;
const INT_N: u8 = 0xC0;
const STR12: u8 = 0xD0;
const STR32: u8 = 0xF0;
const STR64: u8 = 0xF1;

/// An entry's header (tag plus length, or tag plus an integer's bytes) and its payload.
struct Parts<'a> {
    head: [u8; 9],
    head_len: usize,
    payload: &'a [u8],
}

impl Parts<'_> {
    fn body_len(&self) -> usize {
        self.head_len + self.payload.len()
    }
}

/// Number of bytes needed to store an integer as a sign-extended little-endian value.
fn int_width(v: i64) -> usize {
    for n in 1..8 {
        let shift = 64 - 8 * n as u32;
        if (v << shift) >> shift == v {
            return n;
        }
    }
    8
}

fn parts(e: Elem<'_>) -> Parts<'_> {
    let mut head = [0u8; 9];
    match e {
        Elem::Int(v) if (0..0x80).contains(&v) => {
            head[0] = v as u8;
            Parts {
                head,
                head_len: 1,
                payload: &[],
            }
        }
        Elem::Int(v) => {
            let n = int_width(v);
            head[0] = INT_N + n as u8;
            head[1..=n].copy_from_slice(&v.to_le_bytes()[..n]);
            Parts {
                head,
                head_len: 1 + n,
                payload: &[],
            }
        }
        Elem::Str(s) => {
            let n = s.len();
            let head_len = if n < 64 {
                head[0] = STR6 | n as u8;
                1
            } else if n < 4096 {
                head[0] = STR12 | (n >> 8) as u8;
                head[1] = n as u8;
                2
            } else if let Ok(n32) = u32::try_from(n) {
                head[0] = STR32;
                head[1..5].copy_from_slice(&n32.to_le_bytes());
                5
            } else {
                head[0] = STR64;
                head[1..9].copy_from_slice(&(n as u64).to_le_bytes());
                9
            };
            Parts {
                head,
                head_len,
                payload: s,
            }
        }
    }
}

/// Size of the back length that follows a body of `body` bytes.
fn backlen_len(body: usize) -> usize {
    let mut n = 1;
    let mut rest = body >> 7;
    while rest > 0 {
        n += 1;
        rest >>= 7;
    }
    n
}

/// Writes the back length of a `body`-byte entry into `out` (exactly `backlen_len(body)` bytes):
/// the last byte holds the lowest seven bits, and a byte's high bit says more bytes precede it.
fn write_backlen(body: usize, out: &mut [u8]) {
    let n = out.len();
    let mut v = body;
    for (i, b) in out.iter_mut().enumerate().rev() {
        let more = if i > 0 { 0x80 } else { 0 };
        *b = (v & 0x7F) as u8 | more;
        v >>= 7;
    }
    debug_assert!(n == backlen_len(body));
}

/// Total encoded size of an element (header, payload and back length).
pub fn entry_len(e: Elem<'_>) -> usize {
    let body = parts(e).body_len();
    body + backlen_len(body)
}

/// Writes the encoded element into `out`, which is exactly `entry_len(e)` bytes long.
fn write_into(e: Elem<'_>, out: &mut [u8]) {
    let p = parts(e);
    let body = p.body_len();
    let (h, rest) = out.split_at_mut(p.head_len);
    h.copy_from_slice(&p.head[..p.head_len]);
    let (payload, back) = rest.split_at_mut(p.payload.len());
    payload.copy_from_slice(p.payload);
    write_backlen(body, back);
}

/// Appends the encoded element to `out`.
fn append_to(e: Elem<'_>, out: &mut Vec<u8>) {
    let p = parts(e);
    let body = p.body_len();
    out.extend_from_slice(&p.head[..p.head_len]);
    out.extend_from_slice(p.payload);
    let mut back = [0u8; 10];
    let n = backlen_len(body);
    write_backlen(body, &mut back[..n]);
    out.extend_from_slice(&back[..n]);
}

fn read_le(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(b)
}

/// Header length and payload length of the entry starting at `at`.
#[inline]
fn header(buf: &[u8], at: usize) -> (usize, usize) {
    let tag = buf[at];
    match tag {
        0x00..=0x7F => (1, 0),
        0x80..=0xBF => (1, (tag & 0x3F) as usize),
        0xC1..=0xC8 => (1 + (tag - INT_N) as usize, 0),
        0xD0..=0xDF => (2, (((tag & 0x0F) as usize) << 8) | buf[at + 1] as usize),
        STR32 => (5, read_le(&buf[at + 1..at + 5]) as usize),
        _ => (9, read_le(&buf[at + 1..at + 9]) as usize),
    }
}

/// Total size of the entry starting at `at`.
#[inline]
pub fn entry_size(buf: &[u8], at: usize) -> usize {
    let (h, p) = header(buf, at);
    h + p + backlen_len(h + p)
}

/// Decodes the entry starting at `at`: its element and its total size.
#[inline]
pub fn decode(buf: &[u8], at: usize) -> (Elem<'_>, usize) {
    let tag = buf[at];
    let (h, p) = header(buf, at);
    let e = match tag {
        0x00..=0x7F => Elem::Int(tag as i64),
        0xC1..=0xC8 => {
            let n = (tag - INT_N) as usize;
            let shift = 64 - 8 * n as u32;
            let raw = read_le(&buf[at + 1..at + 1 + n]) as i64;
            Elem::Int((raw << shift) >> shift)
        }
        _ => Elem::Str(&buf[at + h..at + h + p]),
    };
    (e, h + p + backlen_len(h + p))
}

/// Start of the entry that ends (exclusively) at `end`, read from its back length.
#[inline]
pub fn prev_start(buf: &[u8], end: usize) -> usize {
    let mut p = end - 1;
    let mut body = (buf[p] & 0x7F) as usize;
    let mut shift = 7;
    while buf[p] & 0x80 != 0 {
        p -= 1;
        body |= ((buf[p] & 0x7F) as usize) << shift;
        shift += 7;
    }
    p - body
}

/// How big a node may grow, from `list-max-listpack-size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fill {
    /// Most bytes of entries in a node holding more than one entry.
    pub bytes: usize,
    /// Most entries in a node.
    pub count: usize,
}

/// Byte limits of the negative settings -1..-5.
const SIZE_CLASSES: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Byte limit that applies even when the setting is an entry count.
const SAFETY_LIMIT: usize = 8192;
/// Largest entry count a node may be configured to hold.
const MAX_COUNT: usize = 1 << 15;

impl Fill {
    /// The limits for a `list-max-listpack-size` value: negative values pick a byte size class
    /// (-1 = 4 KiB ... -5 = 64 KiB, lower values act as -5), positive ones an entry count
    /// (still capped at 8 KiB per node).
    pub fn from_config(fill: i32) -> Fill {
        if fill < 0 {
            let class = (fill.unsigned_abs() as usize).min(SIZE_CLASSES.len());
            Fill {
                bytes: SIZE_CLASSES[class - 1],
                count: usize::MAX,
            }
        } else {
            Fill {
                bytes: SAFETY_LIMIT,
                count: (fill as usize).min(MAX_COUNT),
            }
        }
    }
}

/// Elements at least this long are "plain": each lives in a node of its own, never packed
/// beside others (Redis's quicklist `packed_threshold`, 1 GiB unless DEBUG
/// QUICKLIST-PACKED-THRESHOLD lowers it). Process-wide, as Redis's is.
static PACKED_THRESHOLD: AtomicUsize = AtomicUsize::new(DEFAULT_PACKED_THRESHOLD);
/// The default plain-element size.
const DEFAULT_PACKED_THRESHOLD: usize = 1 << 30;

/// Sets the plain-element size (0 restores the default), as Redis's
/// `quicklistSetPackedThreshold`: sizes at or just below 4 GiB are refused.
pub fn set_packed_threshold(bytes: u64) -> bool {
    if bytes > (1u64 << 32) - (1 << 20) {
        return false;
    }
    let bytes = if bytes == 0 {
        DEFAULT_PACKED_THRESHOLD
    } else {
        usize::try_from(bytes).unwrap_or(DEFAULT_PACKED_THRESHOLD)
    };
    PACKED_THRESHOLD.store(bytes, Ordering::Relaxed);
    true
}

/// Whether `e` is a plain element (see [`PACKED_THRESHOLD`]).
pub fn is_plain(e: Elem<'_>) -> bool {
    let len = match e {
        Elem::Int(v) => itoa::Buffer::new().format(v).len(),
        Elem::Str(s) => s.len(),
    };
    len >= PACKED_THRESHOLD.load(Ordering::Relaxed)
}

/// One node: entries in `buf[head..]`, `count` of them; see the module documentation.
#[derive(Debug, Clone)]
pub struct Node {
    buf: Vec<u8>,
    head: usize,
    count: usize,
}

impl Node {
    /// A node holding only `e`, allocated to fit.
    pub fn single(e: Elem<'_>) -> Node {
        let mut buf = Vec::with_capacity(entry_len(e));
        append_to(e, &mut buf);
        Node {
            buf,
            head: 0,
            count: 1,
        }
    }

    /// Number of entries.
    #[inline]
    pub fn count(&self) -> usize {
        self.count
    }

    /// Bytes of entries.
    #[inline]
    pub fn bytes(&self) -> usize {
        self.buf.len() - self.head
    }

    /// Offset of the first entry.
    #[inline]
    pub fn start(&self) -> usize {
        self.head
    }

    /// Offset just past the last entry.
    #[inline]
    pub fn end(&self) -> usize {
        self.buf.len()
    }

    /// The node's buffer (entries live from `start()` to `end()`).
    #[inline]
    pub fn buf(&self) -> &[u8] {
        &self.buf
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.buf.capacity()
    }

    /// Whether `e` may join this node: the node stays within `fill`, and neither `e` nor the
    /// node's own element is plain.
    #[inline]
    pub fn takes(&self, fill: Fill, e: Elem<'_>) -> bool {
        self.count < fill.count
            && self.bytes() + entry_len(e) <= fill.bytes
            && !is_plain(e)
            && !self.is_plain()
    }

    /// Whether the node holds one plain element.
    pub fn is_plain(&self) -> bool {
        self.count == 1 && is_plain(decode(&self.buf, self.head).0)
    }

    /// Whether this node and `other` together stay within `fill`, neither being plain.
    pub fn can_merge(&self, other: &Node, fill: Fill) -> bool {
        self.count + other.count <= fill.count
            && self.bytes() + other.bytes() <= fill.bytes
            && !self.is_plain()
            && !other.is_plain()
    }

    /// Offset of entry `k` (0-based within the node; `k == count` gives `end()`), walking from
    /// the nearer end.
    pub fn offset_of(&self, k: usize) -> usize {
        if k <= self.count / 2 {
            let mut off = self.head;
            for _ in 0..k {
                off += entry_size(&self.buf, off);
            }
            off
        } else {
            let mut off = self.buf.len();
            for _ in k..self.count {
                off = prev_start(&self.buf, off);
            }
            off
        }
    }

    /// Number of entries between `start()` and `off`.
    fn entries_before(&self, off: usize) -> usize {
        let mut n = 0;
        let mut at = self.head;
        while at < off {
            at += entry_size(&self.buf, at);
            n += 1;
        }
        n
    }

    /// Grows the capacity for `add` more bytes at the end, doubling but never past what the
    /// node may hold, so full nodes carry little slack.
    fn reserve_tail(&mut self, add: usize, fill: Fill) {
        let len = self.buf.len();
        let cap = self.buf.capacity();
        if cap - len >= add {
            return;
        }
        let need = len + add;
        let bound = (self.head + fill.bytes).max(need);
        let want = (cap * 2).max(need).max(16).min(bound);
        self.buf.reserve_exact(want - len);
    }

    /// Appends `e` after the last entry.
    pub fn push_tail(&mut self, e: Elem<'_>, fill: Fill) {
        self.reserve_tail(entry_len(e), fill);
        append_to(e, &mut self.buf);
        self.count += 1;
    }

    /// Prepends `e` before the first entry, into the gap when it fits; otherwise the node is
    /// moved into a new buffer with a gap sized like the data (bounded by the node's limit), so
    /// a run of front pushes costs amortised O(1) per entry.
    pub fn push_head(&mut self, e: Elem<'_>, fill: Fill) {
        let sz = entry_len(e);
        if self.head >= sz {
            self.head -= sz;
            write_into(e, &mut self.buf[self.head..self.head + sz]);
        } else {
            let data = self.bytes();
            let room = fill.bytes.saturating_sub(data + sz);
            let gap = room.min(data.max(16));
            let mut nb = Vec::with_capacity(gap + sz + data);
            nb.resize(gap + sz, 0);
            write_into(e, &mut nb[gap..]);
            nb.extend_from_slice(&self.buf[self.head..]);
            self.buf = nb;
            self.head = gap;
        }
        self.count += 1;
    }

    /// Inserts `e` at byte offset `off` (an entry boundary).
    pub fn insert_at(&mut self, off: usize, e: Elem<'_>, fill: Fill) {
        if off == self.head {
            return self.push_head(e, fill);
        }
        let sz = entry_len(e);
        let len = self.buf.len();
        self.reserve_tail(sz, fill);
        self.buf.resize(len + sz, 0);
        self.buf.copy_within(off..len, off + sz);
        write_into(e, &mut self.buf[off..off + sz]);
        self.count += 1;
    }

    /// Replaces the entry at `off` with `e`.
    pub fn replace_at(&mut self, off: usize, e: Elem<'_>) {
        let old = entry_size(&self.buf, off);
        let new = entry_len(e);
        if new != old {
            let len = self.buf.len();
            if new > old {
                self.buf.resize(len + new - old, 0);
                self.buf.copy_within(off + old..len, off + new);
            } else {
                self.buf.copy_within(off + old..len, off + new);
                self.buf.truncate(len - (old - new));
            }
        }
        write_into(e, &mut self.buf[off..off + new]);
    }

    /// Removes `m` entries starting with entry `k`, then releases memory if the node became
    /// sparse.
    pub fn remove_entries(&mut self, k: usize, m: usize) {
        if m == 0 {
            return;
        }
        let from = self.offset_of(k);
        let mut to = from;
        for _ in 0..m {
            to += entry_size(&self.buf, to);
        }
        self.remove_bytes(from, to, m);
        self.shrink_if_sparse();
    }

    /// Removes the entries in `from..to`, which hold `m` entries. Offsets before `from` stay
    /// valid, except that removing at the front moves the front (`start()`) to `to`.
    pub fn remove_bytes(&mut self, from: usize, to: usize, m: usize) {
        if from == self.head {
            self.head = to;
        } else if to == self.buf.len() {
            self.buf.truncate(from);
        } else {
            self.buf.drain(from..to);
        }
        self.count -= m;
        if self.count == 0 {
            self.buf = Vec::new();
            self.head = 0;
        }
    }

    /// Removes several entry ranges, given in ascending order and not overlapping, compacting
    /// the rest in one pass.
    pub fn remove_ranges(&mut self, ranges: &[(usize, usize)]) {
        let Some(&(first, _)) = ranges.first() else {
            return;
        };
        let mut write = first;
        for (i, &(_, end)) in ranges.iter().enumerate() {
            let next = ranges.get(i + 1).map_or(self.buf.len(), |r| r.0);
            self.buf.copy_within(end..next, write);
            write += next - end;
        }
        self.buf.truncate(write);
        self.count -= ranges.len();
        if self.count == 0 {
            self.buf = Vec::new();
            self.head = 0;
        }
    }

    /// Splits the node at byte offset `off` (an entry boundary strictly inside the node): this
    /// node keeps the entries before it, the returned node holds the rest.
    pub fn split_off(&mut self, off: usize) -> Node {
        let left = self.entries_before(off);
        let right = Node {
            buf: self.buf[off..].to_vec(),
            head: 0,
            count: self.count - left,
        };
        self.buf.truncate(off);
        self.count = left;
        self.fit();
        right
    }

    /// Appends every entry of `other`.
    pub fn append(&mut self, other: Node) {
        self.buf.extend_from_slice(&other.buf[other.head..]);
        self.count += other.count;
    }

    /// Drops the front gap and spare capacity when they are a sizeable part of the node, so a
    /// node that stops growing holds little slack.
    pub fn fit(&mut self) {
        let data = self.bytes();
        let slack = self.buf.capacity() - data;
        if slack > data / 8 + 16 {
            let mut nb = Vec::with_capacity(data);
            nb.extend_from_slice(&self.buf[self.head..]);
            self.buf = nb;
            self.head = 0;
        }
    }

    /// Releases memory after deletions left the node mostly empty. Offsets into the node are
    /// invalid afterwards (the front gap goes away), so callers do this last.
    pub fn shrink_if_sparse(&mut self) {
        if self.buf.capacity() > 64 && self.bytes() * 4 < self.buf.capacity() {
            self.fit();
        }
    }

    /// Checks the node's internal consistency (tests).
    #[cfg(test)]
    pub fn check(&self) {
        let mut at = self.head;
        let mut n = 0;
        while at < self.buf.len() {
            let size = entry_size(&self.buf, at);
            assert_eq!(prev_start(&self.buf, at + size), at);
            at += size;
            n += 1;
        }
        assert_eq!(at, self.buf.len());
        assert_eq!(n, self.count);
        assert!(self.count > 0);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn roundtrip(e: Elem<'_>) {
        let mut buf = vec![0xAA];
        append_to(e, &mut buf);
        assert_eq!(buf.len(), 1 + entry_len(e));
        let (d, size) = decode(&buf, 1);
        assert_eq!(d, e);
        assert_eq!(size, entry_len(e));
        assert_eq!(prev_start(&buf, buf.len()), 1);
        let mut w = vec![0u8; entry_len(e)];
        write_into(e, &mut w);
        assert_eq!(&w[..], &buf[1..]);
    }

    #[test]
    fn encoding_roundtrips() {
        for v in [
            0,
            1,
            127,
            128,
            -1,
            -128,
            255,
            -129,
            32767,
            65536,
            1 << 40,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
            -(1 << 55),
        ] {
            roundtrip(Elem::Int(v));
        }
        for n in [0, 1, 63, 64, 127, 128, 4095, 4096, 16383, 16384, 70000] {
            let s = vec![b'x'; n];
            roundtrip(Elem::Str(&s));
        }
    }

    #[test]
    fn small_entries_are_compact() {
        assert_eq!(entry_len(Elem::Int(5)), 2);
        assert_eq!(entry_len(Elem::Int(1000)), 4);
        assert_eq!(entry_len(Elem::Str(b"hello")), 7);
        assert_eq!(entry_len(Elem::Str(&[0; 100])), 103);
    }

    #[test]
    fn fill_classes() {
        assert_eq!(Fill::from_config(-2).bytes, 8192);
        assert_eq!(Fill::from_config(-9).bytes, 65536);
        assert_eq!(Fill::from_config(5).count, 5);
        assert_eq!(Fill::from_config(i32::MAX).count, 1 << 15);
    }
}
