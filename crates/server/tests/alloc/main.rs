//! The integration tests that depend on the counting allocator (`used_memory`, which
//! `maxmemory` is checked against, and allocation-growth checks): a binary of their own, so that
//! the allocator counts only what they and their in-process servers do. The change-stream
//! property test is here for its eviction steps; it keeps a few small servers, far below what
//! the growth checks would notice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[global_allocator]
static ALLOC: ferrodis_server::base::alloc::Counting = ferrodis_server::base::alloc::Counting;

#[path = "../it/common/mod.rs"]
mod common;

mod changes;
mod evict;
mod hostile;
mod refusals;
