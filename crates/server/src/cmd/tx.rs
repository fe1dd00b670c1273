//! Transactions: MULTI, EXEC, DISCARD, WATCH and UNWATCH.
//!
//! Queueing happens in the dispatcher (`exec`), which holds the client's `MultiState`. EXEC
//! takes the server-wide exclusive lock (its `EXCLUSIVE` flag), so the queued commands run with
//! no other client's command in between, on any core.

use std::sync::atomic::Ordering;

use bytes::Bytes;

use crate::base::error::{CmdError, CmdResult};
use crate::command::ctx::Ctx;
use crate::command::{acl, flag, key, Command, ALL_KEYS};
use crate::state::client::MultiState;
const TX: u32 = flag::NOSCRIPT | flag::LOADING | flag::STALE | flag::FAST | flag::ALLOW_BUSY;
const TXACL: u64 = acl::FAST | acl::TRANSACTION;

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    Command::new("multi", 1, TX | flag::TX_CONTROL, TXACL, multi).doc("transactions", "1.2.0", "Starts a transaction."),
    Command::new("exec", 1, flag::NOSCRIPT | flag::LOADING | flag::STALE | flag::SKIP_SLOWLOG | flag::EXCLUSIVE | flag::TX_CONTROL | flag::EXEC, acl::SLOW | acl::TRANSACTION, exec).doc("transactions", "1.2.0", "Executes all commands in a transaction."),
    Command::new("discard", 1, TX | flag::TX_CONTROL | flag::ENDS_TX, TXACL, discard).doc("transactions", "2.0.0", "Discards a transaction."),
    Command::new("watch", -2, TX | flag::TX_CONTROL, TXACL, watch).keys(ALL_KEYS).key_flags(key::RO).doc("transactions", "2.2.0", "Monitors changes to keys to determine the execution of a transaction."),
    Command::new("unwatch", 1, TX, TXACL, unwatch).doc("transactions", "2.2.0", "Forgets about watched keys of a transaction."),
];

fn multi(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    if ctx.client.multi.is_some() {
        return Err(CmdError::err("MULTI calls can not be nested"));
    }
    ctx.client.multi = Some(MultiState::default());
    ctx.out.ok();
    Ok(())
}

fn discard(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    if ctx.client.multi.take().is_none() {
        return Err(CmdError::err("DISCARD without MULTI"));
    }
    ctx.srv.keyspace.watches.unwatch_all(&ctx.client.handle);
    ctx.out.ok();
    Ok(())
}

fn exec(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let Some(state) = ctx.client.multi.take() else {
        return Err(CmdError::err("EXEC without MULTI"));
    };
    let ks = &ctx.srv.keyspace;
    // A watched key that expired since WATCH (without being reclaimed yet) also aborts.
    let expired = ks
        .watches
        .live_watched(&ctx.client.handle)
        .iter()
        .any(|(db, key)| ks.logically_expired(*db, key, ctx.now));
    let touched = expired || ctx.client.handle.watch_dirty.load(Ordering::Relaxed);
    ks.watches.unwatch_all(&ctx.client.handle);
    if state.aborted {
        return Err(CmdError::raw(
            "EXECABORT Transaction discarded because of previous errors.",
        ));
    }
    if touched {
        ctx.out.null_array();
        return Ok(());
    }
    // The dispatcher runs the queued commands, each replying into this array.
    ctx.out.array(state.queue.len());
    ctx.client.transaction = Some(state.queue);
    Ok(())
}

fn watch(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if ctx.client.multi.is_some() {
        return Err(CmdError::err("WATCH inside MULTI is not allowed"));
    }
    let db = ctx.client.db;
    let ks = &ctx.srv.keyspace;
    for key in &args[1..] {
        let expired = ks.logically_expired(db, key, ctx.now);
        ks.watches.watch(&ctx.client.handle, db, key, expired);
    }
    ctx.out.ok();
    Ok(())
}

fn unwatch(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.srv.keyspace.watches.unwatch_all(&ctx.client.handle);
    ctx.out.ok();
    Ok(())
}
