//! Transcript tests: ferrodis-cli and /usr/bin/redis-cli run the same invocations
//! against the same server (ferrodis in-process, and redis-server when installed)
//! and must print the same bytes and exit with the same status.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const REDIS_CLI: &str = "/usr/bin/redis-cli";
const FERRODIS_CLI: &str = env!("CARGO_BIN_EXE_ferrodis-cli");

/// One invocation: data to load first, the CLI's arguments (after -h/-p), what to
/// feed on stdin, and whether stdout should count as a terminal (FAKETTY).
struct Case {
    setup: &'static [&'static [&'static str]],
    args: &'static [&'static str],
    stdin: Option<&'static [u8]>,
    tty: bool,
}

const fn tty(args: &'static [&'static str]) -> Case {
    Case {
        setup: &[],
        args,
        stdin: None,
        tty: true,
    }
}

const fn raw(args: &'static [&'static str]) -> Case {
    Case {
        setup: &[],
        args,
        stdin: None,
        tty: false,
    }
}

const DATA: &[&[&str]] = &[
    &["SET", "str", "hello"],
    &["SET", "bin", "tab\tnl\n\"quote\"\\ \x01\x7f end"],
    &["SET", "num", "41"],
    &["MSET", "k1", "v1", "k2", "v2", "k3", "v3"],
];

/// Cases every server can answer (strings, keys, connection and errors).
fn common_cases() -> Vec<Case> {
    let mut v = Vec::new();
    for args in [
        &["set", "k", "v"][..],
        &["get", "str"],
        &["get", "bin"],
        &["get", "missing"],
        &["incr", "num"],
        &["incr", "str"],
        &["nosuchcommand", "a"],
        &["mget", "k1", "missing", "k2"],
        &["keys", "nomatch*"],
        &["ping"],
        &["echo", ""],
        &["exists", "k1", "k2", "k3"],
        &["strlen", "bin"],
        &["set"],
        &["getrange", "str", "0", "2"],
        &["incrbyfloat", "num", "0.5"],
        &["ttl", "str"],
        &["type", "k1"],
        &["config", "get", "maxmemory"],
    ] {
        v.push(Case {
            setup: DATA,
            ..tty(args)
        });
        v.push(Case {
            setup: DATA,
            ..raw(args)
        });
    }
    for args in [
        &["--csv", "mget", "k1", "missing", "bin"][..],
        &["--json", "mget", "k1", "missing", "bin"],
        &["--quoted-json", "get", "bin"],
        &["--no-raw", "get", "bin"],
        &["--raw", "get", "bin"],
        &["-3", "config", "get", "maxmemory"],
        &["-3", "get", "missing"],
        &["-2", "get", "missing"],
        &["-e", "nosuchcommand"],
        &["-e", "get", "str"],
        &["-r", "3", "incr", "num"],
        &["-r", "2", "-i", "0.01", "echo", "x"],
        &["-n", "1", "dbsize"],
        &["-d", ",", "--raw", "mget", "k1", "k2"],
        &["-D", "|", "--raw", "-r", "2", "get", "str"],
        &["--quoted-input", "get", "\"st\\x72\""],
        &["--quoted-input", "get", "\"open"],
        &["--scan", "--pattern", "k*"],
        &["--scan", "--quoted-pattern", "\"k\\x31\""],
        &["--no-raw", "--scan", "--pattern", "bi*"],
    ] {
        v.push(Case {
            setup: DATA,
            ..raw(args)
        });
    }
    v.push(Case {
        setup: DATA,
        args: &["-x", "set", "fromstdin"],
        stdin: Some(b"line one\nline two\n"),
        tty: true,
    });
    v.push(Case {
        setup: DATA,
        args: &["-X", "T", "set", "tagged", "T"],
        stdin: Some(b"tag\x00data"),
        tty: false,
    });
    v.push(Case {
        setup: DATA,
        args: &["-X", "T", "set", "tagged", "nomatch"],
        stdin: Some(b"x"),
        tty: false,
    });
    // Interactive mode with piped input (no prompt is printed, as with linenoise).
    v.push(Case {
        setup: DATA,
        args: &[],
        stdin: Some(
            b"get str\nset key \"\\\"quoted\\\"\"\nget key\nget \"\"key\n3 incr num\n0 ping\n\
              select 2\nset x 1\nmulti\nincr x\nexec\nget 'it\\'s'\n:set nohints\n:bogus\n\
              help get\nnosuch\nquit\n",
        ),
        tty: true,
    });
    v.push(Case {
        setup: DATA,
        args: &[],
        stdin: Some(b"get str\nmget k1 k2\nincr num\n"),
        tty: false,
    });
    v
}

