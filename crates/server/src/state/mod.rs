//! The state every connection shares: configuration, keyspace, client registry, statistics,
//! slow log and latency monitor; with the connection's own state (`client`) and the
//! server-wide background work (`cron`, `evict`).

pub mod client;
pub mod cron;
pub mod evict;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use bytes::Bytes;
use parking_lot::{Mutex, RwLock};
use tokio::sync::{watch, Notify};

use crate::base::clock::now_ms;
use crate::base::config::Config;
use crate::base::handle::{ClientHandle, Peer};
use crate::base::monitor::{LatencyMonitor, SlowLog};
use crate::base::running::Running;
use crate::keyspace::Keyspace;
use crate::state::client::Client;
/// Server-wide counters reported by INFO stats.
#[derive(Debug, Default)]
pub struct Stats {
    /// Connections accepted.
    pub connections: AtomicU64,
    /// Connections refused by maxclients.
    pub rejected_connections: AtomicU64,
    /// Commands processed.
    pub commands: AtomicU64,
    /// Bytes read from clients.
    pub net_input: AtomicU64,
    /// Bytes written to clients.
    pub net_output: AtomicU64,
    /// Reads from client sockets that brought data.
    pub reads: AtomicU64,
    /// Writes to client sockets.
    pub writes: AtomicU64,
    /// Rates sampled for INFO's `instantaneous_*` fields.
    pub instantaneous: crate::base::metrics::Instantaneous,
    /// Client buffer peaks for INFO's `client_recent_max_*` fields.
    pub client_peaks: crate::base::metrics::RecentPeaks,
    /// Memory in use once the server was set up, before any client or key (INFO
    /// `used_memory_startup`).
    pub startup_memory: AtomicUsize,
    /// Error replies sent.
    pub error_replies: AtomicU64,
    /// Keys evicted by `maxmemory`.
    pub evicted: AtomicU64,
    /// Clients disconnected by `maxmemory-clients`.
    pub evicted_clients: AtomicU64,
    /// Errors by code (`ERR`, `WRONGTYPE`...), for INFO errorstats.
    pub errors: Mutex<BTreeMap<String, u64>>,
}

impl Stats {
    /// Counts an error reply under its code (the first word of the message).
    pub fn count_error(&self, msg: &str) {
        self.error_replies.fetch_add(1, Ordering::Relaxed);
        let code = msg.split(' ').next().unwrap_or("ERR");
        let mut errors = self.errors.lock();
        // Redis caps the number of distinct error codes it tracks at 128.
        if errors.len() >= 128 && !errors.contains_key(code) {
            return;
        }
        *errors.entry(code.to_string()).or_insert(0) += 1;
    }
}

/// Default milliseconds between resets of a client's reply-buffer peak, as Redis's.
pub const REPLY_PEAK_RESET_MS: i64 = 5000;

