//! The persistence family: SAVE and LASTSAVE's partner commands, DUMP and RESTORE of single
//! values, and DEBUG RELOAD's save-flush-load cycle.

use std::sync::atomic::Ordering;

use bytes::Bytes;

use super::argv;
use crate::base::config::NOTIFY_GENERIC;
use crate::base::error::{CmdError, CmdResult};
use crate::command::ctx::{int_arg, is, keyword, Ctx};
use crate::command::short::{R, WD};
use crate::command::{acl, flag, key, Command};
use crate::persist::snapshot;

use crate::command::keyed as c;

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    Command::new("save", 1, flag::ADMIN | flag::NOSCRIPT | flag::NO_MULTI | flag::EXCLUSIVE, acl::ADMIN | acl::SLOW | acl::DANGEROUS, save).doc("server", "1.0.0", "Synchronously saves the database(s) to disk."),
    Command::new("bgsave", -1, flag::ADMIN | flag::NOSCRIPT | flag::EXCLUSIVE, acl::ADMIN | acl::SLOW | acl::DANGEROUS, bgsave).doc("server", "1.0.0", "Asynchronously saves the database(s) to disk."),
    c("dump", 2, R, acl::KEYSPACE | acl::READ | acl::SLOW, dump).key_flags(key::RO | key::ACCESS).doc("generic", "2.6.0", "Returns a serialized representation of the value stored at a key."),
    c("restore", -4, WD, acl::KEYSPACE | acl::WRITE | acl::SLOW | acl::DANGEROUS, restore).key_flags(key::OW | key::UPDATE).doc("generic", "2.6.0", "Creates a key from the serialized representation of a value."),
    Command::new("migrate", -6, flag::WRITE | flag::MOVABLE_KEYS, acl::KEYSPACE | acl::WRITE | acl::SLOW | acl::DANGEROUS, migrate).keys(crate::command::KeySpec { first: 3, last: 3, step: 1 }).keyfn(migrate_key_positions).key_flags(key::RW | key::ACCESS | key::DELETE).doc("generic", "2.6.0", "Atomically transfers a key from one Redis instance to another."),
    c("restore-asking", -4, WD, acl::KEYSPACE | acl::WRITE | acl::SLOW | acl::DANGEROUS, restore).key_flags(key::OW | key::UPDATE).doc("server", "3.0.0", "An internal command for migrating keys in a cluster."),
];

fn save(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    if ctx.srv.keyspace.snapshots.active() {
        return Err(CmdError::err("Background save already in progress"));
    }
    let config = ctx.srv.config.read();
    snapshot::save(&ctx.srv.keyspace, &config, &ctx.srv.persist).map_err(|_| CmdError::err(""))?;
    ctx.out.ok();
    Ok(())
}

/// BGSAVE [SCHEDULE]: starts a background save, or with SCHEDULE asks for one once the
/// running one ends.
fn bgsave(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let schedule = match args.get(1) {
        None => false,
        Some(a) if is(a, "schedule") && args.len() == 2 => true,
        Some(_) => return Err(CmdError::Syntax),
    };
    if ctx.srv.start_bgsave() {
        ctx.out.simple(b"Background saving started");
    } else if schedule {
        ctx.srv.persist.scheduled.store(true, Ordering::Relaxed);
        ctx.out.simple(b"Background saving scheduled");
    } else {
        return Err(CmdError::err("Background save already in progress"));
    }
    Ok(())
}

fn dump(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let compress = ctx.srv.config.read().rdbcompression();
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    match k.read(ctx.client.no_touch) {
        Some(v) => ctx.out.bulk(&rdb::dump::payload(v, compress)),
        None => ctx.out.null(),
    }
    Ok(())
}

/// RESTORE's options.
#[derive(Default)]
struct RestoreOptions {
    replace: bool,
    absolute: bool,
    idle: Option<u64>,
    freq: Option<u8>,
}

/// An integer argument from 0 to `max`, or Redis's "Invalid <what>" error.
fn bounded(v: &[u8], max: u64, what: &str) -> Result<u64, CmdError> {
    u64::try_from(int_arg(v)?)
        .ok()
        .filter(|&n| n <= max)
        .ok_or_else(|| CmdError::err(format!("Invalid {what}")))
}

