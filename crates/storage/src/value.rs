//! The value stored under a key, and how string values are encoded.

use crate::hash::Hash;
use crate::list::List;
use crate::set::Set;
use crate::small::SmallBytes;
use crate::stream::Stream;
use crate::zset::ZSet;

/// A value in the keyspace. Kept at 16 bytes so that a table slot stays small.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string (Redis's `raw` and `embstr` encodings).
    Str(SmallBytes),
    /// A string that is the canonical form of a 64-bit integer (Redis's `int` encoding).
    Int(i64),
    /// A list.
    List(Box<List>),
    /// A hash.
    Hash(Box<Hash>),
    /// A set.
    Set(Box<Set>),
    /// A sorted set.
    ZSet(Box<ZSet>),
    /// A stream.
    Stream(Box<Stream>),
}

const _: () = assert!(std::mem::size_of::<Value>() == 16);

impl Default for Value {
    fn default() -> Self {
        Value::Str(SmallBytes::default())
    }
}

/// Longest string that Redis stores as `embstr`.
pub const EMBSTR_MAX: usize = 44;

impl Value {
    /// The value for a string written by a client, stored as an integer when it is one, as Redis
    /// does for strings of at most 20 characters.
    pub fn from_bytes(bytes: &[u8]) -> Value {
        if bytes.len() <= 20 {
            if let Some(n) = strnum::parse_i64(bytes) {
                return Value::Int(n);
            }
        }
        Value::Str(SmallBytes::new(bytes))
    }

    /// Redis's name for the value's type, as TYPE reports it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) | Value::Int(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
        }
    }

    /// Redis's OBJECT ENCODING name. `raw` says the string was edited in place.
    pub fn encoding(&self, raw: bool) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Str(s) if raw || s.len() > EMBSTR_MAX => "raw",
            Value::Str(_) => "embstr",
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
            Value::Stream(x) => x.encoding(),
        }
    }

    /// Feeds the value's contents to `feed` in a canonical order, for DEBUG DIGEST.
    pub fn feed_digest(&self, feed: &mut dyn FnMut(&[u8])) {
        match self {
            Value::Str(_) | Value::Int(_) => {
                self.with_str(|s| feed(s));
            }
            Value::List(l) => l.feed_digest(feed),
            Value::Hash(h) => h.feed_digest(feed),
            Value::Set(s) => s.feed_digest(feed),
            Value::ZSet(z) => z.feed_digest(feed),
            Value::Stream(x) => x.feed_digest(feed),
        }
    }

    /// Whether the value is a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Value::Str(_) | Value::Int(_))
    }

    /// Calls `f` with the string form of a string value (integers are formatted on the stack),
    /// or returns `None` for other types.
    #[inline]
    pub fn with_str<R>(&self, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        match self {
            Value::Str(s) => Some(f(s.as_slice())),
            Value::Int(n) => {
                let mut buf = itoa::Buffer::new();
                Some(f(buf.format(*n).as_bytes()))
            }
            _ => None,
        }
    }

    /// Length of a string value.
    pub fn str_len(&self) -> Option<usize> {
        match self {
            Value::Str(s) => Some(s.len()),
            Value::Int(n) => Some(itoa::Buffer::new().format(*n).len()),
            _ => None,
        }
    }

    /// How much work freeing the value takes, in allocations, as Redis estimates it to decide
    /// whether to free it in the background: one for a string or a compactly encoded
    /// collection, one per node or element otherwise, and for a stream one per block plus its
    /// consumer groups' pending entries (the first group's count standing for every group's).
    pub fn free_effort(&self) -> usize {
        fn per_element(len: usize, encoding: &str) -> usize {
            match encoding {
                "listpack" | "intset" => 1,
                _ => len,
            }
        }
        match self {
            Value::Str(_) | Value::Int(_) => 1,
            Value::List(l) => l.node_count(),
            Value::Hash(h) => per_element(h.len(), h.encoding()),
            Value::Set(x) => per_element(x.len(), x.encoding()),
            Value::ZSet(z) => per_element(z.len(), z.encoding()),
            Value::Stream(x) => {
                let pel = x.groups.values().next().map_or(0, |g| g.pel.len());
                x.log.blocks() + x.groups.len() * (1 + pel)
            }
        }
    }

    /// Heap bytes owned by the value, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Value::Str(s) => s.heap_bytes(),
            Value::Int(_) => 0,
            Value::List(l) => l.heap_bytes() + std::mem::size_of::<List>(),
            Value::Hash(h) => h.heap_bytes() + std::mem::size_of::<Hash>(),
            Value::Set(s) => s.heap_bytes() + std::mem::size_of::<Set>(),
            Value::ZSet(z) => z.heap_bytes() + std::mem::size_of::<ZSet>(),
            Value::Stream(x) => x.heap_bytes() + std::mem::size_of::<Stream>(),
        }
    }
}

/// A collection type a `Value` can hold, and how to find it inside one: lets the keyspace offer
/// one typed accessor for every collection instead of one per type.
pub trait Collection: Sized {
    /// The collection inside `v`, if `v` holds this type.
    fn of(v: &Value) -> Option<&Self>;
    /// The collection inside `v`, mutably, if `v` holds this type.
    fn of_mut(v: &mut Value) -> Option<&mut Self>;
}

macro_rules! collection {
    ($t:ty, $variant:ident) => {
        impl Collection for $t {
            fn of(v: &Value) -> Option<&Self> {
                match v {
                    Value::$variant(x) => Some(x),
                    _ => None,
                }
            }
            fn of_mut(v: &mut Value) -> Option<&mut Self> {
                match v {
                    Value::$variant(x) => Some(x),
                    _ => None,
                }
            }
        }
    };
}

collection!(List, List);
collection!(Hash, Hash);
collection!(Set, Set);
collection!(ZSet, ZSet);
collection!(Stream, Stream);
