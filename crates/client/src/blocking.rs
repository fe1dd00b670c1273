//! A blocking client for synchronous programs: the async [`crate::client::Client`]
//! driven by its own current-thread Tokio runtime, as mini-redis does it.
//!
//! Do not use it from inside an async runtime (blocking there panics in Tokio);
//! use the async client instead.
//!
//! ```no_run
//! fn main() -> ferrodis::Result<()> {
//!     let mut client = ferrodis::blocking::connect("127.0.0.1:6379")?;
//!     client.set("hello", "world".into())?;
//!     assert_eq!(client.get("hello")?.as_deref(), Some(&b"world"[..]));
//!     Ok(())
//! }
//! ```

use std::time::Duration;

use bytes::Bytes;
use tokio::net::ToSocketAddrs;
use tokio::runtime::Runtime;

use crate::client::Message;
use crate::cmd::{Cmd, Pipeline};
use crate::error::Result;
use crate::options::ConnectOptions;
use crate::value::{FromValue, Value};

fn runtime() -> Result<Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// Connects over TCP; see [`crate::client::connect`].
pub fn connect<T: ToSocketAddrs>(addr: T) -> Result<BlockingClient> {
    let rt = runtime()?;
    let inner = rt.block_on(crate::client::connect(addr))?;
    Ok(BlockingClient { inner, rt })
}

/// Connects with options; see [`ConnectOptions`].
///
/// ```no_run
/// # fn demo() -> ferrodis::Result<()> {
/// let opts = ferrodis::ConnectOptions::from_url("redis://127.0.0.1/2")?;
/// let mut client = ferrodis::blocking::connect_with(&opts)?;
/// # Ok(()) }
/// ```
pub fn connect_with(opts: &ConnectOptions) -> Result<BlockingClient> {
    let rt = runtime()?;
    let inner = rt.block_on(crate::client::Client::connect_with(opts))?;
    Ok(BlockingClient { inner, rt })
}

/// The blocking counterpart of [`crate::client::Client`]; every method blocks the
/// calling thread until the reply arrives.
#[derive(Debug)]
pub struct BlockingClient {
    inner: crate::client::Client,
    rt: Runtime,
}

/// The blocking counterpart of [`crate::client::Client`] (mini-redis's name).
pub type Client = BlockingClient;

impl BlockingClient {
    /// See [`crate::client::Client::ping`].
    pub fn ping(&mut self, msg: Option<Bytes>) -> Result<Bytes> {
        self.rt.block_on(self.inner.ping(msg))
    }

    /// See [`crate::client::Client::get`].
    pub fn get(&mut self, key: &str) -> Result<Option<Bytes>> {
        self.rt.block_on(self.inner.get(key))
    }

    /// See [`crate::client::Client::set`].
    pub fn set(&mut self, key: &str, value: Bytes) -> Result<()> {
        self.rt.block_on(self.inner.set(key, value))
    }

    /// See [`crate::client::Client::set_expires`].
    pub fn set_expires(&mut self, key: &str, value: Bytes, expiration: Duration) -> Result<()> {
        self.rt
            .block_on(self.inner.set_expires(key, value, expiration))
    }

    /// See [`crate::client::Client::publish`].
    pub fn publish(&mut self, channel: &str, message: Bytes) -> Result<u64> {
        self.rt.block_on(self.inner.publish(channel, message))
    }

    /// See [`crate::client::Client::execute`]: the raw reply, errors included.
    pub fn execute(&mut self, c: &Cmd) -> Result<Value> {
        self.rt.block_on(self.inner.execute(c))
    }

    /// See [`crate::client::Client::query`].
    ///
    /// ```no_run
    /// # fn demo(client: &mut ferrodis::blocking::Client) -> ferrodis::Result<()> {
    /// let len: u64 = client.query(ferrodis::cmd("RPUSH").arg("l").arg("a").arg("b"))?;
    /// # Ok(()) }
    /// ```
    pub fn query<T: FromValue>(&mut self, c: &Cmd) -> Result<T> {
        self.rt.block_on(self.inner.query(c))
    }

    /// See [`crate::client::Client::call`].
    pub fn call<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Value> {
        self.rt.block_on(self.inner.call(args))
    }

