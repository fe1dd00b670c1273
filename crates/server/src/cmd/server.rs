//! The server family: INFO, CONFIG, COMMAND, DEBUG, SLOWLOG, LATENCY, MONITOR, TIME,
//! LASTSAVE and SHUTDOWN.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use storage::value::Value;

use crate::base::error::{CmdError, CmdResult};
use crate::command::ctx::{int_arg, is, Ctx};
use crate::command::{acl, flag, help_sub, key, Command, Entry, Handler, KeySpec};
const ADMIN: u32 = flag::ADMIN | flag::NOSCRIPT | flag::LOADING | flag::STALE;
const DANGER: u64 = acl::ADMIN | acl::SLOW | acl::DANGEROUS;

const fn sub(name: &'static str, arity: i32, flags: u32, acl: u64, h: Handler) -> Command {
    Command::new(name, arity, flags, acl, h).doc("server", "2.0.0", "")
}

#[rustfmt::skip]
static CONFIG: &[Command] = &[
    sub("get", -3, ADMIN, DANGER, config_get).doc("server", "2.0.0", "Returns the effective values of configuration parameters."),
    sub("set", -4, ADMIN, DANGER, config_set).doc("server", "2.0.0", "Sets configuration parameters in-flight."),
    sub("resetstat", 2, ADMIN, DANGER, config_resetstat).doc("server", "2.0.0", "Resets the server's statistics."),
    sub("rewrite", 2, ADMIN, DANGER, config_rewrite).doc("server", "2.8.0", "Persists the effective configuration to file."),
    help_sub("server", "5.0.0", acl::SLOW, config_help),
];

#[rustfmt::skip]
static COMMAND: &[Command] = &[
    sub("count", 2, flag::LOADING | flag::STALE, acl::SLOW | acl::CONNECTION, command_count).doc("server", "2.8.13", "Returns a count of commands."),
    sub("info", -2, flag::LOADING | flag::STALE, acl::SLOW | acl::CONNECTION, command_info).doc("server", "2.8.13", "Returns information about one, multiple or all commands."),
    sub("docs", -2, flag::LOADING | flag::STALE, acl::SLOW | acl::CONNECTION, command_docs).doc("server", "7.0.0", "Returns documentary information about one, multiple or all commands."),
    sub("list", -2, flag::LOADING | flag::STALE, acl::SLOW | acl::CONNECTION, command_list).doc("server", "7.0.0", "Returns a list of command names."),
    sub("getkeys", -3, flag::LOADING | flag::STALE, acl::SLOW | acl::CONNECTION, command_getkeys).doc("server", "2.8.13", "Extracts the key names from an arbitrary command."),
    sub("getkeysandflags", -3, flag::LOADING | flag::STALE, acl::SLOW | acl::CONNECTION, command_getkeysandflags).doc("server", "7.0.0", "Extracts the key names and access flags for an arbitrary command."),
    help_sub("server", "5.0.0", acl::SLOW | acl::CONNECTION, command_help),
];

#[rustfmt::skip]
static SLOWLOG: &[Command] = &[
    sub("get", -2, ADMIN, DANGER, slowlog_get).doc("server", "2.2.12", "Returns the slow log's entries."),
    sub("len", 2, ADMIN, DANGER, slowlog_len).doc("server", "2.2.12", "Returns the number of entries in the slow log."),
    sub("reset", 2, ADMIN, DANGER, slowlog_reset).doc("server", "2.2.12", "Clears all entries from the slow log."),
    sub("help", 2, flag::LOADING | flag::STALE, acl::SLOW, slowlog_help).doc("server", "6.2.0", "Show helpful text about the different subcommands"),
];

#[rustfmt::skip]
static LATENCY: &[Command] = &[
    sub("latest", 2, ADMIN, DANGER, latency_latest).doc("server", "2.8.13", "Returns the latest latency samples for all events."),
    sub("history", 3, ADMIN, DANGER, latency_history).doc("server", "2.8.13", "Returns timestamp-latency samples for an event."),
    sub("reset", -2, ADMIN, DANGER, latency_reset).doc("server", "2.8.13", "Resets the latency data for one or more events."),
    sub("graph", 3, ADMIN, DANGER, latency_graph).doc("server", "2.8.13", "Returns a latency graph for an event."),
    sub("doctor", 2, ADMIN, DANGER, latency_doctor).doc("server", "2.8.13", "Returns a human-readable latency analysis report."),
    sub("histogram", -2, ADMIN, DANGER, latency_histogram).doc("server", "7.0.0", "Returns the cumulative distribution of latencies of a subset or all commands."),
    help_sub("server", "2.8.13", acl::SLOW, latency_help),
];

#[rustfmt::skip]
static MEMORY: &[Command] = &[
    sub("usage", -3, flag::READONLY, acl::READ | acl::SLOW, memory_usage).keys(KeySpec { first: 2, last: 2, step: 1, }).key_flags(key::RO).doc("server", "4.0.0", "Estimates the memory usage of a key."),
    sub("stats", 2, 0, acl::SLOW, memory_stats).doc("server", "4.0.0", "Returns details about memory usage."),
    sub("doctor", 2, 0, acl::SLOW, memory_doctor).doc("server", "4.0.0", "Outputs a memory problems report."),
    sub("malloc-stats", 2, 0, acl::SLOW, memory_malloc_stats).doc("server", "4.0.0", "Returns the allocator statistics."),
    sub("purge", 2, 0, acl::SLOW, memory_purge).doc("server", "4.0.0", "Asks the allocator to release memory."),
    help_sub("server", "4.0.0", acl::SLOW, memory_help),
];

