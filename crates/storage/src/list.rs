//! Lists: a deque of compact nodes, each a contiguous buffer of encoded entries (the shape of
//! Redis's quicklist).
//!
//! A node holds as many entries as `list-max-listpack-size` allows (a byte budget of 4..64 KiB,
//! or an entry count capped at 8 KiB), so a list of small elements costs little more than
//! their bytes, and pushes and pops at either end touch only the end node. Positional
//! operations skip whole nodes by their entry counts and walk entries only inside one node.
//! Strings that are canonical 64-bit integers are stored as integers (as Redis's listpack
//! does), which reads back identically since only canonical forms are converted.
//!
//! Everything here is pure data manipulation; the commands and their replies live in the
//! server's `cmd::list`.

mod node;

use std::collections::VecDeque;

pub use node::set_packed_threshold;
use node::{decode, entry_len, entry_size, prev_start, Fill, Node};

/// Which end of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The first element (LEFT).
    Head,
    /// The last element (RIGHT).
    Tail,
}

/// An element borrowed from a list: integers are kept as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem<'a> {
    /// A string that is the canonical form of this integer.
    Int(i64),
    /// Any other string.
    Str(&'a [u8]),
}

impl<'a> Elem<'a> {
    /// The element for a client-supplied string: an integer when the string is one's canonical
    /// form (at most 20 bytes), else the bytes.
    #[inline]
    pub fn from_bytes(s: &'a [u8]) -> Elem<'a> {
        if s.len() <= 20 {
            if let Some(v) = strnum::parse_i64(s) {
                return Elem::Int(v);
            }
        }
        Elem::Str(s)
    }

    /// Calls `f` with the element's string form (integers are formatted on the stack).
    #[inline]
    pub fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Elem::Int(v) => f(itoa::Buffer::new().format(v).as_bytes()),
            Elem::Str(s) => f(s),
        }
    }

    /// The element's string form as a new vector.
    pub fn to_vec(self) -> Vec<u8> {
        self.with_bytes(|b| b.to_vec())
    }

    /// An owned copy.
    pub fn to_owned(self) -> Element {
        match self {
            Elem::Int(v) => Element::Int(v),
            Elem::Str(s) => Element::Str(s.to_vec()),
        }
    }
}

/// An element removed from a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    /// A string that is the canonical form of this integer.
    Int(i64),
    /// Any other string.
    Str(Vec<u8>),
}

impl Element {
    /// A borrowed view.
    pub fn as_elem(&self) -> Elem<'_> {
        match self {
            Element::Int(v) => Elem::Int(*v),
            Element::Str(s) => Elem::Str(s),
        }
    }

    /// The element's string form.
    pub fn into_vec(self) -> Vec<u8> {
        match self {
            Element::Int(v) => itoa::Buffer::new().format(v).as_bytes().to_vec(),
            Element::Str(s) => s,
        }
    }
}

/// A value searched for (LREM, LPOS, LINSERT's pivot), with its integer form precomputed so
/// integer entries compare without formatting.
#[derive(Debug, Clone, Copy)]
pub struct Needle<'a> {
    bytes: &'a [u8],
    int: Option<i64>,
}

impl<'a> Needle<'a> {
    /// The needle for a client-supplied string.
    pub fn new(bytes: &'a [u8]) -> Self {
        let int = match Elem::from_bytes(bytes) {
            Elem::Int(v) => Some(v),
            Elem::Str(_) => None,
        };
        Needle { bytes, int }
    }

    /// Whether `e` equals the needle's string.
    #[inline]
    pub fn matches(&self, e: Elem<'_>) -> bool {
        match e {
            Elem::Int(v) => self.int == Some(v),
            Elem::Str(s) => s == self.bytes,
        }
    }
}

/// Converts Redis-style inclusive `start`/`stop` indices (negative count from the end) into
/// an inclusive range within a list of `len` elements, or `None` when the range is empty.
pub fn range_bounds(len: usize, start: i64, stop: i64) -> Option<(usize, usize)> {
    let n = i64::try_from(len).unwrap_or(i64::MAX);
    let start = if start < 0 {
        n.saturating_add(start)
    } else {
        start
    }
    .max(0);
    let stop = if stop < 0 {
        n.saturating_add(stop)
    } else {
        stop
    };
    if start > stop || start >= n {
        return None;
    }
    let stop = stop.min(n - 1);
    Some((start as usize, stop as usize))
}

