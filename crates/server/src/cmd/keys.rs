//! The generic keyspace family: existence, deletion, renaming, copying, scanning, expiry
//! and OBJECT introspection.

use bytes::Bytes;
use storage::value::Value;

use super::{invalid_expire, propagate_expiry};
use crate::base::clock::lru_clock;
use crate::base::config::NOTIFY_GENERIC as GENERIC;
use crate::base::error::{CmdError, CmdResult};
use crate::command::ctx::{int_arg, is, Ctx};
use crate::command::short::{F, R, W};
use crate::command::{acl, flag, help_sub, key, Command, KeySpec, ALL_KEYS, KEY12};
use crate::keyspace::{KeyRef, SHARDS};
use crate::observe::watch::Replacement;
const KR: u64 = acl::KEYSPACE | acl::READ;
const KW: u64 = acl::KEYSPACE | acl::WRITE;

use crate::command::keyed as c;

const fn obj(name: &'static str, arity: i32, h: crate::command::Handler) -> Command {
    Command::new(name, arity, R, KR | acl::SLOW, h).keys(KeySpec {
        first: 2,
        last: 2,
        step: 1,
    })
}

#[rustfmt::skip]
static OBJECT: &[Command] = &[
    obj("encoding", 3, object_encoding).key_flags(key::RO).doc("generic", "2.2.3", "Returns the internal encoding of a Redis object."),
    obj("refcount", 3, object_refcount).key_flags(key::RO).doc("generic", "2.2.3", "Returns the reference count of a value of a key."),
    obj("idletime", 3, object_idletime).key_flags(key::RO).doc("generic", "2.2.3", "Returns the time since the last access to a Redis object."),
    obj("freq", 3, object_freq).key_flags(key::RO).doc("generic", "4.0.0", "Returns the logarithmic access frequency counter of a Redis object."),
    help_sub("generic", "6.2.0", KR | acl::SLOW, object_help),
];

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    c("del", -2, W, KW | acl::SLOW, del).keys(ALL_KEYS).key_flags(key::RM | key::DELETE).doc("generic", "1.0.0", "Deletes one or more keys."),
    c("unlink", -2, W | F, KW | acl::FAST, del).keys(ALL_KEYS).key_flags(key::RM | key::DELETE).doc("generic", "4.0.0", "Asynchronously deletes one or more keys."),
    c("exists", -2, R | F, KR | acl::FAST, exists).keys(ALL_KEYS).key_flags(key::RO).doc("generic", "1.0.0", "Determines whether one or more keys exist."),
    c("touch", -2, R | F, KR | acl::FAST, touch).keys(ALL_KEYS).key_flags(key::RO).doc("generic", "3.2.1", "Returns the number of existing keys out of those specified after updating the time they were last accessed."),
    c("type", 2, R | F, KR | acl::FAST, type_).key_flags(key::RO).doc("generic", "1.0.0", "Determines the type of value stored at a key."),
    c("rename", 3, W, KW | acl::SLOW, |ctx, args| rename(ctx, args, false)).keys(KEY12).key_flags_split(key::RW | key::ACCESS | key::DELETE, key::OW | key::UPDATE).doc("generic", "1.0.0", "Renames a key and overwrites the destination."),
    c("renamenx", 3, W | F, KW | acl::FAST, |ctx, args| rename(ctx, args, true)).keys(KEY12).key_flags_split(key::RW | key::ACCESS | key::DELETE, key::OW | key::INSERT).doc("generic", "1.0.0", "Renames a key only when the target key name doesn't exist."),
    c("copy", -3, W | flag::DENYOOM, KW | acl::SLOW, copy).keys(KEY12).key_flags_split(key::RO | key::ACCESS, key::OW | key::UPDATE).doc("generic", "6.2.0", "Copies the value of a key to a new key."),
    c("move", 3, W | F, KW | acl::FAST, move_).key_flags(key::RW | key::ACCESS | key::UPDATE).doc("generic", "1.0.0", "Moves a key to another database."),
    Command::new("keys", 2, R | flag::EXCLUSIVE, KR | acl::SLOW | acl::DANGEROUS, keys).doc("generic", "1.0.0", "Returns all key names that match a pattern."),
    Command::new("scan", -2, R, KR | acl::SLOW, scan).doc("generic", "2.8.0", "Iterates over the key names in the database."),
    Command::new("randomkey", 1, R, KR | acl::SLOW, randomkey).doc("generic", "1.0.0", "Returns a random key name from the database."),
    Command::new("dbsize", 1, R | F, KR | acl::FAST, dbsize).doc("server", "1.0.0", "Returns the number of keys in the database."),
    Command::new("flushdb", -1, W | flag::EXCLUSIVE, KW | acl::SLOW | acl::DANGEROUS, flushdb).doc("server", "1.0.0", "Removes all keys from the current database."),
    Command::new("flushall", -1, W | flag::EXCLUSIVE, KW | acl::SLOW | acl::DANGEROUS, flushall).doc("server", "1.0.0", "Removes all keys from all databases."),
    Command::new("swapdb", 3, W | F | flag::EXCLUSIVE, KW | acl::FAST | acl::DANGEROUS, swapdb).doc("server", "4.0.0", "Swaps two Redis databases."),
    c("expire", -3, W | F, KW | acl::FAST, |ctx, args| expire_generic(ctx, args, "expire", true, true)).key_flags(key::RW | key::UPDATE).doc("generic", "1.0.0", "Sets the expiration time of a key in seconds."),
    c("pexpire", -3, W | F, KW | acl::FAST, |ctx, args| expire_generic(ctx, args, "pexpire", false, true)).key_flags(key::RW | key::UPDATE).doc("generic", "2.6.0", "Sets the expiration time of a key in milliseconds."),
    c("expireat", -3, W | F, KW | acl::FAST, |ctx, args| expire_generic(ctx, args, "expireat", true, false)).key_flags(key::RW | key::UPDATE).doc("generic", "1.2.0", "Sets the expiration time of a key to a Unix timestamp."),
    c("pexpireat", -3, W | F, KW | acl::FAST, |ctx, args| expire_generic(ctx, args, "pexpireat", false, false)).key_flags(key::RW | key::UPDATE).doc("generic", "2.6.0", "Sets the expiration time of a key to a Unix milliseconds timestamp."),
    c("ttl", 2, R | F, KR | acl::FAST, |ctx, args| ttl_generic(ctx, args, false, false)).key_flags(key::RO | key::ACCESS).doc("generic", "1.0.0", "Returns the expiration time in seconds of a key."),
    c("pttl", 2, R | F, KR | acl::FAST, |ctx, args| ttl_generic(ctx, args, true, false)).key_flags(key::RO | key::ACCESS).doc("generic", "2.6.0", "Returns the expiration time in milliseconds of a key."),
    c("expiretime", 2, R | F, KR | acl::FAST, |ctx, args| ttl_generic(ctx, args, false, true)).key_flags(key::RO | key::ACCESS).doc("generic", "7.0.0", "Returns the expiration time of a key as a Unix timestamp."),
    c("pexpiretime", 2, R | F, KR | acl::FAST, |ctx, args| ttl_generic(ctx, args, true, true)).key_flags(key::RO | key::ACCESS).doc("generic", "7.0.0", "Returns the expiration time of a key as a Unix milliseconds timestamp."),
    c("persist", 2, W | F, KW | acl::FAST, persist).key_flags(key::RW | key::UPDATE).doc("generic", "2.2.0", "Removes the expiration time of a key."),
    Command::container("object", acl::SLOW, OBJECT).doc("generic", "2.2.3", "A container for object introspection commands."),
];

