//! The large encoding of a sorted set (what Redis calls "skiplist"): an order-statistic B+ tree
//! ordered by (score, member), plus a hash index from member to the leaf that holds it.
//!
//! Layout and why:
//!
//! - Leaves live in an arena (`Vec<Leaf>`) and are named by a `u32` id that never changes while
//!   the leaf lives. Each leaf holds up to `LEAF_CAP` items (score and member, 24 bytes) in one
//!   allocation, and links to its neighbours so that ranges are walked without going back up.
//! - Inner nodes hold separator keys and, for every child, the number of items below it. That
//!   makes rank, select-by-rank and range counts O(log n), as Redis's skiplist spans do.
//! - The member index is an [`OrderedTable`] of (member hash, leaf id) pairs: 8 bytes a member.
//!   Looking a member up means hashing it and scanning the one leaf named (members are unique,
//!   so a hash collision just means scanning another leaf). Whenever items move to another leaf
//!   (splits, merges, rebalancing) their index entries are repointed. Because entries are kept
//!   in hash order and the order does not depend on the table's size, ZSCAN can use the hash as
//!   its cursor with SCAN's usual guarantee.
//!
//! With leaves about 70% full this costs roughly 35 bytes of leaf and 11 bytes of index per
//! member whose name fits inline (14 bytes), against about 100 for Redis's dict and skiplist.

use std::cmp::Ordering;
use std::hash::BuildHasher;
use std::sync::LazyLock;

use super::cmp_key;
use crate::small::SmallBytes;
use crate::table::{fold_hash, OrderedTable, Slot};

/// No leaf: the end of the leaf chain.
const NIL: u32 = u32::MAX;
/// Most items a leaf holds.
const LEAF_CAP: usize = 64;
/// Below this many items a leaf is merged with or refilled from a neighbour.
const LEAF_MIN: usize = LEAF_CAP / 4;
/// Most children of an inner node.
const INNER_CAP: usize = 64;
/// Below this many children an inner node is merged with or refilled from a neighbour.
const INNER_MIN: usize = INNER_CAP / 4;
/// How full bulk loading makes leaves, leaving room for later inserts.
const BULK_LEAF_FILL: usize = LEAF_CAP - LEAF_CAP / 8;
/// How full bulk loading makes inner nodes.
const BULK_INNER_FILL: usize = INNER_CAP - INNER_CAP / 8;

/// The hasher for member names. Seeded randomly once per process so clients cannot aim at
/// collisions, and fixed for the process's lifetime so ZSCAN cursors stay meaningful.
static HASHER: LazyLock<foldhash::fast::RandomState> =
    LazyLock::new(foldhash::fast::RandomState::default);

/// The index hash of a member (never zero).
#[inline]
pub(crate) fn member_hash(member: &[u8]) -> u32 {
    fold_hash(HASHER.hash_one(member))
}

/// One element: a score and a member.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub score: f64,
    pub member: SmallBytes,
}

impl Item {
    #[inline]
    fn cmp_to(&self, score: f64, member: &[u8]) -> Ordering {
        cmp_key(self.score, &self.member, score, member)
    }
}

#[derive(Debug)]
struct Leaf {
    items: Vec<Item>,
    prev: u32,
    next: u32,
}

#[derive(Debug)]
enum Node {
    Leaf(u32),
    Inner(Box<Inner>),
}

/// An inner node. `seps[i]` separates `kids[i]` from `kids[i + 1]`: every key of `kids[i]` is
/// below it and every key of `kids[i + 1]` is at or above it. Separators may be keys that were
/// since removed; only the ordering property matters.
#[derive(Debug)]
struct Inner {
    seps: Vec<Item>,
    kids: Vec<Node>,
    counts: Vec<usize>,
}

impl Inner {
    /// The child whose key range contains (score, member).
    #[inline]
    fn child_for(&self, score: f64, member: &[u8]) -> usize {
        self.seps
            .partition_point(|s| s.cmp_to(score, member) != Ordering::Greater)
    }
}

