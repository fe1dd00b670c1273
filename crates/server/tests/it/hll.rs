//! Data-driven tests of the HyperLogLog family, run in-process, plus byte-level checks against
//! sketches a live redis-server 7.0.15 produced (the fixtures in `storage/src/hll/fixtures`).

use crate::common::{check, render, Session};
use bytes::Bytes;
use resp::Frame;

const NOT_HLL: &str = "(error) WRONGTYPE Key is not a valid HyperLogLog string value.";
const WRONGTYPE: &str = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
const CORRUPT: &str = "(error) INVALIDOBJ Corrupted HLL object detected";

#[test]
fn basics() {
    check(&[
        ("PFADD hll", "(integer) 1"),
        ("EXISTS hll", "(integer) 1"),
        ("TYPE hll", "string"),
        ("OBJECT ENCODING hll", "\"raw\""),
        ("STRLEN hll", "(integer) 18"),
        ("PFCOUNT hll", "(integer) 0"),
        ("PFADD hll", "(integer) 0"),
        ("PFADD hll a b c", "(integer) 1"),
        ("PFADD hll a b c", "(integer) 0"),
        ("PFCOUNT hll", "(integer) 3"),
        ("PFDEBUG ENCODING hll", "sparse"),
        (
            "PFDEBUG DECODE hll",
            "\"Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603\"",
        ),
        ("PFDEBUG TODENSE hll", "(integer) 1"),
        ("PFDEBUG todense hll", "(integer) 0"),
        ("PFDEBUG encoding hll", "dense"),
        ("STRLEN hll", "(integer) 12304"),
        (
            "PFDEBUG DECODE hll",
            "(error) ERR HLL encoding is not sparse",
        ),
        ("PFCOUNT hll", "(integer) 3"),
        ("PFADD hll 1 2 3 4 5 6 7", "(integer) 1"),
        ("PFCOUNT hll", "(integer) 10"),
        ("PFCOUNT nokey", "(integer) 0"),
        ("PFCOUNT nokey nokey2", "(integer) 0"),
        (
            "PFDEBUG ENCODING nokey",
            "(error) ERR The specified key does not exist",
        ),
        (
            "PFDEBUG xyz hll",
            "(error) ERR Unknown PFDEBUG subcommand 'xyz'",
        ),
        (
            "PFDEBUG GETREG",
            "(error) ERR wrong number of arguments for 'pfdebug' command",
        ),
        (
            "PFADD",
            "(error) ERR wrong number of arguments for 'pfadd' command",
        ),
    ]);
}

#[test]
fn merge_and_union_count() {
    check(&[
        ("PFADD h1 a b c", "(integer) 1"),
        ("PFADD h2 b c d", "(integer) 1"),
        ("PFADD h3 c d e", "(integer) 1"),
        ("PFMERGE h h1 h2 h3", "OK"),
        ("PFCOUNT h", "(integer) 5"),
        ("PFCOUNT h1 h2 h3", "(integer) 5"),
        ("PFCOUNT h1 h2 nokey", "(integer) 4"),
        ("PFDEBUG ENCODING h", "sparse"),
        ("PFDEBUG TODENSE h3", "(integer) 1"),
        ("PFMERGE m h1 h3", "OK"),
        ("PFDEBUG ENCODING m", "dense"),
        ("PFCOUNT m", "(integer) 5"),
        ("PFMERGE empty", "OK"),
        ("PFCOUNT empty", "(integer) 0"),
        // The destination is merged with the sources.
        ("PFMERGE h1 h2", "OK"),
        ("PFCOUNT h1", "(integer) 4"),
    ]);
}

#[test]
fn type_errors() {
    check(&[
        ("SET foo bar", "OK"),
        ("PFADD foo 1", NOT_HLL),
        ("PFCOUNT foo", NOT_HLL),
        ("PFMERGE bar foo", NOT_HLL),
        ("PFMERGE foo bar", NOT_HLL),
        ("EXISTS bar", "(integer) 0"),
        ("PFCOUNT foo nokey", NOT_HLL),
        ("PFDEBUG GETREG foo", NOT_HLL),
        ("SET n 12345", "OK"),
        ("PFCOUNT n", NOT_HLL),
        ("LPUSH l a", "(integer) 1"),
        ("PFADD l a", WRONGTYPE),
        ("PFCOUNT l", WRONGTYPE),
        ("PFCOUNT l l", WRONGTYPE),
        ("PFMERGE x l", WRONGTYPE),
        ("PFADD hll a b c", "(integer) 1"),
        ("SETRANGE hll 0 0123", "(integer) 27"),
        ("PFCOUNT hll", NOT_HLL),
        ("DEL hll", "(integer) 1"),
        ("PFADD hll a b c", "(integer) 1"),
        ("SETRANGE hll 4 x", "(integer) 27"),
        ("PFCOUNT hll", NOT_HLL),
    ]);
}

#[test]
fn corruption_is_detected() {
    check(&[
        ("PFADD hll a b c", "(integer) 1"),
        ("APPEND hll hello", "(integer) 32"),
        ("PFCOUNT hll", CORRUPT),
        ("PFCOUNT hll hll", CORRUPT),
        ("PFMERGE x hll", CORRUPT),
        ("EXISTS x", "(integer) 0"),
        ("PFDEBUG GETREG hll", CORRUPT),
        ("PFDEBUG TODENSE hll", CORRUPT),
        ("PFDEBUG ENCODING hll", "sparse"),
    ]);
}