/// MODULE: ferrodis cannot load Redis modules, so the list is always empty and every load fails
/// as a failed load does in Redis.
#[rustfmt::skip]
static MODULE: &[Command] = &[
    sub("list", 2, ADMIN, DANGER, module_list).doc("server", "4.0.0", "Returns all loaded modules."),
    sub("load", -3, ADMIN, DANGER, module_load).doc("server", "4.0.0", "Loads a module."),
    sub("loadex", -3, ADMIN, DANGER, module_load).doc("server", "7.0.0", "Loads a module using extended parameters."),
    sub("unload", 3, ADMIN, DANGER, module_unload).doc("server", "4.0.0", "Unloads a module."),
    help_sub("server", "5.0.0", acl::SLOW, module_help),
];

#[rustfmt::skip]
static FUNCTION: &[Command] = &[
    sub("flush", -2, flag::WRITE | flag::NOSCRIPT, acl::WRITE | acl::SLOW, function_flush).doc("scripting", "7.0.0", "Deletes all libraries and functions."),
];

/// The family's commands.
#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    Command::new("info", -1, flag::LOADING | flag::STALE, acl::SLOW | acl::DANGEROUS, info).doc("server", "1.0.0", "Returns information and statistics about the server."),
    Command::container("config", acl::SLOW, CONFIG).doc("server", "2.0.0", "A container for server configuration commands."),
    Command::new("command", -1, flag::LOADING | flag::STALE, acl::SLOW | acl::CONNECTION, command).subcommands(COMMAND).doc("server", "2.8.13", "Returns detailed information about all commands."),
    Command::new("debug", -2, ADMIN | flag::EXCLUSIVE, DANGER, debug).doc("server", "1.0.0", "A container for debugging commands."),
    Command::container("memory", acl::SLOW, MEMORY).doc("server", "4.0.0", "A container for memory diagnostics commands."),
    Command::container("module", acl::SLOW, MODULE).doc("server", "4.0.0", "A container for module commands."),
    Command::new("lolwut", -1, flag::READONLY | flag::FAST, acl::READ | acl::FAST, lolwut).doc("server", "5.0.0", "Displays computer art and the Redis version"),
    Command::container("function", acl::SLOW, FUNCTION).doc("scripting", "7.0.0", "A container for function commands."),
    Command::container("slowlog", acl::SLOW, SLOWLOG).doc("server", "2.2.12", "A container for slow log commands."),
    Command::container("latency", acl::SLOW, LATENCY).doc("server", "2.8.13", "A container for latency diagnostics commands."),
    Command::new("monitor", 1, ADMIN, DANGER, monitor).doc("server", "1.0.0", "Listens for all requests received by the server in real-time."),
    Command::new("time", 1, flag::LOADING | flag::STALE | flag::FAST, acl::FAST, time).doc("server", "2.6.0", "Returns the server time."),
    Command::new("lastsave", 1, flag::LOADING | flag::STALE | flag::FAST, acl::ADMIN | acl::FAST | acl::DANGEROUS, lastsave).doc("server", "1.0.0", "Returns the Unix timestamp of the last successful save to disk."),
    Command::new("shutdown", -1, ADMIN | flag::NO_MULTI | flag::ALLOW_BUSY | flag::EXCLUSIVE, DANGER, shutdown).doc("server", "1.0.0", "Synchronously saves the database(s) to disk and shuts down the Redis server."),
];

fn info(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let sections: Vec<&[u8]> = args[1..].iter().map(|a| &a[..]).collect();
    let text = crate::cmd::info::render(ctx.srv, ctx.table, &sections);
    ctx.out.verbatim(text.as_bytes());
    Ok(())
}

fn config_get(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let patterns: Vec<&[u8]> = args[2..].iter().map(|a| &a[..]).collect();
    let pairs = ctx.srv.config.read().get(&patterns);
    ctx.out.map(pairs.len());
    for (k, v) in pairs {
        ctx.out.bulk(k.as_bytes());
        ctx.out.bulk(&v);
    }
    Ok(())
}

fn config_set(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let rest = &args[2..];
    if !rest.len().is_multiple_of(2) {
        return Err(CmdError::WrongArity("config|set".into()));
    }
    let pairs: Vec<(&[u8], &[u8])> = rest.chunks(2).map(|p| (&p[0][..], &p[1][..])).collect();
    let local = ctx.client.handle.local;
    let set_ctx = crate::base::config::SetContext {
        client_is_local: local,
        loading: false,
    };
    let before = ctx.srv.config.read().clone();
    let changed = ctx
        .srv
        .config
        .write()
        .set_with(&pairs, &set_ctx)
        .map_err(CmdError::raw)?;
    if let Some(name) = changed.iter().find(|n| matches!(**n, "port" | "bind")) {
        if let Err(e) = ctx.srv.rebind() {
            // The new listeners could not be opened: every parameter of the call goes back.
            tracing::warn!("CONFIG SET {name}: {e}");
            *ctx.srv.config.write() = before;
            let reason = if *name == "bind" {
                "Failed to bind to specified addresses."
            } else {
                "Unable to listen on this port. Check server logs."
            };
            return Err(CmdError::raw(crate::base::config::apply_failed_error(
                name, reason,
            )));
        }
    }
    ctx.srv.config_changed(&changed, ctx.fx.running());
    ctx.out.ok();
    Ok(())
}

fn config_resetstat(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.srv.reset_stats();
    ctx.table.reset_stats();
    ctx.out.ok();
    Ok(())
}

fn config_rewrite(_ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    Err(CmdError::err("The server is running without a config file"))
}

