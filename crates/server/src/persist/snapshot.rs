//! Whole-keyspace RDB snapshots: writing one to a file as Redis does (a temporary file,
//! fsync, rename, fsync of the directory) and loading one into the keyspace, with Redis's log
//! lines. The caller holds the server's exclusive lock, so the image is one instant of the
//! keyspace.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use rdb::file::{self, KeyMeta, Reader, Record};
use rdb::{LoadLimits, Output};
use storage::value::Value;

use crate::base::clock::{lru_clock, lru_idle, now_ms};
use crate::base::config::{Config, MaxmemoryPolicy};
use crate::keyspace::snapshot::Job;
use crate::keyspace::Keyspace;
use crate::persist::Status;

/// The version string written in the `redis-ver` field, as INFO reports it.
const REDIS_VERSION: &str = "7.0.15";

/// Where the snapshot file is: `dbfilename` inside `dir`.
pub fn path(config: &Config) -> PathBuf {
    config.resolve_path(&config.dbfilename())
}

/// The encodings loaded values take, from the configuration.
pub fn load_limits(c: &Config) -> LoadLimits {
    LoadLimits {
        list_fill: c.list_max_listpack_size(),
        set_max_intset: c.set_max_intset_entries(),
        hash: c.hash_limits(),
        zset: c.zset_limits(),
        stream_node_bytes: c.stream_node_max_bytes(),
        stream_node_entries: usize::try_from(c.stream_node_max_entries()).unwrap_or(0),
    }
}

/// What a save writes with, read from the configuration when it starts.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The file.
    pub path: PathBuf,
    /// `rdbcompression`.
    pub compress: bool,
    /// `rdbchecksum`.
    pub checksum: bool,
    /// The eviction policy, which decides whether idle times or LFU counters are saved.
    pub policy: MaxmemoryPolicy,
    /// `rdb-key-save-delay`: a pause after each key (tests use it to keep a save running).
    pub key_delay: i32,
}

impl Settings {
    /// The settings now.
    pub fn of(c: &Config) -> Settings {
        Settings {
            path: path(c),
            compress: c.rdbcompression(),
            checksum: c.rdbchecksum(),
            policy: c.maxmemory_policy(),
            key_delay: c.rdb_key_save_delay(),
        }
    }
}

/// The dataset a save writes.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    /// The keyspace as it is: SAVE, under the server's exclusive lock.
    Now,
    /// A background save's point-in-time view.
    View(&'a Job),
}

/// The metadata a key is saved with: its expiry, and its idle time or LFU counter when the
/// eviction policy uses them (as Redis writes them only then).
fn meta(
    ks: &Keyspace,
    policy: MaxmemoryPolicy,
    now: u64,
    expire: Option<u64>,
    stamp: u32,
) -> KeyMeta {
    let lru = matches!(
        policy,
        MaxmemoryPolicy::AllkeysLru | MaxmemoryPolicy::VolatileLru
    );
    KeyMeta {
        expire_ms: expire.map(|at| at as i64),
        idle: lru.then(|| lru_idle(lru_clock(now), stamp)),
        freq: policy.is_lfu().then(|| ks.access.frequency(stamp, now)),
    }
}

/// `rdb-key-save-delay`'s pause after a key: that many microseconds, or for a negative value
/// one microsecond once in that many keys, as Redis's `debugDelay`.
fn pause(delay: i32) {
    let micros = match delay {
        0 => return,
        d if d < 0 => u64::from(fastrand::u32(..d.unsigned_abs()) == 0),
        d => d as u64,
    };
    if micros > 0 {
        std::thread::sleep(std::time::Duration::from_micros(micros));
    }
}

