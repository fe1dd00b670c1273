//! ferrodis-server run as a service runs redis-server: refused directives stop it, it goes to
//! the background with a PID file, listens on a Unix socket, tells systemd when it is ready,
//! and starts on Debian's own /etc/redis/redis.conf, as Debian's redis-server.service runs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::free_port;
const BIN: &str = env!("CARGO_BIN_EXE_ferrodis-server");

/// A fresh directory for one test.
fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ferrodis-service-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Waits up to 20 s for `f` to give a value.
fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends one inline command over `stream` and reads its one-line reply.
fn call<S: Read + Write>(stream: S, command: &str) -> String {
    let mut reader = BufReader::new(stream);
    reader
        .get_mut()
        .write_all(format!("{command}\r\n").as_bytes())
        .unwrap();
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    if let Some(len) = line.strip_prefix('$') {
        let len: usize = len.trim().parse().unwrap();
        let mut body = vec![0; len + 2];
        reader.read_exact(&mut body).unwrap();
        return String::from_utf8_lossy(&body[..len]).into_owned();
    }
    line.trim_end().to_string()
}

/// Runs the server with `args` to its end, as a refused configuration makes it, and returns
/// its exit status and standard error.
fn run_to_exit(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn refused_directives_stop_start_up_and_say_why() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--appendonly", "yes", "--appendfsync", "always"],
            "appendonly: persistence",
        ),
        (&["--user", "default", "on", ">secret"], "user: ACL users"),
        (&["--aclfile", "/etc/redis/users.acl"], "aclfile: ACL"),
        (
            &["--replicaof", "127.0.0.1", "6379"],
            "replicaof: replication",
        ),
        (&["--tls-port", "6380"], "tls-port: TLS"),
        (
            &["--cluster-enabled", "yes"],
            "cluster-enabled: cluster mode",
        ),
        (&["--loadmodule", "/x/mod.so"], "loadmodule: modules"),
        (&["--sentinel"], "sentinel: Redis Sentinel"),
        (
            &["--rename-command", "nosuchcmd", "x"],
            "No such command in rename-command",
        ),
    ];
    for (args, want) in cases {
        let (code, stderr) = run_to_exit(args);
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("*** FATAL CONFIG FILE ERROR"), "{stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}

#[test]
fn daemon_with_pidfile_and_unix_socket() {
    let d = tmpdir("daemon");
    let (sock, pidfile, log) = (d.join("redis.sock"), d.join("redis.pid"), d.join("log"));
    // A stale socket file from an earlier run is replaced, as Redis does.
    std::fs::write(&sock, b"stale").unwrap();
    let status = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--daemonize",
            "yes",
            "--unixsocketperm",
            "700",
            "--save",
            "",
        ])
        .arg("--unixsocket")
        .arg(&sock)
        .arg("--pidfile")
        .arg(&pidfile)
        .arg("--logfile")
        .arg(&log)
        .stdin(Stdio::null())
        .status()
        .unwrap();
    // The parent returns at once; the daemon carries on.
    assert!(status.success());
    let pid: u32 = wait_for("the PID file", || {
        std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.strip_suffix('\n').and_then(|s| s.parse().ok()))
    });
    let stream = wait_for("the Unix socket", || UnixStream::connect(&sock).ok());
    assert_eq!(call(&stream, "PING"), "+PONG");
    let mode = std::fs::metadata(&sock).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    let list = call(&stream, "CLIENT LIST");
    let addr = format!("addr={}:0 laddr={}:0 ", sock.display(), sock.display());
    assert!(list.contains(&addr), "{list}");
    assert!(list.contains(" flags=U "), "{list}");
    // Nothing listens on TCP with port 0; INFO names the daemon's own pid.
    assert!(call(&stream, "INFO server").contains(&format!("process_id:{pid}\r\n")));

    drop(call(&stream, "SHUTDOWN"));
    wait_for("the daemon to exit", || {
        (!Path::new(&format!("/proc/{pid}")).exists()).then_some(())
    });
    assert!(!pidfile.exists(), "the PID file is removed at exit");
    assert!(!sock.exists(), "the socket file is removed at exit");
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("Ready to accept connections"), "{log}");
    let _ = std::fs::remove_dir_all(&d);
}