/// The member index entry: the member's hash and the leaf holding it.
#[derive(Debug, Default, Clone, Copy)]
struct IndexSlot {
    hash: u32,
    leaf: u32,
}

impl Slot for IndexSlot {
    #[inline]
    fn hash(&self) -> u32 {
        self.hash
    }
}

/// Everything but the root, so that recursive functions can borrow the root's nodes and the
/// leaves separately.
#[derive(Debug, Default)]
struct Store {
    leaves: Vec<Leaf>,
    free: Vec<u32>,
    index: OrderedTable<IndexSlot>,
    first: u32,
    last: u32,
    /// Heap bytes of members that do not fit inline.
    string_heap: usize,
    /// Number of inner nodes, for memory accounting.
    inners: usize,
}

/// The tree; see the module documentation.
#[derive(Debug)]
pub(crate) struct Tree {
    root: Node,
    store: Store,
    len: usize,
}

impl Default for Tree {
    fn default() -> Self {
        Tree::build(Vec::new())
    }
}

impl Clone for Tree {
    fn clone(&self) -> Self {
        Tree::build(self.iter_from(0, false).cloned().collect())
    }
}

impl Store {
    #[inline]
    fn leaf(&self, id: u32) -> &Leaf {
        &self.leaves[id as usize]
    }

    #[inline]
    fn leaf_mut(&mut self, id: u32) -> &mut Leaf {
        &mut self.leaves[id as usize]
    }

    fn alloc_leaf(&mut self, items: Vec<Item>) -> u32 {
        let leaf = Leaf {
            items,
            prev: NIL,
            next: NIL,
        };
        match self.free.pop() {
            Some(id) => {
                self.leaves[id as usize] = leaf;
                id
            }
            None => {
                self.leaves.push(leaf);
                (self.leaves.len() - 1) as u32
            }
        }
    }

    fn free_leaf(&mut self, id: u32) {
        let leaf = self.leaf_mut(id);
        leaf.items = Vec::new();
        leaf.prev = NIL;
        leaf.next = NIL;
        self.free.push(id);
    }

    /// Links `new` into the chain right after `after`.
    fn link_after(&mut self, after: u32, new: u32) {
        let next = self.leaf(after).next;
        self.leaf_mut(new).prev = after;
        self.leaf_mut(new).next = next;
        self.leaf_mut(after).next = new;
        if next == NIL {
            self.last = new;
        } else {
            self.leaf_mut(next).prev = new;
        }
    }

    /// Unlinks `id`, which follows `prev` in the chain.
    fn unlink(&mut self, id: u32) {
        let (prev, next) = (self.leaf(id).prev, self.leaf(id).next);
        if prev == NIL {
            self.first = next;
        } else {
            self.leaf_mut(prev).next = next;
        }
        if next == NIL {
            self.last = prev;
        } else {
            self.leaf_mut(next).prev = prev;
        }
    }

    fn index_insert(&mut self, member: &[u8], leaf: u32) {
        self.index.insert_new(IndexSlot {
            hash: member_hash(member),
            leaf,
        });
    }

    fn index_remove(&mut self, member: &[u8], leaf: u32) {
        let found = self.index.find(member_hash(member), |s| s.leaf == leaf);
        debug_assert!(found.is_some(), "member missing from the index");
        if let Some(i) = found {
            self.index.remove_at(i);
        }
    }

    /// Records that `member` moved from leaf `from` to leaf `to`. Index entries with the same
    /// hash and leaf are interchangeable, so repointing any one of them is right.
    fn index_move(&mut self, member: &[u8], from: u32, to: u32) {
        let found = self.index.find(member_hash(member), |s| s.leaf == from);
        debug_assert!(found.is_some(), "member missing from the index");
        if let Some(slot) = found.and_then(|i| self.index.get_mut(i)) {
            slot.leaf = to;
        }
    }

