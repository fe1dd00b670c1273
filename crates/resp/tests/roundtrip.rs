//! Property tests: frame and request round trips, and decoding that is independent of
//! how the input is split across reads.

#![allow(clippy::unwrap_used)]

use bytes::{Bytes, BytesMut};
use proptest::collection::vec;
use proptest::prelude::*;
use resp::{
    decode_frame, decode_frame_bytes, encode_request, Frame, Limits, ProtocolError, Request,
    RequestDecoder,
};

fn bytes_strategy() -> impl Strategy<Value = Bytes> {
    vec(any::<u8>(), 0..24).prop_map(Bytes::from)
}

/// Text for simple strings, errors and the like: anything but CR and LF.
fn line_strategy() -> impl Strategy<Value = Bytes> {
    vec(
        any::<u8>().prop_filter("no CR/LF", |c| *c != b'\r' && *c != b'\n'),
        0..16,
    )
    .prop_map(Bytes::from)
}

fn leaf_strategy() -> impl Strategy<Value = Frame> {
    prop_oneof![
        line_strategy().prop_map(Frame::Simple),
        line_strategy().prop_map(Frame::Error),
        any::<i64>().prop_map(Frame::Integer),
        bytes_strategy().prop_map(Frame::Bulk),
        Just(Frame::Null),
        Just(Frame::NullArray),
        any::<f64>()
            .prop_filter("NaN is not equal to itself", |v| !v.is_nan())
            .prop_map(Frame::Double),
        (any::<bool>(), vec(0u8..10, 1..30)).prop_map(|(neg, digits)| {
            let mut text = if neg { b"-".to_vec() } else { Vec::new() };
            text.extend(digits.iter().map(|d| b'0' + d));
            Frame::BigNumber(Bytes::from(text))
        }),
        any::<bool>().prop_map(Frame::Boolean),
        (any::<[u8; 3]>(), bytes_strategy())
            .prop_map(|(format, data)| Frame::Verbatim { format, data }),
        bytes_strategy().prop_map(Frame::BlobError),
    ]
}

/// Frames of every kind. Attributes appear only at the top level, since nested ones are
/// dropped by the decoder by design.
fn frame_strategy() -> impl Strategy<Value = Frame> {
    let nested = leaf_strategy().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Frame::Array),
            vec(inner.clone(), 0..6).prop_map(Frame::Set),
            vec(inner.clone(), 0..6).prop_map(Frame::Push),
            vec((inner.clone(), inner), 0..4).prop_map(Frame::Map),
        ]
    });
    prop_oneof![
        4 => nested.clone(),
        1 => vec((nested.clone(), nested), 0..3).prop_map(Frame::Attribute),
    ]
}

fn args_strategy() -> impl Strategy<Value = Vec<Bytes>> {
    vec(vec(any::<u8>(), 0..40).prop_map(Bytes::from), 1..8)
}

/// Feeds `wire` to a fresh decoder in the given chunk sizes, collecting every request
/// (or the first error) it reports.
fn decode_chunked(wire: &[u8], chunks: &[usize]) -> (Vec<Request>, Option<ProtocolError>) {
    let mut decoder = RequestDecoder::new();
    let mut buf = BytesMut::new();
    let mut requests = Vec::new();
    let mut offset = 0;
    let mut sizes = chunks.iter().copied().cycle();
    while offset < wire.len() {
        let size = sizes.next().unwrap_or(1).max(1);
        let end = (offset + size).min(wire.len());
        buf.extend_from_slice(&wire[offset..end]);
        offset = end;
        loop {
            match decoder.decode(&mut buf, &Limits::default()) {
                Ok(Some(request)) => requests.push(request),
                Ok(None) => break,
                Err(e) => return (requests, Some(e)),
            }
        }
    }
    (requests, None)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn frame_round_trip(frame in frame_strategy()) {
        let wire = frame.to_bytes();
        let (decoded, used) = decode_frame(&wire).unwrap().unwrap();
        prop_assert_eq!(&decoded, &frame);
        prop_assert_eq!(used, wire.len());
        let mut buf = BytesMut::from(&wire[..]);
        buf.extend_from_slice(b"+next\r\n");
        prop_assert_eq!(decode_frame_bytes(&mut buf).unwrap().unwrap(), frame);
        prop_assert_eq!(&buf[..], b"+next\r\n");
    }

    #[test]
    fn frame_prefixes_are_incomplete(frame in frame_strategy()) {
        let wire = frame.to_bytes();
        for cut in 0..wire.len() {
            prop_assert_eq!(decode_frame(&wire[..cut]), Ok(None));
        }
    }

    #[test]
    fn frame_decoder_never_panics(garbage in vec(any::<u8>(), 0..64)) {
        let _ = decode_frame(&garbage);
        let mut buf = BytesMut::from(&garbage[..]);
        let _ = decode_frame_bytes(&mut buf);
    }

    #[test]
    fn request_round_trip(pipeline in vec(args_strategy(), 1..5), chunk in 1usize..50) {
        let mut wire = BytesMut::new();
        for args in &pipeline {
            encode_request(args, &mut wire);
        }
        let (whole, err) = decode_chunked(&wire, &[wire.len()]);
        prop_assert!(err.is_none());
        let whole: Vec<Vec<Bytes>> = whole.into_iter().map(Request::into_args).collect();
        prop_assert_eq!(&whole, &pipeline);
        let (chunked, err) = decode_chunked(&wire, &[chunk, 1, chunk * 3]);
        prop_assert!(err.is_none());
        let chunked: Vec<Vec<Bytes>> = chunked.into_iter().map(Request::into_args).collect();
        prop_assert_eq!(chunked, pipeline);
    }

    /// Arbitrary bytes (biased towards protocol characters) decode to the same requests
    /// and the same error however the input is split.
    #[test]
    fn request_decoding_is_split_independent(
        wire in vec(prop_oneof![
            Just(b'*'), Just(b'$'), Just(b'\r'), Just(b'\n'), Just(b' '), Just(b'"'),
            Just(b'\''), Just(b'\\'), Just(b'-'), b'0'..=b'3', Just(b'x'),
        ], 0..80),
        chunks in vec(1usize..10, 1..4),
    ) {
        let whole = decode_chunked(&wire, &[wire.len().max(1)]);
        let split = decode_chunked(&wire, &chunks);
        prop_assert_eq!(whole, split);
    }
}

