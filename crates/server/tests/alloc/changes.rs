//! The change stream reproduces the keyspace: random command sequences over every data type run
//! on one server (expiring keys with the clock moving on, eviction under `maxmemory`, blocking
//! pops served by pushes, transactions, random pops, streams with consumer groups), and the
//! records it emits, replayed into an empty server, give the same dataset: the same DEBUG
//! DIGEST, the same absolute expiry times, the same consumer groups.
//!
//! It lives in the counting allocator's binary because eviction needs `used_memory`.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use ferrodis_server::base::changes::{Effects, Subscriber};
use ferrodis_server::base::config::Config;
use ferrodis_server::base::reply::Out;
use ferrodis_server::dispatch::{execute, Server};
use ferrodis_server::state::client::{After, Client, Parked};
use proptest::prelude::*;
use resp::Frame;
use storage::value::Value;

/// The keys the commands play with, by type; a command may still hit a key of another type.
const KEYS: &[&str] = &[
    "s0", "s1", "n0", "l0", "l1", "h0", "t0", "t1", "z0", "z1", "x0", "p0", "b0", "g0", "g1",
];

/// One server and the clients talking to it in-process, with the reply each blocked client
/// waits for.
struct Node {
    srv: Arc<Server>,
    clients: Vec<Client>,
    parked: Vec<Option<Parked>>,
}

impl Node {
    fn new(clients: usize) -> Node {
        let mut config = Config::new();
        config
            .load_from_str("databases 2\nstream-node-max-entries 4")
            .expect("valid configuration");
        let srv = ferrodis_server::build(config);
        let parked = (0..clients).map(|_| None).collect();
        let clients = (0..clients)
            .map(|_| Client::new(srv.detached_handle(), true))
            .collect();
        Node {
            srv,
            clients,
            parked,
        }
    }

    /// Runs `args` as client `c`; the replies, or `None` when the client blocked.
    fn run(&mut self, c: usize, args: &[Bytes]) -> Option<Vec<Frame>> {
        let mut out = Out::new(2);
        match execute(&self.srv, &mut self.clients[c], &mut out, args) {
            After::Block(parked) => {
                self.parked[c] = Some(parked);
                None
            }
            _ => Some(decode(&out.buf)),
        }
    }

    /// Whether client `c` still waits; a served client takes its reply and is free again.
    fn waiting(&mut self, c: usize) -> bool {
        match self.parked[c].as_mut() {
            None => false,
            Some(parked) => {
                if parked.reply.try_recv().is_ok() {
                    self.parked[c] = None;
                    false
                } else {
                    true
                }
            }
        }
    }

    /// Reads every key of every database once as client `c`, so that the ones past their TTL
    /// are deleted (and their deletion recorded).
    fn sweep(&mut self, c: usize) {
        for db in 0..2 {
            run_words(self, c, &["SELECT", &db.to_string()]);
            for key in KEYS {
                run_words(self, c, &["EXISTS", key]);
            }
        }
    }
}

fn words(w: &[&str]) -> Vec<Bytes> {
    w.iter()
        .map(|s| Bytes::copy_from_slice(s.as_bytes()))
        .collect()
}

fn run_words(node: &mut Node, c: usize, w: &[&str]) -> Option<Vec<Frame>> {
    node.run(c, &words(w))
}

fn decode(buf: &[u8]) -> Vec<Frame> {
    let mut buf = BytesMut::from(buf);
    let mut frames = Vec::new();
    while let Some(f) = resp::decode_frame_bytes(&mut buf).expect("valid reply") {
        frames.push(f);
    }
    frames
}

/// Whether a reply is, or holds, an error.
fn has_error(f: &Frame) -> bool {
    match f {
        Frame::Error(_) => true,
        Frame::Array(items) => items.iter().any(has_error),
        _ => false,
    }
}

/// One step of a generated run, from three random bytes.
#[derive(Debug, Clone)]
enum Step {
    /// A command of the main client.
    Cmd(Vec<String>),
    /// A blocking command of the second client (skipped while it already waits).
    Block(Vec<String>),
    /// A transaction of the main client.
    Multi(Vec<Vec<String>>, bool),
    /// Let a few milliseconds pass, so that short TTLs run out.
    Sleep,
    /// One active expiry cycle.
    ExpireCycle,
    /// Evict under a `maxmemory` policy.
    Evict(&'static str),
}

fn key(i: u8) -> String {
    KEYS[i as usize % KEYS.len()].to_string()
}

fn pick<'a>(i: u8, of: &[&'a str]) -> &'a str {
    of[i as usize % of.len()]
}

