//! The connection family: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT and CLIENT.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;

use super::keys::db_index;
use crate::base::clock::now_ms;
use crate::base::error::{CmdError, CmdResult};
use crate::base::handle::ClientHandle;
use crate::command::ctx::{int_arg, is, keyword, Ctx};
use crate::command::{acl, flag, Command, Handler, Table};
use crate::observe::tracking::mode;
use crate::state::client::{argv_mem, After, ReplyMode};
use crate::state::State;
const CONN: u64 = acl::CONNECTION;
const FAST: u32 = flag::FAST;
const ANY: u32 = flag::NOSCRIPT | flag::LOADING | flag::STALE;

const fn cl(name: &'static str, arity: i32, flags: u32, acl: u64, h: Handler) -> Command {
    Command::new(name, arity, ANY | flags, CONN | acl, h).doc("connection", "2.4.0", "")
}

#[rustfmt::skip]
static CLIENT: &[Command] = &[
    cl("id", 2, 0, acl::SLOW, client_id).doc("connection", "5.0.0", "Returns the unique client ID of the connection."),
    cl("info", 2, 0, acl::SLOW, client_info).doc("connection", "6.2.0", "Returns information about the connection."),
    cl("list", -2, flag::ADMIN, acl::ADMIN | acl::SLOW | acl::DANGEROUS, client_list).doc("connection", "2.4.0", "Lists open connections."),
    cl("kill", -3, flag::ADMIN, acl::ADMIN | acl::SLOW | acl::DANGEROUS, client_kill).doc("connection", "2.4.0", "Terminates open connections."),
    cl("setname", 3, 0, acl::SLOW, client_setname).doc("connection", "2.6.9", "Sets the connection name."),
    cl("getname", 2, 0, acl::SLOW, client_getname).doc("connection", "2.6.9", "Returns the name of the connection."),
    cl("pause", -3, flag::ADMIN, acl::ADMIN | acl::SLOW | acl::DANGEROUS, client_pause).doc("connection", "3.0.0", "Suspends commands processing."),
    cl("unpause", 2, flag::ADMIN, acl::ADMIN | acl::SLOW | acl::DANGEROUS, client_unpause).doc("connection", "6.2.0", "Resumes processing commands from paused clients."),
    cl("reply", 3, 0, acl::SLOW, client_reply).doc("connection", "3.2.0", "Instructs the server whether to reply to commands."),
    cl("no-evict", 3, flag::ADMIN, acl::ADMIN | acl::SLOW | acl::DANGEROUS, client_no_evict).doc("connection", "7.0.0", "Sets the client eviction mode of the connection."),
    cl("no-touch", 3, 0, acl::SLOW, client_no_touch).doc("connection", "7.2.0", "Controls whether commands sent by the client affect the LRU/LFU of accessed keys."),
    cl("tracking", -3, 0, acl::SLOW, client_tracking).doc("connection", "6.0.0", "Controls server-assisted client-side caching for the connection."),
    cl("caching", 3, 0, acl::SLOW, client_caching).doc("connection", "6.0.0", "Instructs the server whether to track the keys in the next request."),
    cl("trackinginfo", 2, 0, acl::SLOW, client_trackinginfo).doc("connection", "6.2.0", "Returns information about server-assisted client-side caching for the connection."),
    cl("getredir", 2, 0, acl::SLOW, client_getredir).doc("connection", "6.0.0", "Returns the client ID to which the connection's tracking notifications are redirected."),
    cl("unblock", -3, flag::ADMIN, acl::ADMIN | acl::SLOW | acl::DANGEROUS, client_unblock).doc("connection", "5.0.0", "Unblocks a client blocked by a blocking command from a different connection."),
    cl("help", 2, 0, acl::SLOW, client_help).doc("connection", "5.0.0", "Returns helpful text about the different subcommands."),
];

