//! The registry of configuration parameters: one row of data per parameter, mirroring redis-server 7.0.15.

/// Set only at startup: CONFIG SET refuses it.
pub const IMMUTABLE: u16 = 1 << 0;
/// The value is secret: callers should redact it from logs, SLOWLOG and MONITOR.
pub const SENSITIVE: u16 = 1 << 1;
/// Useful mainly for debugging (kept for fidelity; it changes no behaviour here).
pub const DEBUG: u16 = 1 << 2;
/// Takes several arguments (`save 900 1`), split on spaces by CONFIG SET.
pub const MULTI_ARG: u16 = 1 << 3;
/// Left out of pattern matches in CONFIG GET; an exact name still finds it.
pub const HIDDEN: u16 = 1 << 4;
/// CONFIG SET refuses it unless `enable-protected-configs` allows the client.
pub const PROTECTED: u16 = 1 << 5;
/// CONFIG SET refuses it while the dataset is loading.
pub const DENY_LOADING: u16 = 1 << 6;
/// Setting it counts as a change even when the value is the same.
pub const VOLATILE: u16 = 1 << 7;

const MOD: u16 = 0;
const INT_MAX: i64 = i32::MAX as i64;
const INT_MIN: i64 = i32::MIN as i64;
const UINT_MAX: i64 = u32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;
/// `u64::MAX` stored in the signed bound field; unsigned parameters read bounds back as `u64`.
const ULLONG_MAX: i64 = -1;
const MB: i64 = 1024 * 1024;

/// How a numeric parameter is parsed and printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumFmt {
    /// A plain decimal integer.
    Integer,
    /// A byte count that accepts unit suffixes (`1gb`, `100k`).
    Memory,
    /// A byte count or a percentage (`5%`, stored negated).
    MemoryPercent,
    /// An octal number (`0700`).
    Octal,
}

/// The special parameters whose values are structured rather than scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// `dir`: the working directory.
    Dir,
    /// `save`: pairs of seconds and changes.
    Save,
    /// `client-output-buffer-limit`: per class hard, soft and soft-seconds limits.
    ObufLimit,
    /// `oom-score-adj-values`: three integers.
    OomValues,
    /// `notify-keyspace-events`: a set of event-class flags.
    Notify,
    /// `bind`: a list of addresses.
    Bind,
    /// `replicaof`: a master host and port, or none.
    ReplicaOf,
    /// `latency-tracking-info-percentiles`: a list of percentiles.
    Percentiles,
}

/// The type of a parameter, with its default and bounds.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// `yes`/`no`.
    Bool { default: bool },
    /// An integer checked against `[min, max]` (compared as `u64` when `unsigned`).
    Num {
        min: i64,
        max: i64,
        default: i64,
        unsigned: bool,
        fmt: NumFmt,
    },
    /// One name from a list, or with [`MULTI_ARG`] a set of flag names.
    Enum {
        values: &'static [(&'static str, u32)],
        default: u32,
    },
    /// A free string.
    Str { default: &'static str },
    /// A structured value handled by dedicated code.
    Special(Special),
}

/// One row of the registry.
#[derive(Debug)]
pub struct Param {
    /// Identifier of the slot holding the value in [`super::Config`].
    pub id: Id,
    /// Canonical lower-case name.
    pub name: &'static str,
    /// Older name accepted everywhere the canonical one is.
    pub alias: Option<&'static str>,
    /// Bitwise OR of the flag constants above.
    pub flags: u16,
    /// Type, default and bounds.
    pub kind: Kind,
}

pub const LOGLEVEL_ENUM: &[(&str, u32)] =
    &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];
