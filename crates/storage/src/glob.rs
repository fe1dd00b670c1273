//! Glob-style pattern matching with the exact semantics of Redis 7.0's `stringmatchlen`.
//!
//! KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET and friends all share this matcher, so every quirk of
//! the original is reproduced on purpose, including the ones that look like bugs:
//!
//! * `*` matches any run of bytes, `?` exactly one byte, `\x` the byte `x` literally. A trailing
//!   lone backslash matches a literal backslash.
//! * `[...]` is a set: `^` right after `[` negates it, `a-z` is an inclusive range whose bounds are
//!   swapped when reversed, `\x` inside a set adds `x` (compared case-sensitively even in `nocase`
//!   mode). The range test `x-y` wins over the closing bracket, so `[a-]` is the range `a`..`]`.
//! * A set that runs off the end of the pattern without `]` is closed there; as Redis does, the
//!   last pattern byte is then re-read as the final set member, which for `[` alone means "matches
//!   nothing" and for `[^` means "matches any single byte".
//! * An empty string matches no pattern except the empty pattern (Redis's loop never runs, so even
//!   `*` fails on an empty string; KEYS and SCAN special-case a lone `*` before calling this).
//! * Bytes are compared as the signed `char`s of x86-64, and case folding follows glibc's `tolower`
//!   in the "C" locale, so ranges with bytes >= 0x80 behave exactly as they do in Redis on Linux.
//! * After `*` fails to find the rest of the pattern anywhere in the remaining string, no earlier
//!   `*` is retried, and at most 1000 nested `*` are followed; the 1001st non-trailing `*` fails.
//!
//! The two cut-offs are what keeps Redis's recursive matcher polynomial. They imply that once the
//! matcher has committed to a `*`, only the most recent `*` is ever backtracked to, so this module
//! implements the same search iteratively in O(pattern * string) time with O(1) extra space.

/// The deepest `*` nesting Redis follows; a `*` at a deeper level never matches anything.
const MAX_STAR_NESTING: u32 = 1000;

/// Returns whether `string` matches the glob `pattern`, exactly as Redis 7.0's `stringmatchlen`.
///
/// With `nocase`, ASCII letters compare case-insensitively (escaped bytes inside `[...]` excepted,
/// as in Redis). Runs in O(`pattern.len()` * `string.len()`) time whatever the input.
pub fn glob_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut p = 0usize;
    let mut s = 0usize;
    // The star being retried on failure: pattern index just after it and the string index where
    // the current attempt for the rest of the pattern started.
    let mut star: Option<(usize, usize)> = None;
    let mut nesting = 0u32;

    loop {
        if let Some(matched) = step_until_star_or_end(pattern, string, nocase, &mut p, &mut s) {
            if matched {
                return true;
            }
            // The attempt failed without reaching another star: retry the last star one byte
            // further, or give up when there is none or its string is exhausted.
            let Some((star_p, start)) = star else {
                return false;
            };
            let next = start + 1;
            if next >= string.len() {
                return false;
            }
            star = Some((star_p, next));
            p = star_p;
            s = next;
            continue;
        }
        // `p` is at a star and the string is not exhausted. Collapse a run of stars first.
        while p + 1 < pattern.len() && pattern[p + 1] == b'*' {
            p += 1;
        }
        if p + 1 == pattern.len() {
            return true;
        }
        // Redis recurses here with one more level of nesting; past the limit every attempt
        // fails, so the whole match fails.
        if nesting >= MAX_STAR_NESTING {
            return false;
        }
        nesting += 1;
        // From here on an earlier star is never retried: whatever this star's attempts yield is
        // the final answer, which is what Redis's skip-longer-matches flag amounts to.
        star = Some((p + 1, s));
        p += 1;
    }
}

/// The pattern byte at `i`, or NUL past the end, mirroring the NUL terminator Redis reads there.
fn pat_at(pattern: &[u8], i: usize) -> u8 {
    pattern.get(i).copied().unwrap_or(0)
}

/// The `int` value x86-64 C code sees for a `char`, which is signed there.
fn signed(b: u8) -> i32 {
    i32::from(b as i8)
}

/// glibc's `tolower` in the "C" locale applied to a (possibly negative) `char` value: ASCII
/// letters fold, negative values other than `EOF` (-1) map to their unsigned byte value.
fn c_tolower(c: i32) -> i32 {
    match c {
        -128..=-2 => c + 256,
        0x41..=0x5a => c + 32,
        _ => c,
    }
}

/// Compares one pattern byte with one string byte, folding case when asked.
fn same_byte(a: u8, b: u8, nocase: bool) -> bool {
    if nocase {
        a.eq_ignore_ascii_case(&b)
    } else {
        a == b
    }
}

