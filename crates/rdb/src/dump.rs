//! DUMP payloads: a value's type byte and body as in an RDB file, then the RDB version (2
//! bytes, little-endian) and the CRC-64 of everything before it (8 bytes, little-endian).

use storage::value::Value;

use crate::io::{Input, Output, CRC64};
use crate::object::{self, LoadLimits};
use crate::VERSION;

/// Bytes after the value: the version and the checksum.
const FOOTER: usize = 10;

/// The DUMP payload of `v`.
pub fn payload(v: &Value, compress: bool) -> Vec<u8> {
    let mut out = Output::new(Vec::new(), compress);
    // Writing to a vector cannot fail.
    let _ = object::write(&mut out, v);
    let mut buf = out.into_inner();
    buf.extend_from_slice(&VERSION.to_le_bytes());
    let crc = CRC64.checksum(&buf);
    buf.extend_from_slice(&crc.to_le_bytes());
    buf
}

/// Whether a payload has a version this server reads and, unless `skip_checksum` (DEBUG
/// SET-SKIP-CHECKSUM-VALIDATION), the right checksum.
pub fn verify(p: &[u8], skip_checksum: bool) -> bool {
    let Some(body) = p.len().checked_sub(FOOTER) else {
        return false;
    };
    let version = u16::from_le_bytes([p[body], p[body + 1]]);
    if version > VERSION {
        return false;
    }
    if skip_checksum {
        return true;
    }
    let crc = u64::from_le_bytes(p[body + 2..].try_into().unwrap_or_default());
    CRC64.checksum(&p[..body + 2]) == crc
}

/// The value of a verified payload: an error when it is not one this server can build (what
/// RESTORE reports as "Bad data format"), `None` for an empty collection (refused as well).
pub fn read(p: &[u8], limits: &LoadLimits) -> Result<Option<Value>, crate::Error> {
    let body = &p[..p.len().saturating_sub(FOOTER)];
    let mut input = Input::new(body);
    let t = input.byte()?;
    object::read(&mut input, t, limits)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_string_payload_is_redis_s_bytes() {
        // DUMP of "bar" in Redis 7.0.15.
        let p = payload(&Value::from_bytes(b"bar"), true);
        assert_eq!(p, b"\x00\x03bar\n\x00\xe6\xbe\x49\x60\xee\x66\xfd\x17");
        assert!(verify(&p, false));
        assert_eq!(
            read(&p, &LoadLimits::default()).unwrap(),
            Some(Value::from_bytes(b"bar"))
        );
    }

    #[test]
    fn damaged_payloads_are_refused() {
        let mut p = payload(&Value::from_bytes(b"bar"), true);
        p[2] ^= 1;
        assert!(!verify(&p, false));
        assert!(verify(&p, true));
        assert!(!verify(b"short", false));
    }
}
