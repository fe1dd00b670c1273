//! redis-cli's text forms: reply rendering in each output mode (standard/TTY, raw,
//! CSV, JSON, quoted JSON), its quoting of binary strings, and its splitting of an
//! input line into arguments.

use ferrodis::Value;
use resp::split_args;

/// How replies are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// `(integer) 1`, `"quoted"`, `1) ...`: the default on a terminal.
    Standard,
    /// Bare values, one per line: the default when stdout is not a terminal.
    Raw,
    /// Comma-separated values.
    Csv,
    /// JSON with strings as Unicode.
    Json,
    /// JSON with strings in redis-cli's escaped form.
    QuotedJson,
}

/// Appends `s` in double quotes, each byte as `escape` writes it: `\\` and `\"` always, the
/// rest by the format's rules.
fn quoted(out: &mut Vec<u8>, s: &[u8], escape: fn(&mut Vec<u8>, u8)) {
    out.push(b'"');
    for &c in s {
        match c {
            b'\\' | b'"' => {
                out.push(b'\\');
                out.push(c);
            }
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            _ => escape(out, c),
        }
    }
    out.push(b'"');
}

/// Appends `s` in double quotes with redis-cli's escapes (`\n`, `\"`, `\xNN`...).
pub fn repr_into(out: &mut Vec<u8>, s: &[u8]) {
    quoted(out, s, |out, c| match c {
        0x07 => out.extend_from_slice(b"\\a"),
        0x20..=0x7e => out.push(c),
        _ => out.extend_from_slice(format!("\\x{c:02x}").as_bytes()),
    });
}

/// `s` quoted with redis-cli's escapes.
pub fn repr(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 2);
    repr_into(&mut out, s);
    out
}

fn json_string(out: &mut Vec<u8>, s: &[u8], mode: Output) {
    if mode == Output::QuotedJson {
        // The escaped form, with its backslashes escaped again for JSON.
        for c in repr(s) {
            if c == b'\\' {
                out.extend_from_slice(b"\\\\");
            } else {
                out.push(c);
            }
        }
        return;
    }
    quoted(out, s, |out, c| match c {
        0x0c => out.extend_from_slice(b"\\f"),
        0..=0x1f => out.extend_from_slice(format!("\\u{c:04x}").as_bytes()),
        _ => out.push(c),
    });
}

/// A double as hiredis hands it to redis-cli: the server's `%.17g` text.
fn double_text(d: f64) -> String {
    let mut s = Vec::new();
    resp::format_double_17g(d, &mut s);
    String::from_utf8_lossy(&s).into_owned()
}

/// Renders `v` in the standard (TTY) form. `prefix` is the indentation that nested
/// elements after the first get.
pub fn tty(out: &mut Vec<u8>, v: &Value, prefix: &str) {
    match v {
        Value::Error(e) => {
            out.extend_from_slice(b"(error) ");
            out.extend_from_slice(e.as_bytes());
            out.push(b'\n');
        }
        Value::Status(s) => {
            out.extend_from_slice(s.as_bytes());
            out.push(b'\n');
        }
        Value::Int(n) => out.extend_from_slice(format!("(integer) {n}\n").as_bytes()),
        Value::Double(d) => {
            out.extend_from_slice(format!("(double) {}\n", double_text(*d)).as_bytes())
        }
        Value::BigNumber(n) => out.extend_from_slice(format!("(big number) {n}\n").as_bytes()),
        Value::Bulk(b) => {
            repr_into(out, b);
            out.push(b'\n');
        }
        Value::Verbatim { text, .. } => {
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Value::Nil => out.extend_from_slice(b"(nil)\n"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"(true)\n" } else { b"(false)\n" }),
        Value::Array(items) | Value::Set(items) | Value::Push(items) if items.is_empty() => {
            out.extend_from_slice(match v {
                Value::Set(_) => b"(empty set)\n" as &[u8],
                Value::Push(_) => b"(empty push)\n",
                _ => b"(empty array)\n",
            });
        }
        Value::Map(pairs) if pairs.is_empty() => out.extend_from_slice(b"(empty hash)\n"),
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            let sep = if matches!(v, Value::Set(_)) { '~' } else { ')' };
            let width = items.len().to_string().len();
            let nested = format!("{prefix}{}", " ".repeat(width + 2));
            for (i, item) in items.iter().enumerate() {
                let lead = if i == 0 { "" } else { prefix };
                out.extend_from_slice(format!("{lead}{:>width$}{sep} ", i + 1).as_bytes());
                tty(out, item, &nested);
            }
        }
        Value::Map(pairs) => {
            let width = pairs.len().to_string().len();
            let nested = format!("{prefix}{}", " ".repeat(width + 2));
            for (i, (k, val)) in pairs.iter().enumerate() {
                let lead = if i == 0 { "" } else { prefix };
                out.extend_from_slice(format!("{lead}{:>width$}# ", i + 1).as_bytes());
                tty(out, k, &nested);
                // The key's newline gives way to the arrow.
                out.pop();
                out.extend_from_slice(b" => ");
                if is_multiline(val) {
                    out.push(b'\n');
                    out.extend_from_slice(nested.as_bytes());
                }
                tty(out, val, &nested);
            }
        }
    }
}