/// The shared state of one server; see the module documentation.
#[derive(Debug)]
pub struct State {
    /// Current configuration.
    pub config: RwLock<Config>,
    /// The databases.
    pub keyspace: Keyspace,
    /// Held shared by every command and exclusively by commands that must run alone.
    pub exclusive: RwLock<()>,
    /// Connected clients by id.
    pub clients: Mutex<BTreeMap<u64, Arc<ClientHandle>>>,
    /// Next client id.
    pub next_client_id: AtomicU64,
    /// Counters.
    pub stats: Stats,
    /// The slow log.
    pub slowlog: Mutex<SlowLog>,
    /// The latency monitor.
    pub latency: Mutex<LatencyMonitor>,
    /// When the server started.
    pub started: Instant,
    /// Random 40-hex-digit run id.
    pub run_id: String,
    /// An eviction was cut short by `maxmemory-eviction-tenacity`'s time limit: the cron goes
    /// on with it (Redis's eviction time event), until memory is under the limit or nothing
    /// more can be evicted.
    pub eviction_unfinished: AtomicBool,
    /// The cron's tick rate now: `hz`, raised by `dynamic-hz` when clients are many (INFO `hz`).
    pub hz: AtomicU32,
    /// Whether the active expiry cycle runs (DEBUG SET-ACTIVE-EXPIRE).
    pub active_expire: AtomicBool,
    /// Whether the periodic background work is suspended (DEBUG PAUSE-CRON).
    pub cron_paused: AtomicBool,
    /// Milliseconds between resets of each client's reply-buffer peak (-1: never), set by
    /// DEBUG REPLYBUFFER PEAK-RESET-TIME.
    pub reply_peak_reset_ms: AtomicI64,
    /// Whether reply buffers are resized to their use (DEBUG REPLYBUFFER RESIZING).
    pub reply_resizing: AtomicBool,
    /// Saving and loading counters and switches.
    pub persist: crate::persist::Status,
    /// Set to true to shut the server down.
    pub shutdown: watch::Sender<bool>,
    /// The value `shutdown` was set to, readable without its lock: connections check it on
    /// every wake.
    pub stopping: AtomicBool,
    /// Only write commands are paused (the pause's end is `keyspace.pause_until`).
    pub pause_write_only: AtomicBool,
    /// Clients waiting for a pause to end (counted in INFO's blocked_clients).
    pub paused_clients: AtomicUsize,
    /// Wakes paused clients when a pause ends.
    pub unpaused: Notify,
    /// Pub/sub subscriptions (shared with the keyspace's notifier).
    pub pubsub: Arc<crate::observe::pubsub::PubSub>,
    /// Monitors: clients receiving every command.
    pub monitors: Mutex<Vec<(u64, tokio::sync::mpsc::UnboundedSender<Bytes>)>>,
    /// TCP port actually bound (0 until listening).
    pub port: AtomicUsize,
    /// The listening sockets' accept tasks, by address (`host:port`), so that CONFIG SET port
    /// or bind can open new ones and close the others.
    pub listeners: Mutex<Vec<(String, tokio::task::JoinHandle<()>)>>,
    /// How CONFIG SET port or bind reopens the listeners: set by the network layer, which
    /// owns them, when it starts serving.
    pub rebinder: OnceLock<Hook>,
    /// Runs work on a thread of its own with the shared state (a background save); set when
    /// the server is built.
    pub spawner: OnceLock<Spawner>,
    /// Number of clients in MONITOR mode, checked on every command without locking.
    pub monitor_count: AtomicUsize,
    /// Configuration read on every request or command, mirrored here so that reading it takes
    /// no lock.
    pub hot: HotConfig,
}

/// Parameters consulted on every command, kept in atomics and refreshed by CONFIG SET.
#[derive(Debug, Default)]
pub struct HotConfig {
    /// `slowlog-log-slower-than` (µs; negative disables).
    pub slowlog_slower_than: AtomicI64,
    /// `latency-monitor-threshold` (ms; 0 disables).
    pub latency_threshold: AtomicI64,
    /// `latency-tracking`.
    pub latency_tracking: AtomicBool,
    /// `maxmemory` in bytes (0: no limit).
    pub maxmemory: AtomicU64,
    /// `min-replicas-to-write` asks for replicas (and `min-replicas-max-lag` is not 0): with
    /// none ever connected, writes are refused.
    pub min_replicas_unmet: AtomicBool,
    /// `timeout`: seconds a client may stay idle (0: forever).
    pub idle_timeout: AtomicU64,
    /// `proto-max-bulk-len`.
    pub proto_max_bulk_len: AtomicI64,
    /// `client-query-buffer-limit`.
    pub query_buffer_limit: AtomicU64,
    /// `client-output-buffer-limit normal`: hard bytes, soft bytes, soft seconds (0: none).
    pub normal_obuf_limit: [AtomicU64; 3],
}

impl HotConfig {
    fn load(&self, c: &Config) {
        self.slowlog_slower_than
            .store(c.slowlog_log_slower_than(), Ordering::Relaxed);
        self.latency_threshold
            .store(c.latency_monitor_threshold(), Ordering::Relaxed);
        self.latency_tracking
            .store(c.latency_tracking(), Ordering::Relaxed);
        self.maxmemory.store(c.maxmemory(), Ordering::Relaxed);
        let unmet = c.int(crate::base::config::Id::MinReplicasToWrite) > 0
            && c.int(crate::base::config::Id::MinReplicasMaxLag) > 0;
        self.min_replicas_unmet.store(unmet, Ordering::Relaxed);
        self.idle_timeout.store(c.timeout(), Ordering::Relaxed);
        self.proto_max_bulk_len
            .store(c.proto_max_bulk_len(), Ordering::Relaxed);
        self.query_buffer_limit
            .store(c.client_query_buffer_limit(), Ordering::Relaxed);
        let l = c.client_output_buffer_limit(crate::base::config::ClientClass::Normal);
        for (slot, v) in
            self.normal_obuf_limit
                .iter()
                .zip([l.hard_bytes, l.soft_bytes, l.soft_seconds])
        {
            slot.store(v, Ordering::Relaxed);
        }
    }
}

