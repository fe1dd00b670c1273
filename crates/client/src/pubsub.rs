//! Pub/sub ([`Subscriber`], [`Message`]) and MONITOR ([`Monitor`]): connections
//! that, once switched, receive a stream of values instead of replies.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::client::Client;
use crate::cmd::cmd;
use crate::error::{Error, Result};
use crate::value::Value;

/// A message received on a subscribed channel.
///
/// ```
/// let m = ferrodis::Message { channel: "news".into(), content: "hi".into(), pattern: None };
/// assert_eq!(&m.content[..], b"hi");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The channel the message was published to.
    pub channel: String,
    /// The payload.
    pub content: Bytes,
    /// The pattern that matched, for messages received through PSUBSCRIBE.
    pub pattern: Option<String>,
}

/// What one value read in subscribed mode means.
enum Event {
    Message(Message),
    /// A (p)(un)subscribe confirmation: kind, channel or pattern (none when
    /// unsubscribing from nothing), remaining subscription count.
    Confirm(String, Option<String>),
    /// Anything else valid in this mode (PONG replies).
    Other,
}

fn text(v: &Value) -> Option<String> {
    v.as_bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

fn classify(v: Value) -> Result<Event> {
    let items = match v {
        Value::Array(items) | Value::Push(items) => items,
        Value::Error(e) => return Err(Error::Server(e)),
        other => {
            return Err(Error::UnexpectedReply(format!(
                "a {} reply in subscribed mode",
                other.kind()
            )))
        }
    };
    let kind = items
        .first()
        .and_then(text)
        .map(|k| k.to_ascii_lowercase())
        .unwrap_or_default();
    let bad = || Error::UnexpectedReply(format!("malformed {kind:?} pub/sub message"));
    match (kind.as_str(), items.as_slice()) {
        ("message" | "smessage", [_, channel, content]) => Ok(Event::Message(Message {
            channel: text(channel).ok_or_else(bad)?,
            content: content
                .as_bytes()
                .map(Bytes::copy_from_slice)
                .ok_or_else(bad)?,
            pattern: None,
        })),
        ("pmessage", [_, pattern, channel, content]) => Ok(Event::Message(Message {
            channel: text(channel).ok_or_else(bad)?,
            content: content
                .as_bytes()
                .map(Bytes::copy_from_slice)
                .ok_or_else(bad)?,
            pattern: Some(text(pattern).ok_or_else(bad)?),
        })),
        (
            "subscribe" | "psubscribe" | "ssubscribe" | "unsubscribe" | "punsubscribe"
            | "sunsubscribe",
            [_, name, _count],
        ) => Ok(Event::Confirm(kind, text(name))),
        ("pong", _) => Ok(Event::Other),
        _ => Err(bad()),
    }
}

/// A client in subscribed mode: it receives messages and can only change its
/// subscriptions.
///
/// ```no_run
/// # async fn demo() -> ferrodis::Result<()> {
/// let client = ferrodis::client::connect("127.0.0.1:6379").await?;
/// let mut sub = client.subscribe(vec!["a".into()]).await?;
/// sub.psubscribe(&["news.*".into()]).await?;
/// if let Some(m) = sub.next_message().await? {
///     println!("{} (via {:?}): {:?}", m.channel, m.pattern, m.content);
/// }
/// sub.unsubscribe(&[]).await?; // all channels
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Subscriber {
    client: Client,
    channels: Vec<String>,
    patterns: Vec<String>,
    /// Messages that arrived while waiting for a confirmation.
    pending: VecDeque<Message>,
}

impl Subscriber {
    pub(crate) fn new(client: Client) -> Subscriber {
        Subscriber {
            client,
            channels: Vec::new(),
            patterns: Vec::new(),
            pending: VecDeque::new(),
        }
    }

    /// The channels currently subscribed to.
    pub fn get_subscribed(&self) -> &[String] {
        &self.channels
    }

    /// The patterns currently subscribed to.
    pub fn get_subscribed_patterns(&self) -> &[String] {
        &self.patterns
    }

    /// The next message; `Ok(None)` when the server closed the connection.
    pub async fn next_message(&mut self) -> Result<Option<Message>> {
        if let Some(m) = self.pending.pop_front() {
            return Ok(Some(m));
        }
        loop {
            let Some(v) = self.client.read_raw().await? else {
                return Ok(None);
            };
            match classify(v)? {
                Event::Message(m) => return Ok(Some(m)),
                Event::Confirm(kind, name) => self.note(&kind, name),
                Event::Other => {}
            }
        }
    }

    /// Turns the subscriber into a [`Stream`] of messages that ends when the
    /// server closes the connection.
    ///
    /// ```no_run
    /// # async fn demo(sub: ferrodis::Subscriber) {
    /// use futures_core::Stream;
    /// let stream = sub.into_stream();
    /// // Drive it with tokio_stream::StreamExt, futures::StreamExt, or poll_next.
    /// # let _ = stream;
    /// # }
    /// ```
    pub fn into_stream(self) -> impl Stream<Item = Result<Message>> + Send + Unpin {
        MessageStream {
            state: State::Idle(Some(Box::new(self))),
        }
    }

    /// Subscribes to more channels and waits for the confirmations.
    pub async fn subscribe(&mut self, channels: &[String]) -> Result<()> {
        self.change("SUBSCRIBE", "subscribe", channels).await
    }

    /// Unsubscribes from channels (every channel when `channels` is empty) and
    /// waits for the confirmations.
    pub async fn unsubscribe(&mut self, channels: &[String]) -> Result<()> {
        self.change("UNSUBSCRIBE", "unsubscribe", channels).await
    }

    /// Subscribes to glob patterns and waits for the confirmations.
    pub async fn psubscribe(&mut self, patterns: &[String]) -> Result<()> {
        self.change("PSUBSCRIBE", "psubscribe", patterns).await
    }

    /// Unsubscribes from patterns (every pattern when empty) and waits for the
    /// confirmations.
    pub async fn punsubscribe(&mut self, patterns: &[String]) -> Result<()> {
        self.change("PUNSUBSCRIBE", "punsubscribe", patterns).await
    }

    /// Leaves subscribed mode: unsubscribes from every channel and pattern and
    /// returns the client. Messages not yet read are lost.
    pub async fn into_client(mut self) -> Result<Client> {
        if !self.channels.is_empty() {
            self.unsubscribe(&[]).await?;
        }
        if !self.patterns.is_empty() {
            self.punsubscribe(&[]).await?;
        }
        Ok(self.client)
    }

    /// Records a confirmation in the subscription lists.
    fn note(&mut self, kind: &str, name: Option<String>) {
        let Some(name) = name else { return };
        let (list, add) = match kind {
            "subscribe" | "ssubscribe" => (&mut self.channels, true),
            "unsubscribe" | "sunsubscribe" => (&mut self.channels, false),
            "psubscribe" => (&mut self.patterns, true),
            _ => (&mut self.patterns, false),
        };
        if add {
            if !list.contains(&name) {
                list.push(name);
            }
        } else {
            list.retain(|c| *c != name);
        }
    }

    async fn change(&mut self, command: &str, confirm: &str, names: &[String]) -> Result<()> {
        let removing_all = names.is_empty();
        if removing_all && !confirm.starts_with("un") && !confirm.starts_with("pun") {
            return Ok(());
        }
        // Unsubscribing from everything gets one confirmation per current
        // subscription, or a single one naming nothing when there are none.
        let mut expected = if removing_all {
            let current = if confirm == "unsubscribe" {
                self.channels.len()
            } else {
                self.patterns.len()
            };
            current.max(1)
        } else {
            names.len()
        };
        let mut c = cmd(command);
        c.args(names);
        self.client.queue(&c);
        self.client.write_pending().await?;
        while expected > 0 {
            let Some(v) = self.client.read_raw().await? else {
                return Err(Error::Closed);
            };
            match classify(v)? {
                Event::Message(m) => self.pending.push_back(m),
                Event::Confirm(kind, name) => {
                    let done_nothing = name.is_none();
                    let ours = kind == confirm;
                    self.note(&kind, name);
                    if ours {
                        expected -= 1;
                        if done_nothing {
                            expected = 0;
                        }
                    }
                }
                Event::Other => {}
            }
        }
        Ok(())
    }
}

type NextFuture =
    Pin<Box<dyn Future<Output = (Box<Subscriber>, Result<Option<Message>>)> + Send + 'static>>;

enum State {
    Idle(Option<Box<Subscriber>>),
    Waiting(NextFuture),
    Done,
}

/// The stream behind [`Subscriber::into_stream`]: it owns the subscriber and
/// keeps one `next_message` future in flight.
struct MessageStream {
    state: State,
}

impl Stream for MessageStream {
    type Item = Result<Message>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Idle(sub) => {
                    let Some(mut sub) = sub.take() else {
                        this.state = State::Done;
                        return Poll::Ready(None);
                    };
                    this.state = State::Waiting(Box::pin(async move {
                        let r = sub.next_message().await;
                        (sub, r)
                    }));
                }
                State::Waiting(fut) => {
                    let (sub, r) = match fut.as_mut().poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(out) => out,
                    };
                    return Poll::Ready(match r {
                        Ok(Some(m)) => {
                            this.state = State::Idle(Some(sub));
                            Some(Ok(m))
                        }
                        Ok(None) => {
                            this.state = State::Done;
                            None
                        }
                        Err(e) => {
                            // A server error reply leaves the stream usable; a
                            // broken connection ends it after reporting why.
                            this.state = if e.is_connection_error() {
                                State::Done
                            } else {
                                State::Idle(Some(sub))
                            };
                            Some(Err(e))
                        }
                    });
                }
                State::Done => return Poll::Ready(None),
            }
        }
    }
}

/// A client in MONITOR mode: every command the server runs, one line each.
///
/// ```no_run
/// # async fn demo() -> ferrodis::Result<()> {
/// let client = ferrodis::client::connect("127.0.0.1:6379").await?;
/// let mut monitor = client.monitor().await?;
/// while let Some(line) = monitor.next_line().await? {
///     println!("{line}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Monitor {
    client: Client,
}

impl Monitor {
    pub(crate) fn new(client: Client) -> Monitor {
        Monitor { client }
    }

    /// The next monitored command line; `Ok(None)` when the server closed the
    /// connection.
    pub async fn next_line(&mut self) -> Result<Option<String>> {
        match self.client.read_raw().await? {
            None => Ok(None),
            Some(Value::Status(s)) => Ok(Some(s)),
            Some(Value::Error(e)) => Err(Error::Server(e)),
            Some(other) => Err(Error::UnexpectedReply(format!(
                "a {} reply in MONITOR mode",
                other.kind()
            ))),
        }
    }
}
