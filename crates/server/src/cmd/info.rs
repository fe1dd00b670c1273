//! INFO: Redis's sections and field names, filled from the server's live state.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use crate::base::clock::{lru_clock, now_ms};
use crate::base::metrics::Metric;
use crate::command::{Entry, Table};
use crate::state::State;
/// The Redis version ferrodis reports, so that clients enable Redis 7.0 features.
pub const REDIS_VERSION: &str = "7.0.15";

/// Sections in INFO's order, and whether each is part of the default output.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("keyspace", true),
];

/// Which sections a list of INFO arguments selects.
fn selected(args: &[&[u8]]) -> Vec<&'static str> {
    let want = |name: &str, default: bool| {
        if args.is_empty() {
            return default;
        }
        args.iter().any(|a| {
            a.eq_ignore_ascii_case(name.as_bytes())
                || a.eq_ignore_ascii_case(b"all")
                || a.eq_ignore_ascii_case(b"everything")
                || (default && a.eq_ignore_ascii_case(b"default"))
        })
    };
    SECTIONS
        .iter()
        .filter(|(name, default)| want(name, *default))
        .map(|(name, _)| *name)
        .collect()
}

/// Builds INFO's text for the given section arguments.
pub fn render(srv: &State, table: &Table, args: &[&[u8]]) -> String {
    let mut s = String::with_capacity(4096);
    for (i, section) in selected(args).into_iter().enumerate() {
        if i > 0 {
            s.push_str("\r\n");
        }
        let title = match section {
            "cpu" => "CPU".to_string(),
            other => {
                let mut t = other.to_string();
                t[..1].make_ascii_uppercase();
                t
            }
        };
        let _ = write!(s, "# {title}\r\n");
        match section {
            "server" => server(srv, &mut s),
            "clients" => clients(srv, &mut s),
            "memory" => memory(srv, &mut s),
            "persistence" => persistence(srv, &mut s),
            "stats" => stats(srv, &mut s),
            "replication" => replication(srv, &mut s),
            "cpu" => cpu(&mut s),
            "commandstats" => commandstats(table, &mut s),
            "errorstats" => errorstats(srv, &mut s),
            "latencystats" => latencystats(srv, table, &mut s),
            "cluster" => s.push_str("cluster_enabled:0\r\n"),
            "keyspace" => keyspace(srv, &mut s),
            _ => {}
        }
    }
    s
}

/// Writes `name:value` lines.
macro_rules! fields {
    ($s:expr, $($name:literal => $value:expr),* $(,)?) => {
        $( let _ = write!($s, concat!($name, ":{}\r\n"), $value); )*
    };
}

fn server(srv: &State, s: &mut String) {
    let c = srv.config.read();
    let uptime = srv.started.elapsed().as_secs();
    fields!(s,
        "redis_version" => REDIS_VERSION,
        "redis_git_sha1" => "00000000",
        "redis_git_dirty" => 0,
        "redis_build_id" => "0",
        "redis_mode" => "standalone",
        "os" => std::env::consts::OS,
        "arch_bits" => 64,
        "monotonic_clock" => "POSIX clock_gettime",
        "multiplexing_api" => "epoll",
        "atomicvar_api" => "c11-builtin",
        "gcc_version" => "0.0.0",
        "process_id" => std::process::id(),
        "process_supervised" => crate::base::process::supervised_name(),
        "run_id" => srv.run_id,
        "tcp_port" => srv.port.load(Ordering::Relaxed),
        "server_time_usec" => now_ms() * 1000,
        "uptime_in_seconds" => uptime,
        "uptime_in_days" => uptime / 86400,
        "hz" => srv.hz.load(Ordering::Relaxed),
        "configured_hz" => c.hz(),
        "lru_clock" => lru_clock(now_ms()),
        "executable" => std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default(),
        "config_file" => c.config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
        // `io-threads` workers run connections from the start, so they are active when asked for.
        "io_threads_active" => u8::from(c.io_threads() > 1),
        "ferrodis_version" => env!("CARGO_PKG_VERSION"),
    );
}

fn clients(srv: &State, s: &mut String) {
    let n = srv.clients.lock().len();
    let peaks = srv.stats.client_peaks.max(now_ms() / 1000);
    fields!(s,
        "connected_clients" => n,
        "cluster_connections" => 0,
        "maxclients" => srv.config.read().maxclients(),
        "client_recent_max_input_buffer" => peaks.0,
        "client_recent_max_output_buffer" => peaks.1,
        "blocked_clients" => srv.keyspace.blocking.count()
            + srv.paused_clients.load(Ordering::Relaxed),
        "tracking_clients" => srv.keyspace.tracking.clients(),
        "clients_in_timeout_table" => 0,
    );
}