/// A callback a higher layer installs in the state (see `State::rebind`).
pub struct Hook(pub Box<dyn Fn() -> Result<(), String> + Send + Sync>);

impl std::fmt::Debug for Hook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hook")
    }
}

/// Starts work on a thread of its own that gets the shared state (see `State::spawner`).
pub struct Spawner(pub Box<dyn Fn(Background) + Send + Sync>);

/// Work for a thread of its own.
pub type Background = Box<dyn FnOnce(&State) + Send>;

impl std::fmt::Debug for Spawner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Spawner")
    }
}

impl State {
    /// Starts a background save (BGSAVE, a save point); the caller holds the exclusive lock.
    /// False when one is running already.
    pub fn start_bgsave(&self) -> bool {
        use crate::persist::{bgsave, snapshot::Settings};
        let settings = Settings::of(&self.config.read());
        let Some(job) = bgsave::start(&self.keyspace, &self.persist) else {
            return false;
        };
        let work: Background = Box::new(move |st: &State| {
            bgsave::run(&st.keyspace, &settings, &st.persist, &job);
        });
        match self.spawner.get() {
            Some(spawn) => (spawn.0)(work),
            // A state that was never built into a server runs it here.
            None => work(self),
        }
        true
    }

    /// The state of a server with `config`, not yet listening.
    pub fn new(config: Config) -> Self {
        let dbs = config.databases();
        let slowlog_max = config.slowlog_max_len();
        let hz = u32::try_from(config.hz()).unwrap_or(10);
        let (shutdown, _) = watch::channel(false);
        let hot = HotConfig::default();
        hot.load(&config);
        let keyspace = Keyspace::new(dbs);
        let pubsub = keyspace.notify.pubsub.clone();
        load_notify(&keyspace.notify, &config);
        keyspace.lazy.load(&config);
        keyspace.access.load(&config);
        let persist = crate::persist::Status::default();
        persist.configured(&config);
        keyspace
            .tracking
            .set_max_keys(config.tracking_table_max_keys());
        let srv = State {
            rebinder: OnceLock::new(),
            spawner: OnceLock::new(),
            config: RwLock::new(config),
            keyspace,
            exclusive: RwLock::new(()),
            clients: Mutex::new(BTreeMap::new()),
            next_client_id: AtomicU64::new(1),
            stats: Stats::default(),
            slowlog: Mutex::new(SlowLog::new(slowlog_max as usize)),
            latency: Mutex::new(LatencyMonitor::default()),
            started: Instant::now(),
            run_id: (0..40)
                .map(|_| char::from_digit(fastrand::u32(..16), 16).unwrap_or('0'))
                .collect(),
            hz: AtomicU32::new(hz),
            eviction_unfinished: AtomicBool::new(false),
            active_expire: AtomicBool::new(true),
            cron_paused: AtomicBool::new(false),
            reply_peak_reset_ms: AtomicI64::new(REPLY_PEAK_RESET_MS),
            reply_resizing: AtomicBool::new(true),
            persist,
            shutdown,
            stopping: AtomicBool::new(false),
            pause_write_only: AtomicBool::new(false),
            paused_clients: AtomicUsize::new(0),
            unpaused: Notify::new(),
            pubsub,
            monitors: Mutex::new(Vec::new()),
            port: AtomicUsize::new(0),
            listeners: Mutex::new(Vec::new()),
            monitor_count: AtomicUsize::new(0),
            hot,
        };
        srv.stats
            .startup_memory
            .store(crate::base::alloc::allocated(), Ordering::Relaxed);
        srv
    }

    /// Applies the side effects of configuration changes made by CONFIG SET.
    /// `running` is the client whose CONFIG SET it was: invalidations of keys a lowered
    /// `maxmemory` evicts reach it after its reply, as any command's do.
    pub fn config_changed(&self, names: &[&str], running: Option<&Running>) {
        self.hot.load(&self.config.read());
        self.persist.configured(&self.config.read());
        load_notify(&self.keyspace.notify, &self.config.read());
        self.keyspace.lazy.load(&self.config.read());
        self.keyspace.access.load(&self.config.read());
        let max_keys = self.config.read().tracking_table_max_keys();
        self.keyspace.tracking.set_max_keys(max_keys);
        if names.contains(&"maxmemory") {
            // Lowering the limit evicts at once, as in Redis.
            let _shared = self.exclusive.read();
            crate::state::evict::make_room(self, running);
        }
        for name in names {
            match *name {
                "slowlog-max-len" => {
                    let n = self.config.read().slowlog_max_len();
                    self.slowlog.lock().set_max_len(n as usize);
                }
                "oom-score-adj" | "oom-score-adj-values" => {
                    if let Err(e) = crate::base::process::apply_oom_score(&self.config.read()) {
                        tracing::warn!("Unable to write oom_score_adj: {e}");
                    }
                }
                _ => {}
            }
        }
    }

