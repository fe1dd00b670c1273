//! The byte level of a connection: a socket ([`Transport`]), a reply reader that
//! decodes whole frames from it ([`ReplyReader`]), and [`Connection`], which adds a
//! write buffer. Nothing here knows about commands.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, BytesMut};
use resp::Frame;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use crate::error::{Error, Result};
use crate::value::Value;

/// Bytes requested from the socket per read when the buffer has no spare room.
const READ_CHUNK: usize = 64 * 1024;

/// A TCP or Unix-domain socket.
#[derive(Debug)]
pub enum Transport {
    /// A TCP connection (`TCP_NODELAY` is set on connect).
    Tcp(TcpStream),
    /// A Unix-domain socket connection.
    #[cfg(unix)]
    Unix(tokio::net::UnixStream),
}

impl Transport {
    /// Connects over TCP and disables Nagle's algorithm, because requests are
    /// small and latency matters more than packet count.
    pub async fn tcp(addr: impl tokio::net::ToSocketAddrs) -> Result<Transport> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Transport::Tcp(stream))
    }

    /// Connects to a Unix-domain socket.
    #[cfg(unix)]
    pub async fn unix(path: impl AsRef<std::path::Path>) -> Result<Transport> {
        Ok(Transport::Unix(
            tokio::net::UnixStream::connect(path).await?,
        ))
    }
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(unix)]
            Transport::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(unix)]
            Transport::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Tcp(s) => Pin::new(s).poll_flush(cx),
            #[cfg(unix)]
            Transport::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(unix)]
            Transport::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// Reads whole replies from a byte stream.
///
/// Nothing is allocated ahead of the bytes that arrive, whatever lengths the peer
/// claims, and malformed input yields [`Error::Protocol`], never a panic.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> ferrodis::Result<()> {
/// use ferrodis::{ReplyReader, Value};
/// let mut r = ReplyReader::new(&b"+OK\r\n:7\r\n"[..]);
/// assert_eq!(r.read_value().await?, Some(Value::Status("OK".into())));
/// assert_eq!(r.read_value().await?, Some(Value::Int(7)));
/// assert_eq!(r.read_value().await?, None);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ReplyReader<R> {
    inner: R,
    buf: BytesMut,
}

impl<R: AsyncRead + Unpin> ReplyReader<R> {
    /// Wraps a readable stream.
    pub fn new(inner: R) -> ReplyReader<R> {
        ReplyReader {
            inner,
            buf: BytesMut::with_capacity(16 * 1024),
        }
    }

    /// Wraps a readable stream whose first bytes were already read elsewhere:
    /// `initial` is decoded before anything is read from `inner`.
    pub fn with_initial(inner: R, initial: &[u8]) -> ReplyReader<R> {
        let mut r = ReplyReader::new(inner);
        r.buf.extend_from_slice(initial);
        r
    }

    /// Reads the next frame. `Ok(None)` means the peer closed the stream cleanly
    /// between two frames; closing in the middle of one is an error.
    pub async fn read_frame(&mut self) -> Result<Option<Frame>> {
        // A frame ends in LF. When the buffered bytes did not hold a whole frame,
        // the end of the first one must lie in bytes read later, so a read that
        // brings no LF cannot complete it and needs no re-parse.
        let mut try_decode = !self.buf.is_empty();
        loop {
            if try_decode {
                if let Some(frame) = resp::decode_frame_bytes(&mut self.buf)? {
                    return Ok(Some(frame));
                }
            }
            if self.buf.capacity() - self.buf.len() < 4096 {
                self.buf.reserve(READ_CHUNK);
            }
            let before = self.buf.len();
            let n = self.inner.read_buf(&mut self.buf).await?;
            if n == 0 {
                return if self.buf.is_empty() {
                    Ok(None)
                } else {
                    Err(Error::Protocol(
                        "connection closed in the middle of a reply".into(),
                    ))
                };
            }
            try_decode = self
                .buf
                .get(before..)
                .is_some_and(|fresh| fresh.contains(&b'\n'));
        }
    }

    /// Reads the next frame as a [`Value`]; `Ok(None)` on a clean close.
    pub async fn read_value(&mut self) -> Result<Option<Value>> {
        Ok(self.read_frame().await?.map(Value::from_frame))
    }

    /// Bytes received but not yet decoded.
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Discards `n` buffered bytes (at most what is buffered).
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.advance(n);
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The wrapped stream, mutably (for writing to a duplex stream).
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// Unwraps the stream, dropping any buffered bytes.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

/// A socket with a reply reader and a write buffer: the raw request/reply level
/// beneath [`crate::client::Client`].
///
/// ```no_run
/// # async fn demo() -> ferrodis::Result<()> {
/// use ferrodis::{cmd, Connection, Transport};
/// let mut conn = Connection::new(Transport::tcp("127.0.0.1:6379").await?);
/// conn.write_cmd(&cmd("PING"));
/// conn.flush().await?;
/// let reply = conn.read_value().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Connection<S = Transport> {
    reader: ReplyReader<S>,
    wbuf: BytesMut,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    /// Wraps a connected stream.
    pub fn new(stream: S) -> Connection<S> {
        Connection {
            reader: ReplyReader::new(stream),
            wbuf: BytesMut::new(),
        }
    }

    /// Queues a command for the next [`Connection::flush`].
    pub fn write_cmd(&mut self, c: &crate::Cmd) {
        c.write_to(&mut self.wbuf);
    }

    /// Queues raw bytes (already RESP-encoded) for the next flush.
    pub fn write_raw(&mut self, bytes: &[u8]) {
        self.wbuf.extend_from_slice(bytes);
    }

    /// Sends everything queued.
    pub async fn flush(&mut self) -> Result<()> {
        if !self.wbuf.is_empty() {
            let stream = self.reader.get_mut();
            stream.write_all(&self.wbuf).await?;
            stream.flush().await?;
            self.wbuf.clear();
        }
        Ok(())
    }

    /// Reads the next frame; `Ok(None)` when the server closed the connection.
    pub async fn read_frame(&mut self) -> Result<Option<Frame>> {
        self.reader.read_frame().await
    }

    /// Reads the next reply as a [`Value`]; `Ok(None)` on a clean close.
    pub async fn read_value(&mut self) -> Result<Option<Value>> {
        self.reader.read_value().await
    }

    /// The underlying stream.
    pub fn get_ref(&self) -> &S {
        self.reader.get_ref()
    }

    /// Shuts down the write half, telling the server no more requests follow.
    pub async fn shutdown(&mut self) -> Result<()> {
        self.reader.get_mut().shutdown().await?;
        Ok(())
    }
}