/// Formats bytes the way Redis's `bytesToHuman` does.
pub fn human(n: u64) -> String {
    let f = n as f64;
    const K: f64 = 1024.0;
    if f < K {
        format!("{n}B")
    } else if f < K * K {
        format!("{:.2}K", f / K)
    } else if f < K * K * K {
        format!("{:.2}M", f / (K * K))
    } else if f < K * K * K * K {
        format!("{:.2}G", f / (K * K * K))
    } else {
        format!("{:.2}T", f / (K * K * K * K))
    }
}

/// Resident set size of this process, from /proc.
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn memory(srv: &State, s: &mut String) {
    let used = crate::base::alloc::allocated() as u64;
    // Redis's split: what the server needs besides the data (its start-up footprint, clients,
    // the tables' bookkeeping) is overhead; the rest is the dataset.
    let startup = srv.stats.startup_memory.load(Ordering::Relaxed) as u64;
    let clients: usize = srv.clients.lock().values().map(|c| c.memory()).sum();
    let ks = &srv.keyspace;
    let tables: usize = (0..ks.count()).map(|i| ks.db(i).overhead_bytes()).sum();
    let overhead = (startup + (clients + tables) as u64).min(used);
    let dataset = used - overhead;
    let net = used.saturating_sub(startup).max(1);
    let rss = rss_bytes();
    let peak = crate::base::alloc::peak() as u64;
    let (lazy_pending, lazy_freed) = srv.keyspace.lazyfree.stats();
    let c = srv.config.read();
    let frag = if used > 0 {
        rss as f64 / used as f64
    } else {
        1.0
    };
    fields!(s,
        "used_memory" => used,
        "used_memory_human" => human(used),
        "used_memory_rss" => rss,
        "used_memory_rss_human" => human(rss),
        "used_memory_peak" => peak,
        "used_memory_peak_human" => human(peak),
        "used_memory_peak_perc" => format!("{:.2}%", used as f64 * 100.0 / peak.max(1) as f64),
        "used_memory_overhead" => overhead,
        "used_memory_startup" => startup,
        "used_memory_dataset" => dataset,
        "used_memory_dataset_perc" => format!("{:.2}%", dataset as f64 * 100.0 / net as f64),
        "allocator_allocated" => used,
        "allocator_active" => rss,
        "allocator_resident" => rss,
        "used_memory_lua" => 0,
        "used_memory_vm_eval" => 0,
        "used_memory_scripts_eval" => 0,
        "number_of_cached_scripts" => 0,
        "number_of_functions" => 0,
        "number_of_libraries" => 0,
        "used_memory_vm_functions" => 0,
        "used_memory_vm_total" => 0,
        "used_memory_functions" => 0,
        "used_memory_scripts" => 0,
        "maxmemory" => c.maxmemory(),
        "maxmemory_human" => human(c.maxmemory()),
        "maxmemory_policy" => c.maxmemory_policy().as_str(),
        "mem_fragmentation_ratio" => format!("{frag:.2}"),
        "mem_fragmentation_bytes" => rss as i64 - used as i64,
        "mem_not_counted_for_evict" => 0,
        "mem_replication_backlog" => 0,
        "mem_total_replication_buffers" => 0,
        "mem_clients_slaves" => 0,
        "mem_clients_normal" => clients,
        "mem_cluster_links" => 0,
        "mem_aof_buffer" => 0,
        "mem_allocator" => "libc",
        "active_defrag_running" => 0,
        "lazyfree_pending_objects" => lazy_pending,
        "lazyfreed_objects" => lazy_freed,
    );
}

/// Seconds the running background save has taken so far (-1: none runs).
fn current_bgsave_secs(srv: &State) -> i64 {
    if !srv.persist.bgsave_in_progress.load(Ordering::Relaxed) {
        return -1;
    }
    let started = srv.persist.bgsave_started.load(Ordering::Relaxed);
    (crate::base::clock::now_ms().saturating_sub(started) / 1000) as i64
}

