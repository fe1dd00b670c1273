//! Redis streams as pure data: an append-only log of entries (an ID and field-value pairs) kept
//! in compact blocks, plus consumer groups with their pending-entries lists.
//!
//! The log mirrors Redis's radix tree of listpacks: entries are grouped into blocks keyed by the
//! ID of the first entry ever added to them (the block's master ID). A block is one byte buffer;
//! each entry in it stores its ID as varint deltas from the master ID, and when its fields are
//! exactly the block's master fields (those of the block's first entry) it stores only the values.
//! Deleting an entry flags it in place, as Redis does, and a block whose entries are all deleted
//! is dropped. Blocks live in a `BTreeMap`, so seeking to an ID is O(log n).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use crate::varint;

/// A stream entry ID: milliseconds and a sequence number, ordered as a pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    /// The milliseconds part.
    pub ms: u64,
    /// The sequence part.
    pub seq: u64,
}

impl StreamId {
    /// The smallest ID, 0-0.
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    /// The largest ID.
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    /// An ID from its parts.
    pub const fn new(ms: u64, seq: u64) -> Self {
        StreamId { ms, seq }
    }

    /// Whether this is 0-0.
    pub fn is_zero(self) -> bool {
        self == StreamId::MIN
    }

    /// The next ID, or `None` after the largest one.
    pub fn incr(self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                None
            } else {
                Some(StreamId::new(self.ms + 1, 0))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq + 1))
        }
    }

    /// The previous ID, or `None` before 0-0.
    pub fn decr(self) -> Option<StreamId> {
        if self.seq == 0 {
            if self.ms == 0 {
                None
            } else {
                Some(StreamId::new(self.ms - 1, u64::MAX))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq - 1))
        }
    }

    /// Parses a client's ID as Redis does: `-` and `+` (unless `strict`), `<ms>` (the sequence
    /// is then `missing_seq`), `<ms>-<seq>`, and, when `allow_auto_seq`, `<ms>-*`. Returns the
    /// ID and whether the sequence was given (false only for `<ms>-*`).
    pub fn parse(
        s: &[u8],
        missing_seq: u64,
        strict: bool,
        allow_auto_seq: bool,
    ) -> Option<(StreamId, bool)> {
        // Redis copies the argument into a 128-byte buffer and rejects anything longer.
        if s.len() > 127 {
            return None;
        }
        match s {
            b"-" if !strict => return Some((StreamId::MIN, true)),
            b"+" if !strict => return Some((StreamId::MAX, true)),
            b"-" | b"+" => return None,
            _ => {}
        }
        match s.iter().position(|&b| b == b'-') {
            None => Some((StreamId::new(strnum::parse_u64(s)?, missing_seq), true)),
            Some(dash) => {
                let ms = strnum::parse_u64(s.get(..dash)?)?;
                let rest = s.get(dash + 1..)?;
                if allow_auto_seq && rest == b"*" {
                    Some((StreamId::new(ms, 0), false))
                } else {
                    Some((StreamId::new(ms, strnum::parse_u64(rest)?), true))
                }
            }
        }
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// One entry read from the log: its ID and its field-value pairs, borrowed from the block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The entry's ID.
    pub id: StreamId,
    /// Field-value pairs in insertion order.
    pub fields: Vec<(&'a [u8], &'a [u8])>,
}

/// How a stream is trimmed (XTRIM, XADD's MAXLEN/MINID).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trim {
    /// Keep at most this many entries.
    MaxLen(u64),
    /// Drop entries whose ID is below this one.
    MinId(StreamId),
}

/// Why an entry could not be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddError {
    /// The ID is not greater than the stream's last ID.
    NotGreater,
    /// The fields and values together are larger than Redis allows in one node.
    TooLarge,
}

/// How XADD asks for the new entry's ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdSpec {
    /// `*`: generated from the clock.
    Auto,
    /// `<ms>-*`: the sequence is generated.
    Ms(u64),
    /// A complete ID.
    Exact(StreamId),
}

const FLAG_DELETED: u8 = 1;
const FLAG_SAME_FIELDS: u8 = 2;