/// A list value; see the module documentation.
#[derive(Debug, Clone)]
pub struct List {
    nodes: VecDeque<Node>,
    len: usize,
    fill: Fill,
}

impl Default for List {
    fn default() -> Self {
        List::new(-2)
    }
}

impl PartialEq for List {
    /// Lists are equal when they hold the same elements in the same order, however those are
    /// spread over nodes.
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl List {
    /// An empty list whose nodes follow `list-max-listpack-size` = `fill` (fixed for the
    /// list's lifetime, as in Redis: a configuration change applies to lists created later).
    pub fn new(fill: i32) -> List {
        List {
            nodes: VecDeque::new(),
            len: 0,
            fill: Fill::from_config(fill),
        }
    }

    /// An empty list with explicit node limits, so tests can force many small nodes.
    #[cfg(test)]
    fn with_fill(bytes: usize, count: usize) -> List {
        List {
            nodes: VecDeque::new(),
            len: 0,
            fill: Fill { bytes, count },
        }
    }

    /// Number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list is empty (an empty list is never stored under a key).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Redis's OBJECT ENCODING name: Redis 7.0 always reports `quicklist` for lists.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// Heap bytes owned, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.nodes.iter().map(Node::heap_bytes).sum::<usize>()
    }

    /// Number of nodes (for memory and layout checks).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Feeds every element to `feed` in list order (for DEBUG DIGEST): a list's order is part
    /// of its contents, and the node layout never shows.
    pub fn feed_digest(&self, feed: &mut dyn FnMut(&[u8])) {
        for e in self.iter() {
            e.with_bytes(|b| feed(b));
        }
    }

