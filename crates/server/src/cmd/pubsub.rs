//! The pub/sub family: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB.

use std::sync::atomic::Ordering;

use bytes::Bytes;

use crate::base::error::{CmdError, CmdResult};
use crate::command::ctx::Ctx;
use crate::command::{acl, flag, key, Command, Handler, KeySpec};
use crate::observe::pubsub::{Kind, Subscriber};
const PS: u32 = flag::PUBSUB | flag::NOSCRIPT | flag::LOADING | flag::STALE;
const PSACL: u64 = acl::PUBSUB | acl::SLOW;

const fn c(name: &'static str, arity: i32, flags: u32, h: Handler) -> Command {
    Command::new(name, arity, flags, PSACL, h).doc("pubsub", "2.0.0", "")
}

#[rustfmt::skip]
static PUBSUB: &[Command] = &[
    c("channels", -2, PS, |ctx, args| list_channels(ctx, args, false)).doc("pubsub", "2.8.0", "Returns the active channels."),
    c("numsub", -2, PS, |ctx, args| numsub(ctx, args, false)).doc("pubsub", "2.8.0", "Returns a count of subscribers to channels."),
    c("numpat", 2, PS, pubsub_numpat).doc("pubsub", "2.8.0", "Returns a count of unique pattern subscriptions."),
    c("shardchannels", -2, PS, |ctx, args| list_channels(ctx, args, true)).doc("pubsub", "7.0.0", "Returns the active shard channels."),
    c("shardnumsub", -2, PS, |ctx, args| numsub(ctx, args, true)).doc("pubsub", "7.0.0", "Returns the count of subscribers of shard channels."),
    c("help", 2, flag::LOADING | flag::STALE, pubsub_help).doc("pubsub", "6.2.0", "Returns helpful text about the different subcommands."),
];

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    c("subscribe", -2, PS | flag::SUBSCRIBED_OK, |ctx, args| subscribe_generic(ctx, args, Kind::Channel)).doc("pubsub", "2.0.0", "Listens for messages published to channels."),
    c("unsubscribe", -1, PS | flag::SUBSCRIBED_OK, |ctx, args| unsubscribe_generic(ctx, args, Kind::Channel)).doc("pubsub", "2.0.0", "Stops listening to messages posted to channels."),
    c("psubscribe", -2, PS | flag::SUBSCRIBED_OK, |ctx, args| subscribe_generic(ctx, args, Kind::Pattern)).doc("pubsub", "2.0.0", "Listens for messages published to channels that match one or more patterns."),
    c("punsubscribe", -1, PS | flag::SUBSCRIBED_OK, |ctx, args| unsubscribe_generic(ctx, args, Kind::Pattern)).doc("pubsub", "2.0.0", "Stops listening to messages published to channels that match one or more patterns."),
    c("ssubscribe", -2, PS | flag::SUBSCRIBED_OK, |ctx, args| subscribe_generic(ctx, args, Kind::Shard)).keys(KeySpec { first: 1, last: -1, step: 1, }).key_flags(key::NOT_KEY).doc("pubsub", "7.0.0", "Listens for messages published to shard channels."),
    c("sunsubscribe", -1, PS | flag::SUBSCRIBED_OK, |ctx, args| unsubscribe_generic(ctx, args, Kind::Shard)).keys(KeySpec { first: 1, last: -1, step: 1, }).key_flags(key::NOT_KEY).doc("pubsub", "7.0.0", "Stops listening to messages posted to shard channels."),
    c("publish", 3, flag::PUBSUB | flag::LOADING | flag::STALE | flag::FAST | flag::MAY_REPLICATE, |ctx, args| publish_generic(ctx, args, false)).doc("pubsub", "2.0.0", "Posts a message to a channel."),
    c("spublish", 3, flag::PUBSUB | flag::LOADING | flag::STALE | flag::FAST | flag::MAY_REPLICATE, |ctx, args| publish_generic(ctx, args, true)).keys(KeySpec { first: 1, last: 1, step: 1, }).key_flags(key::NOT_KEY).doc("pubsub", "7.0.0", "Post a message to a shard channel"),
    Command::container("pubsub", PSACL, PUBSUB).doc("pubsub", "2.8.0", "A container for Pub/Sub commands."),
];

/// The confirmation word Redis sends for each kind of (un)subscription.
fn word(kind: Kind, on: bool) -> &'static [u8] {
    match (kind, on) {
        (Kind::Channel, true) => b"subscribe",
        (Kind::Channel, false) => b"unsubscribe",
        (Kind::Pattern, true) => b"psubscribe",
        (Kind::Pattern, false) => b"punsubscribe",
        (Kind::Shard, true) => b"ssubscribe",
        (Kind::Shard, false) => b"sunsubscribe",
    }
}

