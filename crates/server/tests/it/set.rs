//! Data-driven tests of the set family, run in-process: each case is a command line and the
//! reply Redis 7.0 gives, rendered the way redis-cli shows it. Replies of hash-table sets come in
//! hash order, so multi-member replies are checked on intsets (ascending) or single members.

use crate::common::{check, Session};
#[test]
fn basics_and_encodings() {
    check(&[
        ("SADD s 17 16 17", "(integer) 2"),
        ("OBJECT ENCODING s", "\"intset\""),
        ("SCARD s", "(integer) 2"),
        ("SISMEMBER s 16", "(integer) 1"),
        ("SISMEMBER s 18", "(integer) 0"),
        ("SISMEMBER s +16", "(integer) 0"),
        ("SMISMEMBER s 18 16", "[(integer) 0, (integer) 1]"),
        ("SMISMEMBER nokey a b", "[(integer) 0, (integer) 0]"),
        ("SMEMBERS s", "[\"16\", \"17\"]"),
        ("SADD s -5 100000 -9223372036854775808", "(integer) 3"),
        (
            "SMEMBERS s",
            "[\"-9223372036854775808\", \"-5\", \"16\", \"17\", \"100000\"]",
        ),
        ("SADD s a", "(integer) 1"),
        ("OBJECT ENCODING s", "\"hashtable\""),
        ("SREM s a 16 17 -5 100000 zz", "(integer) 5"),
        ("OBJECT ENCODING s", "\"hashtable\""),
        ("SMEMBERS s", "[\"-9223372036854775808\"]"),
        ("SREM s -9223372036854775808 x", "(integer) 1"),
        ("EXISTS s", "(integer) 0"),
        ("SADD big 213244124402402314402033402", "(integer) 1"),
        ("OBJECT ENCODING big", "\"hashtable\""),
        ("SISMEMBER big 213244124402402314402033402", "(integer) 1"),
        ("SADD h foo", "(integer) 1"),
        ("OBJECT ENCODING h", "\"hashtable\""),
        ("SCARD nokey", "(integer) 0"),
        ("SMEMBERS nokey", "[]"),
        ("SREM nokey a", "(integer) 0"),
        ("SET str x", "OK"),
        (
            "SADD str a",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "SMISMEMBER str a",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "SMISMEMBER str",
            "(error) ERR wrong number of arguments for 'smismember' command",
        ),
        ("TYPE h", "set"),
    ]);
}

#[test]
fn intset_limit_follows_config() {
    let mut s = Session::new();
    for i in 0..512 {
        assert_eq!(s.run(&format!("SADD s {i}")), "(integer) 1");
    }
    assert_eq!(s.run("OBJECT ENCODING s"), "\"intset\"");
    assert_eq!(s.run("SADD s 512"), "(integer) 1");
    assert_eq!(s.run("OBJECT ENCODING s"), "\"hashtable\"");
    assert_eq!(s.run("CONFIG SET set-max-intset-entries 2"), "OK");
    assert_eq!(s.run("SADD t 1 2"), "(integer) 2");
    assert_eq!(s.run("OBJECT ENCODING t"), "\"intset\"");
    assert_eq!(s.run("SADD t 3"), "(integer) 1");
    assert_eq!(s.run("OBJECT ENCODING t"), "\"hashtable\"");
}