/// Redis's cap for one listpack, which also caps the size of one entry.
const MAX_NODE_BYTES: usize = 1 << 30;

/// A cursor over a block's bytes; every read is bounds-checked.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Option<u64> {
        let (v, next) = varint::read(self.buf, self.pos)?;
        self.pos = next;
        Some(v)
    }

    /// An entry's header: its flags byte and its ID, stored as deltas from the block's
    /// master ID (the sequence alone when the milliseconds are the same).
    fn header(&mut self, master: StreamId) -> Option<(u8, StreamId)> {
        let flags = self.byte()?;
        let ms_delta = self.varint()?;
        let seq = self.varint()?;
        let id = if ms_delta == 0 {
            StreamId::new(master.ms, master.seq.checked_add(seq)?)
        } else {
            StreamId::new(master.ms.checked_add(ms_delta)?, seq)
        };
        Some((flags, id))
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.varint()?).ok()?;
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn byte(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }
}

/// A block of entries: master fields, then the entries, in one buffer.
#[derive(Clone, Debug, PartialEq)]
struct Block {
    /// Master field count and names, then the entries.
    buf: Vec<u8>,
    /// Where the entries start in `buf`.
    entries_at: u32,
    /// Entries not deleted.
    live: u32,
    /// Entries ever added to the block (deleted ones included).
    total: u32,
    /// ID of the block's last entry, deleted or not.
    last: StreamId,
}

/// One entry's position and header inside a block.
#[derive(Clone, Copy, Debug)]
struct Slot {
    at: usize,
    id: StreamId,
    deleted: bool,
}

impl Block {
    fn new(master_fields: &[&[u8]]) -> Self {
        let mut buf = Vec::new();
        varint::put(&mut buf, master_fields.len() as u64);
        for f in master_fields {
            varint::put(&mut buf, f.len() as u64);
            buf.extend_from_slice(f);
        }
        Block {
            entries_at: buf.len() as u32,
            buf,
            live: 0,
            total: 0,
            last: StreamId::MIN,
        }
    }

    fn master_fields(&self) -> Vec<&[u8]> {
        let mut r = Reader {
            buf: &self.buf,
            pos: 0,
        };
        let n = r.varint().unwrap_or(0);
        let mut out = Vec::new();
        for _ in 0..n {
            match r.bytes() {
                Some(f) => out.push(f),
                None => break,
            }
        }
        out
    }

    fn push<B: AsRef<[u8]>>(&mut self, master: StreamId, id: StreamId, pairs: &[B]) {
        let same = {
            let mf = self.master_fields();
            mf.len() * 2 == pairs.len()
                && mf
                    .iter()
                    .zip(pairs.chunks(2))
                    .all(|(m, p)| p.first().is_some_and(|f| f.as_ref() == *m))
        };
        let buf = &mut self.buf;
        buf.push(if same { FLAG_SAME_FIELDS } else { 0 });
        let ms_delta = id.ms - master.ms;
        varint::put(buf, ms_delta);
        varint::put(
            buf,
            if ms_delta == 0 {
                id.seq - master.seq
            } else {
                id.seq
            },
        );
        if same {
            for v in pairs.iter().skip(1).step_by(2) {
                varint::put(buf, v.as_ref().len() as u64);
                buf.extend_from_slice(v.as_ref());
            }
        } else {
            varint::put(buf, (pairs.len() / 2) as u64);
            for x in pairs {
                varint::put(buf, x.as_ref().len() as u64);
                buf.extend_from_slice(x.as_ref());
            }
        }
        self.live += 1;
        self.total += 1;
        self.last = id;
    }

    /// Reads the header of the entry at `at` and returns it with the offset of the next one.
    fn slot_at(&self, master: StreamId, nfields: usize, at: usize) -> Option<(Slot, usize)> {
        let mut r = Reader {
            buf: &self.buf,
            pos: at,
        };
        let (flags, id) = r.header(master)?;
        let n = if flags & FLAG_SAME_FIELDS != 0 {
            nfields
        } else {
            usize::try_from(r.varint()?).ok()?.checked_mul(2)?
        };
        for _ in 0..n {
            r.bytes()?;
        }
        let slot = Slot {
            at,
            id,
            deleted: flags & FLAG_DELETED != 0,
        };
        Some((slot, r.pos))
    }

