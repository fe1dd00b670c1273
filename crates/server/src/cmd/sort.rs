//! SORT and SORT_RO: sort the elements of a list, set or sorted set, numerically or as strings,
//! optionally by the values of other keys (BY), fetching other keys for the output (GET), and
//! storing the result as a list (STORE).
//!
//! BY and GET patterns name keys derived from the elements, which cannot be known before the
//! command runs, so both commands take the server-wide exclusive lock (`EXCLUSIVE`) and then
//! lock one key at a time: the command is atomic and can never deadlock.

use std::cmp::Ordering;

use bytes::Bytes;
use storage::list::{End, List};
use storage::value::Value;

use crate::base::config::{NOTIFY_GENERIC, NOTIFY_LIST};
use crate::base::error::{CmdError, CmdResult};
use crate::command::ctx::{int_arg, is, Ctx};
use crate::command::{acl, flag, key, Command, KEY1};
const CATS: u64 = acl::SET | acl::SORTEDSET | acl::LIST | acl::SLOW | acl::DANGEROUS;

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    Command::new("sort", -2, flag::WRITE | flag::DENYOOM | flag::MOVABLE_KEYS | flag::EXCLUSIVE, acl::WRITE | CATS, |ctx, args| sort_generic(ctx, args, false)).keys(KEY1).keyfn(sort_key_positions).key_flags_split(key::RO | key::ACCESS, key::OW | key::UPDATE).doc("generic", "1.0.0", "Sorts the elements of a list, set or sorted set, optionally storing the result."),
    Command::new("sort_ro", -2, flag::READONLY | flag::MOVABLE_KEYS | flag::EXCLUSIVE, acl::READ | CATS, |ctx, args| sort_generic(ctx, args, true)).keys(KEY1).key_flags(key::RO | key::ACCESS).doc("generic", "7.0.0", "Sorts the elements of a list, set or sorted set without storing anything."),
];

/// The argument positions of SORT's keys, as COMMAND GETKEYS reports them: the key sorted and
/// the last STORE destination. Option words with arguments are skipped like Redis skips them,
/// so a key named `store` after GET is not mistaken for the option.
pub fn sort_key_positions(argv: &[Bytes]) -> Vec<usize> {
    let mut keys = vec![1];
    let mut store = None;
    let mut i = 2;
    while let Some(a) = argv.get(i) {
        if is(a, "limit") {
            i += 2;
        } else if is(a, "get") || is(a, "by") {
            i += 1;
        } else if is(a, "store") && i + 1 < argv.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    keys.extend(store);
    keys
}

/// The parsed options.
struct Options<'a> {
    desc: bool,
    alpha: bool,
    limit_start: i64,
    limit_count: i64,
    store: Option<&'a [u8]>,
    by: Option<&'a [u8]>,
    /// BY named a constant (no `*`): nothing to sort.
    dont_sort: bool,
    gets: Vec<&'a [u8]>,
}

fn parse_options(args: &[Bytes], readonly: bool) -> Result<Options<'_>, CmdError> {
    let mut o = Options {
        desc: false,
        alpha: false,
        limit_start: 0,
        limit_count: -1,
        store: None,
        by: None,
        dont_sort: false,
        gets: Vec::new(),
    };
    let mut j = 2;
    while let Some(a) = args.get(j) {
        let left = args.len() - j - 1;
        if is(a, "asc") {
            o.desc = false;
        } else if is(a, "desc") {
            o.desc = true;
        } else if is(a, "alpha") {
            o.alpha = true;
        } else if is(a, "limit") && left >= 2 {
            o.limit_start = int_arg(&args[j + 1])?;
            o.limit_count = int_arg(&args[j + 2])?;
            j += 2;
        } else if !readonly && is(a, "store") && left >= 1 {
            o.store = Some(&args[j + 1]);
            j += 1;
        } else if is(a, "by") && left >= 1 {
            let p = &args[j + 1][..];
            o.by = Some(p);
            // A pattern without `*` names the same key for every element: no order at all.
            if !p.contains(&b'*') {
                o.dont_sort = true;
            }
            j += 1;
        } else if is(a, "get") && left >= 1 {
            o.gets.push(&args[j + 1]);
            j += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    Ok(o)
}

/// What kind of value is being sorted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    List,
    Set,
    ZSet,
}

/// One element being sorted, with what it sorts by.
struct Item {
    elem: Vec<u8>,
    score: f64,
    /// The BY value for ALPHA sorting; `None` when its key was missing.
    by: Option<Vec<u8>>,
}

