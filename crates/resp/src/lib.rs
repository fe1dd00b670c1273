//! RESP2/RESP3 protocol: request decoding, reply encoding and a full frame type.
//!
//! The crate is synchronous and does no I/O. It has three independent parts:
//!
//! * [`RequestDecoder`] turns bytes read from a client into [`Request`]s, reproducing
//!   Redis 7.0's limits and protocol error messages. It is the server's hot path:
//!   arguments are zero-copy slices of the read buffer and partial commands resume
//!   where they stopped.
//! * [`ReplyWriter`] appends replies to an output buffer in RESP2 or RESP3 form.
//! * [`Frame`] models every reply type, with an encoder and [`decode_frame`], a
//!   hardened decoder for clients.
//! * [`split_args`] splits a line into arguments with Redis's quoting rules.

mod frame;
mod num;
mod reply;
mod request;
mod split;

pub use frame::{decode_frame, decode_frame_bytes, Frame, FrameError, MAX_FRAME_DEPTH};
pub use reply::{format_double_17g, ReplyWriter};
pub use request::{
    encode_request, Limits, ProtocolError, Request, RequestDecoder, PROTO_INLINE_MAX_SIZE,
    UNAUTHENTICATED_MAX_BULK_LEN, UNAUTHENTICATED_MAX_MULTIBULK_LEN,
};
pub use split::split_args;