    /// Every entry's header, in order.
    fn slots(&self, master: StreamId) -> Vec<Slot> {
        let nfields = self.master_fields().len();
        let mut out = Vec::with_capacity(self.total as usize);
        let mut at = self.entries_at as usize;
        while at < self.buf.len() {
            match self.slot_at(master, nfields, at) {
                Some((s, next)) => {
                    out.push(s);
                    at = next;
                }
                None => break,
            }
        }
        out
    }

    /// Decodes the entry at `at`.
    fn entry_at(&self, master: StreamId, at: usize) -> Option<Entry<'_>> {
        let mut r = Reader {
            buf: &self.buf,
            pos: at,
        };
        let (flags, id) = r.header(master)?;
        let mut fields = Vec::new();
        if flags & FLAG_SAME_FIELDS != 0 {
            for f in self.master_fields() {
                fields.push((f, r.bytes()?));
            }
        } else {
            let n = r.varint()?;
            for _ in 0..n {
                let f = r.bytes()?;
                let v = r.bytes()?;
                fields.push((f, v));
            }
        }
        Some(Entry { id, fields })
    }

    fn mark_deleted(&mut self, at: usize) {
        if let Some(b) = self.buf.get_mut(at) {
            if *b & FLAG_DELETED == 0 {
                *b |= FLAG_DELETED;
                self.live = self.live.saturating_sub(1);
            }
        }
    }
}

/// The entries of a stream and its counters (everything but the consumer groups).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Log {
    blocks: BTreeMap<StreamId, Block>,
    len: u64,
    /// The ID of the last entry ever added (or set by XSETID).
    pub last_id: StreamId,
    /// The first live entry's ID as Redis records it (0-0 when empty).
    pub first_id: StreamId,
    /// The greatest ID deleted by XDEL (Redis's max_deleted_entry_id).
    pub max_deleted: StreamId,
    /// Entries ever added.
    pub entries_added: u64,
}

impl Log {
    /// Number of live entries.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the log holds no live entry.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of blocks (Redis's radix-tree keys).
    pub fn blocks(&self) -> usize {
        self.blocks.len()
    }

    /// The ID XADD would use for `spec` at time `now_ms`.
    pub fn next_id(&self, spec: IdSpec, now_ms: u64) -> Result<StreamId, AddError> {
        let id = match spec {
            IdSpec::Exact(id) => id,
            IdSpec::Ms(ms) if ms == self.last_id.ms => {
                if self.last_id.seq == u64::MAX {
                    return Err(AddError::NotGreater);
                }
                StreamId::new(ms, self.last_id.seq + 1)
            }
            IdSpec::Ms(ms) => StreamId::new(ms, 0),
            IdSpec::Auto if now_ms > self.last_id.ms => StreamId::new(now_ms, 0),
            IdSpec::Auto => self.last_id.incr().ok_or(AddError::NotGreater)?,
        };
        if id <= self.last_id {
            return Err(AddError::NotGreater);
        }
        Ok(id)
    }

    /// Appends an entry with the given flat field-value list. `max_bytes` and `max_entries`
    /// (0: unlimited) decide when a new block starts, as Redis's stream-node-max-* settings do.
    pub fn append<B: AsRef<[u8]>>(
        &mut self,
        id: StreamId,
        pairs: &[B],
        max_bytes: usize,
        max_entries: usize,
    ) -> Result<(), AddError> {
        if id <= self.last_id {
            return Err(AddError::NotGreater);
        }
        let payload: usize = pairs.iter().map(|p| p.as_ref().len()).sum();
        if payload > MAX_NODE_BYTES {
            return Err(AddError::TooLarge);
        }
        let max_bytes = if max_bytes == 0 || max_bytes > MAX_NODE_BYTES {
            MAX_NODE_BYTES
        } else {
            max_bytes
        };
        let need_new = match self.blocks.last_key_value() {
            None => true,
            Some((_, b)) => {
                b.buf.len() + payload >= max_bytes
                    || (max_entries > 0 && b.total as usize >= max_entries)
                    || b.total == u32::MAX
            }
        };
        if need_new {
            // The previous tail is now sealed: give back its spare capacity.
            if let Some(mut e) = self.blocks.last_entry() {
                e.get_mut().buf.shrink_to_fit();
            }
            let fields: Vec<&[u8]> = pairs.iter().step_by(2).map(|f| f.as_ref()).collect();
            self.blocks.insert(id, Block::new(&fields));
        }
        if let Some(mut e) = self.blocks.last_entry() {
            let master = *e.key();
            e.get_mut().push(master, id, pairs);
        }
        self.len += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.len == 1 {
            self.first_id = id;
        }
        Ok(())
    }

