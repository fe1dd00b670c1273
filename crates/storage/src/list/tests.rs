//! Unit tests and a model-based property test for lists.
#![allow(clippy::unwrap_used)]

use std::collections::VecDeque;

use proptest::prelude::*;

use super::*;

fn strings(l: &List) -> Vec<Vec<u8>> {
    l.iter().map(Elem::to_vec).collect()
}

fn list_of(fill: i32, items: &[&str]) -> List {
    let mut l = List::new(fill);
    for i in items {
        l.push(End::Tail, i.as_bytes());
    }
    l
}

#[test]
fn push_pop_both_ends() {
    let mut l = List::default();
    l.push(End::Tail, b"b");
    l.push(End::Head, b"a");
    l.push(End::Tail, b"12");
    assert_eq!(l.len(), 3);
    assert_eq!(
        strings(&l),
        vec![b"a".to_vec(), b"b".to_vec(), b"12".to_vec()]
    );
    assert_eq!(l.pop(End::Tail), Some(Element::Int(12)));
    assert_eq!(l.pop(End::Head), Some(Element::Str(b"a".to_vec())));
    assert_eq!(l.pop(End::Head), Some(Element::Str(b"b".to_vec())));
    assert_eq!(l.pop(End::Head), None);
    assert!(l.is_empty());
    assert_eq!(l.node_count(), 0);
}

#[test]
fn integers_keep_their_text() {
    let texts = [
        "0",
        "-0",
        "007",
        "123",
        "-9223372036854775808",
        "9223372036854775808",
        "+1",
    ];
    let mut l = List::default();
    for s in texts {
        l.push(End::Tail, s.as_bytes());
    }
    let got: Vec<String> = l
        .iter()
        .map(|e| String::from_utf8(e.to_vec()).unwrap())
        .collect();
    assert_eq!(got, texts);
    assert_eq!(l.get(0), Some(Elem::Int(0)));
    assert_eq!(l.get(1), Some(Elem::Str(b"-0")));
    assert_eq!(l.positions(b"123", 1, 1, 0), vec![3]);
    assert_eq!(l.positions(b"0123", 1, 1, 0), Vec::<usize>::new());
}

#[test]
fn index_and_set() {
    let mut l = list_of(2, &["a", "b", "c", "d", "e"]);
    assert_eq!(l.get(-1), Some(Elem::Str(b"e")));
    assert_eq!(l.get(-5), Some(Elem::Str(b"a")));
    assert_eq!(l.get(-6), None);
    assert_eq!(l.get(5), None);
    assert_eq!(l.get(i64::MIN), None);
    assert_eq!(l.get(i64::MAX), None);
    assert!(l.set(2, b"C"));
    assert!(l.set(-1, &[b'x'; 9000]));
    assert!(!l.set(5, b"z"));
    assert_eq!(l.get(2), Some(Elem::Str(b"C")));
    assert_eq!(l.get(4).unwrap().to_vec().len(), 9000);
    l.check();
}

#[test]
fn range_bounds_like_redis() {
    assert_eq!(range_bounds(5, 0, -1), Some((0, 4)));
    assert_eq!(range_bounds(5, -100, 100), Some((0, 4)));
    assert_eq!(range_bounds(5, 3, 1), None);
    assert_eq!(range_bounds(5, 5, 10), None);
    assert_eq!(range_bounds(5, 0, -6), None);
    assert_eq!(range_bounds(5, i64::MIN, i64::MAX), Some((0, 4)));
    assert_eq!(range_bounds(0, 0, -1), None);
}

#[test]
fn trim_and_remove() {
    let mut l = list_of(-2, &["a", "b", "a", "c", "a", "d"]);
    assert_eq!(l.remove(b"a", -2), 2);
    assert_eq!(
        strings(&l),
        vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec(), b"d".to_vec()]
    );
    assert_eq!(l.remove(b"zz", 0), 0);
    assert_eq!(l.trim(1, -2), 2);
    assert_eq!(strings(&l), vec![b"b".to_vec(), b"c".to_vec()]);
    assert_eq!(l.trim(5, 10), 2);
    assert!(l.is_empty());
}