/// A pipeline mixing multibulk, inline, quoted, and empty-line commands decodes the same
/// when fed byte by byte or split at any single offset.
#[test]
fn mixed_pipeline_split_at_every_offset() {
    let mut wire = BytesMut::new();
    encode_request(&["SET", "key", "va\r\nlue"], &mut wire);
    wire.extend_from_slice(b"\r\n");
    wire.extend_from_slice(b"GET \"key\" 'x\\'y' \"\\x41\\n\"\r\n");
    wire.extend_from_slice(b"*0\r\n*-1\r\n");
    encode_request(&[""; 3], &mut wire);
    wire.extend_from_slice(b"\n   \nPING\n");
    let expected: Vec<Vec<&[u8]>> = vec![
        vec![b"SET", b"key", b"va\r\nlue"],
        vec![b"GET", b"key", b"x'y", b"A\n"],
        vec![b"", b"", b""],
        vec![b"PING"],
    ];
    let as_vecs = |requests: Vec<Request>| -> Vec<Vec<Vec<u8>>> {
        requests
            .into_iter()
            .map(|r| r.args().iter().map(|a| a.to_vec()).collect())
            .collect()
    };
    let expected: Vec<Vec<Vec<u8>>> = expected
        .into_iter()
        .map(|args| args.into_iter().map(<[u8]>::to_vec).collect())
        .collect();

    let (byte_by_byte, err) = decode_chunked(&wire, &[1]);
    assert!(err.is_none());
    assert_eq!(as_vecs(byte_by_byte), expected);

    for cut in 0..=wire.len() {
        let mut decoder = RequestDecoder::new();
        let mut buf = BytesMut::from(&wire[..cut]);
        let mut got = Vec::new();
        while let Some(r) = decoder.decode(&mut buf, &Limits::default()).unwrap() {
            got.push(r);
        }
        buf.extend_from_slice(&wire[cut..]);
        while let Some(r) = decoder.decode(&mut buf, &Limits::default()).unwrap() {
            got.push(r);
        }
        assert!(buf.is_empty(), "cut {cut}");
        assert_eq!(as_vecs(got), expected, "cut {cut}");
    }
}

/// A large bulk argument arriving in 64 KiB reads is located without copying and
/// the decoder reports how much is still missing so the caller can reserve once.
#[test]
fn large_bulk_in_chunks() {
    let payload = vec![b'z'; 8 * 1024 * 1024];
    let mut wire = BytesMut::new();
    encode_request(&[&b"SET"[..], b"k", &payload], &mut wire);
    let mut decoder = RequestDecoder::new();
    let mut buf = BytesMut::new();
    let mut request = None;
    let mut reserved = false;
    for chunk in wire.chunks(64 * 1024) {
        buf.extend_from_slice(chunk);
        if let Some(r) = decoder.decode(&mut buf, &Limits::default()).unwrap() {
            request = Some(r);
        } else if let Some(missing) = decoder.missing_bulk_bytes(&buf) {
            if !reserved {
                assert_eq!(
                    missing + buf.len() - decoder.parsed_len(),
                    payload.len() + 2
                );
                buf.reserve(missing);
                reserved = true;
            }
        }
    }
    let request = request.unwrap();
    assert_eq!(request.len(), 3);
    assert_eq!(request.args[2].len(), payload.len());
    assert!(buf.is_empty());
}

/// A million-argument command arriving in small pieces completes quickly, which it
/// would not if each call rescanned from the start.
#[test]
fn huge_argument_count_in_pieces() {
    let n = 1_000_000;
    let mut wire = BytesMut::new();
    wire.extend_from_slice(format!("*{n}\r\n").as_bytes());
    for _ in 0..n {
        wire.extend_from_slice(b"$1\r\na\r\n");
    }
    let (requests, err) = decode_chunked(&wire, &[4096]);
    assert!(err.is_none());
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].len(), n);
}
