//! What a server owes the system that runs it, as redis-server does it: going to the
//! background (`daemonize`), the PID file (`pidfile`), telling a supervisor when it is ready
//! (`supervised systemd` through `NOTIFY_SOCKET`, `supervised upstart` by stopping itself) and
//! the kernel's OOM-killer preference (`oom-score-adj`).

use std::path::PathBuf;

use crate::base::config::Config;
/// The PID file Redis writes when it daemonizes without a `pidfile` setting.
const DEFAULT_PIDFILE: &str = "/var/run/redis.pid";

/// `supervised` values, as the configuration table numbers them.
const SUPERVISED_AUTO: u32 = 1;
const SUPERVISED_SYSTEMD: u32 = 2;
const SUPERVISED_UPSTART: u32 = 3;

/// The supervisor the server reports to, once detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Supervisor {
    /// systemd's notify protocol: datagrams to `NOTIFY_SOCKET`.
    Systemd,
    /// upstart's `expect stop`: the server stops itself with SIGSTOP once ready.
    Upstart,
}

/// The supervisor detected at start-up, for INFO's `process_supervised`.
static DETECTED: std::sync::OnceLock<Option<Supervisor>> = std::sync::OnceLock::new();

/// INFO's `process_supervised`: `systemd`, `upstart` or `no`.
pub fn supervised_name() -> &'static str {
    match DETECTED.get().copied().flatten() {
        Some(Supervisor::Systemd) => "systemd",
        Some(Supervisor::Upstart) => "upstart",
        None => "no",
    }
}

/// Works out the supervisor from `supervised` and the environment, as Redis does: `auto`
/// picks upstart when `UPSTART_JOB` is set and systemd when `NOTIFY_SOCKET` is; an explicit
/// choice whose variable is missing is warned about and dropped. Returns the supervisor and
/// the warning to log once logging is set up.
pub fn detect_supervisor(config: &Config) -> (Option<Supervisor>, Option<&'static str>) {
    let upstart = std::env::var_os("UPSTART_JOB").is_some();
    let systemd = std::env::var_os("NOTIFY_SOCKET").is_some();
    let detected = match config.supervised() {
        SUPERVISED_AUTO if upstart => (Some(Supervisor::Upstart), None),
        SUPERVISED_AUTO if systemd => (Some(Supervisor::Systemd), None),
        SUPERVISED_UPSTART if upstart => (Some(Supervisor::Upstart), None),
        SUPERVISED_UPSTART => (
            None,
            Some("upstart supervision requested, but UPSTART_JOB not found!"),
        ),
        SUPERVISED_SYSTEMD if systemd => (Some(Supervisor::Systemd), None),
        SUPERVISED_SYSTEMD => (
            None,
            Some("systemd supervision requested or auto-detected, but NOTIFY_SOCKET environment variable not found!"),
        ),
        _ => (None, None),
    };
    let _ = DETECTED.set(detected.0);
    detected
}

/// Detaches from the terminal: forks, starts a new session and points the standard streams
/// at /dev/null. It must run before any thread starts (the Tokio runtime, logging).
pub fn daemonize() -> std::io::Result<()> {
    nix::unistd::daemon(true, false).map_err(std::io::Error::from)
}

/// The PID file to write: `pidfile` if set, Redis's default one for a daemon, or none.
pub fn pidfile_path(config: &Config, daemonized: bool) -> Option<PathBuf> {
    let set = config.pidfile();
    if !set.is_empty() {
        Some(config.resolve_path(&set))
    } else if daemonized {
        Some(PathBuf::from(DEFAULT_PIDFILE))
    } else {
        None
    }
}

/// Writes this process's id to `path`. Failing to is logged, not fatal, as in Redis.
pub fn write_pidfile(path: &std::path::Path) {
    if let Err(e) = std::fs::write(path, format!("{}\n", std::process::id())) {
        tracing::warn!("Failed to write PID file: {e}");
    }
}

/// Tells the supervisor that the server accepts connections.
pub fn notify_ready(supervisor: Option<Supervisor>) {
    match supervisor {
        Some(Supervisor::Systemd) => {
            tracing::info!("Ready to accept connections");
            notify_systemd("STATUS=Ready to accept connections\n");
            notify_systemd("READY=1\n");
        }
        Some(Supervisor::Upstart) => {
            // upstart's `expect stop` waits for the job to stop itself, then resumes it.
            if let Err(e) = nix::sys::signal::raise(nix::sys::signal::Signal::SIGSTOP) {
                tracing::warn!("could not signal upstart: {e}");
            }
            tracing::info!("Ready to accept connections");
        }
        None => tracing::info!("Ready to accept connections"),
    }
}

/// Tells systemd that the server is stopping.
pub fn notify_stopping(supervisor: Option<Supervisor>) {
    if supervisor == Some(Supervisor::Systemd) {
        notify_systemd("STOPPING=1\n");
    }
}

/// Sends one sd_notify message to the datagram socket named by `NOTIFY_SOCKET` (a path, or an
/// abstract name written with a leading `@`).
fn notify_systemd(message: &str) {
    use std::os::unix::net::{SocketAddr, UnixDatagram};
    let Some(target) = std::env::var_os("NOTIFY_SOCKET") else {
        tracing::warn!("systemd supervision error: NOTIFY_SOCKET not found!");
        return;
    };
    let target = target.to_string_lossy().into_owned();
    let addr = match target.strip_prefix('@') {
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            SocketAddr::from_abstract_name(name.as_bytes())
        }
        None => SocketAddr::from_pathname(&target),
    };
    let sent = UnixDatagram::unbound()
        .and_then(|sock| addr.and_then(|addr| sock.send_to_addr(message.as_bytes(), &addr)));
    if let Err(e) = sent {
        tracing::warn!("Can't send notification to systemd: {e}");
    }
}

/// Applies `oom-score-adj` and `oom-score-adj-values` to this process: `relative` (or `yes`)
/// adds the primary's value to the score the process started with, `absolute` sets it, `no`
/// puts the starting score back.
pub fn apply_oom_score(config: &Config) -> std::io::Result<()> {
    const PATH: &str = "/proc/self/oom_score_adj";
    let base = initial_oom_score();
    // Index 0 of oom-score-adj-values is the value for a primary, which every ferrodis is.
    let primary = config.oom_score_adj_values()[0];
    let score = match config.oom_score_adj_mode() {
        crate::base::config::OomScoreAdj::No => base,
        crate::base::config::OomScoreAdj::Relative => (base + primary).clamp(-1000, 1000),
        crate::base::config::OomScoreAdj::Absolute => primary,
    };
    std::fs::write(PATH, format!("{score}\n"))
}

/// The OOM score this process started with (read on first use), so `relative` adjustments
/// and `no` have a base.
pub fn initial_oom_score() -> i32 {
    static BASE: std::sync::OnceLock<i32> = std::sync::OnceLock::new();
    *BASE.get_or_init(|| {
        std::fs::read_to_string("/proc/self/oom_score_adj")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    })
}
