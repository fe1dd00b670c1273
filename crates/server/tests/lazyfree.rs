//! Background freeing: UNLINK of a large value and FLUSHALL ASYNC hand the work to the
//! lazyfree thread and count it in INFO; small values are freed at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Session;

/// Waits until nothing is pending and returns `lazyfreed_objects`.
fn freed_when_done(s: &mut Session) -> u64 {
    for _ in 0..500 {
        let info = s.run("INFO memory");
        let field = |name: &str| -> u64 {
            info.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim_end_matches(['\r', '"']).parse().ok())
                .unwrap_or_else(|| panic!("{name} in {info}"))
        };
        if field("lazyfree_pending_objects:") == 0 {
            return field("lazyfreed_objects:");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("lazyfree never finished");
}

#[test]
fn unlink_and_flush_async_free_in_the_background() {
    let mut s = Session::new();
    let fields: Vec<String> = (0..600).map(|i| format!("f{i} v{i}")).collect();
    assert_eq!(
        s.run(&format!("HSET big {}", fields.join(" "))),
        "(integer) 600"
    );
    assert_eq!(s.run("OBJECT ENCODING big"), "\"hashtable\"");
    assert_eq!(s.run("SET small x"), "OK");
    assert_eq!(s.run("UNLINK big small"), "(integer) 2");
    // Only the hash table of 600 fields was worth a hand-off.
    assert_eq!(freed_when_done(&mut s), 1);

    for i in 0..10 {
        s.run(&format!("SET k{i} v"));
    }
    assert_eq!(s.run("FLUSHALL ASYNC"), "OK");
    assert_eq!(freed_when_done(&mut s), 11);
    assert_eq!(s.run("CONFIG RESETSTAT"), "OK");
    assert_eq!(freed_when_done(&mut s), 0);
}
