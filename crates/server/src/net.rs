//! Networking: the accept loop, and each connection's read–execute–write cycle.
//!
//! A connection reads whatever the socket has, executes every complete command in the buffer,
//! and writes all their replies with one write: pipelined clients get one syscall per batch,
//! not per command. TCP_NODELAY is set so a lone reply is not delayed by Nagle's algorithm.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use quanta::Instant;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

use crate::base::clock::now_ms;
use crate::base::handle::{fmt_addr, ClientHandle, Peer};
use crate::base::reply::Out;
use crate::dispatch::execute;
use crate::dispatch::Server;
use crate::state::client::{After, Client, Parked};
/// Accepts connections on `listeners` until `shutdown` completes or a SHUTDOWN command asks
/// the server to stop. Each connection runs in its own task.
pub async fn run(srv: Arc<Server>, listeners: Vec<TcpListener>, shutdown: impl Future) {
    for listener in listeners {
        let addr = listener.local_addr().map(fmt_addr).unwrap_or_default();
        listen(&srv, addr, listener);
    }
    let weak = Arc::downgrade(&srv);
    let _ = srv.rebinder.set(crate::state::Hook(Box::new(move || {
        weak.upgrade().map_or(Ok(()), |srv| rebind(&srv))
    })));
    tokio::spawn(crate::state::cron::run(srv.clone()));
    let mut stop = srv.shutdown.subscribe();
    tokio::select! {
        _ = shutdown => {}
        _ = crate::state::stopped(&mut stop) => {}
    }
    srv.request_shutdown();
    for (_, task) in srv.listeners.lock().drain(..) {
        task.abort();
    }
}

/// Starts accepting connections on `listener`, registered under `addr`.
fn listen(srv: &Arc<Server>, addr: String, listener: TcpListener) {
    let task = tokio::spawn(accept_loop(srv.clone(), listener));
    srv.listeners.lock().push((addr, task));
}

/// An address the configuration asks to listen on.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// `host:port`, IPv6 hosts in brackets.
    pub addr: String,
    /// Whether failing to bind it is tolerated (Redis's `-` prefix, and the IPv6 loopback,
    /// which a machine may lack).
    pub optional: bool,
}

/// The addresses that `bind` and `port` ask for: none when the port is 0, as in Redis.
pub fn targets(binds: &[String], port: u16) -> Vec<Target> {
    if port == 0 {
        return Vec::new();
    }
    binds
        .iter()
        .map(|b| {
            let (dash, host) = match b.strip_prefix('-') {
                Some(h) => (true, h),
                None => (false, b.as_str()),
            };
            let host = match host {
                "*" => "0.0.0.0",
                "::*" => "::",
                h => h,
            };
            let addr = if host.contains(':') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            };
            Target {
                addr,
                optional: dash || host == "::1" || host == "::",
            }
        })
        .collect()
}

/// Binds every target with a listen queue of `backlog` connections (`tcp-backlog`), skipping
/// optional ones that fail; an error names the first mandatory address that could not be
/// bound. The sockets are non-blocking, ready for Tokio.
pub fn bind_all(
    targets: &[Target],
    backlog: u32,
) -> Result<Vec<(String, std::net::TcpListener)>, String> {
    let mut bound = Vec::new();
    for t in targets {
        match listen_tcp(&t.addr, backlog) {
            Ok(l) => bound.push((t.addr.clone(), l)),
            Err(e) if t.optional => warn!("could not bind {}: {e}", t.addr),
            Err(e) => {
                return Err(format!(
                    "Could not create server TCP listening socket {}: {e}",
                    t.addr
                ))
            }
        }
    }
    Ok(bound)
}

/// One listening socket, set up as Redis sets up its own: address reuse, IPv6 sockets for
/// IPv6 only, the given backlog (the kernel caps it at `net.core.somaxconn`).
fn listen_tcp(addr: &str, backlog: u32) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    use std::net::ToSocketAddrs;
    let addr = addr.to_socket_addrs()?.next().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address to bind")
    })?;
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.bind(&addr.into())?;
    socket.listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// Applies a CONFIG SET of `port` or `bind`: listens on the addresses newly asked for, keeps