/// Runs `f` on each key argument (from index 1) with all their shards locked at once.
fn each_key(ctx: &Ctx<'_>, keys: &[Bytes], mut f: impl FnMut(&mut KeyRef<'_>)) {
    let db = ctx.client.db;
    let list: Vec<(usize, &[u8])> = keys.iter().map(|k| (db, &k[..])).collect();
    let mut locked = ctx.keys(&list);
    for key in keys {
        if let Some(mut k) = locked.key(db, key, ctx.now) {
            f(&mut k);
        }
    }
}

/// DEL and UNLINK. UNLINK (and DEL with `lazyfree-lazy-user-del`) leaves freeing large
/// values to the background thread.
fn del(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut n = 0;
    let notify = &ctx.srv.keyspace.notify;
    let lazyfree = &ctx.srv.keyspace.lazyfree;
    let lazy = is(&args[0], "unlink") || ctx.srv.config.read().lazyfree_lazy_user_del();
    let db = ctx.client.db;
    each_key(ctx, &args[1..], |k| {
        if let Some((entry, _)) = k.take() {
            n += 1;
            notify.emit(GENERIC, "del", k.name(), db);
            if lazy {
                lazyfree.free_value(entry.value);
            }
        }
    });
    ctx.out.int(n);
    Ok(())
}

