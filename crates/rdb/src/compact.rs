//! The compact encodings Redis stores small collections in, as they appear inside RDB strings:
//! listpack (read and written), and ziplist, intset and zipmap (read; intset also written).
//! Every decoder checks every length against the buffer and the header against the contents,
//! so a corrupt blob is refused, never half-read.

/// One element of a compact encoding.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Item<'a> {
    /// A string.
    Str(&'a [u8]),
    /// An integer (the encodings store integer-looking strings as integers).
    Int(i64),
}

impl Item<'_> {
    /// Calls `f` with the element's string form.
    pub fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Item::Str(s) => f(s),
            Item::Int(n) => f(itoa::Buffer::new().format(n).as_bytes()),
        }
    }

    /// The element's string form, owned.
    pub fn to_vec(self) -> Vec<u8> {
        self.with_bytes(<[u8]>::to_vec)
    }
}

/// A compact encoding that does not hold together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bad(pub &'static str);

type Result<T> = std::result::Result<T, Bad>;

fn slice(buf: &[u8], at: usize, n: usize) -> Result<&[u8]> {
    at.checked_add(n)
        .and_then(|end| buf.get(at..end))
        .ok_or(Bad("entry past the end"))
}

fn le_int(b: &[u8]) -> i64 {
    // Sign-extends a little-endian integer of 1 to 8 bytes.
    let mut v = [if b.last().is_some_and(|&x| x & 0x80 != 0) {
        0xff
    } else {
        0
    }; 8];
    v[..b.len()].copy_from_slice(b);
    i64::from_le_bytes(v)
}

// ---------------------------------------------------------------------------------------------
// Listpack: total bytes (u32 LE), element count (u16 LE, 65535 = unknown), entries each
// followed by their own length ("backlen"), and 0xFF.
// ---------------------------------------------------------------------------------------------

const LP_HEADER: usize = 6;
const LP_END: u8 = 0xff;

/// Bytes of the backlen that follows an entry of `n` bytes.
fn backlen_size(n: usize) -> usize {
    match n {
        0..=127 => 1,
        128..=16383 => 2,
        16384..=2_097_151 => 3,
        2_097_152..=268_435_455 => 4,
        _ => 5,
    }
}

fn put_backlen(out: &mut Vec<u8>, n: usize) {
    let size = backlen_size(n);
    // The highest 7-bit group comes first and alone has its top bit clear, so that the length
    // reads from right to left.
    for i in (0..size).rev() {
        let group = ((n >> (7 * i)) & 0x7f) as u8;
        out.push(if i == size - 1 { group } else { group | 0x80 });
    }
}

/// Decodes the listpack entry at `at`: the element and where the next entry starts.
fn lp_entry(buf: &[u8], at: usize) -> Result<(Item<'_>, usize)> {
    let b = *buf.get(at).ok_or(Bad("listpack entry past the end"))?;
    let (item, len) = if b & 0x80 == 0 {
        (Item::Int(i64::from(b)), 1)
    } else if b & 0xc0 == 0x80 {
        let n = usize::from(b & 0x3f);
        (Item::Str(slice(buf, at + 1, n)?), 1 + n)
    } else if b & 0xe0 == 0xc0 {
        let raw =
            (u16::from(b & 0x1f) << 8) | u16::from(*slice(buf, at + 1, 1)?.first().unwrap_or(&0));
        // A 13-bit two's complement number.
        let v = if raw >= 1 << 12 {
            i64::from(raw) - (1 << 13)
        } else {
            i64::from(raw)
        };
        (Item::Int(v), 2)
    } else if b & 0xf0 == 0xe0 {
        let n = (usize::from(b & 0x0f) << 8) | usize::from(slice(buf, at + 1, 1)?[0]);
        (Item::Str(slice(buf, at + 2, n)?), 2 + n)
    } else {
        match b {
            0xf0 => {
                let h = slice(buf, at + 1, 4)?;
                let n = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize;
                (Item::Str(slice(buf, at + 5, n)?), 5 + n)
            }
            0xf1 => (Item::Int(le_int(slice(buf, at + 1, 2)?)), 3),
            0xf2 => (Item::Int(le_int(slice(buf, at + 1, 3)?)), 4),
            0xf3 => (Item::Int(le_int(slice(buf, at + 1, 4)?)), 5),
            0xf4 => (Item::Int(le_int(slice(buf, at + 1, 8)?)), 9),
            _ => return Err(Bad("unknown listpack encoding")),
        }
    };
    let size = backlen_size(len);
    let back = slice(buf, at + len, size)?;
    let mut stored = 0usize;
    for &g in back {
        stored = (stored << 7) | usize::from(g & 0x7f);
    }
    if stored != len {
        return Err(Bad("listpack backlen mismatch"));
    }
    Ok((item, at + len + size))
}

