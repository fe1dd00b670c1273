//! Typed command errors and the exact Redis error strings they become at the dispatch boundary.

use std::borrow::Cow;

use bytes::Bytes;

/// What a command handler returns when it fails. Handlers never write an error reply
/// themselves: the dispatcher turns this into Redis's exact text and counts it in INFO
/// errorstats.
#[derive(Debug, Clone, PartialEq)]
pub enum CmdError {
    /// The key holds a value of another type.
    WrongType,
    /// The arguments do not follow the command's syntax.
    Syntax,
    /// An argument that must be an integer is not one, or is out of range.
    NotInteger,
    /// An argument that must be a float is not one.
    NotFloat,
    /// An INCR-family operation would overflow.
    Overflow,
    /// The key does not exist where the command requires it.
    NoSuchKey,
    /// The wrong number of arguments for the named command.
    WrongArity(String),
    /// Any other error: the whole message, starting with its code (`ERR ...`).
    Other(Cow<'static, str>),
    /// Not an error: a blocking command cannot proceed yet and asks to wait on keys. The
    /// dispatcher parks the client (see `blocking`); it is never sent to a client.
    Block(Box<BlockOn>),
}

/// Result of a command handler.
pub type CmdResult = Result<(), CmdError>;

impl CmdError {
    /// An `ERR`-coded error with the given text after the code.
    pub fn err(msg: impl Into<Cow<'static, str>>) -> Self {
        match msg.into() {
            Cow::Borrowed(s) => CmdError::Other(Cow::Owned(format!("ERR {s}"))),
            Cow::Owned(s) => CmdError::Other(Cow::Owned(format!("ERR {s}"))),
        }
    }

    /// An error whose whole message (code included) is given.
    pub fn raw(msg: impl Into<Cow<'static, str>>) -> Self {
        CmdError::Other(msg.into())
    }

    /// The message as Redis sends it, without the leading `-`.
    pub fn message(&self) -> Cow<'_, str> {
        match self {
            CmdError::WrongType => {
                "WRONGTYPE Operation against a key holding the wrong kind of value".into()
            }
            CmdError::Syntax => "ERR syntax error".into(),
            CmdError::NotInteger => "ERR value is not an integer or out of range".into(),
            CmdError::NotFloat => "ERR value is not a valid float".into(),
            CmdError::Overflow => "ERR increment or decrement would overflow".into(),
            CmdError::NoSuchKey => "ERR no such key".into(),
            CmdError::WrongArity(cmd) => {
                format!("ERR wrong number of arguments for '{cmd}' command").into()
            }
            CmdError::Other(m) => Cow::Borrowed(m),
            CmdError::Block(_) => "ERR internal error: unhandled block".into(),
        }
    }
}

/// What a blocking command asks for when it cannot proceed.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockOn {
    /// The keys whose change may let the command proceed.
    pub keys: Vec<Bytes>,
    /// Unix milliseconds when to give up (`None`: wait forever).
    pub deadline: Option<u64>,
    /// The reply on timeout, already encoded for the client's protocol.
    pub timeout_reply: Bytes,
    /// The command line to run again when a key is ready, when it differs from the one the
    /// client sent (XREAD's `$` is pinned to the stream's last ID at the moment it blocks).
    pub args: Option<Vec<Bytes>>,
    /// The command does not consume what it waits for (XREAD), or consumes it per group
    /// (XREADGROUP): when it must keep waiting, later waiters on the key are still tried.
    pub serve_all: bool,
}
