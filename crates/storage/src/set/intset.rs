//! Redis's `intset`: a sorted array of integers kept at the narrowest width (16, 32 or 64 bits)
//! that holds every member.
//!
//! Small sets of integers are common (ids, flags), and storing them as a plain sorted array costs
//! two to eight bytes a member with no per-member overhead, while binary search keeps lookups
//! cheap for the few hundred members the encoding is used for. Like Redis's, the array only ever
//! widens: removing the one large member does not narrow it again.

/// A sorted array of distinct integers; see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum IntSet {
    /// Every member fits in 16 bits.
    W16(Vec<i16>),
    /// Every member fits in 32 bits.
    W32(Vec<i32>),
    /// Members of any 64-bit value.
    W64(Vec<i64>),
}

impl Default for IntSet {
    fn default() -> Self {
        IntSet::W16(Vec::new())
    }
}

/// Looks `x` up in a sorted array whose element type may be too narrow to hold it, in which
/// case it cannot be a member.
fn search<T: Copy + Ord + TryFrom<i64>>(v: &[T], x: i64) -> Option<usize> {
    let x = T::try_from(x).ok()?;
    v.binary_search(&x).ok()
}

/// Inserts `x` in order; returns whether it was new. The caller has widened the array first.
fn insert_sorted<T: Copy + Ord + TryFrom<i64>>(v: &mut Vec<T>, x: i64) -> bool {
    let Ok(x) = T::try_from(x) else {
        return false;
    };
    match v.binary_search(&x) {
        Ok(_) => false,
        Err(at) => {
            v.insert(at, x);
            true
        }
    }
}

/// Removes the element at `at` and gives back memory once the array is mostly empty, since
/// `set-max-intset-entries` may allow large arrays.
fn remove_index<T: Copy + Into<i64>>(v: &mut Vec<T>, at: usize) -> Option<i64> {
    if at >= v.len() {
        return None;
    }
    let x = v.remove(at);
    if v.capacity() > 16 && v.len() * 4 < v.capacity() {
        v.shrink_to(v.len() * 2);
    }
    Some(x.into())
}

fn widen<T: Copy + Into<i64>, U: TryFrom<i64> + Default>(v: &[T]) -> Vec<U> {
    v.iter()
        .map(|&x| U::try_from(x.into()).unwrap_or_default())
        .collect()
}

impl IntSet {
    /// Number of members.
    pub(super) fn len(&self) -> usize {
        match self {
            IntSet::W16(v) => v.len(),
            IntSet::W32(v) => v.len(),
            IntSet::W64(v) => v.len(),
        }
    }

    /// Bytes per member at the current width.
    pub(super) fn width(&self) -> usize {
        match self {
            IntSet::W16(_) => 2,
            IntSet::W32(_) => 4,
            IntSet::W64(_) => 8,
        }
    }

    /// Heap bytes held by the array.
    pub(super) fn heap_bytes(&self) -> usize {
        let cap = match self {
            IntSet::W16(v) => v.capacity(),
            IntSet::W32(v) => v.capacity(),
            IntSet::W64(v) => v.capacity(),
        };
        cap * self.width()
    }

    /// Index of `x`, if it is a member.
    pub(super) fn position(&self, x: i64) -> Option<usize> {
        match self {
            IntSet::W16(v) => search(v, x),
            IntSet::W32(v) => search(v, x),
            IntSet::W64(v) => search(v, x),
        }
    }

    /// Whether `x` is a member.
    pub(super) fn contains(&self, x: i64) -> bool {
        self.position(x).is_some()
    }

    /// The member at index `i` in ascending order.
    pub(super) fn get(&self, i: usize) -> Option<i64> {
        match self {
            IntSet::W16(v) => v.get(i).map(|&x| x.into()),
            IntSet::W32(v) => v.get(i).map(|&x| x.into()),
            IntSet::W64(v) => v.get(i).copied(),
        }
    }

    /// Adds `x`, widening the array if it does not fit; returns whether it was new.
    pub(super) fn insert(&mut self, x: i64) -> bool {
        let needed = if i16::try_from(x).is_ok() {
            2
        } else if i32::try_from(x).is_ok() {
            4
        } else {
            8
        };
        if needed > self.width() {
            *self = match (&*self, needed) {
                (IntSet::W16(v), 4) => IntSet::W32(widen(v)),
                (IntSet::W16(v), _) => IntSet::W64(widen(v)),
                (IntSet::W32(v), _) => IntSet::W64(widen(v)),
                (IntSet::W64(v), _) => IntSet::W64(v.clone()),
            };
        }
        match self {
            IntSet::W16(v) => insert_sorted(v, x),
            IntSet::W32(v) => insert_sorted(v, x),
            IntSet::W64(v) => insert_sorted(v, x),
        }
    }

    /// Removes `x`; returns whether it was a member.
    pub(super) fn remove(&mut self, x: i64) -> bool {
        match self.position(x) {
            Some(at) => self.remove_at(at).is_some(),
            None => false,
        }
    }

    /// Removes and returns the member at index `at`.
    pub(super) fn remove_at(&mut self, at: usize) -> Option<i64> {
        match self {
            IntSet::W16(v) => remove_index(v, at),
            IntSet::W32(v) => remove_index(v, at),
            IntSet::W64(v) => remove_index(v, at),
        }
    }

    /// Keeps only the members for which `keep` holds.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(i64) -> bool) {
        match self {
            IntSet::W16(v) => v.retain(|&x| keep(x.into())),
            IntSet::W32(v) => v.retain(|&x| keep(x.into())),
            IntSet::W64(v) => v.retain(|&x| keep(x)),
        }
    }

    /// The members in ascending order.
    pub(super) fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).filter_map(move |i| self.get(i))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn widens_as_needed_and_stays_sorted() {
        let mut s = IntSet::default();
        assert!(s.insert(5));
        assert!(s.insert(-3));
        assert!(!s.insert(5));
        assert_eq!(s.width(), 2);
        assert!(s.insert(70_000));
        assert_eq!(s.width(), 4);
        assert!(s.insert(i64::MIN));
        assert_eq!(s.width(), 8);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![i64::MIN, -3, 5, 70_000]);
        assert!(s.contains(-3));
        assert!(!s.contains(4));
        assert!(s.remove(i64::MIN));
        // Like Redis, the array never narrows again.
        assert_eq!(s.width(), 8);
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn narrow_arrays_reject_wide_lookups() {
        let mut s = IntSet::default();
        s.insert(1);
        assert!(!s.contains(1 << 40));
        assert!(!s.remove(1 << 40));
        assert_eq!(s.remove_at(7), None);
        assert_eq!(s.remove_at(0), Some(1));
        assert_eq!(s.len(), 0);
    }
}