    /// Entries with IDs in `start..=end`, in ID order or reversed.
    pub fn range(&self, start: StreamId, end: StreamId, rev: bool) -> Range<'_> {
        let lo = self
            .blocks
            .range(..=start)
            .next_back()
            .map_or(start, |(k, _)| *k);
        let blocks = if start <= end {
            Some(self.blocks.range(lo..=end))
        } else {
            None
        };
        Range {
            blocks,
            current: None,
            slots: Vec::new(),
            pos: 0,
            start,
            end,
            rev,
        }
    }

    /// The live entry with this ID.
    pub fn get(&self, id: StreamId) -> Option<Entry<'_>> {
        self.range(id, id, false).next()
    }

    /// Whether a live entry has this ID.
    pub fn contains(&self, id: StreamId) -> bool {
        self.get(id).is_some()
    }

    /// The first live entry's ID.
    pub fn first_live_id(&self) -> Option<StreamId> {
        self.range(StreamId::MIN, StreamId::MAX, false)
            .next()
            .map(|e| e.id)
    }

    /// The last live entry's ID.
    pub fn last_live_id(&self) -> Option<StreamId> {
        self.range(StreamId::MIN, StreamId::MAX, true)
            .next()
            .map(|e| e.id)
    }

    /// Deletes one entry; returns whether it was live.
    fn delete_one(&mut self, id: StreamId) -> bool {
        let Some((&key, block)) = self.blocks.range_mut(..=id).next_back() else {
            return false;
        };
        if block.last < id {
            return false;
        }
        let Some(slot) = block
            .slots(key)
            .into_iter()
            .find(|s| s.id == id && !s.deleted)
        else {
            return false;
        };
        block.mark_deleted(slot.at);
        if block.live == 0 {
            self.blocks.remove(&key);
        }
        self.len -= 1;
        true
    }

    /// XDEL: deletes the entries with these IDs, keeping Redis's first-ID and max-deleted-ID
    /// bookkeeping. Returns how many were deleted.
    pub fn delete(&mut self, ids: &[StreamId]) -> u64 {
        let mut deleted = 0;
        let mut first = false;
        for &id in ids {
            if self.delete_one(id) {
                if id == self.first_id {
                    first = true;
                }
                if id > self.max_deleted {
                    self.max_deleted = id;
                }
                deleted += 1;
            }
        }
        if deleted > 0 {
            if self.len == 0 {
                self.first_id = StreamId::MIN;
            } else if first {
                self.first_id = self.first_live_id().unwrap_or(StreamId::MAX);
            }
        }
        deleted
    }

    /// Trims the log as Redis's streamTrim does: whole blocks while they can go; then, unless
    /// `approx`, single entries of the first remaining block. `limit` (0: none) caps the number
    /// of entries removed through whole blocks. Returns how many entries were removed.
    pub fn trim(&mut self, how: Trim, approx: bool, limit: u64) -> u64 {
        let mut deleted: u64 = 0;
        loop {
            if let Trim::MaxLen(max) = how {
                if self.len <= max {
                    break;
                }
            }
            let Some(mut e) = self.blocks.first_entry() else {
                break;
            };
            let entries = u64::from(e.get().live);
            if limit > 0 && deleted + entries > limit {
                break;
            }
            let remove = match how {
                Trim::MaxLen(max) => self.len - entries >= max,
                Trim::MinId(min) => e.get().last < min,
            };
            if remove {
                e.remove();
                self.len -= entries;
                deleted += entries;
                continue;
            }
            if approx {
                break;
            }
            let master = *e.key();
            let block = e.get_mut();
            for slot in block.slots(master) {
                if slot.deleted {
                    continue;
                }
                let stop = match how {
                    Trim::MaxLen(max) => self.len <= max,
                    Trim::MinId(min) => slot.id >= min,
                };
                if stop {
                    break;
                }
                block.mark_deleted(slot.at);
                self.len -= 1;
                deleted += 1;
            }
            if block.live == 0 {
                e.remove();
            }
            break;
        }
        if self.len == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted > 0 {
            self.first_id = self.first_live_id().unwrap_or(StreamId::MAX);
        }
        deleted
    }

    /// Whether `start..=end` (open ends when `None`) may hold a deleted entry, by Redis's
    /// rule based on the greatest deleted ID.
    pub fn range_has_tombstones(&self, start: Option<StreamId>, end: Option<StreamId>) -> bool {
        if self.len == 0 || self.max_deleted.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted {
            return false;
        }
        let start = start.unwrap_or(StreamId::MIN);
        let end = end.unwrap_or(StreamId::MAX);
        start <= self.max_deleted && self.max_deleted <= end
    }

    /// How many entries were added up to and including `id`, when that can be known (Redis's
    /// streamEstimateDistanceFromFirstEverEntry); `None` when it cannot.
    pub fn estimate_distance(&self, id: StreamId) -> Option<u64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if self.len == 0 && id <= self.last_id {
            return Some(self.entries_added);
        }
        if id == self.last_id {
            return Some(self.entries_added);
        }
        if id > self.last_id {
            return None;
        }
        if self.max_deleted.is_zero() || self.max_deleted < self.first_id {
            if id < self.first_id {
                return Some(self.entries_added - self.len);
            }
            if id == self.first_id {
                return Some(self.entries_added - self.len + 1);
            }
        }
        None
    }

    /// Heap bytes used by the blocks.
    pub fn heap_bytes(&self) -> usize {
        self.blocks
            .values()
            .map(|b| b.buf.capacity() + std::mem::size_of::<Block>() + 24)
            .sum()
    }
}

