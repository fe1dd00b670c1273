//! Streams in RDB: the entries as listpack nodes keyed by their master ID, laid out as Redis's
//! t_stream.c lays them out, then the counters, then the consumer groups with their pending
//! entries and consumers.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::Arc;

use storage::stream::{Consumer, Group, Pending, Stream, StreamId};

use crate::compact::{self, Item, ListpackWriter};
use crate::io::{Input, Output, Result};

/// Entries one written node holds at the most (Redis's `stream-node-max-entries` default).
const NODE_ENTRIES: usize = 100;
/// Bytes one written node holds at the most (Redis's `stream-node-max-bytes` default).
const NODE_BYTES: usize = 4096;
/// An entry flag: deleted, left in its node as a tombstone.
const FLAG_DELETED: i64 = 1;
/// An entry flag: the entry has exactly the master entry's fields, so only values follow.
const FLAG_SAME_FIELDS: i64 = 2;
/// Groups, PEL entries and consumers read per stream at the most.
const MAX_COUNT: u64 = 1 << 40;

fn raw_id(id: StreamId) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&id.ms.to_be_bytes());
    b[8..].copy_from_slice(&id.seq.to_be_bytes());
    b
}

fn id_of(b: &[u8; 16]) -> StreamId {
    let (ms, seq) = b.split_at(8);
    let mut m = [0u8; 8];
    let mut s = [0u8; 8];
    m.copy_from_slice(ms);
    s.copy_from_slice(seq);
    StreamId::new(u64::from_be_bytes(m), u64::from_be_bytes(s))
}

fn write_id<W: Write>(out: &mut Output<W>, id: StreamId) -> std::io::Result<()> {
    out.len(id.ms)?;
    out.len(id.seq)
}

fn read_id<R: Read>(input: &mut Input<R>) -> Result<StreamId> {
    Ok(StreamId::new(input.length()?, input.length()?))
}

/// One node being built: its master ID and fields, and the listpack so far.
struct Node {
    master: StreamId,
    fields: Vec<Vec<u8>>,
    count: usize,
    entries: ListpackWriter,
}

impl Node {
    /// The listpack: the master entry (live count, deleted count, the fields, a 0) and then
    /// the entries.
    fn finish(self) -> ([u8; 16], Vec<u8>) {
        let mut lp = ListpackWriter::default();
        lp.push_int(self.count as i64);
        lp.push_int(0);
        lp.push_int(self.fields.len() as i64);
        for f in &self.fields {
            lp.push(f);
        }
        lp.push_int(0);
        let head = lp.finish();
        let body = self.entries.finish();
        (raw_id(self.master), join_listpacks(&head, &body))
    }
}

/// Concatenates two listpacks into one.
fn join_listpacks(a: &[u8], b: &[u8]) -> Vec<u8> {
    let count = |lp: &[u8]| u16::from_le_bytes([lp[4], lp[5]]);
    let mut out = Vec::with_capacity(a.len() + b.len());
    out.extend_from_slice(&a[..a.len() - 1]);
    out.extend_from_slice(&b[6..]);
    let total = out.len() as u32;
    let n = count(a).saturating_add(count(b));
    out[..4].copy_from_slice(&total.to_le_bytes());
    out[4..6].copy_from_slice(&n.to_le_bytes());
    out
}