#[test]
fn insert_around_pivot() {
    let mut l = list_of(1, &["a", "c"]);
    assert!(l.insert(b"c", b"b", false));
    assert!(l.insert(b"c", b"d", true));
    assert!(!l.insert(b"zz", b"x", true));
    assert_eq!(
        strings(&l),
        vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec(), b"d".to_vec()]
    );
    l.check();
}

#[test]
fn lpos_options() {
    let l = list_of(-2, &["a", "b", "c", "1", "2", "3", "c", "c"]);
    assert_eq!(l.positions(b"c", 1, 1, 0), vec![2]);
    assert_eq!(l.positions(b"c", 2, 1, 0), vec![6]);
    assert_eq!(l.positions(b"c", 4, 1, 0), Vec::<usize>::new());
    assert_eq!(l.positions(b"c", -1, 1, 0), vec![7]);
    assert_eq!(l.positions(b"c", -2, 1, 0), vec![6]);
    assert_eq!(l.positions(b"c", 1, 0, 0), vec![2, 6, 7]);
    assert_eq!(l.positions(b"c", 2, 0, 0), vec![6, 7]);
    assert_eq!(l.positions(b"c", -1, 2, 0), vec![7, 6]);
    assert_eq!(l.positions(b"c", 1, 0, 3), vec![2]);
    assert_eq!(l.positions(b"c", -1, 0, 3), vec![7, 6]);
    assert_eq!(l.positions(b"c", 2, 0, 7), vec![6]);
    assert_eq!(l.positions(b"1", 1, 1, 0), vec![3]);
}

#[test]
fn pop_many_orders() {
    let mut l = list_of(3, &["a", "b", "c", "d", "e", "f", "g"]);
    let mut got = Vec::new();
    assert_eq!(l.pop_many(End::Tail, 3, |e| got.push(e.to_vec())), 3);
    assert_eq!(got, vec![b"g".to_vec(), b"f".to_vec(), b"e".to_vec()]);
    got.clear();
    assert_eq!(l.pop_many(End::Head, 100, |e| got.push(e.to_vec())), 4);
    assert_eq!(got.len(), 4);
    assert!(l.is_empty());
}

#[test]
fn compact_for_many_small_elements() {
    let mut l = List::default();
    for i in 0..100_000u32 {
        l.push(End::Tail, format!("element:{i}").as_bytes());
    }
    let per = l.heap_bytes() as f64 / l.len() as f64;
    // Each entry is 1 header + ~12 bytes + 1 back length; nodes add very little on top.
    assert!(per < 16.0, "{per} bytes per element");
    let mut l = List::default();
    for i in 0..100_000u32 {
        l.push(End::Head, format!("element:{i}").as_bytes());
    }
    let per = l.heap_bytes() as f64 / l.len() as f64;
    assert!(per < 16.5, "{per} bytes per element (head pushes)");
    let mut l = List::default();
    for i in 0..100_000i64 {
        l.push(End::Tail, i.to_string().as_bytes());
    }
    let per = l.heap_bytes() as f64 / l.len() as f64;
    assert!(per < 6.0, "{per} bytes per integer");
    l.check();
}

#[test]
fn equality_ignores_layout() {
    let a = list_of(1, &["a", "b", "c"]);
    let b = list_of(-5, &["a", "b", "c"]);
    assert_eq!(a, b);
    assert_ne!(a, list_of(1, &["a", "b"]));
    assert_eq!(a.encoding(), "quicklist");
}

#[test]
fn huge_elements_get_their_own_node() {
    let mut l = List::new(-1);
    let big = vec![b'z'; 100_000];
    l.push(End::Tail, b"a");
    l.push(End::Tail, &big);
    l.push(End::Tail, b"b");
    assert_eq!(l.node_count(), 3);
    assert!(l.insert(&big, b"mid", false));
    assert!(l.set(2, b"small"));
    assert_eq!(
        strings(&l),
        vec![
            b"a".to_vec(),
            b"mid".to_vec(),
            b"small".to_vec(),
            b"b".to_vec()
        ]
    );
    l.check();
}

