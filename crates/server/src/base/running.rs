//! The client a command runs for, as the registries the key handle notifies see it: its id, and
//! the client-side-caching invalidations held for its own reply. The dispatcher makes one per
//! command and hands it down with the command's effects, so no per-command state lives in a
//! thread-local.

use std::cell::{Cell, RefCell};

use bytes::Bytes;

/// See the module documentation.
#[derive(Debug, Default)]
pub struct Running {
    /// The client's id.
    pub id: u64,
    /// Invalidations for this client, in order (`None`: everything), written into its reply
    /// buffer so that their order against its replies is Redis's.
    pub pending: RefCell<Vec<Option<Bytes>>>,
    /// A flush already told every client during this command (FLUSHALL empties each database
    /// in turn but sends one message).
    pub flushed: Cell<bool>,
}

impl Running {
    /// A command of client `id`.
    pub fn new(id: u64) -> Self {
        Running {
            id,
            ..Running::default()
        }
    }
}
