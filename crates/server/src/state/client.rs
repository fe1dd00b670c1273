//! The state of one connection: selected database, transaction being queued, reply mode,
//! blocking and the other per-client settings commands change.

use std::sync::Arc;

use bytes::Bytes;
use quanta::Instant;

use crate::base::handle::ClientHandle;

/// What the connection does once a command has run: the one value the dispatcher hands back.
#[derive(Debug, Default)]
pub enum After {
    /// Go on with the next command.
    #[default]
    Next,
    /// Close once the pending replies are written (QUIT, CLIENT KILL of itself).
    Close,
    /// Start receiving every command, as MONITOR asked.
    Monitor,
    /// CLIENT PAUSE holds this command: run it again when the pause ends.
    Pause(Vec<Bytes>),
    /// The command blocked: wait for this reply.
    Block(Parked),
}

/// CLIENT REPLY mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyMode {
    /// Replies are sent.
    On,
    /// Replies are discarded.
    Off,
    /// The next command's reply is discarded.
    Skip,
}

/// State private to one connection.
#[derive(Debug)]
pub struct Client {
    /// What other clients see of this one.
    pub handle: Arc<ClientHandle>,
    /// Selected database.
    pub db: usize,
    /// Whether the client has authenticated (or no password is required).
    pub authenticated: bool,
    /// CLIENT REPLY mode.
    pub reply_mode: ReplyMode,
    /// CLIENT NO-TOUCH: reads do not refresh the access clock.
    pub no_touch: bool,
    /// What the connection does after this command (set by the command or the dispatcher,
    /// taken by the connection).
    pub after: After,
    /// The transaction being queued, after MULTI.
    pub multi: Option<MultiState>,
    /// Set while EXEC runs queued commands: they already hold the exclusive lock.
    pub in_exec: bool,
    /// The commands of a transaction EXEC just accepted, for the dispatcher to run.
    pub transaction: Option<Vec<Vec<Bytes>>>,
    /// Where messages pushed to this client go (pub/sub, MONITOR); `None` for clients without
    /// a connection.
    pub push: Option<tokio::sync::mpsc::UnboundedSender<Bytes>>,
    /// Set while a blocked client's command is re-run on its behalf.
    pub serving: bool,
    /// The client replays the change stream (loading an append-only file, a replication
    /// link): keys past their TTL are not expired by its commands but by the `DEL`s the stream
    /// carries, so that what it applies matches what was recorded.
    pub replaying: bool,
    /// Whether a blocking command may wait (false inside MULTI and scripts, where it acts as
    /// its non-blocking form). Handlers return `CmdError::Block` only when this is set.
    pub may_block: bool,
    /// When the next command starts: the end of the previous command of the same pipelined
    /// batch, or the moment the batch was read. One clock read then both ends a command and
    /// starts the next.
    pub next_start: Option<Instant>,
}

impl Client {
    /// State for a new connection.
    pub fn new(handle: Arc<ClientHandle>, authenticated: bool) -> Self {
        Client {
            handle,
            db: 0,
            authenticated,
            reply_mode: ReplyMode::On,
            no_touch: false,
            after: After::Next,
            next_start: None,
            multi: None,
            in_exec: false,
            transaction: None,
            push: None,
            serving: false,
            replaying: false,
            may_block: true,
        }
    }
}

/// A transaction being queued (between MULTI and EXEC).
#[derive(Debug, Default)]
pub struct MultiState {
    /// The queued commands.
    pub queue: Vec<Vec<Bytes>>,
    /// A command was refused while queueing: EXEC will abort with EXECABORT.
    pub aborted: bool,
    /// The union of the queued commands' flags (EXEC of a transaction holding a write is
    /// refused when out of memory).
    pub flags: u32,
    /// Memory the queue holds as Redis counts it (CLIENT LIST's `multi-mem`): each queued
    /// command's argument bytes plus a pointer per argument.
    pub mem: usize,
}

/// A parked client's side of the wait: the reply channel and when to give up.
#[derive(Debug)]
pub struct Parked {
    /// Receives the encoded reply when a key makes the command proceed (or CLIENT UNBLOCK).
    pub reply: tokio::sync::oneshot::Receiver<Bytes>,
    /// Unix milliseconds when to give up.
    pub deadline: Option<u64>,
    /// What to send on timeout.
    pub timeout_reply: Bytes,
}

/// The bytes of a command's arguments (CLIENT LIST's `argv-mem`).
pub fn argv_mem(args: &[Bytes]) -> usize {
    args.iter().map(|a| a.len()).sum()
}