fn restore_options(args: &[Bytes]) -> Result<RestoreOptions, CmdError> {
    let mut o = RestoreOptions::default();
    let mut i = 4;
    while let Some(a) = args.get(i) {
        let value = args.get(i + 1);
        if is(a, "replace") {
            o.replace = true;
        } else if is(a, "absttl") {
            o.absolute = true;
        } else if let (true, Some(v), None) = (is(a, "idletime"), value, o.freq) {
            o.idle = Some(bounded(v, u64::MAX, "IDLETIME value, must be >= 0")?);
            i += 1;
        } else if let (true, Some(v), None) = (is(a, "freq"), value, o.idle) {
            o.freq = Some(bounded(v, 255, "FREQ value, must be >= 0 and <= 255")? as u8);
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    Ok(o)
}

fn restore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    // Redis's order of checks: options, an existing key, the TTL, the payload.
    let o = restore_options(args)?;
    let (limits, lfu) = {
        let c = ctx.srv.config.read();
        (snapshot::load_limits(&c), c.maxmemory_policy().is_lfu())
    };
    let skip_checksum = ctx.srv.persist.skip_checksum.load(Ordering::Relaxed);
    let now = ctx.now;
    let mut l = ctx.key(&args[1]);
    let mut k = l.get();
    if !o.replace && k.exists() {
        return Err(CmdError::raw("BUSYKEY Target key name already exists."));
    }
    let ttl = int_arg(&args[2])?;
    let ttl = u64::try_from(ttl).map_err(|_| CmdError::err("Invalid TTL value, must be >= 0"))?;
    let payload = &args[3];
    if !rdb::dump::verify(payload, skip_checksum) {
        return Err(CmdError::err("DUMP payload version or checksum are wrong"));
    }
    // As Redis, what was wrong goes to the log (at verbose level), the client gets one error.
    let value = match rdb::dump::read(payload, &limits) {
        Ok(Some(v)) => v,
        Ok(None) => return Err(CmdError::err("Bad data format")),
        Err(e) => {
            tracing::debug!("{e}");
            return Err(CmdError::err("Bad data format"));
        }
    };
    let at = match ttl {
        0 => None,
        t if o.absolute => Some(t),
        t => Some(t.saturating_add(now)),
    };
    if at.is_some_and(|at| at <= now) && !ctx.fx.replaying() {
        // Already expired: nothing is created, and a key REPLACE removed is simply deleted.
        if k.exists() {
            k.delete();
            ctx.propagate(|| argv([b"DEL", &args[1]]));
            ctx.notify(NOTIFY_GENERIC, "del", &args[1]);
        }
        ctx.out.ok();
        return Ok(());
    }
    k.set_expiring(value, false, at);
    let stamp =
        ctx.srv
            .keyspace
            .access
            .restored(now, o.idle.filter(|_| !lfu), o.freq.filter(|_| lfu));
    k.set_stamp(stamp);
    if let (Some(at), false) = (at, o.absolute) {
        // The relative TTL becomes absolute, so that a replay restores the same expiry.
        ctx.propagate(|| {
            let mut v = args.to_vec();
            v[2] = Bytes::from(at.to_string());
            v.push(Bytes::from_static(b"ABSTTL"));
            v
        });
    }
    ctx.notify(NOTIFY_GENERIC, "restore", &args[1]);
    ctx.out.ok();
    Ok(())
}

/// MIGRATE's options.
struct MigrateOptions<'a> {
    copy: bool,
    replace: bool,
    auth: Option<Vec<&'a [u8]>>,
    keys: Vec<&'a Bytes>,
}

fn migrate_options(args: &[Bytes]) -> Result<MigrateOptions<'_>, CmdError> {
    let mut o = MigrateOptions {
        copy: false,
        replace: false,
        auth: None,
        keys: vec![&args[3]],
    };
    /// The options, as words.
    #[derive(Clone, Copy)]
    enum Word {
        Copy,
        Replace,
        Auth,
        Auth2,
        Keys,
    }
    let words = [
        ("copy", Word::Copy),
        ("replace", Word::Replace),
        ("auth", Word::Auth),
        ("auth2", Word::Auth2),
        ("keys", Word::Keys),
    ];
    let mut i = 6;
    while let Some(a) = args.get(i) {
        let rest = args.len() - i - 1;
        match keyword(a, &words)? {
            Word::Copy => o.copy = true,
            Word::Replace => o.replace = true,
            Word::Auth if rest >= 1 => {
                o.auth = Some(vec![b"AUTH", &args[i + 1]]);
                i += 1;
            }
            Word::Auth2 if rest >= 2 => {
                o.auth = Some(vec![b"AUTH", &args[i + 1], &args[i + 2]]);
                i += 2;
            }
            Word::Keys => {
                if !args[3].is_empty() {
                    return Err(CmdError::err("When using MIGRATE KEYS option, the key argument must be set to the empty string"));
                }
                o.keys = args[i + 1..].iter().collect();
                break;
            }
            Word::Auth | Word::Auth2 => return Err(CmdError::Syntax),
        }
        i += 1;
    }
    Ok(o)
}

