//! ferrodis-cli: a drop-in for redis-cli. Same options, same reply formatting, an
//! interactive mode with history and hints, and the pipe, scan, latency and stat
//! modes.

mod format;
mod modes;
mod opts;
mod repl;
mod session;

use std::io::{IsTerminal, Read};

use opts::{Mode, Parsed};
use session::Session;

/// Prints the option summary (to stderr for errors).
pub fn usage(to_stderr: bool) {
    let text = format!(
        "ferrodis-cli {version}\n\
\n\
Usage: ferrodis-cli [OPTIONS] [cmd [arg [arg ...]]]\n\
  -h <hostname>      Server hostname (default: 127.0.0.1).\n\
  -p <port>          Server port (default: 6379).\n\
  -s <socket>        Server socket (overrides hostname and port).\n\
  -a <password>      Password to use when connecting to the server.\n\
                     You can also use the REDISCLI_AUTH environment\n\
                     variable to pass this password more safely\n\
                     (if both are used, this argument takes precedence).\n\
  --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.\n\
  --pass <password>  Alias of -a for consistency with the new --user option.\n\
  --askpass          Force user to input password from STDIN.\n\
  -u <uri>           Server URI (redis://[[user:]password@]host[:port][/db]).\n\
  -r <repeat>        Execute specified command N times.\n\
  -i <interval>      When -r is used, waits <interval> seconds per command.\n\
                     It is possible to specify sub-second times like -i 0.1.\n\
                     This interval is also used in --scan and --stat per cycle.\n\
  -n <db>            Database number.\n\
  -2                 Start session in RESP2 protocol mode.\n\
  -3                 Start session in RESP3 protocol mode.\n\
  -x                 Read last argument from STDIN (see example below).\n\
  -X                 Read <tag> argument from STDIN (see example below).\n\
  -d <delimiter>     Delimiter between response bulks for raw formatting (default: \\n).\n\
  -D <delimiter>     Delimiter between responses for raw formatting (default: \\n).\n\
  -c                 Enable cluster mode (follow -ASK and -MOVED redirections).\n\
  -e                 Return exit error code when command execution fails.\n\
  --raw              Use raw formatting for replies (default when STDOUT is\n\
                     not a tty).\n\
  --no-raw           Force formatted output even when STDOUT is not a tty.\n\
  --quoted-input     Force input to be handled as quoted strings.\n\
  --csv              Output in CSV format.\n\
  --json             Output in JSON format (default RESP3, use -2 if you want to use with RESP2).\n\
  --quoted-json      Same as --json, but produce ASCII-safe quoted strings, not Unicode.\n\
  --show-pushes <yn> Whether to print RESP3 PUSH messages.  Enabled by default when\n\
                     STDOUT is a tty but can be overridden with --show-pushes no.\n\
  --stat             Print rolling stats about server: mem, clients, ...\n\
  --latency          Enter a special mode continuously sampling latency.\n\
                     If you use this mode in an interactive session it runs\n\
                     forever displaying real-time stats. Otherwise if --raw or\n\
                     --csv is specified, or if you redirect the output to a non\n\
                     TTY, it samples the latency for 1 second (you can use\n\
                     -i to change the interval), then produces a single output\n\
                     and exits.\n\
  --latency-history  Like --latency but tracking latency changes over time.\n\
                     Default time interval is 15 sec. Change it using -i.\n\
  --pipe             Transfer raw Redis protocol from stdin to server.\n\
  --pipe-timeout <n> In --pipe mode, abort with error if after sending all data.\n\
                     no reply is received within <n> seconds.\n\
                     Default timeout: 30. Use 0 to wait forever.\n\
  --scan             List all keys using the SCAN command.\n\
  --pattern <pat>    Keys pattern when using the --scan option (default: *).\n\
  --quoted-pattern <pat> Same as --pattern, but the specified string can be\n\
                         quoted, in order to pass an otherwise non binary-safe string.\n\
  --count <count>    Count option when using --scan.\n\
  --intrinsic-latency <sec> Run a test to measure intrinsic system latency.\n\
                     The test will run for the specified amount of seconds.\n\
  --eval <file>      Send an EVAL command using the Lua script at <file>.\n\
  --verbose          Verbose mode.\n\
  --no-auth-warning  Don't show warning message when using password on command\n\
                     line interface.\n\
  --help             Output this help and exit.\n\
  --version          Output version and exit.\n\
\n\
Examples:\n\
  cat /etc/passwd | ferrodis-cli -x set mypasswd\n\
  ferrodis-cli -D \"\" --raw dump key > key.dump && ferrodis-cli -X dump_tag restore key2 0 dump_tag replace < key.dump\n\
  ferrodis-cli -r 100 lpush mylist x\n\
  ferrodis-cli -r 100 -i 1 info | grep used_memory_human:\n\
  ferrodis-cli --quoted-input set '\"null-\\x00-separated\"' value\n\
  ferrodis-cli --eval myscript.lua key1 key2 , arg1 arg2 arg3\n\
  ferrodis-cli --scan --pattern '*:12345*'\n\
\n\
  (Note: when using --eval the comma separates KEYS[] from ARGV[] items)\n\
\n\
When no command is given, ferrodis-cli starts in interactive mode.\n\
Type \"help\" in interactive mode for information on available commands\n\
and settings.\n\
\n",
        version = env!("CARGO_PKG_VERSION")
    );
    if to_stderr {
        eprint!("{text}");
    } else {
        session::emit(text.as_bytes());
    }
}

