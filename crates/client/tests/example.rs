//! The seed program, `examples/hello.rs`, run as the compiled example against ferrodis-server
//! and against Debian's redis-server: it must print mini-redis's line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;

/// The example binary cargo builds beside the test binaries (`target/<profile>/examples`).
fn example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    profile_dir.join("examples").join("hello")
}

fn run_against(addr: &str) -> String {
    let out = Command::new(example())
        .arg(addr)
        .output()
        .expect("the hello example is built by cargo test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const EXPECTED: &str = "got value from the server; result=Some(b\"world\")\n";

#[tokio::test(flavor = "multi_thread")]
async fn hello_prints_the_value_from_ferrodis() {
    let server = common::ferrodis("").await;
    let addr = server.addr.to_string();
    let printed = tokio::task::spawn_blocking(move || run_against(&addr))
        .await
        .unwrap();
    assert_eq!(printed, EXPECTED);
}

#[test]
fn hello_prints_the_value_from_redis() {
    let redis = common::redis(&[]);
    assert_eq!(run_against(&redis.addr.to_string()), EXPECTED);
}
