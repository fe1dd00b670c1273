//! Data-driven tests of the list commands: replies, errors and edge cases as Redis 7.0 gives
//! them (checked against a live redis-server 7.0.15).

use crate::common::{check, check_owned, owned, start, Conn};
use resp::Frame;

const WRONGTYPE: &str = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";

#[test]
fn push_pop_len_index() {
    check(&[
        ("LPUSH l b a", "(integer) 2"),
        ("RPUSH l c 1 -5", "(integer) 5"),
        ("LLEN l", "(integer) 5"),
        ("LRANGE l 0 -1", "[\"a\", \"b\", \"c\", \"1\", \"-5\"]"),
        ("LINDEX l 0", "\"a\""),
        ("LINDEX l -1", "\"-5\""),
        ("LINDEX l 5", "(nil)"),
        ("LINDEX l -6", "(nil)"),
        (
            "LINDEX l x",
            "(error) ERR value is not an integer or out of range",
        ),
        ("LINDEX nokey x", "(nil)"),
        ("OBJECT ENCODING l", "\"quicklist\""),
        ("TYPE l", "list"),
        ("LPOP l", "\"a\""),
        ("RPOP l", "\"-5\""),
        ("LPUSHX nokey a", "(integer) 0"),
        ("RPUSHX nokey a", "(integer) 0"),
        ("EXISTS nokey", "(integer) 0"),
        ("LPUSHX l z", "(integer) 4"),
        ("RPUSHX l y x", "(integer) 6"),
        (
            "LRANGE l 0 -1",
            "[\"z\", \"b\", \"c\", \"1\", \"y\", \"x\"]",
        ),
        ("LLEN nokey", "(integer) 0"),
        (
            "LPUSH l",
            "(error) ERR wrong number of arguments for 'lpush' command",
        ),
        (
            "LLEN l x",
            "(error) ERR wrong number of arguments for 'llen' command",
        ),
    ]);
}

#[test]
fn integers_and_odd_numbers_round_trip() {
    check(&[
        (
            "RPUSH n 0 -0 007 9223372036854775807 -9223372036854775808 9223372036854775808 +3",
            "(integer) 7",
        ),
        (
            "LRANGE n 0 -1",
            "[\"0\", \"-0\", \"007\", \"9223372036854775807\", \"-9223372036854775808\", \"9223372036854775808\", \"+3\"]",
        ),
        ("LPOS n 007", "(integer) 2"),
        ("LPOS n 7", "(nil)"),
        ("LREM n 0 -0", "(integer) 1"),
        ("LPOS n 0", "(integer) 0"),
    ]);
}

#[test]
fn pop_with_count() {
    check(&[
        ("LPUSH lc aa bb cc dd ee ff gg", "(integer) 7"),
        ("LPOP lc 1", "[\"gg\"]"),
        ("LPOP lc 2", "[\"ff\", \"ee\"]"),
        ("RPOP lc 2", "[\"aa\", \"bb\"]"),
        ("RPOP lc 1", "[\"cc\"]"),
        ("LPOP lc 0", "[]"),
        ("RPOP lc 123", "[\"dd\"]"),
        ("EXISTS lc", "(integer) 0"),
        ("LPOP lc 0", "(nil)"),
        ("LPOP lc", "(nil)"),
        (
            "LPOP lc -123",
            "(error) ERR value is out of range, must be positive",
        ),
        (
            "LPOP lc abc",
            "(error) ERR value is out of range, must be positive",
        ),
        (
            "LPOP lc 1 1",
            "(error) ERR wrong number of arguments for 'lpop' command",
        ),
        (
            "RPOP lc 2 2",
            "(error) ERR wrong number of arguments for 'rpop' command",
        ),
        ("RPUSH big x", "(integer) 1"),
        ("RPOP big 9223372036854775807", "[\"x\"]"),
        ("SET s v", "OK"),
        ("LPOP s", WRONGTYPE),
        ("LPOP s 0", WRONGTYPE),
        ("LPUSH s a", WRONGTYPE),
        ("RPUSHX s a", WRONGTYPE),
        ("LLEN s", WRONGTYPE),
        ("LINDEX s x", WRONGTYPE),
    ]);
}