/// Matches literally from (`p`, `s`) until a star is reached with string left (returns `None`,
/// with `p` on the star) or the attempt is decided (returns whether it matched).
fn step_until_star_or_end(
    pattern: &[u8],
    string: &[u8],
    nocase: bool,
    p: &mut usize,
    s: &mut usize,
) -> Option<bool> {
    let plen = pattern.len();
    let slen = string.len();
    while *p < plen && *s < slen {
        let c = string[*s];
        match pattern[*p] {
            b'*' => return None,
            b'?' => {}
            b'[' => {
                if !match_set(pattern, c, nocase, p) {
                    return Some(false);
                }
            }
            b'\\' => {
                if plen - *p >= 2 {
                    *p += 1;
                }
                if !same_byte(pattern[*p], c, nocase) {
                    return Some(false);
                }
            }
            other => {
                if !same_byte(other, c, nocase) {
                    return Some(false);
                }
            }
        }
        *p += 1;
        *s += 1;
        if *s == slen {
            // Trailing stars match the empty rest of the string.
            while pat_at(pattern, *p) == b'*' {
                *p += 1;
            }
            break;
        }
    }
    Some(*p == plen && *s == slen)
}

/// Evaluates the set starting at `pattern[*p] == '['` against byte `c`, leaving `*p` on the last
/// byte of the set (its `]`, or the byte Redis falls back to when `]` is missing).
fn match_set(pattern: &[u8], c: u8, nocase: bool, p: &mut usize) -> bool {
    let plen = pattern.len();
    *p += 1;
    let negate = pat_at(pattern, *p) == b'^';
    if negate {
        *p += 1;
    }
    let mut matched = false;
    loop {
        let left = plen - *p;
        let b = pat_at(pattern, *p);
        if b == b'\\' && left >= 2 {
            *p += 1;
            if pattern[*p] == c {
                matched = true;
            }
        } else if b == b']' {
            break;
        } else if left == 0 {
            // Unterminated set: step back onto the last pattern byte, as Redis does.
            *p -= 1;
            break;
        } else if left >= 3 && pattern[*p + 1] == b'-' {
            let mut start = signed(b);
            let mut end = signed(pattern[*p + 2]);
            let mut ch = signed(c);
            if start > end {
                std::mem::swap(&mut start, &mut end);
            }
            if nocase {
                start = c_tolower(start);
                end = c_tolower(end);
                ch = c_tolower(ch);
            }
            *p += 2;
            if ch >= start && ch <= end {
                matched = true;
            }
        } else if same_byte(b, c, nocase) {
            matched = true;
        }
        *p += 1;
    }
    matched != negate
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[track_caller]
    fn check(pattern: &[u8], string: &[u8], nocase: bool, expected: bool) {
        assert_eq!(
            glob_match(pattern, string, nocase),
            expected,
            "pattern {:?} string {:?} nocase {}",
            String::from_utf8_lossy(pattern),
            String::from_utf8_lossy(string),
            nocase
        );
    }

    #[test]
    fn literals_and_wildcards() {
        let cases: &[(&[u8], &[u8], bool, bool)] = &[
            (b"", b"", false, true),
            (b"", b"a", false, false),
            (b"a", b"", false, false),
            (b"*", b"", false, false),
            (b"**", b"", false, false),
            (b"?", b"", false, false),
            (b"*", b"anything", false, true),
            (b"**", b"x", false, true),
            (b"hello", b"hello", false, true),
            (b"hello", b"hellO", false, false),
            (b"hello", b"hellO", true, true),
            (b"HELLO", b"hello", true, true),
            (b"h?llo", b"hallo", false, true),
            (b"h?llo", b"hllo", false, false),
            (b"h*llo", b"hllo", false, true),
            (b"h*llo", b"heeeello", false, true),
            (b"h*llo", b"heeeellox", false, false),
            (b"*llo", b"hello", false, true),
            (b"he*", b"he", false, true),
            (b"he**", b"he", false, true),
            (b"he*?", b"he", false, false),
            (b"he*?", b"hex", false, true),
            (b"a*b*c", b"abc", false, true),
            (b"a*b*c", b"axxbyyc", false, true),
            (b"a*b*c", b"axxbyyd", false, false),
            (b"a*b*c", b"acb", false, false),
            (b"*a*", b"bab", false, true),
            (b"*a", b"aaab", false, false),
            (b"*ab", b"aaab", false, true),
            (b"?*?", b"ab", false, true),
            (b"?*?", b"a", false, false),
            (b"user:*:name", b"user:1000:name", false, true),
            (b"user:*:name", b"user:1000:names", false, false),
            (b"a\0b", b"a\0b", false, true),
            (b"a\0b", b"a", false, false),
            (b"\xc9", b"\xe9", true, false),
            (b"\xc9", b"\xc9", true, true),
        ];
        for &(p, s, nocase, expected) in cases {
            check(p, s, nocase, expected);
        }
    }

    #[test]
    fn escapes() {
        let cases: &[(&[u8], &[u8], bool, bool)] = &[
            (b"\\*", b"*", false, true),
            (b"\\*", b"a", false, false),
            (b"\\?", b"?", false, true),
            (b"\\?", b"x", false, false),
            (b"\\[a]", b"[a]", false, true),
            (b"\\[a]", b"a", false, false),
            (b"a\\", b"a\\", false, true),
            (b"a\\", b"a", false, false),
            (b"\\", b"\\", false, true),
            (b"\\\\", b"\\", false, true),
            (b"\\a", b"a", false, true),
            (b"\\A", b"a", true, true),
            (b"*\\*", b"xx*", false, true),
            (b"*\\*", b"xx", false, false),
        ];
        for &(p, s, nocase, expected) in cases {
            check(p, s, nocase, expected);
        }
    }

    #[test]
    fn sets() {
        let cases: &[(&[u8], &[u8], bool, bool)] = &[
            (b"[abc]", b"b", false, true),
            (b"[abc]", b"d", false, false),
            (b"[abc]", b"B", false, false),
            (b"[abc]", b"B", true, true),
            (b"[ABC]", b"b", true, true),
            (b"[^abc]", b"d", false, true),
            (b"[^abc]", b"a", false, false),
            (b"[a-c]", b"b", false, true),
            (b"[a-c]", b"d", false, false),
            (b"[c-a]", b"b", false, true),
            (b"[c-a]", b"d", false, false),
            (b"[^a-c]", b"b", false, false),
            (b"[^a-c]", b"z", false, true),
            (b"[A-C]", b"b", true, true),
            (b"[a-c]", b"B", true, true),
            (b"[a-c]", b"B", false, false),
            // Case folding happens after the swap, so this range becomes 'z'..'a' and is empty.
            (b"[Z-a]", b"_", false, true),
            (b"[Z-a]", b"_", true, false),
            (b"[Z-a]", b"a", true, false),
            (b"[a-]", b"]", false, true),
            (b"[a-]", b"_", false, true),
            (b"[a-]", b"b", false, false),
            (b"[a-]", b"-", false, false),
            (b"[-a]", b"-", false, true),
            (b"[-a]", b"a", false, true),
            (b"[]]", b"]", false, false),
            (b"[]", b"]", false, false),
            (b"[]a]", b"]", false, false),
            (b"[\\]]", b"]", false, true),
            (b"[\\]]", b"\\", false, false),
            (b"[\\-]", b"-", false, true),
            (b"[a\\-c]", b"b", false, false),
            (b"[a\\-c]", b"-", false, true),
            (b"[\\a]", b"A", true, false),
            (b"[\\a]", b"a", true, true),
            (b"[*]", b"*", false, true),
            (b"[*]", b"x", false, false),
            (b"[?]", b"x", false, false),
            (b"[^]", b"x", false, true),
            (b"x[ab]y", b"xby", false, true),
            (b"x[ab]y", b"xcy", false, false),
            (b"[ab][cd]", b"ad", false, true),
            // Unterminated sets.
            (b"[", b"[", false, false),
            (b"[", b"x", false, false),
            (b"[^", b"x", false, true),
            (b"[^", b"^", false, true),
            (b"[^", b"xy", false, false),
            (b"[a", b"a", false, true),
            (b"[a", b"[", false, false),
            (b"[ab", b"b", false, true),
            (b"[a-", b"a", false, true),
            (b"[a-", b"-", false, true),
            (b"[a-", b"b", false, false),
            (b"[\\", b"\\", false, true),
            (b"a[", b"a", false, false),
            (b"*[", b"x[", false, false),
            // Signed-char ranges: 0xff is -1, so this range is -1..='a'.
            (b"[a-\xff]", b"\x00", false, true),
            (b"[a-\xff]", b"\xff", false, true),
            (b"[a-\xff]", b"\x80", false, false),
            (b"[a-\xff]", b"b", false, false),
            (b"[\x80-\xfe]", b"\xc0", false, true),
            (b"[\x80-\xfe]", b"a", false, false),
        ];
        for &(p, s, nocase, expected) in cases {
            check(p, s, nocase, expected);
        }
    }

    #[test]
    fn nesting_limit() {
        // 1000 star groups are followed, the 1001st (non-trailing) one fails the match.
        let mut pattern = b"*a".repeat(1000);
        let mut string = vec![b'a'; 1000];
        check(&pattern, &string, false, true);
        let mut with_trailing = pattern.clone();
        with_trailing.push(b'*');
        check(&with_trailing, &string, false, true);
        pattern.extend_from_slice(b"*a");
        string.push(b'a');
        check(&pattern, &string, false, false);
    }

    #[test]
    fn pathological_patterns_finish() {
        let mut pattern = Vec::new();
        for _ in 0..50 {
            pattern.extend_from_slice(b"a*");
        }
        pattern.push(b'b');
        let string = vec![b'a'; 20_000];
        check(&pattern, &string, false, false);
        let mut matching = string.clone();
        matching.push(b'b');
        check(&pattern, &matching, false, true);
        check(
            b"*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?b",
            &string,
            false,
            false,
        );
    }
}