fn cmd(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| s.to_string()).collect()
}

/// A command from three random bytes: `op` picks the command, `a` and `b` its arguments.
fn command(op: u8, a: u8, b: u8) -> Vec<String> {
    let s = pick(a, &["s0", "s1", "n0"]);
    let l = pick(a, &["l0", "l1"]);
    let l2 = pick(b, &["l0", "l1"]);
    let t = pick(a, &["t0", "t1"]);
    let t2 = pick(b, &["t0", "t1"]);
    let z = pick(a, &["z0", "z1"]);
    let z2 = pick(b, &["z0", "z1"]);
    let m = format!("m{}", b % 6);
    let v = format!("v{b}");
    let n = (b % 4 + 1).to_string();
    let g = pick(a, &["grp0", "grp1"]);
    let c = pick(b, &["c0", "c1"]);
    match op % 40 {
        0 => {
            let opts: &[&str] = match b % 8 {
                0 => &[],
                1 => &["EX", "100"],
                2 => &["PX", "3"],
                3 => &["KEEPTTL"],
                4 => &["GET"],
                5 => &["NX", "PX", "2"],
                6 => &["XX", "EXAT", "4102444800"],
                _ => &["PXAT", "4102444800123"],
            };
            let mut w = cmd(&["SET", s, &v]);
            w.extend(opts.iter().map(|o| o.to_string()));
            w
        }
        1 => match b % 2 {
            0 => cmd(&["SETEX", s, "100", &v]),
            _ => cmd(&["PSETEX", s, "2", &v]),
        },
        2 => match b % 5 {
            0 => cmd(&["GETEX", s, "EX", "50"]),
            1 => cmd(&["GETEX", s, "PX", "2"]),
            2 => cmd(&["GETEX", s, "PERSIST"]),
            3 => cmd(&["GETEX", s, "EXAT", "1"]),
            _ => cmd(&["GETDEL", s]),
        },
        3 => match b % 4 {
            0 => cmd(&["INCRBYFLOAT", "n0", "1.1"]),
            1 => cmd(&["INCR", "n0"]),
            2 => cmd(&["APPEND", s, &v]),
            _ => cmd(&["SETRANGE", s, "2", "xy"]),
        },
        4 => cmd(&["MSET", s, &v, "n0", &n]),
        5 => {
            let k = key(b);
            match a % 7 {
                0 => cmd(&["EXPIRE", &k, "100"]),
                1 => cmd(&["PEXPIRE", &k, "2"]),
                2 => cmd(&["EXPIREAT", &k, "1"]),
                3 => cmd(&["PEXPIREAT", &k, "4102444800000"]),
                4 => cmd(&["EXPIRE", &k, "200", "GT"]),
                5 => cmd(&["PERSIST", &k]),
                _ => cmd(&["PEXPIRE", &k, "1", "NX"]),
            }
        }
        6 => match a % 2 {
            0 => cmd(&["DEL", &key(b)]),
            _ => cmd(&["UNLINK", &key(b), &key(b.wrapping_add(3))]),
        },
        7 => match a % 4 {
            0 => cmd(&["RENAME", &key(b), &key(b.wrapping_add(1))]),
            1 => cmd(&["COPY", &key(b), &key(b.wrapping_add(2)), "REPLACE"]),
            2 => cmd(&["MOVE", &key(b), "1"]),
            _ => cmd(&["SELECT", &(b % 2).to_string()]),
        },
        8 | 9 => {
            let push = pick(b, &["LPUSH", "RPUSH", "LPUSHX"]);
            cmd(&[push, l, &v, &m])
        }
        10 => match b % 5 {
            0 => cmd(&["LPOP", l]),
            1 => cmd(&["RPOP", l, &n]),
            2 => cmd(&["LMPOP", "2", l, l2, "LEFT", "COUNT", &n]),
            3 => cmd(&["LMOVE", l, l2, "LEFT", "RIGHT"]),
            _ => cmd(&["RPOPLPUSH", l, l2]),
        },
        11 => match b % 4 {
            0 => cmd(&["LSET", l, "0", &v]),
            1 => cmd(&["LTRIM", l, "1", "-1"]),
            2 => cmd(&["LREM", l, "0", &m]),
            _ => cmd(&["LINSERT", l, "BEFORE", &m, &v]),
        },
        12 | 13 => match b % 5 {
            0 => cmd(&["HSET", "h0", &m, &v]),
            1 => cmd(&["HDEL", "h0", &m]),
            2 => cmd(&["HINCRBY", "h0", "ctr", "2"]),
            3 => cmd(&["HINCRBYFLOAT", "h0", "f", "0.3"]),
            _ => cmd(&["HSETNX", "h0", &m, "x"]),
        },
        14 | 15 => cmd(&["SADD", t, &m, &format!("m{}", a % 6), &n]),
        16 => match b % 6 {
            0 => cmd(&["SREM", t, &m]),
            1 => cmd(&["SPOP", t]),
            2 => cmd(&["SPOP", t, &n]),
            3 => cmd(&["SPOP", t, "100"]),
            4 => cmd(&["SMOVE", t, t2, &m]),
            _ => cmd(&["SRANDMEMBER", t, "2"]),
        },
        17 => match b % 3 {
            0 => cmd(&["SINTERSTORE", t2, "t0", "t1"]),
            1 => cmd(&["SUNIONSTORE", t2, "t0", "t1"]),
            _ => cmd(&["SDIFFSTORE", t2, "t0", "t1"]),
        },
        18 | 19 => cmd(&["ZADD", z, &n, &m]),
        20 => match b % 7 {
            0 => cmd(&["ZINCRBY", z, "1.5", &m]),
            1 => cmd(&["ZREM", z, &m]),
            2 => cmd(&["ZPOPMIN", z]),
            3 => cmd(&["ZPOPMAX", z, &n]),
            4 => cmd(&["ZMPOP", "2", z, z2, "MIN", "COUNT", &n]),
            5 => cmd(&["ZRANGESTORE", z2, z, "0", "-1"]),
            _ => cmd(&["ZUNIONSTORE", z2, "2", "z0", "z1"]),
        },
        21 | 22 => match b % 4 {
            0 => cmd(&["XADD", "x0", "*", "f", &v]),
            1 => cmd(&["XADD", "x0", "MAXLEN", "~", "5", "*", "f", &v]),
            2 => cmd(&["XADD", "x0", "MINID", "~", "0-1", "*", "f", &v]),
            _ => cmd(&["XADD", "x0", "NOMKSTREAM", "MAXLEN", "6", "*", "f", &v]),
        },
        23 => match b % 3 {
            0 => cmd(&["XTRIM", "x0", "MAXLEN", "~", "3"]),
            1 => cmd(&["XTRIM", "x0", "MAXLEN", "4"]),
            _ => cmd(&["XDEL", "x0", "0-1"]),
        },
        24 => match b % 5 {
            0 => cmd(&["XGROUP", "CREATE", "x0", g, "$", "MKSTREAM"]),
            1 => cmd(&["XGROUP", "CREATE", "x0", g, "0"]),
            2 => cmd(&["XGROUP", "SETID", "x0", g, "0"]),
            3 => cmd(&["XGROUP", "CREATECONSUMER", "x0", g, c]),
            _ => cmd(&["XGROUP", "DELCONSUMER", "x0", g, c]),
        },
        25 | 26 => match a % 4 {
            0 => cmd(&[
                "XREADGROUP",
                "GROUP",
                g,
                c,
                "COUNT",
                &n,
                "STREAMS",
                "x0",
                ">",
            ]),
            1 => cmd(&[
                "XREADGROUP",
                "GROUP",
                g,
                c,
                "COUNT",
                &n,
                "NOACK",
                "STREAMS",
                "x0",
                ">",
            ]),
            2 => cmd(&["XREADGROUP", "GROUP", g, c, "STREAMS", "x0", "0"]),
            _ => cmd(&["XAUTOCLAIM", "x0", g, c, "0", "0-0", "COUNT", &n]),
        },
        27 => match b % 3 {
            0 => cmd(&["XCLAIM", "x0", g, c, "0", "0-1", "1-0", "FORCE"]),
            1 => cmd(&["XACK", "x0", g, "0-1"]),
            _ => cmd(&["XGROUP", "DESTROY", "x0", g]),
        },
        28 => match b % 3 {
            0 => cmd(&["PFADD", "p0", &m, &v]),
            1 => cmd(&["PFMERGE", "p0", "p0"]),
            _ => cmd(&["PFCOUNT", "p0"]),
        },
        29 => match b % 3 {
            0 => cmd(&["SETBIT", "b0", &(b % 64).to_string(), "1"]),
            1 => cmd(&["BITOP", "OR", "b0", "b0", "s0"]),
            _ => cmd(&["BITFIELD", "b0", "INCRBY", "u8", "0", "100"]),
        },
        30 => match b % 2 {
            0 => cmd(&["GEOADD", "g0", "13.36", "38.11", &m]),
            _ => cmd(&[
                "GEOSEARCHSTORE",
                "g1",
                "g0",
                "FROMLONLAT",
                "15",
                "37",
                "BYRADIUS",
                "200",
                "km",
                "ASC",
            ]),
        },
        31 => cmd(&["SORT", l, "ALPHA", "STORE", l2]),
        32 => match b % 16 {
            0 => cmd(&["FLUSHDB"]),
            1 => cmd(&["SWAPDB", "0", "1"]),
            2 => cmd(&["FLUSHALL"]),
            // Reads that walk the keyspace themselves and reclaim expired keys on the way.
            3..=5 => cmd(&["SCAN", "0", "COUNT", "100"]),
            6..=8 => cmd(&["RANDOMKEY"]),
            _ => cmd(&["GET", s]),
        },
        33 => cmd(&["GETSET", s, &v]),
        34 => cmd(&["ZADD", z, "INCR", "2", &m]),
        35 => cmd(&["HSET", "h0", &m, &v, "f", "1.5"]),
        36 => cmd(&["SETNX", s, &v]),
        37 => cmd(&["INCRBY", "n0", "-3"]),
        38 => cmd(&["LPUSH", l, &v]),
        _ => cmd(&["RPUSH", l2, &m]),
    }
}