fn config_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    super::help(
        ctx,
        "CONFIG",
        &[
            "GET <pattern>",
            "    Values of the parameters matching the glob-like <pattern>.",
            "SET <directive> <value>",
            "    Change a parameter's value while the server runs.",
            "RESETSTAT",
            "    Reset the statistics INFO reports.",
            "REWRITE",
            "    Write the running configuration back to the configuration file.",
        ],
    );
    Ok(())
}

/// Writes names as a set of simple strings, each after `prefix`.
fn name_set<'n>(
    out: &mut crate::base::reply::Out,
    prefix: &str,
    names: impl Iterator<Item = &'n str> + Clone,
) {
    out.set(names.clone().count());
    for n in names {
        out.simple(format!("{prefix}{n}").as_bytes());
    }
}

/// One command's COMMAND INFO entry, subcommands nested.
fn write_info(ctx: &mut Ctx<'_>, e: &Entry) {
    let cmd = e.cmd;
    let out = &mut *ctx.out;
    out.array(10);
    out.bulk(e.full_name().as_bytes());
    out.int(cmd.arity as i64);
    name_set(out, "", flag::names(cmd.flags));
    let KeySpec { first, last, step } = cmd.keys;
    out.int(first as i64);
    out.int(last as i64);
    out.int(step as i64);
    name_set(out, "@", acl::names(cmd.acl));
    out.set(0);
    let specs = usize::from(first > 0) + usize::from(cmd.keynum.is_some());
    out.array(specs);
    if first > 0 {
        let lastkey = if last < 0 { last } else { last - first };
        key_spec(
            out,
            cmd.declared_key_flags(0),
            first as i64,
            "range",
            &[
                ("lastkey", lastkey as i64),
                ("keystep", step as i64),
                ("limit", 0),
            ],
        );
    }
    if let Some(k) = cmd.keynum {
        key_spec(
            out,
            cmd.declared_key_flags(specs - 1),
            k.count_at as i64,
            "keynum",
            &[
                ("keynumidx", 0),
                ("firstkey", k.first as i64),
                ("keystep", k.step as i64),
            ],
        );
    }
    let mut subs: Vec<&Entry> = e.subs.values().collect();
    subs.sort_by_key(|s| s.cmd.name);
    ctx.out.array(subs.len());
    for s in subs {
        write_info(ctx, s);
    }
}

/// One key specification of COMMAND INFO: its flags, where the search begins (an argument
/// index) and how keys are found from there (`range` or `keynum`, with their parameters).
fn key_spec(
    out: &mut crate::base::reply::Out,
    flags: u16,
    index: i64,
    find: &str,
    params: &[(&str, i64)],
) {
    out.map(3);
    out.bulk(b"flags");
    name_set(out, "", key::names(flags));
    out.bulk(b"begin_search");
    out.map(2);
    out.bulk(b"type");
    out.bulk(b"index");
    out.bulk(b"spec");
    out.map(1);
    out.bulk(b"index");
    out.int(index);
    out.bulk(b"find_keys");
    out.map(2);
    out.bulk(b"type");
    out.bulk(find.as_bytes());
    out.bulk(b"spec");
    out.map(params.len());
    for (name, value) in params {
        out.bulk(name.as_bytes());
        out.int(*value);
    }
}

/// Finds a command by full name (`get`, `config|get`).
fn find<'t>(ctx: &Ctx<'t>, name: &[u8]) -> Option<&'t Entry> {
    let table: &'t crate::command::Table = ctx.table;
    let mut parts = name.splitn(2, |&b| b == b'|');
    let top = table.get(parts.next()?)?;
    match parts.next() {
        Some(s) => top.sub(s),
        None => Some(top),
    }
}

fn sorted_commands<'t>(ctx: &Ctx<'t>) -> Vec<&'t Entry> {
    let table: &'t crate::command::Table = ctx.table;
    let mut all: Vec<&Entry> = table.all().collect();
    all.sort_by_key(|e| e.cmd.name);
    all
}

fn command(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let all = sorted_commands(ctx);
    ctx.out.array(all.len());
    for e in all {
        write_info(ctx, e);
    }
    Ok(())
}

fn command_count(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.out.int(ctx.table.len() as i64);
    Ok(())
}

fn command_info(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() == 2 {
        return command(ctx, &args[..1]);
    }
    ctx.out.array(args.len() - 2);
    for name in &args[2..] {
        match find(ctx, name) {
            Some(e) => write_info(ctx, e),
            None => ctx.out.null_array(),
        }
    }
    Ok(())
}

fn write_docs(ctx: &mut Ctx<'_>, e: &Entry) {
    let cmd = e.cmd;
    let mut subs: Vec<&Entry> = e.subs.values().collect();
    subs.sort_by_key(|s| s.cmd.name);
    ctx.out.bulk(e.full_name().as_bytes());
    ctx.out.map(if subs.is_empty() { 3 } else { 4 });
    ctx.out.bulk(b"summary");
    ctx.out.bulk(cmd.summary.as_bytes());
    ctx.out.bulk(b"since");
    ctx.out.bulk(cmd.since.as_bytes());
    ctx.out.bulk(b"group");
    ctx.out.bulk(cmd.group.as_bytes());
    if !subs.is_empty() {
        ctx.out.bulk(b"subcommands");
        ctx.out.map(subs.len());
        for s in subs {
            write_docs(ctx, s);
        }
    }
}

fn command_docs(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let entries: Vec<&Entry> = if args.len() == 2 {
        sorted_commands(ctx)
    } else {
        args[2..].iter().filter_map(|n| find(ctx, n)).collect()
    };
    ctx.out.map(entries.len());
    for e in entries {
        write_docs(ctx, e);
    }
    Ok(())
}