/// The key positions of MIGRATE: the key argument, or everything after KEYS.
pub fn migrate_key_positions(argv: &[Bytes]) -> Vec<usize> {
    match argv.iter().skip(6).position(|a| is(a, "keys")) {
        Some(at) => (at + 7..argv.len()).collect(),
        None => vec![3],
    }
}

fn migrate(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let o = migrate_options(args)?;
    let timeout = match int_arg(&args[5])? {
        t if t <= 0 => 1000,
        t => t as u64,
    };
    let db = int_arg(&args[4])?;
    let port = std::str::from_utf8(&args[2])
        .ok()
        .and_then(|p| p.parse::<u16>().ok())
        .ok_or(CmdError::NotInteger)?;
    let host = String::from_utf8_lossy(&args[1]).into_owned();
    // The payloads and remaining TTLs of the keys that exist.
    let compress = ctx.srv.config.read().rdbcompression();
    let now = ctx.now;
    let mut found: Vec<(&Bytes, Vec<u8>, String)> = Vec::new();
    for key in &o.keys {
        let mut l = ctx.key(key);
        let mut k = l.get();
        let ttl = k
            .expire_at()
            .map(|at| at.saturating_sub(now).max(1))
            .unwrap_or(0);
        if let Some(v) = k.read(ctx.client.no_touch) {
            found.push((key, rdb::dump::payload(v, compress), ttl.to_string()));
        }
    }
    if found.is_empty() {
        ctx.out.simple(b"NOKEY");
        return Ok(());
    }
    let restores: Vec<Vec<&[u8]>> = found
        .iter()
        .map(|(key, payload, ttl)| {
            let mut cmd: Vec<&[u8]> = vec![b"RESTORE", key, ttl.as_bytes(), payload];
            if o.replace {
                cmd.push(b"REPLACE");
            }
            cmd
        })
        .collect();
    let answer = ctx
        .srv
        .persist
        .migrate
        .exchange(
            &host,
            port,
            std::time::Duration::from_millis(timeout),
            db,
            o.auth.as_deref(),
            &restores,
        )
        .map_err(|e| CmdError::raw(e.reply()))?;
    if !o.copy {
        // The keys the target took are deleted here, and replicated as one DEL.
        let moved: Vec<&Bytes> = found
            .iter()
            .zip(&answer.restored)
            .filter(|(_, ok)| **ok)
            .map(|((k, ..), _)| *k)
            .collect();
        for key in &moved {
            let mut l = ctx.key(key);
            let mut k = l.get();
            if k.exists() {
                k.delete();
                ctx.notify(NOTIFY_GENERIC, "del", key);
            }
        }
        if !moved.is_empty() {
            ctx.propagate(|| {
                let mut v = vec![Bytes::from_static(b"DEL")];
                v.extend(moved.iter().map(|k| (*k).clone()));
                v
            });
        }
    }
    match answer.error {
        Some(e) => Err(CmdError::err(format!(
            "Target instance replied with error: {e}"
        ))),
        None => {
            ctx.out.ok();
            Ok(())
        }
    }
}

/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: saves the keyspace (unless NOSAVE), empties it
/// (unless NOFLUSH) and loads the snapshot file back (MERGE: its keys replace those present).
pub fn debug_reload(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    const MERGE: u8 = 1;
    const NOFLUSH: u8 = 2;
    const NOSAVE: u8 = 4;
    let mut options = 0;
    for a in args {
        let words = [("merge", MERGE), ("noflush", NOFLUSH), ("nosave", NOSAVE)];
        options |= keyword(a, &words).map_err(|_| {
            CmdError::err("DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
        })?;
    }
    let (merge, flush, save) = (
        options & MERGE != 0,
        options & NOFLUSH == 0,
        options & NOSAVE == 0,
    );
    let srv = ctx.srv;
    // The reload empties the keyspace wholesale: a running background save ends first.
    srv.keyspace.snapshots.wait();
    let config = srv.config.read();
    if save {
        snapshot::save(&srv.keyspace, &config, &srv.persist)
            .map_err(|_| CmdError::err("Error trying to save the RDB dump"))?;
    }
    if flush {
        srv.keyspace.clear_for_reload();
    }
    ctx.fx.propagate_nothing();
    match snapshot::load(&srv.keyspace, &config, &srv.persist, merge) {
        Ok(_) => {
            tracing::info!("DB reloaded by DEBUG RELOAD");
            ctx.out.ok();
            Ok(())
        }
        Err(e) => {
            tracing::warn!("{e}");
            Err(CmdError::err("Error trying to load the RDB dump"))
        }
    }
}