/// True when [`tty`] renders `v` over several lines.
fn is_multiline(v: &Value) -> bool {
    match v {
        Value::Array(items) | Value::Set(items) | Value::Push(items) => match items.as_slice() {
            [] => false,
            [only] => is_multiline(only),
            _ => true,
        },
        Value::Map(pairs) => match pairs.as_slice() {
            [] => false,
            [(_, only)] => is_multiline(only),
            _ => true,
        },
        _ => false,
    }
}

/// Renders `v` in raw form; aggregates put `mb_delim` between elements.
pub fn raw(out: &mut Vec<u8>, v: &Value, mb_delim: &[u8]) {
    match v {
        Value::Nil => {}
        Value::Error(e) => {
            out.extend_from_slice(e.as_bytes());
            out.push(b'\n');
        }
        Value::Status(s) => out.extend_from_slice(s.as_bytes()),
        Value::Bulk(b) | Value::Verbatim { text: b, .. } => out.extend_from_slice(b),
        Value::BigNumber(n) => out.extend_from_slice(n.as_bytes()),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"(true)" } else { b"(false)" }),
        Value::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::Double(d) => out.extend_from_slice(double_text(*d).as_bytes()),
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(mb_delim);
                }
                raw(out, item, mb_delim);
            }
        }
        Value::Map(pairs) => {
            for (i, (k, val)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(mb_delim);
                }
                raw(out, k, mb_delim);
                out.push(b' ');
                raw(out, val, mb_delim);
            }
        }
    }
}

/// Renders `v` as CSV.
pub fn csv(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Error(e) => {
            out.extend_from_slice(b"ERROR,");
            repr_into(out, e.as_bytes());
        }
        Value::Status(s) => repr_into(out, s.as_bytes()),
        Value::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::Double(d) => out.extend_from_slice(double_text(*d).as_bytes()),
        Value::BigNumber(n) => out.extend_from_slice(n.as_bytes()),
        Value::Bulk(b) | Value::Verbatim { text: b, .. } => repr_into(out, b),
        Value::Nil => out.extend_from_slice(b"NULL"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                csv(out, item);
            }
        }
        Value::Map(pairs) => {
            for (i, (k, val)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                csv(out, k);
                out.push(b',');
                csv(out, val);
            }
        }
    }
}