fn command_list(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut names: Vec<String> = Vec::new();
    let filter = match args.len() {
        2 => None,
        5 if is(&args[2], "filterby") => Some((&args[3], &args[4])),
        _ => return Err(CmdError::Syntax),
    };
    for e in sorted_commands(ctx) {
        let mut all = vec![e];
        let mut subs: Vec<&Entry> = e.subs.values().collect();
        subs.sort_by_key(|s| s.cmd.name);
        all.extend(subs);
        for c in all {
            let keep = match filter {
                None => true,
                Some((kind, v)) if is(kind, "aclcat") => acl::NAMES
                    .iter()
                    .any(|(bit, n)| c.cmd.acl & bit != 0 && is(v, n)),
                Some((kind, v)) if is(kind, "pattern") => {
                    storage::glob::glob_match(v, c.full_name().as_bytes(), true)
                }
                Some((kind, _)) if is(kind, "module") => false,
                Some(_) => return Err(CmdError::Syntax),
            };
            if keep {
                names.push(c.full_name());
            }
        }
    }
    ctx.out.array(names.len());
    for n in names {
        ctx.out.bulk(n.as_bytes());
    }
    Ok(())
}

/// The keys of a command given as arguments to COMMAND GETKEYS.
fn keys_of<'a>(
    ctx: &Ctx<'_>,
    argv: &'a [Bytes],
) -> Result<(&'static Command, Vec<&'a Bytes>), CmdError> {
    let mut e = ctx
        .table
        .get(&argv[0])
        .ok_or_else(|| CmdError::err("Invalid command specified"))?;
    if !e.subs.is_empty() {
        if let Some(s) = argv.get(1).and_then(|a| e.sub(a)) {
            e = s;
        }
    }
    let cmd = e.cmd;
    if !cmd.arity_ok(argv.len()) {
        return Err(CmdError::err(
            "Invalid number of arguments specified for command",
        ));
    }
    // Shard channels sit where keys would, but they are not keys (NOT_KEY).
    let keys: Vec<&Bytes> = cmd
        .keys_of(argv)
        .into_iter()
        .enumerate()
        .filter(|&(nth, _)| cmd.flags_of_key(argv, nth) & key::NOT_KEY == 0)
        .filter_map(|(_, i)| argv.get(i))
        .collect();
    if keys.is_empty() {
        let movable = cmd.keynum.is_some() || cmd.keyfn.is_some();
        return Err(CmdError::err(if movable {
            "Invalid arguments specified for command"
        } else {
            "The command has no key arguments"
        }));
    }
    Ok((cmd, keys))
}

fn command_getkeys(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (_, keys) = keys_of(ctx, &args[2..])?;
    ctx.out.array(keys.len());
    for k in keys {
        ctx.out.bulk(k);
    }
    Ok(())
}

fn command_getkeysandflags(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let argv = &args[2..];
    let (cmd, keys) = keys_of(ctx, argv)?;
    ctx.out.array(keys.len());
    for (nth, k) in keys.into_iter().enumerate() {
        ctx.out.array(2);
        ctx.out.bulk(k);
        name_set(ctx.out, "", key::names(cmd.flags_of_key(argv, nth)));
    }
    Ok(())
}

fn command_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    super::help(
        ctx,
        "COMMAND",
        &[
            "(no subcommand)",
            "    Details about every command.",
            "COUNT",
            "    Number of commands.",
            "DOCS [<command-name> ...]",
            "    Documentation of the given commands, or of all.",
            "GETKEYS <full-command>",
            "    The key arguments of a full command line.",
            "GETKEYSANDFLAGS <full-command>",
            "    The key arguments of a full command line, with their access flags.",
            "INFO [<command-name> ...]",
            "    Details about the given commands, or about all.",
            "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
            "    Names of the commands, optionally filtered.",
        ],
    );
    Ok(())
}

/// Refuses DEBUG or MODULE unless its `enable-*-command` setting allows this client, with
/// Redis's text.
fn allow_protected(ctx: &Ctx<'_>, command: &str, setting: &str) -> CmdResult {
    let local = ctx.client.handle.local;
    let action = match command {
        "DEBUG" => ctx.srv.config.read().enable_debug_command(),
        _ => ctx.srv.config.read().enable_module_command(),
    };
    if action.allows(local) {
        return Ok(());
    }
    Err(CmdError::Other(format!("ERR {command} command not allowed. If the {setting} option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.").into()))
}

fn module_list(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    allow_protected(ctx, "MODULE", "enable-module-command")?;
    ctx.out.array(0);
    Ok(())
}

fn module_load(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    allow_protected(ctx, "MODULE", "enable-module-command")?;
    tracing::warn!(
        "Module {} failed to load: {}",
        String::from_utf8_lossy(&args[2]),
        crate::base::config::support::NO_MODULE_LOADING
    );
    Err(CmdError::err(
        "Error loading the extension. Please check the server logs.",
    ))
}

fn module_unload(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    allow_protected(ctx, "MODULE", "enable-module-command")?;
    Err(CmdError::err(
        "Error unloading module: no such module with that name",
    ))
}

fn module_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    allow_protected(ctx, "MODULE", "enable-module-command")?;
    super::help(
        ctx,
        "MODULE",
        &[
            "LIST",
            "    Return a list of loaded modules.",
            "LOAD <path> [<arg> ...]",
            "    Load a module library from <path>, passing to it any optional arguments.",
            "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
            "    Load a module library from <path>, while passing it module configurations and optional arguments.",
            "UNLOAD <name>",
            "    Unload a module.",
        ],
    );
    Ok(())
}

