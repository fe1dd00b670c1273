//! Data-driven tests of the sorted set commands: each case is a command line and the reply it
//! must produce, rendered the way redis-cli shows it. Expected replies were checked against
//! Redis 7.0.15.

use crate::common::{check, check_owned, owned};
#[test]
fn zadd_options_and_errors() {
    check(&[
        ("ZADD z 1 a 2 b 3 c", "(integer) 3"),
        (
            "ZADD z NX XX 1 a",
            "(error) ERR XX and NX options at the same time are not compatible",
        ),
        (
            "ZADD z GT LT 1 a",
            "(error) ERR GT, LT, and/or NX options at the same time are not compatible",
        ),
        (
            "ZADD z NX GT 1 a",
            "(error) ERR GT, LT, and/or NX options at the same time are not compatible",
        ),
        (
            "ZADD z INCR 1 a 2 b",
            "(error) ERR INCR option supports a single increment-element pair",
        ),
        (
            "ZADD z 1",
            "(error) ERR wrong number of arguments for 'zadd' command",
        ),
        ("ZADD z NX 1", "(error) ERR syntax error"),
        ("ZADD z 1 a 2", "(error) ERR syntax error"),
        ("ZADD z nan a", "(error) ERR value is not a valid float"),
        ("ZADD z 1 a x b", "(error) ERR value is not a valid float"),
        ("ZSCORE z a", "\"1\""),
        ("ZADD z INCR 5 a", "\"6\""),
        ("ZADD z INCR GT 1 a", "\"7\""),
        ("ZADD z INCR LT 1 a", "(nil)"),
        ("ZADD z CH 10 a 20 b 30 d", "(integer) 3"),
        ("ZADD z 10 a 20 b", "(integer) 0"),
        ("ZADD z XX 100 zz", "(integer) 0"),
        ("ZADD z XX INCR 100 zz", "(nil)"),
        ("ZADD nokey XX 1 a", "(integer) 0"),
        ("EXISTS nokey", "(integer) 0"),
        ("ZADD z GT 5 a", "(integer) 0"),
        ("ZSCORE z a", "\"10\""),
        ("ZADD z GT CH 50 a", "(integer) 1"),
        ("ZADD z LT CH 60 a", "(integer) 0"),
        ("ZINCRBY z 1.5 a", "\"51.5\""),
        ("ZINCRBY z abc a", "(error) ERR value is not a valid float"),
        ("ZINCRBY newz 2 m", "\"2\""),
        ("ZADD z inf i", "(integer) 1"),
        (
            "ZINCRBY z -inf i",
            "(error) ERR resulting score is not a number (NaN)",
        ),
        ("ZSCORE z i", "\"inf\""),
        ("ZADD z -inf ni", "(integer) 1"),
        ("ZSCORE z ni", "\"-inf\""),
        ("ZMSCORE z a nosuch ni", "[\"51.5\", (nil), \"-inf\"]"),
        ("ZMSCORE nokey a b", "[(nil), (nil)]"),
        (
            "ZMSCORE z",
            "(error) ERR wrong number of arguments for 'zmscore' command",
        ),
        ("ZCARD z", "(integer) 6"),
        ("ZCARD nokey", "(integer) 0"),
        ("SET str foo", "OK"),
        (
            "ZADD str 1 a",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "ZSCORE str a",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        ("ZADD z \"\" a", "(error) ERR value is not a valid float"),
    ]);
}

#[test]
fn zrem_rank_and_encoding() {
    check(&[
        ("ZADD z 1 a 2 b 3 c", "(integer) 3"),
        ("OBJECT ENCODING z", "\"listpack\""),
        ("ZRANK z c", "(integer) 2"),
        ("ZREVRANK z c", "(integer) 0"),
        ("ZRANK z nosuch", "(nil)"),
        ("ZRANK nokey a", "(nil)"),
        ("ZREM z a nosuch", "(integer) 1"),
        ("ZREM z b c d", "(integer) 2"),
        ("EXISTS z", "(integer) 0"),
        ("CONFIG SET zset-max-listpack-entries 2", "OK"),
        ("ZADD z 1 a 2 b", "(integer) 2"),
        ("OBJECT ENCODING z", "\"listpack\""),
        ("ZADD z 3 c", "(integer) 1"),
        ("OBJECT ENCODING z", "\"skiplist\""),
        ("ZREM z c", "(integer) 1"),
        ("OBJECT ENCODING z", "\"skiplist\""),
        ("CONFIG SET zset-max-listpack-entries 128", "OK"),
        ("CONFIG SET zset-max-listpack-value 3", "OK"),
        ("ZADD long 1 abcd", "(integer) 1"),
        ("OBJECT ENCODING long", "\"skiplist\""),
        ("ZADD short 1 abc", "(integer) 1"),
        ("OBJECT ENCODING short", "\"listpack\""),
        ("ZADD short 1 abcd", "(integer) 1"),
        ("OBJECT ENCODING short", "\"skiplist\""),
        ("CONFIG SET zset-max-listpack-value 64", "OK"),
        // A listpack stores integral scores as integers: negative zero becomes zero.
        ("ZADD h -0 x", "(integer) 1"),
        ("ZSCORE h x", "\"0\""),
        ("CONFIG SET zset-max-listpack-entries 0", "OK"),
        ("ZADD s -0 x", "(integer) 1"),
        ("OBJECT ENCODING s", "\"skiplist\""),
        ("ZSCORE s x", "\"-0\""),
    ]);
}

#[test]
fn zrange_by_rank_score_and_lex() {
    check(&[
        ("ZADD z 1 a 2 b 3 c 4 d", "(integer) 4"),
        ("ZRANGE z 0 -1", "[\"a\", \"b\", \"c\", \"d\"]"),
        ("ZRANGE z 0 1 WITHSCORES", "[\"a\", \"1\", \"b\", \"2\"]"),
        ("ZRANGE z -100 100 REV", "[\"d\", \"c\", \"b\", \"a\"]"),
        ("ZRANGE z 2 1", "[]"),
        ("ZREVRANGE z 0 1 WITHSCORES", "[\"d\", \"4\", \"c\", \"3\"]"),
        ("ZRANGE z 0 -1 LIMIT 0 1", "(error) ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"),
        ("ZRANGE z 0 -1 BYLEX WITHSCORES", "(error) ERR syntax error, WITHSCORES not supported in combination with BYLEX"),
        ("ZRANGE z (1 +inf BYSCORE LIMIT 1 2 WITHSCORES", "[\"c\", \"3\", \"d\", \"4\"]"),
        ("ZRANGE z +inf (1 BYSCORE REV LIMIT 1 2", "[\"c\", \"b\"]"),
        ("ZRANGE z 1 +inf BYSCORE LIMIT -1 2", "[]"),
        ("ZRANGE z 1 +inf BYSCORE LIMIT 1 -5", "[\"b\", \"c\", \"d\"]"),
        ("ZRANGE z 1 +inf BYSCORE BYSCORE", "(error) ERR syntax error"),
        ("ZRANGE z a b", "(error) ERR value is not an integer or out of range"),
        ("ZRANGE z 0 1 LIMIT 0", "(error) ERR syntax error"),
        ("ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 1 1", "[\"b\", \"2\"]"),
        ("ZRANGEBYSCORE z str 1", "(error) ERR min or max is not a float"),
        ("ZRANGEBYSCORE z 1 nan", "(error) ERR min or max is not a float"),
        ("ZREVRANGEBYSCORE z (4 2", "[\"c\", \"b\"]"),
        ("ZREVRANGEBYSCORE z +inf -inf REV", "(error) ERR syntax error"),
        ("ZCOUNT z (1.5 10", "(integer) 3"),
        ("ZCOUNT z x 1", "(error) ERR min or max is not a float"),
        ("ZCOUNT nokey 0 1", "(integer) 0"),
        ("ZRANGE nokey 0 -1", "[]"),
        ("ZADD lex 0 alpha 0 bar 0 cool 0 down 0 elephant 0 foo 0 great 0 hill 0 omega", "(integer) 9"),
        ("ZRANGEBYLEX lex - [cool", "[\"alpha\", \"bar\", \"cool\"]"),
        ("ZRANGEBYLEX lex (bar (down", "[\"cool\"]"),
        ("ZREVRANGEBYLEX lex + (great LIMIT 1 1", "[\"hill\"]"),
        ("ZRANGEBYLEX lex - + LIMIT 2 3", "[\"cool\", \"down\", \"elephant\"]"),
        ("ZLEXCOUNT lex - +", "(integer) 9"),
        ("ZLEXCOUNT lex + -", "(integer) 0"),
        ("ZLEXCOUNT lex [bar (foo", "(integer) 4"),
        ("ZRANGEBYLEX lex foo bar", "(error) ERR min or max not valid string range item"),
        ("ZRANGEBYLEX lex +x [bar", "(error) ERR min or max not valid string range item"),
        ("ZRANGE lex [d [a BYLEX REV LIMIT 1 2", "[\"bar\", \"alpha\"]"),
    ]);
}

#[test]
fn zremrange_and_pops() {
    check(&[
        ("ZADD z 1 a 2 b 3 c 4 d 5 e 6 f", "(integer) 6"),
        ("ZREMRANGEBYSCORE z (5 +inf", "(integer) 1"),
        (
            "ZREMRANGEBYSCORE z a 3",
            "(error) ERR min or max is not a float",
        ),
        ("ZREMRANGEBYRANK z 0 0", "(integer) 1"),
        (
            "ZREMRANGEBYRANK z a 0",
            "(error) ERR value is not an integer or out of range",
        ),
        ("ZREMRANGEBYLEX z [a [b", "(integer) 1"),
        ("ZRANGE z 0 -1", "[\"c\", \"d\", \"e\"]"),
        ("ZPOPMIN z", "[\"c\", \"3\"]"),
        ("ZPOPMAX z 5", "[\"e\", \"5\", \"d\", \"4\"]"),
        ("EXISTS z", "(integer) 0"),
        ("ZADD z 1 a 2 b 3 c", "(integer) 3"),
        ("ZPOPMIN z 0", "[]"),
        (
            "ZPOPMIN z -1",
            "(error) ERR value is out of range, must be positive",
        ),
        ("ZPOPMIN z 1 2", "(error) ERR syntax error"),
        ("ZPOPMIN nokey", "[]"),
        (
            "ZMPOP 2 nokey z MAX COUNT 2",
            "[\"z\", [[\"c\", \"3\"], [\"b\", \"2\"]]]",
        ),
        ("ZMPOP 1 nokey MIN", "(nil)"),
        (
            "ZMPOP 0 z MIN",
            "(error) ERR numkeys should be greater than 0",
        ),
        (
            "ZMPOP a z MIN",
            "(error) ERR numkeys should be greater than 0",
        ),
        ("ZMPOP 1 z bad", "(error) ERR syntax error"),
        ("ZMPOP 5 z MIN", "(error) ERR syntax error"),
        (
            "ZMPOP 1 z MIN COUNT 0",
            "(error) ERR count should be greater than 0",
        ),
        ("ZMPOP 1 z MAX COUNT 1 COUNT 2", "(error) ERR syntax error"),
        (
            "ZMPOP 1 z",
            "(error) ERR wrong number of arguments for 'zmpop' command",
        ),
        ("SET str foo", "OK"),
        (
            "ZPOPMIN str 0",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "ZMPOP 2 nokey str MIN",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
    ]);
}

#[test]
fn set_operations() {
    check(&[
        ("ZADD a 1 x 2 y 3 z", "(integer) 3"),
        ("ZADD b 10 y 20 z 30 w", "(integer) 3"),
        ("SADD s y w q", "(integer) 3"),
        (
            "ZUNION 2 a b WITHSCORES",
            "[\"x\", \"1\", \"y\", \"12\", \"z\", \"23\", \"w\", \"30\"]",
        ),
        (
            "ZUNION 2 a b WEIGHTS 2 3 AGGREGATE MAX",
            "[\"x\", \"y\", \"z\", \"w\"]",
        ),
        (
            "ZUNION 2 a b WEIGHTS 2 x",
            "(error) ERR weight value is not a float",
        ),
        ("ZUNION 2 a b AGGREGATE foo", "(error) ERR syntax error"),
        ("ZINTER 3 a b s WITHSCORES", "[\"y\", \"13\"]"),
        (
            "ZINTER 2 a b WEIGHTS 1 -1 WITHSCORES",
            "[\"z\", \"-17\", \"y\", \"-8\"]",
        ),
        (
            "ZINTER 0 a",
            "(error) ERR at least 1 input key is needed for 'zinter' command",
        ),
        ("ZINTER 3 a b", "(error) ERR syntax error"),
        ("ZINTERCARD 2 a b", "(integer) 2"),
        ("ZINTERCARD 2 a b LIMIT 1", "(integer) 1"),
        (
            "ZINTERCARD 2 a b LIMIT -1",
            "(error) ERR LIMIT can't be negative",
        ),
        ("ZINTERCARD 2 a b WITHSCORES", "(error) ERR syntax error"),
        ("ZDIFF 2 a b WITHSCORES", "[\"x\", \"1\"]"),
        ("ZDIFF 2 a a", "[]"),
        ("ZDIFF 2 a s", "[\"x\", \"z\"]"),
        ("ZDIFF 2 a b WEIGHTS 1 2", "(error) ERR syntax error"),
        ("ZUNIONSTORE dst 2 a b", "(integer) 4"),
        ("OBJECT ENCODING dst", "\"listpack\""),
        (
            "ZRANGE dst 0 -1 WITHSCORES",
            "[\"x\", \"1\", \"y\", \"12\", \"z\", \"23\", \"w\", \"30\"]",
        ),
        (
            "ZUNIONSTORE dst 2 a b WITHSCORES",
            "(error) ERR syntax error",
        ),
        ("ZINTERSTORE dst 2 a nokey", "(integer) 0"),
        ("EXISTS dst", "(integer) 0"),
        ("ZDIFFSTORE dst 2 a b", "(integer) 1"),
        (
            "ZUNIONSTORE dst 0 a",
            "(error) ERR at least 1 input key is needed for 'zunionstore' command",
        ),
        ("SET str x", "OK"),
        (
            "ZUNION 2 str a WEIGHTS x",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        ("ZADD ninf -inf n", "(integer) 1"),
        ("ZUNIONSTORE out 1 ninf WEIGHTS 0", "(integer) 1"),
        ("ZRANGE out 0 -1 WITHSCORES", "[\"n\", \"0\"]"),
        ("ZADD pinf inf m", "(integer) 1"),
        ("ZADD minf -inf m", "(integer) 1"),
        ("ZUNION 2 pinf minf WITHSCORES", "[\"m\", \"0\"]"),
        (
            "ZUNION 2 pinf minf AGGREGATE MIN WITHSCORES",
            "[\"m\", \"-inf\"]",
        ),
    ]);
}

#[test]
fn zrangestore_encodings() {
    check(&[
        ("ZADD a 1 x 2 y 3 z", "(integer) 3"),
        ("ZRANGESTORE d a 0 -1", "(integer) 3"),
        (
            "ZRANGE d 0 -1 WITHSCORES",
            "[\"x\", \"1\", \"y\", \"2\", \"z\", \"3\"]",
        ),
        (
            "ZRANGESTORE d a 0 -1 WITHSCORES",
            "(error) ERR syntax error",
        ),
        ("ZRANGESTORE d a (1 +inf BYSCORE LIMIT 0 1", "(integer) 1"),
        ("ZRANGE d 0 -1", "[\"y\"]"),
        (
            "ZRANGESTORE d a +inf (1 BYSCORE REV LIMIT 0 1",
            "(integer) 1",
        ),
        ("ZRANGE d 0 -1", "[\"z\"]"),
        ("ZRANGESTORE d nokey 0 -1", "(integer) 0"),
        ("EXISTS d", "(integer) 0"),
        ("SET str x", "OK"),
        (
            "ZRANGESTORE d str 0 -1",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        ("CONFIG SET zset-max-listpack-entries 1", "OK"),
        ("ZRANGESTORE d a 0 0", "(integer) 1"),
        ("OBJECT ENCODING d", "\"listpack\""),
        ("ZRANGESTORE d a 0 1", "(integer) 2"),
        ("OBJECT ENCODING d", "\"skiplist\""),
        ("CONFIG SET zset-max-listpack-entries 0", "OK"),
        ("ZRANGESTORE d a -inf +inf BYSCORE", "(integer) 3"),
        ("OBJECT ENCODING d", "\"skiplist\""),
    ]);
}

#[test]
fn zrandmember_and_zscan() {
    check(&[
        ("ZADD z 1 a", "(integer) 1"),
        ("ZRANDMEMBER z", "\"a\""),
        ("ZRANDMEMBER z 1 WITHSCORES", "[\"a\", \"1\"]"),
        ("ZRANDMEMBER z -3", "[\"a\", \"a\", \"a\"]"),
        ("ZRANDMEMBER z 5", "[\"a\"]"),
        ("ZADD r 1 a 2 b 3 c", "(integer) 3"),
        ("ZRANDMEMBER r 10 WITHSCORES", "[\"c\", \"3\", \"b\", \"2\", \"a\", \"1\"]"),
        ("ZRANDMEMBER z 0", "[]"),
        ("ZRANDMEMBER nokey", "(nil)"),
        ("ZRANDMEMBER nokey 3", "[]"),
        ("ZRANDMEMBER z -9223372036854775808", "(error) ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"),
        ("ZRANDMEMBER z -9223372036854770000 WITHSCORES", "(error) ERR value is out of range"),
        ("ZRANDMEMBER z 1 bad", "(error) ERR syntax error"),
        ("ZADD sc 1000000000000000000 big 1.5 f", "(integer) 2"),
        ("ZSCAN sc 0", "[\"0\", [\"f\", \"1.5\", \"big\", \"1000000000000000000\"]]"),
        ("ZSCAN sc 0 MATCH b*", "[\"0\", [\"big\", \"1000000000000000000\"]]"),
        ("ZSCAN sc 0 COUNT 0", "(error) ERR syntax error"),
        ("ZSCAN sc x", "(error) ERR invalid cursor"),
        ("ZSCAN nokey 0 COUNT 0", "[\"0\", []]"),
        ("CONFIG SET zset-max-listpack-entries 0", "OK"),
        ("ZADD sk 1000000000000000000 big", "(integer) 1"),
        ("ZSCAN sk 0", "[\"0\", [\"big\", \"1e+18\"]]"),
    ]);
}

/// A large set exercises the tree encoding: ranks, ranges, counts and removals.
#[test]
fn large_sets() {
    let mut cases: Vec<(String, String)> = Vec::new();
    for i in 0..300 {
        cases.push((format!("ZADD big {i} m{i:03}"), "(integer) 1".into()));
    }
    cases.extend(owned(&[
        ("OBJECT ENCODING big", "\"skiplist\""),
        ("ZCARD big", "(integer) 300"),
        ("ZRANK big m150", "(integer) 150"),
        ("ZREVRANK big m150", "(integer) 149"),
        ("ZCOUNT big (100 200", "(integer) 100"),
        (
            "ZRANGE big 10 12 WITHSCORES",
            "[\"m010\", \"10\", \"m011\", \"11\", \"m012\", \"12\"]",
        ),
        (
            "ZREVRANGEBYSCORE big +inf -inf LIMIT 2 2",
            "[\"m297\", \"m296\"]",
        ),
        ("ZREMRANGEBYRANK big 0 99", "(integer) 100"),
        ("ZSCORE big m100", "\"100\""),
        ("ZPOPMAX big", "[\"m299\", \"299\"]"),
        ("ZUNIONSTORE small 1 big", "(integer) 199"),
        ("OBJECT ENCODING small", "\"skiplist\""),
        ("ZREMRANGEBYSCORE big -inf 250", "(integer) 151"),
        ("ZUNIONSTORE small 1 big", "(integer) 48"),
        ("OBJECT ENCODING small", "\"listpack\""),
    ]));
    check_owned(&cases);
}

/// Lex ranges over mixed scores: a listpack answers exactly as Redis's listpack walk does.
#[test]
fn lex_ranges_over_mixed_scores_in_a_listpack() {
    check(&[
        ("ZADD mix 0 9 1 eyy 2 long 3 ex 4 6", "(integer) 5"),
        ("ZRANGE mix ( [j BYLEX", "[\"9\", \"eyy\"]"),
        ("ZRANGE mix ( [j BYLEX LIMIT 4 -10", "[\"6\"]"),
        (
            "ZREVRANGEBYLEX mix [j (",
            "[\"6\", \"ex\", \"long\", \"eyy\", \"9\"]",
        ),
        ("ZREVRANGEBYLEX mix [j ( LIMIT 3 5", "[\"eyy\", \"9\"]"),
        ("ZLEXCOUNT mix ( [j", "(integer) 2"),
        ("ZLEXCOUNT mix [a +", "(integer) 0"),
        ("ZREMRANGEBYLEX mix ( [j", "(integer) 2"),
        ("ZRANGE mix 0 -1", "[\"long\", \"ex\", \"6\"]"),
    ]);
}

/// ZRANGESTORE fills its destination in range order, so members stored while it was still a
/// listpack lose the sign of a zero score, as in Redis.
#[test]
fn zrangestore_fills_in_range_order() {
    check(&[
        ("CONFIG SET zset-max-listpack-entries 0", "OK"),
        ("ZADD src -0 ex -0 long-member-zzzzzzzzzzzz", "(integer) 2"),
        ("CONFIG SET zset-max-listpack-entries 128", "OK"),
        ("CONFIG SET zset-max-listpack-value 10", "OK"),
        ("ZRANGESTORE dst src -inf +inf BYSCORE", "(integer) 2"),
        (
            "ZRANGE dst 0 -1 WITHSCORES",
            "[\"ex\", \"0\", \"long-member-zzzzzzzzzzzz\", \"-0\"]",
        ),
        ("OBJECT ENCODING dst", "\"skiplist\""),
        ("ZRANGESTORE dst src +inf -inf BYSCORE REV", "(integer) 2"),
        (
            "ZRANGE dst 0 -1 WITHSCORES",
            "[\"ex\", \"-0\", \"long-member-zzzzzzzzzzzz\", \"-0\"]",
        ),
    ]);
}
