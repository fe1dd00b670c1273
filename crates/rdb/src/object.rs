//! One value: its RDB type byte and body, written from a ferrodis value and read back into one
//! (from every type Redis 2.x to 7.0 wrote), in the encoding the loading server's settings ask.

use std::io::{Read, Write};

use storage::hash::Hash;
use storage::list::{End, List};
use storage::listpack::Limits;
use storage::set::{Member, Set};
use storage::value::Value;
use storage::zset::ZSet;

use crate::compact::{self, Item, ListpackWriter};
use crate::io::{Input, Output, Result};
use crate::kind;

/// Elements one listpack node of a written list holds at the most.
const LIST_NODE_ITEMS: usize = 128;
/// Bytes one listpack node of a written list holds at the most (Redis's default fill, -2).
const LIST_NODE_BYTES: usize = 8 << 10;
/// Collections are read with at most this many elements per length prefix: more than any
/// real dataset, less than a lying header could make the loader loop over.
const MAX_ELEMENTS: u64 = 1 << 40;

/// The settings that decide the encodings of loaded values (the loading server's
/// `*-max-listpack-*`, `set-max-intset-entries`, `list-max-listpack-size`, `stream-node-max-*`).
#[derive(Clone, Copy, Debug)]
pub struct LoadLimits {
    /// `list-max-listpack-size`.
    pub list_fill: i32,
    /// `set-max-intset-entries`.
    pub set_max_intset: usize,
    /// `hash-max-listpack-*`.
    pub hash: Limits,
    /// `zset-max-listpack-*`.
    pub zset: Limits,
    /// `stream-node-max-bytes`.
    pub stream_node_bytes: usize,
    /// `stream-node-max-entries`.
    pub stream_node_entries: usize,
}

impl Default for LoadLimits {
    /// Redis 7.0's defaults.
    fn default() -> Self {
        LoadLimits {
            list_fill: -2,
            set_max_intset: 512,
            hash: Limits::HASH,
            zset: Limits::ZSET,
            stream_node_bytes: 4096,
            stream_node_entries: 100,
        }
    }
}

/// The type byte a value is written with.
pub fn type_of(v: &Value) -> u8 {
    match v {
        Value::Str(_) | Value::Int(_) => kind::STRING,
        Value::List(_) => kind::LIST_QUICKLIST_2,
        Value::Set(s) if s.encoding() == "intset" => kind::SET_INTSET,
        Value::Set(_) => kind::SET,
        Value::Hash(h) if h.encoding() == "listpack" => kind::HASH_LISTPACK,
        Value::Hash(_) => kind::HASH,
        Value::ZSet(z) if z.is_listpack() => kind::ZSET_LISTPACK,
        Value::ZSet(_) => kind::ZSET_2,
        Value::Stream(_) => kind::STREAM_LISTPACKS_2,
    }
}

/// Writes the type byte and body of `v`.
pub fn write<W: Write>(out: &mut Output<W>, v: &Value) -> std::io::Result<()> {
    out.byte(type_of(v))?;
    write_body(out, v)
}

/// Writes the body of `v`, whose type byte is already written.
pub fn write_body<W: Write>(out: &mut Output<W>, v: &Value) -> std::io::Result<()> {
    let t = type_of(v);
    match v {
        Value::Str(s) => out.string(s.as_slice()),
        Value::Int(n) => out.int_string(*n),
        Value::List(l) => write_list(out, l),
        Value::Set(s) if t == kind::SET_INTSET => {
            let mut ints: Vec<i64> = s.iter().filter_map(Member::as_int).collect();
            ints.sort_unstable();
            out.string(&compact::write_intset(&ints))
        }
        Value::Set(s) => {
            out.len(s.len() as u64)?;
            s.iter().try_for_each(|m| m.with_bytes(|b| out.string(b)))
        }
        Value::Hash(h) if t == kind::HASH_LISTPACK => out.string(&listpack(|lp| {
            for (f, v) in h.iter() {
                lp.push(f);
                lp.push(v);
            }
        })),
        Value::Hash(h) => write_pairs(out, h.len(), h.iter(), |out, v| out.string(v)),
        Value::ZSet(z) if t == kind::ZSET_LISTPACK => out.string(&listpack(|lp| {
            let mut text = Vec::with_capacity(24);
            for (m, s) in z.iter() {
                lp.push(m);
                text.clear();
                strnum::format_double_d2string(s, &mut text);
                lp.push(&text);
            }
        })),
        Value::ZSet(z) => write_pairs(out, z.len(), z.iter(), |out, s| out.binary_double(s)),
        Value::Stream(s) => crate::stream::write(out, s),
    }
}

/// A listpack of what `fill` pushes.
fn listpack(fill: impl FnOnce(&mut ListpackWriter)) -> Vec<u8> {
    let mut lp = ListpackWriter::default();
    fill(&mut lp);
    lp.finish()
}

