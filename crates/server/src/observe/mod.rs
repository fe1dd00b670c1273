//! Registries the key handle notifies on every change: clients blocked on keys, WATCHed keys,
//! pub/sub and keyspace notifications, client-side caching. They hold clients' handles and
//! key names, never values; the keyspace calls them, they never call the keyspace.

pub mod blocking;
pub mod pubsub;
pub mod tracking;
pub mod watch;
