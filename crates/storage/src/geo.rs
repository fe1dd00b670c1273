//! Geospatial encoding and search: Redis's 52-bit interleaved geohash (the score a member gets
//! in the sorted set behind GEOADD), its decoding, the standard base-32 geohash string,
//! distances, and the area computation GEOSEARCH and GEORADIUS use to turn a circle or a box
//! into at most nine score ranges of the sorted set, with the same filtering as Redis.
//!
//! Search results must match Redis to the last digit, so every step below follows Redis's
//! arithmetic in the same order: which cells are scanned decides which members near the edge
//! are found, and the distance formula decides which of them are kept.

use std::cmp::Ordering;
use std::f64::consts::PI;

/// Latitude limits of the Web Mercator projection Redis uses.
pub const LAT_MIN: f64 = -85.05112878;
/// See `LAT_MIN`.
pub const LAT_MAX: f64 = 85.05112878;
/// Longitude limits.
pub const LON_MIN: f64 = -180.0;
/// See `LON_MIN`.
pub const LON_MAX: f64 = 180.0;
/// Bits per coordinate of a stored position.
pub const STEP_MAX: u8 = 26;
/// The Earth's radius Redis uses, in meters.
pub const EARTH_RADIUS_M: f64 = 6372797.560856;
/// Half the Earth's circumference in the Mercator projection, in meters: the widest area a
/// one-bit cell covers, from which the search precision is estimated.
const MERCATOR_MAX: f64 = 20037726.37;
/// Degrees to radians, as a product with this constant (the rounding Redis gets).
const DEG_TO_RAD: f64 = PI / 180.0;

/// Degrees to radians.
fn deg_rad(deg: f64) -> f64 {
    deg * DEG_TO_RAD
}

/// Radians to degrees, as a quotient by `DEG_TO_RAD` (not the product `f64::to_degrees`
/// uses, whose last bit can differ).
fn rad_deg(rad: f64) -> f64 {
    rad / DEG_TO_RAD
}

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

/// A geohash cell: `step` bits per coordinate, latitude on the even and longitude on the odd
/// bits of the low `2 * step` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// The interleaved cell numbers.
    pub bits: u64,
    /// Bits per coordinate (1 to 26).
    pub step: u8,
}

impl Cell {
    /// The scores of the members inside this cell: `min..max` (the upper bound excluded),
    /// the cell's bits followed by zeros, and the next cell's.
    pub fn score_range(&self) -> (u64, u64) {
        let shift = 52u32.saturating_sub(u32::from(self.step) * 2);
        (self.bits << shift, self.bits.wrapping_add(1) << shift)
    }

    /// The cell moved one column east (`east`) or west, wrapping around the antimeridian.
    fn shift_lon(self, east: bool) -> Cell {
        let width = 64 - u32::from(self.step) * 2;
        let lon = self.bits & 0xAAAA_AAAA_AAAA_AAAA;
        let lat = self.bits & 0x5555_5555_5555_5555;
        // Filling the other coordinate's bits with ones makes a carry (or borrow) travel
        // straight to this coordinate's next bit.
        let fill = 0x5555_5555_5555_5555u64 >> width;
        let moved = if east {
            lon.wrapping_add(fill + 1)
        } else {
            (lon | fill).wrapping_sub(fill + 1)
        };
        Cell {
            bits: (moved & (0xAAAA_AAAA_AAAA_AAAA >> width)) | lat,
            step: self.step,
        }
    }

    /// The cell moved one row north (`north`) or south, wrapping around at the limits.
    fn shift_lat(self, north: bool) -> Cell {
        let width = 64 - u32::from(self.step) * 2;
        let lon = self.bits & 0xAAAA_AAAA_AAAA_AAAA;
        let lat = self.bits & 0x5555_5555_5555_5555;
        let fill = 0xAAAA_AAAA_AAAA_AAAAu64 >> width;
        let moved = if north {
            lat.wrapping_add(fill + 1)
        } else {
            (lat | fill).wrapping_sub(fill + 1)
        };
        Cell {
            bits: lon | (moved & (0x5555_5555_5555_5555 >> width)),
            step: self.step,
        }
    }

