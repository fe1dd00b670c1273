//! The asynchronous client: one connection, one request at a time, with typed
//! helpers for common commands, generic command calls, pipelines, transactions,
//! RESP3 push messages and per-request timeouts.
//!
//! The shape follows mini-redis: [`connect`], then `get`, `set`, `set_expires`,
//! `publish`, `subscribe` on the [`Client`].
//!
//! ```no_run
//! use ferrodis::{client, Result};
//!
//! #[tokio::main]
//! async fn main() -> Result<()> {
//!     let mut client = client::connect("127.0.0.1:6379").await?;
//!     client.set("hello", "world".into()).await?;
//!     let result = client.get("hello").await?;
//!     println!("got value from the server; result={:?}", result);
//!     Ok(())
//! }
//! ```

use std::collections::VecDeque;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::AsyncWriteExt;
use tokio::net::ToSocketAddrs;

use crate::cmd::{cmd, Cmd, IntoArg, Pipeline};
use crate::connection::{ReplyReader, Transport};
use crate::error::{Error, Result};
use crate::options::{Addr, ConnectOptions};
use crate::value::{FromValue, Value};

pub use crate::pubsub::{Message, Monitor, Subscriber};

/// Push messages kept for [`Client::next_push`] before the oldest are dropped, so
/// a server that floods pushes nobody reads cannot exhaust memory.
const MAX_QUEUED_PUSHES: usize = 4096;

/// Connects to a server over TCP with default options (RESP2, database 0).
///
/// ```no_run
/// # async fn demo() -> ferrodis::Result<()> {
/// let mut client = ferrodis::client::connect("127.0.0.1:6379").await?;
/// let pong = client.ping(None).await?;
/// assert_eq!(&pong[..], b"PONG");
/// # Ok(()) }
/// ```
pub async fn connect<T: ToSocketAddrs>(addr: T) -> Result<Client> {
    Ok(Client::new(Transport::tcp(addr).await?))
}

/// Connects using a URL such as `redis://user:pass@host:6379/0?protocol=3`.
///
/// ```no_run
/// # async fn demo() -> ferrodis::Result<()> {
/// let mut client = ferrodis::client::connect_url("redis://127.0.0.1:6379/1").await?;
/// # Ok(()) }
/// ```
pub async fn connect_url(url: &str) -> Result<Client> {
    ConnectOptions::from_url(url)?.connect().await
}

/// An established connection to a server.
///
/// Requests go one at a time (the methods take `&mut self`); use
/// [`Client::pipeline`] to batch several into one round trip, or
/// [`crate::buffered::BufferedClient`] to share one connection between tasks.
#[derive(Debug)]
pub struct Client {
    pub(crate) reader: ReplyReader<Transport>,
    wbuf: BytesMut,
    pushes: VecDeque<Value>,
    timeout: Option<Duration>,
    protocol: u8,
    /// Set after a failure that left the stream out of step with the server.
    broken: bool,
}

/// How many replies a request expects and whether RESP3 pushes count as replies.
#[derive(Clone, Copy)]
struct Expect {
    replies: usize,
    /// (Un)subscribe confirmations are push frames in RESP3 but are the reply.
    push_is_reply: bool,
}

fn is_subscribe_family(name: &[u8]) -> bool {
    const NAMES: [&[u8]; 6] = [
        b"subscribe",
        b"psubscribe",
        b"ssubscribe",
        b"unsubscribe",
        b"punsubscribe",
        b"sunsubscribe",
    ];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
}

impl Client {
    /// Wraps a connected socket; nothing is sent.
    pub fn new(transport: Transport) -> Client {
        Client {
            reader: ReplyReader::new(transport),
            wbuf: BytesMut::new(),
            pushes: VecDeque::new(),
            timeout: None,
            protocol: 2,
            broken: false,
        }
    }