/// Starts the server with `args` and `NOTIFY_SOCKET` pointing at a socket of the test's, and
/// returns the child and what it told systemd until it was ready.
fn start_notified(d: &Path, args: &[&str]) -> (std::process::Child, UnixDatagram, String) {
    let notify = d.join("notify");
    let listener = UnixDatagram::bind(&notify).unwrap();
    listener
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let child = Command::new(BIN)
        .args(args)
        .env("NOTIFY_SOCKET", &notify)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut told = String::new();
    while !told.contains("READY=1\n") {
        let mut buf = [0u8; 256];
        let n = listener.recv(&mut buf).expect("a notification within 20 s");
        told.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    (child, listener, told)
}

#[test]
fn systemd_supervision_reports_ready_and_stopping() {
    let d = tmpdir("systemd");
    let port = free_port().to_string();
    let (mut child, listener, told) = start_notified(
        &d,
        &["--port", &port, "--supervised", "systemd", "--save", ""],
    );
    assert_eq!(told, "STATUS=Ready to accept connections\nREADY=1\n");
    let stream = std::net::TcpStream::connect(("127.0.0.1", port.parse().unwrap())).unwrap();
    assert!(call(&stream, "INFO server").contains("process_supervised:systemd\r\n"));
    drop(call(&stream, "SHUTDOWN"));
    let mut buf = [0u8; 256];
    let n = listener.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"STOPPING=1\n");
    assert!(child.wait().unwrap().success());
}

/// Debian's redis-server.service runs `redis-server /etc/redis/redis.conf --supervised systemd
/// --daemonize no`; ferrodis starts the same way on the same, unchanged file (with another port,
/// so that a real Redis on 6379 is left alone).
#[test]
fn starts_on_debians_redis_conf() {
    let conf = Path::new("/etc/redis/redis.conf");
    assert!(
        conf.exists(),
        "Debian's redis-server package must be installed (scripts/test.sh installs it)"
    );
    let d = tmpdir("debian");
    let port = free_port().to_string();
    let (mut child, _listener, told) = start_notified(
        &d,
        &[
            "/etc/redis/redis.conf",
            "--supervised",
            "systemd",
            "--daemonize",
            "no",
            "--port",
            &port,
            "--dir",
            &d.to_string_lossy(),
        ],
    );
    assert!(told.ends_with("READY=1\n"), "{told}");
    let stream = std::net::TcpStream::connect(("127.0.0.1", port.parse().unwrap())).unwrap();
    assert_eq!(call(&stream, "SET k v"), "+OK");
    assert!(call(&stream, "INFO server").contains("config_file:/etc/redis/redis.conf\r\n"));
    // The file asks for Redis's default save points: SHUTDOWN saves the dataset first.
    drop(call(&stream, "SHUTDOWN"));
    assert!(child.wait().unwrap().success());
    assert!(d.join("dump.rdb").exists(), "SHUTDOWN saved the dataset");
    let _ = std::fs::remove_dir_all(&d);
}

/// INFO memory splits what the allocator counts (only the binary installs the counting
/// allocator) into Redis's overhead and dataset.
#[test]
fn memory_is_split_into_overhead_and_dataset() {
    let port = free_port().to_string();
    let mut child = Command::new(BIN)
        .args(["--port", &port, "--save", ""])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stream = wait_for("the server", || {
        std::net::TcpStream::connect(("127.0.0.1", port.parse().unwrap())).ok()
    });
    let value = "v".repeat(100);
    for i in 0..2000 {
        assert_eq!(call(&stream, &format!("SET key:{i} {value}")), "+OK");
    }
    let info = call(&stream, "INFO memory");
    let field = |name: &str| -> u64 {
        info.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in {info}"))
    };
    let (used, overhead) = (field("used_memory"), field("used_memory_overhead"));
    let (startup, dataset) = (field("used_memory_startup"), field("used_memory_dataset"));
    assert_eq!(overhead + dataset, used, "{info}");
    assert!(startup > 0 && overhead > startup, "{info}");
    // 2000 values of 100 bytes each are data, not overhead.
    assert!(dataset >= 200_000, "{info}");
    drop(call(&stream, "SHUTDOWN"));
    assert!(child.wait().unwrap().success());
}
