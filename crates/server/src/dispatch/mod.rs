//! The dispatcher: one command through its phases (lookup, the checks, the run under the right
//! lock, accounting), clients blocked on keys served after it, and what the connection must do
//! next handed back as one value.

mod server;

pub use server::Server;

use quanta::Instant;
use std::sync::atomic::Ordering;

use bytes::Bytes;

use crate::base::changes::Effects;
use crate::base::clock::wall_ms;
use crate::base::error::{BlockOn, CmdError, CmdResult};
use crate::base::reply::Out;
use crate::base::running::Running;
use crate::command::ctx::Ctx;
use crate::command::{flag, Entry};
use crate::state::client::{argv_mem, After, Client, Parked, ReplyMode};
/// Executes one command and writes its reply (or error) to `out`; says what the connection
/// must do next.
pub fn execute(srv: &Server, client: &mut Client, out: &mut Out, args: &[Bytes]) -> After {
    let Some(name) = args.first() else {
        return After::Next;
    };
    let mark = out.mark();
    out.kept = 0;
    let before = client.reply_mode;
    // One relaxed load when nobody uses client-side caching.
    let tracking = srv.keyspace.tracking.active();
    let running = Running::new(client.handle.id);
    run(srv, client, out, args, &running);
    // CLIENT LIST shows how many commands a transaction holds; a store only while one is
    // open or has just ended.
    let queued = client.multi.as_ref().map_or(-1, |m| m.queue.len() as i64);
    if queued != -1 || client.handle.multi.load(Ordering::Relaxed) != -1 {
        client.handle.multi.store(queued, Ordering::Relaxed);
        let mem = client.multi.as_ref().map_or(0, |m| m.mem);
        client.handle.multi_mem.store(mem, Ordering::Relaxed);
    }
    let suppress = match before {
        ReplyMode::On => false,
        // CLIENT REPLY ON answers even though replies were off or skipped.
        ReplyMode::Off => client.reply_mode != ReplyMode::On,
        ReplyMode::Skip => match client.reply_mode {
            ReplyMode::On => false,
            ReplyMode::Off => true,
            ReplyMode::Skip => {
                client.reply_mode = ReplyMode::On;
                true
            }
        },
    };
    if suppress {
        out.truncate(mark.max(out.kept));
    }
    if tracking || !running.pending.borrow().is_empty() {
        // Invalidations the command caused for its own client follow its reply, and are
        // sent even when replies are off.
        let queueing = client.multi.is_some();
        srv.keyspace
            .tracking
            .end_command(&running, &client.handle, queueing, out, name);
    }
    std::mem::take(&mut client.after)
}

/// Executes a command and then serves clients blocked on the keys it changed.
fn run(srv: &Server, client: &mut Client, out: &mut Out, args: &[Bytes], running: &Running) {
    match run_once(srv, client, out, args, None, running) {
        Some(Wait::Keys(block)) => park(srv, client, args, *block),
        Some(Wait::Pause) => client.after = After::Pause(args.to_vec()),
        None => {}
    }
    if srv.keyspace.blocking.has_ready() {
        serve_blocked(srv, running);
    }
}

/// Parks `client` on the keys of a command that asked to block.
fn park(srv: &Server, client: &mut Client, args: &[Bytes], block: BlockOn) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    client.after = After::Block(Parked {
        reply: rx,
        deadline: block.deadline,
        timeout_reply: block.timeout_reply.clone(),
    });
    srv.keyspace
        .blocking
        .park(crate::observe::blocking::Waiter {
            handle: client.handle.clone(),
            db: client.db,
            proto: client.handle.resp.load(Ordering::Relaxed) as u8,
            // Copies: a waiter can live long, and slices would pin its request buffer.
            args: block
                .args
                .unwrap_or_else(|| args.iter().map(|a| Bytes::copy_from_slice(a)).collect()),
            keys: block.keys,
            timeout_reply: block.timeout_reply,
            reply: tx,
            serve_all: block.serve_all,
        });
}