/// Writes a stream as Redis 7.0 does (type 19).
pub fn write<W: Write>(out: &mut Output<W>, s: &Stream) -> std::io::Result<()> {
    let mut nodes = Vec::new();
    let mut node: Option<Node> = None;
    for e in s.log.range(StreamId::MIN, StreamId::MAX, false) {
        if node
            .as_ref()
            .is_some_and(|n| n.count >= NODE_ENTRIES || n.entries.bytes() >= NODE_BYTES)
        {
            nodes.extend(node.take().map(Node::finish));
        }
        let n = node.get_or_insert_with(|| Node {
            master: e.id,
            fields: e.fields.iter().map(|(f, _)| f.to_vec()).collect(),
            count: 0,
            entries: ListpackWriter::default(),
        });
        let same = e.fields.len() == n.fields.len()
            && e.fields.iter().zip(&n.fields).all(|((f, _), m)| f == m);
        let lp = &mut n.entries;
        lp.push_int(if same { FLAG_SAME_FIELDS } else { 0 });
        lp.push_int(e.id.ms.wrapping_sub(n.master.ms) as i64);
        lp.push_int(e.id.seq.wrapping_sub(n.master.seq) as i64);
        if !same {
            lp.push_int(e.fields.len() as i64);
        }
        for (f, v) in &e.fields {
            if !same {
                lp.push(f);
            }
            lp.push(v);
        }
        // The number of listpack elements of the entry, for walking it backwards.
        let fields = e.fields.len() as i64;
        lp.push_int(if same { fields + 3 } else { fields * 2 + 4 });
        n.count += 1;
    }
    nodes.extend(node.map(Node::finish));
    out.len(nodes.len() as u64)?;
    for (key, lp) in &nodes {
        out.string(key)?;
        out.string(lp)?;
    }
    out.len(s.log.len())?;
    write_id(out, s.log.last_id)?;
    write_id(out, s.log.first_id)?;
    write_id(out, s.log.max_deleted)?;
    out.len(s.log.entries_added)?;
    out.len(s.groups.len() as u64)?;
    for (name, g) in &s.groups {
        out.string(name)?;
        write_id(out, g.last_id)?;
        // An unknown read counter is Redis's -1, written as a 64-bit length.
        out.len(g.entries_read.unwrap_or(u64::MAX))?;
        out.len(g.pel.len() as u64)?;
        for (id, p) in &g.pel {
            out.bytes(&raw_id(*id))?;
            out.millis(p.delivery_time as i64)?;
            out.len(p.delivery_count)?;
        }
        out.len(g.consumers.len() as u64)?;
        for (cname, c) in &g.consumers {
            out.string(cname)?;
            out.millis(c.seen_time as i64)?;
            out.len(c.pel.len() as u64)?;
            for id in &c.pel {
                out.bytes(&raw_id(*id))?;
            }
        }
    }
    Ok(())
}

/// Reads one node's live entries into `s`.
fn read_node<R: Read>(
    input: &Input<R>,
    master: StreamId,
    lp: &[u8],
    s: &mut Stream,
    limits: &crate::LoadLimits,
) -> Result<()> {
    let bad = |what: &str| input.corrupt(format!("Stream listpack integrity check failed: {what}"));
    let mut items: Vec<Item<'_>> = Vec::new();
    compact::listpack(lp, |i| items.push(i)).map_err(|e| bad(e.0))?;
    if items.is_empty() {
        return Err(input.corrupt("Empty listpack inside stream"));
    }
    let mut it = items.into_iter();
    let int = |it: &mut std::vec::IntoIter<Item<'_>>| match it.next() {
        Some(Item::Int(n)) => Ok(n),
        _ => Err(bad("expected an integer")),
    };
    let live = int(&mut it)?;
    let deleted = int(&mut it)?;
    let nfields = int(&mut it)?;
    if live < 0 || deleted < 0 || !(0..=i64::from(u32::MAX)).contains(&nfields) {
        return Err(bad("master entry"));
    }
    let master_fields: Vec<Vec<u8>> = it
        .by_ref()
        .take(nfields as usize)
        .map(Item::to_vec)
        .collect();
    if master_fields.len() != nfields as usize || int(&mut it)? != 0 {
        return Err(bad("master entry"));
    }
    let mut pairs: Vec<Vec<u8>> = Vec::new();
    for _ in 0..live.saturating_add(deleted) {
        let flags = int(&mut it)?;
        let id = StreamId::new(
            master.ms.wrapping_add(int(&mut it)? as u64),
            master.seq.wrapping_add(int(&mut it)? as u64),
        );
        pairs.clear();
        if flags & FLAG_SAME_FIELDS != 0 {
            for f in &master_fields {
                pairs.push(f.clone());
                pairs.push(it.next().ok_or_else(|| bad("entry"))?.to_vec());
            }
        } else {
            let n = int(&mut it)?;
            if !(0..=i64::from(u32::MAX)).contains(&n) {
                return Err(bad("entry"));
            }
            for _ in 0..n * 2 {
                pairs.push(it.next().ok_or_else(|| bad("entry"))?.to_vec());
            }
        }
        // The entry's own count of its listpack elements, for walking it backwards.
        let fields = (pairs.len() / 2) as i64;
        let expected = if flags & FLAG_SAME_FIELDS != 0 {
            fields + 3
        } else {
            fields * 2 + 4
        };
        if int(&mut it)? != expected {
            return Err(bad("entry count"));
        }
        if flags & FLAG_DELETED == 0 {
            s.log
                .append(
                    id,
                    &pairs,
                    limits.stream_node_bytes,
                    limits.stream_node_entries,
                )
                .map_err(|_| input.corrupt("Stream entry IDs out of order"))?;
        }
    }
    if it.next().is_some() {
        return Err(bad("trailing elements"));
    }
    Ok(())
}