/// A blocking command for the second client.
fn blocking(a: u8, b: u8) -> Vec<String> {
    let l = pick(a, &["l0", "l1"]);
    let l2 = pick(b, &["l0", "l1"]);
    let z = pick(a, &["z0", "z1"]);
    match b % 7 {
        0 => cmd(&["BLPOP", l, "0"]),
        1 => cmd(&["BRPOP", "l0", "l1", "0"]),
        2 => cmd(&["BLMOVE", l, l2, "RIGHT", "LEFT", "0"]),
        3 => cmd(&["BLMPOP", "0", "2", "l0", "l1", "RIGHT", "COUNT", "2"]),
        4 => cmd(&["BZPOPMIN", z, "0"]),
        5 => cmd(&["BZMPOP", "0", "1", z, "MAX", "COUNT", "2"]),
        _ => cmd(&[
            "XREADGROUP",
            "GROUP",
            "grp0",
            "c1",
            "BLOCK",
            "0",
            "STREAMS",
            "x0",
            ">",
        ]),
    }
}

fn step(kind: u8, op: u8, a: u8, b: u8) -> Step {
    match kind % 32 {
        0..=3 => Step::Block(blocking(a, b)),
        4 | 5 => Step::Multi(
            vec![command(op, a, b), command(a, b, op), command(b, op, a)],
            kind % 16 == 4,
        ),
        6 | 7 => Step::Sleep,
        8 => Step::ExpireCycle,
        9 => Step::Evict(pick(a, &["allkeys-random", "volatile-ttl", "allkeys-lru"])),
        _ => Step::Cmd(command(op, a, b)),
    }
}