/// Cases needing collections, RESP3 types and client-side caching; the scripts among them
/// (`eval`) only redis-server can answer, so they run against it alone.
fn collection_cases(with_scripts: bool) -> Vec<Case> {
    const SETUP: &[&[&str]] = &[
        &["RPUSH", "list", "a", "b", "c"],
        &["HSET", "hash", "f1", "v1", "f2", "v2"],
        &["SADD", "set", "only"],
        &["ZADD", "zset", "1.5", "m1", "2", "m2"],
    ];
    let mut v = Vec::new();
    for args in [
        &["lrange", "list", "0", "-1"][..],
        &["lrange", "nolist", "0", "-1"],
        &["hgetall", "hash"],
        &["-3", "hgetall", "hash"],
        &["-3", "hgetall", "nohash"],
        &["-3", "smembers", "set"],
        &["-3", "smembers", "noset"],
        &["-3", "zscore", "zset", "m1"],
        &["-3", "zrange", "zset", "0", "-1", "withscores"],
        &["zrange", "zset", "0", "-1", "withscores"],
        &["-3", "eval", "return true", "0"],
        &["-3", "eval", "return false", "0"],
        &["eval", "return {1,{2,{3,'x'}},'y'}", "0"],
        &[
            "-3",
            "eval",
            "redis.setresp(3); return redis.call('hgetall', KEYS[1])",
            "1",
            "hash",
        ],
        &["--json", "-3", "zrange", "zset", "0", "-1", "withscores"],
        &["--csv", "hgetall", "hash"],
        &["lpush", "hash", "x"],
        &["object", "help"],
        &["-3", "memory", "doctor"],
        &["--csv", "-3", "zrange", "zset", "0", "-1", "withscores"],
    ] {
        if !with_scripts && args.contains(&"eval") {
            continue;
        }
        v.push(Case {
            setup: SETUP,
            ..tty(args)
        });
        v.push(Case {
            setup: SETUP,
            ..raw(args)
        });
    }
    // RESP3 push messages: client-side caching invalidations, shown as
    // `-> invalidate: 'key'` on a terminal and as a push reply otherwise.
    for tty in [true, false] {
        v.push(Case {
            setup: SETUP,
            args: &["-3"],
            stdin: Some(b"client tracking on\nget k\nset k 2\nget k\nset k 3\nping\n"),
            tty,
        });
    }
    v.push(Case {
        setup: SETUP,
        args: &["-r", "12", "rpush", "long", "x"],
        stdin: None,
        tty: true,
    });
    v.push(Case {
        setup: &[&[
            "RPUSH", "ten", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10",
        ]],
        args: &["lrange", "ten", "0", "-1"],
        stdin: None,
        tty: true,
    });
    v
}