/// QUIT and RESET end a transaction and the subscribed mode.
const ENDS: u32 = flag::TX_CONTROL | flag::ENDS_TX | flag::SUBSCRIBED_OK;

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    Command::new("ping", -1, FAST | flag::SUBSCRIBED_OK, CONN | acl::FAST, ping).doc("connection", "1.0.0", "Returns the server's liveliness response."),
    Command::new("echo", 2, FAST, CONN | acl::FAST, echo).doc("connection", "1.0.0", "Returns the given string."),
    Command::new("quit", -1, ANY | FAST | flag::NO_AUTH | flag::ALLOW_BUSY | ENDS, CONN | acl::FAST, quit).doc("connection", "1.0.0", "Closes the connection."),
    Command::new("reset", 1, ANY | FAST | flag::NO_AUTH | flag::ALLOW_BUSY | ENDS, CONN | acl::FAST, reset).doc("connection", "6.2.0", "Resets the connection."),
    Command::new("hello", -1, ANY | FAST | flag::NO_AUTH | flag::ALLOW_BUSY, CONN | acl::FAST, hello).doc("connection", "6.0.0", "Handshakes with the Redis server."),
    Command::new("auth", -2, ANY | FAST | flag::NO_AUTH | flag::ALLOW_BUSY, CONN | acl::FAST, auth).doc("connection", "1.0.0", "Authenticates the connection."),
    Command::new("select", 2, flag::LOADING | flag::STALE | FAST, CONN | acl::FAST, select).doc("connection", "1.0.0", "Changes the selected database."),
    Command::container("client", acl::SLOW, CLIENT).doc("connection", "2.4.0", "A container for client connection commands."),
];

fn ping(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 2 {
        return Err(CmdError::WrongArity("ping".into()));
    }
    // A RESP2 client in subscribed mode gets PING's answer in the shape of a message.
    if ctx.out.proto == 2 && ctx.client.handle.subscriptions.load(Ordering::Relaxed) > 0 {
        ctx.out.array(2);
        ctx.out.bulk(b"pong");
        ctx.out.bulk(args.get(1).map_or(&b""[..], |a| &a[..]));
        return Ok(());
    }
    match args.get(1) {
        None => ctx.out.simple(b"PONG"),
        Some(a) => ctx.out.bulk(a),
    }
    Ok(())
}

fn echo(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.out.bulk(&args[1]);
    Ok(())
}

fn quit(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.client.after = After::Close;
    // QUIT is answered even when replies are switched off.
    ctx.client.reply_mode = ReplyMode::On;
    ctx.out.ok();
    Ok(())
}

fn reset(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let needs_auth = ctx.srv.config.read().requirepass().is_some();
    let c = &mut *ctx.client;
    c.db = 0;
    c.handle.db.store(0, Ordering::Relaxed);
    c.multi = None;
    ctx.srv.keyspace.watches.unwatch_all(&c.handle);
    ctx.srv.pubsub.remove_client(c.handle.id);
    c.handle.subscriptions.store(0, Ordering::Relaxed);
    ctx.srv.keyspace.tracking.disable(&c.handle);
    c.reply_mode = ReplyMode::On;
    c.no_touch = false;
    c.handle.no_evict.store(false, Ordering::Relaxed);
    c.authenticated = !needs_auth;
    *c.handle.name.lock() = None;
    ctx.out.proto = 2;
    c.handle.resp.store(2, Ordering::Relaxed);
    ctx.out.simple(b"RESET");
    Ok(())
}

/// Checks a password against `requirepass`.
fn check_password(srv: &State, user: Option<&[u8]>, pass: &[u8]) -> Result<(), CmdError> {
    let config = srv.config.read();
    let Some(required) = config.requirepass() else {
        return Err(CmdError::err("AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"));
    };
    if user.is_some_and(|u| u != b"default") || pass != required {
        return Err(CmdError::raw(
            "WRONGPASS invalid username-password pair or user is disabled.",
        ));
    }
    Ok(())
}

fn auth(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (user, pass) = match args.len() {
        2 => (None, &args[1]),
        3 => (Some(&args[1][..]), &args[2]),
        _ => return Err(CmdError::Syntax),
    };
    // With no password configured, AUTH with a user name is checked like a wrong password.
    if user.is_some() && ctx.srv.config.read().requirepass().is_none() {
        if user == Some(b"default") {
            ctx.client.authenticated = true;
            ctx.out.ok();
            return Ok(());
        }
        return Err(CmdError::raw(
            "WRONGPASS invalid username-password pair or user is disabled.",
        ));
    }
    check_password(ctx.srv, user, pass)?;
    ctx.client.authenticated = true;
    ctx.out.ok();
    Ok(())
}