    /// Inserts `item` into leaf `id`, splitting it when full. Returns the new right sibling
    /// (with its separator and item count) after a split.
    fn leaf_insert(&mut self, id: u32, item: Item) -> Option<(Item, Node, usize)> {
        let leaf = self.leaf_mut(id);
        let pos = leaf
            .items
            .partition_point(|e| e.cmp_to(item.score, &item.member) == Ordering::Less);
        if leaf.items.len() < LEAF_CAP {
            let member = item.member.clone();
            leaf.items.insert(pos, item);
            self.index_insert(&member, id);
            return None;
        }
        let mut right: Vec<Item> = Vec::with_capacity(LEAF_CAP);
        let new_member = item.member.clone();
        let new_in_right;
        if pos == leaf.items.len() && leaf.next == NIL {
            // Appending past the largest key (ascending inserts): leave this leaf full and start
            // a new one, so that sequential loads fill leaves completely.
            right.push(item);
            new_in_right = true;
        } else {
            let mid = LEAF_CAP / 2;
            right.extend(leaf.items.drain(mid..));
            if pos <= mid {
                leaf.items.insert(pos, item);
                new_in_right = false;
            } else {
                right.insert(pos - mid, item);
                new_in_right = true;
            }
        }
        let sep = right.first().cloned()?;
        let rcount = right.len();
        let rid = self.alloc_leaf(right);
        self.link_after(id, rid);
        // Repoint the items that moved; the new item is indexed afterwards at its final leaf.
        let moved: Vec<SmallBytes> = self
            .leaf(rid)
            .items
            .iter()
            .filter(|e| !(new_in_right && e.member == new_member))
            .map(|e| e.member.clone())
            .collect();
        for m in &moved {
            self.index_move(m, id, rid);
        }
        self.index_insert(&new_member, if new_in_right { rid } else { id });
        Some((sep, Node::Leaf(rid), rcount))
    }

    /// Removes (score, member) from leaf `id`.
    fn leaf_remove(&mut self, id: u32, score: f64, member: &[u8]) -> bool {
        let leaf = self.leaf_mut(id);
        let Ok(pos) = leaf.items.binary_search_by(|e| e.cmp_to(score, member)) else {
            return false;
        };
        let item = leaf.items.remove(pos);
        self.string_heap = self.string_heap.saturating_sub(item.member.heap_bytes());
        self.index_remove(member, id);
        true
    }

    fn node_is_small(&self, node: &Node) -> bool {
        match node {
            Node::Leaf(id) => self.leaf(*id).items.len() < LEAF_MIN,
            Node::Inner(inner) => inner.kids.len() < INNER_MIN,
        }
    }

    /// Moves every item of leaf `from` to the end of leaf `to` (its left neighbour).
    fn merge_leaves(&mut self, to: u32, from: u32) {
        let items = std::mem::take(&mut self.leaf_mut(from).items);
        for e in &items {
            self.index_move(&e.member, from, to);
        }
        self.leaf_mut(to).items.extend(items);
        self.unlink(from);
        self.free_leaf(from);
    }

    /// Evens out two neighbouring leaves; returns the new separator (first key of `right`).
    fn balance_leaves(&mut self, left: u32, right: u32) -> Option<Item> {
        let (nl, nr) = (self.leaf(left).items.len(), self.leaf(right).items.len());
        if nl < nr {
            let k = (nr - nl) / 2;
            let moved: Vec<Item> = self.leaf_mut(right).items.drain(..k).collect();
            for e in &moved {
                self.index_move(&e.member, right, left);
            }
            self.leaf_mut(left).items.extend(moved);
        } else {
            let k = (nl - nr) / 2;
            let moved: Vec<Item> = self.leaf_mut(left).items.drain(nl - k..).collect();
            for e in &moved {
                self.index_move(&e.member, left, right);
            }
            self.leaf_mut(right).items.splice(0..0, moved);
        }
        self.leaf(right).items.first().cloned()
    }
}

