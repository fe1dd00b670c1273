//! The client's error type: server errors, I/O failures, protocol violations and
//! conversion mismatches are kept apart so callers can react to each differently.

use std::fmt;

use bytes::Bytes;

/// A specialized `Result` whose error is [`Error`].
///
/// ```
/// fn parse(n: &str) -> ferrodis::Result<i64> {
///     n.parse().map_err(|_| ferrodis::Error::UnexpectedReply(format!("not a number: {n}")))
/// }
/// assert_eq!(parse("7").ok(), Some(7));
/// ```
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong while talking to a server.
///
/// Only [`Error::Server`] leaves the connection usable in every case: the server
/// answered, the answer was an error. After [`Error::Io`], [`Error::Protocol`],
/// [`Error::Timeout`] or [`Error::Closed`] the connection is out of step with the
/// server and every later call fails with [`Error::Closed`].
///
/// ```
/// use ferrodis::{Error, ServerError};
/// let err = Error::Server(ServerError::new("WRONGTYPE Operation against a key"));
/// assert!(err.is_server());
/// assert_eq!(err.server_error().map(|e| e.code()), Some("WRONGTYPE"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server replied with an error (`-ERR ...` or a RESP3 blob error).
    Server(ServerError),
    /// Reading from or writing to the socket failed, or connecting failed.
    Io(std::io::Error),
    /// The server sent bytes that are not valid RESP.
    Protocol(String),
    /// A reply arrived but has a shape the caller did not ask for, for example an
    /// array where an integer was expected.
    UnexpectedReply(String),
    /// No reply arrived within the configured timeout.
    Timeout,
    /// The server closed the connection, or an earlier failure left it unusable.
    Closed,
    /// A MULTI/EXEC transaction was aborted because a WATCHed key changed.
    TransactionAborted,
    /// A connection URL or option is invalid.
    InvalidConfig(String),
}

impl Error {
    /// True for an error reply from the server.
    pub fn is_server(&self) -> bool {
        matches!(self, Error::Server(_))
    }

    /// True for a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout)
    }

    /// True for failures that left the connection unusable (I/O, protocol, timeout,
    /// closed).
    pub fn is_connection_error(&self) -> bool {
        matches!(
            self,
            Error::Io(_) | Error::Protocol(_) | Error::Timeout | Error::Closed
        )
    }

    /// The server's error reply, if this is one.
    pub fn server_error(&self) -> Option<&ServerError> {
        match self {
            Error::Server(e) => Some(e),
            _ => None,
        }
    }

    /// A copy of this error, for handing one failure to many waiting callers.
    /// I/O errors keep their kind and message.
    pub(crate) fn replicate(&self) -> Error {
        match self {
            Error::Server(e) => Error::Server(e.clone()),
            Error::Io(e) => Error::Io(std::io::Error::new(e.kind(), e.to_string())),
            Error::Protocol(s) => Error::Protocol(s.clone()),
            Error::UnexpectedReply(s) => Error::UnexpectedReply(s.clone()),
            Error::Timeout => Error::Timeout,
            Error::Closed => Error::Closed,
            Error::TransactionAborted => Error::TransactionAborted,
            Error::InvalidConfig(s) => Error::InvalidConfig(s.clone()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Server(e) => write!(f, "{e}"),
            Error::Io(e) => write!(f, "I/O error: {e}"),
            Error::Protocol(s) => write!(f, "protocol error: {s}"),
            Error::UnexpectedReply(s) => write!(f, "unexpected reply: {s}"),
            Error::Timeout => f.write_str("timed out waiting for the server"),
            Error::Closed => f.write_str("connection closed"),
            Error::TransactionAborted => f.write_str("transaction aborted (a watched key changed)"),
            Error::InvalidConfig(s) => write!(f, "invalid configuration: {s}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Server(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<resp::FrameError> for Error {
    fn from(e: resp::FrameError) -> Self {
        Error::Protocol(e.to_string())
    }
}

impl From<ServerError> for Error {
    fn from(e: ServerError) -> Self {
        Error::Server(e)
    }
}

/// The text of an error reply, such as `ERR unknown command` or
/// `WRONGTYPE Operation against a key holding the wrong kind of value`.
///
/// ```
/// use ferrodis::ServerError;
/// let e = ServerError::new("NOAUTH Authentication required.");
/// assert_eq!(e.code(), "NOAUTH");
/// assert_eq!(e.detail(), "Authentication required.");
/// assert_eq!(e.to_string(), "NOAUTH Authentication required.");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ServerError {
    text: Bytes,
}

impl ServerError {
    /// Wraps the text of an error reply.
    pub fn new(text: impl Into<Bytes>) -> ServerError {
        ServerError { text: text.into() }
    }

    /// The whole error text as sent (binary-safe for RESP3 blob errors).
    pub fn as_bytes(&self) -> &[u8] {
        &self.text
    }

    /// The whole error text, with invalid UTF-8 replaced.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.text)
    }

    /// The error code: the first word (`ERR`, `WRONGTYPE`, `MOVED`...), or the whole
    /// text when it has no space.
    pub fn code(&self) -> &str {
        let word = self.text.split(|b| *b == b' ').next().unwrap_or_default();
        std::str::from_utf8(word).unwrap_or("")
    }

    /// The text after the code, or an empty string.
    pub fn detail(&self) -> std::borrow::Cow<'_, str> {
        match self.text.iter().position(|b| *b == b' ') {
            Some(i) => String::from_utf8_lossy(self.text.get(i + 1..).unwrap_or_default()),
            None => std::borrow::Cow::Borrowed(""),
        }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl fmt::Debug for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServerError({:?})", self.text())
    }
}

impl std::error::Error for ServerError {}