pub const MAXMEMORY_POLICY_ENUM: &[(&str, u32)] = &[
    ("volatile-lru", 0),
    ("volatile-lfu", 1),
    ("volatile-random", 2),
    ("volatile-ttl", 3),
    ("allkeys-lru", 4),
    ("allkeys-lfu", 5),
    ("allkeys-random", 6),
    ("noeviction", 7),
];
pub const SYSLOG_FACILITY_ENUM: &[(&str, u32)] = &[
    ("user", 0),
    ("local0", 1),
    ("local1", 2),
    ("local2", 3),
    ("local3", 4),
    ("local4", 5),
    ("local5", 6),
    ("local6", 7),
    ("local7", 8),
];
pub const SUPERVISED_ENUM: &[(&str, u32)] =
    &[("upstart", 3), ("systemd", 2), ("auto", 1), ("no", 0)];
pub const APPENDFSYNC_ENUM: &[(&str, u32)] = &[("everysec", 0), ("always", 1), ("no", 2)];
pub const SHUTDOWN_ON_SIG_ENUM: &[(&str, u32)] = &[
    ("default", 0),
    ("save", 1),
    ("nosave", 2),
    ("now", 4),
    ("force", 8),
];
pub const REPL_DISKLESS_LOAD_ENUM: &[(&str, u32)] =
    &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];
pub const TLS_AUTH_CLIENTS_ENUM: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("optional", 2)];
pub const OOM_SCORE_ADJ_ENUM: &[(&str, u32)] =
    &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
pub const ACL_PUBSUB_DEFAULT_ENUM: &[(&str, u32)] = &[("allchannels", 1), ("resetchannels", 0)];
pub const SANITIZE_DUMP_PAYLOAD_ENUM: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("clients", 2)];
pub const PROTECTED_ACTION_ENUM: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("local", 2)];
pub const CLUSTER_ENDPOINT_TYPE_ENUM: &[(&str, u32)] =
    &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];
pub const PROPAGATION_ERROR_BEHAVIOR_ENUM: &[(&str, u32)] =
    &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];

const fn b(default: bool) -> Kind {
    Kind::Bool { default }
}
const fn s(default: &'static str) -> Kind {
    Kind::Str { default }
}
const fn e(values: &'static [(&'static str, u32)], default: u32) -> Kind {
    Kind::Enum { values, default }
}
/// A signed integer parameter.
const fn i(min: i64, max: i64, default: i64) -> Kind {
    Kind::Num {
        min,
        max,
        default,
        unsigned: false,
        fmt: NumFmt::Integer,
    }
}
/// An unsigned integer parameter (C `unsigned int`, `size_t`, `unsigned long long`).
const fn u(min: i64, max: i64, default: i64) -> Kind {
    Kind::Num {
        min,
        max,
        default,
        unsigned: true,
        fmt: NumFmt::Integer,
    }
}
/// A signed memory parameter.
const fn m(min: i64, max: i64, default: i64) -> Kind {
    Kind::Num {
        min,
        max,
        default,
        unsigned: false,
        fmt: NumFmt::Memory,
    }
}
/// An unsigned memory parameter.
const fn um(min: i64, max: i64, default: i64) -> Kind {
    Kind::Num {
        min,
        max,
        default,
        unsigned: true,
        fmt: NumFmt::Memory,
    }
}
const fn sp(which: Special) -> Kind {
    Kind::Special(which)
}

/// Declares the `Id` enum and the `PARAMS` table from one list, so the two cannot drift apart.
macro_rules! params {
    ($( $id:ident => $name:literal, $alias:expr, $flags:expr, $kind:expr; )*) => {
        /// Identifies a parameter; its discriminant is its row in [`PARAMS`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u16)]
        pub enum Id { $($id),* }

        /// Every parameter, in one table.
        pub static PARAMS: &[Param] = &[
            $( Param { id: Id::$id, name: $name, alias: $alias, flags: $flags, kind: $kind }, )*
        ];
    };
}

