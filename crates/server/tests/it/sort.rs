//! Data-driven tests of SORT and SORT_RO, run in-process; the expected replies were taken from
//! Redis 7.0.15.

use crate::common::check;
#[test]
fn numeric_alpha_limit_and_order() {
    check(&[
        ("RPUSH l 3 1 2 10", "(integer) 4"),
        ("SORT l", "[\"1\", \"2\", \"3\", \"10\"]"),
        ("SORT l DESC", "[\"10\", \"3\", \"2\", \"1\"]"),
        ("SORT l ALPHA", "[\"1\", \"10\", \"2\", \"3\"]"),
        ("SORT l LIMIT 1 2", "[\"2\", \"3\"]"),
        ("SORT l LIMIT 1 -1", "[\"2\", \"3\", \"10\"]"),
        ("SORT l LIMIT 1 0", "[]"),
        ("SORT l LIMIT 9 1", "[]"),
        ("SORT l LIMIT -5 1", "[\"1\"]"),
        ("SORT l LIMIT 2 9223372036854775807", "[\"3\", \"10\"]"),
        ("SORT_RO l DESC LIMIT 0 1", "[\"10\"]"),
        ("RPUSH fl 1.5 7 -inf 0.25", "(integer) 4"),
        ("SORT fl", "[\"-inf\", \"0.25\", \"1.5\", \"7\"]"),
        ("SADD bad 1 2 x", "(integer) 3"),
        (
            "SORT bad",
            "(error) ERR One or more scores can't be converted into double",
        ),
        ("SORT bad ALPHA", "[\"1\", \"2\", \"x\"]"),
        ("SADD s 10 9 8", "(integer) 3"),
        ("SORT s", "[\"8\", \"9\", \"10\"]"),
        ("SORT nokey", "[]"),
    ]);
}

#[test]
fn nosort_keeps_native_order() {
    check(&[
        ("LPUSH testa 2 1 4 3 5", "(integer) 5"),
        (
            "SORT testa BY nosort",
            "[\"5\", \"3\", \"4\", \"1\", \"2\"]",
        ),
        (
            "SORT testa BY nosort DESC",
            "[\"2\", \"1\", \"4\", \"3\", \"5\"]",
        ),
        ("SORT testa BY nosort LIMIT 1 2 DESC", "[\"1\", \"4\"]"),
        ("SORT testa BY nosort LIMIT 0 3 STORE testb", "(integer) 3"),
        ("LRANGE testb 0 -1", "[\"5\", \"3\", \"4\"]"),
        ("ZADD z 1 a 5 b 2 c 10 d 3 e", "(integer) 5"),
        (
            "SORT z BY nosort ASC",
            "[\"a\", \"c\", \"e\", \"b\", \"d\"]",
        ),
        (
            "SORT z BY nosort DESC",
            "[\"d\", \"b\", \"e\", \"c\", \"a\"]",
        ),
        ("SORT z BY nosort DESC LIMIT 0 2", "[\"d\", \"b\"]"),
        ("SORT z BY nosort LIMIT 5 10", "[]"),
        (
            "SORT z BY nosort LIMIT -10 100",
            "[\"a\", \"c\", \"e\", \"b\", \"d\"]",
        ),
        ("SORT z ALPHA DESC", "[\"e\", \"d\", \"c\", \"b\", \"a\"]"),
        // A set stored with BY <constant> is sorted as strings.
        ("SADD myset b aa a", "(integer) 3"),
        ("SORT myset BY _ STORE out", "(integer) 3"),
        ("LRANGE out 0 -1", "[\"a\", \"aa\", \"b\"]"),
    ]);
}

#[test]
fn by_and_get_patterns() {
    check(&[
        ("RPUSH l 3 1 2 10", "(integer) 4"),
        ("MSET w_3 1 w_1 3 w_2 2", "OK"),
        ("HSET h_3 f c", "(integer) 1"),
        ("HSET h_1 f a", "(integer) 1"),
        ("SORT l BY w_*", "[\"10\", \"3\", \"2\", \"1\"]"),
        ("SORT l BY w_* LIMIT 1 2", "[\"3\", \"2\"]"),
        (
            "SORT l BY w_* GET # GET h_*->f GET w_*",
            "[\"10\", (nil), (nil), \"3\", \"c\", \"1\", \"2\", (nil), \"2\", \"1\", \"a\", \"3\"]",
        ),
        ("SORT l BY h_*->f ALPHA", "[\"2\", \"10\", \"1\", \"3\"]"),
        (
            "SORT l BY h_*->f ALPHA DESC",
            "[\"3\", \"1\", \"2\", \"10\"]",
        ),
        (
            "SORT l BY nosort GET # GET x*",
            "[\"3\", (nil), \"1\", (nil), \"2\", (nil), \"10\", (nil)]",
        ),
        ("SORT l GET nostar LIMIT 0 2", "[(nil), (nil)]"),
        ("SORT l BY w_* STORE dst", "(integer) 4"),
        ("LRANGE dst 0 -1", "[\"10\", \"3\", \"2\", \"1\"]"),
        ("SORT l GET nostar GET h_*->f STORE dst2", "(integer) 8"),
        (
            "LRANGE dst2 0 -1",
            "[\"\", \"a\", \"\", \"\", \"\", \"c\", \"\", \"\"]",
        ),
        ("MSET score:1 10 score:2 20 score:3 x", "OK"),
        (
            "SORT l BY score:*",
            "(error) ERR One or more scores can't be converted into double",
        ),
        ("RPUSH ml a", "(integer) 1"),
        ("SET x:a-> 100", "OK"),
        ("SORT ml BY num GET x:*->", "[\"100\"]"),
        ("SORT_RO ml BY nosort GET x:*->", "[\"100\"]"),
    ]);
}

#[test]
fn store_and_errors() {
    check(&[
        ("SORT foo STORE bar", "(integer) 0"),
        ("RPUSH foo bar", "(integer) 1"),
        ("SORT foo ALPHA LIMIT 10 10 STORE zap", "(integer) 0"),
        ("EXISTS zap", "(integer) 0"),
        ("SORT emptylist STORE foo", "(integer) 0"),
        ("EXISTS foo", "(integer) 0"),
        ("RPUSH l 2 1", "(integer) 2"),
        ("SET dst x", "OK"),
        ("EXPIRE dst 100", "(integer) 1"),
        ("SORT l STORE dst", "(integer) 2"),
        ("TTL dst", "(integer) -1"),
        ("LRANGE dst 0 -1", "[\"1\", \"2\"]"),
        ("OBJECT ENCODING dst", "\"quicklist\""),
        (
            "SORT l LIMIT 0 x",
            "(error) ERR value is not an integer or out of range",
        ),
        ("SORT l LIMIT 0", "(error) ERR syntax error"),
        ("SORT l BOGUS", "(error) ERR syntax error"),
        ("SORT_RO l STORE x", "(error) ERR syntax error"),
        ("SET str x", "OK"),
        (
            "SORT str",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        ("SORT str BOGUS", "(error) ERR syntax error"),
        ("HSET h a b", "(integer) 1"),
        (
            "SORT h",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
    ]);
}

#[test]
fn store_key_positions() {
    use bytes::Bytes;
    let argv =
        |s: &str| -> Vec<Bytes> { s.split(' ').map(|a| Bytes::from(a.to_string())).collect() };
    assert_eq!(
        ferrodis_server::cmd::sort::sort_key_positions(&argv("sort abc store def")),
        vec![1, 3]
    );
}