fn exists(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut n = 0;
    each_key(ctx, &args[1..], |k| n += k.exists() as i64);
    ctx.out.int(n);
    Ok(())
}

fn touch(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut n = 0;
    each_key(ctx, &args[1..], |k| {
        if k.exists() {
            k.touch();
            n += 1;
        }
    });
    ctx.out.int(n);
    Ok(())
}

fn type_(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let k = l.get();
    let name = k.peek().map_or("none", Value::type_name);
    ctx.out.simple(name.as_bytes());
    Ok(())
}

/// RENAME and RENAMENX (`nx`): moves the value and its TTL to the new name.
fn rename(ctx: &mut Ctx<'_>, args: &[Bytes], nx: bool) -> CmdResult {
    let done = try_rename(ctx, args, nx)?;
    super::reply_done(ctx.out, nx, done);
    Ok(())
}

/// Whether RENAME(NX) renamed the key.
fn try_rename(ctx: &mut Ctx<'_>, args: &[Bytes], nx: bool) -> Result<bool, CmdError> {
    let db = ctx.client.db;
    let (src, dst) = (&args[1][..], &args[2][..]);
    let mut locked = ctx.keys(&[(db, src), (db, dst)]);
    let exists = locked.key(db, src, ctx.now).is_some_and(|k| k.exists());
    if !exists {
        return Err(CmdError::NoSuchKey);
    }
    if src == dst {
        return Ok(!nx);
    }
    if nx && locked.key(db, dst, ctx.now).is_some_and(|k| k.exists()) {
        return Ok(false);
    }
    let Some((entry, at)) = locked
        .key(db, src, ctx.now)
        .and_then(|mut k| k.take_to_move())
    else {
        return Err(CmdError::NoSuchKey);
    };
    if let Some(mut d) = locked.key(db, dst, ctx.now) {
        d.put_entry(entry, at);
    }
    ctx.notify(GENERIC, "rename_from", src);
    ctx.notify(GENERIC, "rename_to", dst);
    Ok(true)
}

/// A database index argument, checked against the configured number of databases.
pub fn db_index(ctx: &Ctx<'_>, a: &[u8], invalid: Option<&'static str>) -> Result<usize, CmdError> {
    let n = match strnum::parse_i64(a) {
        Some(n) if n >= i32::MIN as i64 && n <= i32::MAX as i64 => n,
        _ => {
            return Err(match invalid {
                Some(m) => CmdError::err(m),
                None => CmdError::NotInteger,
            })
        }
    };
    if n < 0 || n as usize >= ctx.srv.keyspace.count() {
        return Err(CmdError::err("DB index is out of range"));
    }
    Ok(n as usize)
}

fn same_object() -> CmdError {
    CmdError::err("source and destination objects are the same")
}