#[test]
fn cache_and_ttl() {
    check(&[
        ("PFADD hll a b c", "(integer) 1"),
        ("GETRANGE hll 15 15", "\"\u{fffd}\""),
        ("PFCOUNT hll", "(integer) 3"),
        ("GETRANGE hll 8 8", "\"\u{3}\""),
        ("GETRANGE hll 15 15", "\"\u{0}\""),
        ("PFADD hll a b c", "(integer) 0"),
        ("GETRANGE hll 15 15", "\"\u{0}\""),
        ("EXPIRE hll 100", "(integer) 1"),
        ("PFADD hll 1 2 3", "(integer) 1"),
        ("TTL hll", "(integer) 100"),
        ("PFCOUNT hll", "(integer) 6"),
        ("PFMERGE hll nokey", "OK"),
        ("TTL hll", "(integer) 100"),
        ("PFDEBUG TODENSE hll", "(integer) 1"),
        ("TTL hll", "(integer) 100"),
    ]);
}

#[test]
fn getreg_lists_every_register() {
    let mut s = Session::new();
    s.run("PFADD hll 1 2 3");
    let regs = s.run("PFDEBUG GETREG hll");
    assert_eq!(regs.matches("(integer)").count(), 16384);
    assert_eq!(s.run("PFDEBUG ENCODING hll"), "dense");
}

#[test]
fn promotion_follows_config() {
    let mut s = Session::new();
    assert_eq!(s.run("CONFIG SET hll-sparse-max-bytes 100"), "OK");
    for i in 0..40 {
        s.run(&format!("PFADD hll e{i}"));
    }
    assert_eq!(s.run("PFDEBUG ENCODING hll"), "dense");
    assert_eq!(s.run("PFCOUNT hll"), "(integer) 40");
}

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../../storage/src/hll/fixtures/", $name, ".bin")).as_slice()
    };
}

#[test]
fn sketches_from_redis_count_the_same() {
    let cases: &[(&[u8], &[u8], i64)] = &[
        (fixture!("abc"), fixture!("abc_cached"), 3),
        (fixture!("s200"), fixture!("s200_cached"), 201),
        (fixture!("s1000"), fixture!("s1000_cached"), 1000),
        (fixture!("d5000"), fixture!("d5000_cached"), 4968),
        (fixture!("d100k"), fixture!("d100k_cached"), 100_903),
        (fixture!("bin"), fixture!("bin_cached"), 42),
        (fixture!("msparse"), fixture!("msparse_cached"), 204),
        (fixture!("mdense"), fixture!("mdense_cached"), 5164),
    ];
    let mut r = Session::new();
    for (raw, cached, card) in cases {
        assert_eq!(r.call(&[b"SET", b"k", raw]), Frame::Simple("OK".into()));
        assert_eq!(r.call(&[b"PFCOUNT", b"k"]), Frame::Integer(*card));
        assert_eq!(
            r.call(&[b"GET", b"k"]),
            Frame::Bulk(Bytes::copy_from_slice(cached))
        );
        // A cached count is served as is.
        assert_eq!(r.call(&[b"PFCOUNT", b"k"]), Frame::Integer(*card));
    }
    r.call(&[b"SET", b"a", fixture!("abc")]);
    r.call(&[b"SET", b"b", fixture!("s200")]);
    r.call(&[b"SET", b"c", fixture!("d5000")]);
    r.call(&[b"SET", b"d", fixture!("s1000")]);
    assert_eq!(
        r.call(&[b"PFCOUNT", b"a", b"b", b"c", b"d"]),
        Frame::Integer(6180)
    );
    let ok = || Frame::Simple("OK".into());
    let bulk = |b: &'static [u8]| Frame::Bulk(Bytes::from_static(b));
    let steps: [(&[&[u8]], Frame); 5] = [
        // A union count is not cached in any of the keys.
        (&[b"GET", b"a"], bulk(fixture!("abc"))),
        (&[b"PFMERGE", b"m", b"a", b"b"], ok()),
        (&[b"GET", b"m"], bulk(fixture!("msparse"))),
        (&[b"PFMERGE", b"md", b"b", b"c"], ok()),
        (&[b"GET", b"md"], bulk(fixture!("mdense"))),
    ];
    for (cmd, want) in steps {
        assert_eq!(r.call(cmd), want, "{cmd:?}");
    }
}

#[test]
fn pfadd_builds_redis_bytes() {
    let mut r = Session::new();
    // 200 elements stay sparse, 5000 turn the key dense: both as Redis writes them.
    let cases: [(&[u8], usize, &str, &'static [u8]); 2] = [
        (b"k", 200, "el:", fixture!("s200")),
        (b"d", 5000, "e", fixture!("d5000")),
    ];
    for (key, n, prefix, want) in cases {
        let els: Vec<String> = (0..n).map(|i| format!("{prefix}{i}")).collect();
        let mut args: Vec<&[u8]> = vec![b"PFADD", key];
        args.extend(els.iter().map(|e| e.as_bytes()));
        assert_eq!(r.call(&args), Frame::Integer(1));
        assert_eq!(
            r.call(&[b"GET", key]),
            Frame::Bulk(Bytes::from_static(want))
        );
    }
}

#[test]
fn huge_corrupt_sparse_is_rejected() {
    let mut v = b"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec();
    for _ in 0..(131_072 + 1000) {
        v.extend_from_slice(&[0x7f, 0xff]);
    }
    v.push(0xff);
    let mut r = Session::new();
    r.call(&[b"SET", b"hll", &v]);
    let want = Frame::Error("INVALIDOBJ Corrupted HLL object detected".into());
    assert_eq!(r.call(&[b"PFCOUNT", b"hll", b"hll"]), want);
    assert_eq!(r.call(&[b"PFDEBUG", b"GETREG", b"hll"]), want);
    assert_eq!(render(&r.call(&[b"PING"])), "PONG");
}
