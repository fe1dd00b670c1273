//! The indexed encoding of large hashes (Redis's `hashtable`): an ordered hash table of
//! (hash, field, value) slots.
//!
//! Each slot is 40 bytes: the field's 32-bit hash, then field and value as `SmallBytes`, which
//! keep up to 14 bytes inline. A million short fields therefore cost about 40 bytes divided by
//! the load factor (0.6 to 0.87), with no allocation per field, where Redis spends a dict entry,
//! two sds strings and a bucket pointer. Because the table keeps entries in hash order, HSCAN's
//! cursor is simply the next hash to visit, and resizing between calls cannot make a scan miss
//! a field.

use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use crate::small::SmallBytes;
use crate::table::{fold_hash, OrderedTable, Slot};

/// One field of a large hash.
#[derive(Clone, Debug, Default)]
pub(super) struct Field {
    hash: u32,
    /// The field's name.
    pub field: SmallBytes,
    /// The field's value.
    pub value: SmallBytes,
}

impl Slot for Field {
    #[inline]
    fn hash(&self) -> u32 {
        self.hash
    }
}

/// The hash of a field name. The seed is random per process so that clients cannot aim many
/// fields at one cluster of the table.
#[inline]
pub(super) fn field_hash(field: &[u8]) -> u32 {
    static STATE: OnceLock<foldhash::fast::FixedState> = OnceLock::new();
    let state = STATE.get_or_init(|| {
        let seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        foldhash::fast::FixedState::with_seed(seed)
    });
    fold_hash(state.hash_one(field))
}

/// A large hash; see the module documentation.
#[derive(Debug, Default)]
pub(super) struct Dict {
    table: OrderedTable<Field>,
    /// Heap bytes held by fields and values too long to be inline, kept up to date so that
    /// memory accounting is O(1).
    strings_heap: usize,
}

impl Clone for Dict {
    fn clone(&self) -> Self {
        // Entries come out in hash order, so every insertion lands at the end of its cluster.
        let mut d = Dict::default();
        for f in self.table.iter() {
            d.table.insert_new(f.clone());
        }
        d.strings_heap = self.strings_heap;
        d
    }
}

impl Dict {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Heap bytes owned by the table and its strings.
    pub fn heap_bytes(&self) -> usize {
        self.table.allocated_bytes() + self.strings_heap
    }

    fn find(&self, field: &[u8]) -> Option<usize> {
        self.table
            .find(field_hash(field), |f| f.field.as_slice() == field)
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        let i = self.find(field)?;
        self.table.get(i).map(|f| f.value.as_slice())
    }

    /// Sets `field` to `value`; returns whether the field is new.
    pub fn insert(&mut self, field: &[u8], value: &[u8]) -> bool {
        let hash = field_hash(field);
        let found = self.table.find(hash, |f| f.field.as_slice() == field);
        if let Some(slot) = found.and_then(|i| self.table.get_mut(i)) {
            let new = SmallBytes::new(value);
            self.strings_heap = self.strings_heap + new.heap_bytes() - slot.value.heap_bytes();
            slot.value = new;
            return false;
        }
        self.insert_new_field(hash, field, value);
        true
    }

    /// Adds a field the caller knows is absent (conversion from the small encoding).
    pub fn insert_new(&mut self, field: &[u8], value: &[u8]) {
        self.insert_new_field(field_hash(field), field, value);
    }

    fn insert_new_field(&mut self, hash: u32, field: &[u8], value: &[u8]) {
        let f = Field {
            hash,
            field: SmallBytes::new(field),
            value: SmallBytes::new(value),
        };
        self.strings_heap += f.field.heap_bytes() + f.value.heap_bytes();
        self.table.insert_new(f);
    }

    /// Removes `field`; returns whether it was present.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        let Some(f) = self.find(field).and_then(|i| self.table.remove_at(i)) else {
            return false;
        };
        self.strings_heap -= f.field.heap_bytes() + f.value.heap_bytes();
        true
    }

    /// Iterates over the fields in hash order.
    pub fn iter(&self) -> impl Iterator<Item = &Field> {
        self.table.iter()
    }

    /// Visits fields from cursor `from` (a hash) until at least `count` were seen; returns the
    /// cursor to continue from, or `None` at the end.
    pub fn scan(
        &self,
        from: u32,
        count: usize,
        visit: &mut dyn FnMut(&[u8], &[u8]),
    ) -> Option<u32> {
        self.table.scan(from, count, |f| {
            visit(f.field.as_slice(), f.value.as_slice())
        })
    }

    /// Number of slots (occupied or not), the range of `slot`.
    pub fn slot_count(&self) -> usize {
        self.table.allocated_bytes() / std::mem::size_of::<Field>()
    }

    /// The field in slot `i`, if that slot is occupied.
    pub fn slot(&self, i: usize) -> Option<&Field> {
        self.table.get(i)
    }

    /// A uniformly chosen slot index holding a field, drawing randomness from `rng`.
    ///
    /// Rejection sampling over the slot array is uniform and fast because the table is never
    /// less than about an eighth full; should it fail many times in a row (tiny tables after
    /// mass deletion), the n-th field is picked by walking the table, which is uniform too.
    pub fn random_slot(&self, rng: &mut dyn FnMut() -> u64) -> Option<usize> {
        let n = self.slot_count();
        if self.table.is_empty() || n == 0 {
            return None;
        }
        for _ in 0..32 {
            let i = (rng() % n as u64) as usize;
            if self.table.get(i).is_some() {
                return Some(i);
            }
        }
        let nth = (rng() % self.table.len() as u64) as usize;
        (0..n).filter(|&i| self.table.get(i).is_some()).nth(nth)
    }

    /// Slot indices of every field, in hash order.
    pub fn slots(&self) -> Vec<usize> {
        let mut v = Vec::with_capacity(self.table.len());
        v.extend((0..self.slot_count()).filter(|&i| self.table.get(i).is_some()));
        v
    }
}