fn insert_rec(node: &mut Node, st: &mut Store, item: Item) -> Option<(Item, Node, usize)> {
    match node {
        Node::Leaf(id) => st.leaf_insert(*id, item),
        Node::Inner(inner) => {
            let i = inner.child_for(item.score, &item.member);
            inner.counts[i] += 1;
            let (sep, right, rcount) = insert_rec(&mut inner.kids[i], st, item)?;
            inner.counts[i] -= rcount;
            inner.seps.insert(i, sep);
            inner.kids.insert(i + 1, right);
            inner.counts.insert(i + 1, rcount);
            if inner.kids.len() <= INNER_CAP {
                return None;
            }
            let mid = inner.kids.len() / 2;
            let kids = inner.kids.split_off(mid);
            let counts = inner.counts.split_off(mid);
            let mut seps = inner.seps.split_off(mid - 1);
            let promoted = seps.remove(0);
            let rcount = counts.iter().sum();
            st.inners += 1;
            Some((
                promoted,
                Node::Inner(Box::new(Inner { seps, kids, counts })),
                rcount,
            ))
        }
    }
}

fn remove_rec(node: &mut Node, st: &mut Store, score: f64, member: &[u8]) -> bool {
    match node {
        Node::Leaf(id) => st.leaf_remove(*id, score, member),
        Node::Inner(inner) => {
            let i = inner.child_for(score, member);
            if !remove_rec(&mut inner.kids[i], st, score, member) {
                return false;
            }
            inner.counts[i] -= 1;
            if st.node_is_small(&inner.kids[i]) {
                rebalance(inner, i, st);
            }
            true
        }
    }
}

/// Fixes child `i` of `inner`, which fell below its minimum size, by merging it with a
/// neighbour or moving children over from one.
fn rebalance(inner: &mut Inner, i: usize, st: &mut Store) {
    if inner.kids.len() < 2 {
        return;
    }
    let a = if i > 0 { i - 1 } else { i };
    let b = a + 1;
    let (left, right) = inner.kids.split_at_mut(b);
    match (&mut left[a], &mut right[0]) {
        (Node::Leaf(la), Node::Leaf(lb)) => {
            let (la, lb) = (*la, *lb);
            if st.leaf(la).items.len() + st.leaf(lb).items.len() <= LEAF_CAP {
                st.merge_leaves(la, lb);
                inner.counts[a] += inner.counts[b];
                inner.seps.remove(a);
                inner.kids.remove(b);
                inner.counts.remove(b);
            } else if let Some(sep) = st.balance_leaves(la, lb) {
                inner.counts[a] = st.leaf(la).items.len();
                inner.counts[b] = st.leaf(lb).items.len();
                inner.seps[a] = sep;
            }
        }
        (Node::Inner(ia), Node::Inner(ib)) => {
            let total = ia.kids.len() + ib.kids.len();
            // Gather both nodes' children around the separator between them.
            let sep = inner.seps[a].clone();
            let mut seps = std::mem::take(&mut ia.seps);
            seps.push(sep);
            seps.append(&mut ib.seps);
            let mut kids = std::mem::take(&mut ia.kids);
            kids.append(&mut ib.kids);
            let mut counts = std::mem::take(&mut ia.counts);
            counts.append(&mut ib.counts);
            if total <= INNER_CAP {
                ia.seps = seps;
                ia.kids = kids;
                ia.counts = counts;
                inner.counts[a] += inner.counts[b];
                inner.seps.remove(a);
                inner.kids.remove(b);
                inner.counts.remove(b);
                st.inners -= 1;
            } else {
                let mid = total / 2;
                ib.kids = kids.split_off(mid);
                ib.counts = counts.split_off(mid);
                ib.seps = seps.split_off(mid);
                let promoted = seps.pop();
                ia.kids = kids;
                ia.counts = counts;
                ia.seps = seps;
                inner.counts[a] = ia.counts.iter().sum();
                inner.counts[b] = ib.counts.iter().sum();
                if let Some(p) = promoted {
                    inner.seps[a] = p;
                }
            }
        }
        // Siblings are always at the same depth.
        _ => debug_assert!(false, "siblings of different kinds"),
    }
}

