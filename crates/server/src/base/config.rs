//! Server configuration: command line, redis.conf parsing, the parameter registry, and CONFIG GET/SET logic, as in redis-server 7.0.15.
//!
//! Startup goes through [`parse_command_line`], which builds one configuration text out of the
//! config file, standard input and the `--name value` options (in that order, so options win) and
//! feeds it to the same line parser Redis uses. Every parameter is a row of [`table::PARAMS`];
//! values live in a vector indexed by [`Id`], so typed getters are a single match, never a parse.
//! CONFIG SET is all-or-nothing: on any error every value is put back.

pub mod support;
mod table;

pub use support::{support, Support};
pub use table::{Id, NumFmt};
use table::{
    Kind, Param, Special, DENY_LOADING, HIDDEN, IMMUTABLE, MULTI_ARG, PARAMS, PROTECTED, SENSITIVE,
    VOLATILE,
};

use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The Redis version whose configuration behaviour this module reproduces.
pub const REDIS_VERSION: &str = "7.0.15";

/// Most addresses `bind` accepts, as in Redis.
pub const BIND_ADDR_MAX: usize = 16;

/// Lowest effective `hz`; smaller settings are raised to it.
pub const MIN_HZ: i64 = 1;
/// Highest effective `hz`; larger settings are lowered to it.
pub const MAX_HZ: i64 = 500;

/// How deep `include` directives may nest before loading fails (Redis recurses without limit).
const MAX_INCLUDE_DEPTH: usize = 32;

/// Keyspace notification class `K`: publish on `__keyspace@<db>__`.
pub const NOTIFY_KEYSPACE: u32 = 1 << 0;
/// Keyspace notification class `E`: publish on `__keyevent@<db>__`.
pub const NOTIFY_KEYEVENT: u32 = 1 << 1;
/// Keyspace notification class `g`: generic commands.
pub const NOTIFY_GENERIC: u32 = 1 << 2;
/// Keyspace notification class `$`: string commands.
pub const NOTIFY_STRING: u32 = 1 << 3;
/// Keyspace notification class `l`: list commands.
pub const NOTIFY_LIST: u32 = 1 << 4;
/// Keyspace notification class `s`: set commands.
pub const NOTIFY_SET: u32 = 1 << 5;
/// Keyspace notification class `h`: hash commands.
pub const NOTIFY_HASH: u32 = 1 << 6;
/// Keyspace notification class `z`: sorted set commands.
pub const NOTIFY_ZSET: u32 = 1 << 7;
/// Keyspace notification class `x`: expirations.
pub const NOTIFY_EXPIRED: u32 = 1 << 8;
/// Keyspace notification class `e`: evictions.
pub const NOTIFY_EVICTED: u32 = 1 << 9;
/// Keyspace notification class `t`: stream commands.
pub const NOTIFY_STREAM: u32 = 1 << 10;
/// Keyspace notification class `m`: key misses (not part of `A`).
pub const NOTIFY_KEY_MISS: u32 = 1 << 11;
/// Module-only class for keys loaded from RDB (no letter).
pub const NOTIFY_LOADED: u32 = 1 << 12;
/// Keyspace notification class `d`: module events.
pub const NOTIFY_MODULE: u32 = 1 << 13;
/// Keyspace notification class `n`: new keys (not part of `A`).
pub const NOTIFY_NEW: u32 = 1 << 14;
/// Keyspace notification class `A`: alias for `g$lshzxetd`.
pub const NOTIFY_ALL: u32 = NOTIFY_GENERIC
    | NOTIFY_STRING
    | NOTIFY_LIST
    | NOTIFY_SET
    | NOTIFY_HASH
    | NOTIFY_ZSET
    | NOTIFY_EXPIRED
    | NOTIFY_EVICTED
    | NOTIFY_STREAM
    | NOTIFY_MODULE;

/// `shutdown-on-sigint`/`shutdown-on-sigterm` flag `save`.
pub const SHUTDOWN_SAVE: u32 = 1;
/// `shutdown-on-sigint`/`shutdown-on-sigterm` flag `nosave`.
pub const SHUTDOWN_NOSAVE: u32 = 2;
/// `shutdown-on-sigint`/`shutdown-on-sigterm` flag `now`.
pub const SHUTDOWN_NOW: u32 = 4;
/// `shutdown-on-sigint`/`shutdown-on-sigterm` flag `force`.
pub const SHUTDOWN_FORCE: u32 = 8;

/// What the process should do after reading its command line.
#[derive(Debug)]
pub enum Startup {
    /// `-v`/`--version`: print [`version_line`] on stdout and exit 0.
    Version,
    /// `-h`/`--help`: print [`usage_text`] on stderr and exit 1 (as redis-server does).
    Help,
    /// Run the server with this configuration.
    Run(Box<Config>),
}

/// Where a line that failed to load came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigSource {
    /// A configuration file (absolute path when it came from the command line).
    File(String),
    /// Configuration read from standard input (`-`).
    Stdin,
    /// The `--name value` command-line options.
    CommandLine,
    /// Text handed to [`Config::load_from_str`].
    Text,
}

/// Why the configuration could not be loaded; `Display` renders it the way redis-server does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// A directive was unknown, malformed or invalid (or a final sanity check failed).
    Fatal {
        /// Line number (1-based, counted in the text that was being parsed) and the trimmed line.
        line: Option<(usize, String)>,
        /// Redis's reason, e.g. `Bad directive or wrong number of arguments`.
        message: String,
        /// Where the line came from, with its 1-based line number inside that source.
        source: Option<(ConfigSource, usize)>,
    },
    /// A configuration file could not be opened or read.
    Open {
        /// The path as given (made absolute for the main config file).
        path: String,
        /// The operating system's reason, e.g. `No such file or directory`.
        reason: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Fatal {
                line,
                message,
                source,
            } => {
                write!(
                    f,
                    "\n*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\n"
                )?;
                if let Some((n, text)) = line {
                    writeln!(f, "Reading the configuration file, at line {n}")?;
                    writeln!(f, ">>> '{text}'")?;
                }
                write!(f, "{message}")?;
                if line.is_some() {
                    match source {
                        Some((ConfigSource::File(p), n)) => {
                            write!(f, "\n(line {n} of file '{p}')")?
                        }
                        Some((ConfigSource::Stdin, n)) => {
                            write!(f, "\n(line {n} of standard input)")?
                        }
                        Some((ConfigSource::CommandLine, _)) => {
                            write!(f, "\n(in the command line options)")?
                        }
                        Some((ConfigSource::Text, _)) | None => {}
                    }
                }
                Ok(())
            }
            ConfigError::Open { path, reason } => {
                write!(f, "Fatal error, can't open config file '{path}': {reason}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// Knobs for loading that tests and embedders may change.
pub struct LoadOptions<'a> {
    /// Change the process working directory when `dir` is set, as Redis does. When false, `dir`
    /// is tracked in the config only and relative paths resolve against it via [`Config::resolve_path`].
    pub chdir: bool,
    /// Where `-` reads configuration from; `None` means the process's standard input.
    pub stdin: Option<&'a mut dyn Read>,
    /// Tells whether a command exists, to validate `rename-command` like Redis. `None` accepts every rename.
    pub command_exists: Option<&'a dyn Fn(&str) -> bool>,
}

impl fmt::Debug for LoadOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadOptions")
            .field("chdir", &self.chdir)
            .finish_non_exhaustive()
    }
}

impl Default for LoadOptions<'_> {
    fn default() -> Self {
        LoadOptions {
            chdir: true,
            stdin: None,
            command_exists: None,
        }
    }
}

/// Facts about the client issuing CONFIG SET that change what it may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetContext {
    /// The client is connected over loopback or a unix socket (for `enable-protected-configs local`).
    pub client_is_local: bool,
    /// The server is loading its dataset (parameters flagged deny-loading are refused).
    pub loading: bool,
}

/// One `save <seconds> <changes>` point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SaveParam {
    /// Seconds since the last save.
    pub seconds: u64,
    /// Changes since the last save.
    pub changes: u64,
}

/// Output buffer limits for one client class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ObufLimit {
    /// Disconnect as soon as the buffer exceeds this many bytes (0 = no limit).
    pub hard_bytes: u64,
    /// Disconnect when the buffer stays above this many bytes (0 = no limit) ...
    pub soft_bytes: u64,
    /// ... for this many seconds.
    pub soft_seconds: u64,
}

/// Client classes of `client-output-buffer-limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientClass {
    /// Ordinary clients.
    Normal = 0,
    /// Replicas (and MONITOR clients).
    Replica = 1,
    /// Clients subscribed to channels or patterns.
    Pubsub = 2,
}

/// `loglevel` values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Everything.
    Debug,
    /// Much, but not everything.
    Verbose,
    /// Moderately verbose (the default).
    #[default]
    Notice,
    /// Only important messages.
    Warning,
}

/// `maxmemory-policy` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxmemoryPolicy {
    /// Approximated LRU among keys with a TTL.
    VolatileLru,
    /// Approximated LFU among keys with a TTL.
    VolatileLfu,
    /// Random among keys with a TTL.
    VolatileRandom,
    /// Nearest expiry first.
    VolatileTtl,
    /// Approximated LRU among all keys.
    AllkeysLru,
    /// Approximated LFU among all keys.
    AllkeysLfu,
    /// Random among all keys.
    AllkeysRandom,
    /// Refuse writes when over the limit.
    NoEviction,
}

