//! Command-line options, spelled as redis-cli spells them, parsed with clap and
//! then settled into a [`Config`] the rest of the program reads.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser};

use crate::format::{unquote, Output};

/// redis-cli's options. Options stop at the first word that is not one; that word
/// and everything after it is the command.
#[derive(Parser, Debug)]
#[command(
    name = "ferrodis-cli",
    disable_help_flag = true,
    disable_version_flag = true,
    args_override_self = true,
    dont_collapse_args_in_usage = true
)]
struct Args {
    #[arg(short = 'h')]
    host: Option<String>,
    #[arg(short = 'p')]
    port: Option<String>,
    #[arg(short = 's')]
    socket: Option<String>,
    #[arg(short = 'a', long = "pass", allow_hyphen_values = true)]
    pass: Option<String>,
    #[arg(long = "user", allow_hyphen_values = true)]
    user: Option<String>,
    #[arg(long = "askpass")]
    askpass: bool,
    #[arg(short = 'u')]
    uri: Option<String>,
    #[arg(short = 'r', allow_hyphen_values = true)]
    repeat: Option<String>,
    #[arg(short = 'i', allow_hyphen_values = true)]
    interval: Option<String>,
    #[arg(short = 'n', allow_hyphen_values = true)]
    db: Option<String>,
    #[arg(short = '2')]
    resp2: bool,
    #[arg(short = '3')]
    resp3: bool,
    #[arg(short = 'x')]
    stdin_last: bool,
    #[arg(short = 'X')]
    stdin_tag: Option<String>,
    #[arg(short = 'd', allow_hyphen_values = true)]
    mb_delim: Option<String>,
    #[arg(short = 'D', allow_hyphen_values = true)]
    cmd_delim: Option<String>,
    #[arg(short = 'c')]
    cluster: bool,
    #[arg(short = 'e')]
    errcode: bool,
    #[arg(long = "raw")]
    raw: bool,
    #[arg(long = "no-raw")]
    no_raw: bool,
    #[arg(long = "quoted-input")]
    quoted_input: bool,
    #[arg(long = "csv")]
    csv: bool,
    #[arg(long = "json")]
    json: bool,
    #[arg(long = "quoted-json")]
    quoted_json: bool,
    #[arg(long = "show-pushes")]
    show_pushes: Option<String>,
    #[arg(long = "stat")]
    stat: bool,
    #[arg(long = "latency")]
    latency: bool,
    #[arg(long = "latency-history")]
    latency_history: bool,
    #[arg(long = "latency-dist")]
    latency_dist: bool,
    #[arg(long = "mono")]
    mono: bool,
    #[arg(long = "lru-test")]
    lru_test: Option<String>,
    #[arg(long = "replica", alias = "slave")]
    replica: bool,
    #[arg(long = "rdb")]
    rdb: Option<String>,
    #[arg(long = "functions-rdb")]
    functions_rdb: Option<String>,
    #[arg(long = "pipe")]
    pipe: bool,
    #[arg(long = "pipe-timeout")]
    pipe_timeout: Option<String>,
    #[arg(long = "bigkeys")]
    bigkeys: bool,
    #[arg(long = "memkeys")]
    memkeys: bool,
    #[arg(long = "memkeys-samples")]
    memkeys_samples: Option<String>,
    #[arg(long = "hotkeys")]
    hotkeys: bool,
    #[arg(long = "scan")]
    scan: bool,
    #[arg(long = "pattern", allow_hyphen_values = true)]
    pattern: Option<String>,
    #[arg(long = "quoted-pattern", allow_hyphen_values = true)]
    quoted_pattern: Option<String>,
    #[arg(long = "count")]
    count: Option<String>,
    #[arg(long = "intrinsic-latency")]
    intrinsic_latency: Option<String>,
    #[arg(long = "eval")]
    eval: Option<String>,
    #[arg(long = "ldb")]
    ldb: bool,
    #[arg(long = "ldb-sync-mode")]
    ldb_sync: bool,
    #[arg(long = "cluster", num_args = 1.., allow_hyphen_values = false)]
    cluster_manager: Option<Vec<String>>,
    #[arg(long = "tls")]
    tls: bool,
    #[arg(long = "verbose")]
    verbose: bool,
    #[arg(long = "no-auth-warning")]
    no_auth_warning: bool,
    #[arg(long = "help")]
    help: bool,
    #[arg(short = 'v', long = "version")]
    version: bool,
    /// The command and its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    command: Vec<OsString>,
}

