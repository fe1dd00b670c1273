//! HyperLogLog sketches stored as plain strings, byte for byte in Redis 7.0's representation.
//!
//! A sketch is a 16-byte header (`HYLL`, an encoding byte, three unused bytes and an 8-byte
//! little-endian cached cardinality whose top bit marks the cache as stale) followed by 16384
//! registers, either dense (6 bits each, 12288 bytes) or sparse (run-length opcodes: ZERO
//! `00xxxxxx`, XZERO `01xxxxxx yyyyyyyy`, VAL `1vvvvvxx`). Because the bytes are exactly Redis's,
//! a sketch copied from Redis counts the same here and the other way round. Every walk over the
//! opcodes is bounded by the register count, so corrupt strings are reported, never trusted.

use std::ops::DerefMut;

use thin_vec::ThinVec;

/// Number of registers (2^14).
pub const REGISTERS: usize = 1 << P;
/// Size of the header.
pub const HDR_SIZE: usize = 16;
/// Total size of a dense sketch.
pub const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * BITS).div_ceil(8);
/// Encoding byte of a dense sketch.
pub const DENSE: u8 = 0;
/// Encoding byte of a sparse sketch.
pub const SPARSE: u8 = 1;

const P: usize = 14;
const Q: usize = 64 - P;
const BITS: usize = 6;
const REG_MAX: u8 = (1 << BITS) - 1;
const HASH_SEED: u64 = 0xadc8_3b19;
const VAL_MAX_VALUE: u8 = 32;
const VAL_MAX_LEN: usize = 4;
const ZERO_MAX_LEN: usize = 64;
const XZERO_MAX_LEN: usize = 16384;
const ENCODING_AT: usize = 4;
const CARD_AT: usize = 8;
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// Why a string cannot be used as a sketch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HllError {
    /// Not a sketch at all (wrong magic, encoding or dense length): Redis's WRONGTYPE error.
    NotHll,
    /// The header is fine but the sparse opcodes do not describe exactly 16384 registers.
    Corrupt,
}

/// A growable byte buffer the sketch can be edited in: `Vec<u8>` for tests and `ThinVec<u8>`
/// for the keyspace's strings.
pub trait HllBuf: DerefMut<Target = [u8]> {
    /// Inserts `bytes` at `at`.
    fn insert_bytes(&mut self, at: usize, bytes: &[u8]);
    /// Removes `n` bytes at `at`.
    fn remove_bytes(&mut self, at: usize, n: usize);
    /// Replaces the whole content.
    fn replace_all(&mut self, bytes: Vec<u8>);
}

impl HllBuf for Vec<u8> {
    fn insert_bytes(&mut self, at: usize, bytes: &[u8]) {
        self.splice(at..at, bytes.iter().copied());
    }
    fn remove_bytes(&mut self, at: usize, n: usize) {
        self.drain(at..at + n);
    }
    fn replace_all(&mut self, bytes: Vec<u8>) {
        *self = bytes;
    }
}

impl HllBuf for ThinVec<u8> {
    fn insert_bytes(&mut self, at: usize, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            self.insert(at + i, b);
        }
    }
    fn remove_bytes(&mut self, at: usize, n: usize) {
        for _ in 0..n {
            self.remove(at);
        }
    }
    fn replace_all(&mut self, bytes: Vec<u8>) {
        *self = ThinVec::from(bytes);
    }
}

/// A new, empty sketch: sparse, one XZERO opcode covering every register, cached count 0.
pub fn new_sparse() -> Vec<u8> {
    let mut v = Vec::with_capacity(HDR_SIZE + 2);
    v.extend_from_slice(b"HYLL");
    v.push(SPARSE);
    v.extend_from_slice(&[0; 11]);
    let mut left = REGISTERS;
    while left > 0 {
        let n = left.min(XZERO_MAX_LEN);
        v.extend_from_slice(&xzero_op(n));
        left -= n;
    }
    v
}