#[test]
fn set_range_trim() {
    check(&[
        ("RPUSH l a b c d e", "(integer) 5"),
        ("LSET l 1 B", "OK"),
        ("LSET l -1 E", "OK"),
        ("LSET l 5 x", "(error) ERR index out of range"),
        ("LSET l -6 x", "(error) ERR index out of range"),
        (
            "LSET l x y",
            "(error) ERR value is not an integer or out of range",
        ),
        ("LSET nokey 0 x", "(error) ERR no such key"),
        ("LSET nokey x x", "(error) ERR no such key"),
        ("LRANGE l 0 -1", "[\"a\", \"B\", \"c\", \"d\", \"E\"]"),
        ("LRANGE l 1 -2", "[\"B\", \"c\", \"d\"]"),
        ("LRANGE l -2 -1", "[\"d\", \"E\"]"),
        ("LRANGE l -100 100", "[\"a\", \"B\", \"c\", \"d\", \"E\"]"),
        ("LRANGE l 3 1", "[]"),
        ("LRANGE l 0 -6", "[]"),
        ("LRANGE l 5 10", "[]"),
        (
            "LRANGE l -9223372036854775808 9223372036854775807",
            "[\"a\", \"B\", \"c\", \"d\", \"E\"]",
        ),
        (
            "LRANGE l a 1",
            "(error) ERR value is not an integer or out of range",
        ),
        ("LRANGE nokey 0 -1", "[]"),
        ("LTRIM l 1 -2", "OK"),
        ("LRANGE l 0 -1", "[\"B\", \"c\", \"d\"]"),
        ("LTRIM l 0 -10", "OK"),
        ("EXISTS l", "(integer) 0"),
        ("LTRIM nokey 0 1", "OK"),
        (
            "LTRIM l x 1",
            "(error) ERR value is not an integer or out of range",
        ),
        ("SET s v", "OK"),
        ("LTRIM s 0 1", WRONGTYPE),
        ("LSET s 0 1", WRONGTYPE),
        ("LRANGE s 0 1", WRONGTYPE),
    ]);
}

#[test]
fn rem_and_insert() {
    check(&[
        ("RPUSH l a b a c a 1 01 1", "(integer) 8"),
        ("LREM l 1 a", "(integer) 1"),
        ("LREM l -1 a", "(integer) 1"),
        (
            "LRANGE l 0 -1",
            "[\"b\", \"a\", \"c\", \"1\", \"01\", \"1\"]",
        ),
        ("LREM l 0 1", "(integer) 2"),
        ("LREM l 0 zz", "(integer) 0"),
        (
            "LREM l x a",
            "(error) ERR value is not an integer or out of range",
        ),
        ("LREM nokey 0 a", "(integer) 0"),
        ("LINSERT l BEFORE c X", "(integer) 5"),
        ("LINSERT l after c Y", "(integer) 6"),
        ("LINSERT l after zz Y", "(integer) -1"),
        ("LINSERT l middle c Y", "(error) ERR syntax error"),
        ("LINSERT nokey before a b", "(integer) 0"),
        ("LINSERT nokey middle a b", "(error) ERR syntax error"),
        (
            "LRANGE l 0 -1",
            "[\"b\", \"a\", \"X\", \"c\", \"Y\", \"01\"]",
        ),
        ("LREM l 0 b", "(integer) 1"),
        ("LREM l 0 a", "(integer) 1"),
        ("LREM l 0 X", "(integer) 1"),
        ("LREM l 0 c", "(integer) 1"),
        ("LREM l 0 Y", "(integer) 1"),
        ("LREM l 0 01", "(integer) 1"),
        ("EXISTS l", "(integer) 0"),
        ("SET s v", "OK"),
        ("LREM s 0 v", WRONGTYPE),
        ("LINSERT s before a b", WRONGTYPE),
    ]);
}