/// A mode that replaces the normal command/REPL flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Run the command given on the command line, or the REPL when there is none.
    Normal,
    Pipe,
    Scan,
    Latency {
        history: bool,
    },
    Stat,
    IntrinsicLatency(u64),
    BigKeys {
        memkeys: bool,
    },
    Replica,
    Rdb {
        file: String,
        functions_only: bool,
    },
}

/// Every setting, after defaults, URL and environment were applied.
#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub socket: Option<String>,
    pub user: Option<String>,
    pub auth: Option<String>,
    pub askpass: bool,
    pub input_db: i64,
    pub repeat: i64,
    /// Microseconds between repeats and mode cycles (0: none).
    pub interval_us: u64,
    pub resp2: bool,
    /// 1 when -3 was given; 2 when --json asked for RESP3 without insisting.
    pub resp3: u8,
    pub stdin_last: bool,
    pub stdin_tag: Option<Vec<u8>>,
    pub mb_delim: Vec<u8>,
    pub cmd_delim: Vec<u8>,
    pub cluster: bool,
    pub errcode: bool,
    pub output: Output,
    pub push_output: bool,
    pub quoted_input: bool,
    pub pattern: Option<Vec<u8>>,
    pub count: Option<u64>,
    pub pipe_timeout: u64,
    pub eval: Option<String>,
    pub mode: Mode,
    pub command: Vec<Vec<u8>>,
}

/// What `main` should do besides running: print usage, the version, or stop with
/// a message and status.
pub enum Parsed {
    Run(Box<Config>),
    Exit(i32),
}

fn atoi(s: &str) -> i64 {
    // C's atoi: optional sign and leading digits, anything else ignored.
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let end = digits
        .bytes()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let n: i64 = digits[..end].parse().unwrap_or(0);
    if neg {
        -n
    } else {
        n
    }
}

fn atof(s: &str) -> f64 {
    let t = s.trim();
    let end = t
        .char_indices()
        .take_while(|(i, c)| {
            c.is_ascii_digit() || *c == '.' || (*i == 0 && (*c == '-' || *c == '+'))
        })
        .count();
    t[..end].parse().unwrap_or(0.0)
}

fn os_to_bytes(s: OsString) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        s.into_vec()
    }
    #[cfg(not(unix))]
    {
        s.to_string_lossy().into_owned().into_bytes()
    }
}

/// The position of the last occurrence of a flag, for "last one wins" choices.
fn last_index(m: &ArgMatches, id: &str) -> Option<usize> {
    m.indices_of(id).and_then(|mut it| it.next_back())
}

fn unrecognized(arg: &str) -> Parsed {
    eprintln!("Unrecognized option or bad number of args for: '{arg}'");
    Parsed::Exit(1)
}