/// Writes the dataset as an RDB stream to `w`.
pub fn write<W: Write>(
    ks: &Keyspace,
    s: &Settings,
    source: Source<'_>,
    w: W,
) -> std::io::Result<W> {
    let now = now_ms();
    let mut out = Output::new(w, s.compress);
    let ctime = (now / 1000).to_string();
    let used = crate::base::alloc::allocated().to_string();
    file::write_header(
        &mut out,
        &[
            ("redis-ver", REDIS_VERSION.as_bytes()),
            ("redis-bits", b"64"),
            ("ctime", ctime.as_bytes()),
            ("used-mem", used.as_bytes()),
            ("aof-base", b"0"),
        ],
    )?;
    for d in 0..ks.count() {
        let db = ks.db(d);
        let (keys, expires) = match source {
            Source::Now => (db.len(), db.volatile_len()),
            Source::View(job) => job.sizes[d],
        };
        if keys == 0 {
            continue;
        }
        file::write_db(&mut out, d as u64, keys as u64, expires as u64)?;
        for sh in 0..crate::keyspace::SHARDS {
            let mut key = |k: &[u8], v: &Value, expire: Option<u64>, stamp: u32| {
                file::write_key(&mut out, k, v, meta(ks, s.policy, now, expire, stamp))
            };
            match source {
                Source::Now => {
                    let shard = db.shard(sh);
                    for e in shard.iter() {
                        key(&e.key, &e.value, shard.entry_expire(e), e.clock())?;
                        pause(s.key_delay);
                    }
                }
                Source::View(job) => {
                    let between = || {
                        pause(s.key_delay);
                        if job.aborted() {
                            return Err(std::io::Error::other("aborted by FLUSHALL"));
                        }
                        Ok(())
                    };
                    job.walk_shard(ks, d, sh, between, key)?;
                }
            }
        }
    }
    file::write_end(&mut out, s.checksum)?;
    Ok(out.into_inner())
}

/// Writes the snapshot file: a temporary file in the same directory, flushed and synced,
/// renamed over the old one, and the directory synced, so that a crash leaves either the old
/// file or the new one.
pub fn write_file(ks: &Keyspace, s: &Settings, source: Source<'_>) -> std::io::Result<()> {
    let dir = s.path.parent().map(Path::to_path_buf).unwrap_or_default();
    let temp = dir.join(format!("temp-{}-{}.rdb", std::process::id(), now_ms()));
    let result = (|| {
        let f = File::create(&temp).inspect_err(|e| {
            tracing::warn!(
                "Failed opening the temp RDB file {} (in server root dir {}) for saving: {e}",
                temp.display(),
                dir.display()
            );
        })?;
        let f = write(ks, s, source, BufWriter::new(f))?
            .into_inner()
            .map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&temp, &s.path)?;
        File::open(&dir).and_then(|d| d.sync_all())
    })();
    if let Err(e) = &result {
        let _ = std::fs::remove_file(&temp);
        tracing::warn!("Write error saving DB on disk: {e}");
    }
    result
}

/// SAVE: writes the keyspace now; the caller holds the server's exclusive lock. Refused while
/// a background save runs, as in Redis.
pub fn save(ks: &Keyspace, config: &Config, status: &Status) -> std::io::Result<()> {
    write_file(ks, &Settings::of(config), Source::Now)?;
    tracing::info!("DB saved on disk");
    ks.stats.dirty.store(0, Ordering::Relaxed);
    status.saved();
    Ok(())
}

/// Why a snapshot could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// There is no snapshot file (a fresh server starts empty).
    Missing,
    /// The file could not be read.
    Io(std::io::Error),
    /// The data is not a valid snapshot, or does not fit this server.
    Bad(rdb::Error),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Missing => write!(f, "No such file or directory"),
            LoadError::Io(e) => write!(f, "{e}"),
            LoadError::Bad(e) => write!(f, "{e}"),
        }
    }
}

/// Counts of one load.
#[derive(Debug, Default, Clone, Copy)]
pub struct Loaded {
    /// Keys added.
    pub keys: u64,
    /// Keys dropped because their TTL had passed.
    pub expired: u64,
    /// Empty collections skipped.
    pub empty: u64,
}