    /// The eight surrounding cells in the order Redis scans them: north, south, east, west,
    /// north-east, north-west, south-east, south-west.
    fn neighbours(self) -> [Cell; 8] {
        let (n, s) = (self.shift_lat(true), self.shift_lat(false));
        [
            n,
            s,
            self.shift_lon(true),
            self.shift_lon(false),
            n.shift_lon(true),
            n.shift_lon(false),
            s.shift_lon(true),
            s.shift_lon(false),
        ]
    }

    /// The bounds of the cell in degrees.
    pub fn area(&self) -> Area {
        let cells = (1u64 << self.step.min(32)) as f64;
        let lat_cell = gather(self.bits) as f64;
        let lon_cell = gather(self.bits >> 1) as f64;
        let lat_scale = LAT_MAX - LAT_MIN;
        let lon_scale = LON_MAX - LON_MIN;
        Area {
            lat_min: LAT_MIN + (lat_cell / cells) * lat_scale,
            lat_max: LAT_MIN + ((lat_cell + 1.0) / cells) * lat_scale,
            lon_min: LON_MIN + (lon_cell / cells) * lon_scale,
            lon_max: LON_MIN + ((lon_cell + 1.0) / cells) * lon_scale,
        }
    }
}

/// A rectangle in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// Western edge.
    pub lon_min: f64,
    /// Eastern edge.
    pub lon_max: f64,
    /// Southern edge.
    pub lat_min: f64,
    /// Northern edge.
    pub lat_max: f64,
}

/// The cell of `step` bits per coordinate holding a position, within the given latitude range,
/// as Redis's `geohashEncode` computes it; `None` outside the valid ranges.
fn encode_in(lon: f64, lat: f64, lat_min: f64, lat_max: f64, step: u8) -> Option<Cell> {
    if !(LON_MIN..=LON_MAX).contains(&lon) || !(lat_min..=lat_max).contains(&lat) {
        return None;
    }
    let cells = (1u64 << step) as f64;
    // Float-to-integer casts truncate like C's; the top edge gives `cells` itself, as in Redis.
    let lat_cell = ((lat - lat_min) / (lat_max - lat_min) * cells) as u32;
    let lon_cell = ((lon - LON_MIN) / (LON_MAX - LON_MIN) * cells) as u32;
    Some(Cell {
        bits: spread(lat_cell) | (spread(lon_cell) << 1),
        step,
    })
}

/// The cell of `step` bits per coordinate (1 to 26) holding a valid position.
pub fn encode_cell(lon: f64, lat: f64, step: u8) -> Option<Cell> {
    if !(LAT_MIN..=LAT_MAX).contains(&lat) || step == 0 || step > STEP_MAX {
        return None;
    }
    encode_in(lon, lat, LAT_MIN, LAT_MAX, step)
}

/// The 52-bit score of a position, or `None` outside the valid ranges.
pub fn encode(lon: f64, lat: f64) -> Option<u64> {
    encode_cell(lon, lat, STEP_MAX).map(|c| c.bits)
}

/// Whether a longitude/latitude pair can be stored.
pub fn valid(lon: f64, lat: f64) -> bool {
    encode(lon, lat).is_some()
}