fn hello(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut proto = ctx.out.proto;
    if let Some(v) = args.get(1) {
        let v = strnum::parse_i64(v)
            .ok_or_else(|| CmdError::err("Protocol version is not an integer or out of range"))?;
        if !(2..=3).contains(&v) {
            return Err(CmdError::raw("NOPROTO unsupported protocol version"));
        }
        proto = v as u8;
    }
    let mut name = None;
    let mut i = 2;
    while let Some(opt) = args.get(i) {
        let more = args.len() - i - 1;
        if is(opt, "auth") && more >= 2 {
            check_password(ctx.srv, Some(&args[i + 1]), &args[i + 2])?;
            ctx.client.authenticated = true;
            i += 3;
        } else if is(opt, "setname") && more >= 1 {
            validate_name(&args[i + 1])?;
            name = Some(Bytes::copy_from_slice(&args[i + 1]));
            i += 2;
        } else {
            return Err(CmdError::err(format!(
                "Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(opt)
            )));
        }
    }
    if !ctx.client.authenticated {
        return Err(CmdError::raw(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
        ));
    }
    if let Some(n) = name {
        *ctx.client.handle.name.lock() = (!n.is_empty()).then_some(n);
    }
    ctx.out.proto = proto;
    ctx.client
        .handle
        .resp
        .store(proto as usize, Ordering::Relaxed);
    let out = &mut *ctx.out;
    out.map(7);
    out.bulk(b"server");
    out.bulk(b"redis");
    out.bulk(b"version");
    out.bulk(crate::cmd::info::REDIS_VERSION.as_bytes());
    out.bulk(b"proto");
    out.int(proto as i64);
    out.bulk(b"id");
    out.int(ctx.client.handle.id as i64);
    out.bulk(b"mode");
    out.bulk(b"standalone");
    out.bulk(b"role");
    out.bulk(b"master");
    out.bulk(b"modules");
    out.array(0);
    Ok(())
}

fn select(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let db = db_index(ctx, &args[1], None)?;
    ctx.client.db = db;
    ctx.client.handle.db.store(db, Ordering::Relaxed);
    ctx.out.ok();
    Ok(())
}

fn client_id(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.out.int(ctx.client.handle.id as i64);
    Ok(())
}

/// One CLIENT LIST line for a client, newline included. `argv_mem` is the size of the command
/// it is running (the caller's own CLIENT LIST, or a blocked command), 0 for an idle client.
pub fn client_line(
    srv: &State,
    table: &Table,
    c: &ClientHandle,
    now: u64,
    argv_mem: usize,
) -> String {
    let name = c
        .name
        .lock()
        .as_ref()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    let cmd = match table.name_of(c.last_cmd.load(Ordering::Relaxed)) {
        Some((Some(p), cmd)) => format!("{p}|{cmd}"),
        Some((None, cmd)) => cmd.to_string(),
        None => "NULL".to_string(),
    };
    let mut flags = c.flags.lock().clone();
    if srv.keyspace.blocking.is_blocked(c.id) {
        flags.push('b');
    }
    let tracking = c.tracking.load(Ordering::Relaxed);
    for (bit, letter) in [
        (mode::ON, 't'),
        (mode::BROKEN_REDIRECT, 'R'),
        (mode::BCAST, 'B'),
    ] {
        if tracking & bit != 0 {
            flags.push(letter);
        }
    }
    let redir = if tracking & mode::ON != 0 {
        c.tracking_redirect.load(Ordering::Relaxed) as i64
    } else {
        -1
    };
    if c.unix {
        flags.push('U');
    }
    let subs = srv.pubsub.counts(c.id);
    if is_pubsub(&subs) {
        flags.push('P');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let qbuf = c.qbuf.load(Ordering::Relaxed);
    let omem = c.omem.load(Ordering::Relaxed);
    let multi_mem = c.multi_mem.load(Ordering::Relaxed);
    let rbs = c.reply_buf.load(Ordering::Relaxed);
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl=0 oll=0 omem={} tot-mem={} events=r cmd={} user=default redir={} resp={}\n",
        c.id,
        c.addr,
        c.laddr,
        c.id + 7,
        name,
        c.created.elapsed().as_secs(),
        now.saturating_sub(c.last_interaction.load(Ordering::Relaxed)) / 1000,
        flags,
        c.db.load(Ordering::Relaxed),
        subs[0],
        subs[1],
        subs[2],
        c.multi.load(Ordering::Relaxed),
        qbuf,
        16384usize.saturating_sub(qbuf),
        argv_mem,
        multi_mem,
        rbs,
        c.reply_peak.load(Ordering::Relaxed),
        omem,
        rbs + qbuf + omem + argv_mem + multi_mem,
        cmd,
        redir,
        c.resp.load(Ordering::Relaxed),
    )
}