/// Renders `v` as JSON (`mode` is [`Output::Json`] or [`Output::QuotedJson`]).
pub fn json(out: &mut Vec<u8>, v: &Value, mode: Output) {
    match v {
        Value::Error(e) => {
            out.extend_from_slice(b"error:");
            json_string(out, e.as_bytes(), mode);
        }
        Value::Status(s) => json_string(out, s.as_bytes(), mode),
        Value::Bulk(b) | Value::Verbatim { text: b, .. } => json_string(out, b, mode),
        Value::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::Double(d) => out.extend_from_slice(double_text(*d).as_bytes()),
        Value::BigNumber(n) => out.extend_from_slice(n.as_bytes()),
        Value::Nil => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json(out, item, mode);
            }
            out.push(b']');
        }
        Value::Map(pairs) => {
            out.push(b'{');
            for (i, (k, val)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                match k {
                    Value::Error(_)
                    | Value::Status(_)
                    | Value::Bulk(_)
                    | Value::Verbatim { .. } => json(out, k, mode),
                    _ => {
                        // JSON keys must be strings: quote the rendering of others.
                        let mut key = Vec::new();
                        json(&mut key, k, mode);
                        if key.first() == Some(&b'"') {
                            out.extend_from_slice(&key);
                        } else {
                            out.push(b'"');
                            out.extend_from_slice(&key);
                            out.push(b'"');
                        }
                    }
                }
                out.push(b':');
                json(out, val, mode);
            }
            out.push(b'}');
        }
    }
}

/// Renders a whole reply as printed after a command. `verbatim` replies (INFO,
/// CLIENT LIST...) print raw whatever the mode.
pub fn reply(
    v: &Value,
    mode: Output,
    verbatim: bool,
    mb_delim: &[u8],
    cmd_delim: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    if verbatim {
        raw(&mut out, v, mb_delim);
        return out;
    }
    match mode {
        Output::Standard => tty(&mut out, v, ""),
        Output::Raw => {
            raw(&mut out, v, mb_delim);
            out.extend_from_slice(cmd_delim);
        }
        Output::Csv => {
            csv(&mut out, v);
            out.push(b'\n');
        }
        Output::Json | Output::QuotedJson => {
            json(&mut out, v, mode);
            out.push(b'\n');
        }
    }
    out
}

/// A RESP3 `invalidate` push as redis-cli shows it on a terminal, if it is one.
pub fn invalidate_tty(v: &Value) -> Option<Vec<u8>> {
    let Value::Push(items) = v else { return None };
    let [kind, Value::Array(keys)] = items.as_slice() else {
        return None;
    };
    if !kind
        .as_bytes()
        .is_some_and(|k| k.starts_with(b"invalidate"))
    {
        return None;
    }
    let mut out = b"-> invalidate: ".to_vec();
    for (i, k) in keys.iter().enumerate() {
        out.push(b'\'');
        out.extend_from_slice(k.as_bytes()?);
        out.push(b'\'');
        if i + 1 < keys.len() {
            out.extend_from_slice(b", ");
        }
    }
    out.push(b'\n');
    Some(out)
}

