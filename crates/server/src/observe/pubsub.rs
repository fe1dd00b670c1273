//! Pub/Sub: who is subscribed to which channels, patterns and shard channels, and delivery.
//!
//! Each subscribed connection owns an unbounded queue of encoded messages that its task writes
//! out; publishing encodes a message once per protocol version and pushes it to every matching
//! subscriber's queue. The bytes a subscriber has not yet written are counted in its handle's
//! `omem`, and `client-output-buffer-limit pubsub` disconnects a subscriber that lets them pile
//! up (hard limit at once, soft limit after its delay), so a client that stops reading cannot
//! make the server's memory grow without bound. A channel with no subscriber left is removed.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use parking_lot::RwLock;
use resp::ReplyWriter;
use tokio::sync::mpsc::UnboundedSender;

use crate::base::handle::ClientHandle;
/// The three namespaces of subscriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SUBSCRIBE / PUBLISH.
    Channel,
    /// PSUBSCRIBE: glob patterns matched against PUBLISH channels.
    Pattern,
    /// SSUBSCRIBE / SPUBLISH.
    Shard,
}

/// A subscribed connection: where its messages go.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// The client.
    pub handle: Arc<ClientHandle>,
    /// Its message queue.
    pub tx: UnboundedSender<Bytes>,
}

#[derive(Debug, Default)]
struct Inner {
    channels: HashMap<Bytes, HashMap<u64, Subscriber>>,
    patterns: HashMap<Bytes, HashMap<u64, Subscriber>>,
    shards: HashMap<Bytes, HashMap<u64, Subscriber>>,
    /// Every client's subscriptions, for UNSUBSCRIBE without arguments and disconnection.
    by_client: HashMap<u64, [BTreeSet<Bytes>; 3]>,
}

impl Inner {
    fn map(&mut self, kind: Kind) -> &mut HashMap<Bytes, HashMap<u64, Subscriber>> {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shards,
        }
    }
}

fn slot(kind: Kind) -> usize {
    match kind {
        Kind::Channel => 0,
        Kind::Pattern => 1,
        Kind::Shard => 2,
    }
}

/// The pub/sub registry; see the module documentation.
#[derive(Debug, Default)]
pub struct PubSub {
    inner: RwLock<Inner>,
}

/// Output-buffer limit for subscribers: (hard bytes, soft bytes, soft seconds).
pub type Limit = (u64, u64, u64);

impl PubSub {
    /// Subscribes a client; returns false if it already was subscribed to `name`.
    pub fn subscribe(&self, kind: Kind, name: &Bytes, sub: &Subscriber) -> bool {
        let mut inner = self.inner.write();
        let id = sub.handle.id;
        // Copied, so that a subscription does not keep its request buffer alive.
        let name = &Bytes::copy_from_slice(name);
        let mine = inner.by_client.entry(id).or_default();
        if !mine[slot(kind)].insert(name.clone()) {
            return false;
        }
        inner
            .map(kind)
            .entry(name.clone())
            .or_default()
            .insert(id, sub.clone());
        true
    }

    /// Unsubscribes a client; returns false if it was not subscribed to `name`.
    pub fn unsubscribe(&self, kind: Kind, name: &[u8], id: u64) -> bool {
        let mut inner = self.inner.write();
        let removed = inner
            .by_client
            .get_mut(&id)
            .is_some_and(|mine| mine[slot(kind)].remove(name));
        if !removed {
            return false;
        }
        let map = inner.map(kind);
        if let Some(subs) = map.get_mut(name) {
            subs.remove(&id);
            if subs.is_empty() {
                map.remove(name);
            }
        }
        if inner
            .by_client
            .get(&id)
            .is_some_and(|m| m.iter().all(BTreeSet::is_empty))
        {
            inner.by_client.remove(&id);
        }
        true
    }

    /// The names a client is subscribed to, in one namespace.
    pub fn subscriptions(&self, kind: Kind, id: u64) -> Vec<Bytes> {
        self.inner
            .read()
            .by_client
            .get(&id)
            .map(|m| m[slot(kind)].iter().cloned().collect())
            .unwrap_or_default()
    }

    /// How many subscriptions a client has in each namespace.
    pub fn counts(&self, id: u64) -> [usize; 3] {
        self.inner
            .read()
            .by_client
            .get(&id)
            .map(|m| [m[0].len(), m[1].len(), m[2].len()])
            .unwrap_or_default()
    }

    /// Removes every subscription of a client (disconnection, RESET).
    pub fn remove_client(&self, id: u64) {
        for kind in [Kind::Channel, Kind::Pattern, Kind::Shard] {
            for name in self.subscriptions(kind, id) {
                self.unsubscribe(kind, &name, id);
            }
        }
    }

