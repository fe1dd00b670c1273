//! Persistence: DUMP/RESTORE of every type and encoding, hostile payloads, DEBUG RELOAD, and
//! snapshot files that cross between ferrodis and Debian's redis-server 7.0.15 both ways with
//! the same dataset (each side's own DEBUG DIGEST before and after the round trip), which
//! redis-check-rdb accepts.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;

use bytes::BytesMut;
use resp::Frame;

use crate::common::{free_port, render, Session};
use testkit::REDIS_SERVER;

const FERRODIS: &str = env!("CARGO_BIN_EXE_ferrodis-server");
const REDIS_CHECK_RDB: &str = "/usr/bin/redis-check-rdb";

/// Commands that leave one key of every type and encoding, with expiries, in two databases.
const DATASET: &[&str] = &[
    "SET str hello",
    "SET int 12345",
    "SET long xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "RPUSH list a b 1 2 300 -5 70000 hello",
    "SADD intset 1 2 3 -7 100000 9223372036854775807",
    "SADD set a b c 1",
    "HSET hash f v n 12 empty-value-next x",
    "ZADD zset 1 a 2.5 b -3 c inf d -inf e",
    "XADD stream 1-1 a 1 b 2",
    "XADD stream 1-2 a 3 b 4",
    "XADD stream 2-1 c 5",
    "XGROUP CREATE stream g 0",
    "XREADGROUP GROUP g alice COUNT 2 STREAMS stream >",
    "XGROUP CREATECONSUMER stream g bob",
    "XGROUP CREATE stream h $",
    "XADD emptied 5-5 f v",
    "XDEL emptied 5-5",
    "PEXPIRE str 100000000",
    "PEXPIRE zset 100000000",
    "SELECT 3",
    "SET other-db yes",
    "SELECT 0",
];

/// The large encodings: more elements than the compact limits allow.
fn big_dataset() -> Vec<String> {
    let members: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
    let scored: Vec<String> = (0..300).map(|i| format!("{i} m{i}")).collect();
    let pairs: Vec<String> = (0..600).map(|i| format!("f{i} v{i}")).collect();
    let ints: Vec<String> = (0..600).map(|i| (i * 7).to_string()).collect();
    vec![
        format!("RPUSH biglist {}", members.join(" ")),
        format!("SADD bigset {}", members.join(" ")),
        format!("SADD bigintset {}", ints.join(" ")),
        format!("ZADD bigzset {}", scored.join(" ")),
        format!("HSET bighash {}", pairs.join(" ")),
    ]
}

#[test]
fn dump_and_restore_round_trip_every_type_and_encoding() {
    let mut s = Session::with("enable-debug-command yes");
    let mut lines: Vec<String> = DATASET.iter().map(|l| l.to_string()).collect();
    lines.extend(big_dataset());
    for l in &lines {
        let reply = s.run(l);
        assert!(!reply.starts_with("(error)"), "{l}: {reply}");
    }
    let keys = [
        "str",
        "int",
        "long",
        "list",
        "intset",
        "set",
        "hash",
        "zset",
        "stream",
        "emptied",
        "biglist",
        "bigset",
        "bigintset",
        "bigzset",
        "bighash",
    ];
    for key in keys {
        let Frame::Bulk(payload) = s.call(&[b"DUMP", key.as_bytes()]) else {
            panic!("DUMP {key}");
        };
        let copy = format!("copy-{key}");
        assert_eq!(
            render(&s.call(&[b"RESTORE", copy.as_bytes(), b"0", &payload])),
            "OK",
            "{key}"
        );
        let original = render(&s.call(&[b"DEBUG", b"DIGEST-VALUE", key.as_bytes()]));
        let restored = render(&s.call(&[b"DEBUG", b"DIGEST-VALUE", copy.as_bytes()]));
        assert_eq!(original, restored, "{key}");
        assert_eq!(
            s.run(&format!("OBJECT ENCODING {key}")),
            s.run(&format!("OBJECT ENCODING {copy}")),
            "{key}"
        );
    }
}