impl Item {
    fn new(elem: Vec<u8>) -> Self {
        Item {
            elem,
            score: 0.0,
            by: None,
        }
    }
}

/// The value a BY or GET pattern refers to for `elem`: `#` is the element itself; otherwise
/// the first `*` is replaced by the element, and a `->field` suffix after it reads a hash
/// field. Patterns without `*`, missing keys and keys of the wrong type give nothing.
fn lookup_by_pattern(ctx: &Ctx<'_>, pattern: &[u8], elem: &[u8]) -> Option<Vec<u8>> {
    if pattern == b"#" {
        return Some(elem.to_vec());
    }
    let star = pattern.iter().position(|&b| b == b'*')?;
    let after = &pattern[star + 1..];
    // Only an arrow followed by a field name makes a hash lookup.
    let (suffix, field) = match after.windows(2).position(|w| w == b"->") {
        Some(at) if at + 2 < after.len() => (&after[..at], Some(&after[at + 2..])),
        _ => (after, None),
    };
    let mut key = Vec::with_capacity(star + elem.len() + suffix.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(elem);
    key.extend_from_slice(suffix);
    let mut l = ctx.key(&key);
    let mut k = l.get();
    let v = k.read(ctx.client.no_touch)?;
    match (v, field) {
        (Value::Hash(h), Some(f)) => h.get(f).map(<[u8]>::to_vec),
        (v, None) => v.with_str(<[u8]>::to_vec),
        _ => None,
    }
}

/// A numeric sort weight as Redis reads it with `strtod`: leading spaces allowed, the whole
/// text consumed, no NaN, no overflow. The empty string reads as 0.
fn sort_score(s: &[u8]) -> Option<f64> {
    if s.is_empty() {
        return Some(0.0);
    }
    let start = s
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    strnum::parse_f64(&s[start..])
}

/// The elements of the value at the sort key, loaded under its lock, with the output window
/// `start..=end` (signed, possibly empty) adjusted to the loaded vector.
struct Loaded {
    items: Vec<Item>,
    start: i64,
    end: i64,
    kind: Option<Kind>,
}

fn load(ctx: &Ctx<'_>, key: &[u8], o: &Options<'_>) -> Result<Loaded, CmdError> {
    let mut l = ctx.key(key);
    let mut k = l.get();
    let v = k.read(ctx.client.no_touch);
    let (kind, len) = match v {
        None => (None, 0),
        Some(Value::List(l)) => (Some(Kind::List), l.len()),
        Some(Value::Set(s)) => (Some(Kind::Set), s.len()),
        Some(Value::ZSet(z)) => (Some(Kind::ZSet), z.len()),
        Some(_) => return Err(CmdError::WrongType),
    };
    // Redis's LIMIT clamping, kept exactly, including its empty-window convention.
    let len = len as i64;
    let mut start = o.limit_start.clamp(0, len);
    let count = o.limit_count.clamp(-1, len);
    let mut end = if count < 0 {
        len - 1
    } else {
        start + count - 1
    };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    if end >= len {
        end = len - 1;
    }
    let mut items = Vec::new();
    let native_order = o.dont_sort && matches!(kind, Some(Kind::List) | Some(Kind::ZSet));
    if native_order {
        // Nothing to sort: read just the window, in native order or reversed for DESC.
        if end >= start {
            let n = (end - start + 1) as usize;
            let (lo, hi) = (start as usize, end as usize);
            let total = len as usize;
            match v {
                Some(Value::List(l)) => {
                    let from = if o.desc { total - 1 - lo } else { lo };
                    items.extend(
                        l.iter_from(from, o.desc)
                            .take(n)
                            .map(|e| Item::new(e.to_vec())),
                    );
                }
                Some(Value::ZSet(z)) => {
                    let (a, b) = if o.desc {
                        (total - 1 - hi, total - lo)
                    } else {
                        (lo, hi + 1)
                    };
                    items.extend(z.range(a, b, o.desc).map(|(m, _)| Item::new(m.to_vec())));
                }
                _ => {}
            }
        }
        end -= start;
        start = 0;
    } else {
        match v {
            Some(Value::List(l)) => items.extend(l.iter().map(|e| Item::new(e.to_vec()))),
            Some(Value::Set(s)) => items.extend(s.iter().map(|m| Item::new(m.to_vec()))),
            Some(Value::ZSet(z)) => items.extend(z.iter().map(|(m, _)| Item::new(m.to_vec()))),
            _ => {}
        }
    }
    Ok(Loaded {
        items,
        start,
        end,
        kind,
    })
}

fn compare(a: &Item, b: &Item, alpha: bool, by: bool) -> Ordering {
    if !alpha {
        // Equal weights fall back to the elements, so the result is deterministic.
        match a.score.partial_cmp(&b.score) {
            Some(Ordering::Equal) | None => a.elem.cmp(&b.elem),
            Some(o) => o,
        }
    } else if by {
        match (&a.by, &b.by) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(y),
        }
    } else {
        a.elem.cmp(&b.elem)
    }
}

