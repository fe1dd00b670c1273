//! Interactive mode: the read–eval–print loop with line editing, history, hints
//! and completion (rustyline on a terminal, plain line reading otherwise), and the
//! `help` system built from the server's COMMAND DOCS.

use std::borrow::Cow;
use std::io::BufRead;
use std::time::Instant;

use ferrodis::Value;
use rustyline::completion::Completer;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use crate::format::Output;
use crate::session::{emit, Session};
use resp::split_args;

/// A help topic: a command (or subcommand) with its argument synopsis, or a
/// command group (`@string`).
#[derive(Debug, Clone)]
pub struct HelpEntry {
    pub group_entry: bool,
    /// The words of the name, upper-cased (`CLIENT`, `LIST`).
    pub argv: Vec<String>,
    /// The whole name (`CLIENT LIST`, `@string`).
    pub full: String,
    pub params: String,
    pub summary: String,
    pub since: Option<String>,
    pub group: String,
}

fn text(v: &Value) -> String {
    v.as_bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

/// Key/value pairs of a RESP2 flat array or a RESP3 map.
fn pairs(v: &Value) -> Vec<(&Value, &Value)> {
    match v {
        Value::Map(p) => p.iter().map(|(k, v)| (k, v)).collect(),
        Value::Array(items) => items
            .chunks(2)
            .filter_map(|c| match c {
                [k, v] => Some((k, v)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Appends the synopsis of one argument description to `params`.
fn add_argument(params: &mut String, arg: &Value) {
    let (mut name, mut kind) = (String::new(), String::new());
    let mut token = String::new();
    let (mut optional, mut multiple, mut multiple_token) = (false, false, false);
    let mut nested: Option<&Value> = None;
    for (k, v) in pairs(arg) {
        match text(k).as_str() {
            "name" => name = text(v),
            "token" => {
                let t = text(v);
                token = if t.is_empty() { "\"\"".into() } else { t };
            }
            "type" => kind = text(v),
            "arguments" => nested = Some(v),
            "flags" => {
                for f in v.as_array().unwrap_or_default() {
                    match text(f).as_str() {
                        "optional" => optional = true,
                        "multiple" => multiple = true,
                        "multiple_token" => multiple_token = true,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let mut repeat = String::new();
    match kind.as_str() {
        "key" | "string" | "integer" | "double" | "pattern" | "unix-time" | "token" => {
            repeat = if name.is_empty() { "\"\"".into() } else { name };
        }
        "oneof" => concat_arguments(&mut repeat, nested, "|"),
        "block" => concat_arguments(&mut repeat, nested, " "),
        _ => {}
    }
    if !token.is_empty() && kind != "pure-token" {
        token.push(' ');
    }
    if optional {
        params.push('[');
    }
    params.push_str(&token);
    params.push_str(&repeat);
    if multiple {
        params.push_str(" [");
        if multiple_token {
            params.push_str(&token);
        }
        params.push_str(&repeat);
        params.push_str(" ...]");
    }
    if optional {
        params.push(']');
    }
}

fn concat_arguments(params: &mut String, args: Option<&Value>, sep: &str) {
    let items = args.and_then(Value::as_array).unwrap_or_default();
    for (i, a) in items.iter().enumerate() {
        add_argument(params, a);
        if i + 1 < items.len() {
            params.push_str(sep);
        }
    }
}

fn command_entry(
    out: &mut Vec<HelpEntry>,
    groups: &mut Vec<String>,
    name: &str,
    sub: Option<&str>,
    doc: &Value,
) {
    let mut argv = vec![name.to_ascii_uppercase()];
    if let Some(s) = sub {
        // Subcommands are named `parent|sub`.
        let word = s.split_once('|').map_or(s, |(_, w)| w);
        argv.push(word.to_ascii_uppercase());
    }
    let full = argv.join(" ");
    let mut e = HelpEntry {
        group_entry: false,
        argv,
        full: full.clone(),
        params: String::new(),
        summary: String::new(),
        since: None,
        group: String::new(),
    };
    let mut subs = Vec::new();
    for (k, v) in pairs(doc) {
        match text(k).as_str() {
            "summary" => e.summary = text(v),
            "since" => e.since = Some(text(v)),
            "group" => {
                e.group = text(v);
                if !groups.contains(&e.group) {
                    groups.push(e.group.clone());
                }
            }
            "arguments" => concat_arguments(&mut e.params, Some(v), " "),
            "subcommands" => subs.push(v),
            _ => {}
        }
    }
    out.push(e);
    for s in subs {
        for (sk, sv) in pairs(s) {
            command_entry(out, groups, name, Some(&text(sk)), sv);
        }
    }
}

/// Builds the help table from COMMAND DOCS, or an empty one if the server cannot
/// be reached or lacks the command.
pub fn init_help(s: &mut Session) -> Vec<HelpEntry> {
    if !s.connect(false, true) {
        return Vec::new();
    }
    let Ok(docs) = s.call(ferrodis::cmd("COMMAND").arg("DOCS")) else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    let mut groups = Vec::new();
    for (name, doc) in pairs(&docs) {
        command_entry(&mut entries, &mut groups, &text(name), None, doc);
    }
    for g in groups {
        let full = format!("@{g}");
        entries.push(HelpEntry {
            group_entry: true,
            argv: vec![full.clone()],
            full,
            params: String::new(),
            summary: String::new(),
            since: None,
            group: String::new(),
        });
    }
    entries.sort_by(|a, b| a.full.cmp(&b.full));
    entries
}

fn print_command_help(e: &HelpEntry, with_group: bool) {
    let mut out = format!(
        "\r\n  \x1b[1m{}\x1b[0m \x1b[90m{}\x1b[0m\r\n  \x1b[33msummary:\x1b[0m {}\r\n",
        e.full, e.params, e.summary
    );
    if let Some(since) = &e.since {
        out.push_str(&format!("  \x1b[33msince:\x1b[0m {since}\r\n"));
    }
    if with_group {
        out.push_str(&format!("  \x1b[33mgroup:\x1b[0m {}\r\n", e.group));
    }
    emit(out.as_bytes());
}

/// `help`, `help @group`, `help command [subcommand]`.
pub fn output_help(s: &mut Session, topics: &[Vec<u8>]) {
    if topics.is_empty() {
        emit(
            format!(
                "ferrodis-cli {}\n\
                 To get help about Redis commands type:\n      \
                 \"help @<group>\" to get a list of commands in <group>\n      \
                 \"help <command>\" for help on <command>\n      \
                 \"help <tab>\" to get a list of possible help topics\n      \
                 \"quit\" to exit\n\n\
                 To set ferrodis-cli preferences:\n      \
                 \":set hints\" enable online hints\n      \
                 \":set nohints\" disable online hints\n\
                 Set your preferences in ~/.redisclirc\n",
                env!("CARGO_PKG_VERSION")
            )
            .as_bytes(),
        );
        return;
    }
    let entries = HELP.with(|h| {
        if h.borrow().is_none() {
            let built = init_help(s);
            *h.borrow_mut() = Some(built);
        }
        h.borrow().clone().unwrap_or_default()
    });
    let words: Vec<String> = topics
        .iter()
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .collect();
    let group = words.first().and_then(|w| w.strip_prefix('@'));
    for e in entries.iter().filter(|e| !e.group_entry) {
        match group {
            Some(g) => {
                if g.eq_ignore_ascii_case(&e.group) {
                    print_command_help(e, false);
                }
            }
            None => {
                if words.len() <= e.argv.len()
                    && words
                        .iter()
                        .zip(&e.argv)
                        .all(|(w, a)| w.eq_ignore_ascii_case(a))
                {
                    print_command_help(e, true);
                }
            }
        }
    }
    emit(b"\r\n");
}

thread_local! {
    /// The help table, built on first use.
    static HELP: std::cell::RefCell<Option<Vec<HelpEntry>>> = const { std::cell::RefCell::new(None) };
}

/// rustyline's view of the help table: hints and completions.
struct CliHelper {
    entries: Vec<HelpEntry>,
    hints: std::rc::Rc<std::cell::Cell<bool>>,
}

impl CliHelper {
    /// The argument synopsis still to type, as redis-cli's hints show it.
    fn hint_for(&self, line: &str) -> Option<String> {
        if !self.hints.get() {
            return None;
        }
        let argv: Vec<String> = split_args(line.as_bytes())?
            .into_iter()
            .map(|a| String::from_utf8_lossy(&a).into_owned())
            .collect();
        if argv.is_empty() {
            return None;
        }
        let mut best: Option<&HelpEntry> = None;
        let mut best_len = 0;
        for e in self.entries.iter().filter(|e| !e.group_entry) {
            let n = e.argv.len();
            if n <= argv.len()
                && n > best_len
                && e.argv
                    .iter()
                    .zip(&argv)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
            {
                best = Some(e);
                best_len = n;
            }
        }
        let e = best?;
        let mut hint = e.params.as_str();
        let mut to_remove = argv.len() - best_len;
        // Drop the words already typed, up to the first optional part.
        while to_remove > 0 && !hint.is_empty() {
            if hint.starts_with('[') {
                break;
            }
            if hint.starts_with(' ') {
                to_remove -= 1;
            }
            hint = &hint[hint.chars().next().map_or(1, char::len_utf8)..];
        }
        let ends_with_space = line.ends_with(|c: char| c.is_ascii_whitespace());
        Some(if ends_with_space {
            hint.to_string()
        } else {
            format!(" {hint}")
        })
    }
}

impl Hinter for CliHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        if pos < line.len() {
            return None;
        }
        self.hint_for(line).filter(|h| !h.trim().is_empty())
    }
}

impl Highlighter for CliHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("\x1b[90m{hint}\x1b[0m"))
    }
}

impl Completer for CliHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        _pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let (start, groups) = match line.get(..5) {
            Some(p) if p.eq_ignore_ascii_case("help ") => {
                let rest = &line[5..];
                (5 + (rest.len() - rest.trim_start().len()), true)
            }
            _ => (0, false),
        };
        let typed = &line[start..];
        let out = self
            .entries
            .iter()
            .filter(|e| groups || !e.group_entry)
            .filter(|e| {
                e.full
                    .get(..typed.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(typed))
            })
            .map(|e| format!("{}{}", &line[..start], e.full))
            .collect();
        Ok((0, out))
    }
}

impl Validator for CliHelper {}
impl Helper for CliHelper {}

/// `~/NAME`, or the path in `env` if set; `None` for `/dev/null` or no home.
fn dotfile(env: &str, name: &str) -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        if p == "/dev/null" {
            return None;
        }
        return Some(p.into());
    }
    std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(name))
}

/// `:set hints` / `:set nohints`.
fn set_preference(argv: &[Vec<u8>], hints: &std::cell::Cell<bool>, interactive: bool) {
    let lead = if interactive { "" } else { ".redisclirc: " };
    let word = |i: usize| {
        argv.get(i)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .unwrap_or_default()
    };
    if word(0).eq_ignore_ascii_case(":set") && argv.len() >= 2 {
        let pref = word(1);
        if pref.eq_ignore_ascii_case("hints") {
            hints.set(true);
        } else if pref.eq_ignore_ascii_case("nohints") {
            hints.set(false);
        } else {
            emit(format!("{lead}unknown redis-cli preference '{pref}'\n").as_bytes());
        }
    } else {
        emit(format!("{lead}unknown redis-cli internal command '{}'\n", word(0)).as_bytes());
    }
}

/// Commands kept out of the history because they carry secrets.
fn is_sensitive(argv: &[Vec<u8>]) -> bool {
    let w = |i: usize| argv.get(i).map(Vec::as_slice).unwrap_or_default();
    let is = |i: usize, s: &str| w(i).eq_ignore_ascii_case(s.as_bytes());
    let argc = argv.len();
    if is(0, "auth") {
        return true;
    }
    if argc > 1 && is(0, "acl") && is(1, "setuser") {
        return true;
    }
    if argc > 2
        && is(0, "config")
        && is(1, "set")
        && (is(2, "masterauth") || is(2, "masteruser") || is(2, "requirepass"))
    {
        return true;
    }
    if argc > 4 && is(0, "hello") {
        let mut j = 2;
        while j < argc {
            let more = argc - 1 - j;
            if is(j, "auth") && more >= 2 {
                return true;
            } else if is(j, "setname") && more > 0 {
                j += 1;
            } else {
                return false;
            }
            j += 1;
        }
    }
    if argc > 7 && is(0, "migrate") {
        for j in 6..argc {
            let more = argc - 1 - j;
            if (is(j, "auth") && more > 0) || (is(j, "auth2") && more >= 2) {
                return true;
            }
            if is(j, "keys") && more > 0 {
                return false;
            }
        }
    }
    false
}

/// C's strtol over the whole word: `Some(n)` only if the word is a number.
fn whole_number(w: &[u8]) -> Option<Result<i64, ()>> {
    let s = std::str::from_utf8(w).ok()?;
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(s.parse::<i64>().map_err(|_| ()))
}

/// Where lines come from: an editor on a terminal, plain reads otherwise (no
/// prompt is printed then, as with linenoise).
enum Input {
    Editor(Box<Editor<CliHelper, DefaultHistory>>),
    Plain(std::io::StdinLock<'static>),
}

/// Runs the interactive loop until `quit`, end of input or Ctrl-C/Ctrl-D.
pub fn run(s: &mut Session) -> ! {
    let entries = init_help(s);
    HELP.with(|h| *h.borrow_mut() = Some(entries.clone()));
    s.interactive = true;
    let hints = std::rc::Rc::new(std::cell::Cell::new(true));
    let tty = std::io::IsTerminal::is_terminal(&std::io::stdin());
    let mut history_file = None;
    let mut input = if tty {
        let mut ed = match Editor::<CliHelper, DefaultHistory>::new() {
            Ok(ed) => ed,
            Err(e) => {
                eprintln!("ferrodis-cli: cannot start the line editor: {e}");
                std::process::exit(1);
            }
        };
        ed.set_helper(Some(CliHelper {
            entries,
            hints: hints.clone(),
        }));
        history_file = dotfile("REDISCLI_HISTFILE", ".rediscli_history");
        if let Some(f) = &history_file {
            let _ = ed.load_history(f);
        }
        if let Some(rc) = dotfile("REDISCLI_RCFILE", ".redisclirc") {
            if let Ok(text) = std::fs::read(rc) {
                for line in text.split(|b| *b == b'\n') {
                    if let Some(argv) = split_args(line) {
                        if !argv.is_empty() {
                            set_preference(&argv, &hints, false);
                        }
                    }
                }
            }
        }
        Input::Editor(Box::new(ed))
    } else {
        Input::Plain(std::io::stdin().lock())
    };

    loop {
        let prompt = if s.client.is_some() {
            s.prompt()
        } else {
            "not connected> ".to_string()
        };
        let line: Vec<u8> = match &mut input {
            Input::Editor(ed) => match ed.readline(&prompt) {
                Ok(l) => l.into_bytes(),
                Err(_) => std::process::exit(0),
            },
            Input::Plain(stdin) => {
                let mut buf = Vec::new();
                match stdin.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => std::process::exit(0),
                    Ok(_) => {
                        if buf.last() == Some(&b'\n') {
                            buf.pop();
                        }
                        buf
                    }
                }
            }
        };
        if line.is_empty() {
            continue;
        }
        let remember = |input: &mut Input, line: &[u8]| {
            if let Input::Editor(ed) = input {
                let _ = ed.add_history_entry(String::from_utf8_lossy(line).into_owned());
                if let Some(f) = &history_file {
                    let _ = ed.save_history(f);
                }
            }
        };
        let Some(argv) = split_args(&line) else {
            emit(b"Invalid argument(s)\n");
            remember(&mut input, &line);
            continue;
        };
        if argv.is_empty() {
            continue;
        }
        let mut repeat = 1;
        let mut skip = 0;
        if argv.len() > 1 {
            if let Some(n) = argv.first().and_then(|w| whole_number(w)) {
                match n {
                    Ok(n) if n > 0 => {
                        repeat = n;
                        skip = 1;
                    }
                    _ => {
                        emit(b"Invalid redis-cli repeat command option value.\n");
                        continue;
                    }
                }
            }
        }
        let cmd = argv.get(skip..).unwrap_or_default();
        if !is_sensitive(cmd) {
            remember(&mut input, &line);
        }
        let first = argv.first().cloned().unwrap_or_default();
        if first.eq_ignore_ascii_case(b"quit") || first.eq_ignore_ascii_case(b"exit") {
            std::process::exit(0);
        } else if first.first() == Some(&b':') {
            set_preference(&argv, &hints, true);
        } else if first.eq_ignore_ascii_case(b"restart") {
            emit(b"Use 'restart' only in Lua debugging mode.\n");
        } else if argv.len() == 3 && first.eq_ignore_ascii_case(b"connect") {
            s.cfg.host = String::from_utf8_lossy(&argv[1]).into_owned();
            s.cfg.port = std::str::from_utf8(&argv[2])
                .ok()
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            s.connect(true, false);
        } else if argv.len() == 1 && first.eq_ignore_ascii_case(b"clear") {
            emit(b"\x1b[H\x1b[2J");
        } else {
            let start = Instant::now();
            s.issue(cmd, repeat);
            let elapsed = start.elapsed();
            if elapsed.as_millis() >= 500 && s.cfg.output == Output::Standard {
                emit(format!("({:.2}s)\n", elapsed.as_secs_f64()).as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_follow_the_synopsis() {
        let helper = CliHelper {
            entries: vec![HelpEntry {
                group_entry: false,
                argv: vec!["SET".into()],
                full: "SET".into(),
                params: "key value [NX|XX] [GET]".into(),
                summary: String::new(),
                since: None,
                group: "string".into(),
            }],
            hints: std::rc::Rc::new(std::cell::Cell::new(true)),
        };
        assert_eq!(
            helper.hint_for("set").as_deref(),
            Some(" key value [NX|XX] [GET]")
        );
        assert_eq!(
            helper.hint_for("set k ").as_deref(),
            Some("value [NX|XX] [GET]")
        );
        assert_eq!(
            helper.hint_for("set k v ").as_deref(),
            Some("[NX|XX] [GET]")
        );
        assert_eq!(helper.hint_for("get"), None);
    }

    #[test]
    fn sensitive_commands() {
        let v = |s: &str| split_args(s.as_bytes()).unwrap_or_default();
        assert!(is_sensitive(&v("AUTH pw")));
        assert!(is_sensitive(&v("config set requirepass x")));
        assert!(is_sensitive(&v("hello 3 AUTH u p")));
        assert!(!is_sensitive(&v("hello 3 SETNAME n")));
        assert!(!is_sensitive(&v("get k")));
    }
}
