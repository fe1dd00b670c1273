//! Reply values ([`Value`]) and their conversion into Rust types ([`FromValue`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

use bytes::Bytes;
use resp::Frame;

use crate::error::{Error, Result, ServerError};

/// One reply from the server, RESP2 or RESP3.
///
/// Error replies nested inside an aggregate (an EXEC result, a pipeline) are kept
/// as [`Value::Error`]; a top-level error reply becomes [`Error::Server`] in the
/// typed APIs.
///
/// ```
/// use ferrodis::Value;
/// let v = Value::Array(vec![Value::Int(1), Value::Bulk("a".into()), Value::Nil]);
/// assert_eq!(v.as_array().map(|a| a.len()), Some(3));
/// let n: Vec<Option<String>> = ferrodis::from_value(Value::Array(vec![
///     Value::Bulk("x".into()),
///     Value::Nil,
/// ]))
/// .unwrap();
/// assert_eq!(n, vec![Some("x".to_string()), None]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Null: RESP2's null bulk string or null array, RESP3's `_`.
    Nil,
    /// An integer reply.
    Int(i64),
    /// A binary-safe bulk string.
    Bulk(Bytes),
    /// A status reply such as `OK` or `QUEUED`.
    Status(String),
    /// An array reply.
    Array(Vec<Value>),
    /// A RESP3 map, as key/value pairs in the order the server sent them.
    Map(Vec<(Value, Value)>),
    /// A RESP3 set, in the order the server sent it.
    Set(Vec<Value>),
    /// A RESP3 double.
    Double(f64),
    /// A RESP3 boolean.
    Boolean(bool),
    /// A RESP3 big number, as its decimal text.
    BigNumber(String),
    /// A RESP3 verbatim string with its three-letter format (`txt`, `mkd`).
    Verbatim {
        /// The format tag, such as `txt`.
        format: String,
        /// The text.
        text: Bytes,
    },
    /// A RESP3 out-of-band push message.
    Push(Vec<Value>),
    /// An error reply.
    Error(ServerError),
}

impl Value {
    /// Converts a decoded frame. Attributes nested in aggregates were already
    /// dropped by the decoder; a stray top-level attribute becomes a map.
    pub fn from_frame(frame: Frame) -> Value {
        match frame {
            Frame::Simple(s) => Value::Status(lossy(s)),
            Frame::Error(e) | Frame::BlobError(e) => Value::Error(ServerError::new(e)),
            Frame::Integer(n) => Value::Int(n),
            Frame::Bulk(b) => Value::Bulk(b),
            Frame::Null | Frame::NullArray => Value::Nil,
            Frame::Array(items) => Value::Array(items.into_iter().map(Value::from_frame).collect()),
            Frame::Set(items) => Value::Set(items.into_iter().map(Value::from_frame).collect()),
            Frame::Push(items) => Value::Push(items.into_iter().map(Value::from_frame).collect()),
            Frame::Map(pairs) | Frame::Attribute(pairs) => Value::Map(
                pairs
                    .into_iter()
                    .map(|(k, v)| (Value::from_frame(k), Value::from_frame(v)))
                    .collect(),
            ),
            Frame::Double(d) => Value::Double(d),
            Frame::BigNumber(n) => Value::BigNumber(lossy(n)),
            Frame::Boolean(b) => Value::Boolean(b),
            Frame::Verbatim { format, data } => Value::Verbatim {
                format: String::from_utf8_lossy(&format).into_owned(),
                text: data,
            },
        }
    }

    /// True for [`Value::Nil`].
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// The elements of an array, set or push message.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(v) | Value::Set(v) | Value::Push(v) => Some(v),
            _ => None,
        }
    }

    /// The bytes of a bulk string, status, verbatim string or big number.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bulk(b) => Some(b),
            Value::Verbatim { text, .. } => Some(text),
            Value::Status(s) | Value::BigNumber(s) => Some(s.as_bytes()),
            _ => None,
        }
    }

    /// A short name of this value's type, used in conversion errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Int(_) => "integer",
            Value::Bulk(_) => "bulk string",
            Value::Status(_) => "status",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Set(_) => "set",
            Value::Double(_) => "double",
            Value::Boolean(_) => "boolean",
            Value::BigNumber(_) => "big number",
            Value::Verbatim { .. } => "verbatim string",
            Value::Push(_) => "push",
            Value::Error(_) => "error",
        }
    }

    /// Turns a top-level [`Value::Error`] into `Err(Error::Server)`.
    pub fn into_result(self) -> Result<Value> {
        match self {
            Value::Error(e) => Err(Error::Server(e)),
            v => Ok(v),
        }
    }
}