/// A count, then each name as a string followed by its value as `value` writes it (the plain
/// hash and sorted-set bodies).
fn write_pairs<'a, W: Write, V>(
    out: &mut Output<W>,
    len: usize,
    pairs: impl Iterator<Item = (&'a [u8], V)>,
    value: impl Fn(&mut Output<W>, V) -> std::io::Result<()>,
) -> std::io::Result<()> {
    out.len(len as u64)?;
    for (name, v) in pairs {
        out.string(name)?;
        value(out, v)?;
    }
    Ok(())
}

/// A list as a quicklist of listpack nodes.
fn write_list<W: Write>(out: &mut Output<W>, l: &List) -> std::io::Result<()> {
    let mut nodes: Vec<Vec<u8>> = Vec::new();
    let mut lp = ListpackWriter::default();
    for e in l.iter() {
        if lp.len() >= LIST_NODE_ITEMS || lp.bytes() >= LIST_NODE_BYTES {
            nodes.push(std::mem::take(&mut lp).finish());
        }
        e.with_bytes(|b| lp.push(b));
    }
    if !lp.is_empty() {
        nodes.push(lp.finish());
    }
    out.len(nodes.len() as u64)?;
    for n in &nodes {
        // Container 2: a packed (listpack) node.
        out.len(2)?;
        out.string(n)?;
    }
    Ok(())
}

/// Reads the body of a value of type `t`; `None` for an empty collection, which Redis skips.
pub fn read<R: Read>(input: &mut Input<R>, t: u8, limits: &LoadLimits) -> Result<Option<Value>> {
    let v = match t {
        kind::STRING => return Ok(Some(Value::from_bytes(&input.string()?))),
        kind::LIST => {
            let mut l = List::new(limits.list_fill);
            for _ in 0..input.count(MAX_ELEMENTS)? {
                l.push(End::Tail, &input.string()?);
            }
            Value::List(Box::new(l))
        }
        kind::SET => {
            let mut s = Set::new();
            for _ in 0..input.count(MAX_ELEMENTS)? {
                let m = input.string()?;
                if !s.insert(&m, limits.set_max_intset) {
                    return Err(input.corrupt("Duplicate set members detected"));
                }
            }
            Value::Set(Box::new(s))
        }
        kind::ZSET | kind::ZSET_2 => {
            let mut z = ZSet::new();
            let n = input.count(MAX_ELEMENTS)?;
            if n > limits.zset.max_entries as u64 {
                z = ZSet::new_skiplist();
            }
            for _ in 0..n {
                let m = input.string()?;
                let s = if t == kind::ZSET {
                    input.text_double()?
                } else {
                    input.binary_double()?
                };
                zset_insert(input, &mut z, &m, s, &limits.zset)?;
            }
            Value::ZSet(Box::new(z))
        }
        kind::HASH => {
            let mut h = Hash::new();
            for _ in 0..input.count(MAX_ELEMENTS)? {
                let f = input.string()?;
                let v = input.string()?;
                if !h.set(&f, &v, limits.hash) {
                    return Err(input.corrupt("Duplicate hash fields detected"));
                }
            }
            Value::Hash(Box::new(h))
        }
        kind::LIST_QUICKLIST | kind::LIST_QUICKLIST_2 => {
            let mut l = List::new(limits.list_fill);
            for _ in 0..input.count(MAX_ELEMENTS)? {
                let container = if t == kind::LIST_QUICKLIST_2 {
                    input.length()?
                } else {
                    2
                };
                let node = input.string()?;
                if node.is_empty() {
                    return Err(input.corrupt("Quicklist integrity check failed: empty node"));
                }
                match container {
                    // A plain node: one element as it is.
                    1 => l.push(End::Tail, &node),
                    2 if t == kind::LIST_QUICKLIST_2 => {
                        let found =
                            compact::listpack(&node, |i| i.with_bytes(|b| l.push(End::Tail, b)));
                        blob(input, "Listpack", found)?;
                    }
                    2 => {
                        let found =
                            compact::ziplist(&node, |i| i.with_bytes(|b| l.push(End::Tail, b)));
                        blob(input, "Ziplist", found)?;
                    }
                    _ => {
                        return Err(input.corrupt(format!(
                            "Quicklist integrity check failed: container {container}"
                        )))
                    }
                }
            }
            Value::List(Box::new(l))
        }
        kind::LIST_ZIPLIST => {
            let node = input.string()?;
            let mut l = List::new(limits.list_fill);
            blob(
                input,
                "List ziplist",
                compact::ziplist(&node, |i| i.with_bytes(|b| l.push(End::Tail, b))),
            )?;
            Value::List(Box::new(l))
        }
        kind::SET_INTSET => {
            let blob_bytes = input.string()?;
            let ints = compact::intset(&blob_bytes);
            let ints = blob(input, "Intset", ints)?;
            let mut s = Set::new();
            for n in ints {
                s.insert(
                    itoa::Buffer::new().format(n).as_bytes(),
                    limits.set_max_intset,
                );
            }
            Value::Set(Box::new(s))
        }
        kind::HASH_ZIPMAP | kind::HASH_ZIPLIST | kind::HASH_LISTPACK => {
            let data = input.string()?;
            let what = label(t);
            let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
            if t == kind::HASH_ZIPMAP {
                let found = compact::zipmap(&data, |f, v| pairs.push((f.to_vec(), v.to_vec())));
                blob(input, what, found)?;
            } else {
                let items = flat(input, &data, t == kind::HASH_LISTPACK, what)?;
                pairs = pairs_of(input, items, what)?;
            }
            let mut h = Hash::new();
            for (f, v) in &pairs {
                if !h.set(f, v, limits.hash) {
                    // Redis's words differ by encoding: a listpack's duplicates are found when it
                    // is converted, a ziplist's by its integrity check.
                    let why = if t == kind::HASH_LISTPACK {
                        format!("{what} with dup elements")
                    } else {
                        format!("{what} integrity check failed: duplicate fields")
                    };
                    return Err(input.corrupt(why));
                }
            }
            Value::Hash(Box::new(h))
        }
        kind::ZSET_ZIPLIST | kind::ZSET_LISTPACK => {
            let data = input.string()?;
            let what = label(t);
            let items = flat(input, &data, t == kind::ZSET_LISTPACK, what)?;
            let mut z = ZSet::new();
            for (m, s) in pairs_of(input, items, what)? {
                let score = strnum::parse_f64(&s).ok_or_else(|| {
                    input.corrupt(format!("{what} integrity check failed: score"))
                })?;
                zset_insert(input, &mut z, &m, score, &limits.zset)?;
            }
            Value::ZSet(Box::new(z))
        }
        kind::STREAM_LISTPACKS | kind::STREAM_LISTPACKS_2 => {
            // A stream is kept even when empty (its ID and groups still matter).
            let s = crate::stream::read(input, t == kind::STREAM_LISTPACKS_2, limits)?;
            return Ok(Some(Value::Stream(Box::new(s))));
        }
        kind::MODULE | kind::MODULE_2 => {
            return Err(
                input.corrupt("The RDB file contains module data I can't load: no matching module")
            )
        }
        _ => return Err(input.corrupt(format!("Unknown RDB encoding type {t}"))),
    };
    let empty = match &v {
        Value::List(l) => l.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::ZSet(z) => z.is_empty(),
        _ => false,
    };
    Ok((!empty).then_some(v))
}