/// Checks that `s` has a sketch's header (Redis's test for PF* commands) and returns its
/// encoding byte (`DENSE` or `SPARSE`).
pub fn check(s: &[u8]) -> Result<u8, HllError> {
    if s.len() < HDR_SIZE || &s[..4] != b"HYLL" {
        return Err(HllError::NotHll);
    }
    let enc = s[ENCODING_AT];
    if enc > SPARSE || (enc == DENSE && s.len() != DENSE_SIZE) {
        return Err(HllError::NotHll);
    }
    Ok(enc)
}

/// The encoding name PFDEBUG ENCODING reports.
pub fn encoding_name(s: &[u8]) -> &'static str {
    if s.get(ENCODING_AT) == Some(&DENSE) {
        "dense"
    } else {
        "sparse"
    }
}

/// The cached cardinality, if the cache is valid.
pub fn cached_count(s: &[u8]) -> Option<u64> {
    let card: [u8; 8] = s.get(CARD_AT..HDR_SIZE)?.try_into().ok()?;
    if card[7] & 0x80 != 0 {
        return None;
    }
    Some(u64::from_le_bytes(card))
}

/// Stores `card` as the cached cardinality (which marks the cache valid).
pub fn set_cached_count(s: &mut [u8], card: u64) {
    if let Some(c) = s.get_mut(CARD_AT..HDR_SIZE) {
        c.copy_from_slice(&card.to_le_bytes());
    }
}

/// Marks the cached cardinality stale.
pub fn invalidate_cache(s: &mut [u8]) {
    if let Some(b) = s.get_mut(HDR_SIZE - 1) {
        *b |= 0x80;
    }
}

