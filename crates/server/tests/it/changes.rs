//! Change counting (INFO `rdb_changes_since_last_save`, Redis's `dirty`) command by command:
//! each expected count was measured on redis-server 7.0.15 with the same setup, command by
//! command (`FLUSHALL`, the setup, then the command, reading INFO before and after).

use crate::common::Session;
/// (setup commands, command — `|` separates several —, changes Redis counts for it).
const CASES: &[(&[&str], &str, u64)] = &[
    (&[], "SET k v", 1),
    (&[], "SET k v EX 10", 1),
    (&["SET k v"], "SET k v NX", 0),
    (&["SET k v"], "SET k w GET", 1),
    (&[], "SETEX k 10 v", 1),
    (&[], "MSET a 1 b 2 c 3", 3),
    (&[], "MSETNX a 1 b 2", 2),
    (&[], "APPEND k xyz", 1),
    (&["SET k v"], "GETDEL k", 1),
    (&["SET k v"], "GETEX k EX 100", 1),
    (&["SET k v"], "GETEX k", 0),
    (&["SET k v EX 100"], "GETEX k PERSIST", 1),
    (&[], "INCR n", 1),
    (&[], "INCRBYFLOAT n 1.5", 1),
    (&["SET k v"], "SETRANGE k 1 ab", 1),
    (&["SET k v"], "GETSET k w", 1),
    (&["SET a 1", "SET b 2"], "DEL a b c", 2),
    (&["SET a 1"], "UNLINK a b", 1),
    (&["SET a 1"], "EXPIRE a 100", 1),
    (&["SET a 1"], "EXPIRE a -1", 1),
    (&["SET a 1 EX 100"], "PERSIST a", 1),
    (&["SET a 1"], "RENAME a b", 1),
    (&["SET a 1"], "COPY a b", 1),
    (&["SET a 1"], "MOVE a 1", 1),
    (&[], "RPUSH l a b c", 3),
    (&["RPUSH l a b c"], "LPOP l 2", 2),
    (&["RPUSH l a b c"], "LPOP l", 1),
    (&["RPUSH l a b c"], "LREM l 0 a", 1),
    (&["RPUSH l a b c"], "LTRIM l 1 1", 2),
    (&["RPUSH l a b c"], "LSET l 0 x", 1),
    (&["RPUSH l a b c"], "LINSERT l BEFORE b x", 1),
    (&["RPUSH l a b c"], "LMOVE l m LEFT RIGHT", 1),
    (&["RPUSH l a b c"], "LMPOP 1 l LEFT COUNT 2", 2),
    (&["RPUSH l a b c"], "BLPOP l 0", 1),
    (&["RPUSH l a b c"], "RPOPLPUSH l m", 1),
    (&[], "HSET h a 1 b 2 c 3", 3),
    (&["HSET h a 1 b 2 c 3"], "HDEL h a b z", 2),
    (&[], "HINCRBY h a 5", 1),
    (&[], "HINCRBYFLOAT h a 1.5", 1),
    (&["HSET h a 1"], "HSETNX h b 2", 1),
    (&[], "HMSET h a 1 b 2", 2),
    (&[], "SADD s a b c", 3),
    (&["SADD s a b c"], "SREM s a b z", 2),
    (&["SADD s a b c"], "SPOP s", 1),
    (&["SADD s a b c d"], "SPOP s 2", 2),
    (&["SADD s a b c"], "SPOP s 10", 3),
    (&["SADD s a b c"], "SMOVE s t a", 2),
    (&["SADD s a b c", "SADD t b c d"], "SINTERSTORE u s t", 1),
    (&["SADD s a b c", "SADD t b c d"], "SUNIONSTORE u s t", 1),
    (&["SADD s a b c", "SADD t b c d"], "SDIFFSTORE u s t", 1),
    (&[], "ZADD z 1 a 2 b 3 c", 3),
    (&["ZADD z 1 a"], "ZADD z 5 a", 1),
    (&["ZADD z 1 a"], "ZINCRBY z 2 a", 1),
    (&["ZADD z 1 a 2 b 3 c"], "ZREM z a b x", 2),
    (&["ZADD z 1 a 2 b 3 c"], "ZPOPMIN z 2", 2),
    (&["ZADD z 1 a 2 b 3 c"], "ZMPOP 1 z MAX COUNT 2", 2),
    (&["ZADD z 1 a 2 b 3 c"], "ZREMRANGEBYRANK z 0 1", 2),
    (&["ZADD z 1 a 2 b 3 c"], "ZRANGESTORE y z 0 -1", 1),
    (&["ZADD z 1 a 2 b 3 c"], "ZUNIONSTORE y 1 z", 1),
    (&["ZADD z 1 a 2 b 3 c"], "BZPOPMIN z 0", 1),
    (&[], "XADD x 1-1 f v", 1),
    (
        &["XADD x 1-1 f v", "XADD x 2-1 f v", "XADD x 3-1 f v"],
        "XTRIM x MAXLEN 1",
        2,
    ),
    (
        &["XADD x 1-1 f v", "XADD x 2-1 f v"],
        "XDEL x 1-1 2-1 5-5",
        2,
    ),
    (&["XADD x 1-1 f v"], "XGROUP CREATE x g 0", 1),
    (
        &["XADD x 1-1 f v", "XGROUP CREATE x g 0"],
        "XGROUP CREATECONSUMER x g c",
        1,
    ),
    (
        &["XADD x 1-1 f v", "XADD x 2-1 f v", "XGROUP CREATE x g 0"],
        "XREADGROUP GROUP g c STREAMS x >",
        2,
    ),
    (
        &[
            "XADD x 1-1 f v",
            "XADD x 2-1 f v",
            "XGROUP CREATE x g 0",
            "XREADGROUP GROUP g c STREAMS x >",
        ],
        "XACK x g 1-1 2-1",
        2,
    ),
    (
        &[
            "XADD x 1-1 f v",
            "XADD x 2-1 f v",
            "XGROUP CREATE x g 0",
            "XREADGROUP GROUP g c STREAMS x >",
        ],
        "XCLAIM x g d 0 1-1 2-1",
        3,
    ),
    (
        &[
            "XADD x 1-1 f v",
            "XADD x 2-1 f v",
            "XGROUP CREATE x g 0",
            "XREADGROUP GROUP g c STREAMS x >",
        ],
        "XAUTOCLAIM x g d 0 0-0",
        3,
    ),
    (
        &["XADD x 1-1 f v", "XGROUP CREATE x g 0"],
        "XGROUP SETID x g 1-1",
        1,
    ),
    (
        &["XADD x 1-1 f v", "XGROUP CREATE x g 0"],
        "XGROUP DESTROY x g",
        1,
    ),
    (
        &[
            "XADD x 1-1 f v",
            "XADD x 2-1 f v",
            "XGROUP CREATE x g 0",
            "XREADGROUP GROUP g c STREAMS x >",
        ],
        "XGROUP DELCONSUMER x g c",
        1,
    ),
    (&["XADD x 1-1 f v"], "XSETID x 5-5", 1),
    (&[], "PFADD p a b c", 4),
    (&["PFADD p a b c", "PFADD q d"], "PFMERGE r p q", 1),
    (&["PFADD p a b c"], "PFCOUNT p", 1),
    (&[], "SETBIT b 7 1", 1),
    (&["SET a x", "SET b y"], "BITOP AND c a b", 1),
    (&[], "BITFIELD b SET u8 0 5 INCRBY u8 0 1", 2),
    (&[], "GEOADD g 13.36 38.11 a 15.08 37.50 b", 2),
    (
        &["GEOADD g 13.36 38.11 a 15.08 37.50 b"],
        "GEOSEARCHSTORE h g FROMLONLAT 15 37 BYRADIUS 200 km",
        2,
    ),
    (&["RPUSH l c b a"], "SORT l ALPHA STORE m", 3),
    (&["SET a 1", "SET b 2"], "FLUSHALL", 2),
    (&["SET a 1", "SET b 2"], "FLUSHDB", 2),
    (&[], "FLUSHALL", 0),
    (&["SET a 1"], "SWAPDB 0 1", 1),
    (&["SET a 1"], "MULTI|SET b 2|INCR a|EXEC", 2),
    (&["SET a 1"], "TOUCH a", 0),
    (&["SET k 10"], "DECRBY k 3", 1),
    (&["LPUSH l a"], "LPUSHX l b c", 2),
    (&["RPUSH l a b c"], "BLMPOP 0 1 l RIGHT COUNT 5", 3),
    (&["RPUSH l a b a c a"], "LREM l 0 a", 3),
    (&["RPUSH l a b"], "LINSERT l BEFORE z x", 0),
    (&["HSET h a 1 b 2"], "HDEL h a b", 2),
    (&["ZADD z 1 a"], "ZADD z XX 2 a 3 b", 1),
    (&["ZADD z 1 a"], "ZADD z NX 2 a 3 b", 1),
    (&["ZADD z 1 a"], "ZADD z INCR 2 a", 1),
    (&[], "ZINCRBY z 2 a", 1),
    (
        &["XADD x 1-1 f v", "XADD x 2-1 f v"],
        "XADD x MAXLEN 1 3-1 f v",
        1,
    ),
    (
        &["XADD x 1-1 f v", "XADD x 2-1 f v", "XGROUP CREATE x g 0"],
        "XREADGROUP GROUP g c NOACK STREAMS x >",
        2,
    ),
    (
        &[
            "XADD x 1-1 f v",
            "XADD x 2-1 f v",
            "XGROUP CREATE x g 0",
            "XREADGROUP GROUP g c STREAMS x >",
            "XDEL x 1-1",
        ],
        "XAUTOCLAIM x g d 0 0-0",
        3,
    ),
    (
        &[
            "XADD x 1-1 f v",
            "XADD x 2-1 f v",
            "XGROUP CREATE x g 0",
            "XREADGROUP GROUP g c STREAMS x >",
        ],
        "XREADGROUP GROUP g c STREAMS x 0",
        1,
    ),
    (&[], "EXPIRE nokey 10", 0),
    (&["SET a 1"], "PEXPIREAT a 1", 1),
    (&["SET a 1"], "SETNX a 2", 0),
    (&["SET a 1", "SET b 2"], "RENAMENX a b", 0),
    (&["SET a 1"], "GETEX a PX 100", 1),
    (&["HSET h a 1"], "HSET h a 2 b 3", 2),
    (&["SADD s a"], "SMOVE s s a", 0),
    (&["SADD s a"], "SPOP s", 1),
    (&[], "DECR n", 1),
    (&["SET n 1.5"], "INCRBYFLOAT n 2", 1),
    (&["SET a x"], "APPEND a yz", 1),
    (&["SET a 1"], "MSETNX a 1 b 2", 0),
    (&[], "DEL a b c", 0),
    (&["SET a 1", "SET b 2", "SET c 3"], "UNLINK a b c", 3),
    (&["SET a 1", "SET b 2"], "COPY a b REPLACE", 1),
    (&[], "SORT l STORE m", 0),
    (
        &["SADD s a", "SADD t b", "SADD u x"],
        "SINTERSTORE u s t",
        1,
    ),
    (&["ZADD z 1 a", "ZADD y 1 b"], "ZRANGESTORE y z 5 10", 1),
    (
        &["GEOADD g 13.36 38.11 a", "GEOADD h 1 1 x"],
        "GEOSEARCHSTORE h g FROMLONLAT 100 37 BYRADIUS 1 km",
        1,
    ),
    (&["SET a 1 EX 100"], "SET a 2 KEEPTTL", 1),
    (&["SET a xyz"], "SETRANGE a 1 \"\"", 1),
    (&["RPUSH l a b c"], "LPOP l 10", 3),
    (&["RPUSH l a"], "RPOP l", 1),
    (&["LPUSH l a"], "LPUSHX m b", 0),
    (&["RPUSH l a b c"], "BRPOP l 0", 1),
    (&["RPUSH l a b c"], "BLMOVE l m LEFT LEFT 0", 1),
    (&["ZADD z 1 a 2 b"], "ZPOPMAX z 5", 2),
    (&["ZADD z 1 a 2 b"], "BZMPOP 0 1 z MIN COUNT 5", 2),
    (&["ZADD z 1 a 2 b 3 c"], "ZREMRANGEBYSCORE z 0 10", 3),
    (&["ZADD z 1 a 2 b 3 c"], "ZREMRANGEBYLEX z - +", 3),
    (&["HSET h a 1"], "HINCRBY h b 3", 1),
    (&["SADD s 1 2 3"], "SREM s 1 2 3", 3),
    (&["SADD s a b"], "SADD s a b", 0),
    (&["SET a 1"], "SET a 1 XX GET", 1),
    (&["SET a 1"], "GETDEL b", 0),
    (
        &["XADD x 1-1 f v", "XGROUP CREATE x g 0"],
        "XGROUP CREATE x g2 $",
        1,
    ),
    (
        &[
            "XADD x 1-1 f v",
            "XADD x 2-1 f v",
            "XGROUP CREATE x g 0",
            "XREADGROUP GROUP g c STREAMS x >",
        ],
        "XCLAIM x g d 0 1-1 LASTID 9-9",
        2,
    ),
    (&["XADD x 1-1 f v"], "XADD x * f v", 1),
    (&["SETBIT b 7 1"], "SETBIT b 7 1", 0),
    (&["SET a 1"], "BITFIELD a GET u8 0", 0),
    (&["PFADD p a"], "PFADD p a", 0),
    (&["PFADD p a"], "PFMERGE p", 1),
    (&["SET a 1"], "MULTI|SET a 2|GET a|EXEC", 1),
    (&[], "DEBUG POPULATE 10", 0),
    (&["SET a 1"], "SWAPDB 0 0", 1),
    (&["SET a 1"], "EXPIRETIME a", 0),
    (&[], "HMSET h a 1", 1),
];

fn dirty(s: &mut Session) -> u64 {
    let info = s.run("INFO persistence");
    info.split("\r\n")
        .find_map(|l| l.strip_prefix("rdb_changes_since_last_save:"))
        .and_then(|v| v.trim_matches('"').parse().ok())
        .expect("rdb_changes_since_last_save in INFO")
}

#[test]
fn every_command_counts_changes_as_redis_does() {
    let mut s = Session::with("enable-debug-command yes");
    let mut wrong = Vec::new();
    for (setup, cmd, want) in CASES {
        s.run("FLUSHALL");
        s.run("SELECT 0");
        for line in *setup {
            s.run(line);
        }
        let before = dirty(&mut s);
        for part in cmd.split('|') {
            s.run(part);
        }
        let got = dirty(&mut s) - before;
        if got != *want {
            wrong.push(format!("{cmd}: {got} changes, Redis counts {want}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