/// those already open, then closes the rest. If a mandatory address cannot be bound, nothing
/// changes and the error is returned, so that the caller can roll the configuration back.
fn rebind(srv: &Arc<Server>) -> Result<(), String> {
    if tokio::runtime::Handle::try_current().is_err() {
        // Only a server driven without a runtime (unit tests) gets here: it has no listeners.
        return Ok(());
    }
    let (wanted, port, backlog) = {
        let c = srv.config.read();
        (targets(c.bind(), c.port()), c.port(), c.tcp_backlog())
    };
    let open: Vec<String> = srv
        .listeners
        .lock()
        .iter()
        .map(|(a, _)| a.clone())
        .collect();
    let missing: Vec<Target> = wanted
        .iter()
        .filter(|t| !open.contains(&t.addr))
        .cloned()
        .collect();
    let fresh = bind_all(&missing, backlog)?;
    let mut converted = Vec::with_capacity(fresh.len());
    for (addr, l) in fresh {
        converted.push((addr, TcpListener::from_std(l).map_err(|e| e.to_string())?));
    }
    srv.listeners.lock().retain(|(addr, task)| {
        let keep = wanted.iter().any(|t| t.addr == *addr);
        if !keep {
            task.abort();
        }
        keep
    });
    for (addr, l) in converted {
        listen(srv, addr, l);
    }
    srv.port.store(usize::from(port), Ordering::Relaxed);
    Ok(())
}

async fn accept_loop(srv: Arc<Server>, listener: TcpListener) {
    loop {
        let accepted = listener.accept().await.map(|(stream, addr)| {
            let peer = Peer::tcp(addr, stream.local_addr().ok());
            (stream, peer)
        });
        start_connection(&srv, accepted).await;
    }
}

async fn accept_unix_loop(srv: Arc<Server>, listener: UnixListener, path: String) {
    loop {
        let accepted = listener
            .accept()
            .await
            .map(|(stream, _)| (stream, Peer::unix(&path)));
        start_connection(&srv, accepted).await;
    }
}

/// Runs an accepted connection in its own task. Running out of file descriptors must not end
/// the accept loop, so a failed accept backs off instead.
async fn start_connection<S: Transport>(srv: &Arc<Server>, accepted: std::io::Result<(S, Peer)>) {
    match accepted {
        Ok((stream, peer)) => {
            tokio::spawn(connection(srv.clone(), stream, peer));
        }
        Err(e) => {
            warn!("accept failed: {e}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Listens on the Unix-domain socket `path` (`unixsocket`) with permissions `perm`
/// (`unixsocketperm`, 0 to keep the umask's), replacing a stale socket file as Redis does. The
/// caller removes the file when the server stops.
pub fn listen_unix(srv: &Arc<Server>, path: &str, perm: u32) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let listener = UnixListener::bind(path)?;
    if perm != 0 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm))?;
    }
    let task = tokio::spawn(accept_unix_loop(srv.clone(), listener, path.to_string()));
    srv.listeners.lock().push((path.to_string(), task));
    Ok(())
}

/// A client's byte stream: TCP or a Unix-domain socket.
pub trait Transport: AsyncRead + AsyncWrite + Unpin + Send + 'static {
    /// Writes what the socket takes at once, without waiting.
    fn try_write(&self, buf: &[u8]) -> std::io::Result<usize>;
    /// Sets the socket up for request/reply traffic, with `tcp-keepalive` (a period in
    /// seconds, 0 for none), where the transport has such options.
    fn tune(&self, _keepalive_secs: u64) {}
}

impl Transport for TcpStream {
    fn try_write(&self, buf: &[u8]) -> std::io::Result<usize> {
        TcpStream::try_write(self, buf)
    }

    /// TCP_NODELAY, so that a lone reply is not held back by Nagle's algorithm; keepalive as
    /// Redis sets it: probes start after `secs` idle seconds, repeat every third of that, and
    /// three unanswered ones drop the peer.
    fn tune(&self, secs: u64) {
        if let Err(e) = self.set_nodelay(true) {
            debug!("could not set TCP_NODELAY: {e}");
        }
        if secs == 0 {
            return;
        }
        let ka = socket2::TcpKeepalive::new()
            .with_time(Duration::from_secs(secs))
            .with_interval(Duration::from_secs((secs / 3).max(1)))
            .with_retries(3);
        if let Err(e) = socket2::SockRef::from(self).set_tcp_keepalive(&ka) {
            debug!("could not set TCP keepalive: {e}");
        }
    }
}

impl Transport for UnixStream {
    fn try_write(&self, buf: &[u8]) -> std::io::Result<usize> {
        UnixStream::try_write(self, buf)
    }
}

