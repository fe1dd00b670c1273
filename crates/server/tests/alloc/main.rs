//! The integration tests that depend on the counting allocator (`used_memory`, which
//! `maxmemory` is checked against, and allocation-growth checks): a binary of their own, so that
//! the allocator counts only what they and their in-process servers do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[global_allocator]
static ALLOC: ferrodis_server::alloc::Counting = ferrodis_server::alloc::Counting;

#[path = "../it/common/mod.rs"]
mod common;

mod evict;
mod hostile;
mod refusals;