fn read_stdin() -> Vec<u8> {
    let mut buf = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
        eprintln!("Reading from standard input: {e}");
        std::process::exit(1);
    }
    buf
}

/// The one-shot path: `ferrodis-cli [options] cmd args...`.
fn noninteractive(s: &mut Session) -> i32 {
    let mut argv = std::mem::take(&mut s.cfg.command);
    if s.cfg.quoted_input {
        let mut unquoted = Vec::with_capacity(argv.len());
        for a in &argv {
            match format::unquote(a) {
                Some(u) => unquoted.push(u),
                None => {
                    session::emit(b"Invalid quoted string\n");
                    return 1;
                }
            }
        }
        argv = unquoted;
    }
    if s.cfg.stdin_last {
        argv.push(read_stdin());
    } else if let Some(tag) = s.cfg.stdin_tag.clone() {
        match argv.iter().position(|a| *a == tag) {
            Some(i) => argv[i] = read_stdin(),
            None => {
                eprintln!("Using -X option but stdin tag not match.");
                return 1;
            }
        }
    }
    let repeat = s.cfg.repeat;
    i32::from(!s.issue(&argv, repeat))
}

/// `--eval file keys... , args...`.
fn eval_mode(s: &mut Session, file: &str) -> i32 {
    let script = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            let msg = e.to_string();
            let msg = msg.split(" (os error").next().unwrap_or(&msg).to_string();
            eprintln!("Can't open file '{file}': {msg}");
            std::process::exit(1);
        }
    };
    let rest = std::mem::take(&mut s.cfg.command);
    let mut keys = Vec::new();
    let mut args = Vec::new();
    let mut got_comma = false;
    for a in rest {
        if !got_comma && a == b"," {
            got_comma = true;
        } else if got_comma {
            args.push(a);
        } else {
            keys.push(a);
        }
    }
    let mut argv = vec![
        b"EVAL".to_vec(),
        script,
        keys.len().to_string().into_bytes(),
    ];
    argv.extend(keys);
    argv.extend(args);
    let repeat = s.cfg.repeat;
    i32::from(!s.issue(&argv, repeat))
}

fn main() {
    let stdout_tty = std::io::stdout().is_terminal() || std::env::var_os("FAKETTY").is_some();
    let mut cfg = match opts::parse(std::env::args_os().collect(), stdout_tty) {
        Parsed::Run(c) => *c,
        Parsed::Exit(code) => std::process::exit(code),
    };
    if cfg.askpass {
        eprint!("Please input password: ");
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        cfg.auth = Some(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ferrodis-cli: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let mut s = Session::new(cfg, rt);
    match s.cfg.mode.clone() {
        Mode::Latency { history } => modes::latency(&mut s, history),
        Mode::Pipe => modes::pipe(&mut s),
        Mode::Stat => modes::stat(&mut s),
        Mode::Scan => modes::scan(&mut s),
        Mode::IntrinsicLatency(secs) => modes::intrinsic_latency(secs),
        Mode::BigKeys { memkeys } => {
            let what = if memkeys { "--memkeys" } else { "--bigkeys" };
            eprintln!("ferrodis-cli: {what} is not supported");
            std::process::exit(1);
        }
        Mode::Replica => modes::replica(&mut s),
        Mode::Rdb {
            file,
            functions_only,
        } => modes::rdb(&mut s, &file, functions_only),
        Mode::Normal => {}
    }
    if s.cfg.command.is_empty() && s.cfg.eval.is_none() {
        s.connect(false, false);
        repl::run(&mut s);
    }
    let code = if let Some(file) = s.cfg.eval.clone() {
        if !s.connect(false, false) {
            std::process::exit(1);
        }
        eval_mode(&mut s, &file)
    } else {
        s.connect(false, true);
        noninteractive(&mut s)
    };
    std::process::exit(code);
}
