//! Placeholder for the set command family: the helper building it replaces this file whole.

use crate::command::Command;

/// The family's commands.
pub static COMMANDS: &[Command] = &[];