/// The position a 52-bit hash stands for: the centre of its cell, clamped to the valid ranges.
pub fn decode(bits: u64) -> (f64, f64) {
    let a = Cell {
        bits,
        step: STEP_MAX,
    }
    .area();
    let lon = ((a.lon_min + a.lon_max) / 2.0).clamp(LON_MIN, LON_MAX);
    let lat = ((a.lat_min + a.lat_max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (lon, lat)
}

/// The hash bits a sorted-set score stands for, converted as C's `(uint64_t)` cast does on
/// x86-64: truncation for ordinary values, two's complement for negative ones, and the
/// "integer indefinite" pattern where the hardware gives one. Scores GEOADD wrote convert
/// exactly; other scores decode to the same clamped positions as in Redis.
pub fn score_to_bits(score: f64) -> u64 {
    const TWO_63: f64 = 9223372036854775808.0;
    /// A signed truncating conversion, with the hardware's answer for unrepresentable values.
    fn to_i64(v: f64) -> i64 {
        if v > -TWO_63 - 1025.0 && v < TWO_63 {
            v as i64
        } else {
            i64::MIN
        }
    }
    if score >= TWO_63 {
        (to_i64(score - TWO_63) as u64) ^ (1 << 63)
    } else {
        to_i64(score) as u64
    }
}

/// The position stored as a sorted-set score (see `score_to_bits` and `decode`).
pub fn decode_score(score: f64) -> (f64, f64) {
    decode(score_to_bits(score))
}

/// The standard 11-character geohash of a position (latitude range ±90, as everyone else
/// uses), computed from the stored cell like GEOHASH does.
pub fn geohash_string(lon: f64, lat: f64) -> [u8; 11] {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let bits = encode_in(lon, lat, -90.0, 90.0, STEP_MAX).map_or(0, |c| c.bits);
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

/// Distance in meters between two latitudes on one meridian.
fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_M * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Great-circle distance in meters (the haversine formula with Redis's Earth radius).
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (lon1r, lon2r) = (deg_rad(lon1), deg_rad(lon2));
    let v = ((lon2r - lon1r) / 2.0).sin();
    // Same longitude: the cheaper meridian distance, as Redis takes.
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let (lat1r, lat2r) = (deg_rad(lat1), deg_rad(lat2));
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

/// Appends a distance with four decimals as Redis prints them: the value times 10^4 rounded
/// to the nearest integer (ties to even), then split at the fourth digit. This can differ in
/// the last digit from a correctly rounded `{:.4}` when the product itself rounds.
pub fn format_distance(d: f64, out: &mut Vec<u8>) {
    if d == 0.0 {
        out.extend_from_slice(b"0.0000");
        return;
    }
    let scaled = (d * 10000.0).round_ties_even();
    // Out-of-range values become i64::MIN like the x86-64 conversion Redis relies on.
    let n = if scaled > -9223372036854775808.0 - 1025.0 && scaled < 9223372036854775808.0 {
        scaled as i64
    } else {
        i64::MIN
    };
    if n < 0 {
        out.push(b'-');
    }
    let v = n.unsigned_abs();
    out.extend_from_slice(format!("{}.{:04}", v / 10000, v % 10000).as_bytes());
}

/// The bits of precision that make a cell about as large as a search radius, as Redis's
/// `geohashEstimateStepsByRadius` estimates them (coarser near the poles).
pub fn estimate_steps(range_m: f64, lat: f64) -> u8 {
    if range_m == 0.0 {
        return STEP_MAX;
    }
    let mut range = range_m;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    // Two steps coarser so that the radius fits the nine cells in most cases.
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, i32::from(STEP_MAX)) as u8
}

/// The shape of a search, in the unit the client chose.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// A circle of this radius.
    Radius(f64),
    /// An axis-aligned box of this width (east-west) and height (north-south).
    Box {
        /// East-west extent.
        width: f64,
        /// North-south extent.
        height: f64,
    },
}

/// A GEOSEARCH or GEORADIUS query: a centre, a shape and the unit's length in meters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Search {
    /// Longitude of the centre.
    pub lon: f64,
    /// Latitude of the centre.
    pub lat: f64,
    /// The shape, in the client's unit.
    pub shape: Shape,
    /// Meters per unit.
    pub to_meters: f64,
}

impl Search {
    /// The bounding box of the shape in degrees, as Redis's `geohashBoundingBox` computes it:
    /// the longitude span is taken at the edge nearer to the pole, which is the wider one.
    pub fn bounds(&self) -> Area {
        let (half_h, half_w) = match self.shape {
            Shape::Radius(r) => (self.to_meters * r, self.to_meters * r),
            Shape::Box { width, height } => (
                self.to_meters * (height / 2.0),
                self.to_meters * (width / 2.0),
            ),
        };
        let lat_delta = rad_deg(half_h / EARTH_RADIUS_M);
        let lon_delta_top = rad_deg(half_w / EARTH_RADIUS_M / deg_rad(self.lat + lat_delta).cos());
        let lon_delta_bottom =
            rad_deg(half_w / EARTH_RADIUS_M / deg_rad(self.lat - lat_delta).cos());
        let lon_delta = if self.lat < 0.0 {
            lon_delta_bottom
        } else {
            lon_delta_top
        };
        Area {
            lon_min: self.lon - lon_delta,
            lon_max: self.lon + lon_delta,
            lat_min: self.lat - lat_delta,
            lat_max: self.lat + lat_delta,
        }
    }

    /// The distance in meters from the centre to the farthest point of the shape: the radius,
    /// or half the box's diagonal.
    fn reach_m(&self) -> f64 {
        let r = match self.shape {
            Shape::Radius(r) => r,
            Shape::Box { width, height } => {
                ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
            }
        };
        r * self.to_meters
    }

    /// The cells to scan, in Redis's order (centre, north, south, east, west, north-east,
    /// north-west, south-east, south-west), `None` for those that cannot hold a match.
    pub fn cells(&self) -> [Option<Cell>; 9] {
        let b = self.bounds();
        let mut step = estimate_steps(self.reach_m(), self.lat);
        let Some(mut centre) = encode_cell(self.lon, self.lat, step) else {
            return [None; 9];
        };
        let mut around = centre.neighbours();
        // Near a cell's edge the estimate can be too coarse for the neighbours to cover the
        // bounding box; one step coarser then does.
        let [n, s, e, w, ..] = around.map(|c| c.area());
        let too_fine = n.lat_max < b.lat_max
            || s.lat_min > b.lat_min
            || e.lon_max < b.lon_max
            || w.lon_min > b.lon_min;
        if step > 1 && too_fine {
            step -= 1;
            if let Some(c) = encode_cell(self.lon, self.lat, step) {
                centre = c;
                around = centre.neighbours();
            }
        }
        let mut out = [None; 9];
        out[0] = Some(centre);
        for (slot, cell) in out[1..].iter_mut().zip(around) {
            *slot = Some(cell);
        }
        // Drop the neighbours on a side the bounding box does not reach past the centre cell.
        if step >= 2 {
            let a = centre.area();
            // Indices into `out`: 1 N, 2 S, 3 E, 4 W, 5 NE, 6 NW, 7 SE, 8 SW.
            let mut drop = |sides: [usize; 3]| sides.iter().for_each(|&i| out[i] = None);
            if a.lat_min < b.lat_min {
                drop([2, 7, 8]);
            }
            if a.lat_max > b.lat_max {
                drop([1, 5, 6]);
            }
            if a.lon_min < b.lon_min {
                drop([4, 8, 6]);
            }
            if a.lon_max > b.lon_max {
                drop([3, 7, 5]);
            }
        }
        out
    }

    /// The score ranges (`min..max`, upper bound excluded) to scan, in order. A cell equal to
    /// the one scanned just before it is skipped (huge radii make neighbours coincide), except
    /// right after the centre, which Redis never compares against.
    pub fn score_ranges(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::with_capacity(9);
        let mut last: Option<(usize, Cell)> = None;
        for (i, cell) in self.cells().into_iter().enumerate() {
            let Some(cell) = cell else { continue };
            if let Some((at, prev)) = last {
                if at != 0 && prev == cell {
                    continue;
                }
            }
            out.push(cell.score_range());
            last = Some((i, cell));
        }
        out
    }

    /// For a member's score: its distance from the centre in meters and its position, when it
    /// lies inside the shape.
    pub fn matches(&self, score: f64) -> Option<(f64, f64, f64)> {
        let (lon, lat) = decode_score(score);
        let d = match self.shape {
            Shape::Radius(r) => {
                let d = distance(self.lon, self.lat, lon, lat);
                if d > r * self.to_meters {
                    return None;
                }
                d
            }
            Shape::Box { width, height } => {
                let (width_m, height_m) = (width * self.to_meters, height * self.to_meters);
                // The latitude test is the cheaper one, so it goes first.
                if lat_distance(lat, self.lat) > height_m / 2.0 {
                    return None;
                }
                if distance(lon, lat, self.lon, lat) > width_m / 2.0 {
                    return None;
                }
                distance(self.lon, self.lat, lon, lat)
            }
        };
        Some((d, lon, lat))
    }
}

/// Sorts the first `keep` places of `items` as Redis's partial quicksort (`pqsort`) does,
/// leaving the rest in some order. The algorithm is a Bentley-McIlroy three-way quicksort that
/// skips partitions outside the wanted places; following it exactly matters only for the order
/// of equal keys, which is observable (GEOSEARCH ... COUNT with equal distances).
pub fn partial_sort<T>(items: &mut [T], keep: usize, cmp: &dyn Fn(&T, &T) -> Ordering) {
    if keep == 0 || items.is_empty() {
        return;
    }
    let want = (0, keep - 1);
    pqsort_from(items, 0, want, cmp);
}

/// The median of three places, with the comparisons in Redis's order.
fn median3<T>(v: &[T], a: usize, b: usize, c: usize, cmp: &dyn Fn(&T, &T) -> Ordering) -> usize {
    if cmp(&v[a], &v[b]).is_lt() {
        if cmp(&v[b], &v[c]).is_lt() {
            b
        } else if cmp(&v[a], &v[c]).is_lt() {
            c
        } else {
            a
        }
    } else if cmp(&v[b], &v[c]).is_gt() {
        b
    } else if cmp(&v[a], &v[c]).is_lt() {
        a
    } else {
        c
    }
}

/// Swaps the `n` places starting at `a` with those starting at `b`, pairwise in order.
fn swap_runs<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        v.swap(a + i, b + i);
    }
}