/// One operation of the model test.
#[derive(Debug, Clone)]
enum Op {
    Push(bool, Vec<u8>),
    Pop(bool),
    PopMany(bool, usize),
    Set(i64, Vec<u8>),
    Insert(Vec<u8>, Vec<u8>, bool),
    Remove(Vec<u8>, i64),
    Trim(i64, i64),
    Get(i64),
    Range(usize, bool),
    Pos(Vec<u8>, i64, usize, usize),
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => (0u8..6).prop_map(|i| vec![b'a' + i]),
        3 => (-200i64..200).prop_map(|i| i.to_string().into_bytes()),
        1 => any::<i64>().prop_map(|i| i.to_string().into_bytes()),
        1 => (1usize..300).prop_map(|n| vec![b'q'; n]),
        1 => (60usize..5000).prop_map(|n| vec![b'L'; n]),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (any::<bool>(), value()).prop_map(|(h, v)| Op::Push(h, v)),
        2 => any::<bool>().prop_map(Op::Pop),
        1 => (any::<bool>(), 0usize..8).prop_map(|(h, n)| Op::PopMany(h, n)),
        2 => (-12i64..12, value()).prop_map(|(i, v)| Op::Set(i, v)),
        2 => (value(), value(), any::<bool>()).prop_map(|(p, v, a)| Op::Insert(p, v, a)),
        1 => (value(), -3i64..3).prop_map(|(v, c)| Op::Remove(v, c)),
        1 => (-15i64..15, -15i64..15).prop_map(|(a, b)| Op::Trim(a, b)),
        1 => (-15i64..15).prop_map(Op::Get),
        1 => (0usize..20, any::<bool>()).prop_map(|(s, r)| Op::Range(s, r)),
        1 => (value(), prop_oneof![-3i64..0, 1i64..4], 0usize..3, 0usize..10)
            .prop_map(|(v, r, c, m)| Op::Pos(v, r, c, m)),
    ]
}

fn model_index(len: usize, i: i64) -> Option<usize> {
    let i = if i < 0 { len as i64 + i } else { i };
    (i >= 0 && (i as usize) < len).then_some(i as usize)
}