impl Tree {
    /// Builds a tree from items sorted by (score, member) with unique members.
    pub fn build(items: Vec<Item>) -> Tree {
        let mut st = Store {
            first: NIL,
            last: NIL,
            ..Store::default()
        };
        let n = items.len();
        let nleaves = n.div_ceil(BULK_LEAF_FILL).max(1);
        let (base, extra) = (n / nleaves, n % nleaves);
        let mut level: Vec<(Option<Item>, Node, usize)> = Vec::with_capacity(nleaves);
        let mut it = items.into_iter();
        let mut prev = NIL;
        for i in 0..nleaves {
            let take = base + usize::from(i < extra);
            let mut leaf_items = Vec::with_capacity(LEAF_CAP);
            leaf_items.extend(it.by_ref().take(take));
            let first = leaf_items.first().cloned();
            let id = st.alloc_leaf(leaf_items);
            for k in 0..take {
                let member = st.leaf(id).items[k].member.clone();
                st.string_heap += member.heap_bytes();
                st.index_insert(&member, id);
            }
            if prev == NIL {
                st.first = id;
            } else {
                st.leaf_mut(prev).next = id;
                st.leaf_mut(id).prev = prev;
            }
            st.last = id;
            prev = id;
            level.push((first, Node::Leaf(id), take));
        }
        while level.len() > 1 {
            let groups = level.len().div_ceil(BULK_INNER_FILL);
            let (base, extra) = (level.len() / groups, level.len() % groups);
            let mut upper = Vec::with_capacity(groups);
            let mut it = level.into_iter();
            for g in 0..groups {
                let take = base + usize::from(g < extra);
                let mut seps = Vec::with_capacity(take);
                let mut kids = Vec::with_capacity(take);
                let mut counts = Vec::with_capacity(take);
                let mut first = None;
                for (k, (key, node, count)) in it.by_ref().take(take).enumerate() {
                    if k == 0 {
                        first = key;
                    } else if let Some(key) = key {
                        seps.push(key);
                    }
                    kids.push(node);
                    counts.push(count);
                }
                let total = counts.iter().sum();
                st.inners += 1;
                upper.push((
                    first,
                    Node::Inner(Box::new(Inner { seps, kids, counts })),
                    total,
                ));
            }
            level = upper;
        }
        let root = match level.pop() {
            Some((_, node, _)) => node,
            None => Node::Leaf(st.alloc_leaf(Vec::new())),
        };
        Tree {
            root,
            store: st,
            len: n,
        }
    }

    /// Number of items.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Heap bytes held (leaves, inner nodes, index and out-of-line member names).
    pub fn heap_bytes(&self) -> usize {
        let st = &self.store;
        let live = st.leaves.len() - st.free.len();
        let inner_size = std::mem::size_of::<Inner>()
            + INNER_CAP
                * (std::mem::size_of::<Item>()
                    + std::mem::size_of::<Node>()
                    + std::mem::size_of::<usize>());
        st.leaves.capacity() * std::mem::size_of::<Leaf>()
            + live * LEAF_CAP * std::mem::size_of::<Item>()
            + st.free.capacity() * 4
            + st.index.allocated_bytes()
            + st.inners * inner_size
            + st.string_heap
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        let st = &self.store;
        let mut out = None;
        st.index.find(member_hash(member), |s| {
            match st
                .leaf(s.leaf)
                .items
                .iter()
                .find(|e| &e.member[..] == member)
            {
                Some(e) => {
                    out = Some(e.score);
                    true
                }
                None => false,
            }
        });
        out
    }