fn persistence(srv: &State, s: &mut String) {
    // A running background save's progress: keys written, and keys it set out to write.
    let save_keys = srv.keyspace.snapshots.job().map_or((0, 0), |job| {
        let total: usize = job.sizes.iter().map(|&(keys, _)| keys).sum();
        (job.written_keys.load(Ordering::Relaxed), total)
    });
    // What CONFIG SET accepts for the sake of Redis's suite but ferrodis cannot honour yet
    // (the AOF) is said here as well as in the log.
    let warning = if srv.config.read().appendonly() {
        "appendonly_not_honoured"
    } else {
        "none"
    };
    fields!(s,
        "loading" => i32::from(srv.persist.loading.load(Ordering::Relaxed)),
        "async_loading" => 0,
        "current_cow_peak" => 0,
        "current_cow_size" => 0,
        "current_cow_size_age" => 0,
        "current_fork_perc" => "0.00",
        "current_save_keys_processed" => save_keys.0,
        "current_save_keys_total" => save_keys.1,
        "persistence_warning" => warning,
        "rdb_changes_since_last_save" => srv.keyspace.stats.dirty.load(Ordering::Relaxed),
        "rdb_bgsave_in_progress" => i32::from(srv.persist.bgsave_in_progress.load(Ordering::Relaxed)),
        "rdb_last_save_time" => srv.persist.last_save.load(Ordering::Relaxed),
        "rdb_last_bgsave_status" => if srv.persist.last_save_failed.load(Ordering::Relaxed) { "err" } else { "ok" },
        "rdb_last_bgsave_time_sec" => srv.persist.last_bgsave_secs.load(Ordering::Relaxed),
        "rdb_current_bgsave_time_sec" => current_bgsave_secs(srv),
        "rdb_saves" => srv.persist.saves.load(Ordering::Relaxed),
        "rdb_last_cow_size" => srv.persist.last_kept_bytes.load(Ordering::Relaxed),
        "rdb_last_load_keys_expired" => srv.persist.last_load_expired.load(Ordering::Relaxed),
        "rdb_last_load_keys_loaded" => srv.persist.last_load_loaded.load(Ordering::Relaxed),
        "aof_enabled" => 0,
        "aof_rewrite_in_progress" => 0,
        "aof_rewrite_scheduled" => 0,
        "aof_last_rewrite_time_sec" => -1,
        "aof_current_rewrite_time_sec" => -1,
        "aof_last_bgrewrite_status" => "ok",
        "aof_rewrites" => 0,
        "aof_rewrites_consecutive_failures" => 0,
        "aof_last_write_status" => "ok",
        "aof_last_cow_size" => 0,
        "module_fork_in_progress" => 0,
        "module_fork_last_cow_size" => 0,
    );
}

fn stats(srv: &State, s: &mut String) {
    let st = &srv.stats;
    let ks = &srv.keyspace.stats;
    let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    let (tracking_keys, tracking_items, tracking_prefixes) = srv.keyspace.tracking.totals();
    fields!(s,
        "total_connections_received" => load(&st.connections),
        "total_commands_processed" => load(&st.commands),
        "instantaneous_ops_per_sec" => st.instantaneous.per_second(Metric::Commands),
        "total_net_input_bytes" => load(&st.net_input),
        "total_net_output_bytes" => load(&st.net_output),
        "total_net_repl_input_bytes" => 0,
        "total_net_repl_output_bytes" => 0,
        "instantaneous_input_kbps" => st.instantaneous.kbps(Metric::NetInput),
        "instantaneous_output_kbps" => st.instantaneous.kbps(Metric::NetOutput),
        "instantaneous_input_repl_kbps" => "0.00",
        "instantaneous_output_repl_kbps" => "0.00",
        "rejected_connections" => load(&st.rejected_connections),
        "sync_full" => 0,
        "sync_partial_ok" => 0,
        "sync_partial_err" => 0,
        "expired_keys" => load(&ks.expired),
        "expired_stale_perc" => format!("{:.2}", f64::from_bits(load(&ks.expired_stale_perc))),
        "expired_time_cap_reached_count" => load(&ks.expire_time_cap_reached),
        "expire_cycle_cpu_milliseconds" => load(&ks.expire_cycle_us) / 1000,
        "evicted_keys" => load(&st.evicted),
        "evicted_clients" => load(&st.evicted_clients),
        "total_eviction_exceeded_time" => 0,
        "current_eviction_exceeded_time" => 0,
        "keyspace_hits" => load(&ks.hits),
        "keyspace_misses" => load(&ks.misses),
        "pubsub_channels" => srv.pubsub.channels(false, None).len(),
        "pubsub_patterns" => srv.pubsub.numpat(),
        "pubsubshard_channels" => srv.pubsub.channels(true, None).len(),
        "latest_fork_usec" => 0,
        "total_forks" => 0,
        "migrate_cached_sockets" => srv.persist.migrate.len(),
        "slave_expires_tracked_keys" => 0,
        "active_defrag_hits" => 0,
        "active_defrag_misses" => 0,
        "active_defrag_key_hits" => 0,
        "active_defrag_key_misses" => 0,
        "total_active_defrag_time" => 0,
        "current_active_defrag_time" => 0,
        "tracking_total_keys" => tracking_keys,
        "tracking_total_items" => tracking_items,
        "tracking_total_prefixes" => tracking_prefixes,
        "unexpected_error_replies" => 0,
        "total_error_replies" => load(&st.error_replies),
        "dump_payload_sanitizations" => 0,
        "total_reads_processed" => load(&st.reads),
        "total_writes_processed" => load(&st.writes),
        "io_threaded_reads_processed" => 0,
        "io_threaded_writes_processed" => 0,
        "reply_buffer_shrinks" => 0,
        "reply_buffer_expands" => 0,
    );
}

