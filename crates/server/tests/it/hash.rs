//! Data-driven tests of the hash family, run in-process without sockets: each case is a command
//! line and the reply it must produce, rendered the way redis-cli shows it (RESP3 maps as
//! `{k => v}`), plus a few scripted checks (HSCAN loops, HRANDFIELD distributions).

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;
use resp::Frame;

/// The common session, with replies rendered as this file's cases spell RESP3 maps.
struct Session(crate::common::Session);

impl Session {
    fn new() -> Self {
        Session(crate::common::Session::new())
    }

    /// Runs one command given as arguments and returns its reply frame.
    fn call(&mut self, args: &[&[u8]]) -> Frame {
        self.0.call(args)
    }

    /// Runs one command line (split on spaces) and renders its reply.
    fn run(&mut self, line: &str) -> String {
        let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        render(&self.call(&args))
    }

    fn check(&mut self, cases: &[(&str, &str)]) {
        for (cmd, want) in cases {
            assert_eq!(self.run(cmd), *want, "command: {cmd}");
        }
    }
}

fn render(f: &Frame) -> String {
    match f {
        Frame::Array(items) | Frame::Set(items) => {
            let inner: Vec<String> = items.iter().map(render).collect();
            format!("[{}]", inner.join(", "))
        }
        Frame::Map(pairs) => {
            let inner: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{} => {}", render(k), render(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        other => crate::common::render(other),
    }
}

fn check(cases: &[(&str, &str)]) {
    Session::new().check(cases);
}

fn strings(f: &Frame) -> Vec<String> {
    match f {
        Frame::Array(items) => items
            .iter()
            .map(|i| match i {
                Frame::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                other => render(other),
            })
            .collect(),
        other => panic!("not an array: {other:?}"),
    }
}

#[test]
fn basics() {
    check(&[
        ("HSET h a 1 b 2", "(integer) 2"),
        ("HSET h a 10 c 3", "(integer) 1"),
        ("HGET h a", "\"10\""),
        ("HGET h nofield", "(nil)"),
        ("HGET nokey a", "(nil)"),
        ("HMGET h a nofield c", "[\"10\", (nil), \"3\"]"),
        ("HMGET nokey a b", "[(nil), (nil)]"),
        ("HLEN h", "(integer) 3"),
        ("HLEN nokey", "(integer) 0"),
        ("HEXISTS h b", "(integer) 1"),
        ("HEXISTS h z", "(integer) 0"),
        ("HEXISTS nokey z", "(integer) 0"),
        ("HSTRLEN h a", "(integer) 2"),
        ("HSTRLEN h z", "(integer) 0"),
        ("HKEYS h", "[\"a\", \"b\", \"c\"]"),
        ("HVALS h", "[\"10\", \"2\", \"3\"]"),
        ("HGETALL h", "[\"a\", \"10\", \"b\", \"2\", \"c\", \"3\"]"),
        ("HGETALL nokey", "[]"),
        ("HKEYS nokey", "[]"),
        ("HSETNX h a x", "(integer) 0"),
        ("HSETNX h d 4", "(integer) 1"),
        ("HSETNX fresh f v", "(integer) 1"),
        ("HGET fresh f", "\"v\""),
        ("HMSET h e 5 f 6", "OK"),
        ("HDEL h a z", "(integer) 1"),
        ("HDEL nokey a", "(integer) 0"),
        ("HDEL h b c d e f", "(integer) 5"),
        ("EXISTS h", "(integer) 0"),
        ("TYPE fresh", "hash"),
        ("OBJECT ENCODING fresh", "\"listpack\""),
        ("HSET e f \"\"", "(integer) 1"),
        ("HSTRLEN e f", "(integer) 2"),
    ]);
}

#[test]
fn errors() {
    check(&[
        ("SET s v", "OK"),
        (
            "HSET h a",
            "(error) ERR wrong number of arguments for 'hset' command",
        ),
        (
            "HSET h a 1 b",
            "(error) ERR wrong number of arguments for 'hset' command",
        ),
        (
            "HMSET h a 1 b",
            "(error) ERR wrong number of arguments for 'hmset' command",
        ),
        ("EXISTS h", "(integer) 0"),
        (
            "HSET s a 1",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "HGET s a",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "HMGET s a",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "HDEL s a",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "HGETALL s",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "HINCRBY s a 1",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "HRANDFIELD s",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "HRANDFIELD s 0",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "HSCAN s 0",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "HLEN s",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
    ]);
}

#[test]
fn counters() {
    check(&[
        ("HINCRBY h n 2", "(integer) 2"),
        ("HINCRBY h n -5", "(integer) -3"),
        ("HGET h n", "\"-3\""),
        (
            "HINCRBY h n 1.5",
            "(error) ERR value is not an integer or out of range",
        ),
        ("HSET h s 1x", "(integer) 1"),
        (
            "HINCRBY h s 1",
            "(error) ERR hash value is not an integer",
        ),
        (
            "HINCRBYFLOAT h s 1",
            "(error) ERR hash value is not a float",
        ),
        ("HSET h big -9223372036854775484", "(integer) 1"),
        ("HINCRBY h big -1", "(integer) -9223372036854775485"),
        (
            "HINCRBY h big -10000",
            "(error) ERR increment or decrement would overflow",
        ),
        ("HSET h max 9223372036854775807", "(integer) 1"),
        (
            "HINCRBY h max 1",
            "(error) ERR increment or decrement would overflow",
        ),
        ("HINCRBYFLOAT f x 10.5", "\"10.5\""),
        ("HINCRBYFLOAT f x 0.1", "\"10.6\""),
        ("HINCRBYFLOAT f y 1.23", "\"1.23\""),
        ("HINCRBYFLOAT f y 0.77", "\"2\""),
        ("HINCRBYFLOAT f y -0.1", "\"1.9\""),
        ("HSET f i 17179869184", "(integer) 1"),
        ("HINCRBYFLOAT f i 17179869184", "\"34359738368\""),
        ("HINCRBYFLOAT f y 5.0e3", "\"5001.89999999999999991\""),
        (
            "HINCRBYFLOAT f y abc",
            "(error) ERR value is not a valid float",
        ),
        (
            "HINCRBYFLOAT f y nan",
            "(error) ERR value is not a valid float",
        ),
        (
            "HINCRBYFLOAT hfoo field +inf",
            "(error) ERR value is NaN or Infinity",
        ),
        ("EXISTS hfoo", "(integer) 0"),
        ("HINCRBYFLOAT g x 1e4932", "\"1000000000000000000006018949387963891323837774254533114773785041352533019486608722407533327779433142773666525563666277682061860906440460336623416164931097542108653623739947237824273607755646282077337746770628281083461244709457643633409272844851420914666765408339856497738306756454137037618440476182982865954054046320908299555942321302503320602080070208203623921079151881460203745014774931620490030394998719312614654064081373493248877120892455186383753439197870978041502797716880193955403107721911638646256939484197293128160329482360996995779489224859264034146949087194820794222433687849284561987230134006305414553626323614864479565079390052761980633463640128979696615362545507608303960553830866145592644372289102918602696741767741297153998359263135897985849697638678310586803720024647593066044070323761747439375151949994191528876172274034561238465689530914002496208547488452249219821049217690359246594326188537200846025476936856707726986425804304053688317572380292690880454677852210458790733177421098965346383845533016192965653377533421097553773202105452559589360227732550843545717469715211293029277100649951579279463212875228768700827274629951331584994203243708412190948315614798641721054158397351395747758548328754270534225721361640356227816080094892433366902417454242382629232277544026609640255325557814321580325340352330660617642326696140257239552549121071985189443846777623334881929189773707008403466595204838733621633273383631944856989484138444978386656058755310848833689791896484998847550364264104800800578245511762594691161545730891319744107953897993101008217601269310629890308357893793344340072837782716410520818640099771094401772024731084835860689936533035726854175396195351768096519310944631445923638053214575993378468775292865871435742249777979822775014324475845899615096380079899099538453121043851821349178371736640702645304284254885437611441690360616466368202194307769462209963387690446576691969551571041941288302648912827345194286271122230347823246073498285153708579500062656222714954113329293953346495615947784091175883554988117167387650681525781361864450364992605079129770604793291076559668041153558254765774288831330658676910296506538343982699076824147706077401185501337053676875440863113630172067902223837838525802181406003942606507609826320015193807633035586661539150425605940691768637845815434184585255915074081317250319572700370579877977177644345205933505850374212779064837146242765034714569464306865784829936445754893825213995710137567750342556762329137973387913047300554841737506800154984198686923965286147079273203561004647365286049876790788288301130050437207489067798842078443360167772245834103629301041345252122743437501935254370757049878526838283810705343010153283985958550741661374001212323172562230037290597675029278865489570268803618001520280748588481858632332145422181524500970533738858652881625738158955840469334830106366243262210429210258173978186522208306814207038831590332622155464159216193005478809313772661406449321989529908990407599717265354887081027622412165764793106246309910984757869627982700885055259900973567128498437782671492610351088858271463387495833021819318548705558606395846070390500323204636339383655528123657438115225035433947543876805317781492691295772410403746456774175666884503175504415270824258750305653788473882671038340481278188648013647450190431469737277008003041204693859153544058059108384516541261521127088116402349679151317227395183628490922161336429757386698401928682323657056924758648793848799822907606679071280964393541325129231682456669123450140879120137931548652537601508656209183486928384515842973760163601756230697826779237275078471824258664382133759876151537532598429521999758431018087001817485300919479583171049967781322202936864648780744025361452947117776701129210049872555316467204668470989130203733391349501708713181244068921199587314823974568234174792429139799088587794666528769986602820375968045445209219875596678877912103336949894142378173648692130854177898020194629670311101994938157038765957014792056173739623614871557317714453597336202068774935086409386414223375141765601758268418764114651053088281009248246110195084364468926837572992870110411414878770616397817334529367403238061699632089293543118185299881280463481800696201966723511922556078483839325067415562633057448408746541808590342228476964416681055875561781810005936328191844815915658719683522845979901018335050006246392027657149580332319739660376707180429166280658258434773362764563277134220525779869893832824866422909928484939374964071386248088592408142723646533801882861736205992781965360090000802821408763787641023437653119263757280212773694655213507075717622521160227187157631635583682130089364682543007292042009976150135189415923413244100006421082817394988300265734422677548100741829682842668334472314928702968616204691717366798642916146473018363370523427203416579250811577900985980957404830019403600361860520985937973506956557739754741783354728589350876379371163141086538418113791886622720\""),
        ("OBJECT ENCODING g", "\"hashtable\""),
    ]);
}

#[test]
fn encodings_follow_the_configuration() {
    check(&[
        ("CONFIG SET hash-max-listpack-entries 4", "OK"),
        ("HSET h a 1 b 2 c 3 d 4", "(integer) 4"),
        ("OBJECT ENCODING h", "\"listpack\""),
        ("HSET h e 5", "(integer) 1"),
        ("OBJECT ENCODING h", "\"hashtable\""),
        ("HDEL h a b c d", "(integer) 4"),
        ("OBJECT ENCODING h", "\"hashtable\""),
        ("HGETALL h", "[\"e\", \"5\"]"),
        ("CONFIG SET hash-max-ziplist-value 8", "OK"),
        ("HSET v f 12345678", "(integer) 1"),
        ("OBJECT ENCODING v", "\"listpack\""),
        ("HSET v f 123456789", "(integer) 0"),
        ("OBJECT ENCODING v", "\"hashtable\""),
        ("HSET k 123456789 v", "(integer) 1"),
        ("OBJECT ENCODING k", "\"hashtable\""),
        // HINCRBYFLOAT converts on the length of the value it writes.
        ("HSET small tmp 0", "(integer) 1"),
        ("HINCRBYFLOAT small tmp 0.000005", "\"0.000005\""),
        ("OBJECT ENCODING small", "\"listpack\""),
        ("HINCRBYFLOAT big tmp 0.0000005", "\"0.0000005\""),
        ("OBJECT ENCODING big", "\"hashtable\""),
        ("HGET big tmp", "\"0.0000005\""),
    ]);
}

#[test]
fn hrandfield_replies() {
    check(&[
        ("HRANDFIELD nokey", "(nil)"),
        ("HRANDFIELD nokey 100", "[]"),
        ("HRANDFIELD nokey -5 WITHVALUES", "[]"),
        ("HSET h a 1", "(integer) 1"),
        ("HRANDFIELD h", "\"a\""),
        ("HRANDFIELD h 0", "[]"),
        ("HRANDFIELD h 0 withvalues", "[]"),
        ("HRANDFIELD h 5", "[\"a\"]"),
        ("HRANDFIELD h 1 WITHVALUES", "[\"a\", \"1\"]"),
        ("HRANDFIELD h -3", "[\"a\", \"a\", \"a\"]"),
        ("HRANDFIELD h -2 withvalues", "[\"a\", \"1\", \"a\", \"1\"]"),
        (
            "HRANDFIELD h x",
            "(error) ERR value is not an integer or out of range",
        ),
        ("HRANDFIELD h 5 withvalues x", "(error) ERR syntax error"),
        ("HRANDFIELD h 5 novalues", "(error) ERR syntax error"),
        (
            "HRANDFIELD h -9223372036854775808",
            "(error) ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ),
        (
            "HRANDFIELD h -9223372036854775808 withvalues",
            "(error) ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ),
        (
            "HRANDFIELD h -9223372036854770000 withvalues",
            "(error) ERR value is out of range",
        ),
        (
            "HRANDFIELD h 9223372036854775807 withvalues",
            "(error) ERR value is out of range",
        ),
        // Redis would try to build this reply until memory ran out; it is refused instead.
        (
            "HRANDFIELD h -9223372036854775807",
            "(error) ERR value is out of range",
        ),
        ("HRANDFIELD h 9223372036854775807", "[\"a\"]"),
    ]);
}

#[test]
fn resp3_reply_shapes() {
    let mut s = Session::new();
    s.run("HELLO 3");
    s.check(&[
        ("HSET h a 1 b 2", "(integer) 2"),
        ("HGETALL h", "{\"a\" => \"1\", \"b\" => \"2\"}"),
        ("HGETALL nokey", "{}"),
        ("HKEYS h", "[\"a\", \"b\"]"),
        (
            "HRANDFIELD h 5 WITHVALUES",
            "[[\"a\", \"1\"], [\"b\", \"2\"]]",
        ),
        ("HRANDFIELD h 5", "[\"a\", \"b\"]"),
        ("HGET h z", "(nil)"),
        ("HRANDFIELD nokey", "(nil)"),
    ]);
    let f = s.call(&[b"HRANDFIELD", b"h", b"-3", b"WITHVALUES"]);
    let Frame::Array(items) = f else {
        panic!("array expected")
    };
    assert_eq!(items.len(), 3);
    for item in items {
        let Frame::Array(pair) = item else {
            panic!("pair expected")
        };
        assert_eq!(pair.len(), 2);
    }
}

/// Creates `n` fields `f0..` with values `v0..` in `key`.
fn fill(s: &mut Session, key: &str, n: usize) {
    for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
        let mut line = format!("HSET {key}");
        for i in chunk {
            line.push_str(&format!(" f{i} v{i}"));
        }
        s.run(&line);
    }
}

/// Runs a full HSCAN of `key` with extra arguments, returning the pairs and the number of calls.
fn full_scan(s: &mut Session, key: &str, extra: &[&str]) -> (BTreeMap<String, String>, usize) {
    let mut cursor = "0".to_string();
    let mut pairs = BTreeMap::new();
    let mut calls = 0;
    loop {
        let mut args: Vec<&[u8]> = vec![b"HSCAN", key.as_bytes(), cursor.as_bytes()];
        args.extend(extra.iter().map(|a| a.as_bytes()));
        let reply = s.call(&args);
        calls += 1;
        let Frame::Array(parts) = reply else {
            panic!("array expected, got {reply:?}")
        };
        let Frame::Bulk(next) = &parts[0] else {
            panic!("cursor expected")
        };
        let items = strings(&parts[1]);
        for kv in items.chunks(2) {
            pairs.insert(kv[0].clone(), kv[1].clone());
        }
        cursor = String::from_utf8(next.to_vec()).unwrap();
        if cursor == "0" {
            return (pairs, calls);
        }
        assert!(calls < 10_000, "scan does not terminate");
    }
}

#[test]
fn hscan() {
    let mut s = Session::new();
    s.check(&[
        ("HSCAN nokey 0", "[\"0\", []]"),
        ("HSCAN nokey 0 COUNT foo", "[\"0\", []]"),
        ("HSCAN nokey abc", "(error) ERR invalid cursor"),
        ("HSET small a 1 b 2 foo 3", "(integer) 3"),
        (
            "HSCAN small 0",
            "[\"0\", [\"a\", \"1\", \"b\", \"2\", \"foo\", \"3\"]]",
        ),
        // A compact hash is returned whole whatever the cursor and count.
        (
            "HSCAN small 12345 COUNT 1",
            "[\"0\", [\"a\", \"1\", \"b\", \"2\", \"foo\", \"3\"]]",
        ),
        (
            "HSCAN small -1",
            "[\"0\", [\"a\", \"1\", \"b\", \"2\", \"foo\", \"3\"]]",
        ),
        ("HSCAN small 0 MATCH f*", "[\"0\", [\"foo\", \"3\"]]"),
        (
            "HSCAN small 0 MATCH * COUNT 1",
            "[\"0\", [\"a\", \"1\", \"b\", \"2\", \"foo\", \"3\"]]",
        ),
        ("HSCAN small 0 COUNT 0", "(error) ERR syntax error"),
        (
            "HSCAN small 0 COUNT x",
            "(error) ERR value is not an integer or out of range",
        ),
        ("HSCAN small 0 TYPE string", "(error) ERR syntax error"),
        ("HSCAN small 0 MATCH", "(error) ERR syntax error"),
        ("HSCAN small 0 NOVALUES", "(error) ERR syntax error"),
        (
            "HSCAN small 18446744073709551616",
            "(error) ERR invalid cursor",
        ),
    ]);

    fill(&mut s, "big", 1000);
    assert_eq!(s.run("OBJECT ENCODING big"), "\"hashtable\"");
    let (pairs, calls) = full_scan(&mut s, "big", &[]);
    assert_eq!(pairs.len(), 1000);
    assert!(
        calls > 50,
        "a default COUNT of 10 takes many calls ({calls})"
    );
    for (f, v) in &pairs {
        assert_eq!(f[1..], v[1..]);
    }
    let (pairs, _) = full_scan(&mut s, "big", &["COUNT", "100", "MATCH", "f1*"]);
    let want: BTreeSet<String> = (0..1000)
        .map(|i| format!("f{i}"))
        .filter(|f| f.starts_with("f1"))
        .collect();
    assert_eq!(pairs.keys().cloned().collect::<BTreeSet<_>>(), want);
    let (pairs, calls) = full_scan(&mut s, "big", &["COUNT", "100000"]);
    assert_eq!((pairs.len(), calls), (1000, 1));
    // A cursor beyond any field hash ends the scan.
    assert_eq!(s.run("HSCAN big 18446744073709551615"), "[\"0\", []]");
    // An empty cursor is 0 (C's strtoul accepts it).
    assert_eq!(
        render(&s.call(&[b"HSCAN", b"small", b""])),
        "[\"0\", [\"a\", \"1\", \"b\", \"2\", \"foo\", \"3\"]]"
    );
}

#[test]
fn hscan_guarantee_under_changes() {
    let mut s = Session::new();
    fill(&mut s, "h", 600);
    let mut cursor = "0".to_string();
    let mut seen = BTreeSet::new();
    let mut round = 0;
    loop {
        let reply = s.call(&[b"HSCAN", b"h", cursor.as_bytes(), b"COUNT", b"7"]);
        let Frame::Array(parts) = reply else { panic!() };
        for kv in strings(&parts[1]).chunks(2) {
            seen.insert(kv[0].clone());
        }
        let Frame::Bulk(next) = &parts[0] else {
            panic!()
        };
        cursor = String::from_utf8(next.to_vec()).unwrap();
        // Grow and shrink the hash between calls so the table resizes under the scan.
        round += 1;
        if round % 2 == 1 {
            let mut line = "HSET h".to_string();
            for i in 0..300 {
                line.push_str(&format!(" x{round}-{i} v"));
            }
            s.run(&line);
        } else {
            let mut line = "HDEL h".to_string();
            for i in 0..300 {
                line.push_str(&format!(" x{}-{i}", round - 1));
            }
            s.run(&line);
        }
        if cursor == "0" {
            break;
        }
    }
    for i in 0..600 {
        assert!(seen.contains(&format!("f{i}")), "f{i} was missed");
    }
}

#[test]
fn hrandfield_sampling() {
    let mut s = Session::new();
    for (key, big) in [("small", false), ("big", true)] {
        fill(&mut s, key, 10);
        if big {
            s.run(&format!("HSET {key} {} x", "L".repeat(80)));
            s.run(&format!("HDEL {key} {}", "L".repeat(80)));
        }
        let enc = if big { "hashtable" } else { "listpack" };
        assert_eq!(
            s.run(&format!("OBJECT ENCODING {key}")),
            format!("\"{enc}\"")
        );
        // Negative counts repeat; the distribution is uniform (chi-square, df = 9).
        let picks = strings(&s.call(&[b"HRANDFIELD", key.as_bytes(), b"-1000"]));
        assert_eq!(picks.len(), 1000);
        let mut counts = BTreeMap::new();
        for p in &picks {
            *counts.entry(p.clone()).or_insert(0u32) += 1;
        }
        assert_eq!(counts.len(), 10);
        let chi: f64 = counts
            .values()
            .map(|&c| (c as f64 - 100.0).powi(2) / 100.0)
            .sum();
        assert!(chi < 40.0, "chi-square {chi} ({enc})");
        // Positive counts are distinct, the whole hash when asking for more.
        for (count, want) in [(2usize, 2usize), (8, 8), (10, 10), (20, 10)] {
            let c = count.to_string();
            let r = strings(&s.call(&[b"HRANDFIELD", key.as_bytes(), c.as_bytes()]));
            assert_eq!(r.len(), want);
            assert_eq!(r.iter().collect::<BTreeSet<_>>().len(), want);
            let r = strings(&s.call(&[b"HRANDFIELD", key.as_bytes(), c.as_bytes(), b"WITHVALUES"]));
            assert_eq!(r.len(), want * 2);
            for kv in r.chunks(2) {
                assert_eq!(kv[0][1..], kv[1][1..]);
            }
        }
    }
}

#[test]
fn binary_safe_fields_and_values() {
    let mut s = Session::new();
    let field: &[u8] = b"\x00\xff\r\n";
    let value: &[u8] = b"\r\n\x00";
    assert_eq!(
        render(&s.call(&[b"HSET", b"h", field, value])),
        "(integer) 1"
    );
    assert_eq!(
        s.call(&[b"HGET", b"h", field]),
        Frame::Bulk(Bytes::from_static(b"\r\n\x00"))
    );
    let long = vec![b'x'; 100_000];
    assert_eq!(
        render(&s.call(&[b"HSET", b"h", &long, &long])),
        "(integer) 1"
    );
    assert_eq!(s.run("OBJECT ENCODING h"), "\"hashtable\"");
    assert_eq!(s.run("HSTRLEN h x"), "(integer) 0");
    assert_eq!(s.call(&[b"HSTRLEN", b"h", &long]), Frame::Integer(100_000));
}