/// Removes a client from the registry when its task ends, however it ends.
struct Registration<'a> {
    srv: &'a Server,
    id: u64,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.srv.pubsub.remove_client(self.id);
        if let Some(handle) = self.srv.clients.lock().get(&self.id).cloned() {
            self.srv.keyspace.watches.unwatch_all(&handle);
            // Clients redirecting their invalidations here find the redirect broken now.
            handle.gone.store(true, Ordering::Relaxed);
            self.srv.keyspace.tracking.disable(&handle);
        }
        self.srv.clients.lock().remove(&self.id);
        let mut monitors = self.srv.monitors.lock();
        monitors.retain(|(id, _)| *id != self.id);
        self.srv
            .monitor_count
            .store(monitors.len(), Ordering::Relaxed);
    }
}

/// Redis's reply to a client refused by protected mode, word for word (typo included).
const DENIED: &[u8] = b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

async fn connection<S: Transport>(srv: Arc<Server>, mut stream: S, peer: Peer) {
    let (maxclients, needs_auth, protected, keepalive) = {
        let c = srv.config.read();
        let needs_auth = c.requirepass().is_some();
        (
            c.maxclients(),
            needs_auth,
            c.protected_mode() && !needs_auth,
            c.tcp_keepalive(),
        )
    };
    let id = srv.next_client_id.fetch_add(1, Ordering::Relaxed);
    let handle = Arc::new(ClientHandle::new(id, peer));
    // Refusals come in Redis's order: the client limit, then protected mode. Neither counts
    // as a connection received, both as a rejected one.
    let refusal: Option<&[u8]> = {
        let mut clients = srv.clients.lock();
        if clients.len() as u64 >= maxclients {
            Some(b"-ERR max number of clients reached\r\n")
        } else if protected && !handle.local {
            Some(DENIED)
        } else {
            clients.insert(id, handle.clone());
            None
        }
    };
    if let Some(reply) = refusal {
        srv.stats
            .rejected_connections
            .fetch_add(1, Ordering::Relaxed);
        let _ = stream.write_all(reply).await;
        return;
    }
    stream.tune(keepalive);
    srv.stats.connections.fetch_add(1, Ordering::Relaxed);
    let _registration = Registration { srv: &srv, id };
    let mut client = Client::new(handle.clone(), !needs_auth);
    if let Err(e) = serve(&srv, &mut stream, &mut client).await {
        debug!("client {id} closed: {e}");
    }
}

