//! LEB128 unsigned integers (7 bits a byte, low bits first, the high bit saying another byte
//! follows): the lengths and numbers inside the compact encodings of hashes, sorted sets and
//! stream blocks.

/// The most bytes a `u64` takes.
pub const MAX_LEN: usize = 10;

/// Appends `n` to `out`.
#[inline]
pub fn put(out: &mut impl Extend<u8>, n: u64) {
    let (bytes, len) = encode(n);
    out.extend(bytes.into_iter().take(len));
}

/// The encoding of `n` and how many of its bytes are used.
#[inline]
pub fn encode(mut n: u64) -> ([u8; MAX_LEN], usize) {
    let mut bytes = [0u8; MAX_LEN];
    let mut len = 0;
    while n >= 0x80 {
        bytes[len] = (n as u8) | 0x80;
        n >>= 7;
        len += 1;
    }
    bytes[len] = n as u8;
    (bytes, len + 1)
}

/// How many bytes `put` writes for `n`.
#[inline]
pub fn size(n: u64) -> usize {
    let bits = u64::BITS - n.leading_zeros();
    (bits.max(1) as usize).div_ceil(7)
}

/// Reads the number starting at `at`: its value and the offset just past it, or `None` when
/// the buffer ends first or the number does not fit 64 bits.
#[inline]
pub fn read(buf: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut n = 0u64;
    let mut shift = 0u32;
    let mut i = at;
    loop {
        let byte = *buf.get(i)?;
        i += 1;
        if shift >= u64::BITS {
            return None;
        }
        n |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some((n, i));
        }
        shift += 7;
    }
}

/// Reads a length-prefixed string starting at `at`: its bytes and the offset just past it.
#[inline]
pub fn read_str(buf: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let (n, start) = read(buf, at)?;
    let end = start.checked_add(usize::try_from(n).ok()?)?;
    Some((buf.get(start..end)?, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_sizes() {
        for n in [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut buf = Vec::new();
            put(&mut buf, n);
            assert_eq!(buf.len(), size(n), "size of {n}");
            assert_eq!(read(&buf, 0), Some((n, buf.len())));
        }
    }

    #[test]
    fn truncated_and_overlong_numbers_are_refused() {
        assert_eq!(read(&[0x80], 0), None);
        assert_eq!(read(&[0xff; 11], 0), None);
        assert_eq!(read_str(&[3, b'a', b'b'], 0), None);
        assert_eq!(read_str(&[2, b'a', b'b'], 0), Some((&b"ab"[..], 3)));
    }
}