fn lossy(b: Bytes) -> String {
    match String::from_utf8(b.to_vec()) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Converts a [`Value`] into `T`; shorthand for [`FromValue::from_value`].
///
/// ```
/// let n: i64 = ferrodis::from_value(ferrodis::Value::Bulk("42".into())).unwrap();
/// assert_eq!(n, 42);
/// ```
pub fn from_value<T: FromValue>(v: Value) -> Result<T> {
    T::from_value(v)
}

/// Conversion from a reply into a Rust type.
///
/// An error reply converts into `Err(Error::Server)` for every type except
/// [`Value`] itself; a reply of the wrong shape gives [`Error::UnexpectedReply`].
/// Numbers parse from integer, double and string replies, because Redis returns
/// many numbers as strings.
///
/// ```
/// use ferrodis::{FromValue, Value};
/// let pair = <(String, i64)>::from_value(Value::Array(vec![
///     Value::Bulk("a".into()),
///     Value::Int(1),
/// ]))
/// .unwrap();
/// assert_eq!(pair, ("a".to_string(), 1));
/// assert!(i64::from_value(Value::Array(vec![])).is_err());
/// ```
pub trait FromValue: Sized {
    /// Performs the conversion.
    fn from_value(v: Value) -> Result<Self>;
}

fn mismatch<T>(v: &Value, want: &str) -> Result<T> {
    match v {
        Value::Error(e) => Err(Error::Server(e.clone())),
        _ => Err(Error::UnexpectedReply(format!(
            "cannot convert a {} reply to {want}",
            v.kind()
        ))),
    }
}

impl FromValue for Value {
    fn from_value(v: Value) -> Result<Self> {
        Ok(v)
    }
}

impl FromValue for () {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Error(e) => Err(Error::Server(e)),
            _ => Ok(()),
        }
    }
}

impl FromValue for Bytes {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Bulk(b) | Value::Verbatim { text: b, .. } => Ok(b),
            Value::Status(s) | Value::BigNumber(s) => Ok(Bytes::from(s)),
            Value::Int(n) => Ok(Bytes::from(n.to_string())),
            Value::Double(d) => Ok(Bytes::from(d.to_string())),
            other => mismatch(&other, "bytes"),
        }
    }
}

impl FromValue for String {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Status(s) | Value::BigNumber(s) => Ok(s),
            other => {
                let b = Bytes::from_value(other)?;
                String::from_utf8(b.to_vec())
                    .map_err(|_| Error::UnexpectedReply("reply is not valid UTF-8".into()))
            }
        }
    }
}

fn parse_text<T: std::str::FromStr>(b: &[u8], want: &str) -> Result<T> {
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::UnexpectedReply(format!("reply is not a valid {want}")))
}

macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: Value) -> Result<Self> {
                match v {
                    Value::Int(n) => <$t>::try_from(n).map_err(|_| {
                        Error::UnexpectedReply(format!(
                            "integer {n} out of range for {}",
                            stringify!($t)
                        ))
                    }),
                    Value::Boolean(b) => Ok(<$t>::from(b)),
                    Value::Bulk(ref b) | Value::Verbatim { text: ref b, .. } => {
                        parse_text(b, stringify!($t))
                    }
                    Value::Status(ref s) | Value::BigNumber(ref s) => {
                        parse_text(s.as_bytes(), stringify!($t))
                    }
                    other => mismatch(&other, stringify!($t)),
                }
            }
        }
    )*};
}

int_from_value!(i64, u64, i32, u32, i16, u16, usize, isize, i128, u128);

impl FromValue for f64 {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Double(d) => Ok(d),
            Value::Int(n) => Ok(n as f64),
            Value::Bulk(ref b) | Value::Verbatim { text: ref b, .. } => parse_float(b),
            Value::Status(ref s) | Value::BigNumber(ref s) => parse_float(s.as_bytes()),
            other => mismatch(&other, "f64"),
        }
    }
}

fn parse_float(b: &[u8]) -> Result<f64> {
    // Redis spells infinities `inf`/`-inf`; Rust's parser also takes those.
    parse_text::<f64>(b, "float")
}

