//! Data-driven command tests, run in-process without sockets: each case is a command line and
//! the reply it must produce, rendered the way redis-cli shows it.

use crate::common::check;
#[test]
fn strings() {
    check(&[
        ("SET k v", "OK"),
        ("GET k", "\"v\""),
        ("GET missing", "(nil)"),
        ("SET k v2 NX", "(nil)"),
        ("SET k v2 XX GET", "\"v\""),
        ("SET new v NX GET", "(nil)"),
        ("GET new", "\"v\""),
        ("SET k v EX 10 PX 10", "(error) ERR syntax error"),
        ("SET k v KEEPTTL EX 10", "(error) ERR syntax error"),
        ("SETNX k x", "(integer) 0"),
        ("GETSET k a", "\"v2\""),
        ("GETDEL k", "\"a\""),
        ("GETDEL k", "(nil)"),
        ("APPEND s hello", "(integer) 5"),
        ("APPEND s _world_with_more_than_fourteen_bytes", "(integer) 41"),
        ("STRLEN s", "(integer) 41"),
        ("GETRANGE s 0 4", "\"hello\""),
        ("GETRANGE s -5 -1", "\"bytes\""),
        ("SUBSTR s 100 200", "\"\""),
        ("SETRANGE s 0 J", "(integer) 41"),
        ("GETRANGE s 0 4", "\"Jello\""),
        ("SETRANGE pad 3 x", "(integer) 4"),
        ("OBJECT ENCODING s", "\"raw\""),
        ("SET n 42", "OK"),
        ("OBJECT ENCODING n", "\"int\""),
        ("SET e hello", "OK"),
        ("OBJECT ENCODING e", "\"embstr\""),
        ("INCR n", "(integer) 43"),
        ("DECRBY n 50", "(integer) -7"),
        ("INCRBY e 1", "(error) ERR value is not an integer or out of range"),
        ("SET big 9223372036854775807", "OK"),
        ("INCR big", "(error) ERR increment or decrement would overflow"),
        ("INCRBYFLOAT f 10.5", "\"10.5\""),
        ("INCRBYFLOAT f 0.1", "\"10.6\""),
        ("INCRBYFLOAT f -10.6", "\"0\""),
        ("MSET a 1 b 2", "OK"),
        ("MGET a b nokey", "[\"1\", \"2\", (nil)]"),
        ("MSET a 1 b", "(error) ERR wrong number of arguments for 'mset' command"),
        ("MSETNX a 1 c 3", "(integer) 0"),
        ("MSETNX c 3 d 4", "(integer) 1"),
        ("SETBIT bits 7 1", "(integer) 0"),
        ("GET bits", "\"\u{1}\""),
        ("GETBIT bits 7", "(integer) 1"),
        ("GETBIT bits 100", "(integer) 0"),
        ("SETBIT bits 1 2", "(error) ERR bit is not an integer or out of range"),
        ("SET l1 ohmytext", "OK"),
        ("SET l2 mynewtext", "OK"),
        ("LCS l1 l2", "\"mytext\""),
        ("LCS l1 l2 LEN", "(integer) 6"),
        ("LCS l1 l2 IDX MINMATCHLEN 4 WITHMATCHLEN", "[\"matches\", [[[(integer) 4, (integer) 7], [(integer) 5, (integer) 8], (integer) 4]], \"len\", (integer) 6]"),
        ("LCS l1 l2 LEN IDX", "(error) ERR If you want both the length and indexes, please just use IDX."),
    ]);
}