fn strs(w: &[String]) -> Vec<&str> {
    w.iter().map(String::as_str).collect()
}

/// Runs the steps on the source node.
fn play(src: &mut Node, steps: &[Step]) {
    for s in steps {
        match s {
            Step::Cmd(w) => {
                run_words(src, 0, &strs(w));
            }
            Step::Block(w) => {
                if !src.waiting(1) {
                    run_words(src, 1, &strs(w));
                }
            }
            Step::Multi(cmds, discard) => {
                run_words(src, 0, &["MULTI"]);
                for w in cmds {
                    run_words(src, 0, &strs(w));
                }
                run_words(src, 0, &[if *discard { "DISCARD" } else { "EXEC" }]);
            }
            Step::Sleep => std::thread::sleep(Duration::from_millis(3)),
            Step::ExpireCycle => {
                ferrodis_server::state::cron::expire_cycle(
                    &src.srv,
                    ferrodis_server::state::cron::Effort::new(1, 10),
                );
            }
            Step::Evict(policy) => {
                run_words(src, 0, &["CONFIG", "SET", "maxmemory-policy", policy]);
                run_words(src, 0, &["CONFIG", "SET", "maxmemory", "1"]);
                run_words(src, 0, &["GET", "s0"]);
                run_words(src, 0, &["CONFIG", "SET", "maxmemory", "0"]);
            }
        }
        // A served blocked client takes its reply.
        src.waiting(1);
    }
}

