//! Redis's RDB format, version 10 (Redis 7.0), for ferrodis's values: the file's records, the
//! DUMP payload, and the compact encodings older versions wrote (zipmap, ziplist, intset,
//! quicklist), which the loader also reads. Pure: no I/O beyond the `Read`/`Write` it is given,
//! no locks, no server state.

pub mod compact;
pub mod dump;
pub mod file;
pub mod io;
pub mod object;
mod stream;

pub use io::{Error, Input, Output};
pub use object::LoadLimits;

/// The version ferrodis writes (Redis 7.0's).
pub const VERSION: u16 = 10;

/// Value types, as the byte before a key names them.
pub mod kind {
    /// A string.
    pub const STRING: u8 = 0;
    /// A list as a plain sequence of strings (before Redis 3.2).
    pub const LIST: u8 = 1;
    /// A set as a plain sequence of strings.
    pub const SET: u8 = 2;
    /// A sorted set with scores as text (before RDB 8).
    pub const ZSET: u8 = 3;
    /// A hash as a plain sequence of field-value pairs.
    pub const HASH: u8 = 4;
    /// A sorted set with binary scores.
    pub const ZSET_2: u8 = 5;
    /// A module value (pre-GA format).
    pub const MODULE: u8 = 6;
    /// A module value.
    pub const MODULE_2: u8 = 7;
    /// A hash as a zipmap (before Redis 2.6).
    pub const HASH_ZIPMAP: u8 = 9;
    /// A list as one ziplist (before Redis 3.2).
    pub const LIST_ZIPLIST: u8 = 10;
    /// A set of integers as an intset.
    pub const SET_INTSET: u8 = 11;
    /// A sorted set as a ziplist (before Redis 7.0).
    pub const ZSET_ZIPLIST: u8 = 12;
    /// A hash as a ziplist (before Redis 7.0).
    pub const HASH_ZIPLIST: u8 = 13;
    /// A list as a quicklist of ziplists (Redis 3.2 to 6.2).
    pub const LIST_QUICKLIST: u8 = 14;
    /// A stream (Redis 5 to 6.2).
    pub const STREAM_LISTPACKS: u8 = 15;
    /// A hash as a listpack.
    pub const HASH_LISTPACK: u8 = 16;
    /// A sorted set as a listpack.
    pub const ZSET_LISTPACK: u8 = 17;
    /// A list as a quicklist of listpacks or plain nodes.
    pub const LIST_QUICKLIST_2: u8 = 18;
    /// A stream with Redis 7.0's extra counters.
    pub const STREAM_LISTPACKS_2: u8 = 19;
}

/// The opcodes that may stand where a value type would.
pub mod opcode {
    /// A function library (Redis 7.0).
    pub const FUNCTION_2: u8 = 245;
    /// A function library (Redis 7.0 release candidates).
    pub const FUNCTION_PRE_GA: u8 = 246;
    /// Module auxiliary data.
    pub const MODULE_AUX: u8 = 247;
    /// The next key's LRU idle time, in seconds.
    pub const IDLE: u8 = 248;
    /// The next key's LFU counter.
    pub const FREQ: u8 = 249;
    /// An auxiliary field: a name and a value.
    pub const AUX: u8 = 250;
    /// The sizes of the database that follows.
    pub const RESIZEDB: u8 = 251;
    /// The next key's expiry, in Unix milliseconds.
    pub const EXPIRETIME_MS: u8 = 252;
    /// The next key's expiry, in Unix seconds (before RDB 3).
    pub const EXPIRETIME: u8 = 253;
    /// The database the following keys belong to.
    pub const SELECTDB: u8 = 254;
    /// The end of the file, followed by its checksum.
    pub const EOF: u8 = 255;
}
