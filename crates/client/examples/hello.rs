//! mini-redis's hello-world, unchanged but for the crate name and the address,
//! which comes from the first argument or `FERRODIS_ADDR` (default 127.0.0.1:6379).

use ferrodis::{client, Result};

#[tokio::main]
async fn main() -> Result<()> {
    let addr = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("FERRODIS_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:6379".to_string());
    let mut client = client::connect(addr).await?;
    client.set("hello", "world".into()).await?;
    let result = client.get("hello").await?;
    println!("got value from the server; result={:?}", result);
    Ok(())
}