impl MaxmemoryPolicy {
    /// The configuration name, as INFO and CONFIG GET print it.
    pub fn as_str(self) -> &'static str {
        match self {
            MaxmemoryPolicy::VolatileLru => "volatile-lru",
            MaxmemoryPolicy::VolatileLfu => "volatile-lfu",
            MaxmemoryPolicy::VolatileRandom => "volatile-random",
            MaxmemoryPolicy::VolatileTtl => "volatile-ttl",
            MaxmemoryPolicy::AllkeysLru => "allkeys-lru",
            MaxmemoryPolicy::AllkeysLfu => "allkeys-lfu",
            MaxmemoryPolicy::AllkeysRandom => "allkeys-random",
            MaxmemoryPolicy::NoEviction => "noeviction",
        }
    }

    /// The policy keeps LFU counters in the object metadata (OBJECT FREQ needs this).
    pub fn is_lfu(self) -> bool {
        matches!(
            self,
            MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu
        )
    }

    /// The policy only evicts keys that have a TTL.
    pub fn is_volatile(self) -> bool {
        matches!(
            self,
            MaxmemoryPolicy::VolatileLru
                | MaxmemoryPolicy::VolatileLfu
                | MaxmemoryPolicy::VolatileRandom
                | MaxmemoryPolicy::VolatileTtl
        )
    }
}

/// Values of `enable-protected-configs`, `enable-debug-command` and `enable-module-command`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProtectedAction {
    /// Never allowed.
    #[default]
    No,
    /// Always allowed.
    Yes,
    /// Allowed for local (loopback or unix socket) clients only.
    Local,
}

impl ProtectedAction {
    /// Whether a client (local or not) may perform the protected action.
    pub fn allows(self, client_is_local: bool) -> bool {
        match self {
            ProtectedAction::No => false,
            ProtectedAction::Yes => true,
            ProtectedAction::Local => client_is_local,
        }
    }
}

/// `appendfsync` values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AppendFsync {
    /// fsync once a second.
    #[default]
    Everysec,
    /// fsync after every write.
    Always,
    /// Leave flushing to the OS.
    No,
}

/// `sanitize-dump-payload` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SanitizeDumpPayload {
    /// Never deep-check RESTORE payloads.
    No,
    /// Always deep-check.
    Yes,
    /// Deep-check for ordinary clients, not for the master link.
    Clients,
}

/// `oom-score-adj`: how `oom-score-adj-values` apply to the process's OOM score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OomScoreAdj {
    /// Leave the score as the process started with it.
    No,
    /// Add the value to the starting score (`yes` is the same).
    Relative,
    /// Set the score to the value.
    Absolute,
}

/// `maxmemory-clients`: a byte count or a percentage of `maxmemory`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxmemoryClients {
    /// Absolute bytes; 0 disables client eviction.
    Bytes(u64),
    /// Percentage of `maxmemory`.
    Percent(u64),
}

/// Stored value of one parameter.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Bool(bool),
    Num(i64),
    Enum(u32),
    Str(Vec<u8>),
    Dir(String),
    Save(Vec<SaveParam>),
    Obuf([ObufLimit; 3]),
    Oom([i32; 3]),
    Notify(u32),
    Bind(Vec<String>),
    ReplicaOf(Option<(String, u16)>),
    Percentiles(Vec<f64>),
}

/// The whole server configuration: every registry parameter plus the directives that are not parameters.
#[derive(Clone)]
pub struct Config {
    /// One value per row of `PARAMS`, indexed by `Id as usize`.
    values: Vec<Value>,
    /// Whether setting `dir` changes the process working directory.
    chdir: bool,
    /// True while a configuration text is being parsed (affects how `save` accumulates).
    reading_file: bool,
    /// A `save` line already replaced the defaults during loading.
    save_loaded: bool,
    /// Absolute path of the config file given on the command line, if any.
    pub config_file: Option<PathBuf>,
    /// `rename-command <old> <new>` directives in order (`new` empty = command removed).
    pub rename_commands: Vec<(String, String)>,
    /// `--sentinel` appeared on the command line.
    pub sentinel_mode: bool,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values are summarised rather than dumped, so secrets such as requirepass never reach logs.
        f.debug_struct("Config")
            .field("config_file", &self.config_file)
            .field("port", &self.port())
            .field("bind", &self.bind())
            .field("dir", &self.dir())
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

/// Reads a configuration value through its `Id`; the generic typed accessors.
impl Config {
    /// A configuration with every parameter at its default (as `redis-server` with no arguments).
    /// `dir` is the current working directory; setting it later does not chdir (see [`Config::set_chdir`]).
    pub fn new() -> Self {
        let values = PARAMS.iter().map(default_value).collect();
        Config {
            values,
            chdir: false,
            reading_file: false,
            save_loaded: false,
            config_file: None,
            rename_commands: Vec::new(),
            sentinel_mode: false,
        }
    }

    /// Chooses whether setting `dir` also changes the process working directory (Redis does).
    pub fn set_chdir(&mut self, chdir: bool) {
        self.chdir = chdir;
    }

    fn value(&self, id: Id) -> Option<&Value> {
        self.values.get(id as usize)
    }

    /// The value of a numeric parameter (0 if `id` is not numeric). Unsigned 64-bit values
    /// (`maxmemory`, `cluster-link-sendbuf-limit`) come back as their bit pattern; use the typed getters.
    pub fn int(&self, id: Id) -> i64 {
        match self.value(id) {
            Some(Value::Num(v)) => *v,
            _ => 0,
        }
    }

    /// The value of a yes/no parameter (false if `id` is not boolean).
    pub fn flag(&self, id: Id) -> bool {
        matches!(self.value(id), Some(Value::Bool(true)))
    }

    /// The raw value of an enumerated parameter (its value in the table in `table.rs`).
    pub fn enum_raw(&self, id: Id) -> u32 {
        match self.value(id) {
            Some(Value::Enum(v)) => *v,
            _ => 0,
        }
    }

    /// The bytes of a string parameter (empty if unset or `id` is not a string).
    pub fn bytes(&self, id: Id) -> &[u8] {
        match self.value(id) {
            Some(Value::Str(v)) => v,
            _ => &[],
        }
    }

    /// A string parameter as text (lossy for non-UTF-8 bytes).
    pub fn text(&self, id: Id) -> String {
        String::from_utf8_lossy(self.bytes(id)).into_owned()
    }

    fn uint(&self, id: Id) -> u64 {
        // Every unsigned parameter is bounded to be non-negative or is a full u64 stored as bits.
        self.int(id) as u64
    }
}

/// Converts a parameter's stored value to the type its getter returns. Values were checked
/// against the parameter's bounds when they were set, so narrowing loses nothing.
trait Narrow<T> {
    fn narrow(self) -> T;
}

impl<T> Narrow<T> for T {
    fn narrow(self) -> T {
        self
    }
}

macro_rules! narrow_from_i64 {
    ($($ty:ty),*) => {
        $(impl Narrow<$ty> for i64 {
            fn narrow(self) -> $ty {
                <$ty>::try_from(self).unwrap_or_default()
            }
        })*
    };
}
narrow_from_i64!(u16, u32, i32, usize);

/// Declares the typed getters that read one parameter as it is stored: one line of data each
/// (name, type, generic accessor, parameter) instead of a hand-written function.
macro_rules! getters {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $read:ident($id:ident); )*) => {
        impl Config {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> $ty {
                    Narrow::narrow(self.$read(Id::$id))
                }
            )*
        }
    };
}

