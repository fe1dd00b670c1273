//! Background freeing: UNLINK of a large value and FLUSHALL ASYNC hand the work to the
//! lazyfree thread and count it in INFO; small values are freed at once.

use crate::common::Session;
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

/// The server's own deletions follow their `lazyfree-lazy-*` settings: a large value replaced
/// by SET (`-server-del`) or removed by expiry (`-expire`) is freed in the background only
/// when its setting says so.
#[test]
fn server_deletions_follow_their_settings() {
    let mut s = Session::new();
    let fields: Vec<String> = (0..600).map(|i| format!("f{i} v{i}")).collect();
    let hset = format!("HSET big {}", fields.join(" "));

    s.run(&hset);
    assert_eq!(s.run("SET big x"), "OK");
    assert_eq!(freed_when_done(&mut s), 0);
    assert_eq!(s.run("CONFIG SET lazyfree-lazy-server-del yes"), "OK");
    s.run("DEL big");
    s.run(&hset);
    assert_eq!(s.run("SET big x"), "OK");
    assert_eq!(freed_when_done(&mut s), 1);

    s.run("DEL big");
    // An expired big value is freed in the background only under lazyfree-lazy-expire.
    for (setting, freed) in [(None, 1), (Some("CONFIG SET lazyfree-lazy-expire yes"), 2)] {
        if let Some(set) = setting {
            assert_eq!(s.run(set), "OK");
        }
        s.run(&hset);
        assert_eq!(s.run("PEXPIRE big 1"), "(integer) 1");
        std::thread::sleep(std::time::Duration::from_millis(5));
        // A session's command starts when the previous one ended, as in a pipelined batch.
        s.run("PING");
        assert_eq!(s.run("EXISTS big"), "(integer) 0");
        assert_eq!(freed_when_done(&mut s), freed);
    }
}

/// Under an LFU policy the access stamp is Redis's logarithmic counter: new keys start at 5,
/// each read may raise it (always, with `lfu-log-factor 0`), OBJECT FREQ does not, and
/// `lfu-decay-time` ages it.
#[test]
fn lfu_counters() {
    let mut s = Session::new();
    assert_eq!(
        s.run("OBJECT FREQ nokey"),
        "(error) ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
    );
    assert_eq!(s.run("CONFIG SET maxmemory-policy allkeys-lfu"), "OK");
    assert_eq!(s.run("CONFIG SET lfu-log-factor 0"), "OK");
    assert_eq!(s.run("SET k v"), "OK");
    assert_eq!(s.run("OBJECT FREQ k"), "(integer) 5");
    for _ in 0..3 {
        s.run("GET k");
    }
    assert_eq!(s.run("OBJECT FREQ k"), "(integer) 8");
    // With the default factor, a thousand more reads raise it by far less than a thousand
    // (Redis's table: about 18 after a thousand hits). Each read raises it with probability
    // 1/((counter-5)*10+1), so a thousand reads all failing to raise it from 8 is as likely as
    // (30/31)^1000, never; a hundred would leave it at 8 one run in 25.
    assert_eq!(s.run("CONFIG SET lfu-log-factor 10"), "OK");
    for _ in 0..1000 {
        s.run("GET k");
    }
    let freq: i64 = s.run("OBJECT FREQ k")[10..].parse().unwrap();
    assert!((9..40).contains(&freq), "{freq}");
}