/// Calls `f` with every element of a listpack, checking the whole of it; returns the count.
pub fn listpack<'a>(buf: &'a [u8], mut f: impl FnMut(Item<'a>)) -> Result<usize> {
    let h = slice(buf, 0, LP_HEADER).map_err(|_| Bad("listpack header too short"))?;
    let total = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize;
    let declared = u16::from_le_bytes([h[4], h[5]]);
    if total != buf.len() || buf.last() != Some(&LP_END) {
        return Err(Bad("listpack size mismatch"));
    }
    let mut at = LP_HEADER;
    let mut n = 0usize;
    while at < buf.len() - 1 {
        let (item, next) = lp_entry(buf, at)?;
        f(item);
        n += 1;
        at = next;
    }
    if at != buf.len() - 1 || (declared != u16::MAX && usize::from(declared) != n) {
        return Err(Bad("listpack count mismatch"));
    }
    Ok(n)
}

/// Builds a listpack, storing integer-looking strings as integers as Redis does.
#[derive(Debug)]
pub struct ListpackWriter {
    buf: Vec<u8>,
    count: usize,
}

impl Default for ListpackWriter {
    fn default() -> Self {
        ListpackWriter {
            buf: vec![0; LP_HEADER],
            count: 0,
        }
    }
}

impl ListpackWriter {
    /// Appends a string element.
    pub fn push(&mut self, s: &[u8]) {
        match strnum::parse_i64(s) {
            Some(n) if s.len() <= 20 => self.push_int(n),
            _ => self.push_str(s),
        }
    }

    /// Appends an integer element.
    pub fn push_int(&mut self, n: i64) {
        let start = self.buf.len();
        let b = &mut self.buf;
        match n {
            0..=127 => b.push(n as u8),
            -4096..=4095 => {
                let raw = (n as u16) & 0x1fff;
                b.extend_from_slice(&[0xc0 | (raw >> 8) as u8, raw as u8]);
            }
            -32768..=32767 => {
                b.push(0xf1);
                b.extend_from_slice(&(n as i16).to_le_bytes());
            }
            -8_388_608..=8_388_607 => {
                b.push(0xf2);
                b.extend_from_slice(&(n as i32).to_le_bytes()[..3]);
            }
            _ if i32::try_from(n).is_ok() => {
                b.push(0xf3);
                b.extend_from_slice(&(n as i32).to_le_bytes());
            }
            _ => {
                b.push(0xf4);
                b.extend_from_slice(&n.to_le_bytes());
            }
        }
        self.finish_entry(start);
    }

    /// Appends a string element as a string.
    fn push_str(&mut self, s: &[u8]) {
        let start = self.buf.len();
        let n = s.len();
        if n < 64 {
            self.buf.push(0x80 | n as u8);
        } else if n < 4096 {
            self.buf
                .extend_from_slice(&[0xe0 | (n >> 8) as u8, n as u8]);
        } else {
            self.buf.push(0xf0);
            self.buf.extend_from_slice(&(n as u32).to_le_bytes());
        }
        self.buf.extend_from_slice(s);
        self.finish_entry(start);
    }

    fn finish_entry(&mut self, start: usize) {
        let len = self.buf.len() - start;
        put_backlen(&mut self.buf, len);
        self.count += 1;
    }

    /// Elements so far.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Bytes so far.
    pub fn bytes(&self) -> usize {
        self.buf.len() + 1
    }

    /// The finished listpack.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.push(LP_END);
        let total = self.buf.len() as u32;
        let count = u16::try_from(self.count).unwrap_or(u16::MAX);
        self.buf[..4].copy_from_slice(&total.to_le_bytes());
        self.buf[4..6].copy_from_slice(&count.to_le_bytes());
        self.buf
    }
}

// ---------------------------------------------------------------------------------------------
// Ziplist: total bytes (u32 LE), tail offset (u32 LE), count (u16 LE), entries each preceded
// by the previous entry's length, and 0xFF.
// ---------------------------------------------------------------------------------------------