getters! {
    /// `port` (0 = do not listen on TCP).
    port: u16 = int(Port);
    /// `unixsocket` path (empty = none).
    unixsocket: String = text(Unixsocket);
    /// `unixsocketperm` permission bits.
    unixsocketperm: u32 = int(Unixsocketperm);
    /// `tcp-backlog`.
    tcp_backlog: u32 = int(TcpBacklog);
    /// `tcp-keepalive` in seconds (0 = off).
    tcp_keepalive: u64 = uint(TcpKeepalive);
    /// `protected-mode`.
    protected_mode: bool = flag(ProtectedMode);
    /// `databases`.
    databases: usize = int(Databases);
    /// `maxclients`.
    maxclients: u64 = uint(Maxclients);
    /// `timeout`: idle seconds before a client is closed (0 = never).
    timeout: u64 = uint(Timeout);
    /// `logfile` ("" = standard output).
    logfile: String = text(Logfile);
    /// `daemonize`.
    daemonize: bool = flag(Daemonize);
    /// `pidfile` ("" = none unless daemonized, when Redis uses `/var/run/redis.pid`).
    pidfile: String = text(Pidfile);
    /// `proto-max-bulk-len`: largest bulk string a client may send.
    proto_max_bulk_len: i64 = int(ProtoMaxBulkLen);
    /// `client-query-buffer-limit`.
    client_query_buffer_limit: u64 = uint(ClientQueryBufferLimit);
    /// `dynamic-hz`.
    dynamic_hz: bool = flag(DynamicHz);
    /// `slowlog-log-slower-than` in microseconds (negative = disabled, 0 = log everything).
    slowlog_log_slower_than: i64 = int(SlowlogLogSlowerThan);
    /// `slowlog-max-len`.
    slowlog_max_len: u64 = uint(SlowlogMaxLen);
    /// `latency-monitor-threshold` in milliseconds (0 = off).
    latency_monitor_threshold: i64 = int(LatencyMonitorThreshold);
    /// `latency-tracking`.
    latency_tracking: bool = flag(LatencyTracking);
    /// `maxmemory` in bytes (0 = no limit).
    maxmemory: u64 = uint(Maxmemory);
    /// `maxmemory-samples`.
    maxmemory_samples: u32 = int(MaxmemorySamples);
    /// `maxmemory-eviction-tenacity` (0..=100).
    maxmemory_eviction_tenacity: u32 = int(MaxmemoryEvictionTenacity);
    /// `lfu-log-factor`.
    lfu_log_factor: i32 = int(LfuLogFactor);
    /// `lfu-decay-time` in minutes.
    lfu_decay_time: i32 = int(LfuDecayTime);
    /// `active-expire-effort` (1..=10).
    active_expire_effort: i32 = int(ActiveExpireEffort);
    /// `hash-max-listpack-entries`.
    hash_max_listpack_entries: usize = int(HashMaxListpackEntries);
    /// `hash-max-listpack-value`.
    hash_max_listpack_value: usize = int(HashMaxListpackValue);
    /// `set-max-intset-entries`.
    set_max_intset_entries: usize = int(SetMaxIntsetEntries);
    /// `zset-max-listpack-entries`.
    zset_max_listpack_entries: usize = int(ZsetMaxListpackEntries);
    /// `zset-max-listpack-value`.
    zset_max_listpack_value: usize = int(ZsetMaxListpackValue);
    /// `stream-node-max-bytes`.
    stream_node_max_bytes: usize = int(StreamNodeMaxBytes);
    /// `stream-node-max-entries`.
    stream_node_max_entries: i64 = int(StreamNodeMaxEntries);
    /// `hll-sparse-max-bytes`.
    hll_sparse_max_bytes: usize = int(HllSparseMaxBytes);
    /// `dbfilename`.
    dbfilename: String = text(Dbfilename);
    /// `rdbcompression`.
    rdbcompression: bool = flag(Rdbcompression);
    /// `rdbchecksum`.
    rdbchecksum: bool = flag(Rdbchecksum);
    /// `rdb-key-save-delay` (microseconds slept after each key saved; negative: sleep 1 µs
    /// once in that many keys).
    rdb_key_save_delay: i32 = int(RdbKeySaveDelay);
    /// `key-load-delay` (microseconds slept after each key loaded; negative: sleep 1 µs once in
    /// that many keys).
    key_load_delay: i32 = int(KeyLoadDelay);
    /// `stop-writes-on-bgsave-error`.
    stop_writes_on_bgsave_error: bool = flag(StopWritesOnBgsaveError);
    /// `appendonly`.
    appendonly: bool = flag(Appendonly);
    /// `lazyfree-lazy-eviction`.
    lazyfree_lazy_eviction: bool = flag(LazyfreeLazyEviction);
    /// `lazyfree-lazy-expire`.
    lazyfree_lazy_expire: bool = flag(LazyfreeLazyExpire);
    /// `lazyfree-lazy-server-del`.
    lazyfree_lazy_server_del: bool = flag(LazyfreeLazyServerDel);
    /// `lazyfree-lazy-user-del` (DEL behaves like UNLINK).
    lazyfree_lazy_user_del: bool = flag(LazyfreeLazyUserDel);
    /// `lazyfree-lazy-user-flush` (FLUSHALL/FLUSHDB default to ASYNC).
    lazyfree_lazy_user_flush: bool = flag(LazyfreeLazyUserFlush);
    /// `tracking-table-max-keys`.
    tracking_table_max_keys: u64 = uint(TrackingTableMaxKeys);
    /// `busy-reply-threshold` (alias `lua-time-limit`) in milliseconds.
    busy_reply_threshold: i64 = int(BusyReplyThreshold);
    /// `io-threads`: the number of worker threads running connections.
    io_threads: i32 = int(IoThreads);
    /// `cluster-enabled` (only `no` is accepted: ferrodis has no cluster mode).
    cluster_enabled: bool = flag(ClusterEnabled);
    /// `proc-title-template`.
    proc_title_template: String = text(ProcTitleTemplate);
}

/// The getters that turn a parameter into a type of its own: enumerations, lists, structured
/// values and optional secrets.
impl Config {
    /// `bind` addresses (empty = do not listen on TCP). A leading `-` marks an optional address.
    pub fn bind(&self) -> &[String] {
        match self.value(Id::Bind) {
            Some(Value::Bind(v)) => v,
            _ => &[],
        }
    }
    /// An enumerated parameter as one of `variants`, listed in the order of the values the
    /// table gives their names (the first for a value out of the list, which the table never
    /// stores).
    fn choice_of<T: Copy + Default>(&self, id: Id, variants: &[T]) -> T {
        let i = self.enum_raw(id) as usize;
        variants.get(i).copied().unwrap_or_default()
    }
    /// `loglevel`.
    pub fn loglevel(&self) -> LogLevel {
        use LogLevel::*;
        self.choice_of(Id::Loglevel, &[Debug, Verbose, Notice, Warning])
    }
    /// `enable-debug-command`.
    pub fn enable_debug_command(&self) -> ProtectedAction {
        self.choice_of(Id::EnableDebugCommand, PROTECTED_ACTIONS)
    }
    /// `enable-protected-configs`.
    pub fn enable_protected_configs(&self) -> ProtectedAction {
        self.choice_of(Id::EnableProtectedConfigs, PROTECTED_ACTIONS)
    }
    /// `enable-module-command`.
    pub fn enable_module_command(&self) -> ProtectedAction {
        self.choice_of(Id::EnableModuleCommand, PROTECTED_ACTIONS)
    }
    /// `hz`, already clamped to 1..=500.
    pub fn hz(&self) -> i32 {
        i32::try_from(self.int(Id::Hz).clamp(MIN_HZ, MAX_HZ)).unwrap_or(10)
    }
    /// `latency-tracking-info-percentiles`.
    pub fn latency_tracking_info_percentiles(&self) -> &[f64] {
        match self.value(Id::LatencyTrackingInfoPercentiles) {
            Some(Value::Percentiles(v)) => v,
            _ => &[],
        }
    }
    /// `maxmemory-policy`.
    pub fn maxmemory_policy(&self) -> MaxmemoryPolicy {
        match self.enum_raw(Id::MaxmemoryPolicy) {
            0 => MaxmemoryPolicy::VolatileLru,
            1 => MaxmemoryPolicy::VolatileLfu,
            2 => MaxmemoryPolicy::VolatileRandom,
            3 => MaxmemoryPolicy::VolatileTtl,
            4 => MaxmemoryPolicy::AllkeysLru,
            5 => MaxmemoryPolicy::AllkeysLfu,
            6 => MaxmemoryPolicy::AllkeysRandom,
            _ => MaxmemoryPolicy::NoEviction,
        }
    }
    /// The thresholds under which a hash stays listpack-encoded.
    pub fn hash_limits(&self) -> storage::hash::Limits {
        storage::hash::Limits {
            max_entries: self.hash_max_listpack_entries(),
            max_value: self.hash_max_listpack_value(),
        }
    }
    /// The thresholds under which a sorted set stays listpack-encoded.
    pub fn zset_limits(&self) -> storage::zset::Limits {
        storage::zset::Limits {
            max_entries: self.zset_max_listpack_entries(),
            max_value: self.zset_max_listpack_value(),
        }
    }
    /// `maxmemory-clients`.
    pub fn maxmemory_clients(&self) -> MaxmemoryClients {
        let v = self.int(Id::MaxmemoryClients);
        if v < 0 {
            MaxmemoryClients::Percent(v.unsigned_abs())
        } else {
            MaxmemoryClients::Bytes(v as u64)
        }
    }
    /// `list-max-listpack-size` (negative = size class in KiB, positive = entry count).
    pub fn list_max_listpack_size(&self) -> i32 {
        i32::try_from(self.int(Id::ListMaxListpackSize)).unwrap_or(-2)
    }
    /// `requirepass` (`None` when empty, i.e. no password).
    pub fn requirepass(&self) -> Option<&[u8]> {
        let v = self.bytes(Id::Requirepass);
        (!v.is_empty()).then_some(v)
    }
    /// `masterauth` (`None` when empty).
    pub fn masterauth(&self) -> Option<&[u8]> {
        let v = self.bytes(Id::Masterauth);
        (!v.is_empty()).then_some(v)
    }
    /// `acl-pubsub-default` is `allchannels`.
    pub fn acl_pubsub_allchannels(&self) -> bool {
        self.enum_raw(Id::AclPubsubDefault) == 1
    }
    /// `dir`: the absolute working directory for RDB/AOF files.
    pub fn dir(&self) -> &str {
        match self.value(Id::Dir) {
            Some(Value::Dir(d)) => d,
            _ => "",
        }
    }
    /// Resolves a path relative to `dir`, as Redis does by working in `dir`.
    pub fn resolve_path(&self, p: &str) -> PathBuf {
        let path = Path::new(p);
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            Path::new(self.dir()).join(path)
        }
    }
    /// `appendfsync`.
    pub fn appendfsync(&self) -> AppendFsync {
        use AppendFsync::*;
        self.choice_of(Id::Appendfsync, &[Everysec, Always, No])
    }
    /// `save` points (empty = RDB snapshots disabled).
    pub fn save(&self) -> &[SaveParam] {
        match self.value(Id::Save) {
            Some(Value::Save(v)) => v,
            _ => &[],
        }
    }
    /// `notify-keyspace-events` as `NOTIFY_*` flags (0 = off).
    pub fn notify_keyspace_events(&self) -> u32 {
        match self.value(Id::NotifyKeyspaceEvents) {
            Some(Value::Notify(v)) => *v,
            _ => 0,
        }
    }
    /// `client-output-buffer-limit` for one class.
    pub fn client_output_buffer_limit(&self, class: ClientClass) -> ObufLimit {
        match self.value(Id::ClientOutputBufferLimit) {
            Some(Value::Obuf(v)) => v.get(class as usize).copied().unwrap_or_default(),
            _ => ObufLimit::default(),
        }
    }
    /// `replicaof` master (host, port), if configured.
    pub fn replicaof(&self) -> Option<(&str, u16)> {
        match self.value(Id::Replicaof) {
            Some(Value::ReplicaOf(Some((h, p)))) => Some((h.as_str(), *p)),
            _ => None,
        }
    }
    /// `sanitize-dump-payload`.
    pub fn sanitize_dump_payload(&self) -> SanitizeDumpPayload {
        match self.enum_raw(Id::SanitizeDumpPayload) {
            1 => SanitizeDumpPayload::Yes,
            2 => SanitizeDumpPayload::Clients,
            _ => SanitizeDumpPayload::No,
        }
    }
    /// `shutdown-on-sigint` as `SHUTDOWN_*` flags (0 = default).
    pub fn shutdown_on_sigint(&self) -> u32 {
        self.enum_raw(Id::ShutdownOnSigint)
    }
    /// `shutdown-on-sigterm` as `SHUTDOWN_*` flags (0 = default).
    pub fn shutdown_on_sigterm(&self) -> u32 {
        self.enum_raw(Id::ShutdownOnSigterm)
    }
    /// `supervised` raw mode: 0 no, 1 auto, 2 systemd, 3 upstart.
    pub fn supervised(&self) -> u32 {
        self.enum_raw(Id::Supervised)
    }
    /// `oom-score-adj`.
    pub fn oom_score_adj_mode(&self) -> OomScoreAdj {
        match self.enum_raw(Id::OomScoreAdj) {
            1 => OomScoreAdj::Relative,
            2 => OomScoreAdj::Absolute,
            _ => OomScoreAdj::No,
        }
    }

    /// `oom-score-adj-values`: the scores for a primary, a replica and a background child.
    pub fn oom_score_adj_values(&self) -> [i32; 3] {
        match self.value(Id::OomScoreAdjValues) {
            Some(Value::Oom(v)) => *v,
            _ => [0, 200, 800],
        }
    }
}