async fn serve<S: Transport>(
    srv: &Server,
    stream: &mut S,
    client: &mut Client,
) -> std::io::Result<()> {
    let mut rbuf = BytesMut::with_capacity(16 * 1024);
    let mut out = Out::new(2);
    let mut decoder = resp::RequestDecoder::default();
    let mut closing = false;
    let handle = client.handle.clone();
    let ended = ended(&handle, srv.shutdown.subscribe());
    tokio::pin!(ended);
    // Registered with the kill signal and the shutdown now; see the wait below.
    if std::future::poll_fn(|cx| Poll::Ready(ended.as_mut().poll(cx).is_ready())).await {
        return Ok(());
    }
    // Messages pushed to this client (pub/sub, MONITOR) arrive here, already encoded.
    let (push_tx, mut push_rx) = mpsc::unbounded_channel::<Bytes>();
    client.push = Some(push_tx.clone());
    let _ = handle.push.set(push_tx.clone());
    // Whether the push channel must be polled to leave a waker with it: at first, and after a
    // message was taken (taking one uses up the waker). Otherwise the waker left earlier is still
    // there, and a cheap emptiness check is enough.
    let mut push_unwatched = true;
    loop {
        if must_end(srv, &handle) {
            return Ok(());
        }
        if rbuf.capacity() - rbuf.len() < 4096 {
            // Grow faster while a large argument is arriving, but never by more than the bytes
            // a few reads bring: a claimed length alone must not allocate.
            let want = decoder
                .missing_bulk_bytes(&rbuf)
                .unwrap_or(0)
                .clamp(16 * 1024, 1024 * 1024);
            rbuf.reserve(want);
        }
        let wake = {
            let mut read = std::pin::pin!(stream.read_buf(&mut rbuf));
            let mut idle = std::pin::pin!(sleep_opt(idle_timeout(srv)));
            // The next request is by far the most common reason to wake, so the socket is
            // polled first and, when it has data, alone. Killing a client and shutting down
            // set a flag before they wake the connection, so `ended`, polled once to register,
            // needs no polling after that. Messages pushed meanwhile are written as soon as a
            // read finds nothing more to do.
            std::future::poll_fn(|cx| {
                if let Poll::Ready(r) = read.as_mut().poll(cx) {
                    return Poll::Ready(Wake::Read(r));
                }
                if must_end(srv, &handle) {
                    return Poll::Ready(Wake::End);
                }
                if push_unwatched || !push_rx.is_empty() {
                    if let Poll::Ready(Some(first)) = push_rx.poll_recv(cx) {
                        return Poll::Ready(Wake::Pushed(first));
                    }
                    push_unwatched = false;
                }
                match idle.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Wake::End),
                    Poll::Pending => Poll::Pending,
                }
            })
            .await
        };
        let n = match wake {
            Wake::Read(r) => r?,
            Wake::End => return Ok(()),
            Wake::Pushed(first) => {
                let n = write_pushed(&handle, stream, first, &mut push_rx, ended.as_mut()).await?;
                srv.stats.net_output.fetch_add(n as u64, Ordering::Relaxed);
                srv.stats.writes.fetch_add(1, Ordering::Relaxed);
                push_unwatched = true;
                continue;
            }
        };
        if n == 0 {
            return Ok(());
        }
        srv.stats.net_input.fetch_add(n as u64, Ordering::Relaxed);
        srv.stats.reads.fetch_add(1, Ordering::Relaxed);
        client.next_start = Some(Instant::now());
        let limits = resp::Limits {
            max_bulk_len: srv.hot.proto_max_bulk_len.load(Ordering::Relaxed),
            authenticated: client.authenticated,
            ..resp::Limits::default()
        };
        let qbuf_limit = srv.hot.query_buffer_limit.load(Ordering::Relaxed);
        loop {
            // CLIENT LIST shows the command being run as still in the query buffer, as
            // Redis does.
            let buffered = rbuf.len();
            match decoder.decode(&mut rbuf, &limits) {
                Ok(Some(req)) => {
                    handle.qbuf.store(buffered, Ordering::Relaxed);
                    let mut after = execute(srv, client, &mut out, req.args());
                    decoder.recycle(req);
                    loop {
                        match after {
                            After::Next => break,
                            After::Close => {
                                closing = true;
                                break;
                            }
                            After::Monitor => {
                                let mut monitors = srv.monitors.lock();
                                monitors.push((handle.id, push_tx.clone()));
                                srv.monitor_count.store(monitors.len(), Ordering::Relaxed);
                                break;
                            }
                            After::Pause(args) => {
                                flush(srv, &handle, stream, &mut out, ended.as_mut()).await?;
                                if !wait_pause(srv, stream, &mut rbuf, ended.as_mut()).await? {
                                    return Ok(());
                                }
                                client.next_start = Some(Instant::now());
                                after = execute(srv, client, &mut out, &args);
                            }
                            After::Block(parked) => {
                                flush(srv, &handle, stream, &mut out, ended.as_mut()).await?;
                                if !wait_blocked(
                                    srv,
                                    stream,
                                    &mut rbuf,
                                    client,
                                    parked,
                                    ended.as_mut(),
                                )
                                .await?
                                {
                                    return Ok(());
                                }
                                client.next_start = Some(Instant::now());
                                break;
                            }
                        }
                    }
                    if closing {
                        break;
                    }
                    // Keep a client that pipelines without reading from growing its reply
                    // buffer without bound: write out large batches as they fill.
                    if out.buf.len() > 64 * 1024 {
                        flush(srv, &handle, stream, &mut out, ended.as_mut()).await?;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let mut msg = b"ERR ".to_vec();
                    msg.extend_from_slice(&e.message());
                    srv.stats.count_error("ERR");
                    out.error(&msg);
                    flush(srv, &handle, stream, &mut out, ended.as_mut()).await?;
                    info!("Protocol error ({e}) from client: id={}", handle.id);
                    return Ok(());
                }
            }
        }
        handle.qbuf.store(rbuf.len(), Ordering::Relaxed);
        flush(srv, &handle, stream, &mut out, ended.as_mut()).await?;
        // Give back a query buffer a big request grew, so an idle client holds little memory
        // (the reply buffer is fitted on every write).
        if rbuf.is_empty() && rbuf.capacity() > 64 * 1024 {
            rbuf = BytesMut::with_capacity(16 * 1024);
        }
        if closing {
            return Ok(());
        }
        // Like Redis, count only the part of the buffer not yet parsed into arguments.
        if (rbuf.len() - decoder.parsed_len().min(rbuf.len())) as u64 > qbuf_limit {
            warn!(
                "Closing client that reached max query buffer length: id={}",
                handle.id
            );
            return Ok(());
        }
    }
}