    /// See [`crate::client::Client::pipeline`].
    pub fn pipeline(&mut self, pipe: &Pipeline) -> Result<Vec<Value>> {
        self.rt.block_on(self.inner.pipeline(pipe))
    }

    /// See [`crate::client::Client::transaction`].
    pub fn transaction(&mut self, pipe: &Pipeline) -> Result<Vec<Value>> {
        self.rt.block_on(self.inner.transaction(pipe))
    }

    /// See [`crate::client::Client::set_timeout`].
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.inner.set_timeout(timeout);
    }

    /// The async client inside, for calls this type does not wrap; run them with
    /// [`BlockingClient::block_on`].
    pub fn async_client(&mut self) -> &mut crate::client::Client {
        &mut self.inner
    }

    /// Runs a future on this client's runtime.
    ///
    /// ```no_run
    /// # fn demo(mut client: ferrodis::blocking::Client) -> ferrodis::Result<()> {
    /// let n = {
    ///     let fut = async { 1 + 1 };
    ///     client.block_on(fut)
    /// };
    /// # Ok(()) }
    /// ```
    pub fn block_on<F: std::future::Future>(&self, fut: F) -> F::Output {
        self.rt.block_on(fut)
    }

    /// Subscribes to channels; see [`crate::client::Client::subscribe`].
    pub fn subscribe(self, channels: Vec<String>) -> Result<BlockingSubscriber> {
        let BlockingClient { inner, rt } = self;
        let inner = rt.block_on(inner.subscribe(channels))?;
        Ok(BlockingSubscriber { inner, rt })
    }

    /// Subscribes to patterns; see [`crate::client::Client::psubscribe`].
    pub fn psubscribe(self, patterns: Vec<String>) -> Result<BlockingSubscriber> {
        let BlockingClient { inner, rt } = self;
        let inner = rt.block_on(inner.psubscribe(patterns))?;
        Ok(BlockingSubscriber { inner, rt })
    }
}

/// The blocking counterpart of [`crate::client::Subscriber`].
#[derive(Debug)]
pub struct BlockingSubscriber {
    inner: crate::client::Subscriber,
    rt: Runtime,
}

/// mini-redis's name for [`BlockingSubscriber`].
pub type Subscriber = BlockingSubscriber;

impl BlockingSubscriber {
    /// The channels currently subscribed to.
    pub fn get_subscribed(&self) -> &[String] {
        self.inner.get_subscribed()
    }

    /// Blocks for the next message; `Ok(None)` when the server closed the
    /// connection.
    pub fn next_message(&mut self) -> Result<Option<Message>> {
        self.rt.block_on(self.inner.next_message())
    }

    /// Messages as an iterator that ends when the connection closes.
    ///
    /// ```no_run
    /// # fn demo() -> ferrodis::Result<()> {
    /// let client = ferrodis::blocking::connect("127.0.0.1:6379")?;
    /// for msg in client.subscribe(vec!["news".into()])?.into_iter() {
    ///     println!("{:?}", msg?.content);
    /// }
    /// # Ok(()) }
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn into_iter(self) -> impl Iterator<Item = Result<Message>> {
        let mut sub = Some(self);
        std::iter::from_fn(move || {
            let item = sub.as_mut()?.next_message().transpose();
            // After the connection fails every call would fail again: report the
            // failure once and end.
            let ends = match &item {
                None => true,
                Some(Err(e)) => e.is_connection_error(),
                Some(Ok(_)) => false,
            };
            if ends {
                sub = None;
            }
            item
        })
    }

    /// Subscribes to more channels.
    pub fn subscribe(&mut self, channels: &[String]) -> Result<()> {
        self.rt.block_on(self.inner.subscribe(channels))
    }

    /// Unsubscribes (from every channel when `channels` is empty).
    pub fn unsubscribe(&mut self, channels: &[String]) -> Result<()> {
        self.rt.block_on(self.inner.unsubscribe(channels))
    }

    /// Subscribes to patterns.
    pub fn psubscribe(&mut self, patterns: &[String]) -> Result<()> {
        self.rt.block_on(self.inner.psubscribe(patterns))
    }

    /// Unsubscribes from patterns (every pattern when empty).
    pub fn punsubscribe(&mut self, patterns: &[String]) -> Result<()> {
        self.rt.block_on(self.inner.punsubscribe(patterns))
    }
}