/// MurmurHash2, 64-bit variant (MurmurHash64A), reading words little-endian as Redis does on
/// every architecture.
pub fn murmurhash64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let mut k = u64::from_le_bytes(w).wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element falls in and the length of its `0...01` run (1 to 51).
pub fn pattern(ele: &[u8]) -> (usize, u8) {
    let hash = murmurhash64a(ele, HASH_SEED);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    // A sentinel bit bounds the run so the count never exceeds Q + 1.
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// Reads dense register `i` from the register area `regs`.
fn dense_get(regs: &[u8], i: usize) -> u8 {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let b0 = u32::from(regs.get(byte).copied().unwrap_or(0));
    let b1 = u32::from(regs.get(byte + 1).copied().unwrap_or(0));
    (((b0 >> fb) | (b1 << (8 - fb))) & u32::from(REG_MAX)) as u8
}

/// Writes dense register `i` in the register area `regs`.
fn dense_put(regs: &mut [u8], i: usize, v: u8) {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let v = u32::from(v & REG_MAX);
    let m = u32::from(REG_MAX);
    if let Some(b) = regs.get_mut(byte) {
        *b = ((u32::from(*b) & !(m << fb)) | (v << fb)) as u8;
    }
    if let Some(b) = regs.get_mut(byte + 1) {
        *b = ((u32::from(*b) & !(m >> (8 - fb))) | (v >> (8 - fb))) as u8;
    }
}

/// Raises dense register `i` to `count` if it is lower; returns whether it changed.
fn dense_set(regs: &mut [u8], i: usize, count: u8) -> bool {
    if count > dense_get(regs, i) {
        dense_put(regs, i, count);
        true
    } else {
        false
    }
}

fn is_zero(b: u8) -> bool {
    b & 0xc0 == 0
}
fn is_xzero(b: u8) -> bool {
    b & 0xc0 == 0x40
}
fn is_val(b: u8) -> bool {
    b & 0x80 != 0
}
fn zero_len(b: u8) -> usize {
    usize::from(b & 0x3f) + 1
}
fn xzero_len(b0: u8, b1: u8) -> usize {
    ((usize::from(b0 & 0x3f) << 8) | usize::from(b1)) + 1
}
fn val_value(b: u8) -> u8 {
    ((b >> 2) & 0x1f) + 1
}
fn val_len(b: u8) -> usize {
    usize::from(b & 0x3) + 1
}
fn val_op(value: u8, len: usize) -> u8 {
    0x80 | ((value - 1) << 2) | (len - 1) as u8
}
fn zero_op(len: usize) -> u8 {
    (len - 1) as u8
}
fn xzero_op(len: usize) -> [u8; 2] {
    let l = len - 1;
    [((l >> 8) as u8) | 0x40, (l & 0xff) as u8]
}

/// One decoded sparse opcode.
enum Op {
    Zero(usize),
    Val(u8, usize),
}

/// Walks the sparse opcodes of `ops`, calling `f(first_register, op)`; fails when they cover
/// anything but exactly `REGISTERS` registers. An XZERO cut short by the end of the string
/// reads its missing byte as zero, as Redis (which finds the string's terminator there) does.
fn walk_sparse(ops: &[u8], mut f: impl FnMut(usize, Op)) -> Result<(), HllError> {
    let mut idx = 0usize;
    let mut p = 0usize;
    while let Some(&b) = ops.get(p) {
        let (op, oplen) = if is_zero(b) {
            (Op::Zero(zero_len(b)), 1)
        } else if is_xzero(b) {
            let b1 = ops.get(p + 1).copied().unwrap_or(0);
            (Op::Zero(xzero_len(b, b1)), 2)
        } else {
            (Op::Val(val_value(b), val_len(b)), 1)
        };
        let run = match op {
            Op::Zero(n) | Op::Val(_, n) => n,
        };
        if idx + run > REGISTERS {
            return Err(HllError::Corrupt);
        }
        f(idx, op);
        idx += run;
        p += oplen;
    }
    if idx == REGISTERS {
        Ok(())
    } else {
        Err(HllError::Corrupt)
    }
}

/// Converts a sparse sketch to dense in place, keeping the header (and its cached count).
/// Returns whether a conversion happened; a corrupt sketch is left untouched.
pub fn to_dense<B: HllBuf + ?Sized>(buf: &mut B) -> Result<bool, HllError> {
    if buf.get(ENCODING_AT) == Some(&DENSE) {
        return Ok(false);
    }
    let mut dense = vec![0u8; DENSE_SIZE];
    let hdr = buf.get(..HDR_SIZE).ok_or(HllError::Corrupt)?;
    dense[..HDR_SIZE].copy_from_slice(hdr);
    dense[ENCODING_AT] = DENSE;
    {
        let regs = &mut dense[HDR_SIZE..];
        walk_sparse(&buf[HDR_SIZE..], |first, op| {
            if let Op::Val(v, n) = op {
                for i in first..first + n {
                    dense_put(regs, i, v);
                }
            }
        })?;
    }
    buf.replace_all(dense);
    Ok(true)
}

/// Raises register `index` to `count` in a sparse sketch, following Redis's exact opcode
/// edits so the resulting bytes match; promotes to dense when `count` does not fit a VAL
/// opcode or the string would grow beyond `sparse_max` bytes. Returns whether the register
/// changed.
fn sparse_set<B: HllBuf + ?Sized>(
    buf: &mut B,
    index: usize,
    count: u8,
    sparse_max: usize,
) -> Result<bool, HllError> {
    if count > VAL_MAX_VALUE {
        return promote(buf, index, count);
    }
    let mut end = buf.len();
    // Step 1: find the opcode covering `index`.
    let mut p = HDR_SIZE;
    let mut first = 0usize;
    let mut prev: Option<usize> = None;
    let mut span = 0usize;
    let mut oplen = 1usize;
    while p < end {
        let b = buf[p];
        oplen = 1;
        span = if is_zero(b) {
            zero_len(b)
        } else if is_val(b) {
            val_len(b)
        } else {
            oplen = 2;
            xzero_len(b, buf.get(p + 1).copied().unwrap_or(0))
        };
        if index < first + span {
            break;
        }
        prev = Some(p);
        p += oplen;
        first += span;
    }
    if span == 0 || p >= end || p + oplen > end {
        return Err(HllError::Corrupt);
    }
    let b = buf[p];
    let runlen = span;

    // Step 2: the cheap in-place cases, then the general split.
    let mut updated_in_place = false;
    if is_val(b) {
        if val_value(b) >= count {
            return Ok(false);
        }
        if runlen == 1 {
            buf[p] = val_op(count, 1);
            updated_in_place = true;
        }
    } else if is_zero(b) && runlen == 1 {
        buf[p] = val_op(count, 1);
        updated_in_place = true;
    }
    if !updated_in_place {
        let mut seq: Vec<u8> = Vec::with_capacity(5);
        let last = first + span - 1;
        let push_zeros = |seq: &mut Vec<u8>, len: usize| {
            if len > ZERO_MAX_LEN {
                seq.extend_from_slice(&xzero_op(len));
            } else {
                seq.push(zero_op(len));
            }
        };
        if is_val(b) {
            let cur = val_value(b);
            if index != first {
                seq.push(val_op(cur, index - first));
            }
            seq.push(val_op(count, 1));
            if index != last {
                seq.push(val_op(cur, last - index));
            }
        } else {
            if index != first {
                push_zeros(&mut seq, index - first);
            }
            seq.push(val_op(count, 1));
            if index != last {
                push_zeros(&mut seq, last - index);
            }
        }
        // Step 3: splice the new sequence over the old opcode, unless that grows the string
        // past the sparse limit.
        if seq.len() > oplen && buf.len() + (seq.len() - oplen) > sparse_max {
            return promote(buf, index, count);
        }
        let common = seq.len().min(oplen);
        buf[p..p + common].copy_from_slice(&seq[..common]);
        if seq.len() > oplen {
            buf.insert_bytes(p + oplen, &seq[oplen..]);
        } else if seq.len() < oplen {
            buf.remove_bytes(p + seq.len(), oplen - seq.len());
        }
        end = buf.len();
    }

    // Step 4: merge adjacent VAL opcodes of equal value, looking at a few opcodes from the
    // one before the change, exactly as far as Redis looks.
    let mut p = prev.unwrap_or(HDR_SIZE);
    let mut scan = 5;
    while p < end {
        if scan == 0 {
            break;
        }
        scan -= 1;
        let b = buf[p];
        if is_xzero(b) {
            p += 2;
            continue;
        } else if is_zero(b) {
            p += 1;
            continue;
        }
        if p + 1 < end && is_val(buf[p + 1]) {
            let next = buf[p + 1];
            let v = val_value(b);
            if v == val_value(next) {
                let len = val_len(b) + val_len(next);
                if len <= VAL_MAX_LEN {
                    buf[p + 1] = val_op(v, len);
                    buf.remove_bytes(p, 1);
                    end -= 1;
                    continue;
                }
            }
        }
        p += 1;
    }
    invalidate_cache(buf);
    Ok(true)
}

fn promote<B: HllBuf + ?Sized>(buf: &mut B, index: usize, count: u8) -> Result<bool, HllError> {
    to_dense(buf)?;
    Ok(dense_set(&mut buf[HDR_SIZE..], index, count))
}

/// Raises register `index` to `count` in a checked sketch of either encoding; returns whether
/// the register changed. Does not touch the cached count for dense sketches (callers
/// invalidate it once at the end, as Redis does).
pub fn set_register<B: HllBuf + ?Sized>(
    buf: &mut B,
    index: usize,
    count: u8,
    sparse_max: usize,
) -> Result<bool, HllError> {
    match buf.get(ENCODING_AT) {
        Some(&DENSE) => Ok(dense_set(
            buf.get_mut(HDR_SIZE..).ok_or(HllError::Corrupt)?,
            index,
            count,
        )),
        Some(&SPARSE) => sparse_set(buf, index, count, sparse_max),
        _ => Err(HllError::Corrupt),
    }
}

/// Adds an element to a checked sketch; returns whether a register changed.
pub fn add<B: HllBuf + ?Sized>(
    buf: &mut B,
    ele: &[u8],
    sparse_max: usize,
) -> Result<bool, HllError> {
    let (index, count) = pattern(ele);
    set_register(buf, index, count, sparse_max)
}

/// Raises every entry of `max` to the matching register of the checked sketch `s`.
pub fn merge_into(max: &mut [u8; REGISTERS], s: &[u8]) -> Result<(), HllError> {
    match s.get(ENCODING_AT) {
        Some(&DENSE) => {
            let regs = &s[HDR_SIZE..];
            for (i, m) in max.iter_mut().enumerate() {
                let v = dense_get(regs, i);
                if v > *m {
                    *m = v;
                }
            }
            Ok(())
        }
        Some(&SPARSE) => walk_sparse(&s[HDR_SIZE..], |first, op| {
            if let Op::Val(v, n) = op {
                for m in &mut max[first..first + n] {
                    if v > *m {
                        *m = v;
                    }
                }
            }
        }),
        _ => Err(HllError::Corrupt),
    }
}

/// Writes merged register values into a checked sketch as PFMERGE does: every non-zero value
/// in register order (so a sparse target gets Redis's exact opcodes), then marks the cached
/// count stale. A sparse target that turns out corrupt is left as far as it got.
pub fn write_registers<B: HllBuf + ?Sized>(buf: &mut B, max: &[u8; REGISTERS], sparse_max: usize) {
    for (j, &v) in max.iter().enumerate() {
        if v != 0 {
            // Redis ignores a failure here: the target was checked when it was merged.
            let _ = set_register(buf, j, v, sparse_max);
        }
    }
    invalidate_cache(buf);
}

/// Every register's value, for PFDEBUG GETREG and tests.
pub fn registers(s: &[u8]) -> Result<Box<[u8; REGISTERS]>, HllError> {
    let mut max = Box::new([0u8; REGISTERS]);
    merge_into(&mut max, s)?;
    Ok(max)
}

/// The estimated cardinality of a checked sketch (ignoring the cache).
pub fn count(s: &[u8]) -> Result<u64, HllError> {
    let mut histo = [0u32; 64];
    match s.get(ENCODING_AT) {
        Some(&DENSE) => {
            let regs = &s[HDR_SIZE..];
            for i in 0..REGISTERS {
                histo[usize::from(dense_get(regs, i))] += 1;
            }
        }
        Some(&SPARSE) => walk_sparse(&s[HDR_SIZE..], |_, op| match op {
            Op::Zero(n) => histo[0] += n as u32,
            Op::Val(v, n) => histo[usize::from(v)] += n as u32,
        })?,
        _ => return Err(HllError::Corrupt),
    }
    Ok(estimate(&histo))
}

/// The estimated cardinality of plain one-byte-per-register values (PFCOUNT of several keys).
pub fn count_registers(regs: &[u8; REGISTERS]) -> u64 {
    let mut histo = [0u32; 64];
    for &r in regs.iter() {
        histo[usize::from(r & 63)] += 1;
    }
    estimate(&histo)
}

/// Otmar Ertl's improved raw estimator ("New cardinality estimation algorithms for
/// HyperLogLog sketches", 2017), which Redis 7 uses, from the register histogram.
fn estimate(histo: &[u32; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - f64::from(histo[Q + 1])) / m);
    for j in (1..=Q).rev() {
        z += f64::from(histo[j]);
        z *= 0.5;
    }
    z += m * sigma(f64::from(histo[0]) / m);
    let e = (ALPHA_INF * m * m / z).round();
    if e.is_finite() && e > 0.0 {
        e as u64
    } else {
        0
    }
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let before = z;
        z += x * y;
        y += y;
        if before == z {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let before = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if before == z {
            return z / 3.0;
        }
    }
}