/// Whether the connection must close: it was killed, or the server is shutting down. Both set
/// their flag before they wake the connection.
fn must_end(srv: &Server, handle: &ClientHandle) -> bool {
    handle.killed.load(Ordering::Relaxed) || srv.stopping.load(Ordering::Relaxed)
}

/// Why a connection waiting for its next request woke up.
enum Wake {
    /// The socket was read (0 bytes: the peer closed it).
    Read(std::io::Result<usize>),
    /// The connection must close: killed, shutdown, or idle past `timeout`.
    End,
    /// A message was pushed to the client (pub/sub, MONITOR, invalidations).
    Pushed(Bytes),
}

/// Waits for a blocked client's reply (served by another client's command, or CLIENT
/// UNBLOCK), its timeout, its disconnection or its killing. Returns false when the connection
/// must close.
async fn wait_blocked<S: Transport>(
    srv: &Server,
    stream: &mut S,
    rbuf: &mut BytesMut,
    client: &Client,
    parked: Parked,
    mut ended: Pin<&mut impl Future<Output = ()>>,
) -> std::io::Result<bool> {
    let Parked {
        mut reply,
        deadline,
        timeout_reply,
    } = parked;
    let id = client.handle.id;
    let blocking = &srv.keyspace.blocking;
    let timeout = deadline.map(|d| Duration::from_millis(d.saturating_sub(now_ms())));
    let sleep = sleep_opt(timeout);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            r = &mut reply => {
                if let Ok(bytes) = r {
                    stream.write_all(&bytes).await?;
                }
                return Ok(true);
            }
            _ = &mut sleep => {
                let removed = {
                    let _serving = blocking.serve.lock();
                    blocking.remove(id).is_some()
                };
                // If a command served us in the meantime, its reply is already in the channel.
                let bytes = if removed { Some(timeout_reply) } else { reply.await.ok() };
                if let Some(bytes) = bytes {
                    stream.write_all(&bytes).await?;
                }
                return Ok(true);
            }
            r = stream.read_buf(rbuf) => {
                // Commands sent meanwhile wait in the buffer; a closed socket ends the wait.
                let limit = srv.hot.query_buffer_limit.load(Ordering::Relaxed);
                if r.unwrap_or(0) == 0 || rbuf.len() as u64 > limit {
                    unpark(blocking, id);
                    return Ok(false);
                }
            }
            _ = ended.as_mut() => {
                unpark(blocking, id);
                return Ok(false);
            }
        }
    }
}

/// Waits for a CLIENT PAUSE to end (CLIENT UNPAUSE or its deadline); returns false when the
/// client disconnected or was killed meanwhile.
async fn wait_pause<S: Transport>(
    srv: &Server,
    stream: &mut S,
    rbuf: &mut BytesMut,
    mut ended: Pin<&mut impl Future<Output = ()>>,
) -> std::io::Result<bool> {
    struct Count<'a>(&'a Server);
    impl Drop for Count<'_> {
        fn drop(&mut self) {
            self.0.paused_clients.fetch_sub(1, Ordering::Relaxed);
        }
    }
    srv.paused_clients.fetch_add(1, Ordering::Relaxed);
    let _count = Count(srv);
    while srv.is_paused() {
        let until = srv.keyspace.pause_until.load(Ordering::Relaxed);
        let left = Duration::from_millis(until.saturating_sub(now_ms()).max(1));
        tokio::select! {
            _ = srv.unpaused.notified() => {}
            _ = tokio::time::sleep(left) => {}
            r = stream.read_buf(rbuf) => {
                if r.unwrap_or(0) == 0 {
                    return Ok(false);
                }
            }
            _ = ended.as_mut() => return Ok(false),
        }
    }
    Ok(true)
}

/// Removes a waiter that is going away, leaving no trace in the key queues.
fn unpark(blocking: &crate::observe::blocking::Blocking, id: u64) {
    let _serving = blocking.serve.lock();
    blocking.remove(id);
}