/// LOLWUT [VERSION v]: Redis 7.0 draws no art of its own version and only names it; the art of
/// versions 5 and 6 is not drawn by ferrodis, which says so.
fn lolwut(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() >= 3 && is(&args[1], "version") {
        let v = int_arg(&args[2])?;
        if v == 5 || v == 6 {
            return Err(CmdError::err(
                "LOLWUT art of versions 5 and 6 is not drawn by ferrodis",
            ));
        }
    }
    let text = format!("Redis ver. {}\n", crate::base::config::REDIS_VERSION);
    ctx.out.verbatim(text.as_bytes());
    Ok(())
}

fn debug(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    allow_protected(ctx, "DEBUG", "enable-debug-command")?;
    let sub = &args[1];
    let n = args.len();
    if is(sub, "error") && n == 3 {
        // Redis's clients' test helpers use it to get any error reply; it cannot hold newlines.
        let text: Vec<u8> = args[2]
            .iter()
            .map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c })
            .collect();
        return Err(CmdError::raw(String::from_utf8_lossy(&text).into_owned()));
    }
    if is(sub, "sleep") && n == 3 {
        let secs = std::str::from_utf8(&args[2])
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .unwrap_or(0.0);
        std::thread::sleep(Duration::from_secs_f64(secs.min(3600.0)));
        ctx.out.ok();
    } else if is(sub, "set-active-expire") && n == 3 {
        let on = strnum::parse_i64(&args[2]).unwrap_or(0) != 0;
        ctx.srv.active_expire.store(on, Ordering::Relaxed);
        ctx.out.ok();
    } else if is(sub, "replybuffer") && n == 4 {
        debug_replybuffer(ctx, &args[2], &args[3])?;
    } else if is(sub, "pause-cron") && n == 3 {
        let paused = strnum::parse_i64(&args[2]).unwrap_or(0) != 0;
        ctx.srv.cron_paused.store(paused, Ordering::Relaxed);
        ctx.out.ok();
    } else if is(sub, "quicklist-packed-threshold") && n == 3 {
        // Elements at least this long become plain: each in a list node of its own.
        let set = crate::base::config::parse_memory(&args[2])
            .is_some_and(storage::list::set_packed_threshold);
        if !set {
            return Err(CmdError::err(
                "argument must be a memory value bigger than 1 and smaller than 4gb",
            ));
        }
        ctx.out.ok();
    } else if is(sub, "reload") {
        super::persist::debug_reload(ctx, &args[2..])?;
    } else if is(sub, "set-skip-checksum-validation") && n == 3 {
        let skip = strnum::parse_i64(&args[2]).unwrap_or(0) != 0;
        ctx.srv.persist.skip_checksum.store(skip, Ordering::Relaxed);
        ctx.out.ok();
    } else if is(sub, "object") && n == 3 {
        debug_object(ctx, &args[2])?;
    } else if is(sub, "digest") && n == 2 {
        let d = crate::keyspace::digest::dataset(&ctx.srv.keyspace);
        ctx.out.simple(crate::keyspace::digest::hex(&d).as_bytes());
    } else if is(sub, "digest-value") {
        ctx.out.array(n - 2);
        for key in &args[2..] {
            let d = crate::keyspace::digest::key(&ctx.srv.keyspace, ctx.client.db, key, ctx.now);
            ctx.out.simple(crate::keyspace::digest::hex(&d).as_bytes());
        }
    } else if is(sub, "protocol") && n == 3 {
        debug_protocol(ctx, &args[2])?;
    } else if is(sub, "change-repl-id") && n == 2 {
        ctx.out.ok();
    } else if is(sub, "populate") && (3..=5).contains(&n) {
        debug_populate(ctx, args)?;
    } else if is(sub, "jmap") || is(sub, "log") && n == 3 {
        if is(sub, "log") {
            tracing::warn!("DEBUG LOG: {}", String::from_utf8_lossy(&args[2]));
        }
        ctx.out.ok();
    } else if is(sub, "stringmatch-len") || is(sub, "stringmatch-test") {
        ctx.out
            .simple(b"Apparently Redis did not crash: test passed");
    } else if is(sub, "help") {
        super::help(
            ctx,
            "DEBUG",
            &[
                "CHANGE-REPL-ID",
                "    Accepted for compatibility; ferrodis has no replication id to change yet.",
                "DIGEST",
                "    Digest of the whole dataset.",
                "DIGEST-VALUE <key> [<key> ...]",
                "    Digest of the values of the given keys.",
                "LOG <message>",
                "    Write <message> to the server log.",
                "OBJECT <key>",
                "    Low-level details of the value at <key>.",
                "PAUSE-CRON <0|1>",
                "    Stop or resume the periodic background work (expiry, tracking table limit).",
                "POPULATE <count> [<prefix>] [<size>]",
                "    Create <count> string keys named <prefix>:<n> (default prefix \"key\").",
                "PROTOCOL <type>",
                "    Reply with a sample of a protocol type.",
                "RELOAD [MERGE] [NOFLUSH] [NOSAVE]",
                "    Save the dataset to the RDB file, empty it and load the file back.",
                "REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|<ms>>",
                "    Time between resets of the clients' reply buffer peaks (RESET: the default).",
                "REPLYBUFFER RESIZING <0|1>",
                "    Switch the fitting of reply buffers to their use off or on.",
                "SET-ACTIVE-EXPIRE <0|1>",
                "    Switch the active expiry cycle off or on.",
                "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
                "    Stop or resume checking the checksums of RDB files and DUMP payloads.",
                "SLEEP <seconds>",
                "    Stop the server for <seconds> (fractions allowed).",
            ],
        );
    } else {
        return Err(CmdError::err(format!(
            "unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
            String::from_utf8_lossy(sub)
        )));
    }
    Ok(())
}