/// PFDEBUG DECODE's text for a sparse sketch (`z:len`, `Z:len`, `v:value,len`), or `None`
/// for a dense one.
pub fn decode(s: &[u8]) -> Option<String> {
    if s.get(ENCODING_AT) != Some(&SPARSE) {
        return None;
    }
    let ops = s.get(HDR_SIZE..)?;
    let mut out = String::new();
    let mut p = 0;
    while let Some(&b) = ops.get(p) {
        if !out.is_empty() {
            out.push(' ');
        }
        if is_zero(b) {
            out.push_str(&format!("z:{}", zero_len(b)));
            p += 1;
        } else if is_xzero(b) {
            let b1 = ops.get(p + 1).copied().unwrap_or(0);
            out.push_str(&format!("Z:{}", xzero_len(b, b1)));
            p += 2;
        } else {
            out.push_str(&format!("v:{},{}", val_value(b), val_len(b)));
            p += 1;
        }
    }
    Some(out)
}

/// PFSELFTEST: checks dense register access with pseudo-random values, then adds ten million
/// distinct elements to a dense and a sparse sketch, checking at every power of ten that the
/// sparse one is still sparse while small, that both agree and that the error is within six
/// standard errors. Returns Redis's `TESTFAILED ...` message on failure.
pub fn selftest(seed: u64, sparse_max: usize) -> Result<(), String> {
    let mut rng = seed | 1;
    let mut next = move || {
        // xorshift64*: any decent generator serves; the test only needs varied values.
        rng ^= rng >> 12;
        rng ^= rng << 25;
        rng ^= rng >> 27;
        rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let mut dense = vec![0u8; DENSE_SIZE];
    let mut bytes = vec![0u8; REGISTERS];
    for _ in 0..1000 {
        for (i, b) in bytes.iter_mut().enumerate() {
            let r = (next() & u64::from(REG_MAX)) as u8;
            *b = r;
            dense_put(&mut dense[HDR_SIZE..], i, r);
        }
        for (i, &b) in bytes.iter().enumerate() {
            let v = dense_get(&dense[HDR_SIZE..], i);
            if v != b {
                return Err(format!("TESTFAILED Register {i} should be {b} but is {v}"));
            }
        }
    }

    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..4].copy_from_slice(b"HYLL");
    let mut sparse = new_sparse();
    let relerr = 1.04 / (REGISTERS as f64).sqrt();
    let mut checkpoint: u64 = 1;
    let base = next();
    for j in 1..=10_000_000u64 {
        let ele = (j ^ base).to_le_bytes();
        let (index, cnt) = pattern(&ele);
        dense_set(&mut dense[HDR_SIZE..], index, cnt);
        set_register(&mut sparse, index, cnt, sparse_max).map_err(|_| "TESTFAILED corrupt")?;
        if j != checkpoint {
            continue;
        }
        if (j as usize) < sparse_max / 2 && sparse[ENCODING_AT] != SPARSE {
            return Err("TESTFAILED sparse encoding not used".into());
        }
        let c = count(&dense).map_err(|_| "TESTFAILED corrupt")?;
        if count(&sparse).ok() != Some(c) {
            return Err("TESTFAILED dense/sparse disagree".into());
        }
        let abserr = checkpoint.abs_diff(c);
        let mut maxerr = (relerr * 6.0 * checkpoint as f64).ceil() as u64;
        // Ten elements collide often enough that a wider margin would be noise.
        if j == 10 {
            maxerr = 1;
        }
        if abserr > maxerr {
            return Err(format!(
                "TESTFAILED Too big error. card:{checkpoint} abserr:{abserr}"
            ));
        }
        checkpoint *= 10;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
