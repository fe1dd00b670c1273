//! Property tests of the codec: every value written reads back equal, and no input — random
//! bytes, or a valid payload or file cut short or changed anywhere — makes the reader panic or
//! allocate what the input does not hold.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rdb::file::{KeyMeta, Reader, Record};
use rdb::{dump, LoadLimits, Output};
use storage::hash::Hash;
use storage::list::{End, List};
use storage::set::Set;
use storage::stream::{Stream, StreamId};
use storage::value::Value;
use storage::zset::ZSet;

fn element() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (-100_000i64..100_000).prop_map(|n| n.to_string().into_bytes()),
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        proptest::collection::vec(any::<u8>(), 0..40),
        proptest::collection::vec(b'a'..=b'c', 60..300),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let elements = || proptest::collection::vec(element(), 1..200);
    prop_oneof![
        element().prop_map(|e| Value::from_bytes(&e)),
        elements().prop_map(|es| {
            let mut l = List::new(-2);
            for e in &es {
                l.push(End::Tail, e);
            }
            Value::List(Box::new(l))
        }),
        elements().prop_map(|es| {
            let mut s = Set::new();
            for e in &es {
                s.insert(e, 512);
            }
            Value::Set(Box::new(s))
        }),
        elements().prop_map(|es| {
            let mut h = Hash::new();
            for (i, e) in es.iter().enumerate() {
                h.set(e, i.to_string().as_bytes(), storage::listpack::Limits::HASH);
            }
            Value::Hash(Box::new(h))
        }),
        proptest::collection::vec((element(), -1e6f64..1e6), 1..200).prop_map(|es| {
            let mut z = ZSet::new();
            for (m, s) in &es {
                if !z.contains(m) {
                    z.insert_new(m, *s, &storage::listpack::Limits::ZSET);
                }
            }
            Value::ZSet(Box::new(z))
        }),
        proptest::collection::vec(proptest::collection::vec(element(), 2..6), 0..150).prop_map(
            |entries| {
                let mut s = Stream::new();
                for (i, fields) in entries.iter().enumerate() {
                    let n = fields.len() / 2 * 2;
                    s.log
                        .append(
                            StreamId::new(1 + i as u64 / 3, i as u64 % 3),
                            &fields[..n],
                            4096,
                            100,
                        )
                        .unwrap();
                }
                Value::Stream(Box::new(s))
            }
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn payloads_read_back_equal(v in value(), compress in any::<bool>()) {
        let p = dump::payload(&v, compress);
        prop_assert!(dump::verify(&p, false));
        prop_assert_eq!(dump::read(&p, &LoadLimits::default()).ok().flatten(), Some(v));
    }

    #[test]
    fn damaged_payloads_never_panic(v in value(), cut in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let p = dump::payload(&v, true);
        let body = p.len() - 10;
        let mut changed = p.clone();
        changed[at.index(body)] = byte;
        let _ = dump::read(&changed, &LoadLimits::default());
        let mut short = p[..cut.index(body)].to_vec();
        short.extend_from_slice(&p[body..]);
        let _ = dump::read(&short, &LoadLimits::default());
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut p = bytes.clone();
        p.extend_from_slice(&[10, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let _ = dump::read(&p, &LoadLimits::default());
        let mut file = b"REDIS0010".to_vec();
        file.extend_from_slice(&bytes);
        if let Ok(mut r) = Reader::new(&file[..], LoadLimits::default()) {
            for _ in 0..1000 {
                match r.record() {
                    Ok(Record::End) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        }
    }

    #[test]
    fn files_read_back_every_key(values in proptest::collection::vec(value(), 1..8)) {
        let mut out = Output::new(Vec::new(), true);
        rdb::file::write_header(&mut out, &[("redis-ver", b"7.0.15")]).unwrap();
        rdb::file::write_db(&mut out, 0, values.len() as u64, 1).unwrap();
        for (i, v) in values.iter().enumerate() {
            let meta = KeyMeta { expire_ms: (i == 0).then_some(1_800_000_000_000), ..KeyMeta::default() };
            rdb::file::write_key(&mut out, format!("k{i}").as_bytes(), v, meta).unwrap();
        }
        rdb::file::write_end(&mut out, true).unwrap();
        let bytes = out.into_inner();
        let mut r = Reader::new(&bytes[..], LoadLimits::default()).unwrap();
        let mut got = Vec::new();
        loop {
            match r.record().unwrap() {
                Record::End => break,
                Record::Key { value, meta, .. } => got.push((value, meta.expire_ms)),
                _ => {}
            }
        }
        r.finish(false).unwrap();
        prop_assert_eq!(got.len(), values.len());
        for (i, ((v, exp), want)) in got.into_iter().zip(values).enumerate() {
            prop_assert_eq!(v, Some(want));
            prop_assert_eq!(exp.is_some(), i == 0);
        }
    }
}