    /// CONFIG RESETSTAT: clears the statistics INFO reports (the command table's own are
    /// cleared by its owner).
    pub fn reset_stats(&self) {
        let s = &self.stats;
        for c in [
            &s.connections,
            &s.rejected_connections,
            &s.commands,
            &s.net_input,
            &s.net_output,
            &s.reads,
            &s.writes,
            &s.error_replies,
            &s.evicted,
            &s.evicted_clients,
        ] {
            c.store(0, Ordering::Relaxed);
        }
        s.errors.lock().clear();
        s.instantaneous.reset();
        self.keyspace.lazyfree.reset_stats();
        let k = &self.keyspace.stats;
        for c in [&k.expired, &k.hits, &k.misses] {
            c.store(0, Ordering::Relaxed);
        }
    }

    /// Starts receiving the change stream: from now on, every record of what commands and the
    /// server itself change, in apply order. No command runs while the subscription starts,
    /// so none is half in and half out.
    pub fn subscribe_changes(&self) -> crate::base::changes::Subscriber {
        let _alone = self.exclusive.write();
        self.keyspace.changes.subscribe()
    }

    /// A client handle for a caller without a connection (tests, internal callers). It is not
    /// registered, so it never appears in CLIENT LIST.
    pub fn detached_handle(&self) -> Arc<ClientHandle> {
        Arc::new(ClientHandle::new(
            self.next_client_id.fetch_add(1, Ordering::Relaxed),
            Peer::internal(),
        ))
    }

    /// Whether a CLIENT PAUSE is in force (expiry stops while it is).
    pub fn is_paused(&self) -> bool {
        let until = self.keyspace.pause_until.load(Ordering::Relaxed);
        until != 0 && now_ms() < until
    }

    /// Applies a CONFIG SET of `port` or `bind` to the listeners (see `rebinder`); a server
    /// not serving yet has nothing to reopen.
    pub fn rebind(&self) -> Result<(), String> {
        self.rebinder.get().map_or(Ok(()), |hook| (hook.0)())
    }

    /// Asks every task to stop.
    pub fn request_shutdown(&self) {
        self.stopping.store(true, Ordering::Relaxed);
        self.shutdown.send_replace(true);
    }

    /// Whether any client is in MONITOR mode.
    pub fn has_monitors(&self) -> bool {
        self.monitor_count.load(Ordering::Relaxed) > 0
    }

    /// Sends a command to every client in MONITOR mode, in Redis's format.
    pub fn monitor_feed(&self, client: &Client, args: &[Bytes]) {
        let mut monitors = self.monitors.lock();
        if monitors.is_empty() {
            return;
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let mut line = format!(
            "+{}.{:06} [{} {}]",
            now.as_secs(),
            now.subsec_micros(),
            client.db,
            client.handle.addr
        );
        for a in args {
            line.push(' ');
            crate::base::config::repr_into(&mut line, a);
        }
        line.push_str("\r\n");
        let line = Bytes::from(line);
        monitors.retain(|(_, tx)| tx.send(line.clone()).is_ok());
        self.monitor_count.store(monitors.len(), Ordering::Relaxed);
    }
}

/// Copies the notification settings into the notifier's atomics.
fn load_notify(n: &crate::observe::pubsub::Notifier, c: &Config) {
    n.flags.store(c.notify_keyspace_events(), Ordering::Relaxed);
    let l = c.client_output_buffer_limit(crate::base::config::ClientClass::Pubsub);
    n.limit[0].store(l.hard_bytes, Ordering::Relaxed);
    n.limit[1].store(l.soft_bytes, Ordering::Relaxed);
    n.limit[2].store(l.soft_seconds, Ordering::Relaxed);
}

/// Completes once the server is asked to shut down.
pub async fn stopped(rx: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is dropped here, so callers' futures stay `Send`.
    let _ = rx.wait_for(|s| *s).await;
}