fn client_info(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let line = client_line(
        ctx.srv,
        ctx.table,
        &ctx.client.handle,
        now_ms(),
        argv_mem(args),
    );
    ctx.out.verbatim(line.as_bytes());
    Ok(())
}

/// The client types the TYPE filters of CLIENT LIST and CLIENT KILL name. Masters and replicas
/// are accepted but match nobody until replication exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientType {
    Normal,
    Pubsub,
    Replication,
}

fn client_type(a: &[u8]) -> Result<ClientType, CmdError> {
    let t = if is(a, "normal") {
        ClientType::Normal
    } else if is(a, "pubsub") {
        ClientType::Pubsub
    } else if ["master", "replica", "slave"].iter().any(|t| is(a, t)) {
        ClientType::Replication
    } else {
        return Err(CmdError::err(format!(
            "Unknown client type '{}'",
            String::from_utf8_lossy(a)
        )));
    };
    Ok(t)
}

/// A client's type as Redis classifies it: one with any subscription is a pub/sub client
/// (MONITOR clients count as normal, as in Redis).
fn type_of(srv: &State, c: &ClientHandle) -> ClientType {
    if is_pubsub(&srv.pubsub.counts(c.id)) {
        ClientType::Pubsub
    } else {
        ClientType::Normal
    }
}

/// Whether subscription counts (channels, patterns, shard channels) make a pub/sub client.
fn is_pubsub(counts: &[usize]) -> bool {
    counts.iter().any(|&n| n > 0)
}

fn client_list(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let clients: Vec<_> = ctx.srv.clients.lock().values().cloned().collect();
    let mut ids: Option<Vec<u64>> = None;
    let mut kind = None;
    match args.len() {
        2 => {}
        4 if is(&args[2], "type") => kind = Some(client_type(&args[3])?),
        n if n > 3 && is(&args[2], "id") => {
            let mut v = Vec::new();
            for a in &args[3..] {
                match strnum::parse_i64(a) {
                    Some(id) if id > 0 => v.push(id as u64),
                    _ => return Err(CmdError::err("Invalid client ID")),
                }
            }
            ids = Some(v);
        }
        _ => return Err(CmdError::Syntax),
    }
    let now = now_ms();
    let mut text = String::new();
    for c in &clients {
        if ids.as_ref().is_none_or(|ids| ids.contains(&c.id))
            && kind.is_none_or(|k| k == type_of(ctx.srv, c))
        {
            // The caller's own command is running; a blocked client keeps its command.
            let argv = if c.id == ctx.client.handle.id {
                argv_mem(args)
            } else {
                ctx.srv
                    .keyspace
                    .blocking
                    .waiter(c.id)
                    .map_or(0, |(a, ..)| argv_mem(&a))
            };
            text.push_str(&client_line(ctx.srv, ctx.table, c, now, argv));
        }
    }
    ctx.out.verbatim(text.as_bytes());
    Ok(())
}