/// Parses the process arguments.
pub fn parse(argv: Vec<OsString>, stdout_tty: bool) -> Parsed {
    let m = match Args::command().try_get_matches_from(&argv) {
        Ok(m) => m,
        Err(e) => {
            let arg = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(s)) => s.clone(),
                _ => String::new(),
            };
            // clap names an option with its value placeholder; keep the flag.
            let flag = arg.split([' ', '=']).next().unwrap_or("").to_string();
            if flag == "-h" && e.kind() != ErrorKind::UnknownArgument {
                crate::usage(false);
                return Parsed::Exit(0);
            }
            return unrecognized(&flag);
        }
    };
    let a = match Args::from_arg_matches(&m) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return Parsed::Exit(1);
        }
    };
    // clap hands an unknown option to the command; redis-cli rejects it.
    if let Some(first) = a.command.first() {
        let word = first.to_string_lossy();
        if word.starts_with('-') {
            return unrecognized(&word);
        }
    }
    if a.help {
        crate::usage(false);
        return Parsed::Exit(0);
    }
    if a.version {
        println!("ferrodis-cli {}", env!("CARGO_PKG_VERSION"));
        return Parsed::Exit(0);
    }
    for (given, what) in [
        (a.tls, "--tls"),
        (a.ldb || a.ldb_sync, "--ldb"),
        (a.cluster_manager.is_some(), "--cluster"),
        (a.lru_test.is_some(), "--lru-test"),
        (a.latency_dist, "--latency-dist"),
        (a.hotkeys, "--hotkeys"),
    ] {
        if given {
            eprintln!("ferrodis-cli: {what} is not supported");
            return Parsed::Exit(1);
        }
    }

    let mut c = Config {
        host: "127.0.0.1".into(),
        port: 6379,
        socket: a.socket.clone(),
        user: None,
        auth: None,
        askpass: a.askpass,
        input_db: 0,
        repeat: 1,
        interval_us: 0,
        resp2: a.resp2,
        resp3: u8::from(a.resp3),
        stdin_last: a.stdin_last,
        stdin_tag: a.stdin_tag.clone().map(String::into_bytes),
        mb_delim: b"\n".to_vec(),
        cmd_delim: b"\n".to_vec(),
        cluster: a.cluster,
        errcode: a.errcode,
        output: if stdout_tty {
            Output::Standard
        } else {
            Output::Raw
        },
        push_output: stdout_tty,
        quoted_input: a.quoted_input,
        pattern: None,
        count: a
            .count
            .as_deref()
            .map(|n| u64::try_from(atoi(n)).unwrap_or(0)),
        pipe_timeout: 30,
        eval: a.eval.clone(),
        mode: Mode::Normal,
        command: a.command.into_iter().map(os_to_bytes).collect(),
    };

    // -h/-p/-n/-a/--user and -u apply in command-line order, as in redis-cli.
    let mut conn_opts: Vec<(usize, &str)> = Vec::new();
    for id in ["host", "port", "db", "pass", "user", "uri"] {
        if let Some(i) = last_index(&m, id) {
            conn_opts.push((i, id));
        }
    }
    conn_opts.sort();
    for (_, id) in conn_opts {
        match id {
            "host" => c.host = a.host.clone().unwrap_or_default(),
            "port" => c.port = u16::try_from(atoi(a.port.as_deref().unwrap_or(""))).unwrap_or(0),
            "db" => c.input_db = atoi(a.db.as_deref().unwrap_or("")),
            "pass" => c.auth = a.pass.clone(),
            "user" => c.user = a.user.clone(),
            _ => {
                if let Err(code) = apply_uri(&mut c, a.uri.as_deref().unwrap_or("")) {
                    return Parsed::Exit(code);
                }
            }
        }
    }
    if let Some(r) = &a.repeat {
        c.repeat = atoi(r);
    }
    if let Some(i) = &a.interval {
        c.interval_us = (atof(i) * 1_000_000.0).max(0.0) as u64;
    }
    if let Some(d) = a.mb_delim {
        c.mb_delim = d.into_bytes();
    }
    if let Some(d) = a.cmd_delim {
        c.cmd_delim = d.into_bytes();
    }
    if let Some(t) = &a.pipe_timeout {
        c.pipe_timeout = u64::try_from(atoi(t)).unwrap_or(0);
    }
    // The output flags: the last one given wins.
    let mut outs: Vec<(usize, Output)> = Vec::new();
    for (id, out) in [
        ("raw", Output::Raw),
        ("no_raw", Output::Standard),
        ("csv", Output::Csv),
        ("json", Output::Json),
        ("quoted_json", Output::QuotedJson),
    ] {
        if m.get_flag(id) {
            if let Some(i) = last_index(&m, id) {
                outs.push((i, out));
            }
        }
    }
    outs.sort_by_key(|(i, _)| *i);
    if let Some((_, out)) = outs.last() {
        c.output = *out;
    }
    if matches!(c.output, Output::Json | Output::QuotedJson) && c.resp3 == 0 {
        c.resp3 = 2;
    }
    if let Some(v) = &a.show_pushes {
        match v.bytes().next().map(|b| b.to_ascii_lowercase()) {
            Some(b'n') => c.push_output = false,
            Some(b'y') => c.push_output = true,
            _ => eprintln!("Unknown --show-pushes value '{v}' (valid: '[y]es', '[n]o')"),
        }
    }
    let pattern_given = [("pattern", false), ("quoted_pattern", true)]
        .into_iter()
        .filter_map(|(id, q)| last_index(&m, id).map(|i| (i, q)))
        .max();
    match pattern_given {
        Some((_, false)) => c.pattern = a.pattern.map(String::into_bytes),
        Some((_, true)) => match a
            .quoted_pattern
            .as_deref()
            .and_then(|p| unquote(p.as_bytes()))
        {
            Some(p) => c.pattern = Some(p),
            None => {
                eprintln!("Invalid quoted string specified for --quoted-pattern.");
                return Parsed::Exit(1);
            }
        },
        None => {}
    }

    if a.rdb.is_some() && a.functions_rdb.is_some() {
        eprintln!("Option --functions-rdb and --rdb are mutually exclusive.");
        return Parsed::Exit(1);
    }
    c.mode = if a.latency || a.latency_history {
        Mode::Latency {
            history: a.latency_history,
        }
    } else if a.replica {
        Mode::Replica
    } else if let Some(file) = a.rdb.clone() {
        Mode::Rdb {
            file,
            functions_only: false,
        }
    } else if let Some(file) = a.functions_rdb.clone() {
        Mode::Rdb {
            file,
            functions_only: true,
        }
    } else if a.pipe {
        Mode::Pipe
    } else if a.bigkeys || a.memkeys || a.memkeys_samples.is_some() {
        Mode::BigKeys {
            memkeys: !a.bigkeys,
        }
    } else if a.stat {
        Mode::Stat
    } else if a.scan {
        Mode::Scan
    } else if let Some(secs) = &a.intrinsic_latency {
        Mode::IntrinsicLatency(u64::try_from(atoi(secs)).unwrap_or(0))
    } else {
        Mode::Normal
    };

    if c.cluster && c.socket.is_some() {
        eprintln!("Options -c and -s are mutually exclusive.");
        return Parsed::Exit(1);
    }
    if c.resp2 && c.resp3 == 1 {
        eprintln!("Options -2 and -3 are mutually exclusive.");
        return Parsed::Exit(1);
    }
    if !a.no_auth_warning && c.auth.is_some() {
        eprintln!(
            "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe."
        );
    }
    if c.stdin_last && c.stdin_tag.is_some() {
        eprintln!("Options -x and -X are mutually exclusive.");
        return Parsed::Exit(1);
    }
    if c.auth.is_none() {
        c.auth = std::env::var("REDISCLI_AUTH").ok();
    }
    Parsed::Run(Box::new(c))
}