/// Serves clients blocked on keys that became ready: for each key, oldest waiter first, runs
/// the waiter's command again on its behalf and sends it the reply. Once a consuming waiter
/// (a pop) would block again the key is drained for every later pop, which are skipped;
/// waiters that do not consume (XREAD) or consume per group (XREADGROUP) are each tried.
pub fn serve_blocked(srv: &Server, running: &Running) {
    let blocking = &srv.keyspace.blocking;
    let _serving = blocking.serve.lock();
    loop {
        let ready = blocking.take_ready();
        if ready.is_empty() {
            return;
        }
        for (db, key) in ready {
            let mut drained = false;
            for id in blocking.waiter_ids(db, &key) {
                // A waiter served through another key of this batch is gone already.
                let Some((args, handle, proto, serve_all)) = blocking.waiter(id) else {
                    continue;
                };
                if drained && !serve_all {
                    continue;
                }
                let mut client = Client::new(handle, true);
                client.db = db;
                client.serving = true;
                let mut out = Out::new(proto);
                // Its invalidations for the client whose command served it follow that reply.
                if run_once(srv, &mut client, &mut out, &args, None, running).is_some() {
                    // Still nothing for it (or the server is paused): it keeps waiting.
                    drained |= !serve_all;
                    continue;
                }
                if let Some(w) = blocking.remove(id) {
                    let _ = w.reply.send(out.buf.freeze());
                }
            }
        }
    }
}

/// Why a command did not run yet and its client must wait.
enum Wait {
    /// A blocking command waits for its keys.
    Keys(Box<BlockOn>),
    /// CLIENT PAUSE holds the command until the pause ends.
    Pause,
}

/// What a check decides about a command.
enum Flow {
    /// On to the next check.
    Go,
    /// The command is answered already (refused, or queued by MULTI).
    Done,
    /// The client must wait before the command can run.
    Wait(Wait),
}

/// What the phases of one command share: the server, the command's table entry, its
/// arguments and the client it runs for.
#[derive(Clone, Copy)]
struct Call<'a> {
    srv: &'a Server,
    entry: &'a Entry,
    args: &'a [Bytes],
    running: &'a Running,
}

/// Runs the checks a command passes between lookup and run, in order, each a function of the
/// call, the client and the reply buffer deciding a `Flow`; written as direct calls so that
/// the hot path's checks inline.
macro_rules! gates {
    ($call:expr, $client:expr, $out:expr; $($gate:ident),* $(,)?) => {
        $(
            match $gate($call, $client, $out) {
                Flow::Go => {}
                Flow::Done => return None,
                Flow::Wait(w) => return Some(w),
            }
        )*
    };
}

/// Runs one command through the phases of dispatch: lookup, the checks (`gates!`), the run
/// under its lock, accounting. Says why the client must wait when the command did not run. A
/// command queued by a transaction adds its effects to EXEC's (`within`); any other
/// command's effects are its own, committed to the change stream.
fn run_once(
    srv: &Server,
    client: &mut Client,
    out: &mut Out,
    args: &[Bytes],
    within: Option<&Effects>,
    running: &Running,
) -> Option<Wait> {
    let entry = lookup(srv, client, out, args)?;
    // The checks, in Redis's order: authentication, the RESP2 subscribed context, the
    // tracking table's limit, memory, `min-replicas-to-write`, MULTI queueing, CLIENT PAUSE.
    let call = Call {
        srv,
        entry,
        args,
        running,
    };
    gates!(&call, client, out;
        authenticated,
        subscribed_context,
        tracking_limit,
        memory,
        disk_error,
        loading,
        min_replicas,
        queue_in_multi,
        pause,
    );
    let started = client.next_start.take().unwrap_or_else(Instant::now);
    let result = run_handler(&call, client, out, wall_ms(started), within);
    let ended = Instant::now();
    client.next_start = Some(ended);
    // A command that waits (or, retried for a blocked client, must keep waiting) is accounted
    // for when it is finally served.
    if let Err(CmdError::Block(b)) = result {
        return Some(Wait::Keys(b));
    }
    account(&call, client, out, ended.duration_since(started), result);
    None
}

/// Lookup: the command, its subcommand and its arity. Replies the error and returns `None`
/// when one is wrong (which makes a transaction being queued abort).
#[inline]
fn lookup<'s>(
    srv: &'s Server,
    client: &mut Client,
    out: &mut Out,
    args: &[Bytes],
) -> Option<&'s Entry> {
    let name = args.first()?;
    let Some(mut entry) = srv.table.get(name) else {
        let msg = unknown_command(name, &args[1..]);
        reply_error(srv, out, &msg);
        abort_multi(client);
        return None;
    };
    if !entry.subs.is_empty() && args.len() >= 2 {
        match entry.sub(&args[1]) {
            Some(sub) => entry = sub,
            None => {
                let msg = format!(
                    "ERR unknown subcommand '{}'. Try {} HELP.",
                    truncated(&args[1]),
                    entry.cmd.name.to_uppercase()
                );
                reply_error(srv, out, &msg);
                abort_multi(client);
                return None;
            }
        }
    }
    if !entry.cmd.arity_ok(args.len()) || entry.cmd.handler.is_none() {
        reject(srv, out, entry, &CmdError::WrongArity(entry.full_name()));
        abort_multi(client);
        return None;
    }
    Some(entry)
}