/// Runs `cli` for a case and returns (stdout, stderr, exit code).
fn run_cli(cli: &str, addr: SocketAddr, case: &Case) -> (Vec<u8>, Vec<u8>, Option<i32>) {
    let mut cmd = Command::new(cli);
    cmd.args(["-h", &addr.ip().to_string(), "-p", &addr.port().to_string()])
        .args(case.args)
        .env("TERM", "dumb")
        .env("REDISCLI_HISTFILE", "/dev/null")
        .env("REDISCLI_RCFILE", "/dev/null")
        .env_remove("REDISCLI_AUTH")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if case.tty {
        cmd.env("FAKETTY", "1");
    } else {
        cmd.env_remove("FAKETTY");
    }
    let mut child = cmd.spawn().expect("spawn cli");
    let mut stdin = child.stdin.take().unwrap();
    let input = case.stdin.unwrap_or_default().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("cli output");
    writer.join().unwrap();
    (out.stdout, out.stderr, out.status.code())
}

/// Loads a case's data with redis-cli itself, on a flushed server.
fn load(addr: SocketAddr, setup: &[&[&str]]) {
    let port = addr.port().to_string();
    let host = addr.ip().to_string();
    let mut all: Vec<&[&str]> = vec![&["FLUSHALL"]];
    all.extend_from_slice(setup);
    for args in all {
        let st = Command::new(REDIS_CLI)
            .args(["-h", &host, "-p", &port])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success());
    }
}