/// Applies a `redis://[[user:]password@]host[:port][/db]` URI as redis-cli reads it.
fn apply_uri(c: &mut Config, uri: &str) -> Result<(), i32> {
    let lower = uri.to_ascii_lowercase();
    let rest = if lower.starts_with("rediss://") {
        eprintln!("rediss:// is only supported when ferrodis-cli is compiled with TLS");
        return Err(1);
    } else if lower.starts_with("redis://") {
        &uri["redis://".len()..]
    } else {
        eprintln!("Invalid URI scheme");
        return Err(1);
    };
    let decode = |s: &str| -> Result<String, i32> {
        let mut out = Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while let Some(&ch) = b.get(i) {
            if ch == b'%' {
                let h = b.get(i + 1..i + 3).ok_or_else(|| {
                    eprintln!("Incomplete URI encoding");
                    1
                })?;
                let v = std::str::from_utf8(h)
                    .ok()
                    .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        eprintln!("Illegal character in URI encoding");
                        1
                    })?;
                out.push(v);
                i += 3;
            } else {
                out.push(ch);
                i += 1;
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    };
    let mut cur = rest;
    if cur.is_empty() {
        return Ok(());
    }
    if let Some(at) = cur.find('@') {
        let userinfo = &cur[..at];
        match userinfo.find(':') {
            Some(colon) => {
                c.user = Some(decode(&userinfo[..colon])?);
                c.auth = Some(decode(&userinfo[colon + 1..])?);
            }
            None => c.auth = Some(decode(userinfo)?),
        }
        cur = &cur[at + 1..];
    }
    if cur.is_empty() {
        return Ok(());
    }
    let (hostport, path) = match cur.find('/') {
        Some(i) => (&cur[..i], Some(&cur[i + 1..])),
        None => (cur, None),
    };
    if !hostport.is_empty() {
        match hostport.find(':') {
            Some(i) => {
                c.port = u16::try_from(atoi(&hostport[i + 1..])).unwrap_or(0);
                c.host = hostport[..i].to_string();
            }
            None => c.host = hostport.to_string(),
        }
    }
    if let Some(db) = path.filter(|p| !p.is_empty()) {
        c.input_db = atoi(db);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Config {
        let mut v: Vec<OsString> = vec!["ferrodis-cli".into()];
        v.extend(args.iter().map(OsString::from));
        match parse(v, false) {
            Parsed::Run(c) => *c,
            Parsed::Exit(code) => panic!("exit {code}"),
        }
    }

    #[test]
    fn options_stop_at_the_command() {
        let c = run(&[
            "-h", "host", "-p", "7000", "-n", "9", "set", "k", "-1", "--raw",
        ]);
        assert_eq!((c.host.as_str(), c.port, c.input_db), ("host", 7000, 9));
        assert_eq!(
            c.command,
            vec![
                b"set".to_vec(),
                b"k".to_vec(),
                b"-1".to_vec(),
                b"--raw".to_vec()
            ]
        );
        assert_eq!(c.output, Output::Raw);
        let c = run(&["--raw", "--no-raw", "-r", "-1", "-i", "0.5", "ping"]);
        assert_eq!(c.output, Output::Standard);
        assert_eq!((c.repeat, c.interval_us), (-1, 500_000));
        let c = run(&["-u", "redis://u:p%41@h:1234/5", "-n", "6"]);
        assert_eq!(c.user.as_deref(), Some("u"));
        assert_eq!(c.auth.as_deref(), Some("pA"));
        assert_eq!((c.host.as_str(), c.port, c.input_db), ("h", 1234, 6));
        let c = run(&["--scan", "--quoted-pattern", "\"*:\\x32\""]);
        assert_eq!(c.pattern.as_deref(), Some(&b"*:2"[..]));
        assert_eq!(c.mode, Mode::Scan);
        let c = run(&["-3", "-x", "-D", "", "get"]);
        assert_eq!(c.resp3, 1);
        assert!(c.stdin_last);
        assert!(c.cmd_delim.is_empty());
    }

    #[test]
    fn unknown_options_are_refused() {
        for args in [&["--bogus"][..], &["-z", "get", "k"], &["-n"]] {
            let mut v: Vec<OsString> = vec!["ferrodis-cli".into()];
            v.extend(args.iter().map(OsString::from));
            assert!(matches!(parse(v, false), Parsed::Exit(1)), "{args:?}");
        }
    }

    #[test]
    fn c_number_parsing() {
        assert_eq!(atoi("12abc"), 12);
        assert_eq!(atoi("-3"), -3);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atof("0.25s"), 0.25);
    }
}