#[test]
fn keyspace_and_expiry() {
    check(&[
        ("SET a 1", "OK"),
        ("SET b 2", "OK"),
        ("EXISTS a b a nokey", "(integer) 3"),
        ("TYPE a", "string"),
        ("TYPE nokey", "none"),
        ("RENAME a c", "OK"),
        ("RENAME a c", "(error) ERR no such key"),
        ("RENAMENX c b", "(integer) 0"),
        ("COPY c d", "(integer) 1"),
        ("COPY c d", "(integer) 0"),
        (
            "COPY c c",
            "(error) ERR source and destination objects are the same",
        ),
        ("COPY c d DB 1 REPLACE", "(integer) 1"),
        ("MOVE d 1", "(integer) 0"),
        ("MOVE b 1", "(integer) 1"),
        (
            "MOVE b 0",
            "(error) ERR source and destination objects are the same",
        ),
        ("DBSIZE", "(integer) 2"),
        ("TTL c", "(integer) -1"),
        ("TTL nokey", "(integer) -2"),
        ("EXPIRE c 100", "(integer) 1"),
        ("TTL c", "(integer) 100"),
        ("EXPIRE c 50 GT", "(integer) 0"),
        ("EXPIRE c 50 LT", "(integer) 1"),
        ("EXPIRE c 50 NX", "(integer) 0"),
        (
            "EXPIRE c 50 NX XX",
            "(error) ERR NX and XX, GT or LT options at the same time are not compatible",
        ),
        ("EXPIRE c 50 AB", "(error) ERR Unsupported option AB"),
        ("PERSIST c", "(integer) 1"),
        ("PERSIST c", "(integer) 0"),
        ("PEXPIREAT c 1", "(integer) 1"),
        ("EXISTS c", "(integer) 0"),
        ("SET v x PXAT 99999999999999", "OK"),
        ("PEXPIRETIME v", "(integer) 99999999999999"),
        ("EXPIRETIME v", "(integer) 99999999999"),
        ("DEL v d nokey", "(integer) 2"),
        ("SWAPDB 0 1", "OK"),
        ("GET b", "\"2\""),
        ("SWAPDB 0 x", "(error) ERR invalid second DB index"),
        ("FLUSHALL", "OK"),
        ("DBSIZE", "(integer) 0"),
        ("RANDOMKEY", "(nil)"),
        ("SCAN 0", "[\"0\", []]"),
    ]);
}

#[test]
fn connection_and_introspection() {
    check(&[
        ("PING", "PONG"),
        ("PING hi", "\"hi\""),
        ("ECHO x", "\"x\""),
        ("SELECT 15", "OK"),
        ("SELECT 16", "(error) ERR DB index is out of range"),
        ("CLIENT SETNAME my-conn", "OK"),
        ("CLIENT GETNAME", "\"my-conn\""),
        (
            "CLIENT SETNAME bad\nname",
            "(error) ERR Client names cannot contain spaces, newlines or special characters.",
        ),
        (
            "CLIENT NOSUCH",
            "(error) ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.",
        ),
        ("CONFIG GET maxmemory", "[\"maxmemory\", \"0\"]"),
        ("CONFIG SET maxmemory 1mb", "OK"),
        ("CONFIG GET maxmemory", "[\"maxmemory\", \"1048576\"]"),
        ("COMMAND GETKEYS mset a 1 b 2", "[\"a\", \"b\"]"),
        (
            "COMMAND GETKEYS ping",
            "(error) ERR The command has no key arguments",
        ),
        // Key-spec flags: per key position, and depending on arguments for SET and BITFIELD.
        ("COMMAND GETKEYSANDFLAGS set k v", "[[\"k\", [OW, update]]]"),
        (
            "COMMAND GETKEYSANDFLAGS set k v get",
            "[[\"k\", [RW, access, update]]]",
        ),
        (
            "COMMAND GETKEYSANDFLAGS lmove a b left right",
            "[[\"a\", [RW, access, delete]], [\"b\", [RW, insert]]]",
        ),
        (
            "COMMAND GETKEYSANDFLAGS zunionstore d 2 a b",
            "[[\"d\", [OW, update]], [\"a\", [RO, access]], [\"b\", [RO, access]]]",
        ),
        (
            "COMMAND GETKEYSANDFLAGS bitfield k get u8 0",
            "[[\"k\", [RO, access]]]",
        ),
        (
            "COMMAND GETKEYS spublish channel message",
            "(error) ERR The command has no key arguments",
        ),
        (
            "SLOWLOG GET -2",
            "(error) ERR count should be greater than or equal to -1",
        ),
        (
            "LATENCY HELP x",
            "(error) ERR wrong number of arguments for 'latency|help' command",
        ),
        (
            "NOSUCHCOMMAND a b",
            "(error) ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'a' 'b' ",
        ),
        ("HELLO 4", "(error) NOPROTO unsupported protocol version"),
    ]);
}