/// Calls `f` with every element of a ziplist, checking the whole of it; returns the count.
pub fn ziplist<'a>(buf: &'a [u8], mut f: impl FnMut(Item<'a>)) -> Result<usize> {
    let h = slice(buf, 0, 10).map_err(|_| Bad("ziplist header too short"))?;
    let total = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize;
    let tail = u32::from_le_bytes([h[4], h[5], h[6], h[7]]) as usize;
    let declared = u16::from_le_bytes([h[8], h[9]]);
    if total != buf.len() || buf.last() != Some(&0xff) {
        return Err(Bad("ziplist size mismatch"));
    }
    let mut last_entry = 10;
    let mut at = 10;
    let mut prev_len = 0usize;
    let mut n = 0usize;
    while at < buf.len() - 1 {
        let start = at;
        last_entry = start;
        let p = buf[at];
        let prev = if p < 254 {
            at += 1;
            usize::from(p)
        } else if p == 254 {
            let b = slice(buf, at + 1, 4)?;
            at += 5;
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
        } else {
            return Err(Bad("ziplist prevlen"));
        };
        if prev != prev_len {
            return Err(Bad("ziplist prevlen mismatch"));
        }
        let e = *slice(buf, at, 1)?.first().unwrap_or(&0);
        let item = match e >> 6 {
            0 => {
                let n = usize::from(e & 0x3f);
                at += 1;
                Item::Str(slice(buf, at, n).inspect(|_| at += n)?)
            }
            1 => {
                let n = (usize::from(e & 0x3f) << 8) | usize::from(slice(buf, at + 1, 1)?[0]);
                at += 2;
                Item::Str(slice(buf, at, n).inspect(|_| at += n)?)
            }
            2 => {
                let b = slice(buf, at + 1, 4)?;
                let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
                at += 5;
                Item::Str(slice(buf, at, n).inspect(|_| at += n)?)
            }
            _ => {
                let size = match e {
                    0xc0 => 2,
                    0xd0 => 4,
                    0xe0 => 8,
                    0xf0 => 3,
                    0xfe => 1,
                    0xf1..=0xfd => 0,
                    _ => return Err(Bad("unknown ziplist encoding")),
                };
                let v = if size == 0 {
                    i64::from(e & 0x0f) - 1
                } else {
                    le_int(slice(buf, at + 1, size)?)
                };
                at += 1 + size;
                Item::Int(v)
            }
        };
        f(item);
        n += 1;
        prev_len = at - start;
    }
    if declared != u16::MAX && usize::from(declared) != n {
        return Err(Bad("ziplist count mismatch"));
    }
    if tail != last_entry {
        return Err(Bad("ziplist tail offset"));
    }
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// Intset: element width in bytes (u32 LE: 2, 4 or 8), count (u32 LE), sorted elements (LE).
// ---------------------------------------------------------------------------------------------

/// The elements of an intset, checking that they are sorted and unique.
pub fn intset(buf: &[u8]) -> Result<Vec<i64>> {
    let h = slice(buf, 0, 8).map_err(|_| Bad("intset header too short"))?;
    let width = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize;
    let count = u32::from_le_bytes([h[4], h[5], h[6], h[7]]) as usize;
    if !matches!(width, 2 | 4 | 8)
        || count.checked_mul(width).and_then(|b| b.checked_add(8)) != Some(buf.len())
    {
        return Err(Bad("intset size mismatch"));
    }
    let v: Vec<i64> = buf[8..].chunks_exact(width).map(le_int).collect();
    if v.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Bad("intset not sorted"));
    }
    Ok(v)
}