/// Sorts `v` (which starts at absolute place `base`) as far as the wanted places need.
fn pqsort_from<T>(
    mut v: &mut [T],
    mut base: usize,
    want: (usize, usize),
    cmp: &dyn Fn(&T, &T) -> Ordering,
) {
    loop {
        let n = v.len();
        if n < 7 {
            for m in 1..n {
                let mut l = m;
                while l > 0 && cmp(&v[l - 1], &v[l]).is_gt() {
                    v.swap(l, l - 1);
                    l -= 1;
                }
            }
            return;
        }
        let mut pm = n / 2;
        if n > 7 {
            let mut pl = 0;
            let mut pn = n - 1;
            if n > 40 {
                let d = n / 8;
                pl = median3(v, pl, pl + d, pl + 2 * d, cmp);
                pm = median3(v, pm - d, pm, pm + d, cmp);
                pn = median3(v, pn - 2 * d, pn - d, pn, cmp);
            }
            pm = median3(v, pl, pm, pn, cmp);
        }
        v.swap(0, pm);
        // Three-way partition around v[0]: keys equal to it gather at both ends first.
        let (mut pa, mut pb) = (1usize, 1usize);
        let (mut pc, mut pd) = (n - 1, n - 1);
        loop {
            while pb <= pc {
                let o = cmp(&v[pb], &v[0]);
                if o.is_gt() {
                    break;
                }
                if o.is_eq() {
                    v.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            // `pc >= pb >= 1` whenever it is decremented, so it never wraps.
            while pb <= pc {
                let o = cmp(&v[pc], &v[0]);
                if o.is_lt() {
                    break;
                }
                if o.is_eq() {
                    v.swap(pc, pd);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb > pc {
                break;
            }
            v.swap(pb, pc);
            pb += 1;
            pc -= 1;
        }
        // Move the equal keys from both ends to the middle.
        let r = pa.min(pb - pa);
        swap_runs(v, 0, pb - r, r);
        let upper = pd - pc;
        let r = upper.min(n - pd - 1);
        swap_runs(v, pb, n - r, r);
        let lower = pb - pa;
        let overlaps = |start: usize, len: usize| !(want.1 < start || want.0 > start + len - 1);
        let sort_lower = lower > 1 && overlaps(base, lower);
        let upper_start = n - upper;
        let sort_upper = upper > 1 && overlaps(base + upper_start, upper);
        // The two parts are disjoint and each is sorted on its own, so the order they are
        // handled in does not change the result: recursing into the smaller one and looping on
        // the larger keeps the stack depth logarithmic whatever the input.
        let (low, rest) = v.split_at_mut(lower);
        let high = &mut rest[upper_start - lower..];
        match (sort_lower, sort_upper) {
            (true, true) if lower <= upper => {
                pqsort_from(low, base, want, cmp);
                v = high;
                base += upper_start;
            }
            (true, true) => {
                pqsort_from(high, base + upper_start, want, cmp);
                v = low;
            }
            (true, false) => v = low,
            (false, true) => {
                v = high;
                base += upper_start;
            }
            (false, false) => return,
        }
    }
}

#[cfg(test)]
// The coordinates are Redis's test vectors, kept digit for digit.
#[allow(clippy::unwrap_used, clippy::excessive_precision)]
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

    /// The members of `points` a search finds, in scan order with their distances in the
    /// search's unit: the same walk the server does over a sorted set.
    fn search_points(points: &[(&'static str, f64, f64)], s: &Search) -> Vec<(&'static str, f64)> {
        let mut scored: Vec<(u64, &'static str)> = points
            .iter()
            .map(|&(name, lon, lat)| (encode(lon, lat).unwrap(), name))
            .collect();
        scored.sort();
        let mut out = Vec::new();
        for (min, max) in s.score_ranges() {
            for &(score, name) in scored.iter().filter(|(sc, _)| (min..max).contains(sc)) {
                if let Some((d, _, _)) = s.matches(score as f64) {
                    out.push((name, d / s.to_meters));
                }
            }
        }
        out
    }

    fn names(mut hits: Vec<(&'static str, f64)>) -> Vec<&'static str> {
        hits.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap());
        hits.into_iter().map(|h| h.0).collect()
    }

    fn formatted(d: f64) -> String {
        let mut v = Vec::new();
        format_distance(d, &mut v);
        String::from_utf8(v).unwrap()
    }

    const NYC: &[(&str, f64, f64)] = &[
        ("lic market", -73.9454966, 40.747533),
        ("central park n/q/r", -73.9733487, 40.7648057),
        ("union square", -73.9903085, 40.7362513),
        ("wtc one", -74.0131604, 40.7126674),
        ("jfk", -73.7858139, 40.6428986),
        ("q4", -73.9375699, 40.7498929),
        ("4545", -73.9564142, 40.7480973),
    ];

    #[test]
    fn radius_and_box_searches_match_redis() {
        // GEOSEARCH nyc FROMLONLAT -73.9798091 40.7598464 BYRADIUS 3 km WITHDIST WITHHASH ASC
        let s = Search {
            lon: -73.9798091,
            lat: 40.7598464,
            shape: Shape::Radius(3.0),
            to_meters: 1000.0,
        };
        let mut hits = search_points(NYC, &s);
        hits.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap());
        let shown: Vec<(&str, String)> = hits.iter().map(|h| (h.0, formatted(h.1))).collect();
        assert_eq!(
            shown,
            [
                ("central park n/q/r", "0.7750".to_string()),
                ("4545", "2.3651".to_string()),
                ("union square", "2.7697".to_string()),
            ]
        );
        assert_eq!(encode(-73.9733487, 40.7648057), Some(1791875761332224));
        assert_eq!(encode(-73.9564142, 40.7480973), Some(1791875796750882));
        // ... BYBOX 6 6 km adds lic market at 3.1991 km.
        let b = Search {
            shape: Shape::Box {
                width: 6.0,
                height: 6.0,
            },
            ..s
        };
        let hits = search_points(NYC, &b);
        let lic = hits.iter().find(|h| h.0 == "lic market").unwrap();
        assert_eq!(formatted(lic.1), "3.1991");
        assert_eq!(
            names(hits),
            ["central park n/q/r", "4545", "union square", "lic market"]
        );
        // GEORADIUSBYMEMBER nyc "wtc one" 7 km, in scan order.
        let (lon, lat) = decode(encode(-74.0131604, 40.7126674).unwrap());
        let m = Search {
            lon,
            lat,
            shape: Shape::Radius(7.0),
            to_meters: 1000.0,
        };
        let hits = search_points(NYC, &m);
        assert_eq!(
            hits.iter().map(|h| h.0).collect::<Vec<_>>(),
            [
                "wtc one",
                "union square",
                "central park n/q/r",
                "4545",
                "lic market"
            ]
        );
        assert_eq!(formatted(hits[0].1), "0.0000");
        assert_eq!(formatted(hits[3].1), "6.1975");
    }

    #[test]
    fn searches_near_the_poles_and_the_antimeridian() {
        // Redis's own regression cases (tests/unit/geo.tcl): neighbours in oblique directions,
        // searches across the pole, and boxes spanning 180 degrees.
        type Points = &'static [(&'static str, f64, f64)];
        let cases: &[(Points, f64)] = &[
            (
                &[
                    ("n1", -0.15307903289794921875, 85.0),
                    ("n2", 0.3515625, 85.00019260486917005437),
                ],
                4891.94,
            ),
            (
                &[
                    ("n3", -4.95211958885192871094, 85.0),
                    ("n4", 11.25, 85.0511),
                ],
                156544.0,
            ),
            (
                &[
                    ("n5", -45.0, 65.50900022111811438208),
                    ("n6", 90.0, 85.0511),
                ],
                5009431.0,
            ),
            (&[("n1", 45.0, 65.0), ("n2", -135.0, 85.05)], 5009431.0),
        ];
        for (points, radius) in cases {
            let (lon, lat) = decode(encode(points[0].1, points[0].2).unwrap());
            let s = Search {
                lon,
                lat,
                shape: Shape::Radius(*radius),
                to_meters: 1.0,
            };
            let found: Vec<&str> = search_points(points, &s).iter().map(|h| h.0).collect();
            assert_eq!(found, [points[0].0, points[1].0], "{points:?}");
        }
        let points = [("point1", 179.5, 36.0), ("point2", -179.5, 36.0)];
        for (lon, expected) in [
            (179.0, ["point1", "point2"]),
            (-179.0, ["point2", "point1"]),
        ] {
            let s = Search {
                lon,
                lat: 37.0,
                shape: Shape::Box {
                    width: 400.0,
                    height: 400.0,
                },
                to_meters: 1000.0,
            };
            assert_eq!(names(search_points(&points, &s)), expected);
        }
        // A huge radius covers the whole set (issue #2767 in Redis).
        let s = Search {
            lon: 0.0,
            lat: 0.0,
            shape: Shape::Radius(50000.0),
            to_meters: 1000.0,
        };
        let user = [("user_000000", -47.271613776683807, -54.534504198047678)];
        assert_eq!(search_points(&user, &s).len(), 1);
    }

    #[test]
    fn step_estimates_and_cells() {
        assert_eq!(estimate_steps(0.0, 0.0), 26);
        assert_eq!(estimate_steps(1.0, 0.0), 24);
        assert_eq!(estimate_steps(100.0, 0.0), 17);
        assert_eq!(estimate_steps(1000.0, 70.0), 13);
        assert_eq!(estimate_steps(5000.0, 85.0), 9);
        assert_eq!(estimate_steps(1e7, 0.0), 1);
        assert_eq!(estimate_steps(f64::INFINITY, 0.0), 1);
        let c = encode_cell(13.361389, 38.115556, 26).unwrap();
        assert_eq!(c.bits, 3479099956230698);
        assert_eq!(c.score_range(), (3479099956230698, 3479099956230699));
        let c4 = encode_cell(13.361389, 38.115556, 4).unwrap();
        let (lo, hi) = c4.score_range();
        assert!(lo <= c.bits && c.bits < hi);
        assert_eq!(hi - lo, 1 << 44);
        // Moving east then west (and north then south) returns to the same cell; at the
        // antimeridian east wraps to the westernmost column.
        let n = c4.neighbours();
        assert_eq!(n[2].shift_lon(false), c4);
        assert_eq!(n[0].shift_lat(false), c4);
        let east_edge = encode_cell(179.9, 0.0, 3).unwrap();
        let wrapped = east_edge.shift_lon(true).area();
        assert_eq!(wrapped.lon_min, -180.0);
        let a = c4.area();
        assert!(a.lon_min <= 13.361389 && 13.361389 < a.lon_max);
        assert!(a.lat_min <= 38.115556 && 38.115556 < a.lat_max);
    }

    #[test]
    fn distances_print_like_redis() {
        assert_eq!(formatted(0.0), "0.0000");
        assert_eq!(formatted(-0.0), "0.0000");
        assert_eq!(formatted(0.775), "0.7750");
        assert_eq!(formatted(166274.15156960033), "166274.1516");
        // The product by 10^4 is rounded half to even, as llrint does, so these differ from a
        // correctly rounded "%.4f" (which gives 0.0013 and 123.4567).
        assert_eq!(formatted(0.00125), "0.0012");
        assert_eq!(formatted(123.45675), "123.4568");
        assert_eq!(formatted(2.5e-5), "0.0000");
        assert_eq!(formatted(-1.5), "-1.5000");
    }

    #[test]
    fn scores_convert_like_c() {
        assert_eq!(score_to_bits(3479099956230698.0), 3479099956230698);
        assert_eq!(score_to_bits(-1.0), u64::MAX);
        // Beyond 2^64 the hardware conversion overflows to its "indefinite" value.
        assert_eq!(score_to_bits(1e20), 0);
        assert_eq!(score_to_bits(1e19), 1e19 as u64);
        assert_eq!(score_to_bits(f64::INFINITY), 0);
        assert_eq!(score_to_bits(-1e300), 1 << 63);
        // GEOPOS of a member scored -1 in Redis: 180, 85.0511287799999991.
        assert_eq!(decode_score(-1.0), (180.0, LAT_MAX));
    }

    #[test]
    fn partial_sort_orders_ties_like_redis() {
        // Thirty equal distances, members in the set's order m1 m10 m11 ... m19 m2 m20 ... m9:
        // Redis answers COUNT 5 with m9 m10 m11 m12 m13.
        let mut names: Vec<String> = (1..=30).map(|i| format!("m{i}")).collect();
        names.sort();
        let mut items: Vec<(f64, &str)> = names.iter().map(|n| (0.0, n.as_str())).collect();
        let cmp = |a: &(f64, &str), b: &(f64, &str)| a.0.partial_cmp(&b.0).unwrap();
        partial_sort(&mut items, 5, &cmp);
        let first: Vec<&str> = items[..5].iter().map(|i| i.1).collect();
        assert_eq!(first, ["m9", "m10", "m11", "m12", "m13"]);
        // With distinct keys the first places are simply the smallest, in order.
        let mut v: Vec<(f64, &str)> = (0..100).map(|i| (((i * 37) % 100) as f64, "")).collect();
        partial_sort(&mut v, 10, &cmp);
        let keys: Vec<f64> = v[..10].iter().map(|i| i.0).collect();
        assert_eq!(keys, (0..10).map(f64::from).collect::<Vec<_>>());
        // Whatever the sizes and ties, the first places hold the smallest keys in order.
        let mut seed = 12345u64;
        for n in [1usize, 6, 7, 8, 40, 41, 100, 1000] {
            for keep in [1, n / 3 + 1, n.saturating_sub(1).max(1)] {
                let mut v: Vec<(f64, &str)> = (0..n)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        (((seed >> 33) % 17) as f64, "")
                    })
                    .collect();
                let mut sorted: Vec<f64> = v.iter().map(|i| i.0).collect();
                sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
                partial_sort(&mut v, keep, &cmp);
                let got: Vec<f64> = v[..keep].iter().map(|i| i.0).collect();
                assert_eq!(got, sorted[..keep], "n {n} keep {keep}");
            }
        }
    }
}