    /// Inserts a member the caller knows is absent.
    pub fn insert(&mut self, score: f64, member: &[u8]) {
        let item = Item {
            score,
            member: SmallBytes::new(member),
        };
        self.store.string_heap += item.member.heap_bytes();
        if let Some((sep, right, rcount)) = insert_rec(&mut self.root, &mut self.store, item) {
            let old = std::mem::replace(&mut self.root, Node::Leaf(NIL));
            let lcount = self.len + 1 - rcount;
            self.root = Node::Inner(Box::new(Inner {
                seps: vec![sep],
                kids: vec![old, right],
                counts: vec![lcount, rcount],
            }));
            self.store.inners += 1;
        }
        self.len += 1;
    }

    /// Removes (score, member); returns whether it was present.
    pub fn remove(&mut self, score: f64, member: &[u8]) -> bool {
        if !remove_rec(&mut self.root, &mut self.store, score, member) {
            return false;
        }
        self.len -= 1;
        self.collapse_root();
        self.maybe_compact();
        true
    }

    /// Replaces a root with a single child by that child.
    fn collapse_root(&mut self) {
        while let Node::Inner(inner) = &mut self.root {
            if inner.kids.len() != 1 {
                break;
            }
            let Some(kid) = inner.kids.pop() else { break };
            self.root = kid;
            self.store.inners -= 1;
        }
    }

    /// Rebuilds the tree when most arena slots are free (after mass removals), so that a set
    /// that shrank gives its memory back.
    fn maybe_compact(&mut self) {
        let st = &self.store;
        if st.free.len() >= 64 && st.free.len() * 2 > st.leaves.len() {
            let items = self.take_items();
            *self = Tree::build(items);
        }
    }

    /// Moves every item out, in order, leaving an empty tree.
    fn take_items(&mut self) -> Vec<Item> {
        let mut out = Vec::with_capacity(self.len);
        let mut id = self.store.first;
        while id != NIL {
            let leaf = self.store.leaf_mut(id);
            out.append(&mut leaf.items);
            id = leaf.next;
        }
        *self = Tree::build(Vec::new());
        out
    }

    /// Removes the items with ranks in `lo..hi`; returns how many were removed.
    pub fn remove_ranks(&mut self, lo: usize, hi: usize) -> usize {
        let hi = hi.min(self.len);
        if lo >= hi {
            return 0;
        }
        let k = hi - lo;
        if k > 64 && k * 4 > self.len {
            // Cheaper to rebuild from what is kept than to remove one by one.
            let mut items = self.take_items();
            items.drain(lo..hi);
            *self = Tree::build(items);
            return k;
        }
        for _ in 0..k {
            let Some((score, member)) = self
                .select(lo)
                .map(|(id, pos)| &self.store.leaf(id).items[pos])
                .map(|e| (e.score, e.member.clone()))
            else {
                break;
            };
            self.remove(score, &member);
        }
        k
    }

    /// The (leaf, position) of the item of rank `rank`.
    fn select(&self, rank: usize) -> Option<(u32, usize)> {
        let mut node = &self.root;
        let mut r = rank;
        loop {
            match node {
                Node::Leaf(id) => {
                    return (r < self.store.leaf(*id).items.len()).then_some((*id, r));
                }
                Node::Inner(inner) => {
                    let mut next = None;
                    for (kid, &c) in inner.kids.iter().zip(&inner.counts) {
                        if r < c {
                            next = Some(kid);
                            break;
                        }
                        r -= c;
                    }
                    node = next?;
                }
            }
        }
    }

    /// The item of rank `rank`.
    pub fn nth(&self, rank: usize) -> Option<&Item> {
        let (id, pos) = self.select(rank)?;
        self.store.leaf(id).items.get(pos)
    }

    /// Walks from the root down to a leaf, entering at each inner node the child `pick`
    /// chooses; returns the rank of the leaf's first item and the leaf's items.
    fn descend(&self, pick: impl Fn(&Inner) -> usize) -> (usize, &[Item]) {
        let mut node = &self.root;
        let mut rank = 0;
        loop {
            match node {
                Node::Leaf(id) => return (rank, &self.store.leaf(*id).items),
                Node::Inner(inner) => {
                    let i = pick(inner);
                    rank += inner.counts[..i].iter().sum::<usize>();
                    node = &inner.kids[i];
                }
            }
        }
    }