    /// Connects with `opts`: HELLO 3 (with AUTH and SETNAME folded in) when RESP3
    /// is asked for, otherwise AUTH, CLIENT SETNAME as needed; then SELECT.
    pub async fn connect_with(opts: &ConnectOptions) -> Result<Client> {
        let work = async {
            let transport = match &opts.addr {
                Addr::Tcp { host, port } => Transport::tcp((host.as_str(), *port)).await?,
                #[cfg(unix)]
                Addr::Unix(path) => Transport::unix(path).await?,
                #[cfg(not(unix))]
                Addr::Unix(_) => {
                    return Err(Error::InvalidConfig(
                        "Unix sockets are not supported on this platform".into(),
                    ))
                }
            };
            let mut client = Client::new(transport);
            client.setup(opts).await?;
            Ok(client)
        };
        let mut client = match opts.connect_timeout {
            Some(t) => tokio::time::timeout(t, work)
                .await
                .unwrap_or(Err(Error::Timeout))?,
            None => work.await?,
        };
        client.timeout = opts.timeout;
        Ok(client)
    }

    async fn setup(&mut self, opts: &ConnectOptions) -> Result<()> {
        let user = opts.username.as_deref().unwrap_or("default");
        if opts.protocol == 3 {
            let auth = opts.password.as_deref().map(|p| (user, p));
            self.hello(3, auth, opts.client_name.as_deref()).await?;
        } else {
            if let Some(pass) = &opts.password {
                self.auth(opts.username.as_deref(), pass).await?;
            }
            if let Some(name) = &opts.client_name {
                self.query::<()>(cmd("CLIENT").arg("SETNAME").arg(name))
                    .await?;
            }
        }
        if opts.db != 0 {
            self.select(opts.db).await?;
        }
        Ok(())
    }

    /// The protocol version in use: 2, or 3 after a successful `HELLO 3`.
    pub fn protocol(&self) -> u8 {
        self.protocol
    }

    /// Limits every later round trip; `None` waits forever (the default). A request
    /// that times out leaves the connection unusable, because its reply may still
    /// arrive and would be taken for the next request's.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    /// The round-trip limit in force.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Gives up the client and returns its socket, for protocols this crate does
    /// not speak (raw mass insertion, replication streams). Bytes already received
    /// but not yet decoded are returned with it.
    pub fn into_transport(self) -> (Transport, Bytes) {
        let buffered = Bytes::copy_from_slice(self.reader.buffered());
        (self.reader.into_inner(), buffered)
    }

    /// True once a failure has made the connection unusable.
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    // ---- the request/reply engine -------------------------------------------------

    /// Writes `wbuf` and reads `expect.replies` replies, under the timeout.
    async fn round_trip(&mut self, expect: Expect) -> Result<Vec<Value>> {
        if self.broken {
            self.wbuf.clear();
            return Err(Error::Closed);
        }
        let timeout = self.timeout;
        let work = self.write_and_read(expect);
        let res = match timeout {
            Some(t) => tokio::time::timeout(t, work)
                .await
                .unwrap_or(Err(Error::Timeout)),
            None => work.await,
        };
        self.wbuf.clear();
        if let Err(e) = &res {
            if e.is_connection_error() {
                self.broken = true;
            }
        }
        res
    }

    async fn write_and_read(&mut self, expect: Expect) -> Result<Vec<Value>> {
        if !self.wbuf.is_empty() {
            let stream = self.reader.get_mut();
            stream.write_all(&self.wbuf).await?;
            stream.flush().await?;
        }
        let mut out = Vec::with_capacity(expect.replies.min(1024));
        while out.len() < expect.replies {
            let v = self.read_reply(expect.push_is_reply).await?;
            out.push(v);
        }
        Ok(out)
    }

    /// Reads one reply, setting aside RESP3 pushes and skipping attributes.
    async fn read_reply(&mut self, push_is_reply: bool) -> Result<Value> {
        loop {
            let frame = self.reader.read_frame().await?.ok_or(Error::Closed)?;
            match frame {
                resp::Frame::Attribute(_) => continue,
                resp::Frame::Push(items) if !push_is_reply => {
                    self.queue_push(Value::Push(
                        items.into_iter().map(Value::from_frame).collect(),
                    ));
                }
                other => return Ok(Value::from_frame(other)),
            }
        }
    }

    fn queue_push(&mut self, v: Value) {
        if self.pushes.len() >= MAX_QUEUED_PUSHES {
            self.pushes.pop_front();
        }
        self.pushes.push_back(v);
    }