/// Replays every record received so far into `dst`, checking that none fails.
fn replay(rx: &mut Subscriber, dst: &mut Node, db: &mut Option<usize>) -> usize {
    let mut n = 0;
    while let Ok(record) = rx.try_recv() {
        let mut cmds = Vec::new();
        record.render(db, &mut cmds);
        for args in cmds {
            let replies = dst.run(0, &args).expect("a replayed command never blocks");
            for r in &replies {
                assert!(!has_error(r), "replaying {args:?} failed: {r:?}");
            }
            n += 1;
        }
    }
    n
}

/// What the comparison looks at for each key: its type, absolute expiry time, and for a
/// stream its consumer groups (without the consumers' last-seen times, which follow the
/// clock of whoever runs the command).
fn state(node: &Node) -> Vec<String> {
    let ks = &node.srv.keyspace;
    // As a replay reads: keys past their TTL that no DEL removed show, rather than being
    // expired by the look itself.
    let fx = Effects::new(&ks.changes, true, None);
    let mut out = Vec::new();
    for db in 0..2 {
        for key in KEYS {
            let mut l = ks.key(db, key.as_bytes(), 0, &fx);
            let k = l.get();
            let Some(e) = k.entry() else { continue };
            let groups = match &e.value {
                Value::Stream(s) => {
                    let mut groups = s.groups.clone();
                    for g in groups.values_mut() {
                        for c in g.consumers.values_mut() {
                            c.seen_time = 0;
                        }
                    }
                    format!("{groups:?}")
                }
                _ => String::new(),
            };
            out.push(format!(
                "{db}/{key}: {} expire={:?} {groups}",
                e.value.type_name(),
                k.expire_at()
            ));
        }
    }
    out
}

fn digest(node: &mut Node) -> Frame {
    run_words(node, 0, &["DEBUG", "DIGEST"])
        .and_then(|r| r.into_iter().next())
        .expect("a digest")
}

fn check(steps: &[Step]) {
    let mut src = Node::new(2);
    let mut rx = src.srv.subscribe_changes();
    // The destination's first client replays (it leaves expiry to the stream's DELs, as a
    // replica does); its second is an ordinary client.
    let mut dst = Node::new(2);
    dst.clients[0].replaying = true;
    let mut db = None;
    play(&mut src, steps);
    replay(&mut rx, &mut dst, &mut db);
    // Let every short TTL run out and make the source delete what expired: its deletions
    // travel through the stream like everything else, so the destination, which expires
    // nothing itself, must hold exactly what the source holds.
    std::thread::sleep(Duration::from_millis(6));
    src.sweep(0);
    replay(&mut rx, &mut dst, &mut db);
    assert_eq!(state(&src), state(&dst), "steps: {steps:#?}");
    assert_eq!(digest(&mut src), digest(&mut dst), "steps: {steps:#?}");
    // An ordinary client's reads on the destination then find nothing more to expire.
    dst.sweep(1);
    assert_eq!(state(&src), state(&dst), "steps: {steps:#?}");
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    proptest::collection::vec(
        (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(k, o, a, b)| step(k, o, a, b)),
        1..60,
    )
}

fn cases() -> u32 {
    std::env::var("FERRODIS_CHANGES_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn replaying_the_change_stream_reproduces_the_dataset(steps in steps()) {
        check(&steps);
    }
}

/// `SET k v EX 10` is one change, as in Redis, and is recorded as `SET k v PXAT <ms>`.
#[test]
fn set_with_a_relative_expiry_is_one_absolute_change() {
    let mut node = Node::new(1);
    let mut rx = node.srv.subscribe_changes();
    run_words(&mut node, 0, &["SET", "k", "v", "EX", "10"]);
    let record = rx.try_recv().expect("a record");
    assert_eq!(record.changes, 1);
    let argv: Vec<&[u8]> = record.ops[0].argv.iter().map(|a| &a[..]).collect();
    assert_eq!(&argv[..4], &[&b"SET"[..], b"k", b"v", b"PXAT"]);
    let dirty = node
        .srv
        .keyspace
        .stats
        .dirty
        .load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(dirty, 1);
}
