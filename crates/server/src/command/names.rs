//! The map from command names to entries that the dispatcher searches on every request: names
//! are found in any letter case without copying or allocating (one pass over the bytes to hash,
//! one case-insensitive compare), in a small open-addressed index rebuilt when a name changes.

/// Command names (kept lowercase) and their values.
#[derive(Debug)]
pub struct NameMap<V> {
    items: Vec<(Box<str>, V)>,
    /// Open-addressed index: 0 for a free slot, else the item's position plus one.
    slots: Vec<u32>,
}

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        NameMap {
            items: Vec::new(),
            slots: Vec::new(),
        }
    }
}

/// FNV-1a over the lowercase bytes of a name.
#[inline]
fn hash(name: &[u8]) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name {
        h = (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3);
    }
    h as usize
}

impl<V> NameMap<V> {
    /// The value of `name`, in any case.
    #[inline]
    pub fn get(&self, name: &[u8]) -> Option<&V> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut i = hash(name) & mask;
        loop {
            let at = *self.slots.get(i)? as usize;
            let (k, v) = self.items.get(at.checked_sub(1)?)?;
            if k.as_bytes().eq_ignore_ascii_case(name) {
                return Some(v);
            }
            i = (i + 1) & mask;
        }
    }

    /// Whether `name` (any case) is in the map.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name.as_bytes()).is_some()
    }

    /// Adds `name` (stored lowercase), replacing any value it had.
    pub fn insert(&mut self, name: &str, value: V) {
        let name: Box<str> = name.to_ascii_lowercase().into();
        match self.items.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.items.push((name, value)),
        }
        self.reindex();
    }

    /// Removes `name` (any case), returning its value.
    pub fn remove(&mut self, name: &str) -> Option<V> {
        let at = self
            .items
            .iter()
            .position(|(k, _)| k.eq_ignore_ascii_case(name))?;
        let (_, v) = self.items.swap_remove(at);
        self.reindex();
        Some(v)
    }

    /// Every value, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.items.iter().map(|(_, v)| v)
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Rebuilds the index: at most a quarter full, so that probes stay short.
    fn reindex(&mut self) {
        let size = (self.items.len() * 4).next_power_of_two().max(8);
        self.slots = vec![0; size];
        for (n, (k, _)) in self.items.iter().enumerate() {
            let mut i = hash(k.as_bytes()) & (size - 1);
            while self.slots[i] != 0 {
                i = (i + 1) & (size - 1);
            }
            self.slots[i] = n as u32 + 1;
        }
    }
}

impl<V> FromIterator<(Box<str>, V)> for NameMap<V> {
    fn from_iter<I: IntoIterator<Item = (Box<str>, V)>>(iter: I) -> Self {
        let mut m = NameMap {
            items: iter
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase().into(), v))
                .collect(),
            slots: Vec::new(),
        };
        m.reindex();
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_in_any_case_and_only_whole() {
        let mut m: NameMap<u32> = [("get".into(), 1), ("set".into(), 2)].into_iter().collect();
        assert_eq!(m.get(b"GET"), Some(&1));
        assert_eq!(m.get(b"sEt"), Some(&2));
        assert_eq!(m.get(b"ge"), None);
        assert_eq!(m.get(b""), None);
        for i in 0..300 {
            m.insert(&format!("cmd{i}"), i + 10);
        }
        assert_eq!(m.get(b"CMD299"), Some(&309));
        assert_eq!(m.remove("Get"), Some(1));
        assert_eq!(m.get(b"get"), None);
        assert_eq!(m.get(b"set"), Some(&2));
        assert_eq!(m.len(), 301);
    }
}
