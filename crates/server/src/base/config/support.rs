//! What ferrodis does with each configuration parameter: the rule that nothing is accepted and
//! silently ignored. Every parameter of Redis 7.0 is in exactly one of three states, and the
//! `match` below, being exhaustive over [`Id`], keeps it so as parameters are added.
//!
//! - *Implemented*: the value changes what the server does, as in Redis.
//! - *Refused*: the capability is missing, so only the values a server without it honours
//!   anyway (the default, and an explicit "off", see [`also_honoured`]) are accepted; any other value stops start-up
//!   with an error naming the directive, and CONFIG SET replies with it.
//! - *Not applicable*: the parameter tunes a mechanism ferrodis does not have (a jemalloc
//!   knob, a replication timeout while there is no replication); any valid value is accepted
//!   and changes nothing, for the reason given, which docs/COMPATIBILITY.md lists.
//!
//! The directives that are not parameters (`include`, `rename-command`, `user`, `loadmodule`,
//! `sentinel`) are handled where the loader reads them.

use super::table::Id;

/// The state of one parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// The value changes behaviour.
    Implemented,
    /// Values other than the default (and those [`also_honoured`] accepts) are refused with
    /// this reason.
    Refused(&'static str),
    /// Accepted without effect, for this reason.
    NotApplicable(&'static str),
}

/// Why persistence settings are refused.
pub const NO_PERSISTENCE: &str = "persistence by the append-only file, and the shutdown-on-signal options that save, are not available in this version of ferrodis (RDB snapshots are: SAVE, BGSAVE, save points)";
const NO_REPLICATION: &str = "replication is not available in this version of ferrodis";
const NO_CLUSTER: &str = "cluster mode is not available in this version of ferrodis";
const NO_TLS: &str = "TLS is not available in this version of ferrodis";
const NO_ACL: &str = "ACL users are not available in this version of ferrodis";
/// Why `user` directives are refused.
pub const NO_ACL_USERS: &str = "ACL users are not available in this version of ferrodis, and it will not run without the authentication they ask for";
/// Why `loadmodule` and module parameters are refused.
pub const NO_MODULE_LOADING: &str = "modules cannot be loaded: ferrodis is not Redis's C API";
/// Why sentinel mode is refused.
pub const NO_SENTINEL: &str = "Redis Sentinel is not available in this version of ferrodis";
const NO_SYSLOG: &str = "logging to syslog is not available in this version of ferrodis";
const NO_AFFINITY: &str = "CPU affinity lists are not available in this version of ferrodis";
const NO_SOCKET_MARK: &str = "socket marks are not available in this version of ferrodis";

const PERSISTENCE_TUNING: &str =
    "tunes the AOF or background saving, which are refused while ferrodis has neither";
const LOADS_ON_A_THREAD: &str = "ferrodis loads on a thread of its own and serves clients meanwhile, with no pause every so many bytes";
const FULL_SANITIZING: &str = "ferrodis checks every RDB file and DUMP payload in full before using it, as `sanitize-dump-payload yes` does";
const ONE_SYNC: &str = "a snapshot is written to a temporary file and synced once, when complete, before it replaces the old one";
const REPLICATION_TUNING: &str = "tunes replication, which is refused while ferrodis has none";
const CLUSTER_TUNING: &str = "tunes cluster mode, which is refused while ferrodis has none";
const TLS_TUNING: &str = "tunes TLS, which is refused (tls-port) while ferrodis has none";
const ACL_TUNING: &str = "tunes ACL users, which are refused while ferrodis has none";
const NO_SCRIPTS: &str = "limits Lua scripts, which ferrodis does not run yet";
const NO_JEMALLOC: &str = "tunes jemalloc's active defragmentation; ferrodis uses the system allocator (activedefrag yes is refused, as by a Redis built without jemalloc)";
const NO_INCREMENTAL_REHASH: &str =
    "ferrodis's tables resize in one step: there is no incremental rehashing to run";
const NO_LOGO: &str = "ferrodis prints no ASCII-art logo";
const NO_CRASH_REPORT: &str =
    "ferrodis does not print Redis's crash report; a panic is logged by the runtime";
const NO_THP: &str = "ferrodis does not change the transparent huge pages setting";
const NO_WARNINGS: &str = "ferrodis emits none of the start-up warnings this silences";
const IO_THREADS_DO_READS: &str = "io-threads run whole connections in ferrodis, reads included";
const NO_LIST_COMPRESSION: &str = "list nodes are not LZF-compressed yet: the setting only saves memory in Redis, so lists behave the same, using more memory";
const NO_PROC_TITLE: &str =
    "ferrodis does not rewrite its process title (ps shows its command line)";

/// The state of parameter `id`.
pub fn support(id: Id) -> Support {
    use Support::{Implemented, NotApplicable as Na, Refused};
    match id {
        Id::Rdbchecksum
        | Id::Rdbcompression
        | Id::Dbfilename
        | Id::Save
        | Id::StopWritesOnBgsaveError
        | Id::RdbKeySaveDelay
        | Id::KeyLoadDelay => Implemented,
        Id::SanitizeDumpPayload => Na(FULL_SANITIZING),
        Id::RdbSaveIncrementalFsync => Na(ONE_SYNC),
        Id::RdbDelSyncFiles
        | Id::AofRewriteIncrementalFsync
        | Id::NoAppendfsyncOnRewrite
        | Id::AofLoadTruncated
        | Id::AofUseRdbPreamble
        | Id::AofTimestampEnabled
        | Id::AofDisableAutoGc
        | Id::Appendfilename
        | Id::Appenddirname
        | Id::Appendfsync
        | Id::AutoAofRewritePercentage
        | Id::AutoAofRewriteMinSize => Na(PERSISTENCE_TUNING),
        Id::LoadingProcessEventsIntervalBytes => Na(LOADS_ON_A_THREAD),
        Id::Appendonly | Id::ShutdownOnSigint | Id::ShutdownOnSigterm => Refused(NO_PERSISTENCE),

        Id::Replicaof => Refused(NO_REPLICATION),
        Id::ReplDisableTcpNodelay
        | Id::ReplDisklessSync
        | Id::ReplicaLazyFlush
        | Id::ReplicaServeStaleData
        | Id::ReplicaReadOnly
        | Id::ReplicaIgnoreMaxmemory
        | Id::ReplicaAnnounced
        | Id::ReplicaIgnoreDiskWriteErrors
        | Id::ReplicaAnnounceIp
        | Id::ReplicaAnnouncePort
        | Id::ReplicaPriority
        | Id::Masteruser
        | Id::Masterauth
        | Id::ReplDisklessLoad
        | Id::ReplDisklessSyncDelay
        | Id::ReplDisklessSyncMaxReplicas
        | Id::ReplTimeout
        | Id::ReplPingReplicaPeriod
        | Id::ReplBacklogSize
        | Id::ReplBacklogTtl
        | Id::PropagationErrorBehavior
        | Id::BindSourceAddr
        | Id::ShutdownTimeout => Na(REPLICATION_TUNING),

        Id::ClusterEnabled => Refused(NO_CLUSTER),
        Id::ClusterRequireFullCoverage
        | Id::ClusterReplicaNoFailover
        | Id::ClusterAllowReadsWhenDown
        | Id::ClusterAllowPubsubshardWhenDown
        | Id::ClusterAllowReplicaMigration
        | Id::ClusterAnnounceIp
        | Id::ClusterConfigFile
        | Id::ClusterAnnounceHostname
        | Id::ClusterPreferredEndpointType
        | Id::ClusterReplicaValidityFactor
        | Id::ClusterMigrationBarrier
        | Id::ClusterPort
        | Id::ClusterAnnounceBusPort
        | Id::ClusterAnnouncePort
        | Id::ClusterAnnounceTlsPort
        | Id::ClusterNodeTimeout
        | Id::ClusterLinkSendbufLimit => Na(CLUSTER_TUNING),

        Id::TlsPort | Id::TlsCluster | Id::TlsReplication => Refused(NO_TLS),
        Id::TlsSessionCacheSize
        | Id::TlsSessionCacheTimeout
        | Id::TlsAuthClients
        | Id::TlsPreferServerCiphers
        | Id::TlsSessionCaching
        | Id::TlsCertFile
        | Id::TlsKeyFile
        | Id::TlsKeyFilePass
        | Id::TlsClientCertFile
        | Id::TlsClientKeyFile
        | Id::TlsClientKeyFilePass
        | Id::TlsDhParamsFile
        | Id::TlsCaCertFile
        | Id::TlsCaCertDir
        | Id::TlsProtocols
        | Id::TlsCiphers
        | Id::TlsCiphersuites => Na(TLS_TUNING),

        Id::Aclfile => Refused(NO_ACL),
        Id::AclPubsubDefault | Id::AcllogMaxLen => Na(ACL_TUNING),

        Id::SyslogEnabled => Refused(NO_SYSLOG),
        Id::SyslogIdent | Id::SyslogFacility => {
            Na("tunes syslog logging, which is refused (syslog-enabled)")
        }
        Id::ServerCpulist | Id::BioCpulist | Id::AofRewriteCpulist | Id::BgsaveCpulist => {
            Refused(NO_AFFINITY)
        }
        Id::SocketMarkId => Refused(NO_SOCKET_MARK),

        Id::BusyReplyThreshold | Id::LuaEnableDeprecatedApi => Na(NO_SCRIPTS),
        Id::Activedefrag
        | Id::JemallocBgThread
        | Id::ActiveDefragCycleMin
        | Id::ActiveDefragCycleMax
        | Id::ActiveDefragThresholdLower
        | Id::ActiveDefragThresholdUpper
        | Id::ActiveDefragMaxScanFields
        | Id::ActiveDefragIgnoreBytes => Na(NO_JEMALLOC),
        Id::Activerehashing => Na(NO_INCREMENTAL_REHASH),
        Id::AlwaysShowLogo => Na(NO_LOGO),
        Id::CrashLogEnabled
        | Id::CrashMemcheckEnabled
        | Id::UseExitOnPanic
        | Id::WatchdogPeriod => Na(NO_CRASH_REPORT),
        Id::DisableThp => Na(NO_THP),
        Id::IgnoreWarnings => Na(NO_WARNINGS),
        Id::IoThreadsDoReads => Na(IO_THREADS_DO_READS),
        Id::ListCompressDepth => Na(NO_LIST_COMPRESSION),
        Id::SetProcTitle | Id::ProcTitleTemplate => Na(NO_PROC_TITLE),

        Id::Daemonize
        | Id::IoThreads
        | Id::ProtectedMode
        | Id::DynamicHz
        | Id::LazyfreeLazyEviction
        | Id::LazyfreeLazyExpire
        | Id::LazyfreeLazyServerDel
        | Id::LazyfreeLazyUserDel
        | Id::LazyfreeLazyUserFlush
        | Id::LatencyTracking
        | Id::Unixsocket
        | Id::Unixsocketperm
        | Id::Pidfile
        | Id::Logfile
        | Id::Requirepass
        | Id::Supervised
        | Id::Loglevel
        | Id::MaxmemoryPolicy
        | Id::MaxmemoryClients
        | Id::LfuLogFactor
        | Id::LfuDecayTime
        | Id::OomScoreAdj
        | Id::OomScoreAdjValues
        | Id::EnableProtectedConfigs
        | Id::EnableDebugCommand
        | Id::EnableModuleCommand
        | Id::Databases
        | Id::Port
        | Id::Bind
        | Id::TcpKeepalive
        | Id::TcpBacklog
        | Id::Timeout
        | Id::Maxclients
        | Id::Maxmemory
        | Id::MaxmemorySamples
        | Id::MaxmemoryEvictionTenacity
        | Id::ActiveExpireEffort
        | Id::Hz
        | Id::MinReplicasToWrite
        | Id::MinReplicasMaxLag
        | Id::ListMaxListpackSize
        | Id::HashMaxListpackEntries
        | Id::HashMaxListpackValue
        | Id::SetMaxIntsetEntries
        | Id::ZsetMaxListpackEntries
        | Id::ZsetMaxListpackValue
        | Id::StreamNodeMaxEntries
        | Id::StreamNodeMaxBytes
        | Id::HllSparseMaxBytes
        | Id::TrackingTableMaxKeys
        | Id::ClientQueryBufferLimit
        | Id::ClientOutputBufferLimit
        | Id::ProtoMaxBulkLen
        | Id::SlowlogLogSlowerThan
        | Id::SlowlogMaxLen
        | Id::LatencyMonitorThreshold
        | Id::LatencyTrackingInfoPercentiles
        | Id::NotifyKeyspaceEvents
        | Id::Dir => Implemented,
    }
}

/// Whether a refused parameter's value (as CONFIG GET renders it) asks for nothing the server
/// lacks, besides the default, which always does: `save ""` turns snapshots off, and shutting
/// down on a signal is honoured in every form but the one that saves first.
pub fn also_honoured(id: Id, rendered: &[u8]) -> bool {
    match id {
        Id::ShutdownOnSigint | Id::ShutdownOnSigterm => {
            !rendered.split(|&c| c == b' ').any(|w| w == b"save")
        }
        _ => false,
    }
}

/// Parameters refused at start-up whose CONFIG SET is, for now, accepted with a logged
/// warning instead: Redis's own test suite turns them on for whole groups of unrelated tests
/// (`start_server {overrides {appendonly yes}}`), and refusing them at run time would stop
/// those units. They become implemented with persistence.
pub fn warned_at_runtime(id: Id) -> bool {
    matches!(id, Id::Appendonly)
}
