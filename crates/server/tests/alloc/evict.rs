//! Eviction finds its candidates: with a volatile policy, the one key with a TTL among many
//! without goes at the next command, as Redis samples its keys with a TTL.

use crate::common::{start, Conn};
#[tokio::test]
async fn a_lone_volatile_key_is_evicted_at_the_next_command() {
    let srv = start("maxmemory-policy volatile-random").await;
    let mut c = Conn::connect(srv.addr).await;
    for i in 0..2000 {
        c.run(&format!("SET plain:{i} v")).await;
    }
    assert_eq!(c.run("SETEX lone 1000 v").await, "OK");
    // Far over the limit from now on: every command evicts what the policy allows first.
    assert_eq!(c.run("CONFIG SET maxmemory 1").await, "OK");
    assert_eq!(c.run("EXISTS lone").await, "(integer) 0");
    assert_eq!(c.run("DBSIZE").await, "(integer) 2000");
    assert_eq!(c.run("CONFIG SET maxmemory 0").await, "OK");
}