fn copy(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let src_db = ctx.client.db;
    let mut dst_db = src_db;
    let mut replace = false;
    let mut i = 3;
    while let Some(a) = args.get(i) {
        if is(a, "replace") {
            replace = true;
        } else if let (true, Some(v)) = (is(a, "db"), args.get(i + 1)) {
            dst_db = db_index(ctx, v, None)?;
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    let (src, dst) = (&args[1][..], &args[2][..]);
    if src_db == dst_db && src == dst {
        return Err(same_object());
    }
    let mut locked = ctx.keys(&[(src_db, src), (dst_db, dst)]);
    let found = locked.key(src_db, src, ctx.now).and_then(|k| {
        let at = k.expire_at();
        k.entry().map(|e| (e.clone(), at))
    });
    let Some((entry, at)) = found else {
        ctx.out.int(0);
        return Ok(());
    };
    if let Some(mut d) = locked.key(dst_db, dst, ctx.now) {
        if d.exists() && !replace {
            ctx.out.int(0);
            return Ok(());
        }
        d.put_entry(entry, at);
    }
    ctx.srv
        .keyspace
        .notify
        .emit(GENERIC, "copy_to", dst, dst_db);
    ctx.out.int(1);
    Ok(())
}

fn move_(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let src_db = ctx.client.db;
    let dst_db = db_index(ctx, &args[2], None)?;
    if src_db == dst_db {
        return Err(same_object());
    }
    let key = &args[1][..];
    let mut locked = ctx.keys(&[(src_db, key), (dst_db, key)]);
    let src_exists = locked.key(src_db, key, ctx.now).is_some_and(|k| k.exists());
    let dst_exists = locked.key(dst_db, key, ctx.now).is_some_and(|k| k.exists());
    if !src_exists || dst_exists {
        ctx.out.int(0);
        return Ok(());
    }
    if let Some((entry, at)) = locked
        .key(src_db, key, ctx.now)
        .and_then(|mut k| k.take_to_move())
    {
        if let Some(mut d) = locked.key(dst_db, key, ctx.now) {
            d.put_entry(entry, at);
        }
    }
    let notify = &ctx.srv.keyspace.notify;
    notify.emit(GENERIC, "move_from", key, src_db);
    notify.emit(GENERIC, "move_to", key, dst_db);
    ctx.out.int(1);
    Ok(())
}

fn keys(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let pattern = &args[1][..];
    let all = pattern == b"*";
    let db = ctx.srv.keyspace.db(ctx.client.db);
    let mut found: Vec<Vec<u8>> = Vec::new();
    for s in 0..SHARDS {
        let shard = db.shard(s);
        for e in shard.iter() {
            if (all || storage::glob::glob_match(pattern, &e.key, false))
                && !shard.entry_expired(e, ctx.now)
            {
                found.push(e.key.to_vec());
            }
        }
    }
    ctx.out.array(found.len());
    for k in &found {
        ctx.out.bulk(k);
    }
    Ok(())
}

/// SCAN's cursor: the shard in the high 32 bits, the next hash within it in the low 32.
fn scan(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let cursor = super::parse_cursor(&args[1])?;
    let o = super::scan_options(args, 2, true)?;
    // One call walks at most about a million keys, whatever COUNT asks.
    let (pattern, count, type_filter) = (o.pattern, o.count.min(1 << 20), o.type_filter);
    let db = ctx.srv.keyspace.db(ctx.client.db);
    let mut shard_no = (cursor >> 32) as usize;
    let mut from = cursor as u32;
    let mut keys: Vec<Vec<u8>> = Vec::new();
    let mut visited = 0;
    let mut next = 0u64;
    while shard_no < SHARDS {
        let mut shard = db.shard(shard_no);
        let mut batch: Vec<Vec<u8>> = Vec::new();
        let resume = shard.scan(from, count - visited, |e| batch.push(e.key.to_vec()));
        visited += batch.len();
        // Filter after collecting, so that removing expired keys does not disturb the walk.
        for key in batch {
            let hash = ctx.srv.keyspace.hash(&key).hash;
            let Some(idx) = shard.find(hash, &key) else {
                continue;
            };
            if ctx.expired(&mut shard, idx) {
                continue;
            }
            if let Some(p) = pattern {
                if !storage::glob::glob_match(p, &key, false) {
                    continue;
                }
            }
            if let Some(t) = type_filter {
                let ty = shard.entry(idx).map_or("none", |e| e.value.type_name());
                if !t.eq_ignore_ascii_case(ty.as_bytes()) {
                    continue;
                }
            }
            keys.push(key);
        }
        match resume {
            Some(h) => {
                next = ((shard_no as u64) << 32) | h as u64;
                break;
            }
            None => {
                shard_no += 1;
                from = 0;
                if visited >= count {
                    next = if shard_no < SHARDS {
                        (shard_no as u64) << 32
                    } else {
                        0
                    };
                    break;
                }
            }
        }
    }
    ctx.out.array(2);
    ctx.out.bulk(itoa::Buffer::new().format(next).as_bytes());
    ctx.out.array(keys.len());
    for k in &keys {
        ctx.out.bulk(k);
    }
    Ok(())
}

fn randomkey(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let _ = args;
    let db = ctx.srv.keyspace.db(ctx.client.db);
    // Expired keys found on the way are reclaimed; give up after a bounded number of tries
    // so that a database full of expired keys cannot stall the server.
    for _ in 0..100 {
        let nonempty: Vec<usize> = (0..SHARDS).filter(|&s| !db.shard(s).is_empty()).collect();
        if nonempty.is_empty() {
            break;
        }
        let s = nonempty[fastrand::usize(..nonempty.len())];
        let mut shard = db.shard(s);
        let Some(i) = shard.random(fastrand::u64(..)) else {
            continue;
        };
        if ctx.expired(&mut shard, i) {
            continue;
        }
        if let Some(e) = shard.entry(i) {
            let key = e.key.to_vec();
            drop(shard);
            ctx.out.bulk(&key);
            return Ok(());
        }
    }
    ctx.out.null();
    Ok(())
}

fn dbsize(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let n = ctx.srv.keyspace.db(ctx.client.db).len();
    ctx.out.int(n as i64);
    Ok(())
}

/// FLUSHDB/FLUSHALL's optional ASYNC or SYNC argument: true for ASYNC.
fn flush_mode(ctx: &Ctx<'_>, args: &[Bytes]) -> Result<bool, CmdError> {
    match args.get(1) {
        None => Ok(ctx.srv.config.read().lazyfree_lazy_user_flush()),
        Some(a) if args.len() == 2 && is(a, "async") => Ok(true),
        Some(a) if args.len() == 2 && is(a, "sync") => Ok(false),
        Some(_) => Err(CmdError::Syntax),
    }
}

/// Empties one database: watchers of keys that existed are touched, the entries dropped.
fn flush_one(ctx: &Ctx<'_>, db: usize, asynchronous: bool) {
    let ks = &ctx.srv.keyspace;
    let removed = ks.flush(db, ctx.fx);
    if !removed.is_empty() {
        let keys: std::collections::HashSet<&[u8]> = removed.iter().map(|e| &e.key[..]).collect();
        ks.watches
            .touch_db(db, |k| (keys.contains(k), Replacement::Nothing));
    }
    // ASYNC: the caller does not wait for a large database to be freed.
    if asynchronous && !removed.is_empty() {
        let n = removed.len() as u64;
        ctx.srv.keyspace.lazyfree.free_many(removed, n);
    }
    // Clients blocked on a stream group must learn that their key is gone.
    ks.blocking.signal_db(db);
}

fn flushdb(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let asynchronous = flush_mode(ctx, args)?;
    flush_one(ctx, ctx.client.db, asynchronous);
    // Counted per key removed, and propagated even when there was none, as in Redis.
    ctx.fx.force(&ctx.srv.keyspace.changes);
    ctx.out.ok();
    Ok(())
}

fn flushall(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let asynchronous = flush_mode(ctx, args)?;
    // As in Redis, a running background save of the data being dropped is stopped.
    ctx.srv.keyspace.snapshots.abort();
    for db in 0..ctx.srv.keyspace.count() {
        flush_one(ctx, db, asynchronous);
    }
    ctx.fx.force(&ctx.srv.keyspace.changes);
    // With save points, the emptied dataset is saved at once, so that a restart does not bring
    // the old file back.
    let config = ctx.srv.config.read();
    if !config.save().is_empty()
        && crate::persist::snapshot::save(&ctx.srv.keyspace, &config, &ctx.srv.persist).is_ok()
    {
        ctx.fx.saved_now();
    }
    ctx.out.ok();
    Ok(())
}

fn swapdb(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let a = db_index(ctx, &args[1], Some("invalid first DB index"))?;
    let b = db_index(ctx, &args[2], Some("invalid second DB index"))?;
    // Watchers see the swap as Redis's do: what each watched key was and what replaces it.
    let ks = &ctx.srv.keyspace;
    let now = ctx.now;
    let presence = |db: usize, k: &[u8]| {
        if ks.is_live(db, k, now) {
            Replacement::Live
        } else if ks.logically_expired(db, k, now) {
            Replacement::Expired
        } else {
            Replacement::Nothing
        }
    };
    for (db, other) in [(a, b), (b, a)] {
        let keys = ks.watches.keys_in(db);
        let fates: std::collections::HashMap<Bytes, (bool, Replacement)> = keys
            .into_iter()
            .map(|k| {
                let fate = (
                    presence(db, &k) != Replacement::Nothing,
                    presence(other, &k),
                );
                (k, fate)
            })
            .collect();
        ks.watches.touch_db(db, |k| {
            fates
                .get(k)
                .copied()
                .unwrap_or((false, Replacement::Nothing))
        });
    }
    ks.swap(a, b, ctx.fx);
    // Clients blocked in either database may now find their keys.
    ctx.srv.keyspace.blocking.signal_db(a);
    ctx.srv.keyspace.blocking.signal_db(b);
    ctx.out.ok();
    Ok(())
}

/// EXPIRE and its variants: `base` is added to the argument (0 for the absolute forms).
fn expire_generic(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    cmd: &str,
    seconds: bool,
    relative: bool,
) -> CmdResult {
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for a in &args[3..] {
        if is(a, "nx") {
            nx = true;
        } else if is(a, "xx") {
            xx = true;
        } else if is(a, "gt") {
            gt = true;
        } else if is(a, "lt") {
            lt = true;
        } else {
            return Err(CmdError::err(format!(
                "Unsupported option {}",
                String::from_utf8_lossy(a)
            )));
        }
    }
    if nx && (xx || gt || lt) {
        return Err(CmdError::err(
            "NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if gt && lt {
        return Err(CmdError::err(
            "GT and LT options at the same time are not compatible",
        ));
    }
    let mut when = int_arg(&args[2])?;
    if seconds {
        if !(i64::MIN / 1000..=i64::MAX / 1000).contains(&when) {
            return Err(invalid_expire(cmd));
        }
        when *= 1000;
    }
    if relative {
        when = when
            .checked_add(ctx.now as i64)
            .ok_or_else(|| invalid_expire(cmd))?;
    }
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    if !k.exists() {
        ctx.out.int(0);
        return Ok(());
    }
    let current = k.expire_at().map(|t| t as i64);
    let refused = (nx && current.is_some())
        || (xx && current.is_none())
        || (gt && current.is_none_or(|c| when <= c))
        || (lt && current.is_some_and(|c| when >= c));
    if refused {
        ctx.out.int(0);
        return Ok(());
    }
    let at = when.max(0) as u64;
    k.set_expire(at);
    propagate_expiry(ctx, &args[1], at, !k.exists(), &args[3..]);
    let event = if k.exists() { "expire" } else { "del" };
    ctx.notify(GENERIC, event, &args[1]);
    ctx.out.int(1);
    Ok(())
}

/// TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a missing key, -1 without a TTL.
fn ttl_generic(ctx: &mut Ctx<'_>, args: &[Bytes], millis: bool, absolute: bool) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    if k.read(true).is_none() {
        ctx.out.int(-2);
        return Ok(());
    }
    let Some(at) = k.expire_at() else {
        ctx.out.int(-1);
        return Ok(());
    };
    let v = if absolute {
        if millis {
            at
        } else {
            at / 1000
        }
    } else {
        let left = at.saturating_sub(ctx.now);
        if millis {
            left
        } else {
            (left + 500) / 1000
        }
    };
    ctx.out.int(v as i64);
    Ok(())
}

fn persist(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    let done = k.persist();
    if done {
        ctx.notify(GENERIC, "persist", &args[1]);
    }
    ctx.out.int(done as i64);
    Ok(())
}

/// Runs `f` on OBJECT's key, replying null when it is missing.
fn with_object(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    f: impl FnOnce(&mut Ctx<'_>, &storage::shard::Entry) -> CmdResult,
) -> CmdResult {
    let mut l = ctx.key(&args[2]);
    let k = l.get();
    match k.entry() {
        None => {
            ctx.out.null();
            Ok(())
        }
        Some(e) => f(ctx, e),
    }
}

/// Redis's OBJECT ENCODING name for an entry's value.
pub fn encoding(e: &storage::shard::Entry) -> &'static str {
    e.value.encoding(e.is_raw())
}

fn object_encoding(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    with_object(ctx, args, |ctx, e| {
        ctx.out.bulk(encoding(e).as_bytes());
        Ok(())
    })
}

fn object_refcount(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    with_object(ctx, args, |ctx, e| {
        // Redis shares the objects of small integers and reports them as immortal.
        let shared = matches!(e.value, Value::Int(n) if (0..10000).contains(&n));
        ctx.out.int(if shared { i32::MAX as i64 } else { 1 });
        Ok(())
    })
}

fn lfu_policy(ctx: &Ctx<'_>) -> bool {
    ctx.srv.config.read().maxmemory_policy().is_lfu()
}

fn object_idletime(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if lfu_policy(ctx) {
        return Err(CmdError::err("An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    }
    with_object(ctx, args, |ctx, e| {
        let idle = crate::base::clock::lru_idle(lru_clock(ctx.now), e.clock());
        ctx.out.int(idle as i64);
        Ok(())
    })
}

fn object_freq(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if !lfu_policy(ctx) {
        return Err(CmdError::err("An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    }
    with_object(ctx, args, |ctx, e| {
        let freq = ctx.srv.keyspace.access.frequency(e.clock(), ctx.now);
        ctx.out.int(i64::from(freq));
        Ok(())
    })
}

fn object_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    super::help(
        ctx,
        "OBJECT",
        &[
            "ENCODING <key>",
            "    Name the internal representation of the value stored at <key>.",
            "FREQ <key>",
            "    Logarithmic access-frequency counter of <key> (LFU policies only).",
            "IDLETIME <key>",
            "    Seconds since <key> was last read or written (LRU policies only).",
            "REFCOUNT <key>",
            "    Number of references held on the value stored at <key>.",
        ],
    );
    Ok(())
}