/// Loads a snapshot stream into the keyspace. Keys whose TTL passed are dropped, as a master
/// does; with `merge` a key present in the keyspace is replaced (DEBUG RELOAD MERGE), without
/// it a key present twice is an error.
pub fn load_from<R: Read>(
    ks: &Keyspace,
    config: &Config,
    status: &Status,
    r: R,
    merge: bool,
) -> Result<Loaded, rdb::Error> {
    let now = now_ms();
    let delay = config.key_load_delay();
    let mut reader = Reader::new(r, load_limits(config))?;
    let mut db = 0usize;
    let mut n = Loaded::default();
    loop {
        match reader.record()? {
            Record::End => break,
            Record::Aux(name, value) => log_aux(&name, &value, now),
            Record::Select(d) => {
                db = usize::try_from(d).ok().filter(|&d| d < ks.count()).ok_or_else(|| {
                    reader.input.corrupt(format!("FATAL: Data file was created with a Redis server configured to handle more than {} databases", ks.count()))
                })?;
            }
            Record::Function(_) => {
                return Err(reader.input.corrupt(
                    "Function libraries cannot be loaded: ferrodis does not run scripts yet",
                ))
            }
            Record::Key {
                key, value: None, ..
            } => {
                n.empty += 1;
                if n.empty <= 10 {
                    tracing::warn!(
                        "rdbLoadObject skipping empty key: {}",
                        String::from_utf8_lossy(&key)
                    );
                }
            }
            Record::Key {
                key,
                value: Some(value),
                meta,
            } => {
                let expire = meta.expire_ms.map(|at| at.max(0) as u64);
                if expire.is_some_and(|at| at < now) {
                    n.expired += 1;
                    continue;
                }
                let stamp = ks.access.restored(now, meta.idle, meta.freq);
                if !ks.load(db, &key, value, expire, stamp, merge) {
                    return Err(reader.input.corrupt(format!(
                        "RDB has duplicated key '{}' in DB {db}",
                        String::from_utf8_lossy(&key)
                    )));
                }
                n.keys += 1;
                pause(delay);
            }
        }
    }
    let skip = status.skip_checksum.load(Ordering::Relaxed);
    reader.finish(skip)?;
    status.last_load_loaded.store(n.keys, Ordering::Relaxed);
    status.last_load_expired.store(n.expired, Ordering::Relaxed);
    if n.empty > 0 {
        tracing::warn!(
            "Done loading RDB, keys loaded: {}, keys expired: {}, empty keys skipped: {}.",
            n.keys,
            n.expired,
            n.empty
        );
    } else {
        tracing::info!(
            "Done loading RDB, keys loaded: {}, keys expired: {}.",
            n.keys,
            n.expired
        );
    }
    Ok(n)
}

/// Opens the snapshot file: `None` when there is none (a fresh server starts empty).
pub fn open(config: &Config) -> Result<Option<File>, LoadError> {
    match File::open(path(config)) {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(LoadError::Io(e)),
    }
}

/// Loads an opened snapshot file.
pub fn load_file(
    ks: &Keyspace,
    config: &Config,
    status: &Status,
    f: File,
    merge: bool,
) -> Result<Loaded, LoadError> {
    load_from(
        ks,
        config,
        status,
        BufReader::with_capacity(1 << 16, f),
        merge,
    )
    .map_err(|e| match e {
        rdb::Error::Io(e) => LoadError::Io(e),
        e => LoadError::Bad(e),
    })
}

/// Loads the snapshot file (DEBUG RELOAD).
pub fn load(
    ks: &Keyspace,
    config: &Config,
    status: &Status,
    merge: bool,
) -> Result<Loaded, LoadError> {
    match open(config)? {
        Some(f) => load_file(ks, config, status, f, merge),
        None => Err(LoadError::Missing),
    }
}

/// Logs what Redis logs of the auxiliary fields it knows.
fn log_aux(name: &[u8], value: &[u8], now: u64) {
    let text = String::from_utf8_lossy(value);
    match name {
        b"redis-ver" => tracing::info!("Loading RDB produced by version {text}"),
        b"ctime" => {
            let age = text
                .parse::<u64>()
                .map_or(0, |t| (now / 1000).saturating_sub(t));
            tracing::info!("RDB age {age} seconds");
        }
        b"used-mem" => {
            let mb = text.parse::<f64>().unwrap_or(0.0) / 1_048_576.0;
            tracing::info!("RDB memory usage when created {mb:.2} Mb");
        }
        b"aof-preamble" | b"aof-base" if text == "0" => {}
        b"aof-preamble" => tracing::info!("RDB has an AOF tail"),
        b"aof-base" => tracing::info!("RDB is base AOF"),
        b"redis-bits" => {}
        _ if name.first() == Some(&b'%') => {
            tracing::info!("RDB '{}': {text}", String::from_utf8_lossy(name))
        }
        _ => tracing::debug!(
            "Unrecognized RDB AUX field: '{}'",
            String::from_utf8_lossy(name)
        ),
    }
}