fn client_kill(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let clients: Vec<_> = ctx.srv.clients.lock().values().cloned().collect();
    let me = ctx.client.handle.id;
    if args.len() == 3 {
        // The old form: CLIENT KILL ip:port.
        let target = clients.iter().find(|c| c.addr.as_bytes() == &args[2][..]);
        let Some(c) = target else {
            return Err(CmdError::err("No such client"));
        };
        kill(ctx, c);
        ctx.out.ok();
        return Ok(());
    }
    let mut id = None;
    let mut addr = None;
    let mut laddr = None;
    let mut kind = None;
    let mut skipme = true;
    let mut maxage = None;
    let mut i = 2;
    while i < args.len() {
        let Some(v) = args.get(i + 1) else {
            return Err(CmdError::Syntax);
        };
        let a = &args[i];
        if is(a, "id") {
            match strnum::parse_i64(v) {
                Some(n) if n > 0 => id = Some(n as u64),
                _ => return Err(CmdError::err("client-id should be greater than 0")),
            }
        } else if is(a, "type") {
            kind = Some(client_type(v)?);
        } else if is(a, "addr") {
            addr = Some(v.clone());
        } else if is(a, "laddr") {
            laddr = Some(v.clone());
        } else if is(a, "user") {
            if &v[..] != b"default" {
                return Err(CmdError::err(format!(
                    "No such user '{}'",
                    String::from_utf8_lossy(v)
                )));
            }
        } else if is(a, "skipme") {
            skipme = keyword(v, &[("yes", true), ("no", false)])?;
        } else if is(a, "maxage") {
            maxage = Some(int_arg(v)?);
        } else {
            return Err(CmdError::Syntax);
        }
        i += 2;
    }
    let mut killed = 0;
    for c in &clients {
        let matches = kind.is_none_or(|k| k == type_of(ctx.srv, c))
            && id.is_none_or(|id| c.id == id)
            && addr.as_ref().is_none_or(|a| c.addr.as_bytes() == &a[..])
            && laddr.as_ref().is_none_or(|a| c.laddr.as_bytes() == &a[..])
            && maxage.is_none_or(|m| c.created.elapsed().as_secs() as i64 >= m)
            && !(skipme && c.id == me);
        if matches {
            kill(ctx, c);
            killed += 1;
        }
    }
    ctx.out.int(killed);
    Ok(())
}

/// Disconnects a client; the calling client itself is closed after its reply is written.
fn kill(ctx: &mut Ctx<'_>, c: &ClientHandle) {
    if c.id == ctx.client.handle.id {
        ctx.client.after = After::Close;
    } else {
        c.killed.store(true, Ordering::Relaxed);
        c.kill.notify_one();
    }
}