/// `enable-*-command` values in the table's order.
const PROTECTED_ACTIONS: &[ProtectedAction] = &[
    ProtectedAction::No,
    ProtectedAction::Yes,
    ProtectedAction::Local,
];

/// The default value of a registry row.
fn default_value(p: &Param) -> Value {
    match p.kind {
        Kind::Bool { default } => Value::Bool(default),
        Kind::Num { default, .. } => Value::Num(default),
        Kind::Enum { default, .. } => Value::Enum(default),
        Kind::Str { default } => Value::Str(default.as_bytes().to_vec()),
        Kind::Special(sp) => match sp {
            Special::Dir => Value::Dir(
                std::env::current_dir()
                    .map(|d| d.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
            Special::Save => Value::Save(vec![
                SaveParam {
                    seconds: 3600,
                    changes: 1,
                },
                SaveParam {
                    seconds: 300,
                    changes: 100,
                },
                SaveParam {
                    seconds: 60,
                    changes: 10000,
                },
            ]),
            Special::ObufLimit => Value::Obuf([
                ObufLimit {
                    hard_bytes: 0,
                    soft_bytes: 0,
                    soft_seconds: 0,
                },
                ObufLimit {
                    hard_bytes: 256 << 20,
                    soft_bytes: 64 << 20,
                    soft_seconds: 60,
                },
                ObufLimit {
                    hard_bytes: 32 << 20,
                    soft_bytes: 8 << 20,
                    soft_seconds: 60,
                },
            ]),
            Special::OomValues => Value::Oom([0, 200, 800]),
            Special::Notify => Value::Notify(0),
            // Bind to loopback by default, as the redis.conf Redis ships does, rather than to every
            // interface as its compiled-in default would: a server with no password must not be
            // reachable from the network unless asked to be.
            Special::Bind => Value::Bind(vec!["127.0.0.1".to_string(), "-::1".to_string()]),
            Special::ReplicaOf => Value::ReplicaOf(None),
            Special::Percentiles => Value::Percentiles(vec![50.0, 99.0, 99.9]),
        },
    }
}

/// Finds a parameter by name or alias, ignoring ASCII case. Returns its row and whether the alias matched.
fn lookup(name: &[u8]) -> Option<(usize, bool)> {
    PARAMS.iter().enumerate().find_map(|(idx, p)| {
        if p.name.as_bytes().eq_ignore_ascii_case(name) {
            Some((idx, false))
        } else if p
            .alias
            .is_some_and(|a| a.as_bytes().eq_ignore_ascii_case(name))
        {
            Some((idx, true))
        } else {
            None
        }
    })
}

/// Whether CONFIG SET arguments for this parameter must be redacted from logs, SLOWLOG and MONITOR.
pub fn is_sensitive(name: &[u8]) -> bool {
    lookup(name).is_some_and(|(idx, _)| PARAMS.get(idx).is_some_and(|p| p.flags & SENSITIVE != 0))
}

/// Whether `name` (or an alias) is a known parameter.
pub fn is_known_parameter(name: &[u8]) -> bool {
    lookup(name).is_some()
}

/// The error CONFIG SET should reply when applying a side effect of `name` failed (e.g. the new port is busy).
pub fn apply_failed_error(name: &str, reason: &str) -> String {
    format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}")
}

/// The `--version` line, in redis-server's format so tools that parse `v=` keep working.
pub fn version_line() -> String {
    format!(
        "Redis server v={REDIS_VERSION} sha=00000000:0 malloc=libc bits={} build=0 (ferrodis {})",
        usize::BITS,
        env!("CARGO_PKG_VERSION")
    )
}

/// The `--help` text (redis-server prints it on stderr and exits with status 1).
pub fn usage_text() -> String {
    let p = "./ferrodis-server";
    format!(
        "Usage: {p} [/path/to/redis.conf] [options] [-]\n       \
         {p} - (read config from stdin)\n       \
         {p} -v or --version\n       \
         {p} -h or --help\n\n\
         Examples:\n       \
         {p} (run the server with default conf)\n       \
         echo 'maxmemory 128mb' | {p} -\n       \
         {p} /etc/redis/6379.conf\n       \
         {p} --port 7777\n       \
         {p} --port 7777 --replicaof 127.0.0.1 8888\n       \
         {p} /etc/myredis.conf --loglevel verbose -\n       \
         {p} /etc/myredis.conf --loglevel verbose\n"
    )
}

// ---------------------------------------------------------------------------------------------
// Low-level parsing that must match Redis byte for byte.
// ---------------------------------------------------------------------------------------------

/// C `isspace` in the "C" locale.
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Bytes up to (not including) the first NUL, as C string functions see them.
fn c_str(s: &[u8]) -> &[u8] {
    match s.iter().position(|&c| c == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}

/// Quotes bytes the way Redis's `sdscatrepr` does, so `resp::split_args` reads them back unchanged.
pub fn repr(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    repr_into(&mut out, s);
    out
}

/// Appends `s` quoted as [`repr`] quotes it (MONITOR's lines too).
pub fn repr_into(out: &mut String, s: &[u8]) {
    out.push('"');
    for &c in s {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            7 => out.push_str("\\a"),
            8 => out.push_str("\\b"),
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push('"');
}

/// C `strtoll`: returns the value (saturated on overflow), whether the whole string was
/// consumed, and whether it overflowed. An empty string counts as fully consumed, as in C.
fn c_strtoll(s: &[u8], base: u32) -> (i64, bool, bool) {
    let s = c_str(s);
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut mag: u64 = 0;
    let mut overflow = false;
    while i < s.len() {
        let Some(d) = (s[i] as char).to_digit(base) else {
            break;
        };
        match mag
            .checked_mul(u64::from(base))
            .and_then(|m| m.checked_add(u64::from(d)))
        {
            Some(m) => mag = m,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        // No digits: C leaves the end pointer at the very start of the string.
        return (0, s.is_empty(), false);
    }
    let value = if neg {
        if overflow || mag > (i64::MAX as u64) + 1 {
            overflow = true;
            i64::MIN
        } else {
            (mag as i64).wrapping_neg()
        }
    } else if overflow || mag > i64::MAX as u64 {
        overflow = true;
        i64::MAX
    } else {
        mag as i64
    };
    (value, i == s.len(), overflow)
}

/// Redis's `memtoull`: digits followed by an optional unit (`b`, `k`, `kb`, `m`, `mb`, `g`, `gb`,
/// any case; `k` = 1000, `kb` = 1024). Like Redis, an empty number counts as 0, the digits
/// saturate on overflow and the multiplication wraps.
pub fn parse_memory(s: &[u8]) -> Option<u64> {
    let s = c_str(s);
    if s.first() == Some(&b'-') {
        return None;
    }
    let u = s
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(s.len());
    let (digits, unit) = s.split_at(u);
    let unit = unit.to_ascii_lowercase();
    let mul: u64 = match unit.as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits.len() >= 128 {
        return None;
    }
    let mut val: u64 = 0;
    for &c in digits {
        val = val.saturating_mul(10).saturating_add(u64::from(c - b'0'));
    }
    Some(val.wrapping_mul(mul))
}

/// The text of an OS error without Rust's " (os error N)" suffix, like C's `strerror`.
fn os_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(n) => s[..n].to_string(),
        None => s,
    }
}

/// Parses the `notify-keyspace-events` class letters into `NOTIFY_*` flags.
pub fn keyspace_events_from_str(classes: &[u8]) -> Option<u32> {
    let mut flags = 0;
    for &c in c_str(classes) {
        flags |= match c {
            b'A' => NOTIFY_ALL,
            b'g' => NOTIFY_GENERIC,
            b'$' => NOTIFY_STRING,
            b'l' => NOTIFY_LIST,
            b's' => NOTIFY_SET,
            b'h' => NOTIFY_HASH,
            b'z' => NOTIFY_ZSET,
            b'x' => NOTIFY_EXPIRED,
            b'e' => NOTIFY_EVICTED,
            b'K' => NOTIFY_KEYSPACE,
            b'E' => NOTIFY_KEYEVENT,
            b't' => NOTIFY_STREAM,
            b'm' => NOTIFY_KEY_MISS,
            b'd' => NOTIFY_MODULE,
            b'n' => NOTIFY_NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// Renders `NOTIFY_*` flags in Redis's canonical order (`A` replaces the classes it covers).
pub fn keyspace_events_to_string(flags: u32) -> String {
    let mut s = String::new();
    if flags & NOTIFY_ALL == NOTIFY_ALL {
        s.push('A');
    } else {
        for (bit, c) in [
            (NOTIFY_GENERIC, 'g'),
            (NOTIFY_STRING, '$'),
            (NOTIFY_LIST, 'l'),
            (NOTIFY_SET, 's'),
            (NOTIFY_HASH, 'h'),
            (NOTIFY_ZSET, 'z'),
            (NOTIFY_EXPIRED, 'x'),
            (NOTIFY_EVICTED, 'e'),
            (NOTIFY_STREAM, 't'),
            (NOTIFY_MODULE, 'd'),
            (NOTIFY_NEW, 'n'),
        ] {
            if flags & bit != 0 {
                s.push(c);
            }
        }
    }
    for (bit, c) in [
        (NOTIFY_KEYSPACE, 'K'),
        (NOTIFY_KEYEVENT, 'E'),
        (NOTIFY_KEY_MISS, 'm'),
    ] {
        if flags & bit != 0 {
            s.push(c);
        }
    }
    s
}

/// Prints a percentile like C's `%f` followed by Redis's trailing-zero trim.
/// A percentile as Redis prints it (`%f` with trailing zeros trimmed): `50`, `99.9`.
pub fn format_percentile(v: f64) -> String {
    let mut s = format!("{v:.6}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// Splits a CONFIG SET value of a multi-argument parameter on single spaces, like `sdssplitlen`
/// (an empty value gives no arguments; repeated spaces give empty arguments).
fn split_spaces(v: &[u8]) -> Vec<&[u8]> {
    if v.is_empty() {
        Vec::new()
    } else {
        v.split(|&c| c == b' ').collect()
    }
}

fn enum_error(values: &[(&str, u32)]) -> String {
    let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
    format!(
        "argument(s) must be one of the following: {}",
        names.join(", ")
    )
}

/// Renders an enum value (bitflag sets from high match to low, as Redis's `configEnumGetName`).
fn enum_name(values: &[(&str, u32)], v: u32, bitflags: bool) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut unmatched = v;
    for &(name, val) in values {
        if v == val {
            return name.to_string();
        }
        if bitflags && val != 0 && val == (unmatched & val) {
            names.push(name);
            unmatched &= !val;
        }
    }
    if names.is_empty() || unmatched != 0 {
        "unknown".to_string()
    } else {
        names.join(" ")
    }
}

fn path_is_base_name(v: &[u8]) -> bool {
    !v.contains(&b'/') && !v.contains(&b'\\')
}

// ---------------------------------------------------------------------------------------------
// Setting and rendering single parameters.
// ---------------------------------------------------------------------------------------------

impl Config {
    /// Renders a parameter's value as CONFIG GET returns it.
    fn render(&self, idx: usize) -> Vec<u8> {
        let (Some(p), Some(v)) = (PARAMS.get(idx), self.values.get(idx)) else {
            return Vec::new();
        };
        let s = match (v, &p.kind) {
            (Value::Bool(b), _) => (if *b { "yes" } else { "no" }).to_string(),
            (Value::Num(n), Kind::Num { fmt, .. }) => match fmt {
                NumFmt::MemoryPercent if *n < 0 => format!("{}%", n.unsigned_abs()),
                NumFmt::Memory | NumFmt::MemoryPercent => (*n as u64).to_string(),
                NumFmt::Octal => format!("{:o}", *n as u64),
                NumFmt::Integer => n.to_string(),
            },
            (Value::Num(n), _) => n.to_string(),
            (Value::Enum(e), Kind::Enum { values, .. }) => {
                enum_name(values, *e, p.flags & MULTI_ARG != 0)
            }
            (Value::Enum(e), _) => e.to_string(),
            (Value::Str(b), _) => return b.clone(),
            (Value::Dir(d), _) => d.clone(),
            (Value::Save(list), _) => list
                .iter()
                .map(|sp| format!("{} {}", sp.seconds, sp.changes))
                .collect::<Vec<_>>()
                .join(" "),
            (Value::Obuf(l), _) => ["normal", "slave", "pubsub"]
                .iter()
                .zip(l.iter())
                .map(|(n, o)| format!("{n} {} {} {}", o.hard_bytes, o.soft_bytes, o.soft_seconds))
                .collect::<Vec<_>>()
                .join(" "),
            (Value::Oom(o), _) => format!("{} {} {}", o[0], o[1], o[2]),
            (Value::Notify(f), _) => keyspace_events_to_string(*f),
            (Value::Bind(b), _) => b.join(" "),
            (Value::ReplicaOf(r), _) => match r {
                Some((h, port)) => format!("{h} {port}"),
                None => String::new(),
            },
            (Value::Percentiles(ps), _) => ps
                .iter()
                .map(|v| format_percentile(*v))
                .collect::<Vec<_>>()
                .join(" "),
        };
        s.into_bytes()
    }

    /// Stores new arguments into parameter `idx`, unless they ask for a capability ferrodis
    /// lacks (see [`support`]). Returns whether the value changed (Redis's "apply needed"), or
    /// the error text.
    fn set_args(&mut self, idx: usize, args: &[&[u8]]) -> Result<bool, String> {
        let Some(p) = PARAMS.get(idx) else {
            return Err("unknown parameter".into());
        };
        let previous = self.values.get(idx).cloned();
        let changed = self.store_args(idx, args)?;
        let support::Support::Refused(reason) = support::support(p.id) else {
            return Ok(changed);
        };
        let honoured = self.values.get(idx) == Some(&default_value(p))
            || support::also_honoured(p.id, &self.render(idx));
        if honoured {
            return Ok(changed);
        }
        if !self.reading_file && support::warned_at_runtime(p.id) {
            tracing::warn!(
                "CONFIG SET {}: accepted, but {reason}: nothing will be persisted",
                p.name
            );
            return Ok(changed);
        }
        if let (Some(slot), Some(previous)) = (self.values.get_mut(idx), previous) {
            *slot = previous;
        }
        Err(format!("{}: {reason}", p.name))
    }

    /// Parses and stores new arguments into parameter `idx`; see [`Config::set_args`].
    fn store_args(&mut self, idx: usize, args: &[&[u8]]) -> Result<bool, String> {
        let p = PARAMS
            .get(idx)
            .ok_or_else(|| "unknown parameter".to_string())?;
        let volatile = p.flags & VOLATILE != 0;
        let new = match p.kind {
            Kind::Bool { .. } => {
                let arg = args.first().copied().unwrap_or_default();
                let yn = if arg.eq_ignore_ascii_case(b"yes") {
                    true
                } else if arg.eq_ignore_ascii_case(b"no") {
                    false
                } else {
                    return Err("argument must be 'yes' or 'no'".into());
                };
                if p.id == Id::Activedefrag && yn {
                    return Err("Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution".into());
                }
                Value::Bool(yn)
            }
            Kind::Num {
                min,
                max,
                unsigned,
                fmt,
                ..
            } => {
                let arg = args.first().copied().unwrap_or_default();
                let mut v = parse_number(fmt, arg)?;
                check_bounds(v, min, max, unsigned, fmt)?;
                if p.id == Id::Hz {
                    // Redis accepts any hz but runs with (and reports) a clamped value.
                    v = v.clamp(MIN_HZ, MAX_HZ);
                }
                Value::Num(v)
            }
            Kind::Enum { values, .. } => {
                let bitflags = p.flags & MULTI_ARG != 0;
                if args.is_empty() || (!bitflags && args.len() != 1) {
                    return Err(enum_error(values));
                }
                let mut v = 0;
                for a in args {
                    let mut matched = false;
                    for &(name, val) in values {
                        if name.as_bytes().eq_ignore_ascii_case(a) {
                            v |= val;
                            matched = true;
                        }
                    }
                    if !matched {
                        return Err(enum_error(values));
                    }
                }
                if matches!(p.id, Id::ShutdownOnSigint | Id::ShutdownOnSigterm)
                    && v & SHUTDOWN_SAVE != 0
                    && v & SHUTDOWN_NOSAVE != 0
                {
                    return Err(
                        "shutdown options SAVE and NOSAVE can't be used simultaneously".into(),
                    );
                }
                Value::Enum(v)
            }
            Kind::Str { .. } => {
                let arg = args.first().copied().unwrap_or_default();
                self.validate_str(p.id, arg)?;
                Value::Str(arg.to_vec())
            }
            Kind::Special(sp) => return self.set_special(idx, sp, args),
        };
        let slot = self
            .values
            .get_mut(idx)
            .ok_or_else(|| "unknown parameter".to_string())?;
        if *slot != new {
            *slot = new;
            Ok(true)
        } else {
            Ok(volatile)
        }
    }

    fn validate_str(&self, id: Id, v: &[u8]) -> Result<(), String> {
        match id {
            Id::Dbfilename if !path_is_base_name(v) => {
                Err("dbfilename can't be a path, just a filename".into())
            }
            Id::Appendfilename if v.is_empty() => Err("appendfilename can't be empty".into()),
            Id::Appendfilename if !path_is_base_name(v) => {
                Err("appendfilename can't be a path, just a filename".into())
            }
            Id::Appenddirname if v.is_empty() => Err("appenddirname can't be empty".into()),
            Id::Appenddirname if !path_is_base_name(v) => {
                Err("appenddirname can't be a path, just a dirname".into())
            }
            Id::ClusterAnnounceHostname => {
                if v.len() >= 256 {
                    Err("Hostnames must be less than 256 characters".into())
                } else if !c_str(v)
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.')
                {
                    Err(
                        "Hostnames may only contain alphanumeric characters, hyphens or dots"
                            .into(),
                    )
                } else {
                    Ok(())
                }
            }
            Id::ProcTitleTemplate if !self.proc_title_template_valid(v) => {
                Err("template format is invalid or contains unknown variables".into())
            }
            _ => Ok(()),
        }
    }

    /// Expands a process title template with an empty title, as Redis does to validate it:
    /// every `{variable}` must be known and the result must not be blank.
    fn proc_title_template_valid(&self, t: &[u8]) -> bool {
        let t = c_str(t);
        let mut out: Vec<u8> = Vec::new();
        let mut p = 0;
        while p < t.len() {
            let Some(open) = t[p..].iter().position(|&c| c == b'{').map(|o| o + p) else {
                out.extend_from_slice(&t[p..]);
                break;
            };
            out.extend_from_slice(&t[p..open]);
            let sv = open + 1;
            match t.get(sv) {
                None => return false,
                Some(b'{') => {
                    out.push(b'{');
                    p = sv + 1;
                    continue;
                }
                Some(_) => {}
            }
            let Some(ev) = t[sv..].iter().position(|&c| c == b'}').map(|o| o + sv) else {
                return false;
            };
            let value: Vec<u8> = match &t[sv..ev] {
                b"title" => Vec::new(),
                b"listen-addr" => b"*:0".to_vec(),
                b"server-mode" => {
                    if self.cluster_enabled() {
                        b"[cluster]".to_vec()
                    } else if self.sentinel_mode {
                        b"[sentinel]".to_vec()
                    } else {
                        Vec::new()
                    }
                }
                b"config-file" => b"-".to_vec(),
                b"port" | b"tls-port" => b"0".to_vec(),
                b"unixsocket" => self.bytes(Id::Unixsocket).to_vec(),
                _ => return false,
            };
            out.extend_from_slice(&value);
            p = ev + 1;
        }
        out.iter().any(|&c| c != b' ')
    }

    fn set_special(&mut self, idx: usize, sp: Special, args: &[&[u8]]) -> Result<bool, String> {
        let new = match sp {
            Special::Dir => {
                let [arg] = args else {
                    return Err("wrong number of arguments".into());
                };
                Value::Dir(self.change_dir(arg)?)
            }
            Special::Save => {
                let mut args = args;
                if args.len() == 1 && args[0].is_empty() {
                    args = &[];
                }
                if !args.len().is_multiple_of(2) {
                    return Err("Invalid save parameters".into());
                }
                let mut parsed = Vec::with_capacity(args.len() / 2);
                for pair in args.chunks_exact(2) {
                    let (secs, ok1, _) = c_strtoll(pair[0], 10);
                    let (changes, ok2, _) = c_strtoll(pair[1], 10);
                    if !ok1 || !ok2 || secs < 1 || changes < 0 {
                        return Err("Invalid save parameters".into());
                    }
                    parsed.push(SaveParam {
                        seconds: secs as u64,
                        changes: changes as u64,
                    });
                }
                // While loading a file, the first `save` line replaces the defaults and later
                // ones add to it; anywhere else a `save` replaces the whole list.
                let mut list = if !self.reading_file || !self.save_loaded {
                    Vec::new()
                } else {
                    self.save().to_vec()
                };
                if self.reading_file {
                    self.save_loaded = true;
                }
                list.extend(parsed);
                Value::Save(list)
            }
            Special::ObufLimit => {
                if !args.len().is_multiple_of(4) {
                    return Err("Wrong number of arguments in buffer limit configuration.".into());
                }
                let mut limits = match self.values.get(idx) {
                    Some(Value::Obuf(l)) => *l,
                    _ => [ObufLimit::default(); 3],
                };
                let mut staged: Vec<(usize, ObufLimit)> = Vec::new();
                for chunk in args.chunks_exact(4) {
                    let class = chunk[0].to_ascii_lowercase();
                    let class = match class.as_slice() {
                        b"normal" => 0,
                        b"slave" | b"replica" => 1,
                        b"pubsub" => 2,
                        _ => {
                            return Err(
                                "Invalid client class specified in buffer limit configuration."
                                    .into(),
                            )
                        }
                    };
                    let hard = parse_memory(chunk[1]);
                    let soft = parse_memory(chunk[2]);
                    let (secs, consumed, _) = c_strtoll(chunk[3], 10);
                    // Redis keeps the seconds in a C int, so wider values wrap before the sign check.
                    let secs = secs as i32;
                    match (hard, soft) {
                        (Some(h), Some(s)) if consumed && secs >= 0 => staged.push((
                            class,
                            ObufLimit { hard_bytes: h, soft_bytes: s, soft_seconds: secs as u64 },
                        )),
                        _ => {
                            return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into())
                        }
                    }
                }
                for (class, l) in staged {
                    if let Some(slot) = limits.get_mut(class) {
                        *slot = l;
                    }
                }
                Value::Obuf(limits)
            }
            Special::OomValues => {
                let [a, b, c] = args else {
                    return Err("wrong number of arguments".into());
                };
                let mut vals = [0i32; 3];
                for (slot, arg) in vals.iter_mut().zip([a, b, c]) {
                    let (v, ok, _) = c_strtoll(arg, 10);
                    if !ok || !(-2000..=2000).contains(&v) {
                        return Err("Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into());
                    }
                    *slot = v as i32;
                }
                if vals[1] < vals[0] || vals[2] < vals[1] {
                    tracing::warn!("The oom-score-adj-values configuration may not work for non-privileged processes! Please consult the documentation.");
                }
                let new = Value::Oom(vals);
                // Unlike the other structured parameters, this one reports "no change" when equal.
                let slot = self.values.get_mut(idx).ok_or("unknown parameter")?;
                let changed = *slot != new;
                *slot = new;
                return Ok(changed);
            }
            Special::Notify => {
                let [arg] = args else {
                    return Err("wrong number of arguments".into());
                };
                let flags = keyspace_events_from_str(arg)
                    .ok_or("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")?;
                Value::Notify(flags)
            }
            Special::Bind => {
                if args.len() > BIND_ADDR_MAX {
                    return Err("Too many bind addresses specified.".into());
                }
                let args = if args.len() == 1 && args[0].is_empty() {
                    &[][..]
                } else {
                    args
                };
                Value::Bind(
                    args.iter()
                        .map(|a| String::from_utf8_lossy(a).into_owned())
                        .collect(),
                )
            }
            Special::ReplicaOf => {
                let [host, port] = args else {
                    return Err("wrong number of arguments".into());
                };
                if host.eq_ignore_ascii_case(b"no") && port.eq_ignore_ascii_case(b"one") {
                    Value::ReplicaOf(None)
                } else {
                    let (p, ok, _) = c_strtoll(port, 10);
                    let port = u16::try_from(p)
                        .ok()
                        .filter(|_| ok)
                        .ok_or("Invalid master port")?;
                    Value::ReplicaOf(Some((String::from_utf8_lossy(host).into_owned(), port)))
                }
            }
            Special::Percentiles => {
                let args = if args.len() == 1 && args[0].is_empty() {
                    &[][..]
                } else {
                    args
                };
                let mut list = Vec::with_capacity(args.len());
                for a in args {
                    let v = strnum::parse_f64(a)
                        .ok_or("Invalid latency-tracking-info-percentiles parameters")?;
                    if !(0.0..=100.0).contains(&v) {
                        return Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into());
                    }
                    list.push(v);
                }
                Value::Percentiles(list)
            }
        };
        // Redis treats every set of these structured parameters as a change.
        if let Some(slot) = self.values.get_mut(idx) {
            *slot = new;
        }
        Ok(true)
    }

    /// Moves to a new `dir` (relative to the current one), returning its absolute form.
    fn change_dir(&self, arg: &[u8]) -> Result<String, String> {
        let text = String::from_utf8_lossy(c_str(arg)).into_owned();
        if self.chdir {
            std::env::set_current_dir(&text).map_err(|e| os_reason(&e))?;
            return std::env::current_dir()
                .map(|d| d.to_string_lossy().into_owned())
                .map_err(|e| os_reason(&e));
        }
        let target = self.resolve_path(&text);
        let meta = std::fs::metadata(&target).map_err(|e| os_reason(&e))?;
        if !meta.is_dir() {
            return Err("Not a directory".into());
        }
        std::fs::canonicalize(&target)
            .map(|d| d.to_string_lossy().into_owned())
            .map_err(|e| os_reason(&e))
    }
}

/// Parses a numeric parameter's text per its format, with Redis's error messages.
fn parse_number(fmt: NumFmt, arg: &[u8]) -> Result<i64, String> {
    if matches!(fmt, NumFmt::Memory | NumFmt::MemoryPercent) {
        if let Some(v) = parse_memory(arg) {
            return Ok(v as i64);
        }
    }
    if fmt == NumFmt::MemoryPercent && arg.len() > 1 && arg.last() == Some(&b'%') {
        if let Some(v) = strnum::parse_i64(&arg[..arg.len() - 1]).filter(|v| *v >= 0) {
            // Percentages are stored negated, as Redis does.
            return Ok(-v);
        }
    }
    if fmt == NumFmt::Octal {
        let (v, consumed, overflow) = c_strtoll(arg, 8);
        if consumed && !overflow {
            return Ok(v);
        }
    }
    if fmt == NumFmt::Integer {
        if let Some(v) = strnum::parse_i64(arg) {
            return Ok(v);
        }
    }
    Err(match fmt {
        NumFmt::MemoryPercent => "argument must be a memory or percent value",
        NumFmt::Memory => "argument must be a memory value",
        NumFmt::Octal => "argument couldn't be parsed as an octal number",
        NumFmt::Integer => "argument couldn't be parsed into an integer",
    }
    .into())
}

fn check_bounds(v: i64, min: i64, max: i64, unsigned: bool, fmt: NumFmt) -> Result<(), String> {
    if unsigned {
        let (u, lo, hi) = (v as u64, min as u64, max as u64);
        if u > hi || u < lo {
            return Err(if fmt == NumFmt::Octal {
                format!("argument must be between {lo:o} and {hi:o} inclusive")
            } else {
                format!("argument must be between {lo} and {hi} inclusive")
            });
        }
    } else if fmt == NumFmt::MemoryPercent && v < 0 {
        if v < min {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                min.unsigned_abs()
            ));
        }
    } else if v > max || v < min {
        return Err(format!(
            "argument must be between {min} and {max} inclusive"
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CONFIG GET / CONFIG SET.
// ---------------------------------------------------------------------------------------------

impl Config {
    /// CONFIG GET: every parameter matching any of `patterns`, each once, as (name, value).
    ///
    /// As in Redis 7.0: a pattern without `*`, `?` or `[` is an exact, case-insensitive lookup
    /// that answers under the name as the client spelled it and also finds hidden parameters;
    /// a glob pattern is matched case-insensitively against every canonical name and every
    /// alias (hidden parameters excluded), so `*` lists aliases such as `slaveof` too.
    pub fn get(&self, patterns: &[&[u8]]) -> Vec<(String, Vec<u8>)> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut out: Vec<(String, usize)> = Vec::new();
        for pat in patterns {
            if !pat.iter().any(|c| matches!(c, b'*' | b'?' | b'[')) {
                let key = String::from_utf8_lossy(pat).into_owned();
                if seen.contains(&key.to_ascii_lowercase()) {
                    continue;
                }
                if let Some((idx, _)) = lookup(pat) {
                    seen.insert(key.to_ascii_lowercase());
                    out.push((key, idx));
                }
                continue;
            }
            for (idx, p) in PARAMS.iter().enumerate() {
                if p.flags & HIDDEN != 0 {
                    continue;
                }
                for name in std::iter::once(p.name).chain(p.alias) {
                    if seen.contains(name) {
                        continue;
                    }
                    if storage::glob::glob_match(pat, name.as_bytes(), true) {
                        seen.insert(name.to_string());
                        out.push((name.to_string(), idx));
                    }
                }
            }
        }
        out.into_iter()
            .map(|(name, idx)| (name, self.render(idx)))
            .collect()
    }

    /// The value of one parameter by exact name or alias (hidden ones included), as CONFIG GET renders it.
    pub fn get_value(&self, name: &str) -> Option<Vec<u8>> {
        lookup(name.as_bytes()).map(|(idx, _)| self.render(idx))
    }

    /// CONFIG SET for a non-local client while not loading; see [`Config::set_with`].
    pub fn set(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<Vec<&'static str>, String> {
        self.set_with(pairs, &SetContext::default())
    }

    /// CONFIG SET with Redis 7.0's atomic multi-parameter semantics.
    ///
    /// Either every pair is applied or none is. On success returns the canonical names of the
    /// parameters whose value changed (Redis's "needs apply"), without duplicates, so the server
    /// can perform side effects (rebind listeners, resize the slowlog, ...). If a side effect
    /// fails, the server should restore a clone of the config taken before the call and reply
    /// [`apply_failed_error`]. Errors are full reply texts, e.g.
    /// `ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value`.
    pub fn set_with(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        ctx: &SetContext,
    ) -> Result<Vec<&'static str>, String> {
        enum Fail {
            Unknown(String),
            Arg(String, &'static str),
            Loading,
        }
        let mut fail: Option<Fail> = None;
        let mut resolved: Vec<(usize, bool)> = Vec::with_capacity(pairs.len());
        for (name, _) in pairs {
            let Some((idx, alias)) = lookup(name) else {
                if fail.is_none() {
                    fail = Some(Fail::Unknown(String::from_utf8_lossy(name).into_owned()));
                }
                continue;
            };
            if fail.is_some() {
                continue;
            }
            let flags = PARAMS.get(idx).map_or(0, |p| p.flags);
            let arg = || String::from_utf8_lossy(name).into_owned();
            if flags & IMMUTABLE != 0 {
                fail = Some(Fail::Arg(arg(), "can't set immutable config"));
            } else if flags & PROTECTED != 0
                && !self.enable_protected_configs().allows(ctx.client_is_local)
            {
                fail = Some(Fail::Arg(arg(), "can't set protected config"));
            } else if ctx.loading && flags & DENY_LOADING != 0 {
                fail = Some(Fail::Loading);
            } else if resolved.contains(&(idx, alias)) {
                // Like Redis, a name and its alias are distinct entries: only exact repeats clash.
                fail = Some(Fail::Arg(arg(), "duplicate parameter"));
            } else {
                resolved.push((idx, alias));
            }
        }
        match fail {
            Some(Fail::Unknown(n)) => {
                return Err(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{n}'"
                ))
            }
            Some(Fail::Arg(n, why)) => return Err(apply_failed_error(&n, why)),
            Some(Fail::Loading) => {
                return Err("LOADING Redis is loading the dataset in memory".into())
            }
            None => {}
        }

        let backup = self.values.clone();
        let old_dir = self.dir().to_string();
        let mut changed: Vec<&'static str> = Vec::new();
        for ((idx, alias), (_, value)) in resolved.iter().zip(pairs) {
            let Some(p) = PARAMS.get(*idx) else { continue };
            let args: Vec<&[u8]> = if p.flags & MULTI_ARG != 0 {
                split_spaces(value)
            } else {
                vec![*value]
            };
            match self.set_args(*idx, &args) {
                Ok(true) => {
                    if !changed.contains(&p.name) {
                        changed.push(p.name);
                    }
                }
                Ok(false) => {}
                Err(msg) => {
                    // Put every value back; `dir` also has to move the process back.
                    if self.chdir && self.dir() != old_dir.as_str() {
                        if let Err(e) = std::env::set_current_dir(&old_dir) {
                            tracing::warn!("Failed restoring dir to '{old_dir}': {e}");
                        }
                    }
                    self.values = backup;
                    let shown = if *alias {
                        p.alias.unwrap_or(p.name)
                    } else {
                        p.name
                    };
                    return Err(apply_failed_error(shown, &msg));
                }
            }
        }
        Ok(changed)
    }
}

// ---------------------------------------------------------------------------------------------
// Loading configuration text, files and the command line.
// ---------------------------------------------------------------------------------------------

/// State that lives for one whole load (across includes).
struct LoadCtx<'a, 'b> {
    opts: &'a mut LoadOptions<'b>,
    depth: usize,
    removed_commands: HashSet<String>,
    added_commands: HashSet<String>,
}

impl LoadCtx<'_, '_> {
    fn command_exists(&self, name: &str) -> bool {
        let Some(known) = self.opts.command_exists else {
            // Without a command table every rename is taken on trust.
            return !name.is_empty();
        };
        if self.added_commands.contains(name) {
            return true;
        }
        if self.removed_commands.contains(name) {
            return false;
        }
        known(name)
    }
}

fn bytes_to_path(b: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(b))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(b).into_owned())
    }
}

fn path_to_bytes(p: &Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        p.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        p.to_string_lossy().into_owned().into_bytes()
    }
}

/// Expands a file glob the way `include` does: path components are matched one by one, names
/// starting with `.` only match a pattern starting with `.`, results are sorted; no match is no file.
fn glob_paths(pattern: &[u8]) -> Vec<PathBuf> {
    let absolute = pattern.first() == Some(&b'/');
    let mut current: Vec<PathBuf> = vec![if absolute {
        PathBuf::from("/")
    } else {
        PathBuf::new()
    }];
    for comp in pattern.split(|&c| c == b'/').filter(|c| !c.is_empty()) {
        let is_glob = comp.iter().any(|c| matches!(c, b'*' | b'?' | b'['));
        let mut next = Vec::new();
        for base in &current {
            if !is_glob {
                next.push(base.join(bytes_to_path(comp)));
                continue;
            }
            let dir = if base.as_os_str().is_empty() {
                Path::new(".")
            } else {
                base.as_path()
            };
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<Vec<u8>> = entries
                .filter_map(|e| e.ok())
                .map(|e| path_to_bytes(Path::new(&e.file_name())))
                .filter(|n| n.first() != Some(&b'.') || comp.first() == Some(&b'.'))
                .filter(|n| storage::glob::glob_match(comp, n, false))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| base.join(bytes_to_path(&n))));
        }
        current = next;
    }
    let mut found: Vec<PathBuf> = current.into_iter().filter(|p| p.exists()).collect();
    found.sort();
    found
}

