//! The connection and command cycle shared by one-shot and interactive use:
//! connecting with AUTH/SELECT/HELLO as redis-cli does, sending a command (with
//! repeats, intervals, cluster redirections), printing its reply, and streaming
//! MONITOR and SUBSCRIBE output.

use std::io::Write;
use std::time::Duration;

use ferrodis::client::Client;
use ferrodis::{Cmd, Error, Transport, Value};
use tokio::runtime::Runtime;

use crate::format::{self, Output};
use crate::opts::Config;

/// Prints bytes to stdout and flushes; a closed stdout ends the program quietly,
/// as SIGPIPE ends redis-cli.
pub fn emit(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if out.write_all(bytes).and_then(|_| out.flush()).is_err() {
        std::process::exit(0);
    }
}

/// hiredis's wording of an error: the OS message without Rust's `(os error N)`.
pub fn errstr(e: &Error) -> String {
    match e {
        Error::Io(io) => {
            let s = io.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
        Error::Closed => "Server closed the connection".to_string(),
        Error::Protocol(p) => format!("Protocol error: {p}"),
        other => other.to_string(),
    }
}

fn eq(a: &[u8], b: &str) -> bool {
    a.eq_ignore_ascii_case(b.as_bytes())
}

/// One client session: settings, the connection (if any) and what redis-cli tracks
/// about it (database, MULTI state, streaming modes).
pub struct Session {
    pub cfg: Config,
    pub rt: Runtime,
    pub client: Option<Client>,
    pub dbnum: i64,
    pub in_multi: bool,
    pre_multi_db: i64,
    pub interactive: bool,
    monitor_mode: bool,
    pubsub_mode: bool,
    shutdown: bool,
    cluster_reissue: bool,
    cluster_asking: bool,
    last_was_error: bool,
    last_was_nil: bool,
}

impl Session {
    pub fn new(cfg: Config, rt: Runtime) -> Session {
        Session {
            cfg,
            rt,
            client: None,
            dbnum: 0,
            in_multi: false,
            pre_multi_db: 0,
            interactive: false,
            monitor_mode: false,
            pubsub_mode: false,
            shutdown: false,
            cluster_reissue: false,
            cluster_asking: false,
            last_was_error: false,
            last_was_nil: false,
        }
    }

    /// The interactive prompt: `host:port[db](TX)> `.
    pub fn prompt(&self) -> String {
        let mut p = match &self.cfg.socket {
            Some(s) => format!("redis {s}"),
            None if self.cfg.host.contains(':') => {
                format!("[{}]:{}", self.cfg.host, self.cfg.port)
            }
            None => format!("{}:{}", self.cfg.host, self.cfg.port),
        };
        if self.dbnum != 0 {
            p.push_str(&format!("[{}]", self.dbnum));
        }
        if self.in_multi {
            p.push_str("(TX)");
        }
        p.push_str("> ");
        p
    }

    /// Connects unless connected (or always with `force`), then authenticates,
    /// selects the database and switches protocol. Failures print redis-cli's
    /// message unless `quiet`; an AUTH or SELECT failure keeps the connection, so
    /// the next command shows the server's complaint.
    pub fn connect(&mut self, force: bool, quiet: bool) -> bool {
        if self.client.is_some() && !force {
            return true;
        }
        if self.client.take().is_some() {
            self.dbnum = 0;
            self.in_multi = false;
        }
        let use_socket = self.cfg.socket.is_some() && !(self.cfg.cluster && self.cluster_reissue);
        let res = if use_socket {
            let path = self.cfg.socket.clone().unwrap_or_default();
            #[cfg(unix)]
            {
                self.rt.block_on(Transport::unix(path))
            }
            #[cfg(not(unix))]
            {
                let _ = path;
                Err(Error::InvalidConfig(
                    "Unix sockets are not supported".into(),
                ))
            }
        } else {
            let (host, port) = (self.cfg.host.clone(), self.cfg.port);
            self.rt.block_on(Transport::tcp((host.as_str(), port)))
        };
        let transport = match res {
            Ok(t) => t,
            Err(e) => {
                if !quiet {
                    let target = if use_socket {
                        self.cfg.socket.clone().unwrap_or_default()
                    } else {
                        format!("{}:{}", self.cfg.host, self.cfg.port)
                    };
                    eprintln!("Could not connect to Redis at {target}: {}", errstr(&e));
                }
                return false;
            }
        };
        self.client = Some(Client::new(transport));
        if let Some(pass) = self.cfg.auth.clone() {
            let mut c = ferrodis::cmd("AUTH");
            if let Some(u) = &self.cfg.user {
                c.arg(u.as_str());
            }
            c.arg(pass);
            match self.setup_call(&c) {
                None => return false,
                Some(Value::Error(e)) => {
                    eprintln!("AUTH failed: {e}");
                    return false;
                }
                Some(_) => {}
            }
        }
        if !self.select() {
            return false;
        }
        if self.cfg.resp3 != 0 && !self.cfg.resp2 {
            match self.setup_call(ferrodis::cmd("HELLO").arg("3")) {
                None => return false,
                Some(Value::Error(e)) => {
                    eprintln!("HELLO 3 failed: {e}");
                    if self.cfg.resp3 == 1 {
                        return false;
                    }
                }
                Some(_) => {}
            }
        }
        true
    }

    /// A setup command; `None` (after printing redis-cli's message) on I/O failure.
    fn setup_call(&mut self, c: &Cmd) -> Option<Value> {
        let client = self.client.as_mut()?;
        match self.rt.block_on(client.execute(c)) {
            Ok(v) => Some(v),
            Err(_) => {
                eprintln!("\nI/O error");
                None
            }
        }
    }

    /// SELECTs the requested database if the connection is on another.
    fn select(&mut self) -> bool {
        if self.cfg.input_db == self.dbnum {
            return true;
        }
        let db = self.cfg.input_db;
        match self.setup_call(ferrodis::cmd("SELECT").arg(db)) {
            None => false,
            Some(Value::Error(e)) => {
                eprintln!("SELECT {db} failed: {e}");
                false
            }
            Some(_) => {
                self.dbnum = db;
                true
            }
        }
    }

    /// Runs a command `repeat` times (forever if negative), reconnecting first if
    /// needed and following cluster redirections. False on failure.
    pub fn issue(&mut self, argv: &[Vec<u8>], repeat: i64) -> bool {
        let Some(name) = argv.first() else {
            return true;
        };
        if eq(name, "help") || eq(name, "?") {
            let topics: Vec<Vec<u8>> = argv.get(1..).unwrap_or_default().to_vec();
            crate::repl::output_help(self, &topics);
            return true;
        }
        loop {
            if (self.cluster_reissue || self.client.is_none()) && !self.connect(true, false) {
                self.cluster_reissue = false;
                return false;
            }
            self.cluster_reissue = false;
            if self.cluster_asking {
                self.cluster_asking = false;
                match self.setup_call(&ferrodis::cmd("ASKING")) {
                    None => return false,
                    Some(Value::Error(e)) => {
                        eprintln!("ASKING failed: {e}");
                        return false;
                    }
                    Some(_) => {}
                }
            }
            if let Err(msg) = self.send(argv, repeat) {
                eprintln!("Error: {msg}");
                self.client = None;
                return false;
            }
            if self.cfg.cluster && self.cluster_reissue {
                continue;
            }
            return true;
        }
    }

    /// Sends one command `repeat` times and prints the replies.
    fn send(&mut self, argv: &[Vec<u8>], mut repeat: i64) -> Result<(), String> {
        let name = argv.first().cloned().unwrap_or_default();
        let arg1 = argv.get(1).map(Vec::as_slice).unwrap_or_default();
        let argc = argv.len();
        // Replies that are text meant for people print raw even on a terminal.
        let output_raw = eq(&name, "info")
            || eq(&name, "lolwut")
            || (argc >= 2
                && eq(&name, "debug")
                && (eq(arg1, "htstats") || eq(arg1, "htstats-key") || eq(arg1, "client-eviction")))
            || (argc >= 2
                && eq(&name, "memory")
                && (eq(arg1, "malloc-stats") || eq(arg1, "doctor")))
            || (argc == 2 && eq(&name, "cluster") && (eq(arg1, "nodes") || eq(arg1, "info")))
            || (argc >= 2 && eq(&name, "client") && (eq(arg1, "list") || eq(arg1, "info")))
            || (argc == 3 && eq(&name, "latency") && eq(arg1, "graph"))
            || (argc == 2 && eq(&name, "latency") && eq(arg1, "doctor"))
            || (argc >= 2 && eq(&name, "proxy") && eq(arg1, "info"));
        if eq(&name, "shutdown") {
            self.shutdown = true;
        }
        if eq(&name, "monitor") {
            self.monitor_mode = true;
        }
        if eq(&name, "subscribe") || eq(&name, "psubscribe") || eq(&name, "ssubscribe") {
            self.pubsub_mode = true;
        }
        if eq(&name, "sync") || eq(&name, "psync") {
            eprintln!("ferrodis-cli: replica output mode is not supported");
            return Ok(());
        }
        let cmd = Cmd::from_args(argv.iter().map(Vec::as_slice));
        while repeat != 0 {
            if repeat > 0 {
                repeat -= 1;
            }
            let client = self.client.as_mut().ok_or("not connected")?;
            if let Err(e) = self.rt.block_on(client.send(&cmd)) {
                return self.read_failed(&e);
            }
            if self.monitor_mode {
                while self.monitor_mode {
                    self.read_reply(output_raw)?;
                    if self.last_was_error {
                        self.monitor_mode = false;
                    }
                }
                return Ok(());
            }
            if self.pubsub_mode {
                if self.cfg.output != Output::Raw {
                    emit(b"Reading messages... (press Ctrl-C to quit)\n");
                }
                while self.pubsub_mode {
                    self.read_reply(output_raw)?;
                    if self.last_was_error {
                        self.pubsub_mode = false;
                    }
                }
                continue;
            }
            self.read_reply(output_raw)?;
            self.after_reply(argv);
            if self.cluster_reissue {
                break;
            }
            if self.cfg.interval_us > 0 {
                std::thread::sleep(Duration::from_micros(self.cfg.interval_us));
            }
        }
        Ok(())
    }

    /// Tracks the state commands leave behind: the database, MULTI, RESET.
    fn after_reply(&mut self, argv: &[Vec<u8>]) {
        let name = argv.first().map(Vec::as_slice).unwrap_or_default();
        let argc = argv.len();
        if eq(name, "select") && argc == 2 && !self.last_was_error {
            let db = argv
                .get(1)
                .and_then(|a| std::str::from_utf8(a).ok())
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0);
            self.cfg.input_db = db;
            self.dbnum = db;
        } else if eq(name, "auth") && (argc == 2 || argc == 3) {
            self.select();
        } else if eq(name, "multi") && argc == 1 && !self.last_was_error {
            self.in_multi = true;
            self.pre_multi_db = self.dbnum;
        } else if eq(name, "exec") && argc == 1 && self.in_multi {
            self.in_multi = false;
            if self.last_was_error || self.last_was_nil {
                self.cfg.input_db = self.pre_multi_db;
                self.dbnum = self.pre_multi_db;
            }
        } else if eq(name, "discard") && argc == 1 && !self.last_was_error {
            self.in_multi = false;
            self.cfg.input_db = self.pre_multi_db;
            self.dbnum = self.pre_multi_db;
        } else if eq(name, "reset") && argc == 1 && !self.last_was_error {
            self.in_multi = false;
            self.dbnum = 0;
            self.cfg.input_db = 0;
            self.cfg.resp3 = 0;
        }
    }

    /// What redis-cli does when reading a reply fails.
    fn read_failed(&mut self, e: &Error) -> Result<(), String> {
        if self.shutdown {
            self.client = None;
            return Ok(());
        }
        if self.interactive {
            return Err(errstr(e));
        }
        eprintln!("Error: {}", errstr(e));
        std::process::exit(1);
    }

    /// Reads one reply (printing RESP3 pushes that come before it) and prints it.
    fn read_reply(&mut self, output_raw: bool) -> Result<(), String> {
        let streaming = self.monitor_mode || self.pubsub_mode;
        let interruptible = self.interactive && streaming;
        let value = loop {
            let Some(client) = self.client.as_mut() else {
                return Err("not connected".into());
            };
            let read = if interruptible {
                self.rt.block_on(async {
                    tokio::select! {
                        v = client.read_value() => Some(v),
                        _ = tokio::signal::ctrl_c() => None,
                    }
                })
            } else {
                Some(self.rt.block_on(client.read_value()))
            };
            match read {
                None => {
                    // Ctrl-C ends MONITOR or SUBSCRIBE and returns to the prompt
                    // on a fresh connection.
                    self.monitor_mode = false;
                    self.pubsub_mode = false;
                    self.last_was_error = false;
                    self.connect(true, false);
                    return Ok(());
                }
                Some(Ok(Some(v @ Value::Push(_)))) if !streaming => {
                    if self.cfg.push_output {
                        let text = if self.cfg.output == Output::Standard {
                            format::invalidate_tty(&v)
                        } else {
                            None
                        };
                        let text = text.unwrap_or_else(|| self.render(&v, false));
                        emit(&text);
                    }
                }
                Some(Ok(Some(v))) => break v,
                Some(Ok(None)) => return self.read_failed(&Error::Closed),
                Some(Err(e)) => return self.read_failed(&e),
            }
        };
        self.last_was_error = matches!(value, Value::Error(_));
        self.last_was_nil = value.is_nil();
        if self.cfg.cluster {
            if let Value::Error(e) = &value {
                let text = e.text().into_owned();
                if text.starts_with("MOVED ") || text.starts_with("ASK ") {
                    self.redirect(&text);
                    return Ok(());
                }
            }
        }
        if !self.interactive && self.cfg.errcode {
            if let Value::Error(e) = &value {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
        let text = self.render(&value, output_raw);
        emit(&text);
        Ok(())
    }

    /// Follows `MOVED slot host:port` or `ASK slot host:port`.
    fn redirect(&mut self, text: &str) {
        let mut words = text.split(' ');
        let kind = words.next().unwrap_or("");
        let slot = words.next().unwrap_or("0");
        let target = words.next().unwrap_or("");
        if let Some((host, port)) = target.rsplit_once(':') {
            self.cfg.host = host.to_string();
            self.cfg.port = port.parse().unwrap_or(0);
        }
        if self.interactive {
            emit(
                format!(
                    "-> Redirected to slot [{slot}] located at {}:{}\n",
                    self.cfg.host, self.cfg.port
                )
                .as_bytes(),
            );
        }
        self.cluster_reissue = true;
        if kind == "ASK" {
            self.cluster_asking = true;
        }
    }

    /// A reply in the configured output mode.
    pub fn render(&self, v: &Value, output_raw: bool) -> Vec<u8> {
        format::reply(
            v,
            self.cfg.output,
            output_raw,
            &self.cfg.mb_delim,
            &self.cfg.cmd_delim,
        )
    }

    /// Runs a setup-style command for the modes (SCAN, INFO, PING...): the reply, or
    /// an error string for I/O failures.
    pub fn call(&mut self, c: &Cmd) -> Result<Value, Error> {
        let client = self.client.as_mut().ok_or(Error::Closed)?;
        let res = self.rt.block_on(client.execute(c));
        if res.is_err() {
            self.client = None;
        }
        res
    }
}