/// Redis's rule for client names: printable ASCII without spaces.
fn validate_name(n: &[u8]) -> CmdResult {
    if n.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
        return Err(CmdError::err(
            "Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    Ok(())
}

fn client_setname(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let n = &args[2];
    validate_name(n)?;
    // Copied, so that the name does not keep the request buffer it arrived in alive.
    *ctx.client.handle.name.lock() = (!n.is_empty()).then(|| Bytes::copy_from_slice(n));
    ctx.out.ok();
    Ok(())
}

fn client_getname(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let name = ctx.client.handle.name.lock().clone();
    match name {
        Some(n) => ctx.out.bulk(&n),
        None => ctx.out.null(),
    }
    Ok(())
}

fn client_pause(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let ms = strnum::parse_i64(&args[2])
        .filter(|&n| n >= 0)
        .ok_or_else(|| CmdError::err("timeout is not an integer or out of range"))?;
    let write_only = match args.get(3) {
        None => false,
        Some(m) if args.len() == 4 && is(m, "write") => true,
        Some(m) if args.len() == 4 && is(m, "all") => false,
        Some(_) => return Err(CmdError::err("CLIENT PAUSE mode must be WRITE or ALL")),
    };
    let srv = ctx.srv;
    let until = ctx.now.saturating_add(ms as u64);
    // A new pause never shortens or weakens one already in force.
    if srv.is_paused() {
        srv.keyspace.pause_until.fetch_max(until, Ordering::Relaxed);
        if !write_only {
            srv.pause_write_only.store(false, Ordering::Relaxed);
        }
    } else {
        srv.pause_write_only.store(write_only, Ordering::Relaxed);
        srv.keyspace.pause_until.store(until, Ordering::Relaxed);
    }
    ctx.out.ok();
    Ok(())
}

fn client_unpause(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.srv.keyspace.pause_until.store(0, Ordering::Relaxed);
    ctx.srv.unpaused.notify_waiters();
    ctx.out.ok();
    Ok(())
}

fn client_reply(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let a = &args[2];
    if is(a, "on") {
        ctx.client.reply_mode = ReplyMode::On;
        ctx.out.ok();
    } else if is(a, "off") {
        ctx.client.reply_mode = ReplyMode::Off;
    } else if is(a, "skip") {
        // The SKIP applies to the next command, not to this one, whose reply is not sent either.
        ctx.client.reply_mode = ReplyMode::Skip;
    } else {
        return Err(CmdError::Syntax);
    }
    Ok(())
}

/// Parses CLIENT NO-EVICT / NO-TOUCH's on|off argument.
fn on_off(a: &[u8]) -> Result<bool, CmdError> {
    keyword(a, &[("on", true), ("off", false)])
}

fn client_no_evict(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let on = on_off(&args[2])?;
    ctx.client.handle.no_evict.store(on, Ordering::Relaxed);
    ctx.out.ok();
    Ok(())
}

fn client_no_touch(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.client.no_touch = on_off(&args[2])?;
    ctx.out.ok();
    Ok(())
}

/// The redirect of a tracking client (0: none), or -1 when tracking is off.
fn tracking_redirect(c: &ClientHandle) -> i64 {
    if c.tracking.load(Ordering::Relaxed) & mode::ON != 0 {
        c.tracking_redirect.load(Ordering::Relaxed) as i64
    } else {
        -1
    }
}

fn client_getredir(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.out.int(tracking_redirect(&ctx.client.handle));
    Ok(())
}

/// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP],
/// with Redis's checks in Redis's order.
fn client_tracking(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut redirect: Option<Arc<ClientHandle>> = None;
    let mut options = 0;
    let mut prefixes: Vec<Bytes> = Vec::new();
    let mut j = 3;
    while let Some(a) = args.get(j) {
        let next = args.get(j + 1);
        match next {
            Some(id) if is(a, "redirect") => {
                if redirect.is_some() {
                    return Err(CmdError::err(
                        "A client can only redirect to a single other client",
                    ));
                }
                let id = int_arg(id)?;
                // The target must exist now, even though it may go away later.
                let target = u64::try_from(id)
                    .ok()
                    .and_then(|id| ctx.srv.clients.lock().get(&id).cloned());
                let Some(target) = target else {
                    return Err(CmdError::err(
                        "The client ID you want redirect to does not exist",
                    ));
                };
                redirect = Some(target);
                j += 2;
                continue;
            }
            Some(p) if is(a, "prefix") => {
                prefixes.push(p.clone());
                j += 2;
                continue;
            }
            _ => {}
        }
        options |= keyword(
            a,
            &[
                ("bcast", mode::BCAST),
                ("optin", mode::OPTIN),
                ("optout", mode::OPTOUT),
                ("noloop", mode::NOLOOP),
            ],
        )?;
        j += 1;
    }
    let tracking = &ctx.srv.keyspace.tracking;
    let handle = &ctx.client.handle;
    if is(&args[2], "off") {
        tracking.disable(handle);
        ctx.out.ok();
        return Ok(());
    }
    if !is(&args[2], "on") {
        return Err(CmdError::Syntax);
    }
    let current = handle.tracking.load(Ordering::Relaxed);
    let bcast = options & mode::BCAST != 0;
    if !bcast && !prefixes.is_empty() {
        return Err(CmdError::err(
            "PREFIX option requires BCAST mode to be enabled",
        ));
    }
    if current & mode::ON != 0 && (current & mode::BCAST != 0) != bcast {
        return Err(CmdError::err("You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."));
    }
    if bcast && options & (mode::OPTIN | mode::OPTOUT) != 0 {
        return Err(CmdError::err(
            "OPTIN and OPTOUT are not compatible with BCAST",
        ));
    }
    if options & mode::OPTIN != 0 && options & mode::OPTOUT != 0 {
        return Err(CmdError::err(
            "You can't specify both OPTIN mode and OPTOUT mode",
        ));
    }
    if (options & mode::OPTIN != 0 && current & mode::OPTOUT != 0)
        || (options & mode::OPTOUT != 0 && current & mode::OPTIN != 0)
    {
        return Err(CmdError::err("You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."));
    }
    if bcast {
        if let Some(msg) = tracking.prefix_conflict(handle.id, &prefixes) {
            return Err(CmdError::err(msg));
        }
    }
    tracking.enable(handle, redirect, options, &prefixes);
    ctx.out.ok();
    Ok(())
}

/// CLIENT CACHING YES|NO: whether the next command's keys are remembered (OPTIN / OPTOUT).
fn client_caching(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let handle = &ctx.client.handle;
    let current = handle.tracking.load(Ordering::Relaxed);
    if current & mode::ON == 0 {
        return Err(CmdError::err("CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"));
    }
    if is(&args[2], "yes") {
        if current & mode::OPTIN == 0 {
            return Err(CmdError::err(
                "CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            ));
        }
    } else if is(&args[2], "no") {
        if current & mode::OPTOUT == 0 {
            return Err(CmdError::err(
                "CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            ));
        }
    } else {
        return Err(CmdError::Syntax);
    }
    handle.tracking.fetch_or(mode::CACHING, Ordering::Relaxed);
    ctx.out.ok();
    Ok(())
}

/// CLIENT TRACKINGINFO: the flags (a set), the redirect and the BCAST prefixes.
fn client_trackinginfo(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let handle = &ctx.client.handle;
    let t = handle.tracking.load(Ordering::Relaxed);
    // Each mode's name, and what CLIENT CACHING set under it, in Redis's order.
    const MODES: [(u32, &[u8], &[u8]); 5] = [
        (mode::BCAST, b"bcast", b""),
        (mode::OPTIN, b"optin", b"caching-yes"),
        (mode::OPTOUT, b"optout", b"caching-no"),
        (mode::NOLOOP, b"noloop", b""),
        (mode::BROKEN_REDIRECT, b"broken_redirect", b""),
    ];
    let mut flags: Vec<&[u8]> = vec![if t & mode::ON != 0 { b"on" } else { b"off" }];
    for (bit, name, caching) in MODES {
        if t & bit != 0 {
            flags.push(name);
            if t & mode::CACHING != 0 && !caching.is_empty() {
                flags.push(caching);
            }
        }
    }
    let prefixes = ctx.srv.keyspace.tracking.prefixes_of(handle.id);
    let redirect = tracking_redirect(handle);
    let out = &mut *ctx.out;
    out.map(3);
    out.bulk(b"flags");
    out.set(flags.len());
    for f in flags {
        out.bulk(f);
    }
    out.bulk(b"redirect");
    out.int(redirect);
    out.bulk(b"prefixes");
    out.array(prefixes.len());
    for p in &prefixes {
        out.bulk(p);
    }
    Ok(())
}

fn client_unblock(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let id = int_arg(&args[2])?;
    let error = match args.get(3) {
        None => false,
        Some(m) if args.len() == 4 && is(m, "timeout") => false,
        Some(m) if args.len() == 4 && is(m, "error") => true,
        Some(_) => {
            return Err(CmdError::err(
                "CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
            ))
        }
    };
    let blocking = &ctx.srv.keyspace.blocking;
    let waiter = {
        let _serving = blocking.serve.lock();
        u64::try_from(id).ok().and_then(|id| blocking.remove(id))
    };
    match waiter {
        Some(w) => {
            let reply = if error {
                Bytes::from_static(b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
            } else {
                w.timeout_reply
            };
            let _ = w.reply.send(reply);
            ctx.out.int(1);
        }
        None => ctx.out.int(0),
    }
    Ok(())
}

fn client_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    super::help(
        ctx,
        "CLIENT",
        &[
            "GETNAME",
            "    Name of the current connection, or nil.",
            "GETREDIR",
            "    Id of the client tracking notifications are redirected to (-1: none).",
            "CACHING (YES|NO)",
            "    Whether the keys of the next command are tracked (OPTIN / OPTOUT modes).",
            "ID",
            "    Id of the current connection.",
            "INFO",
            "    Information about the current connection.",
            "KILL <ip:port> | <filter> [value] ... [<filter> [value]]",
            "    Close matching connections. Filters: ID, TYPE, ADDR, LADDR, USER, SKIPME, MAXAGE.",
            "LIST [TYPE <type>] [ID <id> [<id> ...]]",
            "    Information about connections.",
            "NO-EVICT (ON|OFF)",
            "    Exempt the current connection from client eviction.",
            "NO-TOUCH (ON|OFF)",
            "    Stop this connection's reads from refreshing keys' access time.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Hold clients' commands for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Switch replies on or off, or skip the next command's reply.",
            "SETNAME <name>",
            "    Name the current connection.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]] [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server-assisted client-side caching of keys.",
            "TRACKINGINFO",
            "    Tracking status of the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock a client blocked in a blocking command.",
            "UNPAUSE",
            "    End a CLIENT PAUSE.",
        ],
    );
    Ok(())
}