/// DEBUG REPLYBUFFER PEAK-RESET-TIME and RESIZING.
fn debug_replybuffer(ctx: &mut Ctx<'_>, what: &[u8], value: &[u8]) -> CmdResult {
    let srv = ctx.srv;
    if is(what, "peak-reset-time") {
        let ms = if is(value, "never") {
            -1
        } else if is(value, "reset") {
            crate::state::REPLY_PEAK_RESET_MS
        } else {
            strnum::parse_i64(value).ok_or(CmdError::NotInteger)?
        };
        srv.reply_peak_reset_ms.store(ms, Ordering::Relaxed);
    } else if is(what, "resizing") {
        let on = strnum::parse_i64(value).unwrap_or(0) != 0;
        srv.reply_resizing.store(on, Ordering::Relaxed);
    } else {
        return Err(CmdError::err(
            "unknown subcommand or wrong number of arguments for 'replybuffer'. Try DEBUG HELP.",
        ));
    }
    ctx.out.ok();
    Ok(())
}

fn debug_object(ctx: &mut Ctx<'_>, key: &[u8]) -> CmdResult {
    let mut l = ctx.key(key);
    let k = l.get();
    let e = k.entry().ok_or(CmdError::NoSuchKey)?;
    let addr = &e.value as *const Value as usize;
    let idle = crate::base::clock::lru_idle(crate::base::clock::lru_clock(ctx.now), e.clock());
    let len = e.value.str_len().unwrap_or(0);
    let mut line = format!(
        "Value at:0x{addr:x} refcount:1 encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{idle}",
        super::keys::encoding(e),
        len + 1,
        e.clock()
    );
    // A list's nodes, as Redis describes its quicklist (no node is compressed).
    if let Value::List(list) = &e.value {
        let nodes = list.node_count();
        let _ = write!(
            line,
            " ql_nodes:{nodes} ql_avg_node:{:.2} ql_listpack_max:{} ql_compressed:0 ql_uncompressed_size:{}",
            list.len() as f64 / nodes.max(1) as f64,
            ctx.srv.config.read().list_max_listpack_size(),
            list.heap_bytes()
        );
    }
    ctx.out.simple(line.as_bytes());
    Ok(())
}

fn debug_protocol(ctx: &mut Ctx<'_>, kind: &[u8]) -> CmdResult {
    let out = &mut *ctx.out;
    if is(kind, "string") {
        out.bulk(b"Hello World");
    } else if is(kind, "integer") {
        out.int(12345);
    } else if is(kind, "double") {
        // Redis's sample double is exactly 3.141, not pi.
        #[allow(clippy::approx_constant)]
        out.double(3.141);
    } else if is(kind, "bignum") {
        out.big_number(b"1234567999999999999999999999999999999");
    } else if is(kind, "null") {
        out.null();
    } else if is(kind, "array") || is(kind, "set") {
        if is(kind, "array") {
            out.array(3);
        } else {
            out.set(3);
        }
        for j in 0..3 {
            out.int(j);
        }
    } else if is(kind, "map") {
        out.map(3);
        for j in 0..3 {
            out.int(j);
            out.boolean(j == 1);
        }
    } else if is(kind, "attrib") {
        if out.proto >= 3 {
            out.attribute(1);
            out.bulk(b"key-popularity");
            out.array(2);
            out.bulk(b"key:123");
            out.int(90);
        }
        out.bulk(b"Some real reply following the attribute");
    } else if is(kind, "push") {
        if out.proto < 3 {
            return Err(CmdError::err("RESP2 is not supported by this command"));
        }
        out.push(2);
        out.bulk(b"server-cpu-usage");
        out.int(42);
        out.bulk(b"Some real reply following the push reply");
    } else if is(kind, "true") {
        out.boolean(true);
    } else if is(kind, "false") {
        out.boolean(false);
    } else if is(kind, "verbatim") {
        out.verbatim(b"This is a verbatim\nstring");
    } else {
        return Err(CmdError::err("Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false"));
    }
    Ok(())
}

fn debug_populate(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let count = int_arg(&args[2])?;
    if count < 0 {
        return Err(CmdError::err("value is out of range, must be positive"));
    }
    let prefix: &[u8] = args.get(3).map_or(b"key", |p| &p[..]);
    let size = match args.get(4) {
        Some(s) => {
            let v = int_arg(s)?;
            if v < 0 {
                return Err(CmdError::err("value is out of range, must be positive"));
            }
            Some(v.min(512 * 1024 * 1024) as usize)
        }
        None => None,
    };
    let mut key = Vec::with_capacity(prefix.len() + 21);
    let mut val = Vec::new();
    for j in 0..count {
        key.clear();
        key.extend_from_slice(prefix);
        key.push(b':');
        key.extend_from_slice(itoa::Buffer::new().format(j).as_bytes());
        let mut l = ctx.key(&key);
        let mut k = l.get();
        if k.exists() {
            continue;
        }
        val.clear();
        val.extend_from_slice(b"value:");
        val.extend_from_slice(itoa::Buffer::new().format(j).as_bytes());
        if let Some(size) = size {
            val.resize(size, 0);
        }
        // Redis counts no change for these keys and does not propagate them: a debugging
        // aid, not data a replica or the append-only file should get.
        k.set_counting(Value::Str(storage::small::SmallBytes::new(&val)), false, 0);
    }
    ctx.out.ok();
    Ok(())
}

fn slowlog_get(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let count = match args.get(2) {
        None => 10,
        Some(a) => {
            let n = int_arg(a)?;
            if n < -1 {
                return Err(CmdError::err("count should be greater than or equal to -1"));
            }
            if n == -1 {
                usize::MAX
            } else {
                n as usize
            }
        }
    };
    let entries: Vec<_> = ctx.srv.slowlog.lock().latest(count).cloned().collect();
    let out = &mut *ctx.out;
    out.array(entries.len());
    for e in entries {
        out.array(6);
        out.int(e.id as i64);
        out.int(e.time as i64);
        out.int(e.micros as i64);
        out.array(e.args.len());
        for a in &e.args {
            out.bulk(a);
        }
        out.bulk(e.peer.as_bytes());
        out.bulk(&e.name);
    }
    Ok(())
}

