//! The `ferrodis-server` binary: parses the command line and configuration like redis-server,
//! sets up logging, binds the listeners and serves until SIGINT, SIGTERM or SHUTDOWN.

use std::process::ExitCode;
use std::sync::atomic::Ordering;

use ferrodis_server::base::config::{self, Startup};
use ferrodis_server::base::process;
use tokio::net::TcpListener;

#[global_allocator]
static ALLOC: ferrodis_server::base::alloc::Counting = ferrodis_server::base::alloc::Counting;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let options = config::LoadOptions {
        command_exists: Some(&ferrodis_server::command_exists),
        ..config::LoadOptions::default()
    };
    let config = match config::parse_command_line_with(&args, options) {
        Ok(Startup::Version) => {
            println!("{}", config::version_line());
            return ExitCode::SUCCESS;
        }
        Ok(Startup::Help) => {
            eprintln!("{}", config::usage_text());
            return ExitCode::FAILURE;
        }
        Ok(Startup::Run(c)) => *c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    // Supervision and going to the background come before anything starts a thread.
    let (supervisor, supervision_warning) = process::detect_supervisor(&config);
    let daemonized = config.daemonize() && supervisor.is_none();
    if daemonized {
        if let Err(e) = process::daemonize() {
            eprintln!("cannot daemonize: {e}");
            return ExitCode::FAILURE;
        }
    }
    init_logging(&config);
    tracing::warn!("oO0OoO0OoO0Oo ferrodis is starting oO0OoO0OoO0Oo");
    tracing::warn!(
        "ferrodis version={} (Redis 7.0.15 compatible), bits=64, pid={}, just started",
        env!("CARGO_PKG_VERSION"),
        std::process::id()
    );
    tracing::warn!("Configuration loaded");
    if let Some(w) = supervision_warning {
        tracing::warn!("{w}");
    }
    let pidfile = process::pidfile_path(&config, daemonized);
    if let Some(p) = &pidfile {
        process::write_pidfile(p);
    }
    // Worker threads: `io-threads`, 1 by default as in Redis. With one worker, commands run in
    // the order they arrived, across connections too, exactly like Redis's event loop (clients
    // and Redis's own tests rely on it: a command sent on one connection before another one is
    // executed first). More workers run commands on different connections in parallel on
    // every core, at the price of that cross-connection order. Connections woken by one poll
    // run oldest first (tokio's LIFO slot would run the newest first). One worker is tokio's
    // current-thread scheduler, which runs everything on this thread: it does none of the
    // cross-thread bookkeeping the multi-threaded one pays on every wake, which measurably
    // lowers the CPU each request costs (docs/BENCHMARKS.md).
    let workers = usize::try_from(config.io_threads()).unwrap_or(1).max(1);
    let built = if workers == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .disable_lifo_slot()
            .build()
    };
    let runtime = match built {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(serve(config, supervisor));
    if let Some(p) = &pidfile {
        let _ = std::fs::remove_file(p);
    }
    code
}

fn init_logging(config: &config::Config) {
    use tracing_subscriber::filter::LevelFilter;
    let level = match config.loglevel() {
        config::LogLevel::Debug => LevelFilter::TRACE,
        config::LogLevel::Verbose => LevelFilter::DEBUG,
        config::LogLevel::Notice => LevelFilter::INFO,
        config::LogLevel::Warning => LevelFilter::WARN,
    };
    let logfile = config.logfile();
    // Redis's line format, without colours, whether to a file or to standard output.
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .event_format(ferrodis_server::base::logline::RedisLine);
    if logfile.is_empty() {
        builder.init();
    } else {
        match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&logfile)
        {
            Ok(f) => builder.with_writer(std::sync::Mutex::new(f)).init(),
            Err(e) => {
                eprintln!("Can't open the log file: {e}");
                builder.init();
            }
        }
    }
}