#[test]
fn transactions() {
    check(&[
        ("EXEC", "(error) ERR EXEC without MULTI"),
        ("DISCARD", "(error) ERR DISCARD without MULTI"),
        ("MULTI", "OK"),
        ("MULTI", "(error) ERR MULTI calls can not be nested"),
        ("SET a 1", "QUEUED"),
        ("INCR a", "QUEUED"),
        ("SETRANGE a -1 x", "QUEUED"),
        (
            "EXEC",
            "[OK, (integer) 2, (error) ERR offset is out of range]",
        ),
        ("MULTI", "OK"),
        ("SET a 5", "QUEUED"),
        (
            "NOSUCH",
            "(error) ERR unknown command 'NOSUCH', with args beginning with: ",
        ),
        (
            "EXEC",
            "(error) EXECABORT Transaction discarded because of previous errors.",
        ),
        ("GET a", "\"2\""),
        ("WATCH a", "OK"),
        ("SET a 3", "OK"),
        ("MULTI", "OK"),
        ("WATCH b", "(error) ERR WATCH inside MULTI is not allowed"),
        ("SET a 4", "QUEUED"),
        ("EXEC", "(nil)"),
        ("GET a", "\"3\""),
        ("WATCH a", "OK"),
        ("MULTI", "OK"),
        ("SET a 4", "QUEUED"),
        ("EXEC", "[OK]"),
        ("MULTI", "OK"),
        ("SET a 9", "QUEUED"),
        ("DISCARD", "OK"),
        ("GET a", "\"4\""),
    ]);
}

/// INFO latencystats reports the percentiles `latency-tracking-info-percentiles` asks for.
#[test]
fn latencystats_follow_the_configured_percentiles() {
    let mut s = crate::common::Session::new();
    s.run("SET k v");
    let line = |s: &mut crate::common::Session| {
        let info = s.run("INFO latencystats");
        info.lines()
            .find(|l| l.starts_with("latency_percentiles_usec_set:"))
            .map(|l| l.trim_end_matches(['\r', '"']).to_string())
            .unwrap()
    };
    let default = line(&mut s);
    assert!(
        default.contains(":p50=") && default.contains(",p99=") && default.contains(",p99.9="),
        "{default}"
    );
    // (The session splits on spaces, so one percentile.)
    assert_eq!(
        s.run("CONFIG SET latency-tracking-info-percentiles 1.5"),
        "OK"
    );
    let custom = line(&mut s);
    assert!(
        custom.starts_with("latency_percentiles_usec_set:p1.5="),
        "{custom}"
    );
    assert!(!custom.contains(','), "{custom}");
}

/// Small commands a newcomer meets: LOLWUT, MODULE without modules, DEBUG ERROR.
#[test]
fn small_server_commands() {
    check(&[
        ("LOLWUT", "\"Redis ver. 7.0.15\n\""),
        ("LOLWUT VERSION 7", "\"Redis ver. 7.0.15\n\""),
        ("LOLWUT VERSION x", "(error) ERR value is not an integer or out of range"),
        ("CONFIG SET enable-module-command yes", "(error) ERR CONFIG SET failed (possibly related to argument 'enable-module-command') - can't set immutable config"),
        ("MODULE LIST", "(error) ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."),
    ]);
    let mut s = crate::common::Session::with("enable-module-command yes\nenable-debug-command yes");
    for (cmd, want) in [
        ("MODULE LIST", "[]"),
        ("MODULE LOAD /x/mod.so", "(error) ERR Error loading the extension. Please check the server logs."),
        ("MODULE UNLOAD mod", "(error) ERR Error unloading module: no such module with that name"),
        ("DEBUG ERROR WRONGTYPE", "(error) WRONGTYPE"),
        ("DEBUG ERROR", "(error) ERR unknown subcommand or wrong number of arguments for 'ERROR'. Try DEBUG HELP."),
    ] {
        assert_eq!(s.run(cmd), want, "{cmd}");
    }
}

/// Changes are counted as Redis counts them: a SET with an expiry is one change.
#[test]
fn changes_since_last_save() {
    let mut s = crate::common::Session::new();
    let dirty = |s: &mut crate::common::Session| -> u64 {
        let info = s.run("INFO persistence");
        info.lines()
            .find_map(|l| l.strip_prefix("rdb_changes_since_last_save:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let before = dirty(&mut s);
    for (cmd, changes) in [
        ("SET k v EX 10", 1),
        ("SET k v PX 10000 KEEPTTL", 0),
        ("SET k w", 1),
        ("SETEX k 10 v", 1),
        ("PSETEX k 10000 v", 1),
        ("GET k", 0),
    ] {
        let at = dirty(&mut s);
        s.run(cmd);
        assert_eq!(dirty(&mut s) - at, changes, "{cmd}");
    }
    assert!(dirty(&mut s) > before);
}