fn read_config_file(path: &Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|e| ConfigError::Open {
        path: path.to_string_lossy().into_owned(),
        reason: os_reason(&e),
    })
}

fn trim_line(mut l: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = l {
        if matches!(first, b' ' | b'\t' | b'\r' | b'\n') {
            l = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = l {
        if matches!(last, b' ' | b'\t' | b'\r' | b'\n') {
            l = rest;
        } else {
            break;
        }
    }
    l
}

impl Config {
    /// Parses configuration text (redis.conf syntax) on top of the current values, as an extra
    /// config file would be. Errors name the line within `text`.
    pub fn load_from_str(&mut self, text: &str) -> Result<(), ConfigError> {
        let mut opts = LoadOptions {
            chdir: self.chdir,
            stdin: None,
            command_exists: None,
        };
        let mut ctx = LoadCtx {
            opts: &mut opts,
            depth: 0,
            removed_commands: HashSet::new(),
            added_commands: HashSet::new(),
        };
        self.load_text(text.as_bytes(), &[(0, ConfigSource::Text)], &mut ctx)
    }

    /// Redis's `loadServerConfig`: the file (or every file a glob matches), then standard input,
    /// then the command-line options, concatenated and parsed as one text.
    fn load_server_config(
        &mut self,
        filename: Option<&[u8]>,
        from_stdin: bool,
        options: Option<&[u8]>,
        ctx: &mut LoadCtx<'_, '_>,
    ) -> Result<(), ConfigError> {
        let mut text: Vec<u8> = Vec::new();
        let mut segments: Vec<(usize, ConfigSource)> = Vec::new();
        if let Some(name) = filename {
            let name = c_str(name);
            let files = if name.iter().any(|c| matches!(c, b'*' | b'?' | b'[')) {
                glob_paths(name)
            } else {
                vec![bytes_to_path(name)]
            };
            for f in files {
                segments.push((
                    text.len(),
                    ConfigSource::File(f.to_string_lossy().into_owned()),
                ));
                text.extend(read_config_file(&f)?);
            }
        }
        if from_stdin {
            tracing::warn!("Reading config from stdin");
            segments.push((text.len(), ConfigSource::Stdin));
            let read = match ctx.opts.stdin.as_mut() {
                Some(r) => r.read_to_end(&mut text),
                None => std::io::stdin().read_to_end(&mut text),
            };
            read.map_err(|e| ConfigError::Open {
                path: "-".into(),
                reason: os_reason(&e),
            })?;
        }
        if let Some(o) = options {
            text.push(b'\n');
            segments.push((text.len(), ConfigSource::CommandLine));
            text.extend_from_slice(o);
        }
        self.load_text(&text, &segments, ctx)
    }

    /// Redis's `loadServerConfigFromString`.
    fn load_text(
        &mut self,
        text: &[u8],
        segments: &[(usize, ConfigSource)],
        ctx: &mut LoadCtx<'_, '_>,
    ) -> Result<(), ConfigError> {
        self.reading_file = true;
        // Redis measures the text with strlen, so nothing after a NUL byte is seen.
        let text = c_str(text);
        let mut offset = 0usize;
        // Line number at which each segment starts, to report lines relative to their source.
        let mut segment_first_line: Vec<usize> = vec![0; segments.len()];
        for (i, raw) in text.split(|&c| c == b'\n').enumerate() {
            let line_start = offset;
            offset += raw.len() + 1;
            for (k, (start, _)) in segments.iter().enumerate() {
                if *start == line_start || (*start > line_start && *start < offset) {
                    // A segment starting mid-line (a file without a final newline) still counts from here.
                    if let Some(slot) = segment_first_line.get_mut(k) {
                        *slot = i;
                    }
                }
            }
            let line = trim_line(raw);
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let fail = |message: String| ConfigError::Fatal {
                line: Some((i + 1, String::from_utf8_lossy(line).into_owned())),
                message,
                source: segments
                    .iter()
                    .zip(&segment_first_line)
                    .rev()
                    .find(|((start, _), _)| *start <= line_start)
                    .map(|((_, src), first)| (src.clone(), i + 1 - first)),
            };
            let argv = resp::split_args(line)
                .ok_or_else(|| fail("Unbalanced quotes in configuration line".into()))?;
            let Some((first, rest)) = argv.split_first() else {
                continue;
            };
            let name = first.to_ascii_lowercase();
            if let Some((idx, _)) = lookup(&name) {
                let multi = PARAMS.get(idx).is_some_and(|p| p.flags & MULTI_ARG != 0);
                if !multi && argv.len() != 2 {
                    return Err(fail("wrong number of arguments".into()));
                }
                let result = match rest {
                    [single] if multi && !single.is_empty() => {
                        // One quoted argument such as `--save "900 1 300 10"` is split again.
                        let parts = resp::split_args(single).unwrap_or_default();
                        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
                        self.set_args(idx, &refs)
                    }
                    _ => {
                        let refs: Vec<&[u8]> = rest.iter().map(Vec::as_slice).collect();
                        self.set_args(idx, &refs)
                    }
                };
                result.map_err(fail)?;
                continue;
            }
            let deprecated = matches!(
                name.as_slice(),
                b"list-max-ziplist-entries" | b"list-max-ziplist-value" | b"lua-replicate-commands"
            );
            if deprecated && argv.len() == 2 {
                continue;
            }
            match (name.as_slice(), rest) {
                (b"include", [file]) => {
                    if ctx.depth >= MAX_INCLUDE_DEPTH {
                        return Err(fail("include nesting too deep".into()));
                    }
                    ctx.depth += 1;
                    let r = self.load_server_config(Some(file), false, None, ctx);
                    ctx.depth -= 1;
                    r?;
                }
                (b"rename-command", [from, to]) => {
                    let from = String::from_utf8_lossy(from).to_ascii_lowercase();
                    let to = String::from_utf8_lossy(to).to_ascii_lowercase();
                    if !ctx.command_exists(&from) {
                        return Err(fail("No such command in rename-command".into()));
                    }
                    ctx.added_commands.remove(&from);
                    ctx.removed_commands.insert(from.clone());
                    if !to.is_empty() {
                        if ctx.opts.command_exists.is_some() && ctx.command_exists(&to) {
                            return Err(fail("Target command name already exists".into()));
                        }
                        ctx.added_commands.insert(to.clone());
                    }
                    self.rename_commands.push((from, to));
                }
                // Until ACL users exist, running without the authentication these lines ask
                // for would leave the server open: refuse to start instead.
                (b"user", [_, ..]) => {
                    return Err(fail(format!("user: {}", support::NO_ACL_USERS)));
                }
                (b"loadmodule", [_, ..]) => {
                    return Err(fail(format!("loadmodule: {}", support::NO_MODULE_LOADING)));
                }
                (b"sentinel", _) => {
                    if !self.sentinel_mode {
                        return Err(fail("sentinel directive while not in sentinel mode".into()));
                    }
                    return Err(fail(format!("sentinel: {}", support::NO_SENTINEL)));
                }
                (n, []) if n.contains(&b'.') => {
                    return Err(fail("Module config specified without value".into()));
                }
                (n, _) if n.contains(&b'.') => {
                    return Err(fail(format!(
                        "{}: {}",
                        String::from_utf8_lossy(first),
                        support::NO_MODULE_LOADING
                    )));
                }
                _ => return Err(fail("Bad directive or wrong number of arguments".into())),
            }
        }

        let final_err = |message: String| ConfigError::Fatal {
            line: None,
            message,
            source: None,
        };
        let logfile = self.logfile();
        if !logfile.is_empty() {
            // Like Redis, make sure the log file can be opened now rather than failing later.
            std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(self.resolve_path(&logfile))
                .map_err(|e| final_err(format!("Can't open the log file: {}", os_reason(&e))))?;
        }
        self.reading_file = false;
        Ok(())
    }
}

/// Parses `ferrodis-server [/path/to/redis.conf] [--name value ...] [-]` exactly as
/// redis-server does. `args` includes the program name (as `std::env::args()` yields it).
///
/// `-` as the first or last argument reads more configuration from standard input. Setting
/// `dir` changes the process working directory, as in Redis.
pub fn parse_command_line(args: &[String]) -> Result<Startup, ConfigError> {
    parse_command_line_with(args, LoadOptions::default())
}

/// [`parse_command_line`] with explicit [`LoadOptions`] (a different stdin, no chdir, a
/// command-table check for `rename-command`).
pub fn parse_command_line_with(
    args: &[String],
    mut opts: LoadOptions<'_>,
) -> Result<Startup, ConfigError> {
    let mut cfg = Config::new();
    cfg.chdir = opts.chdir;
    cfg.sentinel_mode = args.iter().skip(1).any(|a| a == "--sentinel");
    let Some(first) = args.get(1) else {
        return Ok(Startup::Run(Box::new(cfg)));
    };
    match first.as_str() {
        "-v" | "--version" => return Ok(Startup::Version),
        "-h" | "--help" => return Ok(Startup::Help),
        _ => {}
    }
    let mut j = 1;
    if !first.starts_with('-') {
        let abs = std::path::absolute(first).unwrap_or_else(|_| PathBuf::from(first));
        cfg.config_file = Some(abs);
        j = 2;
    }
    let argc = args.len();
    let mut options = String::new();
    let mut from_stdin = false;
    let mut handled_last_config_arg = true;
    while j < argc {
        let arg = args[j].as_str();
        let next_is_option = args.get(j + 1).is_some_and(|n| n.starts_with("--"));
        if arg == "-" && (j == 1 || j == argc - 1) {
            from_stdin = true;
        } else if handled_last_config_arg && arg.starts_with("--") {
            // `--name` starts a new directive line; the words that follow are its arguments.
            if !options.is_empty() {
                options.push('\n');
            }
            options.push_str(&arg[2..]);
            options.push(' ');
            let words = resp::split_args(arg.as_bytes()).map_or(0, |v| v.len());
            if words == 1 {
                handled_last_config_arg = false;
                let is_save = arg.eq_ignore_ascii_case("--save");
                let is_sentinel = arg.eq_ignore_ascii_case("--sentinel");
                if j != argc - 1 && next_is_option && is_save {
                    // `--save --port 1` means an empty save, as before Redis 7.0.1.
                    options.push_str("\"\"");
                    handled_last_config_arg = true;
                } else if j == argc - 1 && is_save {
                    options.push_str("\"\"");
                } else if j != argc - 1 && next_is_option && is_sentinel {
                    handled_last_config_arg = true;
                }
            } else {
                // Name and value in one argument, e.g. "--port 6380".
                handled_last_config_arg = true;
            }
        } else {
            options.push_str(&repr(arg.as_bytes()));
            options.push(' ');
            handled_last_config_arg = true;
        }
        j += 1;
    }
    let file_bytes = cfg.config_file.as_deref().map(path_to_bytes);
    let mut ctx = LoadCtx {
        opts: &mut opts,
        depth: 0,
        removed_commands: HashSet::new(),
        added_commands: HashSet::new(),
    };
    cfg.load_server_config(
        file_bytes.as_deref(),
        from_stdin,
        Some(options.as_bytes()),
        &mut ctx,
    )?;
    Ok(Startup::Run(Box::new(cfg)))
}

#[cfg(test)]
mod tests;