/// One quoted argument (`--quoted-input`, `--quoted-pattern`): exactly one word.
pub fn unquote(s: &[u8]) -> Option<Vec<u8>> {
    let mut words = split_args(s)?;
    if words.len() == 1 {
        words.pop()
    } else {
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ferrodis::ServerError;

    fn b(s: &str) -> Value {
        Value::Bulk(bytes::Bytes::copy_from_slice(s.as_bytes()))
    }

    fn std(v: &Value) -> String {
        String::from_utf8(reply(v, Output::Standard, false, b"\n", b"\n")).unwrap()
    }

    #[test]
    fn standard_form() {
        assert_eq!(std(&Value::Status("OK".into())), "OK\n");
        assert_eq!(std(&Value::Int(-3)), "(integer) -3\n");
        assert_eq!(
            std(&b("tab\tnl\n\"q\"\\ \u{7f}")),
            "\"tab\\tnl\\n\\\"q\\\"\\\\ \\x7f\"\n"
        );
        assert_eq!(std(&Value::Nil), "(nil)\n");
        assert_eq!(
            std(&Value::Error(ServerError::new("ERR x"))),
            "(error) ERR x\n"
        );
        assert_eq!(std(&Value::Array(vec![])), "(empty array)\n");
        assert_eq!(std(&Value::Set(vec![])), "(empty set)\n");
        assert_eq!(std(&Value::Map(vec![])), "(empty hash)\n");
        assert_eq!(std(&Value::Double(1.5)), "(double) 1.5\n");
        assert_eq!(std(&Value::Boolean(true)), "(true)\n");
        let nested = Value::Array(vec![
            b("a"),
            Value::Array(vec![Value::Int(1), Value::Array(vec![b("x"), b("y")])]),
            Value::Nil,
        ]);
        assert_eq!(
            std(&nested),
            "1) \"a\"\n2) 1) (integer) 1\n   2) 1) \"x\"\n      2) \"y\"\n3) (nil)\n"
        );
        let ten: Vec<Value> = (1..=10).map(Value::Int).collect();
        let s = std(&Value::Array(ten));
        assert!(s.starts_with(" 1) (integer) 1\n 2)"));
        assert!(s.ends_with("10) (integer) 10\n"));
        let map = Value::Map(vec![
            (b("k"), b("v")),
            (b("list"), Value::Array(vec![Value::Int(1), Value::Int(2)])),
        ]);
        assert_eq!(
            std(&map),
            "1# \"k\" => \"v\"\n2# \"list\" => \n   1) (integer) 1\n   2) (integer) 2\n"
        );
        assert_eq!(std(&Value::Set(vec![b("m")])), "1~ \"m\"\n");
    }

    #[test]
    fn raw_csv_json() {
        let v = Value::Array(vec![b("a"), Value::Int(2), Value::Nil]);
        assert_eq!(reply(&v, Output::Raw, false, b"\n", b"\n"), b"a\n2\n\n");
        assert_eq!(
            reply(&v, Output::Csv, false, b"\n", b"\n"),
            b"\"a\",2,NULL\n"
        );
        assert_eq!(
            reply(&v, Output::Json, false, b"\n", b"\n"),
            b"[\"a\",2,null]\n"
        );
        let m = Value::Map(vec![(Value::Int(1), b("One"))]);
        assert_eq!(
            reply(&m, Output::Json, false, b"\n", b"\n"),
            b"{\"1\":\"One\"}\n"
        );
        let ctl = b("Hello\x00\x01World");
        assert_eq!(
            reply(&ctl, Output::Json, false, b"\n", b"\n"),
            b"\"Hello\\u0000\\u0001World\"\n"
        );
        assert_eq!(
            reply(&ctl, Output::QuotedJson, false, b"\n", b"\n"),
            b"\"Hello\\\\x00\\\\x01World\"\n"
        );
    }

    #[test]
    fn splitting() {
        let s = |l: &str| {
            split_args(l.as_bytes()).map(|v| {
                v.into_iter()
                    .map(|a| String::from_utf8_lossy(&a).into_owned())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(s("set k v").unwrap(), ["set", "k", "v"]);
        assert_eq!(s("  set \" bar \"").unwrap(), ["set", " bar "]);
        assert_eq!(s("set \"\\\"bar\\\"\"").unwrap(), ["set", "\"bar\""]);
        assert_eq!(s("a \"\\x41\\x4a\\n\"").unwrap(), ["a", "AJ\n"]);
        assert_eq!(s("a 'it\\'s'").unwrap(), ["a", "it's"]);
        assert_eq!(s("set key\"\" bar").unwrap(), ["set", "key", "bar"]);
        assert!(s("get \"\"key").is_none());
        assert!(s("get \"key\"x").is_none());
        assert!(s("get \"open").is_none());
        assert_eq!(s("").unwrap(), Vec::<String>::new());
        assert_eq!(unquote(b"\"\\x00\\x00\""), Some(vec![0, 0]));
        assert_eq!(unquote(b"\"a\" \"b\""), None);
    }
}
