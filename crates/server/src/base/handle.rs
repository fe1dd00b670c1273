//! What the rest of the server sees of a connection: its `ClientHandle` (identity, counters,
//! flags other clients read or set) and where it connects from.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use crate::base::clock::now_ms;
use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::Notify;

/// What other clients can see and do to a connection (CLIENT LIST, CLIENT KILL).
#[derive(Debug)]
pub struct ClientHandle {
    /// Unique id (CLIENT ID).
    pub id: u64,
    /// Peer address, `ip:port`.
    pub addr: String,
    /// Local address, `ip:port`.
    pub laddr: String,
    /// The peer is on this host: the IPv4 or IPv6 loopback address, or a Unix-domain socket.
    /// Protected mode and the `local` value of the `enable-*` settings go by this.
    pub local: bool,
    /// The client came through the Unix-domain socket (CLIENT LIST flag `U`).
    pub unix: bool,
    /// When the connection was accepted.
    pub created: Instant,
    /// Name set by CLIENT SETNAME or HELLO.
    pub name: Mutex<Option<Bytes>>,
    /// Selected database.
    pub db: AtomicUsize,
    /// Protocol version.
    pub resp: AtomicUsize,
    /// Unix milliseconds of the last command.
    pub last_interaction: AtomicU64,
    /// Table id of the last command (`u32::MAX`: none yet).
    pub last_cmd: AtomicU32,
    /// Bytes buffered in the query buffer.
    pub qbuf: AtomicUsize,
    /// Capacity of the reply buffer (CLIENT LIST's `rbs`).
    pub reply_buf: AtomicUsize,
    /// Peak use of the reply buffer since its last reset (CLIENT LIST's `rbp`).
    pub reply_peak: AtomicUsize,
    /// Commands queued by MULTI, or -1 outside a transaction (CLIENT LIST's `multi`).
    pub multi: AtomicI64,
    /// Memory those queued commands hold (CLIENT LIST's `multi-mem`).
    pub multi_mem: AtomicUsize,
    /// Bytes waiting in the output buffer.
    pub omem: AtomicUsize,
    /// Flags shown by CLIENT LIST (`N`, `M`, `P`...).
    pub flags: Mutex<String>,
    /// Set when the client must be disconnected.
    pub killed: AtomicBool,
    /// CLIENT NO-EVICT: client eviction (`maxmemory-clients`) passes this client over.
    pub no_evict: AtomicBool,
    /// A key the client WATCHes changed: its next EXEC aborts.
    pub watch_dirty: AtomicBool,
    /// Number of channels, patterns and shard channels subscribed to.
    pub subscriptions: AtomicUsize,
    /// Unix milliseconds since when the output buffer is over the soft limit (0: it is not).
    pub soft_limit_since: AtomicU64,
    /// Wakes the connection when `killed` is set.
    pub kill: Notify,
    /// CLIENT TRACKING mode (`tracking::mode` bits; 0: off).
    pub tracking: AtomicU32,
    /// Id of the client tracking invalidations are redirected to (0: none).
    pub tracking_redirect: AtomicU64,
    /// Where messages pushed to this client go (invalidations), once its connection runs.
    pub push: OnceLock<tokio::sync::mpsc::UnboundedSender<Bytes>>,
    /// Set when the connection has ended: redirecting tracking to it is then broken.
    pub gone: AtomicBool,
}

impl ClientHandle {
    /// The memory this client holds as CLIENT LIST's `tot-mem` counts it, less the command it
    /// may be running: its buffered input, reply buffer, unsent output and queued transaction,
    /// plus its own bookkeeping. Client eviction and INFO's `mem_clients_normal` go by it.
    pub fn memory(&self) -> usize {
        std::mem::size_of::<ClientHandle>()
            + self.qbuf.load(Ordering::Relaxed)
            + self.reply_buf.load(Ordering::Relaxed)
            + self.omem.load(Ordering::Relaxed)
            + self.multi_mem.load(Ordering::Relaxed)
    }

    /// Records that the output buffer is over the soft limit and says whether it has been for
    /// at least `secs` seconds.
    pub fn over_soft_limit_for(&self, secs: u64) -> bool {
        let now = now_ms();
        let since = self.soft_limit_since.load(Ordering::Relaxed);
        if since == 0 {
            self.soft_limit_since.store(now, Ordering::Relaxed);
            return secs == 0;
        }
        now.saturating_sub(since) >= secs * 1000
    }

    /// A handle for a new client connected from `peer`.
    pub fn new(id: u64, peer: Peer) -> Self {
        ClientHandle {
            id,
            addr: peer.addr,
            laddr: peer.laddr,
            local: peer.local,
            unix: peer.unix,
            created: Instant::now(),
            name: Mutex::new(None),
            db: AtomicUsize::new(0),
            resp: AtomicUsize::new(2),
            last_interaction: AtomicU64::new(now_ms()),
            last_cmd: AtomicU32::new(u32::MAX),
            qbuf: AtomicUsize::new(0),
            reply_buf: AtomicUsize::new(16 * 1024),
            reply_peak: AtomicUsize::new(0),
            multi: AtomicI64::new(-1),
            multi_mem: AtomicUsize::new(0),
            omem: AtomicUsize::new(0),
            flags: Mutex::new(String::new()),
            killed: AtomicBool::new(false),
            no_evict: AtomicBool::new(false),
            watch_dirty: AtomicBool::new(false),
            subscriptions: AtomicUsize::new(0),
            soft_limit_since: AtomicU64::new(0),
            kill: Notify::new(),
            tracking: AtomicU32::new(0),
            tracking_redirect: AtomicU64::new(0),
            push: OnceLock::new(),
            gone: AtomicBool::new(false),
        }
    }
}

/// Where a client connects from, as CLIENT LIST and the access rules see it.
#[derive(Debug, Clone, Default)]
pub struct Peer {
    /// Peer address: `ip:port`, or `path:0` for a Unix-domain socket as Redis shows it.
    pub addr: String,
    /// Local address, in the same form.
    pub laddr: String,
    /// Whether the peer is on this host (see [`ClientHandle::local`]).
    pub local: bool,
    /// Whether the connection is a Unix-domain socket.
    pub unix: bool,
}

impl Peer {
    /// A TCP peer. Like Redis, only the exact loopback addresses 127.0.0.1 and ::1 are local.
    pub fn tcp(addr: std::net::SocketAddr, local: Option<std::net::SocketAddr>) -> Self {
        let ip = addr.ip();
        Peer {
            addr: fmt_addr(addr),
            laddr: local.map(fmt_addr).unwrap_or_default(),
            local: ip == std::net::Ipv4Addr::LOCALHOST || ip == std::net::Ipv6Addr::LOCALHOST,
            unix: false,
        }
    }

    /// A client of the Unix-domain socket at `path`.
    pub fn unix(path: &str) -> Self {
        let addr = format!("{path}:0");
        Peer {
            laddr: addr.clone(),
            addr,
            local: true,
            unix: true,
        }
    }

    /// A caller inside the server (tests, internal clients): trusted as local.
    pub fn internal() -> Self {
        Peer {
            local: true,
            ..Peer::default()
        }
    }
}

/// An address as Redis prints it: `ip:port`, IPv6 without brackets.
pub fn fmt_addr(a: std::net::SocketAddr) -> String {
    format!("{}:{}", a.ip(), a.port())
}