async fn flush<S: Transport>(
    srv: &Server,
    handle: &ClientHandle,
    stream: &mut S,
    out: &mut Out,
    ended: Pin<&mut impl Future<Output = ()>>,
) -> std::io::Result<()> {
    if out.buf.is_empty() {
        return Ok(());
    }
    let written = out.buf.len();
    srv.stats
        .net_output
        .fetch_add(written as u64, Ordering::Relaxed);
    srv.stats.writes.fetch_add(1, Ordering::Relaxed);
    write_or_end(stream, &out.buf, ended, Some((srv, handle))).await?;
    out.buf.clear();
    let reset = srv.reply_peak_reset_ms.load(Ordering::Relaxed);
    out.fit_buffer(
        written,
        now_ms(),
        u64::try_from(reset).ok(),
        srv.reply_resizing.load(Ordering::Relaxed),
    );
    handle
        .reply_buf
        .store(out.buf.capacity(), Ordering::Relaxed);
    handle.reply_peak.store(out.peak, Ordering::Relaxed);
    Ok(())
}

/// Completes when the connection must end: its client was killed (CLIENT KILL, an output
/// buffer limit) or the server is shutting down. It is built once per connection and every
/// wait polls that same future, so waiting costs no registration per request.
async fn ended(handle: &ClientHandle, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    tokio::select! {
        biased;
        _ = handle.kill.notified() => {}
        _ = crate::state::stopped(&mut shutdown) => {}
    }
}

/// Writes `bytes`, giving up when the connection ends meanwhile: a peer that stops reading
/// would otherwise hold its connection task in the write forever, and with it everything the
/// client holds (subscriptions, queued messages), so that CLIENT KILL and the output-buffer
/// limits could not free anything. Most replies fit in the socket buffer, and are written
/// without setting up a wait at all. Replies to a normal client (`limits`) that the socket
/// cannot take at once are held to `client-output-buffer-limit normal`.
async fn write_or_end<S: Transport>(
    stream: &mut S,
    bytes: &[u8],
    ended: Pin<&mut impl Future<Output = ()>>,
    limits: Option<(&Server, &ClientHandle)>,
) -> std::io::Result<()> {
    let written = match stream.try_write(bytes) {
        Ok(n) => n,
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => 0,
        Err(e) => return Err(e),
    };
    let rest = bytes.get(written..).unwrap_or_default();
    if rest.is_empty() {
        return Ok(());
    }
    if let Some((srv, handle)) = limits {
        if over_normal_limit(srv, handle, rest.len() as u64) {
            warn!(
                "Client id={} scheduled to be closed ASAP for overcoming of output buffer limits.",
                handle.id
            );
            return Err(std::io::Error::other("output buffer limit reached"));
        }
    }
    tokio::select! {
        r = stream.write_all(rest) => r,
        _ = ended => Err(std::io::Error::other("connection ended")),
    }
}

/// Whether `pending` reply bytes break `client-output-buffer-limit normal` for a client that is
/// not a subscriber (subscribers answer to the pubsub class, checked where messages are queued).
fn over_normal_limit(srv: &Server, handle: &ClientHandle, pending: u64) -> bool {
    if handle.subscriptions.load(Ordering::Relaxed) > 0 {
        return false;
    }
    let [hard, soft, secs] = &srv.hot.normal_obuf_limit;
    let (hard, soft) = (hard.load(Ordering::Relaxed), soft.load(Ordering::Relaxed));
    if soft > 0 && pending <= soft {
        handle.soft_limit_since.store(0, Ordering::Relaxed);
    }
    (hard > 0 && pending > hard)
        || (soft > 0 && pending > soft && handle.over_soft_limit_for(secs.load(Ordering::Relaxed)))
}

fn idle_timeout(srv: &Server) -> Option<Duration> {
    let t = srv.hot.idle_timeout.load(Ordering::Relaxed);
    (t > 0).then(|| Duration::from_secs(t))
}

async fn sleep_opt(d: Option<Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// Writes pushed messages: the one received and whatever else is already queued, in one write,
/// and takes their bytes off the client's pending-output count. Returns the bytes written.
async fn write_pushed<S: Transport>(
    handle: &ClientHandle,
    stream: &mut S,
    first: Bytes,
    rx: &mut mpsc::UnboundedReceiver<Bytes>,
    ended: Pin<&mut impl Future<Output = ()>>,
) -> std::io::Result<usize> {
    const BATCH: usize = 64 * 1024;
    // A large message is written as it is; small ones are gathered into one write.
    let batch = if first.len() >= BATCH {
        first
    } else {
        let mut batch = BytesMut::from(&first[..]);
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(m) => batch.extend_from_slice(&m),
                Err(_) => break,
            }
        }
        batch.freeze()
    };
    write_or_end(stream, &batch, ended, None).await?;
    let n = batch.len();
    let _ = handle
        .omem
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
            Some(v.saturating_sub(n))
        });
    Ok(n)
}