/// An iterator over a range of live entries; see `Log::range`.
pub struct Range<'a> {
    blocks: Option<std::collections::btree_map::Range<'a, StreamId, Block>>,
    current: Option<(StreamId, &'a Block)>,
    slots: Vec<Slot>,
    pos: usize,
    start: StreamId,
    end: StreamId,
    rev: bool,
}

impl<'a> Iterator for Range<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        loop {
            if let Some((master, block)) = self.current {
                while self.pos < self.slots.len() {
                    let i = if self.rev {
                        self.slots.len() - 1 - self.pos
                    } else {
                        self.pos
                    };
                    self.pos += 1;
                    let Some(slot) = self.slots.get(i).copied() else {
                        continue;
                    };
                    if slot.deleted || slot.id < self.start || slot.id > self.end {
                        continue;
                    }
                    if let Some(e) = block.entry_at(master, slot.at) {
                        return Some(e);
                    }
                }
                self.current = None;
            }
            let blocks = self.blocks.as_mut()?;
            let (k, b) = if self.rev {
                blocks.next_back()?
            } else {
                blocks.next()?
            };
            self.slots = b.slots(*k);
            self.pos = 0;
            self.current = Some((*k, b));
        }
    }
}

/// A pending entry of a consumer group: delivered to a consumer, not acknowledged yet.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    /// The consumer that owns it.
    pub consumer: Arc<[u8]>,
    /// Unix milliseconds of the last delivery.
    pub delivery_time: u64,
    /// Number of deliveries.
    pub delivery_count: u64,
}

/// A consumer of a group.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Consumer {
    /// Unix milliseconds when the consumer last did something (Redis 7.0's `seen-time`).
    pub seen_time: u64,
    /// The IDs it owns in the group's PEL.
    pub pel: BTreeSet<StreamId>,
}