fn run(mut l: List, ops: Vec<Op>) {
    let mut m: VecDeque<Vec<u8>> = VecDeque::new();
    for op in ops {
        match op {
            Op::Push(head, v) => {
                if head {
                    l.push(End::Head, &v);
                    m.push_front(v);
                } else {
                    l.push(End::Tail, &v);
                    m.push_back(v);
                }
            }
            Op::Pop(head) => {
                let (got, want) = if head {
                    (l.pop(End::Head), m.pop_front())
                } else {
                    (l.pop(End::Tail), m.pop_back())
                };
                assert_eq!(got.map(Element::into_vec), want);
            }
            Op::PopMany(head, n) => {
                let mut got = Vec::new();
                let end = if head { End::Head } else { End::Tail };
                let k = l.pop_many(end, n, |e| got.push(e.to_vec()));
                let want: Vec<Vec<u8>> = (0..n)
                    .map_while(|_| if head { m.pop_front() } else { m.pop_back() })
                    .collect();
                assert_eq!(k, want.len());
                assert_eq!(got, want);
            }
            Op::Set(i, v) => {
                let ok = l.set(i, &v);
                match model_index(m.len(), i) {
                    Some(i) => {
                        assert!(ok);
                        m[i] = v;
                    }
                    None => assert!(!ok),
                }
            }
            Op::Insert(p, v, after) => {
                let ok = l.insert(&p, &v, after);
                match m.iter().position(|x| *x == p) {
                    Some(i) => {
                        assert!(ok);
                        m.insert(if after { i + 1 } else { i }, v);
                    }
                    None => assert!(!ok),
                }
            }
            Op::Remove(v, c) => {
                let got = l.remove(&v, c);
                let limit = if c == 0 {
                    usize::MAX
                } else {
                    c.unsigned_abs() as usize
                };
                let mut removed = 0;
                if c >= 0 {
                    let mut i = 0;
                    while i < m.len() && removed < limit {
                        if m[i] == v {
                            m.remove(i);
                            removed += 1;
                        } else {
                            i += 1;
                        }
                    }
                } else {
                    let mut i = m.len();
                    while i > 0 && removed < limit {
                        i -= 1;
                        if m[i] == v {
                            m.remove(i);
                            removed += 1;
                        }
                    }
                }
                assert_eq!(got, removed);
            }
            Op::Trim(a, b) => {
                l.trim(a, b);
                m = match range_bounds(m.len(), a, b) {
                    None => VecDeque::new(),
                    Some((a, b)) => m.range(a..=b).cloned().collect(),
                };
            }
            Op::Get(i) => {
                let got = l.get(i).map(Elem::to_vec);
                let want = model_index(m.len(), i).map(|i| m[i].clone());
                assert_eq!(got, want);
            }
            Op::Range(s, rev) => {
                let got: Vec<Vec<u8>> = l.iter_from(s, rev).map(Elem::to_vec).collect();
                let want: Vec<Vec<u8>> = if s >= m.len() {
                    vec![]
                } else if rev {
                    m.range(..=s).rev().cloned().collect()
                } else {
                    m.range(s..).cloned().collect()
                };
                assert_eq!(got, want);
            }
            Op::Pos(v, rank, count, maxlen) => {
                let got = l.positions(&v, rank, count, maxlen);
                let n = m.len();
                let scan = if maxlen == 0 { n } else { maxlen.min(n) };
                let idx: Vec<usize> = if rank < 0 {
                    (0..n).rev().take(scan).collect()
                } else {
                    (0..n).take(scan).collect()
                };
                let mut want = Vec::new();
                let mut seen = 0;
                for i in idx {
                    if m[i] == v {
                        seen += 1;
                        if seen >= rank.unsigned_abs() {
                            want.push(i);
                            if count != 0 && want.len() >= count {
                                break;
                            }
                        }
                    }
                }
                assert_eq!(got, want);
            }
        }
        l.check();
        assert_eq!(l.len(), m.len());
        assert_eq!(strings(&l), m.iter().cloned().collect::<Vec<_>>());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn matches_model_small_nodes(
        bytes in prop_oneof![Just(24usize), Just(64), Just(300), Just(8192)],
        count in prop_oneof![Just(1usize), Just(2), Just(3), Just(usize::MAX)],
        ops in proptest::collection::vec(op(), 1..120),
    ) {
        run(List::with_fill(bytes, count), ops);
    }

    #[test]
    fn matches_model_config_fills(
        fill in prop_oneof![Just(-1i32), Just(-2), Just(0), Just(1), Just(4), Just(16)],
        ops in proptest::collection::vec(op(), 1..120),
    ) {
        run(List::new(fill), ops);
    }
}

#[test]
fn plain_elements_live_alone_below_the_packed_threshold() {
    // Other tests use either small elements or ones far above this size, which are alone in
    // their nodes anyway, so lowering the process-wide threshold here cannot disturb them.
    assert!(!set_packed_threshold(1 << 32));
    assert!(set_packed_threshold(1000));
    let mut l = List::new(-1);
    let plain = vec![b'p'; 1500];
    l.push(End::Tail, b"a");
    l.push(End::Tail, &plain);
    l.push(End::Tail, b"b");
    l.push(End::Head, &plain);
    // Without the threshold all four fit one 4 KiB node.
    assert_eq!(l.node_count(), 4);
    assert!(l.set(1, &plain));
    assert!(l.insert(b"b", b"c", true));
    // [p] [p] [p] [b c]: the small ones still share.
    assert_eq!(l.node_count(), 4);
    let items: Vec<Vec<u8>> = l.iter().map(|e| e.to_vec()).collect();
    assert_eq!(
        items,
        [
            plain.clone(),
            plain.clone(),
            plain.clone(),
            b"b".to_vec(),
            b"c".to_vec()
        ]
    );
    assert!(set_packed_threshold(0));
    l.push(End::Tail, &plain);
    assert_eq!(
        l.node_count(),
        4,
        "the default threshold packs it beside b and c"
    );
}