    /// Publishes `message` on `channel` (shard channels when `shard`), returning the number of
    /// receivers. A message to the publisher itself is returned separately so that it can be
    /// written in order with the publisher's own replies.
    pub fn publish(
        &self,
        channel: &[u8],
        message: &[u8],
        shard: bool,
        publisher: u64,
        limit: Limit,
    ) -> (usize, Vec<Bytes>) {
        let inner = self.inner.read();
        let mut receivers = 0;
        let mut own = Vec::new();
        let mut cache: [Option<Bytes>; 2] = [None, None];
        let kind: &[u8] = if shard { b"smessage" } else { b"message" };
        let direct = if shard {
            &inner.shards
        } else {
            &inner.channels
        };
        if let Some(subs) = direct.get(channel) {
            for s in subs.values() {
                let proto = s.handle.resp.load(Ordering::Relaxed) as u8;
                let cached = &mut cache[usize::from(proto >= 3)];
                let msg = cached
                    .get_or_insert_with(|| encode(proto, &[kind, channel, message]))
                    .clone();
                deliver(s, msg, publisher, &mut own, limit);
                receivers += 1;
            }
        }
        if !shard {
            for (pattern, subs) in inner.patterns.iter() {
                if !storage::glob::glob_match(pattern, channel, false) {
                    continue;
                }
                for s in subs.values() {
                    let proto = s.handle.resp.load(Ordering::Relaxed) as u8;
                    let msg = encode(proto, &[b"pmessage", pattern, channel, message]);
                    deliver(s, msg, publisher, &mut own, limit);
                    receivers += 1;
                }
            }
        }
        (receivers, own)
    }

    /// Active channels (or shard channels) matching an optional pattern.
    pub fn channels(&self, shard: bool, pattern: Option<&[u8]>) -> Vec<Bytes> {
        let inner = self.inner.read();
        let map = if shard {
            &inner.shards
        } else {
            &inner.channels
        };
        map.keys()
            .filter(|c| pattern.is_none_or(|p| storage::glob::glob_match(p, c, false)))
            .cloned()
            .collect()
    }

    /// Number of subscribers of a channel (or shard channel).
    pub fn numsub(&self, shard: bool, channel: &[u8]) -> usize {
        let inner = self.inner.read();
        let map = if shard {
            &inner.shards
        } else {
            &inner.channels
        };
        map.get(channel).map_or(0, HashMap::len)
    }

    /// Number of distinct patterns subscribed to.
    pub fn numpat(&self) -> usize {
        self.inner.read().patterns.len()
    }
}

/// Encodes a pub/sub message or confirmation as an array (RESP2) or push (RESP3) of bulks.
pub fn encode(proto: u8, parts: &[&[u8]]) -> Bytes {
    let mut buf = BytesMut::new();
    let mut w = ReplyWriter::new(&mut buf, proto);
    w.push_len(parts.len());
    for p in parts {
        w.bulk(p);
    }
    buf.freeze()
}

/// Queues a message for a subscriber, enforcing the pub/sub output-buffer limits.
fn deliver(s: &Subscriber, msg: Bytes, publisher: u64, own: &mut Vec<Bytes>, limit: Limit) {
    if s.handle.id == publisher {
        own.push(msg);
        return;
    }
    // A client already condemned (by the limit or CLIENT KILL) is not sent anything more: its
    // connection is closing and the bytes would only pile up until it does.
    if s.handle.killed.load(Ordering::Relaxed) {
        return;
    }
    let len = msg.len();
    if s.tx.send(msg).is_err() {
        return;
    }
    let pending = s.handle.omem.fetch_add(len, Ordering::Relaxed) + len;
    let (hard, soft, soft_secs) = limit;
    let over_hard = hard > 0 && pending as u64 > hard;
    let over_soft = soft > 0 && pending as u64 > soft && s.handle.over_soft_limit_for(soft_secs);
    if soft > 0 && pending as u64 <= soft {
        s.handle.soft_limit_since.store(0, Ordering::Relaxed);
    }
    if over_hard || over_soft {
        tracing::warn!(
            "Client id={} scheduled to be closed ASAP for overcoming of output buffer limits.",
            s.handle.id
        );
        s.handle.killed.store(true, Ordering::Relaxed);
        s.handle.kill.notify_one();
    }
}

/// Keyspace notifications (`notify-keyspace-events`): turns key events into pub/sub messages
/// on `__keyspace@<db>__:<key>` and `__keyevent@<db>__:<event>`.
#[derive(Debug, Default)]
pub struct Notifier {
    /// The `NOTIFY_*` flags in force (0: notifications off), read on every event.
    pub flags: std::sync::atomic::AtomicU32,
    /// `client-output-buffer-limit pubsub`, applied to notification deliveries too.
    pub limit: [std::sync::atomic::AtomicU64; 3],
    /// Where notifications are published.
    pub pubsub: Arc<PubSub>,
}

impl Notifier {
    /// Emits `event` on `key` of `db` if its class is enabled.
    #[inline]
    pub fn emit(&self, class: u32, event: &str, key: &[u8], db: usize) {
        use crate::base::config::{NOTIFY_KEYEVENT, NOTIFY_KEYSPACE};
        let flags = self.flags.load(Ordering::Relaxed);
        if flags & class == 0 {
            return;
        }
        let limit = (
            self.limit[0].load(Ordering::Relaxed),
            self.limit[1].load(Ordering::Relaxed),
            self.limit[2].load(Ordering::Relaxed),
        );
        if flags & NOTIFY_KEYSPACE != 0 {
            let mut channel = format!("__keyspace@{db}__:").into_bytes();
            channel.extend_from_slice(key);
            self.pubsub
                .publish(&channel, event.as_bytes(), false, 0, limit);
        }
        if flags & NOTIFY_KEYEVENT != 0 {
            let channel = format!("__keyevent@{db}__:{event}");
            self.pubsub
                .publish(channel.as_bytes(), key, false, 0, limit);
        }
    }
}