#[test]
fn damaged_payloads_are_refused_and_change_nothing() {
    let mut s = Session::with("enable-debug-command yes");
    for l in DATASET {
        s.run(l);
    }
    s.run("DEBUG SET-SKIP-CHECKSUM-VALIDATION 1");
    for key in ["list", "intset", "hash", "zset", "stream", "long"] {
        let Frame::Bulk(payload) = s.call(&[b"DUMP", key.as_bytes()]) else {
            panic!("DUMP {key}");
        };
        let body = payload.len() - 10;
        let footer = &payload[body..];
        // Every truncation of the value, and every single-byte change, with the footer kept
        // valid: refused with Redis's error or restored as some valid value, never a crash.
        for cut in 0..body {
            let mut p = payload[..cut].to_vec();
            p.extend_from_slice(footer);
            let reply = render(&s.call(&[b"RESTORE", b"victim", b"0", &p, b"REPLACE"]));
            assert!(
                reply == "(error) ERR Bad data format" || reply == "OK",
                "{key} cut at {cut}: {reply}"
            );
        }
        for at in 0..body {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut p = payload.to_vec();
                p[at] ^= flip;
                let reply = render(&s.call(&[b"RESTORE", b"victim", b"0", &p, b"REPLACE"]));
                assert!(
                    reply == "(error) ERR Bad data format" || reply == "OK",
                    "{key} byte {at}: {reply}"
                );
            }
        }
    }
    s.run("DEBUG SET-SKIP-CHECKSUM-VALIDATION 0");
    let Frame::Bulk(payload) = s.call(&[b"DUMP", b"list"]) else {
        panic!("DUMP list");
    };
    let mut damaged = payload.to_vec();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    assert_eq!(
        render(&s.call(&[b"RESTORE", b"x", b"0", &damaged])),
        "(error) ERR DUMP payload version or checksum are wrong"
    );
    assert_eq!(s.run("EXISTS x"), "(integer) 0");
}