#[test]
fn algebra() {
    check(&[
        ("SADD a 1 2 3 4", "(integer) 4"),
        ("SADD b 3 4 5", "(integer) 3"),
        ("SADD c 4 x", "(integer) 2"),
        ("SINTER a b", "[\"3\", \"4\"]"),
        ("SINTER a b c", "[\"4\"]"),
        ("SINTER a nokey", "[]"),
        ("SINTERCARD 2 a b", "(integer) 2"),
        ("SINTERCARD 2 a b LIMIT 1", "(integer) 1"),
        ("SINTERCARD 2 a b limit 0", "(integer) 2"),
        ("SINTERCARD 1 nokey", "(integer) 0"),
        ("SINTERSTORE d a b", "(integer) 2"),
        ("OBJECT ENCODING d", "\"intset\""),
        ("SMEMBERS d", "[\"3\", \"4\"]"),
        ("SINTERSTORE d a nokey", "(integer) 0"),
        ("EXISTS d", "(integer) 0"),
        ("SUNION a b", "[\"1\", \"2\", \"3\", \"4\", \"5\"]"),
        ("SUNION nokey1 b nokey2", "[\"3\", \"4\", \"5\"]"),
        ("SUNIONSTORE u a b", "(integer) 5"),
        ("OBJECT ENCODING u", "\"intset\""),
        ("SUNIONSTORE u a c", "(integer) 5"),
        ("OBJECT ENCODING u", "\"hashtable\""),
        ("SDIFF a b", "[\"1\", \"2\"]"),
        ("SDIFF a b c", "[\"1\", \"2\"]"),
        ("SDIFF a a", "[]"),
        ("SDIFF nokey a", "[]"),
        ("SDIFF a nokey", "[\"1\", \"2\", \"3\", \"4\"]"),
        ("SDIFFSTORE r c a", "(integer) 1"),
        ("SMEMBERS r", "[\"x\"]"),
        ("SDIFFSTORE r a a", "(integer) 0"),
        ("EXISTS r", "(integer) 0"),
        ("SET str x", "OK"),
        (
            "SINTER a str",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "SINTER nokey str",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "SUNION str nokey",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "SDIFF nokey str",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        ("SADD keep e", "(integer) 1"),
        (
            "SINTERSTORE keep nokey str",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        ("SMEMBERS keep", "[\"e\"]"),
        ("SUNIONSTORE str a", "(integer) 4"),
        ("TYPE str", "set"),
    ]);
}

#[test]
fn intersection_of_mixed_encodings() {
    check(&[
        ("SADD s1 1 2 3", "(integer) 3"),
        ("SADD s2 1 2 3 a", "(integer) 4"),
        ("SREM s2 a", "(integer) 1"),
        ("OBJECT ENCODING s2", "\"hashtable\""),
        ("SINTERCARD 2 s1 s2", "(integer) 3"),
        ("SINTERSTORE s3 s2 s1", "(integer) 3"),
        ("OBJECT ENCODING s3", "\"intset\""),
        ("SDIFFSTORE s4 s2 nokey", "(integer) 3"),
        ("OBJECT ENCODING s4", "\"intset\""),
    ]);
}

#[test]
fn sintercard_errors() {
    check(&[
        (
            "SINTERCARD 1",
            "(error) ERR wrong number of arguments for 'sintercard' command",
        ),
        (
            "SINTERCARD 0 s",
            "(error) ERR numkeys should be greater than 0",
        ),
        (
            "SINTERCARD a s",
            "(error) ERR numkeys should be greater than 0",
        ),
        (
            "SINTERCARD 2 s",
            "(error) ERR Number of keys can't be greater than number of args",
        ),
        ("SINTERCARD 1 s s2", "(error) ERR syntax error"),
        ("SINTERCARD 1 s LIMIT", "(error) ERR syntax error"),
        (
            "SINTERCARD 1 s LIMIT -1",
            "(error) ERR LIMIT can't be negative",
        ),
        (
            "SINTERCARD 1 s LIMIT a",
            "(error) ERR LIMIT can't be negative",
        ),
    ]);
}

#[test]
fn smove() {
    check(&[
        ("SADD src 1 a b", "(integer) 3"),
        ("SADD dst 2 3 4", "(integer) 3"),
        ("SMOVE src dst 1", "(integer) 1"),
        ("OBJECT ENCODING dst", "\"intset\""),
        ("SMEMBERS dst", "[\"1\", \"2\", \"3\", \"4\"]"),
        ("SMOVE src dst a", "(integer) 1"),
        ("OBJECT ENCODING dst", "\"hashtable\""),
        ("SMOVE src dst nope", "(integer) 0"),
        ("SMOVE src src b", "(integer) 1"),
        ("SMOVE src src nope", "(integer) 0"),
        ("SMOVE nokey dst a", "(integer) 0"),
        ("SMOVE dst fresh 2", "(integer) 1"),
        ("OBJECT ENCODING fresh", "\"intset\""),
        ("SMOVE src gone b", "(integer) 1"),
        ("EXISTS src", "(integer) 0"),
        ("SET str x", "OK"),
        (
            "SMOVE str dst a",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "SMOVE dst str 3",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        ("SMOVE nokey str a", "(integer) 0"),
        (
            "SMOVE dst str nope",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
    ]);
}

#[test]
fn spop_and_srandmember() {
    check(&[
        ("SADD s 1", "(integer) 1"),
        ("SPOP s", "\"1\""),
        ("EXISTS s", "(integer) 0"),
        ("SPOP s", "(nil)"),
        ("SPOP s 5", "[]"),
        ("SADD s 1 2 3", "(integer) 3"),
        ("SPOP s 0", "[]"),
        ("SPOP s -1", "(error) ERR value is out of range, must be positive"),
        ("SPOP s x", "(error) ERR value is out of range, must be positive"),
        ("SPOP s 1 2", "(error) ERR syntax error"),
        ("SPOP s 10", "[\"1\", \"2\", \"3\"]"),
        ("EXISTS s", "(integer) 0"),
        ("SADD s a", "(integer) 1"),
        ("SRANDMEMBER s", "\"a\""),
        ("SRANDMEMBER s -3", "[\"a\", \"a\", \"a\"]"),
        ("SRANDMEMBER s 3", "[\"a\"]"),
        ("SRANDMEMBER s 0", "[]"),
        ("SRANDMEMBER nokey", "(nil)"),
        ("SRANDMEMBER nokey 5", "[]"),
        ("SRANDMEMBER s 1 2", "(error) ERR syntax error"),
        ("SRANDMEMBER s x", "(error) ERR value is not an integer or out of range"),
        ("SRANDMEMBER s -9223372036854775808", "(error) ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"),
        ("SRANDMEMBER s 9223372036854775807", "[\"a\"]"),
        ("SRANDMEMBER s -9223372036854775807", "(error) ERR value is out of range, value must between -16777216 and 9223372036854775807"),
        ("SET str x", "OK"),
        ("SPOP str 0", "(error) WRONGTYPE Operation against a key holding the wrong kind of value"),
        ("SRANDMEMBER str 0", "(error) WRONGTYPE Operation against a key holding the wrong kind of value"),
    ]);
}

#[test]
fn spop_with_count_drains_exactly() {
    let mut s = Session::new();
    s.run("SADD s a b c d e f g h i j k l m n o p q r s t u v w x y z");
    let mut seen = Vec::new();
    for n in [11, 9, 0, 4, 1, 0, 1, 0] {
        let reply = s.run(&format!("SPOP s {n}"));
        let items: Vec<String> = reply
            .trim_matches(|c| c == '[' || c == ']')
            .split(", ")
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect();
        assert_eq!(items.len(), n);
        seen.extend(items);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 26);
    assert_eq!(s.run("EXISTS s"), "(integer) 0");
}

#[test]
fn sscan() {
    check(&[
        ("SADD s 3 1 2", "(integer) 3"),
        ("SSCAN s 0", "[\"0\", [\"1\", \"2\", \"3\"]]"),
        ("SSCAN s 999 COUNT 1", "[\"0\", [\"1\", \"2\", \"3\"]]"),
        ("SSCAN s 0 MATCH 2*", "[\"0\", [\"2\"]]"),
        ("SSCAN s 0 MATCH *", "[\"0\", [\"1\", \"2\", \"3\"]]"),
        ("SSCAN s x", "(error) ERR invalid cursor"),
        ("SSCAN s 18446744073709551616", "(error) ERR invalid cursor"),
        ("SSCAN s 0 COUNT 0", "(error) ERR syntax error"),
        (
            "SSCAN s 0 COUNT x",
            "(error) ERR value is not an integer or out of range",
        ),
        ("SSCAN s 0 TYPE string", "(error) ERR syntax error"),
        ("SSCAN s 0 MATCH", "(error) ERR syntax error"),
        ("SSCAN nokey 0 bogus", "[\"0\", []]"),
        ("SADD h hello", "(integer) 1"),
        ("SSCAN h 0", "[\"0\", [\"hello\"]]"),
        ("SSCAN h 18446744073709551615", "[\"0\", []]"),
        ("SET str x", "OK"),
        (
            "SSCAN str 0 bogus",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        ("SSCAN str abc", "(error) ERR invalid cursor"),
    ]);
}

#[test]
fn sscan_returns_every_member_of_a_large_set() {
    let mut s = Session::new();
    for i in 0..1000 {
        s.run(&format!("SADD s m{i}"));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = "0".to_string();
    let mut calls = 0;
    loop {
        let reply = s.run(&format!("SSCAN s {cursor} COUNT 7"));
        // Rendered as ["cursor", ["m1", ...]].
        let inner = reply.trim_start_matches('[').trim_end_matches(']');
        let (c, rest) = inner.split_once(", ").unwrap();
        cursor = c.trim_matches('"').to_string();
        for m in rest.trim_start_matches('[').split(", ") {
            if !m.is_empty() {
                seen.insert(m.trim_matches('"').to_string());
            }
        }
        calls += 1;
        // Churn between calls, so the table resizes under the scan.
        s.run(&format!("SADD s extra{calls}"));
        if calls % 3 == 0 {
            s.run(&format!("SREM s extra{}", calls - 1));
        }
        if cursor == "0" {
            break;
        }
    }
    assert!(calls > 100);
    for i in 0..1000 {
        assert!(seen.contains(&format!("m{i}")), "m{i} missing");
    }
}

#[test]
fn sintercard_key_positions() {
    check(&[
        ("COMMAND GETKEYS sintercard 2 a b LIMIT 1", "[\"a\", \"b\"]"),
        (
            "COMMAND GETKEYS sintercard 3 a b",
            "(error) ERR Invalid arguments specified for command",
        ),
        (
            "COMMAND GETKEYS sintercard x a",
            "(error) ERR Invalid arguments specified for command",
        ),
    ]);
}