fn compare(addr: SocketAddr, cases: &[Case]) -> usize {
    let mut failures = Vec::new();
    for case in cases {
        load(addr, case.setup);
        let theirs = run_cli(REDIS_CLI, addr, case);
        load(addr, case.setup);
        let ours = run_cli(FERRODIS_CLI, addr, case);
        if ours != theirs {
            failures.push(format!(
                "args {:?} tty={} stdin={:?}\n--- redis-cli (exit {:?}):\n{}{}\n--- ferrodis-cli (exit {:?}):\n{}{}",
                case.args,
                case.tty,
                case.stdin.map(String::from_utf8_lossy),
                theirs.2,
                String::from_utf8_lossy(&theirs.0),
                String::from_utf8_lossy(&theirs.1),
                ours.2,
                String::from_utf8_lossy(&ours.0),
                String::from_utf8_lossy(&ours.1),
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    cases.len()
}

/// The transcripts compare with Debian's redis-cli: a missing one fails the test
/// (scripts/test.sh installs it).
fn require_redis_cli() {
    assert!(
        std::path::Path::new(REDIS_CLI).exists(),
        "{REDIS_CLI} is not installed: run scripts/test.sh, which installs it, or apt-get install redis-tools"
    );
}

/// Starts Debian's redis-server; a missing one fails the test (scripts/test.sh installs it). A
/// replica transfer (redis-cli --rdb) makes the server write its RDB file: it goes to the
/// temporary directory, out of the source tree.
fn redis_server() -> testkit::Spawned {
    let dir = std::env::temp_dir();
    testkit::redis(&["--dir", &dir.to_string_lossy()])
}

#[test]
fn transcripts_against_ferrodis() {
    require_redis_cli();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = ferrodis_server::base::config::Config::new();
    // No save points: the server never writes dump.rdb into the source tree by itself.
    config.load_from_str("save \"\"").unwrap();
    let srv = ferrodis_server::build(config);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    rt.spawn(ferrodis_server::net::run(srv, vec![listener], async move {
        let _ = stopped.await;
    }));
    let mut cases = common_cases();
    cases.extend(collection_cases(false));
    let n = compare(addr, &cases);
    eprintln!("{n} transcripts identical against ferrodis");
    drop(stop);
}

#[test]
fn transcripts_against_redis() {
    require_redis_cli();
    let server = redis_server();
    let mut cases = common_cases();
    cases.extend(collection_cases(true));
    let n = compare(server.addr, &cases);
    eprintln!("{n} transcripts identical against redis-server");
}

#[test]
fn pipe_mode_summary_matches() {
    require_redis_cli();
    let server = redis_server();
    let mut input = Vec::new();
    let mut push = |args: &[&str]| {
        input.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        for a in args {
            input.extend_from_slice(format!("${}\r\n{a}\r\n", a.len()).as_bytes());
        }
    };
    push(&["DEL", "counter"]);
    let big = "x".repeat(100_000);
    for _ in 0..500 {
        push(&["INCR", "counter"]);
        push(&["SET", "big", &big]);
    }
    push(&["INCR"]);
    let input: &'static [u8] = Box::leak(input.into_boxed_slice());
    let case = Case {
        setup: &[],
        args: &["--pipe"],
        stdin: Some(input),
        tty: false,
    };
    load(server.addr, &[]);
    let theirs = run_cli(REDIS_CLI, server.addr, &case);
    load(server.addr, &[]);
    let ours = run_cli(FERRODIS_CLI, server.addr, &case);
    assert_eq!(
        String::from_utf8_lossy(&ours.0),
        String::from_utf8_lossy(&theirs.0)
    );
    assert_eq!(ours, theirs);
    assert!(String::from_utf8_lossy(&ours.0).contains("errors: 1, replies: 1002"));
}

#[test]
fn connection_refused_message_matches() {
    require_redis_cli();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    for args in [&["get", "x"][..], &["--scan"]] {
        let case = raw(args);
        assert_eq!(
            run_cli(FERRODIS_CLI, addr, &case),
            run_cli(REDIS_CLI, addr, &case)
        );
    }
}

#[test]
fn rdb_transfer_matches() {
    require_redis_cli();
    let server = redis_server();
    let dir = std::env::temp_dir().join(format!("ferrodis-cli-rdb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    load(
        server.addr,
        &[&["SET", "a", "1"], &["RPUSH", "l", "x", "y"]],
    );
    for diskless in ["no", "yes"] {
        load(
            server.addr,
            &[&["SET", "a", "1"], &["RPUSH", "l", "x", "y"]],
        );
        for args in [
            &["CONFIG", "SET", "repl-diskless-sync", diskless][..],
            &["CONFIG", "SET", "repl-diskless-sync-delay", "0"],
        ] {
            let st = Command::new(REDIS_CLI)
                .args(["-p", &server.addr.port().to_string()])
                .args(args)
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(st.success());
        }
        let mut results = Vec::new();
        for cli in [REDIS_CLI, FERRODIS_CLI] {
            let file = dir.join(format!("{}-{diskless}.rdb", cli.len()));
            let path: &'static str =
                Box::leak(file.to_string_lossy().into_owned().into_boxed_str());
            let args: &'static [&'static str] = Box::leak(Box::new(["--rdb", path]));
            let (out, err, code) = run_cli(cli, server.addr, &raw(args));
            let err = String::from_utf8_lossy(&err).replace(path, "FILE");
            let bytes = std::fs::read(&file).unwrap();
            assert!(bytes.starts_with(b"REDIS"), "{cli} wrote no RDB");
            results.push((out, err, code, bytes.len()));
        }
        assert_eq!(results[0], results[1], "diskless={diskless}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replica_mode_prints_the_command_stream() {
    let server = redis_server();
    let port = server.addr.port().to_string();
    let child = Command::new(FERRODIS_CLI)
        .args(["-p", &port, "--replica"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let redis = |args: &[&str]| {
        Command::new(REDIS_CLI)
            .args(["-p", &port])
            .args(args)
            .output()
            .unwrap()
            .stdout
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !String::from_utf8_lossy(&redis(&["INFO", "replication"])).contains("state=online") {
        assert!(Instant::now() < deadline, "--replica did not come online");
        std::thread::sleep(Duration::from_millis(100));
    }
    redis(&["SET", "test-key", "value"]);
    // The master streams commands once the replica acknowledges, a second after
    // the snapshot.
    std::thread::sleep(Duration::from_millis(2500));
    redis(&["CLIENT", "KILL", "TYPE", "replica"]);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout
            .to_lowercase()
            .contains("\"set\",\"test-key\",\"value\""),
        "{stdout} / {stderr}"
    );
    assert!(stderr.contains("Server closed the connection"), "{stderr}");
    assert_eq!(out.status.code(), Some(1));
}