/// Encodes sorted, unique integers as an intset.
pub fn write_intset(sorted: &[i64]) -> Vec<u8> {
    let width: usize = if sorted.iter().all(|&n| i16::try_from(n).is_ok()) {
        2
    } else if sorted.iter().all(|&n| i32::try_from(n).is_ok()) {
        4
    } else {
        8
    };
    let mut out = Vec::with_capacity(8 + width * sorted.len());
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(sorted.len() as u32).to_le_bytes());
    for &n in sorted {
        out.extend_from_slice(&n.to_le_bytes()[..width]);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Zipmap (Redis before 2.6): a count byte, then field and value each after its length (one
// byte, or 254 and 4 bytes), the value's length followed by a count of free bytes after it.
// ---------------------------------------------------------------------------------------------

/// Calls `f` with every field and value of a zipmap.
pub fn zipmap(buf: &[u8], mut f: impl FnMut(&[u8], &[u8])) -> Result<usize> {
    fn len(buf: &[u8], at: &mut usize) -> Result<usize> {
        let b = *buf.get(*at).ok_or(Bad("zipmap past the end"))?;
        if b < 254 {
            *at += 1;
            return Ok(usize::from(b));
        }
        if b == 254 {
            let x = slice(buf, *at + 1, 4)?;
            *at += 5;
            let n = u32::from_le_bytes([x[0], x[1], x[2], x[3]]) as usize;
            // A length that fits one byte must be written in one byte.
            if n < 254 {
                return Err(Bad("zipmap length not minimal"));
            }
            return Ok(n);
        }
        Err(Bad("zipmap length"))
    }
    let mut at = 1;
    let mut n = 0;
    loop {
        match buf.get(at) {
            None => return Err(Bad("zipmap without end")),
            Some(0xff) if at == buf.len() - 1 && n == 0 => return Err(Bad("empty zipmap")),
            Some(0xff) if at == buf.len() - 1 => return Ok(n),
            Some(_) => {}
        }
        let klen = len(buf, &mut at)?;
        let key = slice(buf, at, klen)?;
        at += klen;
        let vlen = len(buf, &mut at)?;
        let free = usize::from(*buf.get(at).ok_or(Bad("zipmap past the end"))?);
        at += 1;
        let value = slice(buf, at, vlen)?;
        at += vlen + free;
        f(key, value);
        n += 1;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn listpack_vec(buf: &[u8]) -> Result<Vec<Vec<u8>>> {
        let mut v = Vec::new();
        listpack(buf, |i| v.push(i.to_vec()))?;
        Ok(v)
    }

    #[test]
    fn listpacks_round_trip_every_encoding() {
        let long = vec![b'x'; 5000];
        let mid = vec![b'y'; 300];
        let ints: Vec<Vec<u8>> = [
            0i64,
            127,
            128,
            -1,
            -4096,
            4095,
            4096,
            -32768,
            32767,
            40000,
            -8_388_608,
            8_388_608,
            i64::from(i32::MIN),
            i64::MAX,
            i64::MIN,
        ]
        .iter()
        .map(|n| n.to_string().into_bytes())
        .collect();
        let mut items: Vec<Vec<u8>> = vec![b"".to_vec(), b"a".to_vec(), mid, long, b"007".to_vec()];
        items.extend(ints);
        let mut w = ListpackWriter::default();
        for i in &items {
            w.push(i);
        }
        let lp = w.finish();
        assert_eq!(listpack_vec(&lp).unwrap(), items);
        // Cutting any byte off is refused.
        for cut in 0..lp.len() {
            assert!(listpack_vec(&lp[..cut]).is_err());
        }
    }

    #[test]
    fn intsets_round_trip_and_refuse_disorder() {
        for v in [
            vec![1i64, 2, 3],
            vec![-70000, 5],
            vec![i64::MIN, 0, i64::MAX],
        ] {
            assert_eq!(intset(&write_intset(&v)).unwrap(), v);
        }
        assert!(intset(&write_intset(&[3, 1])).is_err());
    }

    #[test]
    fn a_redis_ziplist_decodes() {
        // Written by Redis 6: RPUSH l a 12 -5 hello 300 (a ziplist-encoded quicklist node).
        let mut zl = vec![0u8; 10];
        let entries: [&[u8]; 5] = [
            &[0x01, b'a'],
            &[0xf2],
            &[0xfe, 0xfb],
            &[0x05, b'h', b'e', b'l', b'l', b'o'],
            &[0xc0, 0x2c, 0x01],
        ];
        let mut prev = 0u8;
        let mut tail = 10;
        for e in entries {
            tail = zl.len();
            zl.push(prev);
            zl.extend_from_slice(e);
            prev = (e.len() + 1) as u8;
        }
        zl.push(0xff);
        let total = zl.len() as u32;
        zl[..4].copy_from_slice(&total.to_le_bytes());
        zl[4..8].copy_from_slice(&(tail as u32).to_le_bytes());
        zl[8..10].copy_from_slice(&5u16.to_le_bytes());
        let mut got = Vec::new();
        ziplist(&zl, |i| got.push(i.to_vec())).unwrap();
        assert_eq!(
            got,
            [&b"a"[..], b"1", b"-5", b"hello", b"300"].map(<[u8]>::to_vec)
        );
    }
}