    /// Every element from head to tail.
    pub fn iter(&self) -> Iter<'_> {
        self.iter_from(0, false)
    }

    /// Elements starting at index `start`, towards the tail, or towards the head when
    /// `reverse`. An index past the end yields nothing.
    pub fn iter_from(&self, start: usize, reverse: bool) -> Iter<'_> {
        if start >= self.len {
            return Iter {
                nodes: &self.nodes,
                ni: 0,
                off: 0,
                left: 0,
                reverse,
            };
        }
        let (ni, off) = self.locate(start);
        if reverse {
            let end = off + entry_size(self.nodes[ni].buf(), off);
            Iter {
                nodes: &self.nodes,
                ni,
                off: end,
                left: start + 1,
                reverse,
            }
        } else {
            Iter {
                nodes: &self.nodes,
                ni,
                off,
                left: self.len - start,
                reverse,
            }
        }
    }

    /// The node holding element `index` (< len) and the element's byte offset in it, walking
    /// from the nearer end of the list.
    fn locate(&self, index: usize) -> (usize, usize) {
        debug_assert!(index < self.len);
        if index < self.len / 2 {
            let mut base = 0;
            for (ni, n) in self.nodes.iter().enumerate() {
                if index < base + n.count() {
                    return (ni, n.offset_of(index - base));
                }
                base += n.count();
            }
        } else {
            let mut base = self.len;
            for (ni, n) in self.nodes.iter().enumerate().rev() {
                base -= n.count();
                if index >= base {
                    return (ni, n.offset_of(index - base));
                }
            }
        }
        // Unreachable while the counts are consistent; the last node's end is a safe answer.
        let last = self.nodes.len().saturating_sub(1);
        (last, self.nodes.get(last).map_or(0, Node::end))
    }

    /// Converts a Redis index (negative counts from the tail) to a position, if in range.
    fn index(&self, index: i64) -> Option<usize> {
        let i = if index < 0 {
            let back = usize::try_from(index.unsigned_abs()).ok()?;
            self.len.checked_sub(back)?
        } else {
            usize::try_from(index).ok()?
        };
        (i < self.len).then_some(i)
    }

    /// Pushes a client-supplied string at `end`.
    #[inline]
    pub fn push(&mut self, end: End, value: &[u8]) {
        self.push_elem(end, Elem::from_bytes(value));
    }

    /// Pushes an element at `end`.
    pub fn push_elem(&mut self, end: End, e: Elem<'_>) {
        let fill = self.fill;
        let edge = match end {
            End::Head => self.nodes.front_mut(),
            End::Tail => self.nodes.back_mut(),
        };
        match edge {
            Some(n) if n.takes(fill, e) => match end {
                End::Head => n.push_head(e, fill),
                End::Tail => n.push_tail(e, fill),
            },
            other => {
                // The edge node is full: it stops growing, so give back its slack.
                if let Some(n) = other {
                    n.fit();
                }
                match end {
                    End::Head => self.nodes.push_front(Node::single(e)),
                    End::Tail => self.nodes.push_back(Node::single(e)),
                }
            }
        }
        self.len += 1;
    }

    /// Removes and returns the element at `end`. This is the one pop every command uses
    /// (LPOP, RPOP, LMOVE, and the blocking variants).
    pub fn pop(&mut self, end: End) -> Option<Element> {
        let (ni, e) = match end {
            End::Head => {
                let n = self.nodes.front_mut()?;
                let (e, size) = decode(n.buf(), n.start());
                let e = e.to_owned();
                n.remove_bytes(n.start(), n.start() + size, 1);
                n.shrink_if_sparse();
                (0, e)
            }
            End::Tail => {
                let last = self.nodes.len().checked_sub(1)?;
                let n = self.nodes.get_mut(last)?;
                let at = prev_start(n.buf(), n.end());
                let e = decode(n.buf(), at).0.to_owned();
                n.remove_bytes(at, n.end(), 1);
                n.shrink_if_sparse();
                (last, e)
            }
        };
        if self.nodes.get(ni).is_some_and(|n| n.count() == 0) {
            self.nodes.remove(ni);
        }
        self.len -= 1;
        Some(e)
    }

    /// Removes up to `n` elements from `end`, calling `f` with each in the order they leave
    /// (from the head: first to last; from the tail: last to first). Returns how many were
    /// removed. LPOP/RPOP with a count, LMPOP and BLMPOP all pop through here.
    pub fn pop_many(&mut self, end: End, n: usize, mut f: impl FnMut(Elem<'_>)) -> usize {
        let n = n.min(self.len);
        if n == 0 {
            return 0;
        }
        match end {
            End::Head => {
                self.iter().take(n).for_each(&mut f);
                self.delete_range(0, n);
            }
            End::Tail => {
                self.iter_from(self.len - 1, true).take(n).for_each(&mut f);
                self.delete_range(self.len - n, n);
            }
        }
        n
    }

    /// The element at a Redis index (negative counts from the tail).
    pub fn get(&self, index: i64) -> Option<Elem<'_>> {
        let i = self.index(index)?;
        let (ni, off) = self.locate(i);
        Some(decode(self.nodes[ni].buf(), off).0)
    }

    /// Replaces the element at a Redis index; `false` when the index is out of range.
    pub fn set(&mut self, index: i64, value: &[u8]) -> bool {
        let Some(i) = self.index(index) else {
            return false;
        };
        let (ni, off) = self.locate(i);
        let e = Elem::from_bytes(value);
        let fill = self.fill;
        let node = &mut self.nodes[ni];
        let old = entry_size(node.buf(), off);
        let new = entry_len(e);
        let alone = node.count() == 1;
        if alone || (node.bytes() - old + new <= fill.bytes && !node::is_plain(e)) {
            node.replace_at(off, e);
        } else {
            // The new value does not fit beside its neighbours, or is plain: take the old one
            // out and insert the new one where it was, which splits the node as needed.
            let at_front = off == node.start();
            node.remove_bytes(off, off + old, 1);
            let off = if at_front { node.start() } else { off };
            self.insert_in(ni, off, e);
        }
        true
    }

    /// Inserts `e` in node `ni` at byte offset `off` (an entry boundary, possibly the node's
    /// end), using a neighbour or a split when the node is full. Does not count the element.
    fn insert_in(&mut self, ni: usize, off: usize, e: Elem<'_>) {
        let fill = self.fill;
        let Some(node) = self.nodes.get_mut(ni) else {
            return;
        };
        if node.takes(fill, e) {
            node.insert_at(off, e, fill);
            return;
        }
        if off == node.start() {
            match ni.checked_sub(1).and_then(|p| self.nodes.get_mut(p)) {
                Some(prev) if prev.takes(fill, e) => prev.push_tail(e, fill),
                _ => self.nodes.insert(ni, Node::single(e)),
            }
            return;
        }
        if off == node.end() {
            match self.nodes.get_mut(ni + 1) {
                Some(next) if next.takes(fill, e) => next.push_head(e, fill),
                _ => self.nodes.insert(ni + 1, Node::single(e)),
            }
            return;
        }
        let mut right = node.split_off(off);
        if node.takes(fill, e) {
            node.push_tail(e, fill);
            self.nodes.insert(ni + 1, right);
        } else if right.takes(fill, e) {
            right.push_head(e, fill);
            self.nodes.insert(ni + 1, right);
        } else {
            self.nodes.insert(ni + 1, Node::single(e));
            self.nodes.insert(ni + 2, right);
        }
    }

    /// Inserts `value` at position `index` (0..=len), shifting later elements.
    pub fn insert_at(&mut self, index: usize, value: &[u8]) {
        let e = Elem::from_bytes(value);
        if index == 0 {
            self.push_elem(End::Head, e);
        } else if index >= self.len {
            self.push_elem(End::Tail, e);
        } else {
            let (ni, off) = self.locate(index);
            self.insert_in(ni, off, e);
            self.len += 1;
        }
    }

    /// LINSERT: inserts `value` before (or `after`) the first element equal to `pivot`;
    /// returns whether the pivot was found.
    pub fn insert(&mut self, pivot: &[u8], value: &[u8], after: bool) -> bool {
        let needle = Needle::new(pivot);
        let mut found = None;
        'scan: for (ni, n) in self.nodes.iter().enumerate() {
            let mut at = n.start();
            while at < n.end() {
                let (e, size) = decode(n.buf(), at);
                if needle.matches(e) {
                    found = Some((ni, if after { at + size } else { at }));
                    break 'scan;
                }
                at += size;
            }
        }
        let Some((ni, off)) = found else {
            return false;
        };
        self.insert_in(ni, off, Elem::from_bytes(value));
        self.len += 1;
        true
    }

    /// Removes `count` elements starting at position `start` (both clamped to the list).
    pub fn delete_range(&mut self, start: usize, count: usize) {
        if start >= self.len {
            return;
        }
        let count = count.min(self.len - start);
        if count == 0 {
            return;
        }
        if count == self.len {
            self.nodes.clear();
            self.nodes.shrink_to_fit();
            self.len = 0;
            return;
        }
        // Find the first node touched and the index of `start` inside it.
        let mut ni = 0;
        let mut k = start;
        while let Some(n) = self.nodes.get(ni) {
            if k < n.count() {
                break;
            }
            k -= n.count();
            ni += 1;
        }
        let mut remaining = count;
        while remaining > 0 {
            let Some(n) = self.nodes.get_mut(ni) else {
                break;
            };
            let m = (n.count() - k).min(remaining);
            if k == 0 && m == n.count() {
                self.nodes.remove(ni);
            } else {
                n.remove_entries(k, m);
                ni += 1;
            }
            remaining -= m;
            k = 0;
        }
        self.len -= count - remaining;
        self.shrink_spine();
    }

    /// LTRIM: keeps only the elements from `start` to `stop` inclusive (Redis indices).
    /// Returns how many elements were removed.
    pub fn trim(&mut self, start: i64, stop: i64) -> usize {
        let len = self.len;
        match range_bounds(len, start, stop) {
            None => {
                self.delete_range(0, len);
                len
            }
            Some((a, b)) => {
                let right = len - b - 1;
                self.delete_range(b + 1, right);
                self.delete_range(0, a);
                a + right
            }
        }
    }

    /// LREM: removes elements equal to `value`: the first `count` from the head when
    /// `count > 0`, the last `-count` from the tail when negative, all when zero. Returns how
    /// many were removed.
    pub fn remove(&mut self, value: &[u8], count: i64) -> usize {
        let needle = Needle::new(value);
        let limit = if count == 0 {
            usize::MAX
        } else {
            usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX)
        };
        let reverse = count < 0;
        let mut removed = 0;
        let mut touched: Option<(usize, usize)> = None;
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        let n_nodes = self.nodes.len();
        for step in 0..n_nodes {
            if removed == limit {
                break;
            }
            let ni = if reverse { n_nodes - 1 - step } else { step };
            let Some(node) = self.nodes.get_mut(ni) else {
                break;
            };
            ranges.clear();
            if reverse {
                let mut end = node.end();
                while end > node.start() && removed < limit {
                    let at = prev_start(node.buf(), end);
                    if needle.matches(decode(node.buf(), at).0) {
                        ranges.push((at, end));
                        removed += 1;
                    }
                    end = at;
                }
                ranges.reverse();
            } else {
                let mut at = node.start();
                while at < node.end() && removed < limit {
                    let (e, size) = decode(node.buf(), at);
                    if needle.matches(e) {
                        ranges.push((at, at + size));
                        removed += 1;
                    }
                    at += size;
                }
            }
            if !ranges.is_empty() {
                node.remove_ranges(&ranges);
                node.shrink_if_sparse();
                touched = Some(match touched {
                    None => (ni, ni),
                    Some((lo, hi)) => (lo.min(ni), hi.max(ni)),
                });
            }
        }
        if let Some((lo, hi)) = touched {
            self.len -= removed;
            self.tidy(lo, hi);
        }
        removed
    }

    /// Drops emptied nodes among `lo..=hi` and merges neighbours around them that fit
    /// together, so deletions do not leave the list fragmented into tiny nodes.
    fn tidy(&mut self, lo: usize, hi: usize) {
        let mut end = hi.saturating_add(1).min(self.nodes.len());
        let mut i = lo;
        while i < end {
            if self.nodes.get(i).is_some_and(|n| n.count() == 0) {
                self.nodes.remove(i);
                end -= 1;
            } else {
                i += 1;
            }
        }
        let fill = self.fill;
        let mut i = lo.saturating_sub(1);
        let mut last = end.min(self.nodes.len().saturating_sub(1));
        while i < last {
            let mergeable = match (self.nodes.get(i), self.nodes.get(i + 1)) {
                (Some(a), Some(b)) => a.can_merge(b, fill),
                _ => false,
            };
            if mergeable {
                if let Some(b) = self.nodes.remove(i + 1) {
                    if let Some(a) = self.nodes.get_mut(i) {
                        a.append(b);
                    }
                }
                last -= 1;
            } else {
                i += 1;
            }
        }
        self.shrink_spine();
    }

    /// Gives back the node deque's spare room after many nodes went away.
    fn shrink_spine(&mut self) {
        if self.nodes.capacity() > 16 && self.nodes.len() * 4 < self.nodes.capacity() {
            self.nodes.shrink_to(self.nodes.len() * 2);
        }
    }

    /// LPOS: positions of elements equal to `value`. `rank` (non-zero) skips to the rank-th
    /// match, negative ranks scanning from the tail; at most `count` positions are returned
    /// (0: all); at most `maxlen` elements are compared (0: all). Positions are LINDEX
    /// indices, in scan order.
    pub fn positions(&self, value: &[u8], rank: i64, count: usize, maxlen: usize) -> Vec<usize> {
        let needle = Needle::new(value);
        let reverse = rank < 0;
        let rank = rank.unsigned_abs().max(1);
        let mut out = Vec::new();
        if self.len == 0 {
            return out;
        }
        let start = if reverse { self.len - 1 } else { 0 };
        let scan = if maxlen == 0 {
            self.len
        } else {
            maxlen.min(self.len)
        };
        let mut matches: u64 = 0;
        for (i, e) in self.iter_from(start, reverse).take(scan).enumerate() {
            if needle.matches(e) {
                matches += 1;
                if matches >= rank {
                    out.push(if reverse { self.len - 1 - i } else { i });
                    if count != 0 && out.len() >= count {
                        break;
                    }
                }
            }
        }
        out
    }

    /// Checks every internal invariant (tests).
    #[cfg(test)]
    fn check(&self) {
        let mut total = 0;
        for n in &self.nodes {
            n.check();
            total += n.count();
        }
        assert_eq!(total, self.len);
    }
}

/// An iterator over a list's elements; see `List::iter_from`.
#[derive(Debug)]
pub struct Iter<'a> {
    nodes: &'a VecDeque<Node>,
    ni: usize,
    /// Forward: start of the next entry. Reverse: end of the next entry.
    off: usize,
    left: usize,
    reverse: bool,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Elem<'a>;

    #[inline]
    fn next(&mut self) -> Option<Elem<'a>> {
        if self.left == 0 {
            return None;
        }
        let nodes: &'a VecDeque<Node> = self.nodes;
        loop {
            let node = nodes.get(self.ni)?;
            if self.reverse {
                if self.off > node.start() {
                    let at = prev_start(node.buf(), self.off);
                    self.off = at;
                    self.left -= 1;
                    return Some(decode(node.buf(), at).0);
                }
                self.ni = self.ni.checked_sub(1)?;
                self.off = nodes.get(self.ni)?.end();
            } else {
                if self.off < node.end() {
                    let (e, size) = decode(node.buf(), self.off);
                    self.off += size;
                    self.left -= 1;
                    return Some(e);
                }
                self.ni += 1;
                self.off = nodes.get(self.ni)?.start();
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

#[cfg(test)]
mod tests;