    /// The rank of (score, member).
    pub fn rank(&self, score: f64, member: &[u8]) -> Option<usize> {
        let (base, items) = self.descend(|inner| inner.child_for(score, member));
        let pos = items.binary_search_by(|e| e.cmp_to(score, member)).ok()?;
        Some(base + pos)
    }

    /// Number of leading items (in order) for which `pred` holds; `pred` must hold for a prefix
    /// of the order and fail for the rest.
    pub fn count_while(&self, pred: impl Fn(f64, &[u8]) -> bool) -> usize {
        // A separator satisfying `pred` means the whole child before it does.
        let (base, items) =
            self.descend(|inner| inner.seps.partition_point(|s| pred(s.score, &s.member)));
        base + items.partition_point(|e| pred(e.score, &e.member))
    }

    /// Iterates from rank `rank`, upwards or (`reverse`) downwards.
    pub fn iter_from(&self, rank: usize, reverse: bool) -> TreeIter<'_> {
        let (leaf, pos) = self.select(rank).unwrap_or((NIL, 0));
        TreeIter {
            store: &self.store,
            leaf,
            pos,
            reverse,
        }
    }

    /// Visits the index entries from hash `from` on (at least `count` of them), calling `visit`
    /// for every member they stand for. Returns the hash to resume from, or `None` when done.
    pub fn scan(&self, from: u32, count: usize, mut visit: impl FnMut(&[u8], f64)) -> Option<u32> {
        let st = &self.store;
        let mut seen: Vec<(u32, u32)> = Vec::new();
        let next = st.index.scan(from, count, |s| seen.push((s.hash, s.leaf)));
        seen.sort_unstable();
        seen.dedup();
        for (hash, leaf) in seen {
            for e in &st.leaf(leaf).items {
                if member_hash(&e.member) == hash {
                    visit(&e.member, e.score);
                }
            }
        }
        next
    }

    /// Checks the structure's invariants (tests only).
    #[cfg(test)]
    pub fn check(&self) {
        fn walk(node: &Node, st: &Store, leaves: &mut Vec<u32>) -> usize {
            match node {
                Node::Leaf(id) => {
                    leaves.push(*id);
                    st.leaf(*id).items.len()
                }
                Node::Inner(inner) => {
                    assert_eq!(inner.seps.len() + 1, inner.kids.len());
                    assert_eq!(inner.counts.len(), inner.kids.len());
                    let mut total = 0;
                    for (i, kid) in inner.kids.iter().enumerate() {
                        let n = walk(kid, st, leaves);
                        assert_eq!(n, inner.counts[i], "subtree count");
                        total += n;
                    }
                    total
                }
            }
        }
        let mut leaves = Vec::new();
        assert_eq!(walk(&self.root, &self.store, &mut leaves), self.len);
        // The chain visits the leaves in tree order.
        let mut chain = Vec::new();
        let mut id = self.store.first;
        while id != NIL {
            chain.push(id);
            id = self.store.leaf(id).next;
        }
        assert_eq!(chain, leaves);
        let items: Vec<&Item> = self.iter_from(0, false).collect();
        assert_eq!(items.len(), self.len);
        for w in items.windows(2) {
            assert_eq!(
                w[0].cmp_to(w[1].score, &w[1].member),
                Ordering::Less,
                "order"
            );
        }
        assert_eq!(self.store.index.len(), self.len);
        for e in &items {
            assert_eq!(self.score(&e.member), Some(e.score));
        }
    }
}

/// Iterator over a tree's items from some rank, in either direction.
#[derive(Debug, Clone)]
pub(crate) struct TreeIter<'a> {
    store: &'a Store,
    leaf: u32,
    pos: usize,
    reverse: bool,
}

impl<'a> Iterator for TreeIter<'a> {
    type Item = &'a Item;