fn sort_generic(ctx: &mut Ctx<'_>, args: &[Bytes], readonly: bool) -> CmdResult {
    let mut o = parse_options(args, readonly)?;
    let Loaded {
        mut items,
        start,
        end,
        kind,
    } = load(ctx, &args[1], &o)?;
    // A set has no native order to keep: when the result is stored it is sorted as strings,
    // so that it does not depend on the set's internal layout.
    if o.dont_sort && kind == Some(Kind::Set) && o.store.is_some() {
        o.dont_sort = false;
        o.alpha = true;
        o.by = None;
    }
    if !o.dont_sort {
        let mut bad_score = false;
        for it in items.iter_mut() {
            let looked_up;
            let weight: &[u8] = match o.by {
                Some(p) => match lookup_by_pattern(ctx, p, &it.elem) {
                    Some(v) => {
                        looked_up = v;
                        &looked_up
                    }
                    None => continue,
                },
                None => &it.elem,
            };
            if o.alpha {
                if o.by.is_some() {
                    it.by = Some(weight.to_vec());
                }
            } else {
                match sort_score(weight) {
                    Some(s) => it.score = s,
                    None => bad_score = true,
                }
            }
        }
        if bad_score {
            return Err(CmdError::err(
                "One or more scores can't be converted into double",
            ));
        }
        let (alpha, by, desc) = (o.alpha, o.by.is_some(), o.desc);
        items.sort_by(|a, b| {
            let c = compare(a, b, alpha, by);
            if desc {
                c.reverse()
            } else {
                c
            }
        });
    }
    let window: &[Item] = if end >= start {
        items.get(start as usize..=end as usize).unwrap_or_default()
    } else {
        &[]
    };
    let per_item = o.gets.len().max(1);
    let output_len = window.len() * per_item;
    match o.store {
        Some(dst) => {
            let fill = ctx.srv.config.read().list_max_listpack_size();
            let mut list = List::new(fill);
            for it in window {
                if o.gets.is_empty() {
                    list.push(End::Tail, &it.elem);
                }
                for g in &o.gets {
                    let v = lookup_by_pattern(ctx, g, &it.elem).unwrap_or_default();
                    list.push(End::Tail, &v);
                }
            }
            let mut l = ctx.key(dst);
            let mut k = l.get();
            if output_len > 0 {
                k.set(Value::List(Box::new(list)), false);
                ctx.notify(NOTIFY_LIST, "sortstore", dst);
                if output_len > 1 {
                    ctx.count_changes(output_len as u64 - 1);
                }
            } else if k.delete() {
                ctx.notify(NOTIFY_GENERIC, "del", dst);
            }
            ctx.out.int(output_len as i64);
        }
        None => {
            ctx.out.array(output_len);
            for it in window {
                if o.gets.is_empty() {
                    ctx.out.bulk(&it.elem);
                }
                for g in &o.gets {
                    match lookup_by_pattern(ctx, g, &it.elem) {
                        Some(v) => ctx.out.bulk(&v),
                        None => ctx.out.null(),
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<Bytes> {
        line.split(' ')
            .map(|a| Bytes::from(a.to_string()))
            .collect()
    }

    #[test]
    fn key_positions_follow_redis() {
        assert_eq!(sort_key_positions(&argv("sort abc store def")), vec![1, 3]);
        assert_eq!(
            sort_key_positions(&argv("sort abc store invalid store stillbad store def")),
            vec![1, 7]
        );
        assert_eq!(sort_key_positions(&argv("sort abc get store")), vec![1]);
        assert_eq!(sort_key_positions(&argv("sort abc limit 0 store")), vec![1]);
        assert_eq!(sort_key_positions(&argv("sort abc store")), vec![1]);
    }

    #[test]
    fn scores_read_like_strtod() {
        assert_eq!(sort_score(b""), Some(0.0));
        assert_eq!(sort_score(b" 1.5"), Some(1.5));
        assert_eq!(sort_score(b"1.5 "), None);
        assert_eq!(sort_score(b"  "), None);
        assert_eq!(sort_score(b"nan"), None);
        assert_eq!(sort_score(b"inf"), Some(f64::INFINITY));
        assert_eq!(sort_score(b"1e400"), None);
    }
}