impl FromValue for bool {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Boolean(b) => Ok(b),
            Value::Int(n) => Ok(n != 0),
            Value::Status(ref s) if s == "OK" => Ok(true),
            Value::Nil => Ok(false),
            Value::Bulk(ref b) if &b[..] == b"1" => Ok(true),
            Value::Bulk(ref b) if &b[..] == b"0" => Ok(false),
            other => mismatch(&other, "bool"),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Nil => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// The elements of an aggregate; a map is flattened into key, value, key, value.
fn elements(v: Value, want: &str) -> Result<Vec<Value>> {
    match v {
        Value::Array(items) | Value::Set(items) | Value::Push(items) => Ok(items),
        Value::Map(pairs) => Ok(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect()),
        Value::Nil => Ok(Vec::new()),
        other => mismatch(&other, want),
    }
}

/// Key/value pairs of a map, or of a flat array with an even number of elements.
fn pairs(v: Value, want: &str) -> Result<Vec<(Value, Value)>> {
    match v {
        Value::Map(pairs) => Ok(pairs),
        other => {
            let items = elements(other, want)?;
            if items.len() % 2 != 0 {
                return Err(Error::UnexpectedReply(format!(
                    "odd number of elements for {want}"
                )));
            }
            let mut out = Vec::with_capacity(items.len() / 2);
            let mut it = items.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
            Ok(out)
        }
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(v: Value) -> Result<Self> {
        elements(v, "a list")?
            .into_iter()
            .map(T::from_value)
            .collect()
    }
}

impl<T: FromValue + Eq + Hash, S: BuildHasher + Default> FromValue for HashSet<T, S> {
    fn from_value(v: Value) -> Result<Self> {
        elements(v, "a set")?
            .into_iter()
            .map(T::from_value)
            .collect()
    }
}

impl<K: FromValue + Eq + Hash, V: FromValue, S: BuildHasher + Default> FromValue
    for HashMap<K, V, S>
{
    fn from_value(v: Value) -> Result<Self> {
        pairs(v, "a map")?
            .into_iter()
            .map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?)))
            .collect()
    }
}

impl<K: FromValue + Ord, V: FromValue> FromValue for BTreeMap<K, V> {
    fn from_value(v: Value) -> Result<Self> {
        pairs(v, "a map")?
            .into_iter()
            .map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?)))
            .collect()
    }
}

macro_rules! tuple_from_value {
    ($n:literal; $($t:ident),+) => {
        impl<$($t: FromValue),+> FromValue for ($($t,)+) {
            fn from_value(v: Value) -> Result<Self> {
                let items = elements(v, concat!("a tuple of ", $n))?;
                if items.len() != $n {
                    return Err(Error::UnexpectedReply(format!(
                        "expected {} elements, got {}",
                        $n,
                        items.len()
                    )));
                }
                let mut it = items.into_iter();
                Ok(($(
                    $t::from_value(it.next().unwrap_or(Value::Nil))?,
                )+))
            }
        }
    };
}

tuple_from_value!(1; A);
tuple_from_value!(2; A, B);
tuple_from_value!(3; A, B, C);
tuple_from_value!(4; A, B, C, D);
tuple_from_value!(5; A, B, C, D, E);
tuple_from_value!(6; A, B, C, D, E, F);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(i64::from_value(Value::Int(5)).unwrap(), 5);
        assert!(u8_like(Value::Int(-1)));
        assert_eq!(i64::from_value(Value::Bulk("12".into())).unwrap(), 12);
        assert!(i64::from_value(Value::Bulk("x".into())).is_err());
        assert_eq!(
            f64::from_value(Value::Bulk("inf".into())).unwrap(),
            f64::INFINITY
        );
        assert_eq!(
            String::from_value(Value::Status("OK".into())).unwrap(),
            "OK"
        );
        assert!(matches!(
            String::from_value(Value::Error(ServerError::new("ERR x"))),
            Err(Error::Server(_))
        ));
        assert_eq!(Option::<i64>::from_value(Value::Nil).unwrap(), None);
        let m: HashMap<String, i64> =
            from_value(Value::Array(vec![Value::Bulk("a".into()), Value::Int(1)])).unwrap();
        assert_eq!(m.get("a"), Some(&1));
        assert!(HashMap::<String, i64>::from_value(Value::Array(vec![Value::Int(1)])).is_err());
        let m: BTreeMap<String, String> = from_value(Value::Map(vec![(
            Value::Status("k".into()),
            Value::Bulk("v".into()),
        )]))
        .unwrap();
        assert_eq!(m.get("k").map(String::as_str), Some("v"));
        assert!(<(i64, i64)>::from_value(Value::Array(vec![Value::Int(1)])).is_err());
        assert!(bool::from_value(Value::Int(1)).unwrap());
        assert!(String::from_value(Value::Bulk(Bytes::from_static(b"\xff"))).is_err());
    }

    fn u8_like(v: Value) -> bool {
        u32::from_value(v).is_err()
    }

    #[test]
    fn frames_map_to_values() {
        let f = Frame::Array(vec![
            Frame::Null,
            Frame::NullArray,
            Frame::Verbatim {
                format: *b"txt",
                data: Bytes::from_static(b"hi"),
            },
            Frame::BlobError(Bytes::from_static(b"ERR boom")),
        ]);
        assert_eq!(
            Value::from_frame(f),
            Value::Array(vec![
                Value::Nil,
                Value::Nil,
                Value::Verbatim {
                    format: "txt".into(),
                    text: Bytes::from_static(b"hi")
                },
                Value::Error(ServerError::new("ERR boom")),
            ])
        );
    }
}
