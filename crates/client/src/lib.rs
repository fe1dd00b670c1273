//! ferrodis: clients for ferrodis and any Redis server.
//!
//! * [`client`]: the asynchronous client, in mini-redis's shape ([`client::connect`],
//!   `get`, `set`, `set_expires`, `publish`, `subscribe`), plus generic commands
//!   ([`client::Client::cmd`], [`client::Client::call`]), typed replies
//!   ([`FromValue`]), [`Pipeline`]s, MULTI/EXEC transactions, RESP3 and timeouts.
//! * [`blocking`]: the same over a private current-thread runtime, for
//!   synchronous code.
//! * [`buffered`]: a cloneable handle sharing one connection between tasks.
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
//!
//! The wire format is the `resp` crate's; replies are decoded without trusting
//! the server: malformed, truncated or oversized input yields an [`Error`], never a
//! panic, and no buffer is sized by a length the server claims.

#![warn(missing_docs)]

pub mod blocking;
pub mod buffered;
pub mod client;
mod cmd;
mod connection;
mod error;
mod options;
mod pubsub;
mod value;

pub use crate::client::{Message, Monitor, Subscriber};
pub use crate::cmd::{cmd, Cmd, IntoArg, Pipeline};
pub use crate::connection::{Connection, ReplyReader, Transport};
pub use crate::error::{Error, Result, ServerError};
pub use crate::options::{Addr, ConnectOptions};
pub use crate::value::{from_value, FromValue, Value};
pub use resp::Frame;