params! {
    // Booleans.
    Rdbchecksum => "rdbchecksum", None, IMMUTABLE, b(true);
    Daemonize => "daemonize", None, IMMUTABLE, b(false);
    IoThreadsDoReads => "io-threads-do-reads", None, DEBUG | IMMUTABLE, b(false);
    AlwaysShowLogo => "always-show-logo", None, IMMUTABLE, b(false);
    ProtectedMode => "protected-mode", None, MOD, b(true);
    Rdbcompression => "rdbcompression", None, MOD, b(true);
    RdbDelSyncFiles => "rdb-del-sync-files", None, MOD, b(false);
    Activerehashing => "activerehashing", None, MOD, b(true);
    StopWritesOnBgsaveError => "stop-writes-on-bgsave-error", None, MOD, b(true);
    SetProcTitle => "set-proc-title", None, IMMUTABLE, b(true);
    DynamicHz => "dynamic-hz", None, MOD, b(true);
    LazyfreeLazyEviction => "lazyfree-lazy-eviction", None, DEBUG, b(false);
    LazyfreeLazyExpire => "lazyfree-lazy-expire", None, DEBUG, b(false);
    LazyfreeLazyServerDel => "lazyfree-lazy-server-del", None, DEBUG, b(false);
    LazyfreeLazyUserDel => "lazyfree-lazy-user-del", None, DEBUG, b(false);
    LazyfreeLazyUserFlush => "lazyfree-lazy-user-flush", None, DEBUG, b(false);
    ReplDisableTcpNodelay => "repl-disable-tcp-nodelay", None, MOD, b(false);
    ReplDisklessSync => "repl-diskless-sync", None, DEBUG, b(true);
    AofRewriteIncrementalFsync => "aof-rewrite-incremental-fsync", None, MOD, b(true);
    NoAppendfsyncOnRewrite => "no-appendfsync-on-rewrite", None, MOD, b(false);
    ClusterRequireFullCoverage => "cluster-require-full-coverage", None, MOD, b(true);
    RdbSaveIncrementalFsync => "rdb-save-incremental-fsync", None, MOD, b(true);
    AofLoadTruncated => "aof-load-truncated", None, MOD, b(true);
    AofUseRdbPreamble => "aof-use-rdb-preamble", None, MOD, b(true);
    AofTimestampEnabled => "aof-timestamp-enabled", None, MOD, b(false);
    ClusterReplicaNoFailover => "cluster-replica-no-failover", Some("cluster-slave-no-failover"), MOD, b(false);
    ReplicaLazyFlush => "replica-lazy-flush", Some("slave-lazy-flush"), MOD, b(false);
    ReplicaServeStaleData => "replica-serve-stale-data", Some("slave-serve-stale-data"), MOD, b(true);
    ReplicaReadOnly => "replica-read-only", Some("slave-read-only"), DEBUG, b(true);
    ReplicaIgnoreMaxmemory => "replica-ignore-maxmemory", Some("slave-ignore-maxmemory"), MOD, b(true);
    JemallocBgThread => "jemalloc-bg-thread", None, MOD, b(true);
    Activedefrag => "activedefrag", None, DEBUG, b(false);
    SyslogEnabled => "syslog-enabled", None, IMMUTABLE, b(false);
    ClusterEnabled => "cluster-enabled", None, IMMUTABLE, b(false);
    Appendonly => "appendonly", None, DENY_LOADING, b(false);
    ClusterAllowReadsWhenDown => "cluster-allow-reads-when-down", None, MOD, b(false);
    ClusterAllowPubsubshardWhenDown => "cluster-allow-pubsubshard-when-down", None, MOD, b(true);
    CrashLogEnabled => "crash-log-enabled", None, MOD, b(true);
    CrashMemcheckEnabled => "crash-memcheck-enabled", None, MOD, b(true);
    UseExitOnPanic => "use-exit-on-panic", None, HIDDEN, b(false);
    DisableThp => "disable-thp", None, IMMUTABLE, b(true);
    ClusterAllowReplicaMigration => "cluster-allow-replica-migration", None, MOD, b(true);
    ReplicaAnnounced => "replica-announced", None, MOD, b(true);
    LatencyTracking => "latency-tracking", None, MOD, b(true);
    AofDisableAutoGc => "aof-disable-auto-gc", None, MOD, b(false);
    ReplicaIgnoreDiskWriteErrors => "replica-ignore-disk-write-errors", None, MOD, b(false);
    LuaEnableDeprecatedApi => "lua-enable-deprecated-api", None, IMMUTABLE | HIDDEN, b(false);

    // Strings.
    Aclfile => "aclfile", None, IMMUTABLE, s("");
    Unixsocket => "unixsocket", None, IMMUTABLE, s("");
    Pidfile => "pidfile", None, IMMUTABLE, s("");
    ReplicaAnnounceIp => "replica-announce-ip", Some("slave-announce-ip"), MOD, s("");
    Masteruser => "masteruser", None, SENSITIVE, s("");
    ClusterAnnounceIp => "cluster-announce-ip", None, MOD, s("");
    ClusterConfigFile => "cluster-config-file", None, IMMUTABLE, s("nodes.conf");
    ClusterAnnounceHostname => "cluster-announce-hostname", None, MOD, s("");
    SyslogIdent => "syslog-ident", None, IMMUTABLE, s("redis");
    Dbfilename => "dbfilename", None, PROTECTED, s("dump.rdb");
    Appendfilename => "appendfilename", None, IMMUTABLE, s("appendonly.aof");
    Appenddirname => "appenddirname", None, IMMUTABLE, s("appendonlydir");
    ServerCpulist => "server_cpulist", None, IMMUTABLE, s("");
    BioCpulist => "bio_cpulist", None, IMMUTABLE, s("");
    AofRewriteCpulist => "aof_rewrite_cpulist", None, IMMUTABLE, s("");
    BgsaveCpulist => "bgsave_cpulist", None, IMMUTABLE, s("");
    IgnoreWarnings => "ignore-warnings", None, MOD, s("");
    ProcTitleTemplate => "proc-title-template", None, MOD, s("{title} {listen-addr} {server-mode}");
    BindSourceAddr => "bind-source-addr", None, MOD, s("");
    Logfile => "logfile", None, IMMUTABLE, s("");
    Masterauth => "masterauth", None, SENSITIVE, s("");
    Requirepass => "requirepass", None, SENSITIVE, s("");

    // Enumerations.
    Supervised => "supervised", None, IMMUTABLE, e(SUPERVISED_ENUM, 0);
    SyslogFacility => "syslog-facility", None, IMMUTABLE, e(SYSLOG_FACILITY_ENUM, 1);
    ReplDisklessLoad => "repl-diskless-load", None, DEBUG | DENY_LOADING, e(REPL_DISKLESS_LOAD_ENUM, 0);
    Loglevel => "loglevel", None, MOD, e(LOGLEVEL_ENUM, 2);
    MaxmemoryPolicy => "maxmemory-policy", None, MOD, e(MAXMEMORY_POLICY_ENUM, 7);
    Appendfsync => "appendfsync", None, MOD, e(APPENDFSYNC_ENUM, 0);
    OomScoreAdj => "oom-score-adj", None, MOD, e(OOM_SCORE_ADJ_ENUM, 0);
    AclPubsubDefault => "acl-pubsub-default", None, MOD, e(ACL_PUBSUB_DEFAULT_ENUM, 0);
    SanitizeDumpPayload => "sanitize-dump-payload", None, DEBUG, e(SANITIZE_DUMP_PAYLOAD_ENUM, 0);
    EnableProtectedConfigs => "enable-protected-configs", None, IMMUTABLE, e(PROTECTED_ACTION_ENUM, 0);
    EnableDebugCommand => "enable-debug-command", None, IMMUTABLE, e(PROTECTED_ACTION_ENUM, 0);
    EnableModuleCommand => "enable-module-command", None, IMMUTABLE, e(PROTECTED_ACTION_ENUM, 0);
    ClusterPreferredEndpointType => "cluster-preferred-endpoint-type", None, MOD, e(CLUSTER_ENDPOINT_TYPE_ENUM, 0);
    PropagationErrorBehavior => "propagation-error-behavior", None, MOD, e(PROPAGATION_ERROR_BEHAVIOR_ENUM, 0);
    ShutdownOnSigint => "shutdown-on-sigint", None, MULTI_ARG, e(SHUTDOWN_ON_SIG_ENUM, 0);
    ShutdownOnSigterm => "shutdown-on-sigterm", None, MULTI_ARG, e(SHUTDOWN_ON_SIG_ENUM, 0);

    // Integers (C int).
    Databases => "databases", None, IMMUTABLE, i(1, INT_MAX, 16);
    Port => "port", None, MOD, i(0, 65535, 6379);
    IoThreads => "io-threads", None, DEBUG | IMMUTABLE, i(1, 128, 1);
    AutoAofRewritePercentage => "auto-aof-rewrite-percentage", None, MOD, i(0, INT_MAX, 100);
    ClusterReplicaValidityFactor => "cluster-replica-validity-factor", Some("cluster-slave-validity-factor"), MOD, i(0, INT_MAX, 10);
    ListMaxListpackSize => "list-max-listpack-size", Some("list-max-ziplist-size"), MOD, i(INT_MIN, INT_MAX, -2);
    TcpKeepalive => "tcp-keepalive", None, MOD, i(0, INT_MAX, 300);
    ClusterMigrationBarrier => "cluster-migration-barrier", None, MOD, i(0, INT_MAX, 1);
    ActiveDefragCycleMin => "active-defrag-cycle-min", None, MOD, i(1, 99, 1);
    ActiveDefragCycleMax => "active-defrag-cycle-max", None, MOD, i(1, 99, 25);
    ActiveDefragThresholdLower => "active-defrag-threshold-lower", None, MOD, i(0, 1000, 10);
    ActiveDefragThresholdUpper => "active-defrag-threshold-upper", None, MOD, i(0, 1000, 100);
    LfuLogFactor => "lfu-log-factor", None, MOD, i(0, INT_MAX, 10);
    LfuDecayTime => "lfu-decay-time", None, MOD, i(0, INT_MAX, 1);
    ReplicaPriority => "replica-priority", Some("slave-priority"), MOD, i(0, INT_MAX, 100);
    ReplDisklessSyncDelay => "repl-diskless-sync-delay", None, MOD, i(0, INT_MAX, 5);
    MaxmemorySamples => "maxmemory-samples", None, MOD, i(1, INT_MAX, 5);
    MaxmemoryEvictionTenacity => "maxmemory-eviction-tenacity", None, MOD, i(0, 100, 10);
    Timeout => "timeout", None, MOD, i(0, INT_MAX, 0);
    ReplicaAnnouncePort => "replica-announce-port", Some("slave-announce-port"), MOD, i(0, 65535, 0);
    TcpBacklog => "tcp-backlog", None, IMMUTABLE, i(0, INT_MAX, 511);
    ClusterPort => "cluster-port", None, IMMUTABLE, i(0, 65535, 0);
    ClusterAnnounceBusPort => "cluster-announce-bus-port", None, MOD, i(0, 65535, 0);
    ClusterAnnouncePort => "cluster-announce-port", None, MOD, i(0, 65535, 0);
    ClusterAnnounceTlsPort => "cluster-announce-tls-port", None, MOD, i(0, 65535, 0);
    ReplTimeout => "repl-timeout", None, MOD, i(1, INT_MAX, 60);
    ReplPingReplicaPeriod => "repl-ping-replica-period", Some("repl-ping-slave-period"), MOD, i(1, INT_MAX, 10);
    ListCompressDepth => "list-compress-depth", None, DEBUG, i(0, INT_MAX, 0);
    RdbKeySaveDelay => "rdb-key-save-delay", None, HIDDEN, i(INT_MIN, INT_MAX, 0);
    KeyLoadDelay => "key-load-delay", None, HIDDEN, i(INT_MIN, INT_MAX, 0);
    ActiveExpireEffort => "active-expire-effort", None, MOD, i(1, 10, 1);
    Hz => "hz", None, MOD, i(0, INT_MAX, 10);
    MinReplicasToWrite => "min-replicas-to-write", Some("min-slaves-to-write"), MOD, i(0, INT_MAX, 0);
    MinReplicasMaxLag => "min-replicas-max-lag", Some("min-slaves-max-lag"), MOD, i(0, INT_MAX, 10);
    WatchdogPeriod => "watchdog-period", None, HIDDEN, i(0, INT_MAX, 0);
    ShutdownTimeout => "shutdown-timeout", None, MOD, i(0, INT_MAX, 10);
    ReplDisklessSyncMaxReplicas => "repl-diskless-sync-max-replicas", None, MOD, i(0, INT_MAX, 0);

    // Unsigned int.
    Maxclients => "maxclients", None, MOD, u(1, UINT_MAX, 10000);
    Unixsocketperm => "unixsocketperm", None, IMMUTABLE, Kind::Num { min: 0, max: 0o777, default: 0, unsigned: true, fmt: NumFmt::Octal };
    SocketMarkId => "socket-mark-id", None, IMMUTABLE, u(0, UINT_MAX, 0);

    // Unsigned long (Redis bounds-checks these as signed).
    ActiveDefragMaxScanFields => "active-defrag-max-scan-fields", None, MOD, i(1, LONG_MAX, 1000);
    SlowlogMaxLen => "slowlog-max-len", None, MOD, i(0, LONG_MAX, 128);
    AcllogMaxLen => "acllog-max-len", None, MOD, i(0, LONG_MAX, 128);

    // Long long.
    BusyReplyThreshold => "busy-reply-threshold", Some("lua-time-limit"), MOD, i(0, LONG_MAX, 5000);
    ClusterNodeTimeout => "cluster-node-timeout", None, MOD, i(0, LONG_MAX, 15000);
    SlowlogLogSlowerThan => "slowlog-log-slower-than", None, MOD, i(-1, LONG_MAX, 10000);
    LatencyMonitorThreshold => "latency-monitor-threshold", None, MOD, i(0, LONG_MAX, 0);
    ProtoMaxBulkLen => "proto-max-bulk-len", None, DEBUG, m(MB, LONG_MAX, 512 * MB);
    StreamNodeMaxEntries => "stream-node-max-entries", None, MOD, i(0, LONG_MAX, 100);
    ReplBacklogSize => "repl-backlog-size", None, MOD, m(1, LONG_MAX, MB);

    // Unsigned long long.
    Maxmemory => "maxmemory", None, MOD, um(0, ULLONG_MAX, 0);
    ClusterLinkSendbufLimit => "cluster-link-sendbuf-limit", None, MOD, um(0, ULLONG_MAX, 0);

    // size_t / ssize_t.
    HashMaxListpackEntries => "hash-max-listpack-entries", Some("hash-max-ziplist-entries"), MOD, u(0, LONG_MAX, 512);
    SetMaxIntsetEntries => "set-max-intset-entries", None, MOD, u(0, LONG_MAX, 512);
    ZsetMaxListpackEntries => "zset-max-listpack-entries", Some("zset-max-ziplist-entries"), MOD, u(0, LONG_MAX, 128);
    ActiveDefragIgnoreBytes => "active-defrag-ignore-bytes", None, MOD, um(1, LONG_MAX, 100 * MB);
    HashMaxListpackValue => "hash-max-listpack-value", Some("hash-max-ziplist-value"), MOD, um(0, LONG_MAX, 64);
    StreamNodeMaxBytes => "stream-node-max-bytes", None, MOD, um(0, LONG_MAX, 4096);
    ZsetMaxListpackValue => "zset-max-listpack-value", Some("zset-max-ziplist-value"), MOD, um(0, LONG_MAX, 64);
    HllSparseMaxBytes => "hll-sparse-max-bytes", None, MOD, um(0, LONG_MAX, 3000);
    TrackingTableMaxKeys => "tracking-table-max-keys", None, MOD, u(0, LONG_MAX, 1_000_000);
    ClientQueryBufferLimit => "client-query-buffer-limit", None, DEBUG, um(MB, LONG_MAX, 1024 * MB);
    MaxmemoryClients => "maxmemory-clients", None, MOD, Kind::Num { min: -100, max: LONG_MAX, default: 0, unsigned: false, fmt: NumFmt::MemoryPercent };

    // time_t / off_t.
    ReplBacklogTtl => "repl-backlog-ttl", None, MOD, i(0, LONG_MAX, 3600);
    AutoAofRewriteMinSize => "auto-aof-rewrite-min-size", None, MOD, m(0, LONG_MAX, 64 * MB);
    LoadingProcessEventsIntervalBytes => "loading-process-events-interval-bytes", None, HIDDEN, i(1024, INT_MAX, 2 * MB);

    // TLS (accepted and stored; ferrodis does not speak TLS).
    TlsPort => "tls-port", None, MOD, i(0, 65535, 0);
    TlsSessionCacheSize => "tls-session-cache-size", None, MOD, i(0, INT_MAX, 20 * 1024);
    TlsSessionCacheTimeout => "tls-session-cache-timeout", None, MOD, i(0, INT_MAX, 300);
    TlsCluster => "tls-cluster", None, MOD, b(false);
    TlsReplication => "tls-replication", None, MOD, b(false);
    TlsAuthClients => "tls-auth-clients", None, MOD, e(TLS_AUTH_CLIENTS_ENUM, 1);
    TlsPreferServerCiphers => "tls-prefer-server-ciphers", None, MOD, b(false);
    TlsSessionCaching => "tls-session-caching", None, MOD, b(true);
    TlsCertFile => "tls-cert-file", None, VOLATILE, s("");
    TlsKeyFile => "tls-key-file", None, VOLATILE, s("");
    TlsKeyFilePass => "tls-key-file-pass", None, MOD, s("");
    TlsClientCertFile => "tls-client-cert-file", None, VOLATILE, s("");
    TlsClientKeyFile => "tls-client-key-file", None, VOLATILE, s("");
    TlsClientKeyFilePass => "tls-client-key-file-pass", None, MOD, s("");
    TlsDhParamsFile => "tls-dh-params-file", None, VOLATILE, s("");
    TlsCaCertFile => "tls-ca-cert-file", None, VOLATILE, s("");
    TlsCaCertDir => "tls-ca-cert-dir", None, VOLATILE, s("");
    TlsProtocols => "tls-protocols", None, MOD, s("");
    TlsCiphers => "tls-ciphers", None, MOD, s("");
    TlsCiphersuites => "tls-ciphersuites", None, MOD, s("");

    // Structured parameters.
    Dir => "dir", None, PROTECTED | DENY_LOADING, sp(Special::Dir);
    Save => "save", None, MULTI_ARG, sp(Special::Save);
    ClientOutputBufferLimit => "client-output-buffer-limit", None, MULTI_ARG, sp(Special::ObufLimit);
    OomScoreAdjValues => "oom-score-adj-values", None, MULTI_ARG, sp(Special::OomValues);
    NotifyKeyspaceEvents => "notify-keyspace-events", None, MOD, sp(Special::Notify);
    Bind => "bind", None, MULTI_ARG, sp(Special::Bind);
    Replicaof => "replicaof", Some("slaveof"), IMMUTABLE | MULTI_ARG, sp(Special::ReplicaOf);
    LatencyTrackingInfoPercentiles => "latency-tracking-info-percentiles", None, MULTI_ARG, sp(Special::Percentiles);
}