    /// Sends one command and returns its reply exactly as the server sent it: an
    /// error reply is `Ok(Value::Error(..))`, not `Err`. Connection failures are
    /// `Err`.
    ///
    /// ```no_run
    /// # async fn demo(client: &mut ferrodis::client::Client) -> ferrodis::Result<()> {
    /// use ferrodis::{cmd, Value};
    /// let v = client.execute(&cmd("NOSUCHCOMMAND")).await?;
    /// assert!(matches!(v, Value::Error(_)));
    /// # Ok(()) }
    /// ```
    pub async fn execute(&mut self, c: &Cmd) -> Result<Value> {
        let push_is_reply = c.get_args().first().is_some_and(|n| is_subscribe_family(n));
        c.write_to(&mut self.wbuf);
        let mut replies = self
            .round_trip(Expect {
                replies: 1,
                push_is_reply,
            })
            .await?;
        replies.pop().ok_or(Error::Closed)
    }

    /// Sends one command and converts its reply into `T`; an error reply becomes
    /// `Err(Error::Server)`.
    ///
    /// ```no_run
    /// # async fn demo(client: &mut ferrodis::client::Client) -> ferrodis::Result<()> {
    /// let n: i64 = client.query(ferrodis::cmd("INCRBY").arg("counter").arg(5)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn query<T: FromValue>(&mut self, c: &Cmd) -> Result<T> {
        T::from_value(self.execute(c).await?.into_result()?)
    }

    /// Sends a command given as a slice of arguments, name first; an error reply
    /// becomes `Err(Error::Server)`.
    ///
    /// ```no_run
    /// # async fn demo(client: &mut ferrodis::client::Client) -> ferrodis::Result<()> {
    /// let added = client.call(&["HSET", "user:1", "name", "Ada"]).await?;
    /// assert_eq!(added, ferrodis::Value::Int(1));
    /// # Ok(()) }
    /// ```
    pub async fn call<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Value> {
        let c = Cmd::from_args(args.iter().map(|a| a.as_ref()));
        self.execute(&c).await?.into_result()
    }

    /// Starts a command to be completed with arguments and awaited:
    /// `client.cmd("HSET").arg(k).arg(f).arg(v).await` gives a [`Value`];
    /// `.query::<T>()` gives a `T`.
    ///
    /// ```no_run
    /// # async fn demo(client: &mut ferrodis::client::Client) -> ferrodis::Result<()> {
    /// client.cmd("HSET").arg("h").arg("f").arg("v").await?;
    /// let v: Option<String> = client.cmd("HGET").arg("h").arg("f").query().await?;
    /// assert_eq!(v.as_deref(), Some("v"));
    /// # Ok(()) }
    /// ```
    pub fn cmd(&mut self, name: &str) -> Request<'_> {
        Request {
            client: self,
            cmd: cmd(name),
        }
    }

    /// Sends every command of `pipe` in one write and reads all replies: one round
    /// trip. Replies come back in order, error replies included as
    /// [`Value::Error`]. An atomic pipeline runs as MULTI/EXEC and returns EXEC's
    /// replies; a WATCH abort gives [`Error::TransactionAborted`] and a command
    /// rejected while queueing gives that command's error.
    pub async fn pipeline(&mut self, pipe: &Pipeline) -> Result<Vec<Value>> {
        if pipe.atomic {
            return self.transaction(pipe).await;
        }
        for c in &pipe.cmds {
            c.write_to(&mut self.wbuf);
        }
        self.round_trip(Expect {
            replies: pipe.cmds.len(),
            push_is_reply: false,
        })
        .await
    }

    /// Runs the commands of `pipe` as a MULTI/EXEC transaction in one round trip
    /// (whether or not `pipe` is marked atomic) and returns EXEC's replies.
    ///
    /// ```no_run
    /// # async fn demo(client: &mut ferrodis::client::Client) -> ferrodis::Result<()> {
    /// let mut tx = ferrodis::Pipeline::new();
    /// tx.cmd("INCR").arg("a");
    /// tx.cmd("INCR").arg("b");
    /// let replies = client.transaction(&tx).await?;
    /// assert_eq!(replies.len(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn transaction(&mut self, pipe: &Pipeline) -> Result<Vec<Value>> {
        cmd("MULTI").write_to(&mut self.wbuf);
        for c in &pipe.cmds {
            c.write_to(&mut self.wbuf);
        }
        cmd("EXEC").write_to(&mut self.wbuf);
        let mut replies = self
            .round_trip(Expect {
                replies: pipe.cmds.len() + 2,
                push_is_reply: false,
            })
            .await?;
        let exec = replies.pop().ok_or(Error::Closed)?;
        // MULTI's own failure (nested MULTI...) or a queueing error explains an
        // EXECABORT better than EXEC's generic message.
        if let Some(Value::Error(e)) = replies.iter().find(|v| matches!(v, Value::Error(_))) {
            return Err(Error::Server(e.clone()));
        }
        match exec {
            Value::Nil => Err(Error::TransactionAborted),
            Value::Array(items) => Ok(items),
            Value::Error(e) => Err(Error::Server(e)),
            other => Err(Error::UnexpectedReply(format!(
                "EXEC returned a {} reply",
                other.kind()
            ))),
        }
    }

    /// Queues a command without reading its reply; read replies with
    /// [`Client::read_value`]. For streaming commands such as MONITOR, or for
    /// pipelining by hand.
    pub async fn send(&mut self, c: &Cmd) -> Result<()> {
        c.write_to(&mut self.wbuf);
        self.round_trip(Expect {
            replies: 0,
            push_is_reply: false,
        })
        .await
        .map(|_| ())
    }

    /// Reads the next value the server sends, whatever it is (push messages and
    /// error replies included). `Ok(None)` means the server closed the
    /// connection. The round-trip timeout does not apply: this waits as long as
    /// the stream stays open.
    pub async fn read_value(&mut self) -> Result<Option<Value>> {
        if let Some(p) = self.pushes.pop_front() {
            return Ok(Some(p));
        }
        if self.broken {
            return Err(Error::Closed);
        }
        loop {
            match self.reader.read_frame().await {
                Ok(Some(resp::Frame::Attribute(_))) => continue,
                Ok(v) => return Ok(v.map(Value::from_frame)),
                Err(e) => {
                    self.broken = true;
                    return Err(e);
                }
            }
        }
    }

    /// The next RESP3 push message (client-side caching invalidations, pub/sub
    /// messages on a RESP3 connection...): a queued one, or the next to arrive.
    /// A non-push value arriving here is returned as [`Error::UnexpectedReply`].
    pub async fn next_push(&mut self) -> Result<Option<Value>> {
        match self.read_value().await? {
            Some(p @ Value::Push(_)) => Ok(Some(p)),
            None => Ok(None),
            Some(other) => Err(Error::UnexpectedReply(format!(
                "expected a push message, got a {} reply",
                other.kind()
            ))),
        }
    }

    /// Removes and returns the push messages received so far while waiting for
    /// replies.
    pub fn drain_pushes(&mut self) -> Vec<Value> {
        self.pushes.drain(..).collect()
    }

    // ---- connection commands ------------------------------------------------------

    /// PING: `PONG`, or the message echoed back.
    ///
    /// ```no_run
    /// # async fn demo(client: &mut ferrodis::client::Client) -> ferrodis::Result<()> {
    /// let echoed = client.ping(Some("hi".into())).await?;
    /// assert_eq!(&echoed[..], b"hi");
    /// # Ok(()) }
    /// ```
    pub async fn ping(&mut self, msg: Option<Bytes>) -> Result<Bytes> {
        let mut c = cmd("PING");
        if let Some(m) = msg {
            c.arg(m);
        }
        self.query(&c).await
    }

    /// AUTH with an optional ACL user name.
    pub async fn auth(&mut self, username: Option<&str>, password: &str) -> Result<()> {
        let mut c = cmd("AUTH");
        if let Some(u) = username {
            c.arg(u);
        }
        c.arg(password);
        self.query(&c).await
    }

    /// HELLO: switches protocol (2 or 3), optionally authenticating and naming the
    /// connection in the same request; returns the server's description (a map in
    /// RESP3). On success later replies are decoded as that protocol.
    pub async fn hello(
        &mut self,
        protover: u8,
        auth: Option<(&str, &str)>,
        client_name: Option<&str>,
    ) -> Result<Value> {
        let mut c = cmd("HELLO");
        c.arg(u64::from(protover));
        if let Some((user, pass)) = auth {
            c.arg("AUTH").arg(user).arg(pass);
        }
        if let Some(name) = client_name {
            c.arg("SETNAME").arg(name);
        }
        let v = self.execute(&c).await?.into_result()?;
        self.protocol = protover;
        Ok(v)
    }

    /// SELECT a database.
    pub async fn select(&mut self, db: i64) -> Result<()> {
        self.query(cmd("SELECT").arg(db)).await
    }

    /// ECHO.
    pub async fn echo(&mut self, msg: impl IntoArg) -> Result<Bytes> {
        self.query(cmd("ECHO").arg(msg)).await
    }

    // ---- strings ------------------------------------------------------------------

    /// GET: the value, or `None` if the key does not exist.
    ///
    /// ```no_run
    /// # async fn demo(client: &mut ferrodis::client::Client) -> ferrodis::Result<()> {
    /// if let Some(v) = client.get("foo").await? {
    ///     println!("foo = {v:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get(&mut self, key: &str) -> Result<Option<Bytes>> {
        self.query(cmd("GET").arg(key)).await
    }

    /// SET, overwriting any value and TTL.
    ///
    /// ```no_run
    /// # async fn demo(client: &mut ferrodis::client::Client) -> ferrodis::Result<()> {
    /// client.set("foo", "bar".into()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set(&mut self, key: &str, value: Bytes) -> Result<()> {
        self.query(cmd("SET").arg(key).arg(value)).await
    }

    /// SET with an expiration (sent as `PX` milliseconds, at least 1).
    ///
    /// ```no_run
    /// # async fn demo(client: &mut ferrodis::client::Client) -> ferrodis::Result<()> {
    /// use std::time::Duration;
    /// client.set_expires("session", "data".into(), Duration::from_secs(60)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_expires(
        &mut self,
        key: &str,
        value: Bytes,
        expiration: Duration,
    ) -> Result<()> {
        let ms = u64::try_from(expiration.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        self.query(cmd("SET").arg(key).arg(value).arg("PX").arg(ms))
            .await
    }

    /// SET NX: sets only if the key does not exist; true if it was set.
    pub async fn set_nx(&mut self, key: impl IntoArg, value: impl IntoArg) -> Result<bool> {
        let v: Value = self.query(cmd("SET").arg(key).arg(value).arg("NX")).await?;
        Ok(!v.is_nil())
    }

    /// GETDEL.
    pub async fn getdel(&mut self, key: impl IntoArg) -> Result<Option<Bytes>> {
        self.query(cmd("GETDEL").arg(key)).await
    }

    /// MGET: one entry per key, `None` for missing keys.
    pub async fn mget<K: IntoArg>(
        &mut self,
        keys: impl IntoIterator<Item = K>,
    ) -> Result<Vec<Option<Bytes>>> {
        self.query(cmd("MGET").args(keys)).await
    }

    /// MSET.
    pub async fn mset<K: IntoArg, V: IntoArg>(
        &mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<()> {
        let mut c = cmd("MSET");
        for (k, v) in pairs {
            c.arg(k).arg(v);
        }
        self.query(&c).await
    }

    /// INCR: the new value.
    pub async fn incr(&mut self, key: impl IntoArg) -> Result<i64> {
        self.query(cmd("INCR").arg(key)).await
    }

    /// INCRBY: the new value.
    pub async fn incr_by(&mut self, key: impl IntoArg, by: i64) -> Result<i64> {
        self.query(cmd("INCRBY").arg(key).arg(by)).await
    }

    /// DECR: the new value.
    pub async fn decr(&mut self, key: impl IntoArg) -> Result<i64> {
        self.query(cmd("DECR").arg(key)).await
    }

    /// INCRBYFLOAT: the new value.
    pub async fn incr_by_float(&mut self, key: impl IntoArg, by: f64) -> Result<f64> {
        self.query(cmd("INCRBYFLOAT").arg(key).arg(by)).await
    }

    /// APPEND: the new length.
    pub async fn append(&mut self, key: impl IntoArg, value: impl IntoArg) -> Result<u64> {
        self.query(cmd("APPEND").arg(key).arg(value)).await
    }

    /// STRLEN.
    pub async fn strlen(&mut self, key: impl IntoArg) -> Result<u64> {
        self.query(cmd("STRLEN").arg(key)).await
    }

    // ---- keys ---------------------------------------------------------------------

    /// DEL: how many of the keys existed.
    pub async fn del<K: IntoArg>(&mut self, keys: impl IntoIterator<Item = K>) -> Result<u64> {
        self.query(cmd("DEL").args(keys)).await
    }

    /// EXISTS: how many of the keys exist (repeats counted).
    pub async fn exists<K: IntoArg>(&mut self, keys: impl IntoIterator<Item = K>) -> Result<u64> {
        self.query(cmd("EXISTS").args(keys)).await
    }

    /// PEXPIRE with a duration: true if the key exists and got the TTL.
    pub async fn expire(&mut self, key: impl IntoArg, ttl: Duration) -> Result<bool> {
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        self.query(cmd("PEXPIRE").arg(key).arg(ms)).await
    }

    /// PERSIST: true if a TTL was removed.
    pub async fn persist(&mut self, key: impl IntoArg) -> Result<bool> {
        self.query(cmd("PERSIST").arg(key)).await
    }

    /// PTTL: the remaining time to live, `None` if the key has no TTL or does not
    /// exist (Redis's -1 and -2).
    pub async fn ttl(&mut self, key: impl IntoArg) -> Result<Option<Duration>> {
        let ms: i64 = self.query(cmd("PTTL").arg(key)).await?;
        Ok(u64::try_from(ms).ok().map(Duration::from_millis))
    }

    /// TYPE: `string`, `list`... or `none`.
    pub async fn key_type(&mut self, key: impl IntoArg) -> Result<String> {
        self.query(cmd("TYPE").arg(key)).await
    }

    /// RENAME.
    pub async fn rename(&mut self, from: impl IntoArg, to: impl IntoArg) -> Result<()> {
        self.query(cmd("RENAME").arg(from).arg(to)).await
    }

    /// KEYS: every key matching the glob pattern (blocks the server; prefer SCAN).
    pub async fn keys(&mut self, pattern: impl IntoArg) -> Result<Vec<Bytes>> {
        self.query(cmd("KEYS").arg(pattern)).await
    }

    /// One SCAN step: the next cursor (0 when done) and a batch of keys.
    pub async fn scan(
        &mut self,
        cursor: u64,
        pattern: Option<&str>,
        count: Option<u64>,
    ) -> Result<(u64, Vec<Bytes>)> {
        let mut c = cmd("SCAN");
        c.arg(cursor);
        if let Some(p) = pattern {
            c.arg("MATCH").arg(p);
        }
        if let Some(n) = count {
            c.arg("COUNT").arg(n);
        }
        self.query(&c).await
    }

    /// Every key matching `pattern`, by SCAN iterations (each key once, unless it
    /// was added or removed during the scan).
    pub async fn scan_all(&mut self, pattern: Option<&str>) -> Result<Vec<Bytes>> {
        let mut all = Vec::new();
        let mut cursor = 0;
        loop {
            let (next, keys) = self.scan(cursor, pattern, None).await?;
            all.extend(keys);
            if next == 0 {
                return Ok(all);
            }
            cursor = next;
        }
    }

    /// DBSIZE.
    pub async fn dbsize(&mut self) -> Result<u64> {
        self.query(&cmd("DBSIZE")).await
    }

    /// FLUSHDB.
    pub async fn flushdb(&mut self) -> Result<()> {
        self.query(&cmd("FLUSHDB")).await
    }

    /// INFO, optionally for one section.
    pub async fn info(&mut self, section: Option<&str>) -> Result<String> {
        let mut c = cmd("INFO");
        if let Some(s) = section {
            c.arg(s);
        }
        self.query(&c).await
    }

    // ---- hashes, lists, sets, sorted sets ----------------------------------------

    /// HSET of one field: true if the field is new.
    pub async fn hset(
        &mut self,
        key: impl IntoArg,
        field: impl IntoArg,
        value: impl IntoArg,
    ) -> Result<bool> {
        self.query(cmd("HSET").arg(key).arg(field).arg(value)).await
    }

    /// HGET.
    pub async fn hget(&mut self, key: impl IntoArg, field: impl IntoArg) -> Result<Option<Bytes>> {
        self.query(cmd("HGET").arg(key).arg(field)).await
    }

    /// HGETALL as field/value pairs in the server's order.
    pub async fn hgetall(&mut self, key: impl IntoArg) -> Result<Vec<(Bytes, Bytes)>> {
        let v: Value = self.query(cmd("HGETALL").arg(key)).await?;
        let flat: Vec<Bytes> = FromValue::from_value(v)?;
        let mut out = Vec::with_capacity(flat.len() / 2);
        let mut it = flat.into_iter();
        while let (Some(f), Some(v)) = (it.next(), it.next()) {
            out.push((f, v));
        }
        Ok(out)
    }

    /// HDEL: how many fields were removed.
    pub async fn hdel<F: IntoArg>(
        &mut self,
        key: impl IntoArg,
        fields: impl IntoIterator<Item = F>,
    ) -> Result<u64> {
        self.query(cmd("HDEL").arg(key).args(fields)).await
    }

    /// LPUSH: the new length.
    pub async fn lpush<V: IntoArg>(
        &mut self,
        key: impl IntoArg,
        values: impl IntoIterator<Item = V>,
    ) -> Result<u64> {
        self.query(cmd("LPUSH").arg(key).args(values)).await
    }

    /// RPUSH: the new length.
    pub async fn rpush<V: IntoArg>(
        &mut self,
        key: impl IntoArg,
        values: impl IntoIterator<Item = V>,
    ) -> Result<u64> {
        self.query(cmd("RPUSH").arg(key).args(values)).await
    }

    /// LPOP of one element.
    pub async fn lpop(&mut self, key: impl IntoArg) -> Result<Option<Bytes>> {
        self.query(cmd("LPOP").arg(key)).await
    }

    /// RPOP of one element.
    pub async fn rpop(&mut self, key: impl IntoArg) -> Result<Option<Bytes>> {
        self.query(cmd("RPOP").arg(key)).await
    }

    /// LRANGE (inclusive, negative indexes count from the end).
    pub async fn lrange(&mut self, key: impl IntoArg, start: i64, stop: i64) -> Result<Vec<Bytes>> {
        self.query(cmd("LRANGE").arg(key).arg(start).arg(stop))
            .await
    }

    /// LLEN.
    pub async fn llen(&mut self, key: impl IntoArg) -> Result<u64> {
        self.query(cmd("LLEN").arg(key)).await
    }

    /// SADD: how many members were new.
    pub async fn sadd<M: IntoArg>(
        &mut self,
        key: impl IntoArg,
        members: impl IntoIterator<Item = M>,
    ) -> Result<u64> {
        self.query(cmd("SADD").arg(key).args(members)).await
    }

    /// SREM: how many members were removed.
    pub async fn srem<M: IntoArg>(
        &mut self,
        key: impl IntoArg,
        members: impl IntoIterator<Item = M>,
    ) -> Result<u64> {
        self.query(cmd("SREM").arg(key).args(members)).await
    }

    /// SMEMBERS.
    pub async fn smembers(&mut self, key: impl IntoArg) -> Result<Vec<Bytes>> {
        self.query(cmd("SMEMBERS").arg(key)).await
    }

    /// SISMEMBER.
    pub async fn sismember(&mut self, key: impl IntoArg, member: impl IntoArg) -> Result<bool> {
        self.query(cmd("SISMEMBER").arg(key).arg(member)).await
    }

    /// ZADD of one member: true if it was new.
    pub async fn zadd(
        &mut self,
        key: impl IntoArg,
        score: f64,
        member: impl IntoArg,
    ) -> Result<bool> {
        self.query(cmd("ZADD").arg(key).arg(score).arg(member))
            .await
    }

    /// ZSCORE.
    pub async fn zscore(&mut self, key: impl IntoArg, member: impl IntoArg) -> Result<Option<f64>> {
        self.query(cmd("ZSCORE").arg(key).arg(member)).await
    }

    /// ZRANGE by index.
    pub async fn zrange(&mut self, key: impl IntoArg, start: i64, stop: i64) -> Result<Vec<Bytes>> {
        self.query(cmd("ZRANGE").arg(key).arg(start).arg(stop))
            .await
    }

    // ---- transactions -------------------------------------------------------------

    /// WATCH keys for the next transaction.
    pub async fn watch<K: IntoArg>(&mut self, keys: impl IntoIterator<Item = K>) -> Result<()> {
        self.query(cmd("WATCH").args(keys)).await
    }

    /// UNWATCH.
    pub async fn unwatch(&mut self) -> Result<()> {
        self.query(&cmd("UNWATCH")).await
    }

    // ---- pub/sub ------------------------------------------------------------------

    /// PUBLISH: how many subscribers received the message.
    ///
    /// ```no_run
    /// # async fn demo(client: &mut ferrodis::client::Client) -> ferrodis::Result<()> {
    /// let receivers = client.publish("news", "hello".into()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn publish(&mut self, channel: &str, message: Bytes) -> Result<u64> {
        self.query(cmd("PUBLISH").arg(channel).arg(message)).await
    }

    /// Subscribes to channels, turning the client into a [`Subscriber`].
    ///
    /// ```no_run
    /// # async fn demo() -> ferrodis::Result<()> {
    /// let client = ferrodis::client::connect("127.0.0.1:6379").await?;
    /// let mut sub = client.subscribe(vec!["news".into()]).await?;
    /// while let Some(msg) = sub.next_message().await? {
    ///     println!("{}: {:?}", msg.channel, msg.content);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn subscribe(self, channels: Vec<String>) -> Result<Subscriber> {
        let mut sub = Subscriber::new(self);
        sub.subscribe(&channels).await?;
        Ok(sub)
    }

    /// Subscribes to glob patterns, turning the client into a [`Subscriber`].
    pub async fn psubscribe(self, patterns: Vec<String>) -> Result<Subscriber> {
        let mut sub = Subscriber::new(self);
        sub.psubscribe(&patterns).await?;
        Ok(sub)
    }

    /// Sends MONITOR, turning the client into a [`Monitor`] that yields every
    /// command the server runs.
    pub async fn monitor(mut self) -> Result<Monitor> {
        self.query::<()>(&cmd("MONITOR")).await?;
        Ok(Monitor::new(self))
    }

    /// Writes queued bytes and reads nothing; used by [`Subscriber`].
    pub(crate) async fn write_pending(&mut self) -> Result<()> {
        self.round_trip(Expect {
            replies: 0,
            push_is_reply: true,
        })
        .await
        .map(|_| ())
    }

    /// Queues a command for [`Client::write_pending`].
    pub(crate) fn queue(&mut self, c: &Cmd) {
        c.write_to(&mut self.wbuf);
    }

    /// Reads one frame for the subscriber loop, honouring the broken flag.
    pub(crate) async fn read_raw(&mut self) -> Result<Option<Value>> {
        self.read_value().await
    }
}

/// A command being built on a client: add arguments, then `.await` it for a
/// [`Value`] (error replies as `Err`) or call [`Request::query`] for a typed reply.
#[must_use = "a request does nothing until awaited"]
pub struct Request<'a> {
    client: &'a mut Client,
    cmd: Cmd,
}

impl<'a> Request<'a> {
    /// Appends an argument.
    pub fn arg(mut self, a: impl IntoArg) -> Self {
        self.cmd.arg(a);
        self
    }

    /// Appends every item as an argument.
    pub fn args<A: IntoArg, I: IntoIterator<Item = A>>(mut self, items: I) -> Self {
        self.cmd.args(items);
        self
    }

    /// Sends the command and converts the reply into `T`.
    pub async fn query<T: FromValue>(self) -> Result<T> {
        self.client.query(&self.cmd).await
    }
}

impl<'a> IntoFuture for Request<'a> {
    type Output = Result<Value>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Value>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.client.query(&self.cmd).await })
    }
}

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request").field("cmd", &self.cmd).finish()
    }
}
