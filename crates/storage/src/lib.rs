//! Data types and keyspace tables of ferrodis as pure Rust.
pub mod glob;
pub mod lcs;
pub mod num;
pub mod shard;
pub mod small;
pub mod table;
pub mod value;
pub mod list;
pub mod hash;
pub mod set;
pub mod zset;