    #[inline]
    fn next(&mut self) -> Option<&'a Item> {
        if self.leaf == NIL {
            return None;
        }
        let leaf = self.store.leaves.get(self.leaf as usize)?;
        let item = leaf.items.get(self.pos)?;
        if self.reverse {
            if self.pos == 0 {
                self.leaf = leaf.prev;
                self.pos = self
                    .store
                    .leaves
                    .get(self.leaf as usize)
                    .map_or(0, |l| l.items.len().saturating_sub(1));
            } else {
                self.pos -= 1;
            }
        } else {
            self.pos += 1;
            if self.pos >= leaf.items.len() {
                self.leaf = leaf.next;
                self.pos = 0;
            }
        }
        Some(item)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key(i: u32) -> Vec<u8> {
        format!("m{i:06}").into_bytes()
    }

    #[test]
    fn grows_and_shrinks_with_invariants() {
        let mut t = Tree::default();
        // Pseudo-random order so that splits happen everywhere.
        let n = 5000u32;
        let order: Vec<u32> = (0..n).map(|i| (i * 7919) % n).collect();
        for &i in &order {
            t.insert(f64::from(i % 97), &key(i));
        }
        t.check();
        assert_eq!(t.len(), n as usize);
        for &i in order.iter().step_by(3) {
            assert!(t.remove(f64::from(i % 97), &key(i)));
        }
        t.check();
        for &i in &order {
            let present = t.score(&key(i)).is_some();
            assert_eq!(
                present,
                order.iter().position(|&x| x == i).unwrap() % 3 != 0
            );
        }
        let r = t.rank(5.0, &key(5));
        if let Some(r) = r {
            assert_eq!(&t.nth(r).unwrap().member[..], &key(5)[..]);
        }
        assert_eq!(t.remove_ranks(10, 2000), 1990);
        t.check();
        while t.len() > 0 {
            let (s, m) = {
                let e = t.nth(t.len() / 2).unwrap();
                (e.score, e.member.clone())
            };
            assert!(t.remove(s, &m));
        }
        t.check();
    }

    #[test]
    fn deep_tree_survives_one_by_one_removals() {
        let mut t = Tree::default();
        let n = 20_000u32;
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut live: Vec<u32> = Vec::new();
        for i in 0..n {
            let k = (next() % 1_000_000) as u32;
            if t.score(&key(k)).is_none() {
                t.insert(f64::from(k % 1000), &key(k));
                live.push(k);
            }
            if i % 5000 == 0 {
                t.check();
            }
        }
        t.check();
        let mut step = 0;
        while live.len() > 50 {
            let at = (next() % live.len() as u64) as usize;
            let k = live.swap_remove(at);
            assert!(t.remove(f64::from(k % 1000), &key(k)));
            step += 1;
            if step % 2000 == 0 {
                t.check();
            }
        }
        t.check();
        assert_eq!(t.len(), 50);
        // Interleave inserts again on the shrunken tree.
        for k in 0..3000u32 {
            t.insert(0.5, &key(2_000_000 + k));
        }
        t.check();
    }

    #[test]
    fn ascending_inserts_fill_leaves() {
        let mut t = Tree::default();
        for i in 0..10_000u32 {
            t.insert(f64::from(i), &key(i));
        }
        t.check();
        let live = t.store.leaves.len() - t.store.free.len();
        assert!(live <= 10_000 / LEAF_CAP + 2, "{live} leaves");
        let back: Vec<f64> = t.iter_from(9_999, true).take(3).map(|e| e.score).collect();
        assert_eq!(back, vec![9999.0, 9998.0, 9997.0]);
    }

    #[test]
    fn scan_returns_every_member_once_without_changes() {
        let mut t = Tree::default();
        for i in 0..3000u32 {
            t.insert(0.0, &key(i));
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0u32;
        loop {
            let next = t.scan(cursor, 10, |m, _| {
                assert!(seen.insert(m.to_vec()), "duplicate");
            });
            match next {
                Some(h) => cursor = h,
                None => break,
            }
        }
        assert_eq!(seen.len(), 3000);
    }
}