#[inline]
fn authenticated(call: &Call<'_>, c: &mut Client, out: &mut Out) -> Flow {
    let Call { srv, entry: e, .. } = *call;
    if c.authenticated || e.cmd.flags & flag::NO_AUTH != 0 {
        return Flow::Go;
    }
    reject(
        srv,
        out,
        e,
        &CmdError::raw("NOAUTH Authentication required."),
    );
    abort_multi(c);
    Flow::Done
}

/// A RESP2 client with subscriptions may only (un)subscribe, ping, quit and reset.
#[inline]
fn subscribed_context(call: &Call<'_>, c: &mut Client, out: &mut Out) -> Flow {
    let Call { srv, entry: e, .. } = *call;
    if out.proto != 2
        || e.cmd.flags & flag::SUBSCRIBED_OK != 0
        || c.handle.subscriptions.load(Ordering::Relaxed) == 0
    {
        return Flow::Go;
    }
    let msg = format!(
        "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
        e.full_name()
    );
    reject(srv, out, e, &CmdError::Other(msg.into()));
    Flow::Done
}

/// As in Redis, the tracking table limit is enforced before any command, queued ones too, and
/// invalidations already due to this client go ahead of its reply.
#[inline]
fn tracking_limit(call: &Call<'_>, c: &mut Client, out: &mut Out) -> Flow {
    let Call { srv, running, .. } = *call;
    if !c.in_exec && !c.serving && srv.keyspace.tracking.active() {
        srv.keyspace.tracking.before_command(running, out, true);
    }
    Flow::Go
}

/// Over `maxmemory`, keys are evicted first; commands that may grow memory are refused if
/// that was not enough.
#[inline]
fn memory(call: &Call<'_>, c: &mut Client, out: &mut Out) -> Flow {
    let Call { srv, running, .. } = *call;
    if c.in_exec || srv.hot.maxmemory.load(Ordering::Relaxed) == 0 {
        return Flow::Go;
    }
    let verdict = {
        let _shared = srv.exclusive.read();
        crate::state::evict::make_room(srv, Some(running))
    };
    // Invalidations of evicted keys reach this client before its reply.
    if !c.serving && srv.keyspace.tracking.active() {
        srv.keyspace.tracking.before_command(running, out, false);
    }
    if verdict == crate::state::evict::Verdict::OutOfMemory && refused_on_oom(c, call.entry) {
        return refuse(
            call,
            c,
            out,
            "OOM command not allowed when used memory > 'maxmemory'.",
        );
    }
    Flow::Go
}

/// After a failed background save, with save points set and `stop-writes-on-bgsave-error`
/// on, writes are refused until a save succeeds.
#[inline]
fn disk_error(call: &Call<'_>, c: &mut Client, out: &mut Out) -> Flow {
    if c.in_exec
        || !call.srv.persist.writes_refused()
        || queued_or_own_flags(c, call.entry) & flag::WRITE == 0
    {
        return Flow::Go;
    }
    refuse(call, c, out, "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.")
}

/// While the snapshot file loads at start-up, only commands flagged for it run.
#[inline]
fn loading(call: &Call<'_>, c: &mut Client, out: &mut Out) -> Flow {
    if call.entry.cmd.flags & flag::LOADING != 0
        || !call.srv.persist.loading.load(Ordering::Relaxed)
    {
        return Flow::Go;
    }
    refuse(
        call,
        c,
        out,
        "LOADING Redis is loading the dataset in memory",
    )
}

/// With no replica connected, `min-replicas-to-write` refuses every write.
#[inline]
fn min_replicas(call: &Call<'_>, c: &mut Client, out: &mut Out) -> Flow {
    let Call { srv, entry: e, .. } = *call;
    if c.in_exec
        || !srv.hot.min_replicas_unmet.load(Ordering::Relaxed)
        || queued_or_own_flags(c, e) & flag::WRITE == 0
    {
        return Flow::Go;
    }
    refuse(
        call,
        c,
        out,
        "NOREPLICAS Not enough good replicas to write.",
    )
}

