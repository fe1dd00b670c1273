//! The thresholds under which a hash or a sorted set keeps Redis's compact (listpack) encoding.

/// Redis's `LISTPACK_MAX_SAFETY_SIZE`: a listpack never grows past 1 GiB; the collection
/// converts to its large encoding instead.
pub const SAFETY_LIMIT: usize = 1 << 30;

/// The thresholds of one type (`hash-max-listpack-entries` and `-value`, `zset-max-listpack-*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most elements the compact encoding may hold.
    pub max_entries: usize,
    /// Longest element (field, value or member), in bytes, the compact encoding may hold.
    pub max_value: usize,
}

impl Limits {
    /// Redis 7.0's built-in thresholds for hashes.
    pub const HASH: Limits = Limits {
        max_entries: 512,
        max_value: 64,
    };
    /// Redis 7.0's built-in thresholds for sorted sets.
    pub const ZSET: Limits = Limits {
        max_entries: 128,
        max_value: 64,
    };

    /// Whether a collection of `len` elements, the longest `longest` bytes and all of them
    /// `total` bytes, may be listpack-encoded (Redis's `zsetConvertToListpackIfNeeded` test).
    pub fn fits(&self, len: usize, longest: usize, total: usize) -> bool {
        len <= self.max_entries && longest <= self.max_value && total <= SAFETY_LIMIT
    }
}
