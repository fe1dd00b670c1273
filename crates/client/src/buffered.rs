//! A cloneable client that many tasks share: one task owns the connection and
//! callers send it requests over an mpsc channel, each with a oneshot channel for
//! the reply (the Tokio tutorial's pattern). Requests that queue up while a round
//! trip is in flight go out together as one pipeline.
//!
//! ```no_run
//! # async fn demo() -> ferrodis::Result<()> {
//! let client = ferrodis::client::connect("127.0.0.1:6379").await?;
//! let shared = ferrodis::buffered::BufferedClient::buffer(client);
//! let mut handles = Vec::new();
//! for i in 0..10 {
//!     let mut c = shared.clone();
//!     handles.push(tokio::spawn(async move { c.set(&format!("k{i}"), "v".into()).await }));
//! }
//! for h in handles {
//!     h.await.expect("task")?;
//! }
//! # Ok(()) }
//! ```

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use crate::client::Client;
use crate::cmd::{cmd, Cmd, Pipeline};
use crate::error::{Error, Result};
use crate::value::{FromValue, Value};

/// Requests waiting in the channel before senders have to wait.
const CHANNEL_CAPACITY: usize = 1024;
/// Most requests sent in one pipelined round trip.
const MAX_BATCH: usize = 256;

type Job = (Cmd, oneshot::Sender<Result<Value>>);

/// A handle to a connection owned by a background task; clone it freely.
///
/// Requires a Tokio runtime (the background task is spawned on it). Commands that
/// change the connection's mode (SUBSCRIBE, MONITOR) or state seen by later
/// commands of other handles (SELECT, MULTI) should not be sent through it.
#[derive(Debug, Clone)]
pub struct BufferedClient {
    tx: mpsc::Sender<Job>,
}

impl BufferedClient {
    /// Moves `client` into a background task and returns a handle to it. The task
    /// ends, closing the connection, when every handle is dropped.
    pub fn buffer(client: Client) -> BufferedClient {
        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        tokio::spawn(run(client, rx));
        BufferedClient { tx }
    }

    /// Sends a command and returns the raw reply (error replies as
    /// [`Value::Error`]).
    pub async fn execute(&self, c: Cmd) -> Result<Value> {
        let (reply_tx, reply_rx) = oneshot::channel();
        self.tx
            .send((c, reply_tx))
            .await
            .map_err(|_| Error::Closed)?;
        reply_rx.await.map_err(|_| Error::Closed)?
    }

    /// Sends a command and converts the reply; error replies become `Err`.
    ///
    /// ```no_run
    /// # async fn demo(c: ferrodis::buffered::BufferedClient) -> ferrodis::Result<()> {
    /// let n: i64 = c.query(ferrodis::Cmd::from_args(["INCR", "hits"])).await?;
    /// # Ok(()) }
    /// ```
    pub async fn query<T: FromValue>(&self, c: Cmd) -> Result<T> {
        T::from_value(self.execute(c).await?.into_result()?)
    }

    /// Sends a command given as a slice of arguments, name first.
    pub async fn call<A: AsRef<[u8]>>(&self, args: &[A]) -> Result<Value> {
        self.query(Cmd::from_args(args.iter().map(|a| a.as_ref())))
            .await
    }

    /// GET.
    pub async fn get(&mut self, key: &str) -> Result<Option<Bytes>> {
        let mut c = cmd("GET");
        c.arg(key);
        self.query(c).await
    }

    /// SET.
    pub async fn set(&mut self, key: &str, value: Bytes) -> Result<()> {
        let mut c = cmd("SET");
        c.arg(key).arg(value);
        self.query(c).await
    }

    /// PUBLISH: how many subscribers received the message.
    pub async fn publish(&mut self, channel: &str, message: Bytes) -> Result<u64> {
        let mut c = cmd("PUBLISH");
        c.arg(channel).arg(message);
        self.query(c).await
    }
}

/// The connection task: takes every request already queued (up to a limit), sends
/// them as one pipeline and hands each caller its reply.
async fn run(mut client: Client, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::new();
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (cmds, waiters): (Vec<Cmd>, Vec<_>) = batch.drain(..).unzip();
        let pipe: Pipeline = cmds.into_iter().collect();
        match client.pipeline(&pipe).await {
            Ok(replies) => {
                for (w, v) in waiters.into_iter().zip(replies) {
                    // A caller that gave up waiting is no reason to stop.
                    let _ = w.send(Ok(v));
                }
            }
            Err(e) => {
                for w in waiters {
                    let _ = w.send(Err(e.replicate()));
                }
            }
        }
    }
}
