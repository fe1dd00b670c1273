//! Redis's `sdssplitargs`: a line split into arguments with its quoting rules, as inline
//! commands, redis.conf lines and redis-cli's input are split.

/// C's `isspace` in the "C" locale.
pub(crate) fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Splits a line into arguments like Redis's `sdssplitargs`: blanks separate words, `"..."`
/// understands `\n \r \t \b \a \xHH` and `\<c>`, `'...'` understands only `\'`, and a closing
/// quote must be followed by a blank or the end. Returns `None` for unbalanced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    // Reading past the end yields NUL, just as the C code sees its terminator.
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let mut out = Vec::new();
    let mut p = 0usize;
    loop {
        while at(p) != 0 && is_c_space(at(p)) {
            p += 1;
        }
        if at(p) == 0 {
            return Some(out);
        }
        // The quote the current word is inside, if any.
        let mut quote: Option<u8> = None;
        let mut done = false;
        let mut cur = Vec::new();
        while !done {
            let c = at(p);
            let Some(q) = quote else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => done = true,
                    b'"' | b'\'' => quote = Some(c),
                    _ => cur.push(c),
                }
                if at(p) != 0 {
                    p += 1;
                }
                continue;
            };
            if let (b'"', b'\\', b'x', Some(h), Some(l)) =
                (q, c, at(p + 1), hex_val(at(p + 2)), hex_val(at(p + 3)))
            {
                cur.push(h * 16 + l);
                p += 3;
            } else if q == b'"' && c == b'\\' && at(p + 1) != 0 {
                p += 1;
                cur.push(match at(p) {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'b' => 8,
                    b'a' => 7,
                    o => o,
                });
            } else if q == b'\'' && c == b'\\' && at(p + 1) == b'\'' {
                p += 1;
                cur.push(b'\'');
            } else if c == q {
                // A closing quote must end the word.
                if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                    return None;
                }
                done = true;
            } else if c == 0 {
                return None;
            } else {
                cur.push(c);
            }
            if at(p) != 0 {
                p += 1;
            }
        }
        out.push(cur);
    }
}