/// Inside MULTI, commands are queued for EXEC, except those that control the transaction.
#[inline]
fn queue_in_multi(call: &Call<'_>, c: &mut Client, out: &mut Out) -> Flow {
    let Call { srv, args, .. } = *call;
    let e = call.entry;
    let Some(multi) = c.multi.as_mut() else {
        return Flow::Go;
    };
    if e.cmd.flags & flag::TX_CONTROL != 0 {
        return Flow::Go;
    }
    if e.cmd.flags & flag::NO_MULTI != 0 {
        multi.aborted = true;
        let err = CmdError::err("Command not allowed inside a transaction");
        reject(srv, out, e, &err);
        return Flow::Done;
    }
    multi.queue.push(args.to_vec());
    multi.flags |= e.cmd.flags;
    multi.mem += argv_mem(args) + std::mem::size_of::<usize>() * args.len();
    out.simple(b"QUEUED");
    Flow::Done
}

/// CLIENT PAUSE holds the commands it covers until it ends.
#[inline]
fn pause(call: &Call<'_>, c: &mut Client, _: &mut Out) -> Flow {
    let Call { srv, entry: e, .. } = *call;
    if !c.in_exec && srv.paused_for(e, c) {
        return Flow::Wait(Wait::Pause);
    }
    Flow::Go
}

/// Runs the handler at time `now` under the right lock, then the transaction EXEC accepted,
/// and records the command's effects.
#[inline]
fn run_handler(
    call: &Call<'_>,
    client: &mut Client,
    out: &mut Out,
    now: u64,
    within: Option<&Effects>,
) -> CmdResult {
    let Call {
        srv,
        entry,
        args,
        running,
    } = *call;
    let cmd = entry.cmd;
    let handler = cmd
        .handler
        .ok_or_else(|| CmdError::WrongArity(entry.full_name()))?;
    client.handle.last_interaction.store(now, Ordering::Relaxed);
    client.handle.last_cmd.store(entry.id, Ordering::Relaxed);
    // A command queued by a transaction joins EXEC's effects; any other has its own.
    let own = within
        .is_none()
        .then(|| Effects::new(&srv.keyspace.changes, client.replaying, Some(running)));
    let Some(fx) = within.or(own.as_ref()) else {
        return Ok(());
    };
    let result = {
        // Commands that cannot name their keys in advance run alone; every other command runs
        // beside others and locks only the shards it touches.
        // Commands queued by a transaction run under EXEC's exclusive lock already.
        let exclusive = cmd.flags & flag::EXCLUSIVE != 0;
        let _shared = (!client.in_exec && !exclusive).then(|| srv.exclusive.read());
        let _exclusive = (!client.in_exec && exclusive).then(|| srv.exclusive.write());
        let db = client.db;
        let mark = fx.begin();
        let mut ctx = Ctx {
            srv,
            table: &srv.table,
            client,
            out,
            now,
            fx,
        };
        let result = handler(&mut ctx, args);
        // EXEC accepted its transaction: the queued commands run now, under its lock, their
        // effects joining its own.
        if let Some(queue) = client.transaction.take() {
            run_transaction(srv, client, out, &queue, fx, running);
        }
        fx.end(mark, db, args);
        result
    };
    if let Some(own) = own {
        let changes = own.unsaved();
        if changes > 0 {
            srv.keyspace
                .stats
                .dirty
                .fetch_add(changes, Ordering::Relaxed);
        }
        own.commit(&srv.keyspace.changes);
    }
    result
}

/// Accounting once a command ran: the keys a tracking client read, MONITOR, statistics, the
/// error reply, the slow log and latency monitor.
#[inline]
fn account(
    call: &Call<'_>,
    client: &mut Client,
    out: &mut Out,
    took: std::time::Duration,
    result: CmdResult,
) {
    let Call {
        srv, entry, args, ..
    } = *call;
    let flags = entry.cmd.flags;
    // Shard channels look like keys to the key finder but are not cached data.
    if flags & flag::READONLY != 0 && flags & flag::PUBSUB == 0 && srv.keyspace.tracking.active() {
        let keys = entry.cmd.keys_of(args);
        let read = keys.iter().filter_map(|&i| args.get(i)).map(|a| &a[..]);
        srv.keyspace.tracking.after_read(&client.handle, read);
    }
    // MONITOR sees a command once it ran (so EXEC's commands come before EXEC itself), and
    // never sees administrative ones.
    if flags & (flag::SKIP_MONITOR | flag::ADMIN) == 0 && srv.has_monitors() {
        srv.monitor_feed(client, &server::redact(entry, args));
    }
    let nanos = took.as_nanos() as u64;
    entry.stats.calls.fetch_add(1, Ordering::Relaxed);
    entry.stats.usec.fetch_add(nanos / 1000, Ordering::Relaxed);
    srv.stats.commands.fetch_add(1, Ordering::Relaxed);
    if let Err(e) = result {
        entry.stats.failed.fetch_add(1, Ordering::Relaxed);
        reply_error(srv, out, &e.message());
    }
    srv.after_command(client, entry, args, nanos);
}

