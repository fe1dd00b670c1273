//! What a handler works with: the shared state, its client, the reply buffer, the command's
//! time and its effects; and the small argument helpers every family uses.

use bytes::Bytes;
use storage::shard::Shard;

use crate::base::changes::Effects;
use crate::base::error::{CmdError, CmdResult};
use crate::base::reply::Out;
use crate::command::Table;
use crate::keyspace::{Locked, MultiLock};
use crate::state::client::Client;
use crate::state::State;
/// What a handler works with.
pub struct Ctx<'a> {
    /// The server's shared state.
    pub srv: &'a State,
    /// The command table (COMMAND, INFO commandstats, CLIENT LIST's last command).
    pub table: &'a Table,
    /// The calling client.
    pub client: &'a mut Client,
    /// Where the reply goes.
    pub out: &'a mut Out,
    /// The time of this command, in Unix milliseconds (fixed for its whole execution).
    pub now: u64,
    /// What the command changed, and what reproduces it (the change stream).
    pub fx: &'a Effects<'a>,
}

impl<'a> Ctx<'a> {
    /// Whether the entry at `index` of `shard` (of the selected database, locked by the caller)
    /// has expired, removing it if so: for the commands that walk shards themselves.
    pub fn expired(&self, shard: &mut Shard, index: usize) -> bool {
        let (db, now) = (self.client.db, self.now);
        self.srv
            .keyspace
            .expire_if_due(db, shard, index, now, self.fx)
    }

    /// Emits a keyspace notification for `key` in the selected database.
    #[inline]
    pub fn notify(&self, class: u32, event: &str, key: &[u8]) {
        self.srv
            .keyspace
            .notify
            .emit(class, event, key, self.client.db);
    }

    /// Locks `key` in the selected database. The lock does not borrow the context, so the
    /// handler can write its reply while holding it.
    #[inline]
    pub fn key<'k>(&self, key: &'k [u8]) -> Locked<'k>
    where
        'a: 'k,
    {
        let srv: &'a State = self.srv;
        srv.keyspace.key(self.client.db, key, self.now, self.fx)
    }

    /// Locks the shards of several keys, each in its database (see `Keyspace::keys`).
    pub fn keys(&self, keys: &[(usize, &[u8])]) -> MultiLock<'a> {
        self.srv.keyspace.keys(keys, self.fx)
    }

    /// Counts `n` changes made without a key handle's `changed` (or beyond the one it counts),
    /// for commands that count as Redis does: one per element, per group, per flushed key.
    pub fn count_changes(&self, n: u64) {
        self.fx.changed(&self.srv.keyspace.changes, n);
    }

    /// Makes this command propagate `argv` (in the selected database) instead of its own
    /// arguments; several calls propagate several commands, as one transaction. `argv` is
    /// built only when the change stream is being recorded.
    pub fn propagate(&self, argv: impl FnOnce() -> Vec<Bytes>) {
        if self.fx.recording() {
            self.fx.propagate(self.client.db, argv());
        }
    }
}

/// Parses an integer argument.
pub fn int_arg(a: &[u8]) -> Result<i64, CmdError> {
    strnum::parse_i64(a).ok_or(CmdError::NotInteger)
}

/// Checks for an exact, case-insensitive keyword.
#[inline]
pub fn is(a: &[u8], word: &str) -> bool {
    a.eq_ignore_ascii_case(word.as_bytes())
}

/// The value paired with the keyword `a` (compared as [`is`] does) in `choices`, or a syntax
/// error: the one shape of every option word that selects one of a few values.
pub fn keyword<T: Copy>(a: &[u8], choices: &[(&str, T)]) -> Result<T, CmdError> {
    choices
        .iter()
        .find(|(word, _)| is(a, word))
        .map(|&(_, v)| v)
        .ok_or(CmdError::Syntax)
}

/// The result of a handler that only wants to report success.
pub fn ok(ctx: &mut Ctx<'_>) -> CmdResult {
    ctx.out.ok();
    Ok(())
}
