//! Geospatial encoding: Redis's 52-bit interleaved geohash (the score a member gets in the
//! sorted set behind GEOADD), its decoding, the standard base-32 geohash string, and distances.

/// Latitude limits of the Web Mercator projection Redis uses.
pub const LAT_MIN: f64 = -85.05112878;
/// See `LAT_MIN`.
pub const LAT_MAX: f64 = 85.05112878;
/// Longitude limits.
pub const LON_MIN: f64 = -180.0;
/// See `LON_MIN`.
pub const LON_MAX: f64 = 180.0;
/// Bits per coordinate.
const STEP: u32 = 26;
/// The Earth's radius Redis uses, in meters.
pub const EARTH_RADIUS_M: f64 = 6372797.560856;

/// Spreads the low 32 bits of `v` onto the even bit positions.
fn spread(v: u32) -> u64 {
    let mut x = v as u64;
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    x = (x | (x << 1)) & 0x5555_5555_5555_5555;
    x
}

/// Gathers the even bit positions of `v` into 32 bits (the inverse of `spread`).
fn gather(v: u64) -> u32 {
    let mut x = v & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF;
    x as u32
}

/// Interleaves latitude (even bits) and longitude (odd bits) cell numbers within the given
/// latitude range, as Redis's `geohashEncode` does.
fn encode_in(lon: f64, lat: f64, lat_min: f64, lat_max: f64) -> Option<u64> {
    if !(LON_MIN..=LON_MAX).contains(&lon) || !(lat_min..=lat_max).contains(&lat) {
        return None;
    }
    let cells = (1u64 << STEP) as f64;
    let lat_cell = ((lat - lat_min) / (lat_max - lat_min) * cells) as u32;
    let lon_cell = ((lon - LON_MIN) / (LON_MAX - LON_MIN) * cells) as u32;
    Some(spread(lat_cell) | (spread(lon_cell) << 1))
}

/// The 52-bit score of a position, or `None` outside the valid ranges.
pub fn encode(lon: f64, lat: f64) -> Option<u64> {
    if !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return None;
    }
    encode_in(lon, lat, LAT_MIN, LAT_MAX)
}

/// Whether a longitude/latitude pair can be stored.
pub fn valid(lon: f64, lat: f64) -> bool {
    encode(lon, lat).is_some()
}

/// The position a score stands for: the centre of its cell, clamped to the valid ranges.
pub fn decode(bits: u64) -> (f64, f64) {
    let cells = (1u64 << STEP) as f64;
    let lat_cell = gather(bits) as f64;
    let lon_cell = gather(bits >> 1) as f64;
    let lat_scale = LAT_MAX - LAT_MIN;
    let lon_scale = LON_MAX - LON_MIN;
    let lat_lo = LAT_MIN + (lat_cell / cells) * lat_scale;
    let lat_hi = LAT_MIN + ((lat_cell + 1.0) / cells) * lat_scale;
    let lon_lo = LON_MIN + (lon_cell / cells) * lon_scale;
    let lon_hi = LON_MIN + ((lon_cell + 1.0) / cells) * lon_scale;
    let lon = ((lon_lo + lon_hi) / 2.0).clamp(LON_MIN, LON_MAX);
    let lat = ((lat_lo + lat_hi) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (lon, lat)
}

/// The standard 11-character geohash of a position (latitude range ±90, as everyone else
/// uses), computed from the stored cell like GEOHASH does.
pub fn geohash_string(lon: f64, lat: f64) -> [u8; 11] {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let bits = encode_in(lon, lat, -90.0, 90.0).unwrap_or(0);
    let mut out = [b'0'; 11];
    for (i, c) in out.iter_mut().enumerate() {
        // 52 bits give ten full characters; the eleventh is padded with zeros, as Redis's.
        let idx = if i == 10 {
            0
        } else {
            ((bits >> (52 - (i as u32 + 1) * 5)) & 0x1f) as usize
        };
        *c = ALPHABET[idx];
    }
    out
}

/// Great-circle distance in meters (the haversine formula with Redis's Earth radius).
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (lon1r, lon2r) = (lon1.to_radians(), lon2.to_radians());
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return EARTH_RADIUS_M * (lat2.to_radians() - lat1.to_radians()).abs();
    }
    let (lat1r, lat2r) = (lat1.to_radians(), lat2.to_radians());
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

/// Meters per unit for GEODIST/GEOSEARCH's unit argument (`m`, `km`, `ft`, `mi`).
pub fn unit(name: &[u8]) -> Option<f64> {
    match name.to_ascii_lowercase().as_slice() {
        b"m" => Some(1.0),
        b"km" => Some(1000.0),
        b"ft" => Some(0.3048),
        b"mi" => Some(1609.34),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn redis_documentation_values() {
        // GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
        let palermo = encode(13.361389, 38.115556).unwrap();
        let catania = encode(15.087269, 37.502669).unwrap();
        assert_eq!(palermo, 3479099956230698);
        assert_eq!(catania, 3479447370796909);
        let (lon, lat) = decode(palermo);
        assert!((lon - 13.361389338970184).abs() < 1e-12);
        assert!((lat - 38.1155563954963).abs() < 1e-12);
        assert_eq!(&geohash_string(lon, lat), b"sqc8b49rny0");
        let (lon2, lat2) = decode(catania);
        let d = distance(lon, lat, lon2, lat2);
        assert!((d - 166274.1516).abs() < 0.001, "{d}");
    }

    #[test]
    fn limits_are_checked() {
        assert!(encode(180.1, 0.0).is_none());
        assert!(encode(0.0, 85.06).is_none());
        assert!(encode(-180.0, -85.05112878).is_some());
        assert!(valid(180.0, 85.05112878));
    }

    #[test]
    fn spread_and_gather_are_inverse() {
        for v in [0u32, 1, 0x3ff_ffff, 0x155_5555, 12345678] {
            assert_eq!(gather(spread(v)), v);
            assert_eq!(gather(spread(v) << 1 >> 1), v);
        }
    }
}
