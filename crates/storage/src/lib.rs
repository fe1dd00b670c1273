//! Data types and keyspace tables of ferrodis as pure Rust.
pub mod bitmap;
pub mod geo;
pub mod glob;
pub mod hash;
pub mod hll;
pub mod lcs;
pub mod lfu;
pub mod list;
pub mod listpack;
pub mod set;
pub mod shard;
pub mod small;
pub mod stream;
pub mod table;
pub mod value;
pub mod varint;
pub mod zset;