/// Redis's name for the compact encoding of a value type, in its error messages.
fn label(t: u8) -> &'static str {
    match t {
        kind::HASH_ZIPMAP => "Zipmap",
        kind::HASH_ZIPLIST => "Hash ziplist",
        kind::HASH_LISTPACK => "Hash listpack",
        kind::ZSET_ZIPLIST => "Zset ziplist",
        _ => "Zset listpack",
    }
}

/// Turns a compact-encoding failure into Redis's "<what> integrity check failed" error at the
/// current offset.
fn blob<R: Read, T>(
    input: &Input<R>,
    what: &str,
    r: std::result::Result<T, compact::Bad>,
) -> Result<T> {
    r.map_err(|e| input.corrupt(format!("{what} integrity check failed: {}", e.0)))
}

/// The elements of a listpack (`listpack`) or ziplist, owned.
fn flat<R: Read>(
    input: &Input<R>,
    data: &[u8],
    listpack: bool,
    what: &str,
) -> Result<Vec<Vec<u8>>> {
    let mut items = Vec::new();
    let push = |i: Item<'_>| items.push(i.to_vec());
    if listpack {
        blob(input, what, compact::listpack(data, push))?;
    } else {
        blob(input, what, compact::ziplist(data, push))?;
    }
    Ok(items)
}

/// Pairs up a flat list of alternating names and values.
fn pairs_of<R: Read>(
    input: &Input<R>,
    items: Vec<Vec<u8>>,
    what: &str,
) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    if !items.len().is_multiple_of(2) {
        return Err(input.corrupt(format!(
            "{what} integrity check failed: odd number of elements"
        )));
    }
    let mut it = items.into_iter();
    let mut pairs = Vec::with_capacity(it.len() / 2);
    while let (Some(a), Some(b)) = (it.next(), it.next()) {
        pairs.push((a, b));
    }
    Ok(pairs)
}

fn zset_insert<R: Read>(
    input: &Input<R>,
    z: &mut ZSet,
    m: &[u8],
    score: f64,
    limits: &Limits,
) -> Result<()> {
    if score.is_nan() {
        return Err(input.corrupt("Zset with NAN score detected"));
    }
    if z.contains(m) {
        return Err(input.corrupt("Zset integrity check failed: duplicate members"));
    }
    z.insert_new(m, score, limits);
    Ok(())
}