/// Reads a stream of type 15 (Redis 5 to 6.2) or, with `v2`, 19 (Redis 7.0).
pub fn read<R: Read>(input: &mut Input<R>, v2: bool, limits: &crate::LoadLimits) -> Result<Stream> {
    let mut s = Stream::new();
    for _ in 0..input.count(MAX_COUNT)? {
        let key = input.string()?;
        let Ok(key) = <[u8; 16]>::try_from(key.as_slice()) else {
            return Err(input.corrupt("Stream node key entry is not the size of a stream ID"));
        };
        let lp = input.string()?;
        read_node(input, id_of(&key), &lp, &mut s, limits)?;
    }
    let length = input.length()?;
    let last_id = read_id(input)?;
    if length != s.log.len() {
        return Err(input.corrupt("Stream length does not match its entries"));
    }
    if !s.log.is_empty() && s.log.last_live_id().is_some_and(|id| id > last_id) {
        return Err(input.corrupt("Stream last ID is behind its entries"));
    }
    if v2 {
        s.log.first_id = read_id(input)?;
        s.log.max_deleted = read_id(input)?;
        s.log.entries_added = input.length()?;
    } else {
        s.log.first_id = s.log.first_live_id().unwrap_or(StreamId::MIN);
        s.log.max_deleted = StreamId::MIN;
        s.log.entries_added = length;
    }
    s.log.last_id = last_id;
    for _ in 0..input.count(MAX_COUNT)? {
        let name = input.string()?;
        let last = read_id(input)?;
        let entries_read = if v2 {
            match input.length()? {
                u64::MAX => None,
                n => Some(n),
            }
        } else {
            s.log.estimate_distance(last)
        };
        let mut g = Group::new(last, entries_read);
        let mut unowned: BTreeMap<StreamId, (u64, u64)> = BTreeMap::new();
        for _ in 0..input.count(MAX_COUNT)? {
            let id = id_of(&input.array()?);
            let time = input.millis()?;
            let count = input.length()?;
            if unowned.insert(id, (time as u64, count)).is_some() {
                return Err(
                    input.corrupt("Duplicated global PEL entry loading stream consumer group")
                );
            }
        }
        for _ in 0..input.count(MAX_COUNT)? {
            let cname: Arc<[u8]> = Arc::from(input.string()?);
            let seen_time = input.millis()? as u64;
            let mut c = Consumer {
                seen_time,
                pel: Default::default(),
            };
            for _ in 0..input.count(MAX_COUNT)? {
                let id = id_of(&input.array()?);
                let Some((delivery_time, delivery_count)) = unowned.remove(&id) else {
                    let what = if g.pel.contains_key(&id) {
                        "Stream consumer PEL entry already has a consumer assigned"
                    } else {
                        "Consumer entry not found in group global PEL"
                    };
                    return Err(input.corrupt(what));
                };
                c.pel.insert(id);
                g.pel.insert(
                    id,
                    Pending {
                        consumer: cname.clone(),
                        delivery_time,
                        delivery_count,
                    },
                );
            }
            if g.consumers.insert(cname, c).is_some() {
                return Err(input.corrupt("Duplicate stream consumer detected."));
            }
        }
        if !unowned.is_empty() {
            return Err(input.corrupt("Stream CG PEL entry without consumer"));
        }
        if s.groups.insert(name, g).is_some() {
            return Err(input.corrupt("Duplicated consumer group name loading stream"));
        }
    }
    Ok(s)
}