/// A consumer group.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Group {
    /// The last ID delivered to the group.
    pub last_id: StreamId,
    /// Entries read by the group (None: unknown, Redis's -1).
    pub entries_read: Option<u64>,
    /// The pending entries list.
    pub pel: BTreeMap<StreamId, Pending>,
    /// Consumers by name.
    pub consumers: BTreeMap<Arc<[u8]>, Consumer>,
}

impl Group {
    /// A group starting after `last_id`.
    pub fn new(last_id: StreamId, entries_read: Option<u64>) -> Self {
        Group {
            last_id,
            entries_read,
            ..Group::default()
        }
    }

    /// The consumer called `name`, created (with `seen_time` `now`) if missing; returns its
    /// shared name and whether it was created.
    pub fn consumer(&mut self, name: &[u8], now: u64) -> (Arc<[u8]>, bool) {
        if let Some(k) = self.consumers.get_key_value(name).map(|(k, _)| k.clone()) {
            if let Some(c) = self.consumers.get_mut(name) {
                c.seen_time = now;
            }
            return (k, false);
        }
        let k: Arc<[u8]> = Arc::from(name);
        self.consumers.insert(
            k.clone(),
            Consumer {
                seen_time: now,
                pel: BTreeSet::new(),
            },
        );
        (k, true)
    }

    /// Notes the delivery of `id` to the group (Redis's update of last ID and read counter
    /// while serving XREADGROUP `>`).
    pub fn advance(&mut self, log: &Log, id: StreamId) {
        if id <= self.last_id {
            return;
        }
        match self.entries_read {
            Some(n) if !log.range_has_tombstones(Some(id), None) => {
                self.entries_read = Some(n + 1);
            }
            _ if log.entries_added > 0 => {
                self.entries_read = log.estimate_distance(id);
            }
            _ => {}
        }
        self.last_id = id;
    }

    /// Records that `id` was delivered to `consumer` at `now`: a new pending entry, or one
    /// moved to this consumer with its counter reset.
    pub fn deliver(&mut self, id: StreamId, consumer: &Arc<[u8]>, now: u64) {
        let fresh = Pending {
            consumer: consumer.clone(),
            delivery_time: now,
            delivery_count: 1,
        };
        if let Some(old) = self.pel.insert(id, fresh) {
            if old.consumer != *consumer {
                if let Some(c) = self.consumers.get_mut(&old.consumer) {
                    c.pel.remove(&id);
                }
            }
        }
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
    }

    /// Acknowledges `id`; returns whether it was pending.
    pub fn ack(&mut self, id: StreamId) -> bool {
        match self.pel.remove(&id) {
            Some(p) => {
                if let Some(c) = self.consumers.get_mut(&p.consumer) {
                    c.pel.remove(&id);
                }
                true
            }
            None => false,
        }
    }

    /// Moves pending entry `id` to `consumer` (which must exist).
    pub fn reassign(&mut self, id: StreamId, consumer: &Arc<[u8]>) {
        let Some(p) = self.pel.get_mut(&id) else {
            return;
        };
        if p.consumer != *consumer {
            let old = std::mem::replace(&mut p.consumer, consumer.clone());
            if let Some(c) = self.consumers.get_mut(&old) {
                c.pel.remove(&id);
            }
        }
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
    }

    /// Deletes a consumer and its pending entries; returns how many it had, or `None` when
    /// there is no such consumer.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let c = self.consumers.remove(name)?;
        for id in &c.pel {
            self.pel.remove(id);
        }
        Some(c.pel.len())
    }

    /// The group's lag (entries not delivered yet), when Redis can compute it.
    pub fn lag(&self, log: &Log) -> Option<u64> {
        if log.entries_added == 0 {
            return Some(0);
        }
        if let Some(read) = self.entries_read {
            if !log.range_has_tombstones(Some(self.last_id), None) {
                return Some(log.entries_added.saturating_sub(read));
            }
        }
        log.estimate_distance(self.last_id)
            .map(|read| log.entries_added.saturating_sub(read))
    }
}

