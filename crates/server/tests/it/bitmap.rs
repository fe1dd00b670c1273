//! Data-driven tests of the bitmap family, run in-process: each case is a command line and the
//! reply Redis 7.0.15 gives (recorded from a live server), rendered the way redis-cli shows it.

use crate::common::check;
#[test]
fn setbit_getbit() {
    check(&[
        ("SETBIT k 7 1", "(integer) 0"),
        ("GET k", "\"\u{1}\""),
        ("GETBIT k 7", "(integer) 1"),
        ("GETBIT k 6", "(integer) 0"),
        ("GETBIT k 100", "(integer) 0"),
        ("GETBIT nokey 0", "(integer) 0"),
        ("SETBIT k 7 0", "(integer) 1"),
        ("SETBIT k 7 0", "(integer) 0"),
        ("STRLEN k", "(integer) 1"),
        ("SETBIT k 23 1", "(integer) 0"),
        ("STRLEN k", "(integer) 3"),
        ("OBJECT ENCODING k", "\"raw\""),
        (
            "SETBIT k 0 2",
            "(error) ERR bit is not an integer or out of range",
        ),
        (
            "SETBIT k 0 -1",
            "(error) ERR bit is not an integer or out of range",
        ),
        (
            "SETBIT k 0 01",
            "(error) ERR bit is not an integer or out of range",
        ),
        (
            "SETBIT k -1 1",
            "(error) ERR bit offset is not an integer or out of range",
        ),
        (
            "SETBIT k 4294967296 1",
            "(error) ERR bit offset is not an integer or out of range",
        ),
        (
            "SETBIT k 4294967295x 1",
            "(error) ERR bit offset is not an integer or out of range",
        ),
        (
            "GETBIT k 4294967296",
            "(error) ERR bit offset is not an integer or out of range",
        ),
        (
            "GETBIT k -1",
            "(error) ERR bit offset is not an integer or out of range",
        ),
        ("SET n 1", "OK"),
        ("SETBIT n 6 1", "(integer) 0"),
        ("GET n", "\"3\""),
        ("OBJECT ENCODING n", "\"raw\""),
        ("GETBIT n 2", "(integer) 1"),
        ("LPUSH l a", "(integer) 1"),
        (
            "SETBIT l 0 1",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "GETBIT l 0",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
    ]);
}

#[test]
fn bitcount() {
    check(&[
        ("SET s foobar", "OK"),
        ("BITCOUNT s", "(integer) 26"),
        ("BITCOUNT s 0 0", "(integer) 4"),
        ("BITCOUNT s 1 1", "(integer) 6"),
        ("BITCOUNT s 1 1 BYTE", "(integer) 6"),
        ("BITCOUNT s 1 1 bit", "(integer) 1"),
        ("BITCOUNT s 5 30 BIT", "(integer) 17"),
        ("BITCOUNT s -1 -1", "(integer) 4"),
        ("BITCOUNT s -2 -1 bit", "(integer) 1"),
        ("BITCOUNT s -1 -2", "(integer) 0"),
        ("BITCOUNT s -1 -2 foo", "(integer) 0"),
        ("BITCOUNT s 2 1", "(integer) 0"),
        ("BITCOUNT s 0 1000", "(integer) 26"),
        ("BITCOUNT s -1000 1000 bit", "(integer) 26"),
        (
            "BITCOUNT s -9223372036854775808 9223372036854775807",
            "(integer) 26",
        ),
        ("BITCOUNT s 0", "(error) ERR syntax error"),
        ("BITCOUNT s 0 1 foo", "(error) ERR syntax error"),
        ("BITCOUNT s 0 1 bit x", "(error) ERR syntax error"),
        (
            "BITCOUNT s a 1",
            "(error) ERR value is not an integer or out of range",
        ),
        (
            "BITCOUNT s 0 b",
            "(error) ERR value is not an integer or out of range",
        ),
        ("BITCOUNT nokey", "(integer) 0"),
        ("BITCOUNT nokey a b c d e", "(integer) 0"),
        ("SET i 12345", "OK"),
        ("BITCOUNT i", "(integer) 17"),
        ("BITCOUNT i 1 2", "(integer) 7"),
        ("SET e x", "OK"),
        ("SETRANGE e 0 ", "(integer) 1"),
        ("LPUSH l a", "(integer) 1"),
        (
            "BITCOUNT l",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "BITCOUNT l 0 1 2 3",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
    ]);
}

#[test]
fn bitpos() {
    check(&[
        ("BITPOS nokey 0", "(integer) 0"),
        ("BITPOS nokey 1", "(integer) -1"),
        ("BITPOS nokey 0 a b c d e", "(integer) 0"),
        (
            "BITPOS nokey 2",
            "(error) ERR The bit argument must be 1 or 0.",
        ),
        (
            "BITPOS nokey x",
            "(error) ERR value is not an integer or out of range",
        ),
        ("SETRANGE ff 0 \u{ff}", "(integer) 2"),
        ("SETBIT z 23 0", "(integer) 0"),
        ("BITPOS z 1", "(integer) -1"),
        ("BITPOS z 0", "(integer) 0"),
        ("BITPOS z 0 1", "(integer) 8"),
        ("BITPOS z 1 1 2", "(integer) -1"),
        ("BITPOS z 0 5 10 bit", "(integer) 5"),
        ("BITPOS z 1 5 10 bit", "(integer) -1"),
        ("SETBIT o 0 1", "(integer) 0"),
        ("SETBIT o 1 1", "(integer) 0"),
        ("SETBIT o 2 1", "(integer) 0"),
        ("SETBIT o 3 1", "(integer) 0"),
        ("SETBIT o 4 1", "(integer) 0"),
        ("SETBIT o 5 1", "(integer) 0"),
        ("SETBIT o 6 1", "(integer) 0"),
        ("SETBIT o 7 1", "(integer) 0"),
        ("BITPOS o 0", "(integer) 8"),
        ("BITPOS o 0 0", "(integer) 8"),
        ("BITPOS o 0 0 -1", "(integer) -1"),
        ("BITPOS o 0 0 0", "(integer) -1"),
        ("BITPOS o 0 0 7 bit", "(integer) -1"),
        (
            "BITPOS o 0 3 bit",
            "(error) ERR value is not an integer or out of range",
        ),
        ("BITPOS o 1", "(integer) 0"),
        ("BITPOS o 1 2 3 bit", "(integer) 2"),
        ("BITPOS o 1 1", "(integer) -1"),
        ("BITPOS o 0 1", "(integer) -1"),
        ("BITPOS o 0 2 1", "(integer) -1"),
        ("SETBIT m 21 1", "(integer) 0"),
        ("BITPOS m 1", "(integer) 21"),
        ("BITPOS m 1 1", "(integer) 21"),
        ("BITPOS m 1 -1", "(integer) 21"),
        ("BITPOS m 1 -1 -1", "(integer) 21"),
        ("BITPOS m 1 3 20 bit", "(integer) -1"),
        ("BITPOS m 1 3 21 bit", "(integer) 21"),
        ("BITPOS m 1 -3 -1 bit", "(integer) 21"),
        ("BITPOS m 1 22 100 bit", "(integer) -1"),
        ("BITPOS m 0 21 21 bit", "(integer) -1"),
        (
            "BITPOS m 0 -9223372036854775808 9223372036854775807 bit",
            "(integer) 0",
        ),
        ("BITPOS m 0 1 2 3 4", "(error) ERR syntax error"),
        ("BITPOS m 0 1 2 foo", "(error) ERR syntax error"),
        ("BITPOS m 0 1 x foo", "(error) ERR syntax error"),
        (
            "BITPOS m 0 1 x bit",
            "(error) ERR value is not an integer or out of range",
        ),
        (
            "BITPOS m 0 x",
            "(error) ERR value is not an integer or out of range",
        ),
        ("BITPOS m 3", "(error) ERR The bit argument must be 1 or 0."),
        ("SET e x", "OK"),
        ("SETRANGE e 0 x", "(integer) 1"),
        ("LPUSH l a", "(integer) 1"),
        (
            "BITPOS l 0",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
    ]);
}

#[test]
fn bitop() {
    check(&[
        ("SETBIT a 0 1", "(integer) 0"),
        ("SETBIT a 12 1", "(integer) 0"),
        ("SETBIT b 1 1", "(integer) 0"),
        ("SETBIT b 30 1", "(integer) 0"),
        ("BITOP AND d a b", "(integer) 4"),
        ("BITCOUNT d", "(integer) 0"),
        ("STRLEN d", "(integer) 4"),
        ("BITOP or d a b", "(integer) 4"),
        ("BITCOUNT d", "(integer) 4"),
        ("BITPOS d 1 1", "(integer) 12"),
        ("BITOP XOR d a b a", "(integer) 4"),
        ("BITCOUNT d", "(integer) 2"),
        ("BITOP NOT d a", "(integer) 2"),
        ("BITCOUNT d", "(integer) 14"),
        ("STRLEN d", "(integer) 2"),
        (
            "BITOP not d a b",
            "(error) ERR BITOP NOT must be called with a single source key.",
        ),
        (
            "BITOP not d",
            "(error) ERR wrong number of arguments for 'bitop' command",
        ),
        ("BITOP nand d a", "(error) ERR syntax error"),
        (
            "BITOP and d",
            "(error) ERR wrong number of arguments for 'bitop' command",
        ),
        ("BITOP and d nokey", "(integer) 0"),
        ("EXISTS d", "(integer) 0"),
        ("BITOP or d2 nokey nokey2", "(integer) 0"),
        ("EXISTS d2", "(integer) 0"),
        ("SET d x", "OK"),
        ("EXPIRE d 100", "(integer) 1"),
        ("BITOP or d a", "(integer) 2"),
        ("TTL d", "(integer) -1"),
        ("OBJECT ENCODING d", "\"raw\""),
        ("SET n 12", "OK"),
        ("BITOP and n n", "(integer) 2"),
        ("GET n", "\"12\""),
        ("OBJECT ENCODING n", "\"raw\""),
        ("LPUSH l a", "(integer) 1"),
        (
            "BITOP or d a l",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        ("BITOP or l a", "(integer) 2"),
        ("TYPE l", "string"),
        ("BITOP and d a nokey", "(integer) 2"),
        ("BITCOUNT d", "(integer) 0"),
        ("STRLEN d", "(integer) 2"),
    ]);
}

#[test]
fn bitfield_basics() {
    check(&[
        ("BITFIELD bf SET u8 0 255", "[(integer) 0]"),
        ("GET bf", "\"\u{fffd}\""),
        ("BITFIELD bf GET u8 0 GET i8 0 GET u4 0 GET i4 4 GET u1 7 GET i1 7", "[(integer) 255, (integer) -1, (integer) 15, (integer) -1, (integer) 1, (integer) -1]"),
        ("BITFIELD bf SET i8 #1 -2 GET u8 #1 GET i8 8", "[(integer) 0, (integer) 254, (integer) -2]"),
        ("STRLEN bf", "(integer) 2"),
        ("BITFIELD bf INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1", "[(integer) 1, (integer) 1]"),
        ("STRLEN bf", "(integer) 13"),
        ("BITFIELD nokey GET i64 0 GET u63 1", "[(integer) 0, (integer) 0]"),
        ("EXISTS nokey", "(integer) 0"),
        ("BITFIELD_RO nokey GET i64 0", "[(integer) 0]"),
        ("BITFIELD bf", "[]"),
        ("BITFIELD_RO bf", "[]"),
        ("BITFIELD bf GET i64 0 GET i64 1 GET u63 #0 GET i64 100", "[(integer) -562949953421312, (integer) -1125899906842624, (integer) 9223090561878065152, (integer) 5764607523034234880]"),
        ("SET n 1234", "OK"),
        ("BITFIELD n GET u8 0 GET u8 8", "[(integer) 49, (integer) 50]"),
        ("OBJECT ENCODING n", "\"int\""),
        ("BITFIELD n SET u8 0 0", "[(integer) 49]"),
        ("GET n", "\"\u{0}234\""),
        ("OBJECT ENCODING n", "\"raw\""),
        ("BITFIELD big SET i64 0 -9223372036854775808", "[(integer) 0]"),
        ("BITFIELD big GET i64 0 GET u63 0 GET i1 0 GET u1 0", "[(integer) -9223372036854775808, (integer) 4611686018427387904, (integer) -1, (integer) 1]"),
        ("BITFIELD big GET u63 1", "[(integer) 0]"),
    ]);
}

#[test]
fn bitfield_overflow() {
    check(&[
        ("BITFIELD w INCRBY u2 0 5", "[(integer) 1]"),
        ("BITFIELD w OVERFLOW wrap INCRBY i8 8 127 INCRBY i8 8 1", "[(integer) 127, (integer) -128]"),
        ("BITFIELD w OVERFLOW sat INCRBY i8 8 -1000 INCRBY u8 16 -3 INCRBY u8 16 300", "[(integer) -128, (integer) 0, (integer) 255]"),
        ("BITFIELD w OVERFLOW fail INCRBY i8 8 -1 SET u4 0 16 SET i4 0 8 SET i4 0 -9 INCRBY u8 16 1 GET u8 16", "[(nil), (nil), (nil), (nil), (nil), (integer) 255]"),
        ("BITFIELD w OVERFLOW FAIL SET u8 0 -1 OVERFLOW SAT SET u8 0 -1 OVERFLOW WRAP SET u8 0 -1", "[(nil), (integer) 64, (integer) 255]"),
        ("BITFIELD w OVERFLOW SAT SET i8 0 -9223372036854775808 GET i8 0", "[(integer) -1, (integer) 127]"),
        ("BITFIELD w OVERFLOW SAT SET i8 0 9223372036854775807 GET i8 0", "[(integer) 127, (integer) 127]"),
        ("BITFIELD w OVERFLOW WRAP SET i8 0 -9223372036854775808 SET i8 0 9223372036854775807", "[(integer) 127, (integer) 0]"),
        ("BITFIELD w SET i64 0 9223372036854775807 INCRBY i64 0 1 OVERFLOW SAT INCRBY i64 0 -1 INCRBY i64 0 -9223372036854775808 OVERFLOW FAIL INCRBY i64 0 -1 GET i64 0", "[(integer) -35748421553881088, (integer) -9223372036854775808, (integer) -9223372036854775808, (integer) -9223372036854775808, (nil), (integer) -9223372036854775808]"),
        ("BITFIELD w SET u63 0 9223372036854775807 INCRBY u63 0 1 OVERFLOW SAT INCRBY u63 0 -9223372036854775808 INCRBY u63 0 9223372036854775807 OVERFLOW FAIL INCRBY u63 0 1", "[(integer) 4611686018427387904, (integer) 0, (integer) 0, (integer) 9223372036854775807, (nil)]"),
        ("BITFIELD w SET i1 0 1 GET i1 0 OVERFLOW SAT SET i1 0 1 INCRBY i1 0 -5 INCRBY u1 0 9 OVERFLOW WRAP INCRBY i1 0 3", "[(integer) -1, (integer) -1, (integer) -1, (integer) -1, (integer) 1, (integer) 0]"),
    ]);
}

#[test]
fn bitfield_errors() {
    check(&[
        ("BITFIELD e GET u64 0", "(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."),
        ("BITFIELD e GET i65 0", "(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."),
        ("BITFIELD e GET i0 0", "(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."),
        ("BITFIELD e GET I8 0", "(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."),
        ("BITFIELD e GET x8 0", "(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."),
        ("BITFIELD e GET u 0", "(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."),
        ("BITFIELD e GET u8 -1", "(error) ERR bit offset is not an integer or out of range"),
        ("BITFIELD e GET u8 #-1", "(error) ERR bit offset is not an integer or out of range"),
        ("BITFIELD e GET u8 #", "(error) ERR bit offset is not an integer or out of range"),
        ("BITFIELD e GET u8 4294967296", "(error) ERR bit offset is not an integer or out of range"),
        ("BITFIELD e GET u8 4294967295", "[(integer) 0]"),
        ("BITFIELD e GET i64 #67108864", "(error) ERR bit offset is not an integer or out of range"),
        ("BITFIELD e GET i64 #67108863", "[(integer) 0]"),
        ("BITFIELD e GET i64 #9223372036854775807", "(error) ERR bit offset is not an integer or out of range"),
        ("BITFIELD e GET i64 #144115188075855873", "(error) ERR bit offset is not an integer or out of range"),
        ("BITFIELD e GET u8 1.5", "(error) ERR bit offset is not an integer or out of range"),
        ("BITFIELD e GET i64 #288230376151711745", "[(integer) 0]"),
        ("BITFIELD e GET u8", "(error) ERR syntax error"),
        ("BITFIELD e SET u8 0", "(error) ERR syntax error"),
        ("BITFIELD e SET u8 0 x", "(error) ERR value is not an integer or out of range"),
        ("BITFIELD e INCRBY u8 0 9223372036854775808", "(error) ERR value is not an integer or out of range"),
        ("BITFIELD e FOO u8 0", "(error) ERR syntax error"),
        ("BITFIELD e OVERFLOW", "(error) ERR syntax error"),
        ("BITFIELD e OVERFLOW foo", "(error) ERR Invalid OVERFLOW type specified"),
        ("BITFIELD e GET u8 0 OVERFLOW", "(error) ERR syntax error"),
        ("BITFIELD e OVERFLOW fail", "[]"),
        ("EXISTS e", "(integer) 0"),
        ("BITFIELD e GET u8 0 SET u64 0 1", "(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."),
        ("EXISTS e", "(integer) 0"),
        ("BITFIELD_RO e GET u8 0 SET u8 0 1", "(error) ERR BITFIELD_RO only supports the GET subcommand"),
        ("BITFIELD_RO e INCRBY u8 0 1", "(error) ERR BITFIELD_RO only supports the GET subcommand"),
        ("BITFIELD_RO e GET u8 0 OVERFLOW sat GET u8 8", "[(integer) 0, (integer) 0]"),
        ("EXISTS e", "(integer) 0"),
        ("LPUSH l a", "(integer) 1"),
        ("BITFIELD l GET u8 0", "(error) WRONGTYPE Operation against a key holding the wrong kind of value"),
        ("BITFIELD_RO l GET u8 0", "(error) WRONGTYPE Operation against a key holding the wrong kind of value"),
        ("BITFIELD l SET u8 0 1", "(error) WRONGTYPE Operation against a key holding the wrong kind of value"),
        ("BITFIELD_RO l SET u8 0 1", "(error) ERR BITFIELD_RO only supports the GET subcommand"),
        ("BITFIELD f OVERFLOW FAIL SET u2 100 10", "[(nil)]"),
        ("STRLEN f", "(integer) 13"),
        ("GET f", "\"\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\""),
    ]);
}

/// The number of changes since the last save, as INFO reports it.
fn dirty(s: &mut crate::common::Session) -> i64 {
    let info = s.run("INFO persistence");
    info.split("\r\n")
        .find_map(|l| l.strip_prefix("rdb_changes_since_last_save:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("rdb_changes_since_last_save in INFO")
}

/// SETBIT and BITFIELD count a change only when they create, grow or actually alter the string
/// (BITFIELD counts one per altering subcommand), as Redis does.
#[test]
fn changes_are_counted_like_redis() {
    let mut s = crate::common::Session::new();
    let d0 = dirty(&mut s);
    s.run("SETBIT a 0 0");
    s.run("BITFIELD b SET i5 0 0");
    assert_eq!(dirty(&mut s), d0 + 2);
    s.run("SETBIT a 0 0");
    s.run("BITFIELD b SET i5 0 0");
    assert_eq!(dirty(&mut s), d0 + 2);
    for cmd in [
        "SETBIT a 0 1",
        "SETBIT a 0 1",
        "SETBIT a 0 0",
        "SETBIT a 0 0",
    ] {
        s.run(cmd);
    }
    for v in ["1", "1", "0", "0"] {
        s.run(&format!("BITFIELD b SET i5 0 {v}"));
    }
    assert_eq!(dirty(&mut s), d0 + 6);
    s.run("BITFIELD c INCRBY i5 0 1");
    s.run("BITFIELD c INCRBY i5 0 1");
    assert_eq!(dirty(&mut s), d0 + 8);
    s.run("SETBIT a 90 0");
    s.run("BITFIELD b SET i5 90 0");
    assert_eq!(dirty(&mut s), d0 + 10);
    s.run("BITFIELD d SET u8 0 1 SET u8 8 2 GET u8 0 INCRBY u8 0 1");
    assert_eq!(dirty(&mut s), d0 + 13);
    s.run("BITFIELD d OVERFLOW FAIL INCRBY u8 0 255 SET u8 0 2");
    assert_eq!(dirty(&mut s), d0 + 13);
    s.run("BITOP NOT e a");
    assert_eq!(dirty(&mut s), d0 + 14);
}
