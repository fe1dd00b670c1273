//! The command table: every command as data (name, arity, flags, keys, ACL categories,
//! documentation, handler), and the lookup the dispatcher uses.
//!
//! COMMAND INFO/DOCS/LIST/GETKEYS, arity checks, the exclusive-lock decision and per-command
//! statistics are all derived from this one table, so a command is added in exactly one place:
//! the `COMMANDS` list of its family module.

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;

pub mod ctx;
pub mod names;

use crate::base::error::CmdResult;
use ctx::Ctx;

/// A command handler: parses `args` (the command name included), does the work through the
/// context and writes its reply to `ctx.out`. It returns an error instead of writing one.
pub type Handler = fn(&mut Ctx<'_>, &[Bytes]) -> CmdResult;

/// Defines bit constants and the table of their names in one list, so that a name can never
/// be missing or stale: `named_bits! { u32; /// doc NAMES; /// doc A = 0 => "a", ... }`.
macro_rules! named_bits {
    ($ty:ty; $(#[$names_doc:meta])* NAMES; $( $(#[$doc:meta])* $name:ident = $bit:literal => $text:literal, )*) => {
        $( $(#[$doc])* pub const $name: $ty = 1 << $bit; )*
        $(#[$names_doc])*
        pub const NAMES: &[($ty, &str)] = &[ $( ($name, $text) ),* ];

        /// The names of the bits set in `bits`, in the order of `NAMES`.
        pub fn names(bits: $ty) -> impl Iterator<Item = &'static str> + Clone {
            NAMES.iter().filter(move |(bit, _)| bits & bit != 0).map(|(_, name)| *name)
        }
    };
}

/// The flag sets most command tables are written with, named short so that a table stays one
/// line per command.
pub mod short {
    use super::flag;

    /// Reads only.
    pub const R: u32 = flag::READONLY;
    /// Writes.
    pub const W: u32 = flag::WRITE;
    /// Writes and may grow memory.
    pub const WD: u32 = flag::WRITE | flag::DENYOOM;
    /// Fast.
    pub const F: u32 = flag::FAST;
}

/// Command flags, as COMMAND INFO names them.
pub mod flag {
    named_bits! {
        u32;
        /// Flag names in COMMAND INFO's order.
        NAMES;
        /// The command may change the keyspace.
        WRITE = 0 => "write",
        /// The command only reads.
        READONLY = 1 => "readonly",
        /// The command may use more memory.
        DENYOOM = 2 => "denyoom",
        /// An administrative command.
        ADMIN = 3 => "admin",
        /// A pub/sub command.
        PUBSUB = 4 => "pubsub",
        /// Not allowed in scripts.
        NOSCRIPT = 5 => "noscript",
        /// May block the client.
        BLOCKING = 6 => "blocking",
        /// Allowed while loading data.
        LOADING = 7 => "loading",
        /// Allowed on a stale replica.
        STALE = 8 => "stale",
        /// Not shown to MONITOR.
        SKIP_MONITOR = 9 => "skip_monitor",
        /// Not recorded in the slow log.
        SKIP_SLOWLOG = 10 => "skip_slowlog",
        /// O(1) or O(log N) and never blocks.
        FAST = 11 => "fast",
        /// Allowed before authentication.
        NO_AUTH = 12 => "no_auth",
        /// May be replicated although not a write.
        MAY_REPLICATE = 13 => "may_replicate",
        /// Not allowed inside MULTI.
        NO_MULTI = 14 => "no_multi",
        /// The command's keys are not at fixed positions.
        MOVABLE_KEYS = 15 => "movablekeys",
        /// Allowed while a script is busy.
        ALLOW_BUSY = 16 => "allow_busy",
    }

    /// Runs alone: takes the server-wide exclusive lock (not shown by COMMAND INFO).
    pub const EXCLUSIVE: u32 = 1 << 24;

    // What the dispatcher needs to know of a few commands' identity (not shown by COMMAND
    // INFO), so that it never compares names.

    /// Runs at once inside MULTI instead of being queued (MULTI, EXEC, DISCARD, WATCH, QUIT,
    /// RESET).
    pub const TX_CONTROL: u32 = 1 << 25;
    /// Runs the queued transaction (EXEC): checks that depend on what a command writes look at
    /// the queued commands instead.
    pub const EXEC: u32 = 1 << 26;
    /// Ends a transaction or the connection (DISCARD, QUIT, RESET): still runs inside MULTI
    /// when memory is over `maxmemory`.
    pub const ENDS_TX: u32 = 1 << 27;
    /// Allowed to a RESP2 client with subscriptions ((P|S)(UN)SUBSCRIBE, PING, QUIT, RESET).
    pub const SUBSCRIBED_OK: u32 = 1 << 28;
}

/// ACL categories.
pub mod acl {
    named_bits! {
        u64;
        /// Category names, in the order Redis lists them.
        NAMES;
        /// Acts on keys in general.
        KEYSPACE = 0 => "keyspace",
        /// Reads keys.
        READ = 1 => "read",
        /// Writes keys.
        WRITE = 2 => "write",
        /// String commands.
        STRING = 3 => "string",
        /// List commands.
        LIST = 13 => "list",
        /// Hash commands.
        HASH = 14 => "hash",
        /// Set commands.
        SET = 15 => "set",
        /// Sorted set commands.
        SORTEDSET = 16 => "sortedset",
        /// Stream commands.
        STREAM = 18 => "stream",
        /// Bitmap commands.
        BITMAP = 12 => "bitmap",
        /// HyperLogLog commands.
        HYPERLOGLOG = 20 => "hyperloglog",
        /// Geo commands.
        GEO = 19 => "geo",
        /// Administrative commands.
        ADMIN = 4 => "admin",
        /// Fast commands.
        FAST = 5 => "fast",
        /// Slow commands.
        SLOW = 6 => "slow",
        /// Blocking commands.
        BLOCKING = 10 => "blocking",
        /// Potentially dangerous commands.
        DANGEROUS = 7 => "dangerous",
        /// Connection commands.
        CONNECTION = 8 => "connection",
        /// Transaction commands.
        TRANSACTION = 9 => "transaction",
        /// Pub/sub commands.
        PUBSUB = 11 => "pubsub",
        /// Scripting commands.
        SCRIPTING = 17 => "scripting",
    }
}

/// Key-spec flags: how a command uses each of its keys, as COMMAND GETKEYSANDFLAGS and COMMAND
/// INFO report them. One of the four access kinds (RO, RW, OW, RM) plus what the command does
/// with the value (access, update, insert, delete).
pub mod key {
    named_bits! {
        u16;
        /// Flag names in Redis's reply order.
        NAMES;
        /// Reads the value.
        RO = 0 => "RO",
        /// Reads and modifies the value.
        RW = 1 => "RW",
        /// Overwrites the value without reading it.
        OW = 2 => "OW",
        /// Removes the key.
        RM = 3 => "RM",
        /// Returns, copies or uses user data from the value.
        ACCESS = 4 => "access",
        /// Updates the value or its metadata.
        UPDATE = 5 => "update",
        /// Only adds data to the value.
        INSERT = 6 => "insert",
        /// Explicitly removes data from the value.
        DELETE = 7 => "delete",
        /// The argument is not a key but must route like one.
        NOT_KEY = 8 => "not_key",
        /// Some keys may not be found by the spec.
        INCOMPLETE = 9 => "incomplete",
        /// The flags depend on other arguments.
        VARIABLE_FLAGS = 10 => "variable_flags",
    }
}

/// Computes key flags from the arguments, for commands whose flags vary (SET ... GET).
pub type KeyFlagsFn = fn(&[Bytes]) -> u16;

/// Where a command's keys are, Redis's legacy (first, last, step) triple: positions are
/// argument indices, `last` negative counts from the end, 0 means no keys.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KeySpec {
    /// Index of the first key.
    pub first: i32,
    /// Index of the last key (negative: from the end).
    pub last: i32,
    /// Distance between keys.
    pub step: i32,
}

/// No keys.
pub const NO_KEYS: KeySpec = KeySpec {
    first: 0,
    last: 0,
    step: 0,
};
/// The single key at index 1.
pub const KEY1: KeySpec = KeySpec {
    first: 1,
    last: 1,
    step: 1,
};
/// Every argument from index 1 is a key.
pub const ALL_KEYS: KeySpec = KeySpec {
    first: 1,
    last: -1,
    step: 1,
};
/// Keys at indices 1 and 2.
pub const KEY12: KeySpec = KeySpec {
    first: 1,
    last: 2,
    step: 1,
};

/// Keys whose count is an argument (ZUNIONSTORE dst numkeys k..., EVAL script numkeys k...):
/// the count is at `count_at`, the first key `first` places after it, then every `step`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KeyNum {
    /// Index of the argument holding the number of keys.
    pub count_at: usize,
    /// Distance from that argument to the first key.
    pub first: usize,
    /// Distance between keys.
    pub step: usize,
}

/// Finds the argument indices of keys that keywords place (SORT ... STORE dst).
pub type KeyFn = fn(&[Bytes]) -> Vec<usize>;

/// A command whose single key is its first argument, the most common shape; families import
/// it as `c` for their tables.
pub const fn keyed(
    name: &'static str,
    arity: i32,
    flags: u32,
    acl: u64,
    handler: Handler,
) -> Command {
    Command::new(name, arity, flags, acl, handler).keys(KEY1)
}

/// The HELP subcommand of a container command (CONFIG HELP, XINFO HELP...): two arguments,
/// allowed while loading and on a stale replica, with Redis's usual summary.
pub const fn help_sub(
    group: &'static str,
    since: &'static str,
    acl: u64,
    handler: Handler,
) -> Command {
    Command::new("help", 2, flag::LOADING | flag::STALE, acl, handler).doc(
        group,
        since,
        "Returns helpful text about the different subcommands.",
    )
}

/// One command or subcommand.
#[derive(Debug)]
pub struct Command {
    /// Lowercase name (for a subcommand, just its own part, e.g. `get` of CONFIG GET).
    pub name: &'static str,
    /// Redis's arity: exact count if positive, minimum count if negative (name included).
    pub arity: i32,
    /// `flag::*` bits.
    pub flags: u32,
    /// `acl::*` bits.
    pub acl: u64,
    /// Key positions.
    pub keys: KeySpec,
    /// Keys counted by an argument, on top of `keys` (such commands have movable keys).
    pub keynum: Option<KeyNum>,
    /// Finds keys whose place depends on keywords (SORT ... STORE dst), on top of `keys`.
    pub keyfn: Option<KeyFn>,
    /// `key::*` flags of the first key (0: derived from the command's flags).
    pub first_key_flags: u16,
    /// `key::*` flags of every other key (0: as the first key).
    pub other_key_flags: u16,
    /// Computes the flags of every key when they depend on the arguments.
    pub key_flags_fn: Option<KeyFlagsFn>,
    /// Group for COMMAND DOCS (`string`, `generic`, `server`, `connection`...).
    pub group: &'static str,
    /// Version that introduced the command.
    pub since: &'static str,
    /// One-line summary for COMMAND DOCS.
    pub summary: &'static str,
    /// The handler; `None` for a container whose work is done by its subcommands.
    pub handler: Option<Handler>,
    /// Subcommands (CONFIG GET, CLIENT LIST...).
    pub subcommands: &'static [Command],
}

impl Command {
    /// A command with the given essentials; the rest is filled by the `with_*` methods.
    pub const fn new(
        name: &'static str,
        arity: i32,
        flags: u32,
        acl: u64,
        handler: Handler,
    ) -> Self {
        Command {
            name,
            arity,
            flags,
            acl,
            keys: NO_KEYS,
            keynum: None,
            keyfn: None,
            first_key_flags: 0,
            other_key_flags: 0,
            key_flags_fn: None,
            group: "generic",
            since: "1.0.0",
            summary: "",
            handler: Some(handler),
            subcommands: &[],
        }
    }

    /// A container command dispatching to `subcommands`.
    pub const fn container(name: &'static str, acl: u64, subcommands: &'static [Command]) -> Self {
        Command {
            name,
            arity: -2,
            flags: 0,
            acl,
            keys: NO_KEYS,
            keynum: None,
            keyfn: None,
            first_key_flags: 0,
            other_key_flags: 0,
            key_flags_fn: None,
            group: "generic",
            since: "1.0.0",
            summary: "",
            handler: None,
            subcommands,
        }
    }

    /// Adds subcommands to a command that is also valid on its own (COMMAND).
    pub const fn subcommands(mut self, subcommands: &'static [Command]) -> Self {
        self.subcommands = subcommands;
        self
    }

    /// Declares keys counted by the argument at `count_at` (see `KeyNum`); the command is then
    /// reported with the `movablekeys` flag.
    pub const fn keynum(mut self, count_at: usize, first: usize, step: usize) -> Self {
        self.keynum = Some(KeyNum {
            count_at,
            first,
            step,
        });
        self.flags |= flag::MOVABLE_KEYS;
        self
    }

    /// Declares a function finding keys that keywords introduce (the command then has movable
    /// keys).
    pub const fn keyfn(mut self, f: KeyFn) -> Self {
        self.keyfn = Some(f);
        self.flags |= flag::MOVABLE_KEYS;
        self
    }

    /// Sets the key-spec flags (`key::*`) of every key.
    pub const fn key_flags(mut self, flags: u16) -> Self {
        self.first_key_flags = flags;
        self.other_key_flags = flags;
        self
    }

    /// Sets the key-spec flags of the first key and of the others (LMOVE's source and
    /// destination, ZUNIONSTORE's destination and sources).
    pub const fn key_flags_split(mut self, first: u16, others: u16) -> Self {
        self.first_key_flags = first;
        self.other_key_flags = others;
        self
    }

    /// Declares that the key flags depend on the arguments (SET with or without GET); `f`
    /// computes them.
    pub const fn key_flags_fn(mut self, f: KeyFlagsFn) -> Self {
        self.key_flags_fn = Some(f);
        self
    }

    /// The key-spec flags of the key at position `nth` (0: the first key) of `args`.
    pub fn flags_of_key(&self, args: &[Bytes], nth: usize) -> u16 {
        match self.key_flags_fn {
            Some(f) => f(args),
            None => self.declared_key_flags(nth),
        }
    }

    /// The key-spec flags declared for the key at position `nth`, whatever the arguments;
    /// undeclared flags follow from the command's flags.
    pub fn declared_key_flags(&self, nth: usize) -> u16 {
        let declared = if nth == 0 || self.other_key_flags == 0 {
            self.first_key_flags
        } else {
            self.other_key_flags
        };
        let variable = if self.key_flags_fn.is_some() {
            key::VARIABLE_FLAGS
        } else {
            0
        };
        variable
            | match declared {
                0 if self.flags & flag::WRITE != 0 => key::RW | key::ACCESS | key::UPDATE,
                0 => key::RO | key::ACCESS,
                f => f,
            }
    }

    /// Sets the key positions.
    pub const fn keys(mut self, keys: KeySpec) -> Self {
        self.keys = keys;
        self
    }

    /// Sets the documentation fields.
    pub const fn doc(
        mut self,
        group: &'static str,
        since: &'static str,
        summary: &'static str,
    ) -> Self {
        self.group = group;
        self.since = since;
        self.summary = summary;
        self
    }

    /// Whether `args` has an acceptable number of arguments.
    pub fn arity_ok(&self, n: usize) -> bool {
        let n = n as i64;
        let a = self.arity as i64;
        if a >= 0 {
            n == a
        } else {
            n >= -a
        }
    }

    /// The argument indices of the keys of a command line: the fixed positions, then the
    /// counted keys. A count that is not a number or points past the arguments yields no
    /// counted keys.
    pub fn keys_of(&self, args: &[Bytes]) -> Vec<usize> {
        let mut keys: Vec<usize> = self.key_indices(args.len()).collect();
        if let Some(f) = self.keyfn {
            for i in f(args) {
                if !keys.contains(&i) {
                    keys.push(i);
                }
            }
        }
        if let Some(k) = self.keynum {
            let n = args
                .get(k.count_at)
                .and_then(|a| strnum::parse_i64(a))
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(0);
            let first = k.count_at + k.first;
            let fits = n
                .checked_mul(k.step.max(1))
                .and_then(|span| first.checked_add(span))
                .is_some_and(|end| end < args.len() + k.step.max(1));
            if fits {
                keys.extend((0..n).map(|i| first + i * k.step.max(1)));
            }
        }
        keys
    }

    /// The argument indices of the keys in `args`, from the legacy key spec.
    pub fn key_indices(&self, argc: usize) -> impl Iterator<Item = usize> {
        let KeySpec { first, last, step } = self.keys;
        let argc = argc as i32;
        let last = if last < 0 {
            argc + last
        } else {
            last.min(argc - 1)
        };
        let (first, step) = if first <= 0 || step <= 0 {
            (1, 1)
        } else {
            (first, step)
        };
        let last = if self.keys.first <= 0 { 0 } else { last };
        (first..=last)
            .step_by(step as usize)
            .filter(move |&i| i < argc)
            .map(|i| i as usize)
    }
}

/// Calls, time and errors of one command, for INFO commandstats.
#[derive(Debug, Default)]
pub struct CmdStats {
    /// Executions.
    pub calls: AtomicU64,
    /// Microseconds spent executing.
    pub usec: AtomicU64,
    /// Errors before execution (arity, ...).
    pub rejected: AtomicU64,
    /// Errors during execution.
    pub failed: AtomicU64,
    /// Latency distribution, for LATENCY HISTOGRAM.
    pub hist: crate::base::monitor::Histogram,
}

/// A command found by the dispatcher, with its full name (`config|get`) and statistics slot.
#[derive(Debug)]
pub struct Entry {
    /// The command.
    pub cmd: &'static Command,
    /// The container command, for a subcommand.
    pub parent: Option<&'static str>,
    /// Index in the table's list of names, cheap to store per client (CLIENT LIST's `cmd=`).
    pub id: u32,
    /// Statistics.
    pub stats: CmdStats,
    /// Subcommands by name.
    pub subs: Map<Entry>,
}

/// Name-keyed map: command lookup is on every request's path. Keys are owned because
/// `rename-command` gives commands names of the configuration's choosing.
type Map<V> = names::NameMap<V>;

/// The table the dispatcher searches.
#[derive(Debug)]
pub struct Table {
    by_name: Map<Entry>,
    names: Vec<(Option<&'static str>, &'static str)>,
}

impl Table {
    /// Builds the table from every family's command list.
    pub fn new(families: &[&'static [Command]]) -> Self {
        let mut names = Vec::new();
        let by_name = families
            .iter()
            .flat_map(|family| family.iter())
            .map(|cmd| (cmd.name.into(), Self::entry(cmd, None, &mut names)))
            .collect();
        Table { by_name, names }
    }

    fn entry(
        cmd: &'static Command,
        parent: Option<&'static str>,
        names: &mut Vec<(Option<&'static str>, &'static str)>,
    ) -> Entry {
        let id = names.len() as u32;
        names.push((parent, cmd.name));
        let subs = cmd
            .subcommands
            .iter()
            .map(|s| (s.name.into(), Self::entry(s, Some(cmd.name), names)))
            .collect();
        Entry {
            cmd,
            parent,
            id,
            stats: CmdStats::default(),
            subs,
        }
    }

    /// Finds a command by name, in any case, without allocating.
    pub fn get(&self, name: &[u8]) -> Option<&Entry> {
        self.by_name.get(name)
    }

    /// Applies a `rename-command` directive as Redis does: the command leaves its old name and,
    /// unless `to` is empty, answers to `to` instead. It keeps its own name in COMMAND INFO,
    /// INFO commandstats and error messages. Returns false when `from` is not a command or
    /// `to` is one already (the configuration loader reports both before this runs).
    pub fn rename(&mut self, from: &str, to: &str) -> bool {
        let (from, to) = (from.to_ascii_lowercase(), to.to_ascii_lowercase());
        if !to.is_empty() && self.by_name.contains_key(to.as_str()) {
            return false;
        }
        let Some(entry) = self.by_name.remove(from.as_str()) else {
            return false;
        };
        if !to.is_empty() {
            self.by_name.insert(&to, entry);
        }
        true
    }

    /// Whether a command answers to `name` (any case).
    pub fn contains(&self, name: &str) -> bool {
        self.get(name.as_bytes()).is_some()
    }

    /// The (container, name) of the entry with `id`, as `Entry::name_parts` gives it.
    pub fn name_of(&self, id: u32) -> Option<(Option<&'static str>, &'static str)> {
        self.names.get(id as usize).copied()
    }

    /// Every top-level command.
    pub fn all(&self) -> impl Iterator<Item = &Entry> {
        self.by_name.values()
    }

    /// Number of top-level commands.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Resets every command's statistics (CONFIG RESETSTAT).
    pub fn reset_stats(&self) {
        fn reset(e: &Entry) {
            e.stats.calls.store(0, Ordering::Relaxed);
            e.stats.usec.store(0, Ordering::Relaxed);
            e.stats.rejected.store(0, Ordering::Relaxed);
            e.stats.failed.store(0, Ordering::Relaxed);
            e.stats.hist.reset();
            e.subs.values().for_each(reset);
        }
        self.by_name.values().for_each(reset);
    }
}

impl Entry {
    /// The name INFO and errors show: `get`, or `config|get` for a subcommand.
    pub fn full_name(&self) -> String {
        match self.parent {
            Some(p) => format!("{p}|{}", self.cmd.name),
            None => self.cmd.name.to_string(),
        }
    }

    /// The name as a (parent, own) pair of static strings, cheap to store per command.
    pub fn name_parts(&self) -> (Option<&'static str>, &'static str) {
        (self.parent, self.cmd.name)
    }

    /// Finds a subcommand by name, in any case.
    pub fn sub(&self, name: &[u8]) -> Option<&Entry> {
        self.subs.get(name)
    }
}
