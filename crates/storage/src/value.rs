//! The value stored under a key, and how string values are encoded.

use crate::small::SmallBytes;

/// A value in the keyspace. Kept at 16 bytes so that a table slot stays small.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string (Redis's `raw` and `embstr` encodings).
    Str(SmallBytes),
    /// A string that is the canonical form of a 64-bit integer (Redis's `int` encoding).
    Int(i64),
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
            if let Some(n) = crate::num::parse_i64(bytes) {
                return Value::Int(n);
            }
        }
        Value::Str(SmallBytes::new(bytes))
    }

    /// Redis's name for the value's type, as TYPE reports it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) | Value::Int(_) => "string",
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
        }
    }

    /// Length of a string value.
    pub fn str_len(&self) -> Option<usize> {
        match self {
            Value::Str(s) => Some(s.len()),
            Value::Int(n) => Some(itoa::Buffer::new().format(*n).len()),
        }
    }

    /// Heap bytes owned by the value, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Value::Str(s) => s.heap_bytes(),
            Value::Int(_) => 0,
        }
    }
}