/// Refuses a command before it runs. A refused EXEC discards its transaction and says why;
/// any other command refused inside MULTI makes the coming EXEC abort. The check is over.
fn refuse(call: &Call<'_>, client: &mut Client, out: &mut Out, msg: &str) -> Flow {
    let Call { srv, entry, .. } = *call;
    if entry.cmd.flags & flag::EXEC != 0 && client.multi.is_some() {
        client.multi = None;
        srv.keyspace.watches.unwatch_all(&client.handle);
        let e = CmdError::raw(format!("EXECABORT Transaction discarded because of: {msg}"));
        reject(srv, out, entry, &e);
    } else {
        abort_multi(client);
        reject(srv, out, entry, &CmdError::raw(msg.to_string()));
    }
    Flow::Done
}

/// The flags that decide whether a command counts as a write: for EXEC, those of the
/// commands it would run.
fn queued_or_own_flags(client: &Client, entry: &Entry) -> u32 {
    match &client.multi {
        Some(m) if entry.cmd.flags & flag::EXEC != 0 => m.flags,
        _ => entry.cmd.flags,
    }
}

/// Whether a command is refused when memory is over `maxmemory`: commands that may grow
/// memory, EXEC of a transaction holding one, and, as in Redis, anything queued by MULTI (a
/// queue can grow without bound), but never the commands that end a transaction or a
/// connection.
fn refused_on_oom(client: &Client, entry: &Entry) -> bool {
    let flags = entry.cmd.flags;
    if client.multi.is_none() || flags & flag::EXEC != 0 {
        return queued_or_own_flags(client, entry) & flag::DENYOOM != 0;
    }
    flags & flag::ENDS_TX == 0
}

/// Marks a transaction being queued as failed: its EXEC will reply EXECABORT.
fn abort_multi(client: &mut Client) {
    if let Some(m) = client.multi.as_mut() {
        m.aborted = true;
    }
}

/// Runs the commands of a transaction EXEC accepted, under EXEC's exclusive lock: each as a
/// command of its own (checks, statistics, MONITOR) that may not block, its effects joining
/// EXEC's `fx`, which then propagates nothing of its own.
fn run_transaction(
    srv: &Server,
    client: &mut Client,
    out: &mut Out,
    queue: &[Vec<Bytes>],
    fx: &Effects,
    running: &Running,
) {
    let may_block = std::mem::replace(&mut client.may_block, false);
    client.in_exec = true;
    for args in queue {
        let _ = run_once(srv, client, out, args, Some(fx), running);
    }
    client.in_exec = false;
    client.may_block = may_block;
    fx.propagate_nothing();
}

fn reject(srv: &Server, out: &mut Out, entry: &Entry, e: &CmdError) {
    entry.stats.rejected.fetch_add(1, Ordering::Relaxed);
    reply_error(srv, out, &e.message());
}

/// Writes an error reply and counts it.
pub fn reply_error(srv: &Server, out: &mut Out, msg: &str) {
    srv.stats.count_error(msg);
    out.error(msg.as_bytes());
}

/// Redis's reply to an unknown command, naming up to the first arguments.
fn unknown_command(name: &[u8], args: &[Bytes]) -> String {
    let mut msg = format!(
        "ERR unknown command '{}', with args beginning with: ",
        truncated(name)
    );
    for a in args.iter() {
        // Redis stops adding arguments once the message would pass 128 characters.
        if msg.len() >= 128 {
            break;
        }
        msg.push_str(&format!("'{}' ", truncated(a)));
    }
    msg
}

/// An argument as error messages quote it: at most 128 bytes, control characters replaced.
fn truncated(a: &[u8]) -> String {
    let a = &a[..a.len().min(128)];
    String::from_utf8_lossy(a)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