async fn serve(config: config::Config, supervisor: Option<process::Supervisor>) -> ExitCode {
    let port = config.port();
    let binds: Vec<String> = config.bind().to_vec();
    let backlog = config.tcp_backlog();
    let unixsocket = config.unixsocket();
    let unixsocketperm = config.unixsocketperm();
    if config.oom_score_adj_mode() != config::OomScoreAdj::No {
        if let Err(e) = process::apply_oom_score(&config) {
            tracing::warn!("Unable to write oom_score_adj: {e}");
        }
    }
    let srv = ferrodis_server::build(config);
    let targets = ferrodis_server::net::targets(&binds, port);
    let bound = match ferrodis_server::net::bind_all(&targets, backlog) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut listeners = Vec::with_capacity(bound.len());
    for (addr, l) in bound {
        match TcpListener::from_std(l) {
            Ok(l) => listeners.push(l),
            Err(e) => tracing::warn!("could not listen on {addr}: {e}"),
        }
    }
    if listeners.is_empty() && port != 0 {
        tracing::error!("Failed listening on port {port} (tcp), aborting.");
        return ExitCode::FAILURE;
    }
    // As Redis: the ports are bound (a busy one stops start-up before anything else), then the
    // line with the PID that Redis's test suite waits for, then the data loads on a thread of
    // its own while connections are served, commands not allowed during loading getting
    // -LOADING; a file that cannot be loaded stops the server.
    tracing::info!(
        "Running mode=standalone, port={port}, PID: {}",
        std::process::id()
    );
    tracing::warn!("Server initialized");
    // A copy: clients served during the load may change the configuration meanwhile.
    let config = srv.config.read().clone();
    match ferrodis_server::persist::snapshot::open(&config) {
        Ok(None) => process::notify_ready(supervisor),
        Ok(Some(file)) => {
            srv.persist.loading.store(true, Ordering::Relaxed);
            let loader = srv.clone();
            std::thread::spawn(move || {
                load_snapshot(&loader, &config, file);
                loader.persist.loading.store(false, Ordering::Relaxed);
                process::notify_ready(supervisor);
            });
        }
        Err(e) => {
            tracing::warn!("Fatal error loading the DB: {e}. Exiting.");
            return ExitCode::FAILURE;
        }
    }
    if !unixsocket.is_empty() {
        if let Err(e) = ferrodis_server::net::listen_unix(&srv, &unixsocket, unixsocketperm) {
            tracing::error!("Failed opening Unix socket: {e}");
            return ExitCode::FAILURE;
        }
        tracing::info!("The server is now ready to accept connections at {unixsocket}");
    }
    if listeners.is_empty() && unixsocket.is_empty() {
        tracing::error!("Configured to not listen anywhere, exiting.");
        return ExitCode::FAILURE;
    }
    srv.port
        .store(port as usize, std::sync::atomic::Ordering::Relaxed);
    ferrodis_server::net::run(srv.clone(), listeners, shutdown_signal(srv.clone())).await;
    process::notify_stopping(supervisor);
    if !unixsocket.is_empty() {
        let _ = std::fs::remove_file(&unixsocket);
    }
    tracing::warn!("ferrodis is now ready to exit, bye bye...");
    ExitCode::SUCCESS
}

/// On a shutdown by signal with save points set, saves the dataset first, as Redis does.
/// Returns false when that save failed: the server then stays up, as Redis does.
fn final_save(srv: &ferrodis_server::dispatch::Server) -> bool {
    let config = srv.config.read();
    if config.save().is_empty() {
        return true;
    }
    tracing::info!("Saving the final RDB snapshot before exiting.");
    let _alone = srv.exclusive.write();
    srv.keyspace.snapshots.wait();
    match ferrodis_server::persist::snapshot::save(&srv.keyspace, &config, &srv.persist) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("Error trying to save the DB, can't exit: {e}");
            false
        }
    }
}

/// Loads the opened snapshot file; a file that cannot be read stops the server, as in Redis,
/// rather than running it without the data.
fn load_snapshot(
    srv: &ferrodis_server::dispatch::Server,
    config: &config::Config,
    file: std::fs::File,
) {
    use ferrodis_server::persist::snapshot::{self, LoadError};
    let started = std::time::Instant::now();
    match snapshot::load_file(&srv.keyspace, config, &srv.persist, file, false) {
        Ok(_) => {
            let secs = started.elapsed().as_secs_f64();
            tracing::info!("DB loaded from disk: {secs:.3} seconds");
        }
        Err(LoadError::Bad(e)) => {
            tracing::warn!("{e}");
            tracing::warn!("Terminating server after rdb file reading failure.");
            std::process::exit(1);
        }
        Err(e) => {
            tracing::warn!("Fatal error loading the DB: {e}. Exiting.");
            std::process::exit(1);
        }
    }
}

/// Waits for SIGTERM or SIGINT, then saves the dataset if save points are set; a failed save
/// keeps the server up, waiting for the next signal.
async fn shutdown_signal(srv: std::sync::Arc<ferrodis_server::dispatch::Server>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return std::future::pending().await;
    };
    loop {
        tokio::select! {
            _ = term.recv() => tracing::warn!("Received SIGTERM scheduling shutdown..."),
            _ = int.recv() => tracing::warn!("Received SIGINT scheduling shutdown..."),
        }
        if final_save(&srv) {
            return;
        }
    }
}