fn slowlog_len(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let n = ctx.srv.slowlog.lock().len();
    ctx.out.int(n as i64);
    Ok(())
}

fn slowlog_reset(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.srv.slowlog.lock().reset();
    ctx.out.ok();
    Ok(())
}

fn slowlog_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    super::help(
        ctx,
        "SLOWLOG",
        &[
            "GET [<count>]",
            "    The newest <count> entries (10 by default, -1 for all). Each entry holds:",
            "    id, Unix time, duration in microseconds, arguments, client address, client name.",
            "LEN",
            "    Number of entries in the slow log.",
            "RESET",
            "    Empty the slow log.",
        ],
    );
    Ok(())
}

fn latency_latest(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let events: Vec<_> = ctx
        .srv
        .latency
        .lock()
        .events
        .iter()
        .filter_map(|(n, h)| h.samples.back().map(|s| (n.clone(), *s, h.max)))
        .collect();
    ctx.out.array(events.len());
    for (name, (time, ms), max) in events {
        ctx.out.array(4);
        ctx.out.bulk(name.as_bytes());
        ctx.out.int(time as i64);
        ctx.out.int(ms as i64);
        ctx.out.int(max as i64);
    }
    Ok(())
}

fn latency_history(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let name = String::from_utf8_lossy(&args[2]).into_owned();
    let samples: Vec<(u64, u64)> = ctx
        .srv
        .latency
        .lock()
        .events
        .get(&name)
        .map(|h| h.samples.iter().copied().collect())
        .unwrap_or_default();
    ctx.out.array(samples.len());
    for (time, ms) in samples {
        ctx.out.array(2);
        ctx.out.int(time as i64);
        ctx.out.int(ms as i64);
    }
    Ok(())
}

fn latency_reset(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut m = ctx.srv.latency.lock();
    let n = if args.len() == 2 {
        let n = m.events.len();
        m.events.clear();
        n
    } else {
        args[2..]
            .iter()
            .filter(|a| m.events.remove(&*String::from_utf8_lossy(a)).is_some())
            .count()
    };
    drop(m);
    ctx.out.int(n as i64);
    Ok(())
}

fn latency_graph(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let name = String::from_utf8_lossy(&args[2]).into_owned();
    let history = ctx.srv.latency.lock().events.get(&name).cloned();
    let Some(h) = history.filter(|h| !h.samples.is_empty()) else {
        return Err(CmdError::err(format!(
            "No samples available for event '{name}'"
        )));
    };
    // A simple text chart: one row per sample, a bar proportional to its latency.
    let mut text = format!(
        "{name} - high {} ms, low {} ms (all time high {} ms)\n",
        h.samples.iter().map(|s| s.1).max().unwrap_or(0),
        h.samples.iter().map(|s| s.1).min().unwrap_or(0),
        h.max
    );
    text.push_str(&"-".repeat(80));
    text.push('\n');
    let top = h.max.max(1);
    for (time, ms) in &h.samples {
        let bar = ((ms * 60) / top).max(1) as usize;
        text.push_str(&format!("{time:>12} {:<60} {ms} ms\n", "#".repeat(bar)));
    }
    ctx.out.verbatim(text.as_bytes());
    Ok(())
}

fn latency_doctor(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let events = ctx.srv.latency.lock().events.clone();
    let mut text = String::new();
    if events.is_empty() {
        text.push_str("I have no latency samples to report: no event exceeded latency-monitor-threshold, or monitoring is off (latency-monitor-threshold 0).\n");
    } else {
        text.push_str("Latency events recorded:\n\n");
        for (i, (name, h)) in events.iter().enumerate() {
            let avg = h.samples.iter().map(|s| s.1).sum::<u64>() / h.samples.len().max(1) as u64;
            text.push_str(&format!(
                "{}. {name}: {} latency spikes (average {avg}ms, highest {}ms).\n",
                i + 1,
                h.samples.len(),
                h.max
            ));
        }
    }
    ctx.out.verbatim(text.as_bytes());
    Ok(())
}

fn latency_histogram(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    // A container stands for its subcommands; only commands called since the last reset
    // are reported.
    fn add<'t>(e: &'t Entry, chosen: &mut Vec<&'t Entry>) {
        let mut all = vec![e];
        all.extend(e.subs.values());
        for c in all {
            let called = c.stats.calls.load(Ordering::Relaxed) > 0;
            if called && !chosen.iter().any(|x| std::ptr::eq(*x, c)) {
                chosen.push(c);
            }
        }
    }
    let mut chosen: Vec<&Entry> = Vec::new();
    if args.len() == 2 {
        for e in sorted_commands(ctx) {
            add(e, &mut chosen);
        }
    } else {
        for name in &args[2..] {
            if let Some(e) = find(ctx, name) {
                add(e, &mut chosen);
            }
        }
    }
    chosen.sort_by_key(|e| e.full_name());
    ctx.out.map(chosen.len());
    for e in chosen {
        ctx.out.bulk(e.full_name().as_bytes());
        ctx.out.map(2);
        ctx.out.bulk(b"calls");
        ctx.out.int(e.stats.calls.load(Ordering::Relaxed) as i64);
        ctx.out.bulk(b"histogram_usec");
        let buckets = e.stats.hist.cumulative();
        ctx.out.map(buckets.len());
        for (usec, n) in buckets {
            ctx.out.int(usec as i64);
            ctx.out.int(n as i64);
        }
    }
    Ok(())
}