#[test]
fn lpos() {
    check(&[
        ("RPUSH mylist a b c 1 2 3 c c", "(integer) 8"),
        ("LPOS mylist a", "(integer) 0"),
        ("LPOS mylist c", "(integer) 2"),
        ("LPOS mylist c RANK 1", "(integer) 2"),
        ("LPOS mylist c RANK 2", "(integer) 6"),
        ("LPOS mylist c RANK 4", "(nil)"),
        ("LPOS mylist c RANK -1", "(integer) 7"),
        ("LPOS mylist c RANK -2", "(integer) 6"),
        (
            "LPOS mylist c RANK 0",
            "(error) ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        ),
        (
            "LPOS mylist c RANK -9223372036854775808",
            "(error) ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ),
        ("LPOS mylist c RANK 9223372036854775807", "(nil)"),
        ("LPOS mylist c RANK -9223372036854775807", "(nil)"),
        ("LPOS mylist c RANK x", "(error) ERR value is not an integer or out of range"),
        ("LPOS mylist c COUNT 0", "[(integer) 2, (integer) 6, (integer) 7]"),
        ("LPOS mylist c COUNT 1", "[(integer) 2]"),
        ("LPOS mylist c COUNT 2", "[(integer) 2, (integer) 6]"),
        ("LPOS mylist c COUNT 100", "[(integer) 2, (integer) 6, (integer) 7]"),
        ("LPOS mylist c COUNT 0 RANK 2", "[(integer) 6, (integer) 7]"),
        ("LPOS mylist c COUNT 2 RANK -1", "[(integer) 7, (integer) 6]"),
        ("LPOS mylistxxx c COUNT 0 RANK 2", "[]"),
        ("LPOS mylistxxx c", "(nil)"),
        ("LPOS mylist x COUNT 2 RANK -1", "[]"),
        ("LPOS mylist x RANK -1", "(nil)"),
        ("LPOS mylist a COUNT 0 MAXLEN 1", "[(integer) 0]"),
        ("LPOS mylist c COUNT 0 MAXLEN 1", "[]"),
        ("LPOS mylist c COUNT 0 MAXLEN 3", "[(integer) 2]"),
        ("LPOS mylist c COUNT 0 MAXLEN 3 RANK -1", "[(integer) 7, (integer) 6]"),
        ("LPOS mylist c COUNT 0 MAXLEN 7 RANK 2", "[(integer) 6]"),
        ("LPOS mylist c COUNT -1", "(error) ERR COUNT can't be negative"),
        ("LPOS mylist c COUNT x", "(error) ERR COUNT can't be negative"),
        ("LPOS mylist c MAXLEN -1", "(error) ERR MAXLEN can't be negative"),
        ("LPOS mylist c MAXLEN x", "(error) ERR MAXLEN can't be negative"),
        ("LPOS mylist c RANK", "(error) ERR syntax error"),
        ("LPOS mylist c FOO 1", "(error) ERR syntax error"),
        ("LPOS mylist c COUNT 9223372036854775807", "[(integer) 2, (integer) 6, (integer) 7]"),
        ("SET s v", "OK"),
        ("LPOS s v", WRONGTYPE),
        ("LPOS s v RANK 0", "(error) ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"),
    ]);
}

#[test]
fn lmove_and_rpoplpush() {
    check(&[
        ("RPUSH src a b c", "(integer) 3"),
        ("LMOVE src dst LEFT RIGHT", "\"a\""),
        ("LMOVE src dst right left", "\"c\""),
        ("LRANGE dst 0 -1", "[\"c\", \"a\"]"),
        ("RPOPLPUSH src dst", "\"b\""),
        ("EXISTS src", "(integer) 0"),
        ("LRANGE dst 0 -1", "[\"b\", \"c\", \"a\"]"),
        ("RPOPLPUSH src dst", "(nil)"),
        ("LMOVE src dst left left", "(nil)"),
        ("LMOVE dst dst left right", "\"b\""),
        ("LRANGE dst 0 -1", "[\"c\", \"a\", \"b\"]"),
        ("RPOPLPUSH dst dst", "\"b\""),
        ("LRANGE dst 0 -1", "[\"b\", \"c\", \"a\"]"),
        ("RPUSH one x", "(integer) 1"),
        ("RPOPLPUSH one one", "\"x\""),
        ("LRANGE one 0 -1", "[\"x\"]"),
        ("LMOVE dst dst up down", "(error) ERR syntax error"),
        ("LMOVE dst dst left down", "(error) ERR syntax error"),
        ("SET s v", "OK"),
        ("LMOVE dst s left left", WRONGTYPE),
        ("LRANGE dst 0 -1", "[\"b\", \"c\", \"a\"]"),
        ("LMOVE s dst left left", WRONGTYPE),
        ("LMOVE nokey s left left", "(nil)"),
        ("RPOPLPUSH s dst", WRONGTYPE),
        ("RPOPLPUSH dst s", WRONGTYPE),
        ("RPUSH n 12", "(integer) 1"),
        ("LMOVE n dst left left", "\"12\""),
        ("LINDEX dst 0", "\"12\""),
    ]);
}

#[test]
fn lmpop() {
    check(&[
        ("RPUSH a 1 2 3", "(integer) 3"),
        ("RPUSH b x y", "(integer) 2"),
        ("LMPOP 2 nokey a LEFT", "[\"a\", [\"1\"]]"),
        ("LMPOP 2 a b RIGHT COUNT 10", "[\"a\", [\"3\", \"2\"]]"),
        ("EXISTS a", "(integer) 0"),
        ("LMPOP 2 a b left count 1", "[\"b\", [\"x\"]]"),
        ("LMPOP 1 nokey left", "(nil)"),
        (
            "LMPOP 0 a left",
            "(error) ERR numkeys should be greater than 0",
        ),
        (
            "LMPOP -1 a left",
            "(error) ERR numkeys should be greater than 0",
        ),
        (
            "LMPOP x a left",
            "(error) ERR numkeys should be greater than 0",
        ),
        ("LMPOP 2 a left", "(error) ERR syntax error"),
        (
            "LMPOP 9223372036854775807 a left",
            "(error) ERR syntax error",
        ),
        ("LMPOP 1 a middle", "(error) ERR syntax error"),
        (
            "LMPOP 1 a left count 0",
            "(error) ERR count should be greater than 0",
        ),
        (
            "LMPOP 1 a left count -1",
            "(error) ERR count should be greater than 0",
        ),
        (
            "LMPOP 1 a left count x",
            "(error) ERR count should be greater than 0",
        ),
        ("LMPOP 1 a left count 1 count 1", "(error) ERR syntax error"),
        ("LMPOP 1 a left count", "(error) ERR syntax error"),
        ("LMPOP 1 a left foo", "(error) ERR syntax error"),
        (
            "LMPOP 1 b left count 9223372036854775807",
            "[\"b\", [\"y\"]]",
        ),
        ("SET s v", "OK"),
        ("RPUSH c 1", "(integer) 1"),
        ("LMPOP 2 s c left", WRONGTYPE),
        ("LMPOP 2 c s left", "[\"c\", [\"1\"]]"),
        ("LMPOP 2 nokey s left", WRONGTYPE),
        (
            "LMPOP 1",
            "(error) ERR wrong number of arguments for 'lmpop' command",
        ),
    ]);
}

#[test]
fn many_elements_and_node_sizes() {
    let mut cases: Vec<(String, String)> =
        vec![("CONFIG SET list-max-listpack-size 4".into(), "OK".into())];
    let mut expected = Vec::new();
    for i in 0..100 {
        cases.push((format!("RPUSH big e{i}"), format!("(integer) {}", i + 1)));
        expected.push(format!("\"e{i}\""));
    }
    cases.push(("LINDEX big 57".into(), "\"e57\"".into()));
    cases.push(("LINSERT big after e57 mid".into(), "(integer) 101".into()));
    expected.insert(58, "\"mid\"".into());
    cases.push(("LSET big 10 ten".into(), "OK".into()));
    expected[10] = "\"ten\"".into();
    cases.push((
        "LRANGE big 0 -1".into(),
        format!("[{}]", expected.join(", ")),
    ));
    cases.extend(owned(&[
        ("LTRIM big 5 -5", "OK"),
        ("LLEN big", "(integer) 92"),
        ("LINDEX big 0", "\"e5\""),
        ("LINDEX big -1", "\"e95\""),
    ]));
    check_owned(&cases);
}

/// LPOP/RPOP's null and empty replies in both protocols, where the difference between a
/// null bulk, a null array and an empty array shows.
#[tokio::test]
async fn pop_nulls_by_protocol() {
    let srv = start("").await;
    let mut c = Conn::connect(srv.addr).await;
    assert_eq!(c.cmd(&["RPUSH", "l", "zero"]).await, Frame::Integer(1));
    assert_eq!(c.cmd(&["LPOP", "l", "0"]).await, Frame::Array(vec![]));
    assert_eq!(c.cmd(&["LPOP", "nokey"]).await, Frame::Null);
    assert_eq!(c.cmd(&["LPOP", "nokey", "1"]).await, Frame::NullArray);
    assert_eq!(c.cmd(&["RPOP", "nokey", "0"]).await, Frame::NullArray);
    assert_eq!(
        c.cmd(&["LMPOP", "1", "nokey", "LEFT"]).await,
        Frame::NullArray
    );
    assert_eq!(c.cmd(&["LPOS", "nokey", "x"]).await, Frame::Null);
    assert_eq!(c.cmd(&["LINDEX", "nokey", "0"]).await, Frame::Null);
    assert_eq!(
        c.cmd(&["LMOVE", "nokey", "x", "LEFT", "LEFT"]).await,
        Frame::Null
    );
    let _ = c.cmd(&["HELLO", "3"]).await;
    assert_eq!(c.cmd(&["LPOP", "l", "0"]).await, Frame::Array(vec![]));
    assert_eq!(c.cmd(&["RPOP", "l", "0"]).await, Frame::Array(vec![]));
    assert_eq!(c.cmd(&["LPOP", "nokey"]).await, Frame::Null);
    assert_eq!(c.cmd(&["LPOP", "nokey", "1"]).await, Frame::Null);
    assert_eq!(c.cmd(&["RPOP", "nokey", "0"]).await, Frame::Null);
    assert_eq!(c.cmd(&["LMPOP", "1", "nokey", "LEFT"]).await, Frame::Null);
    assert_eq!(
        c.cmd(&["LMPOP", "1", "l", "LEFT"]).await,
        Frame::Array(vec![
            Frame::Bulk("l".into()),
            Frame::Array(vec![Frame::Bulk("zero".into())])
        ])
    );
}

/// Large elements and many elements through the socket, with an LRANGE reply of every one.
#[tokio::test]
async fn large_values_survive_node_splits() {
    let srv = start("").await;
    let mut c = Conn::connect(srv.addr).await;
    let big = "x".repeat(20_000);
    for i in 0..50 {
        c.cmd(&["RPUSH", "l", &format!("small{i}")]).await;
    }
    assert_eq!(
        c.cmd(&["LSET", "l", "25", &big]).await,
        Frame::Simple("OK".into())
    );
    assert_eq!(
        c.cmd(&["LINSERT", "l", "BEFORE", "small10", &big]).await,
        Frame::Integer(51)
    );
    assert_eq!(
        c.cmd(&["LINDEX", "l", "10"]).await,
        Frame::Bulk(big.clone().into())
    );
    assert_eq!(
        c.cmd(&["LINDEX", "l", "26"]).await,
        Frame::Bulk(big.clone().into())
    );
    assert_eq!(
        c.cmd(&["LINDEX", "l", "11"]).await,
        Frame::Bulk("small10".into())
    );
    assert_eq!(c.cmd(&["LREM", "l", "0", &big]).await, Frame::Integer(2));
    assert_eq!(c.cmd(&["LLEN", "l"]).await, Frame::Integer(49));
    match c.cmd(&["LRANGE", "l", "0", "-1"]).await {
        Frame::Array(items) => assert_eq!(items.len(), 49),
        other => panic!("unexpected {other:?}"),
    }
}

/// DEBUG QUICKLIST-PACKED-THRESHOLD makes elements of that size plain: each in a node of its
/// own, as DEBUG OBJECT's node count shows; lists behave the same.
#[test]
fn plain_nodes_below_the_packed_threshold() {
    let mut s = crate::common::Session::with("enable-debug-command yes");
    let nodes = |s: &mut crate::common::Session, key: &str| -> String {
        let line = s.run(&format!("DEBUG OBJECT {key}"));
        line.split(' ')
            .find(|f| f.starts_with("ql_nodes:"))
            .unwrap()
            .to_string()
    };
    assert_eq!(s.run("RPUSH packed aa bb cc"), "(integer) 3");
    assert_eq!(nodes(&mut s, "packed"), "ql_nodes:1");
    assert_eq!(
        s.run("DEBUG QUICKLIST-PACKED-THRESHOLD 5gb"),
        "(error) ERR argument must be a memory value bigger than 1 and smaller than 4gb"
    );
    assert_eq!(s.run("DEBUG QUICKLIST-PACKED-THRESHOLD 2b"), "OK");
    assert_eq!(s.run("RPUSH plain aa b cc"), "(integer) 3");
    assert_eq!(nodes(&mut s, "plain"), "ql_nodes:3");
    assert_eq!(s.run("LINSERT plain BEFORE cc dd"), "(integer) 4");
    assert_eq!(
        s.run("LRANGE plain 0 -1"),
        "[\"aa\", \"b\", \"dd\", \"cc\"]"
    );
    assert_eq!(nodes(&mut s, "plain"), "ql_nodes:4");
    assert_eq!(s.run("DEBUG QUICKLIST-PACKED-THRESHOLD 0"), "OK");
}