fn replication(srv: &State, s: &mut String) {
    fields!(s,
        "role" => "master",
        "connected_slaves" => 0,
        "master_failover_state" => "no-failover",
        "master_replid" => srv.run_id,
        "master_replid2" => "0000000000000000000000000000000000000000",
        "master_repl_offset" => 0,
        "second_repl_offset" => -1,
        "repl_backlog_active" => 0,
        "repl_backlog_size" => 1048576,
        "repl_backlog_first_byte_offset" => 0,
        "repl_backlog_histlen" => 0,
    );
}

/// User and system CPU seconds of this process, from /proc (clock ticks of 10 ms).
pub fn cpu_times() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which may contain spaces, start after the last ')'.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) / 100.0;
    (tick(11), tick(12))
}

fn cpu(s: &mut String) {
    let (user, sys) = cpu_times();
    fields!(s,
        "used_cpu_sys" => format!("{sys:.6}"),
        "used_cpu_user" => format!("{user:.6}"),
        "used_cpu_sys_children" => "0.000000",
        "used_cpu_user_children" => "0.000000",
        "used_cpu_sys_main_thread" => format!("{sys:.6}"),
        "used_cpu_user_main_thread" => format!("{user:.6}"),
    );
}

/// Calls `f` for every command and subcommand that has been called or rejected.
fn each_used(table: &Table, mut f: impl FnMut(&Entry)) {
    fn walk(e: &Entry, f: &mut dyn FnMut(&Entry)) {
        let used = e.stats.calls.load(Ordering::Relaxed) > 0
            || e.stats.rejected.load(Ordering::Relaxed) > 0
            || e.stats.failed.load(Ordering::Relaxed) > 0;
        if used {
            f(e);
        }
        let mut subs: Vec<&Entry> = e.subs.values().collect();
        subs.sort_by_key(|s| s.cmd.name);
        for s in subs {
            walk(s, f);
        }
    }
    let mut all: Vec<&Entry> = table.all().collect();
    all.sort_by_key(|e| e.cmd.name);
    for e in all {
        walk(e, &mut f);
    }
}

fn commandstats(table: &Table, s: &mut String) {
    each_used(table, |e| {
        let calls = e.stats.calls.load(Ordering::Relaxed);
        let usec = e.stats.usec.load(Ordering::Relaxed);
        let per_call = if calls > 0 {
            usec as f64 / calls as f64
        } else {
            0.0
        };
        let _ = write!(
            s,
            "cmdstat_{}:calls={calls},usec={usec},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}\r\n",
            e.full_name(),
            e.stats.rejected.load(Ordering::Relaxed),
            e.stats.failed.load(Ordering::Relaxed),
        );
    });
}

fn errorstats(srv: &State, s: &mut String) {
    for (code, n) in srv.stats.errors.lock().iter() {
        let _ = write!(s, "errorstat_{code}:count={n}\r\n");
    }
}

fn latencystats(srv: &State, table: &Table, s: &mut String) {
    let percentiles = srv
        .config
        .read()
        .latency_tracking_info_percentiles()
        .to_vec();
    each_used(table, |e| {
        let buckets = e.stats.hist.cumulative();
        let Some(&(_, total)) = buckets.last() else {
            return;
        };
        let pct = |p: f64| {
            let want = ((p / 100.0) * total as f64).ceil().max(1.0) as u64;
            buckets
                .iter()
                .find(|(_, c)| *c >= want)
                .map_or(0, |(v, _)| *v)
        };
        let _ = write!(s, "latency_percentiles_usec_{}:", e.full_name());
        for (i, &p) in percentiles.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let name = crate::base::config::format_percentile(p);
            let _ = write!(s, "{sep}p{name}={:.3}", pct(p) as f64);
        }
        s.push_str("\r\n");
    });
}

fn keyspace(srv: &State, s: &mut String) {
    let ks = &srv.keyspace;
    for i in 0..ks.count() {
        let db = ks.db(i);
        let keys = db.len();
        if keys > 0 {
            let _ = write!(
                s,
                "db{i}:keys={keys},expires={},avg_ttl={}\r\n",
                db.volatile_len(),
                db.avg_ttl()
            );
        }
    }
}