/// The count a confirmation reports: channels plus patterns, or shard channels.
fn count(ctx: &Ctx<'_>, kind: Kind) -> usize {
    let [ch, pat, shard] = ctx.srv.pubsub.counts(ctx.client.handle.id);
    ctx.client
        .handle
        .subscriptions
        .store(ch + pat + shard, Ordering::Relaxed);
    match kind {
        Kind::Shard => shard,
        _ => ch + pat,
    }
}

/// Writes one (un)subscription confirmation; it survives CLIENT REPLY OFF, like Redis's.
fn confirm(ctx: &mut Ctx<'_>, kind: Kind, on: bool, name: Option<&[u8]>) {
    let n = count(ctx, kind);
    ctx.out.push(3);
    ctx.out.bulk(word(kind, on));
    match name {
        Some(name) => ctx.out.bulk(name),
        None => ctx.out.null(),
    }
    ctx.out.int(n as i64);
    ctx.out.keep();
}

fn subscribe_generic(ctx: &mut Ctx<'_>, args: &[Bytes], kind: Kind) -> CmdResult {
    if ctx.client.in_exec && kind != Kind::Shard {
        let name = String::from_utf8_lossy(word(kind, true)).to_uppercase();
        return Err(CmdError::err(format!(
            "{name} isn't allowed for a DENY BLOCKING client"
        )));
    }
    let Some(tx) = ctx.client.push.clone() else {
        return Err(CmdError::err("this client cannot receive messages"));
    };
    let sub = Subscriber {
        handle: ctx.client.handle.clone(),
        tx,
    };
    for name in &args[1..] {
        ctx.srv.pubsub.subscribe(kind, name, &sub);
        confirm(ctx, kind, true, Some(name));
    }
    Ok(())
}

fn unsubscribe_generic(ctx: &mut Ctx<'_>, args: &[Bytes], kind: Kind) -> CmdResult {
    let id = ctx.client.handle.id;
    let names: Vec<Bytes> = if args.len() > 1 {
        args[1..].to_vec()
    } else {
        ctx.srv.pubsub.subscriptions(kind, id)
    };
    if names.is_empty() {
        confirm(ctx, kind, false, None);
    }
    for name in names {
        ctx.srv.pubsub.unsubscribe(kind, &name, id);
        confirm(ctx, kind, false, Some(&name));
    }
    Ok(())
}

/// Publishes a message and replies with the number of receivers. Messages to the publisher
/// itself (RESP3 clients may publish while subscribed) go out before that reply, as in Redis.
fn publish_generic(ctx: &mut Ctx<'_>, args: &[Bytes], shard: bool) -> CmdResult {
    let limit = ctx
        .srv
        .config
        .read()
        .client_output_buffer_limit(crate::base::config::ClientClass::Pubsub);
    let limit = (limit.hard_bytes, limit.soft_bytes, limit.soft_seconds);
    let (n, own) = ctx
        .srv
        .pubsub
        .publish(&args[1], &args[2], shard, ctx.client.handle.id, limit);
    for m in own {
        ctx.out.buf.extend_from_slice(&m);
    }
    ctx.out.int(n as i64);
    Ok(())
}

fn list_channels(ctx: &mut Ctx<'_>, args: &[Bytes], shard: bool) -> CmdResult {
    let pattern = args.get(2).map(|p| &p[..]);
    if args.len() > 3 {
        return Err(CmdError::WrongArity(
            if shard {
                "pubsub|shardchannels"
            } else {
                "pubsub|channels"
            }
            .into(),
        ));
    }
    let names = ctx.srv.pubsub.channels(shard, pattern);
    ctx.out.array(names.len());
    for n in names {
        ctx.out.bulk(&n);
    }
    Ok(())
}

fn numsub(ctx: &mut Ctx<'_>, args: &[Bytes], shard: bool) -> CmdResult {
    let names = &args[2..];
    ctx.out.map(names.len());
    for n in names {
        ctx.out.bulk(n);
        ctx.out.int(ctx.srv.pubsub.numsub(shard, n) as i64);
    }
    Ok(())
}

fn pubsub_numpat(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.out.int(ctx.srv.pubsub.numpat() as i64);
    Ok(())
}

fn pubsub_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    super::help(
        ctx,
        "PUBSUB",
        &[
            "CHANNELS [<pattern>]",
            "    Active channels, optionally only those matching <pattern>.",
            "NUMPAT",
            "    Number of distinct patterns subscribed to.",
            "NUMSUB [<channel> ...]",
            "    Number of subscribers of each channel.",
            "SHARDCHANNELS [<pattern>]",
            "    Active shard channels, optionally only those matching <pattern>.",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Number of subscribers of each shard channel.",
        ],
    );
    Ok(())
}