/// A fresh directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let d =
            std::env::temp_dir().join(format!("ferrodis-persist-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server process and a blocking RESP connection to it.
struct Process {
    server: testkit::Spawned,
    stream: TcpStream,
    buf: BytesMut,
}

impl Process {
    /// Starts `bin` serving `dir` (loading the snapshot there, if any).
    fn start(bin: &str, dir: &Path) -> Process {
        let dir = dir.to_string_lossy();
        let server = testkit::spawn(
            bin,
            &[
                "--enable-debug-command",
                "yes",
                "--enable-protected-configs",
                "yes",
                "--dir",
                &dir,
            ],
        );
        let stream = TcpStream::connect(server.addr).unwrap();
        let mut p = Process {
            server,
            stream,
            buf: BytesMut::new(),
        };
        // The snapshot loads while the server answers -LOADING, as Redis's suite waits too.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while p.call("PING") != "PONG" {
            assert!(
                std::time::Instant::now() < deadline,
                "{bin} did not finish loading"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        p
    }

    fn call(&mut self, line: &str) -> String {
        let args: Vec<&str> = line.split(' ').collect();
        self.call_args(&args)
    }

    fn call_args(&mut self, args: &[&str]) -> String {
        let mut wire = format!("*{}\r\n", args.len());
        for a in args {
            wire.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        self.stream.write_all(wire.as_bytes()).unwrap();
        loop {
            if let Some(f) = resp::decode_frame_bytes(&mut self.buf).unwrap() {
                return render(&f);
            }
            let mut chunk = [0u8; 4096];
            let n = self.stream.read(&mut chunk).unwrap();
            assert!(n > 0, "connection closed");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    fn fill(&mut self) {
        for l in DATASET.iter().map(|l| l.to_string()).chain(big_dataset()) {
            let reply = self.call(&l);
            assert!(!reply.starts_with("(error)"), "{l}: {reply}");
        }
    }

    /// Saves into `dir`.
    fn save_to(&mut self, dir: &Path) {
        assert_eq!(
            self.call(&format!("CONFIG SET dir {}", dir.display())),
            "OK"
        );
        assert_eq!(self.call("SAVE"), "OK");
    }

    fn digest(&mut self) -> String {
        self.call("DEBUG DIGEST")
    }
}

fn redis_check_rdb(file: &Path) {
    let out = Command::new(REDIS_CHECK_RDB).arg(file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("RDB looks OK"),
        "{text}"
    );
}

#[test]
fn snapshots_cross_between_ferrodis_and_redis_with_the_same_data() {
    assert!(
        Path::new(REDIS_SERVER).exists(),
        "{REDIS_SERVER} is not installed: scripts/test.sh installs it"
    );
    let dirs: Vec<TempDir> = (0..4).map(|i| TempDir::new(&format!("cross{i}"))).collect();
    // ferrodis -> redis -> ferrodis: ferrodis's digest survives.
    let mut f = Process::start(FERRODIS, &dirs[0].0);
    f.fill();
    let before = f.digest();
    f.save_to(&dirs[0].0);
    redis_check_rdb(&dirs[0].0.join("dump.rdb"));
    let mut r = Process::start(REDIS_SERVER, &dirs[0].0);
    assert_eq!(r.call("DBSIZE"), "(integer) 15");
    r.save_to(&dirs[1].0);
    let mut f2 = Process::start(FERRODIS, &dirs[1].0);
    assert_eq!(f2.digest(), before);
    let ttl = f2.call("TTL str");
    assert!(
        ttl == "(integer) 100000" || ttl == "(integer) 99999",
        "{ttl}"
    );
    // redis -> ferrodis -> redis: Redis's digest survives.
    let mut r = Process::start(REDIS_SERVER, &dirs[2].0);
    r.fill();
    let before = r.digest();
    r.save_to(&dirs[2].0);
    let mut f = Process::start(FERRODIS, &dirs[2].0);
    f.save_to(&dirs[3].0);
    redis_check_rdb(&dirs[3].0.join("dump.rdb"));
    let mut r2 = Process::start(REDIS_SERVER, &dirs[3].0);
    assert_eq!(r2.digest(), before);
}

#[test]
fn debug_reload_keeps_the_dataset_and_a_damaged_file_stops_start_up() {
    let dir = TempDir::new("reload");
    let mut f = Process::start(FERRODIS, &dir.0);
    f.fill();
    let before = f.digest();
    assert_eq!(f.call("DEBUG RELOAD"), "OK");
    assert_eq!(f.digest(), before);
    assert!(f
        .call("INFO persistence")
        .contains("rdb_last_load_keys_loaded:16"));
    drop(f);
    let file = dir.0.join("dump.rdb");
    let whole = std::fs::read(&file).unwrap();
    for cut in [whole.len() - 1, whole.len() / 2, 9] {
        std::fs::write(&file, &whole[..cut]).unwrap();
        let out = Command::new(FERRODIS)
            .args(["--port", &free_port().to_string(), "--dir"])
            .arg(&dir.0)
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "started on a file cut at {cut}");
        assert!(
            log.contains("Terminating server after rdb file reading failure."),
            "{log}"
        );
    }
}

#[test]
fn migrate_moves_keys_to_redis_and_back() {
    let dirs: Vec<TempDir> = (0..2)
        .map(|i| TempDir::new(&format!("migrate{i}")))
        .collect();
    let mut f = Process::start(FERRODIS, &dirs[0].0);
    let mut r = Process::start(REDIS_SERVER, &dirs[1].0);
    f.fill();
    let port = |p: &Process| p.server.port;
    let keys = "str int long list intset set hash zset stream emptied biglist bigset bigintset bigzset bighash";
    // Values, compared without the expiry times (which move by the milliseconds the trip takes).
    let digests = |p: &mut Process| {
        p.call(&format!(
            "DEBUG DIGEST-VALUE {}",
            keys.replace("str ", "").replace("zset ", "")
        ))
    };
    let before = digests(&mut f);
    // To Redis's database 2: the keys leave ferrodis, with their TTLs.
    let to_redis = format!("MIGRATE 127.0.0.1 {} \u{0} 2 5000 KEYS {keys}", port(&r));
    let args: Vec<&str> = to_redis
        .split(' ')
        .map(|a| if a == "\u{0}" { "" } else { a })
        .collect();
    assert_eq!(f.call_args(&args), "OK");
    assert_eq!(f.call("DBSIZE"), "(integer) 0");
    assert_eq!(r.call("SELECT 2"), "OK");
    assert_eq!(r.call("DBSIZE"), "(integer) 15");
    assert!(r.call("PTTL str").starts_with("(integer) 9999"));
    // And back: a copy, so Redis keeps its own.
    let back = format!(
        "MIGRATE 127.0.0.1 {} \u{0} 0 5000 COPY KEYS {keys}",
        port(&f)
    );
    let args: Vec<&str> = back
        .split(' ')
        .map(|a| if a == "\u{0}" { "" } else { a })
        .collect();
    assert_eq!(r.call_args(&args), "OK");
    assert_eq!(digests(&mut f), before);
    assert!(f.call("PTTL zset").starts_with("(integer) 999"));
    assert_eq!(r.call("DBSIZE"), "(integer) 15");
    // Existing keys are not overwritten without REPLACE, and the target's error is relayed.
    let again = format!("MIGRATE 127.0.0.1 {} str 0 5000 COPY", port(&f));
    assert_eq!(
        r.call(&again),
        "(error) ERR Target instance replied with error: BUSYKEY Target key name already exists."
    );
    assert_eq!(
        r.call(&format!("MIGRATE 127.0.0.1 {} nosuchkey 0 5000", port(&f))),
        "NOKEY"
    );
}

/// Polls INFO persistence until no background save runs.
fn wait_for_bgsave(p: &mut Process) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let info = p.call("INFO persistence");
        if info.contains("rdb_bgsave_in_progress:0") {
            return info;
        }
        assert!(std::time::Instant::now() < deadline, "BGSAVE did not end");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn bgsave_writes_the_dataset_as_it_was_when_it_started() {
    let dir = TempDir::new("bgsave");
    let mut f = Process::start(FERRODIS, &dir.0);
    f.fill();
    assert_eq!(f.call("DEBUG POPULATE 20000 key 20"), "OK");
    let before = f.digest();
    // A pause after each key saved keeps the save running while the changes below are made.
    assert_eq!(f.call("CONFIG SET rdb-key-save-delay 50"), "OK");
    assert_eq!(f.call("BGSAVE"), "Background saving started");
    // Changes while the save runs, to keys it has and has not written yet: none may show.
    for i in (0..20_000).step_by(97) {
        f.call(&format!("DEL key:{i}"));
        f.call(&format!("SET key:{} changed", i + 1));
        f.call(&format!("SET new:{i} x"));
    }
    f.call("HSET hash f changed");
    f.call("RPUSH list more");
    f.call("FLUSHDB");
    assert_eq!(
        f.call("BGSAVE"),
        "(error) ERR Background save already in progress"
    );
    assert_eq!(
        f.call("SAVE"),
        "(error) ERR Background save already in progress"
    );
    assert_eq!(f.call("BGSAVE SCHEDULE"), "Background saving scheduled");
    let info = wait_for_bgsave(&mut f);
    assert!(info.contains("rdb_last_bgsave_status:ok"), "{info}");
    let kept = info
        .split("rdb_last_cow_size:")
        .nth(1)
        .and_then(|v| v.split('\r').next())
        .unwrap();
    assert!(kept.parse::<u64>().unwrap() > 0, "{info}");
    // The save it held back starts from the cron, of the dataset as it is now.
    assert_eq!(f.call("CONFIG SET rdb-key-save-delay 0"), "OK");
    let file = dir.0.join("dump.rdb");
    let first = std::fs::read(&file).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::read(&file).unwrap() == first {
        assert!(
            std::time::Instant::now() < deadline,
            "the scheduled save did not run"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    wait_for_bgsave(&mut f);
    std::fs::write(&file, &first).unwrap();
    assert_eq!(f.call("DEBUG RELOAD NOSAVE"), "OK");
    assert_eq!(f.digest(), before);
    redis_check_rdb(&dir.0.join("dump.rdb"));
}

#[test]
fn a_failed_bgsave_stops_writes_until_a_save_succeeds() {
    let dir = TempDir::new("misconf");
    let mut f = Process::start(FERRODIS, &dir.0);
    let gone = dir.0.join("gone");
    std::fs::create_dir_all(&gone).unwrap();
    assert_eq!(f.call(&format!("CONFIG SET dir {}", gone.display())), "OK");
    assert_eq!(f.call_args(&["CONFIG", "SET", "save", "900 1"]), "OK");
    std::fs::remove_dir_all(&gone).unwrap();
    assert_eq!(f.call("SET k v"), "OK");
    assert_eq!(f.call("BGSAVE"), "Background saving started");
    let info = wait_for_bgsave(&mut f);
    assert!(info.contains("rdb_last_bgsave_status:err"), "{info}");
    assert!(f.call("SET k w").starts_with("(error) MISCONF "));
    assert_eq!(f.call("GET k"), "\"v\"");
    // Writes come back with a save that succeeds, or when the setting is turned off.
    assert_eq!(f.call("CONFIG SET stop-writes-on-bgsave-error no"), "OK");
    assert_eq!(f.call("SET k w"), "OK");
    assert_eq!(f.call("CONFIG SET stop-writes-on-bgsave-error yes"), "OK");
    assert!(f.call("SET k x").starts_with("(error) MISCONF "));
    std::fs::create_dir_all(&gone).unwrap();
    assert_eq!(f.call("BGSAVE"), "Background saving started");
    let info = wait_for_bgsave(&mut f);
    assert!(info.contains("rdb_last_bgsave_status:ok"), "{info}");
    assert_eq!(f.call("SET k x"), "OK");
}
