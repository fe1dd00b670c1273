//! Data-driven tests of the stream commands: replies, errors and counters as Redis 7.0 gives
//! them (checked against a live redis-server 7.0.15), plus blocking reads over sockets.

use crate::common::{check, start, Conn};
use resp::Frame;

const BAD_ID: &str = "(error) ERR Invalid stream ID specified as stream command argument";

#[test]
fn add_range_len() {
    check(&[
        ("XADD s 1-1 a 1 b 2", "\"1-1\""),
        ("XADD s 1-* a 3 b 4", "\"1-2\""),
        ("XADD s 1-5 c 5", "\"1-5\""),
        (
            "XADD s 1-5 c 5",
            "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item",
        ),
        (
            "XADD s 0-0 c 5",
            "(error) ERR The ID specified in XADD must be greater than 0-0",
        ),
        ("XADD s MAXLEN x 2-1 a b", "(error) ERR value is not an integer or out of range"),
        ("XADD s MAXLEN -1 2-1 a b", "(error) ERR The MAXLEN argument must be >= 0."),
        (
            "XADD s MAXLEN 5 MINID 1 2-1 a b",
            "(error) ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
        ),
        (
            "XADD s LIMIT 5 2-1 a b",
            "(error) ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ),
        (
            "XADD s MAXLEN 5 LIMIT 5 2-1 a b",
            "(error) ERR syntax error, LIMIT cannot be used without the special ~ option",
        ),
        ("XADD s 2-1 a", "(error) ERR wrong number of arguments for 'xadd' command"),
        ("XADD nokey NOMKSTREAM * a b", "(nil)"),
        ("XADD s + a b", BAD_ID),
        ("XADD s 3-x a b", BAD_ID),
        (
            "XRANGE s - +",
            "[[\"1-1\", [\"a\", \"1\", \"b\", \"2\"]], [\"1-2\", [\"a\", \"3\", \"b\", \"4\"]], [\"1-5\", [\"c\", \"5\"]]]",
        ),
        ("XRANGE s (1-1 (1-5", "[[\"1-2\", [\"a\", \"3\", \"b\", \"4\"]]]"),
        ("XRANGE s - + COUNT 0", "(nil)"),
        ("XRANGE s - + COUNT 1", "[[\"1-1\", [\"a\", \"1\", \"b\", \"2\"]]]"),
        ("XRANGE s - + FOO 1", "(error) ERR syntax error"),
        ("XRANGE s (- +", BAD_ID),
        (
            "XRANGE s - (0-0",
            "(error) ERR invalid end ID for the interval",
        ),
        ("XRANGE nokey - +", "[]"),
        ("XREVRANGE s + - COUNT 1", "[[\"1-5\", [\"c\", \"5\"]]]"),
        ("XLEN s", "(integer) 3"),
        ("XLEN nokey", "(integer) 0"),
        ("TYPE s", "stream"),
        ("OBJECT ENCODING s", "\"stream\""),
        ("SET str x", "OK"),
        (
            "XADD str * a b",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
    ]);
}

#[test]
fn delete_trim_setid_counters() {
    check(&[
        ("XADD s 1-1 f v", "\"1-1\""),
        ("XADD s 2-1 f v", "\"2-1\""),
        ("XADD s 3-1 f v", "\"3-1\""),
        ("XDEL s 2-1 9-9", "(integer) 1"),
        ("XDEL s bad", BAD_ID),
        ("XDEL nokey bad", "(integer) 0"),
        ("XTRIM s", "(error) ERR wrong number of arguments for 'xtrim' command"),
        ("XTRIM s FOO 1", "(error) ERR syntax error"),
        ("XTRIM s MAXLEN 1", "(integer) 1"),
        ("XLEN s", "(integer) 1"),
        ("XSETID s 1-1", "(error) ERR The ID specified in XSETID is smaller than the target stream top item"),
        (
            "XSETID s 5-5 ENTRIESADDED 0",
            "(error) ERR The entries_added specified in XSETID is smaller than the target stream length",
        ),
        (
            "XSETID s 5-5 MAXDELETEDID 6-0",
            "(error) ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
        ),
        ("XSETID nokey 5-5", "(error) ERR no such key"),
        ("XSETID s 5-5 ENTRIESADDED -1", "(error) ERR entries_added must be positive"),
        ("XSETID s 5-5 ENTRIESADDED 10 MAXDELETEDID 4-0", "OK"),
        (
            "XINFO STREAM s",
            "[\"length\", (integer) 1, \"radix-tree-keys\", (integer) 1, \"radix-tree-nodes\", (integer) 2, \
             \"last-generated-id\", \"5-5\", \"max-deleted-entry-id\", \"4-0\", \"entries-added\", (integer) 10, \
             \"recorded-first-entry-id\", \"3-1\", \"groups\", (integer) 0, \"first-entry\", [\"3-1\", [\"f\", \"v\"]], \
             \"last-entry\", [\"3-1\", [\"f\", \"v\"]]]",
        ),
        ("XADD s 5-5 f v", "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item"),
    ]);
}

#[test]
fn xread_non_blocking() {
    check(&[
        ("XADD s 1-1 a 1", "\"1-1\""),
        ("XREAD STREAMS s",
            "(error) ERR wrong number of arguments for 'xread' command",
        ),
        ("XREAD STREAMS s 0 1", "(error) ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."),
        ("XREAD STREAMS s 0", "[[\"s\", [[\"1-1\", [\"a\", \"1\"]]]]]"),
        ("XREAD STREAMS s 1-1", "(nil)"),
        ("XREAD STREAMS s $", "(nil)"),
        ("XREAD COUNT 1 STREAMS s nokey 0 0", "[[\"s\", [[\"1-1\", [\"a\", \"1\"]]]]]"),
        ("XREAD STREAMS s >", "(error) ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."),
        ("XREAD GROUP g c STREAMS s 0", "(error) ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."),
        ("XREAD BLOCK -1 STREAMS s 0", "(error) ERR timeout is negative"),
        ("XREAD BLOCK x STREAMS s 0", "(error) ERR timeout is not an integer or out of range"),
        ("XREAD FOO STREAMS s 0", "(error) ERR syntax error"),
        ("MULTI", "OK"),
        ("XREAD BLOCK 0 STREAMS s $", "QUEUED"),
        ("EXEC", "[(nil)]"),
    ]);
}

#[test]
fn groups_and_pending() {
    check(&[
        ("XADD s 1-1 f v", "\"1-1\""),
        ("XADD s 2-1 f v", "\"2-1\""),
        ("XADD s 3-1 f v", "\"3-1\""),
        ("XGROUP CREATE s g 0", "OK"),
        ("XGROUP CREATE s g 0", "(error) BUSYGROUP Consumer Group name already exists"),
        (
            "XGROUP CREATE nokey g $",
            "(error) ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
        ),
        ("XGROUP CREATE s2 g $ MKSTREAM", "OK"),
        ("XGROUP CREATE s2 g2 0 ENTRIESREAD -2", "(error) ERR value for ENTRIESREAD must be positive or -1"),
        (
            "XGROUP CREATE s2 g3 0 FOO",
            "(error) ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.",
        ),
        ("XGROUP SETID s nog 0", "(error) NOGROUP No such consumer group 'nog' for key name 's'"),
        ("XGROUP CREATECONSUMER s g alice", "(integer) 1"),
        ("XGROUP CREATECONSUMER s g alice", "(integer) 0"),
        ("XREADGROUP GROUP g c COUNT 1 STREAMS s >", "[[\"s\", [[\"1-1\", [\"f\", \"v\"]]]]]"),
        ("XDEL s 2-1", "(integer) 1"),
        (
            "XINFO GROUPS s",
            "[[\"name\", \"g\", \"consumers\", (integer) 2, \"pending\", (integer) 1, \"last-delivered-id\", \"1-1\", \"entries-read\", (integer) 1, \"lag\", (nil)]]",
        ),
        ("XREADGROUP GROUP g c STREAMS s >", "[[\"s\", [[\"3-1\", [\"f\", \"v\"]]]]]"),
        (
            "XINFO GROUPS s",
            "[[\"name\", \"g\", \"consumers\", (integer) 2, \"pending\", (integer) 2, \"last-delivered-id\", \"3-1\", \"entries-read\", (integer) 2, \"lag\", (integer) 1]]",
        ),
        ("XPENDING s g", "[(integer) 2, \"1-1\", \"3-1\", [[\"c\", \"2\"]]]"),
        ("XPENDING s nog", "(error) NOGROUP No such key 's' or consumer group 'nog'"),
        ("XPENDING s g - +", "(error) ERR syntax error"),
        ("XPENDING s g - + 10 nobody", "[]"),
        ("XREADGROUP GROUP g c STREAMS s $", "(error) ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."),
        ("XREADGROUP GROUP nog c STREAMS s >", "(error) NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option"),
        ("XREADGROUP COUNT 1 NOACK STREAMS s >", "(error) ERR Missing GROUP option for XREADGROUP"),
        ("XDEL s 1-1", "(integer) 1"),
        ("XREADGROUP GROUP g c STREAMS s 0", "[[\"s\", [[\"1-1\", (nil)], [\"3-1\", [\"f\", \"v\"]]]]]"),
        ("XACK s g 1-1 x", BAD_ID),
        ("XACK s g 1-1 9-9", "(integer) 1"),
        ("XACK s nog 1-1", "(integer) 0"),
        ("XCLAIM s g carol x 3-1", "(error) ERR Invalid min-idle-time argument for XCLAIM"),
        ("XCLAIM s g carol 0 3-1 FOO", "(error) ERR Unrecognized XCLAIM option 'FOO'"),
        ("XCLAIM s g carol 0 3-1 JUSTID", "[\"3-1\"]"),
        ("XAUTOCLAIM s g dave 0 0 COUNT 0", "(error) ERR COUNT must be > 0"),
        ("XAUTOCLAIM s g dave 0 0 JUSTID", "[\"0-0\", [\"3-1\"], []]"),
        ("XAUTOCLAIM s nog dave 0 0", "(error) NOGROUP No such key 's' or consumer group 'nog'"),
        ("XGROUP DELCONSUMER s g dave", "(integer) 1"),
        ("XGROUP DESTROY s g", "(integer) 1"),
        ("XGROUP DESTROY s g", "(integer) 0"),
        ("XINFO GROUPS s", "[]"),
        ("XINFO GROUPS nokey", "(error) ERR no such key"),
        ("XGROUP HELP x", "(error) ERR wrong number of arguments for 'xgroup|help' command"),
        ("XINFO HELP x", "(error) ERR wrong number of arguments for 'xinfo|help' command"),
    ]);
}

#[test]
fn getkeys() {
    check(&[
        ("COMMAND GETKEYS XGROUP CREATE key g $", "[\"key\"]"),
        (
            "COMMAND GETKEYS XREAD COUNT 1 STREAMS a b 0 0",
            "[\"a\", \"b\"]",
        ),
        (
            "COMMAND GETKEYS XREADGROUP GROUP g c COUNT 1 STREAMS s t > >",
            "[\"s\", \"t\"]",
        ),
    ]);
}

/// Blocking XREAD with `$` waits for entries added afterwards, and every blocked reader is
/// served, not just the first.
#[tokio::test]
async fn blocking_xread_serves_every_reader() {
    let srv = start("").await;
    let mut w = Conn::connect(srv.addr).await;
    let mut r1 = Conn::connect(srv.addr).await;
    let mut r2 = Conn::connect(srv.addr).await;
    assert_eq!(
        w.cmd(&["XADD", "s", "1-1", "f", "v"]).await,
        Frame::Bulk("1-1".into())
    );
    for r in [&mut r1, &mut r2] {
        r.raw(b"*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$1\r\ns\r\n$1\r\n$\r\n")
            .await;
    }
    while srv.srv.keyspace.blocking.count() < 2 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(
        w.cmd(&["XADD", "s", "2-1", "g", "w"]).await,
        Frame::Bulk("2-1".into())
    );
    let want = Frame::Array(vec![Frame::Array(vec![
        Frame::Bulk("s".into()),
        Frame::Array(vec![Frame::Array(vec![
            Frame::Bulk("2-1".into()),
            Frame::Array(vec![Frame::Bulk("g".into()), Frame::Bulk("w".into())]),
        ])]),
    ])]);
    assert_eq!(r1.read().await, Some(want.clone()));
    assert_eq!(r2.read().await, Some(want));
}

/// A blocked XREADGROUP gets -NOGROUP when its group is destroyed.
#[tokio::test]
async fn blocking_xreadgroup_group_destroyed() {
    let srv = start("").await;
    let mut w = Conn::connect(srv.addr).await;
    let mut r = Conn::connect(srv.addr).await;
    assert_eq!(
        w.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"])
            .await,
        Frame::Simple("OK".into())
    );
    r.raw(b"*9\r\n$10\r\nXREADGROUP\r\n$5\r\nGROUP\r\n$1\r\ng\r\n$1\r\nc\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$1\r\ns\r\n$1\r\n>\r\n")
        .await;
    while srv.srv.keyspace.blocking.count() < 1 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(
        w.cmd(&["XGROUP", "DESTROY", "s", "g"]).await,
        Frame::Integer(1)
    );
    assert_eq!(
        r.read().await,
        Some(Frame::Error(
            "NOGROUP the consumer group this client was blocked on no longer exists".into()
        ))
    );
}