fn latency_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    super::help(
        ctx,
        "LATENCY",
        &[
            "DOCTOR",
            "    A human-readable analysis of the latency events recorded.",
            "GRAPH <event>",
            "    A text chart of <event>'s latency samples.",
            "HISTORY <event>",
            "    (time, latency) samples of <event>.",
            "LATEST",
            "    The latest sample of every event.",
            "RESET [<event> ...]",
            "    Forget the samples of the given events, or of all.",
            "HISTOGRAM [<command> ...]",
            "    Cumulative latency distribution of the given commands, or of all.",
        ],
    );
    Ok(())
}

fn monitor(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.client.after = crate::state::client::After::Monitor;
    ctx.out.ok();
    Ok(())
}

fn time(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    ctx.out.array(2);
    ctx.out
        .bulk(itoa::Buffer::new().format(now.as_secs()).as_bytes());
    ctx.out
        .bulk(itoa::Buffer::new().format(now.subsec_micros()).as_bytes());
    Ok(())
}

fn lastsave(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.out
        .int(ctx.srv.persist.last_save.load(Ordering::Relaxed) as i64);
    Ok(())
}

fn shutdown(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    for a in &args[1..] {
        let known = ["nosave", "save", "now", "force", "abort"];
        if !known.iter().any(|k| is(a, k)) {
            return Err(CmdError::Syntax);
        }
        if is(a, "abort") {
            return Err(CmdError::err("No shutdown in progress."));
        }
    }
    tracing::warn!("User requested shutdown...");
    // SAVE, or save points without NOSAVE, take a snapshot first; if that fails the server
    // stays up, unless FORCE says to exit anyway.
    let said = |w: &str| args[1..].iter().any(|a| is(a, w));
    let config = ctx.srv.config.read();
    if said("save") || (!said("nosave") && !config.save().is_empty()) {
        tracing::info!("Saving the final RDB snapshot before exiting.");
        ctx.srv.keyspace.snapshots.wait();
        let saved = crate::persist::snapshot::save(&ctx.srv.keyspace, &config, &ctx.srv.persist);
        if saved.is_err() && !said("force") {
            tracing::warn!("Error trying to save the DB, can't exit.");
            return Err(CmdError::err("Errors trying to SHUTDOWN. Check logs."));
        }
    }
    ctx.srv.request_shutdown();
    ctx.client.after = crate::state::client::After::Close;
    Ok(())
}

/// FUNCTION FLUSH [ASYNC|SYNC]. Scripting is not implemented yet, so no library can exist and
/// there is nothing to delete; the command is accepted because clients and the Redis test
/// suite issue it to start from a clean state.
fn function_flush(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    match args.get(2) {
        None => {}
        Some(a) if args.len() == 3 && (is(a, "async") || is(a, "sync")) => {}
        Some(_) => {
            return Err(CmdError::err(
                "FUNCTION FLUSH only supports SYNC|ASYNC option",
            ))
        }
    }
    ctx.out.ok();
    Ok(())
}

fn memory_usage(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    match args.get(3) {
        None => {}
        Some(a) if args.len() == 5 && is(a, "samples") => {
            int_arg(&args[4])?;
        }
        Some(_) => return Err(CmdError::Syntax),
    }
    let mut l = ctx.key(&args[2]);
    let k = l.get();
    match k.entry() {
        // The key's slot in its table, plus what the key and value own on the heap.
        Some(e) => {
            let bytes = std::mem::size_of::<storage::shard::Entry>()
                + e.key.heap_bytes()
                + e.value.heap_bytes();
            ctx.out.int(bytes as i64);
        }
        None => ctx.out.null(),
    }
    Ok(())
}

fn memory_stats(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let used = crate::base::alloc::allocated() as i64;
    let peak = crate::base::alloc::peak() as i64;
    let rss = crate::cmd::info::rss_bytes() as i64;
    let keys: usize = (0..ctx.srv.keyspace.count())
        .map(|i| ctx.srv.keyspace.db(i).len())
        .sum();
    let out = &mut *ctx.out;
    out.map(6);
    out.bulk(b"peak.allocated");
    out.int(peak);
    out.bulk(b"total.allocated");
    out.int(used);
    out.bulk(b"keys.count");
    out.int(keys as i64);
    out.bulk(b"keys.bytes-per-key");
    out.int(if keys > 0 { used / keys as i64 } else { 0 });
    out.bulk(b"dataset.bytes");
    out.int(used);
    out.bulk(b"allocator.resident");
    out.int(rss);
    Ok(())
}

fn memory_doctor(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.out
        .verbatim(b"No memory problem found: memory use is within what the dataset explains.");
    Ok(())
}

fn memory_malloc_stats(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let text = format!(
        "allocator: system (libc)\nallocated: {}\npeak: {}\n",
        crate::base::alloc::allocated(),
        crate::base::alloc::peak()
    );
    ctx.out.verbatim(text.as_bytes());
    Ok(())
}

fn memory_purge(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    // The system allocator returns memory on its own; there is nothing to ask it.
    ctx.out.ok();
    Ok(())
}

fn memory_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    super::help(
        ctx,
        "MEMORY",
        &[
            "DOCTOR",
            "    A report on memory problems.",
            "MALLOC-STATS",
            "    The allocator's statistics.",
            "PURGE",
            "    Ask the allocator to release memory.",
            "STATS",
            "    Details about memory usage.",
            "USAGE <key> [SAMPLES <count>]",
            "    Estimated bytes used by <key> and its value.",
        ],
    );
    Ok(())
}