/// A stream: the log of entries and the consumer groups.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stream {
    /// The entries and counters.
    pub log: Log,
    /// Consumer groups by name, in byte order as Redis lists them.
    pub groups: BTreeMap<Vec<u8>, Group>,
}

impl Stream {
    /// An empty stream.
    pub fn new() -> Self {
        Stream::default()
    }

    /// Number of live entries.
    pub fn len(&self) -> usize {
        usize::try_from(self.log.len).unwrap_or(usize::MAX)
    }

    /// Whether the stream has no live entry (an empty stream still exists as a key).
    pub fn is_empty(&self) -> bool {
        self.log.len == 0
    }

    /// Redis's OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        "stream"
    }

    /// Heap bytes used, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        let groups: usize = self
            .groups
            .iter()
            .map(|(name, g)| {
                name.len()
                    + 64
                    + g.pel.len() * 64
                    + g.consumers
                        .iter()
                        .map(|(n, c)| n.len() + 64 + c.pel.len() * 24)
                        .sum::<usize>()
            })
            .sum();
        self.log.heap_bytes() + groups
    }

    /// Feeds the entries (ID, then fields and values) and the last ID, for DEBUG DIGEST.
    pub fn feed_digest(&self, feed: &mut dyn FnMut(&[u8])) {
        for e in self.log.range(StreamId::MIN, StreamId::MAX, false) {
            feed(e.id.to_string().as_bytes());
            for (f, v) in e.fields {
                feed(f);
                feed(v);
            }
        }
        feed(self.log.last_id.to_string().as_bytes());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(ms: u64, seq: u64) -> StreamId {
        StreamId::new(ms, seq)
    }

    fn ids(log: &Log, rev: bool) -> Vec<StreamId> {
        log.range(StreamId::MIN, StreamId::MAX, rev)
            .map(|e| e.id)
            .collect()
    }

    #[test]
    fn parse_ids() {
        assert_eq!(
            StreamId::parse(b"1-2", 0, true, false),
            Some((id(1, 2), true))
        );
        assert_eq!(
            StreamId::parse(b"5", 7, true, false),
            Some((id(5, 7), true))
        );
        assert_eq!(
            StreamId::parse(b"5-*", 0, true, true),
            Some((id(5, 0), false))
        );
        assert_eq!(StreamId::parse(b"5-*", 0, true, false), None);
        assert_eq!(StreamId::parse(b"-", 0, true, false), None);
        assert_eq!(
            StreamId::parse(b"-", 0, false, false),
            Some((StreamId::MIN, true))
        );
        assert_eq!(
            StreamId::parse(b"+", 0, false, false),
            Some((StreamId::MAX, true))
        );
        assert_eq!(StreamId::parse(b"-1", 0, false, false), None);
        assert_eq!(StreamId::parse(b"1-x", 0, false, false), None);
        assert_eq!(
            StreamId::parse(b"18446744073709551616", 0, false, false),
            None
        );
        assert_eq!(
            StreamId::parse(b"18446744073709551615-18446744073709551615", 0, true, false),
            Some((StreamId::MAX, true))
        );
    }

    #[test]
    fn append_and_read_back() {
        let mut log = Log::default();
        log.append(id(1, 0), &[b"a".as_ref(), b"1"], 4096, 100)
            .unwrap();
        log.append(id(1, 1), &[b"a".as_ref(), b"2"], 4096, 100)
            .unwrap();
        log.append(id(2, 0), &[b"b".as_ref(), b"3", b"c", b"4"], 4096, 100)
            .unwrap();
        assert_eq!(
            log.append(id(2, 0), &[b"x".as_ref(), b"y"], 4096, 100),
            Err(AddError::NotGreater)
        );
        let all: Vec<Entry<'_>> = log.range(StreamId::MIN, StreamId::MAX, false).collect();
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].fields, vec![(b"a".as_ref(), b"2".as_ref())]);
        assert_eq!(all[2].fields.len(), 2);
        assert_eq!(ids(&log, true), vec![id(2, 0), id(1, 1), id(1, 0)]);
        assert_eq!(log.blocks(), 1);
    }

    #[test]
    fn blocks_split_by_entries() {
        let mut log = Log::default();
        for i in 1..=25 {
            log.append(id(i, 0), &[b"f".as_ref(), b"v"], 4096, 10)
                .unwrap();
        }
        assert_eq!(log.blocks(), 3);
        assert_eq!(log.trim(Trim::MaxLen(12), true, 0), 10);
        assert_eq!(log.len(), 15);
        assert_eq!(log.trim(Trim::MaxLen(12), false, 0), 3);
        assert_eq!(log.first_id, id(14, 0));
    }

    #[test]
    fn delete_and_tombstones() {
        let mut log = Log::default();
        for i in 1..=5 {
            log.append(id(i, 0), &[b"f".as_ref(), b"v"], 4096, 100)
                .unwrap();
        }
        assert_eq!(log.delete(&[id(1, 0), id(3, 0), id(9, 0)]), 2);
        assert_eq!(log.first_id, id(2, 0));
        assert_eq!(log.max_deleted, id(3, 0));
        assert!(log.range_has_tombstones(Some(id(2, 0)), None));
        assert_eq!(ids(&log, false), vec![id(2, 0), id(4, 0), id(5, 0)]);
        assert_eq!(log.delete(&[id(2, 0), id(4, 0), id(5, 0)]), 3);
        assert_eq!(log.blocks(), 0);
        assert_eq!(log.first_id, StreamId::MIN);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn model(ops in proptest::collection::vec((0u8..4, 0u64..40, 0u64..3), 1..120),
                 per_block in 1usize..8) {
            let mut log = Log::default();
            let mut model: BTreeMap<StreamId, Vec<u8>> = BTreeMap::new();
            for (op, a, b) in ops {
                match op {
                    0 | 1 => {
                        let want = log.next_id(IdSpec::Auto, a).unwrap();
                        let val = vec![b'x'; b as usize];
                        let f: &[u8] = if b == 0 { b"f" } else { b"g" };
                        log.append(want, &[f, &val[..]], 4096, per_block).unwrap();
                        model.insert(want, val);
                    }
                    2 => {
                        let target = model.keys().nth(a as usize % (model.len() + 1)).copied()
                            .unwrap_or(id(a, b));
                        let n = log.delete(&[target]);
                        prop_assert_eq!(n, u64::from(model.remove(&target).is_some()));
                    }
                    _ if b == 2 => {
                        let min = id(a, 0);
                        let removed = log.trim(Trim::MinId(min), false, 0);
                        let before = model.len() as u64;
                        model.retain(|k, _| *k >= min);
                        prop_assert_eq!(removed, before - model.len() as u64);
                    }
                    _ => {
                        let approx = b == 1;
                        let removed = log.trim(Trim::MaxLen(a), approx, 0);
                        let before = model.len() as u64;
                        while model.len() as u64 > before - removed {
                            let k = *model.keys().next().unwrap();
                            model.remove(&k);
                        }
                        if !approx {
                            prop_assert!(model.len() as u64 <= a);
                        }
                    }
                }
                prop_assert_eq!(log.len(), model.len() as u64);
                prop_assert_eq!(log.first_id, model.keys().next().copied().unwrap_or(StreamId::MIN));
                let got: Vec<(StreamId, Vec<u8>)> = log
                    .range(StreamId::MIN, StreamId::MAX, false)
                    .map(|e| (e.id, e.fields[0].1.to_vec()))
                    .collect();
                let want: Vec<(StreamId, Vec<u8>)> = model.iter().map(|(k, v)| (*k, v.clone())).collect();
                prop_assert_eq!(&got, &want);
                let mut rev = ids(&log, true);
                rev.reverse();
                prop_assert_eq!(rev, want.iter().map(|x| x.0).collect::<Vec<_>>());
                if let (Some(lo), Some(hi)) = (model.keys().nth(1), model.keys().nth(3)) {
                    let sub: Vec<StreamId> = log.range(*lo, *hi, false).map(|e| e.id).collect();
                    let wsub: Vec<StreamId> = model.range(*lo..=*hi).map(|x| *x.0).collect();
                    prop_assert_eq!(sub, wsub);
                }
            }
        }
    }
}
