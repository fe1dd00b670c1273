//! Building commands ([`Cmd`], [`IntoArg`]) and batches of them ([`Pipeline`]).

use bytes::{Bytes, BytesMut};

/// A value usable as one command argument.
///
/// Strings and byte buffers are sent as they are; numbers in their decimal form
/// (floats in the shortest form that parses back to the same value).
///
/// ```
/// use ferrodis::IntoArg;
/// assert_eq!(&7i64.into_arg()[..], b"7");
/// assert_eq!(&1.5f64.into_arg()[..], b"1.5");
/// assert_eq!(&"key".into_arg()[..], b"key");
/// ```
pub trait IntoArg {
    /// Converts into the argument's bytes.
    fn into_arg(self) -> Bytes;
}

impl IntoArg for Bytes {
    fn into_arg(self) -> Bytes {
        self
    }
}

impl IntoArg for &Bytes {
    fn into_arg(self) -> Bytes {
        self.clone()
    }
}

impl IntoArg for Vec<u8> {
    fn into_arg(self) -> Bytes {
        Bytes::from(self)
    }
}

impl IntoArg for &[u8] {
    fn into_arg(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}

impl<const N: usize> IntoArg for &[u8; N] {
    fn into_arg(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}

impl IntoArg for String {
    fn into_arg(self) -> Bytes {
        Bytes::from(self)
    }
}

impl IntoArg for &String {
    fn into_arg(self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
    }
}

impl IntoArg for &str {
    fn into_arg(self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
    }
}

macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl IntoArg for $t {
            fn into_arg(self) -> Bytes {
                Bytes::from(self.to_string())
            }
        }
    )*};
}

int_arg!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl IntoArg for f64 {
    fn into_arg(self) -> Bytes {
        // Rust's Display for f64 is the shortest round-tripping form but prints
        // infinities as `inf`, which is also what Redis accepts.
        Bytes::from(self.to_string())
    }
}

impl IntoArg for f32 {
    fn into_arg(self) -> Bytes {
        f64::from(self).into_arg()
    }
}

/// One command: a name and its arguments.
///
/// ```
/// use ferrodis::cmd;
/// let mut c = cmd("SET");
/// c.arg("key").arg(42).arg("EX").arg(10);
/// assert_eq!(c.get_args().len(), 5);
/// assert_eq!(&c.encode()[..], &b"*5\r\n$3\r\nSET\r\n$3\r\nkey\r\n$2\r\n42\r\n$2\r\nEX\r\n$2\r\n10\r\n"[..]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cmd {
    args: Vec<Bytes>,
}

/// Starts a command with this name; add arguments with [`Cmd::arg`].
pub fn cmd(name: &str) -> Cmd {
    let mut c = Cmd::new();
    c.arg(name);
    c
}

impl Cmd {
    /// An empty command; the first argument added is the command name.
    pub fn new() -> Cmd {
        Cmd { args: Vec::new() }
    }

    /// A command from a whole argument vector, name first.
    pub fn from_args<A: IntoArg, I: IntoIterator<Item = A>>(args: I) -> Cmd {
        Cmd {
            args: args.into_iter().map(IntoArg::into_arg).collect(),
        }
    }

    /// Appends one argument.
    pub fn arg(&mut self, a: impl IntoArg) -> &mut Cmd {
        self.args.push(a.into_arg());
        self
    }

    /// Appends every item as an argument.
    pub fn args<A: IntoArg, I: IntoIterator<Item = A>>(&mut self, items: I) -> &mut Cmd {
        self.args.extend(items.into_iter().map(IntoArg::into_arg));
        self
    }

    /// The arguments, command name first.
    pub fn get_args(&self) -> &[Bytes] {
        &self.args
    }

    /// Upper-cased command name, or an empty string for an empty command.
    pub fn name(&self) -> String {
        self.args
            .first()
            .map(|n| String::from_utf8_lossy(n).to_ascii_uppercase())
            .unwrap_or_default()
    }

    /// Appends the RESP multibulk encoding of this command to `out`.
    pub fn write_to(&self, out: &mut BytesMut) {
        resp::encode_request(&self.args, out);
    }

    /// The RESP multibulk encoding of this command.
    pub fn encode(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.write_to(&mut out);
        out.freeze()
    }

    /// Consumes the command, returning its arguments.
    pub fn into_args(self) -> Vec<Bytes> {
        self.args
    }

    /// True when the command has no name yet.
    pub fn is_empty(&self) -> bool {
        self.args.is_empty()
    }
}

/// Several commands sent in one write and answered in one read: one round trip.
///
/// Made atomic with [`Pipeline::atomic`], the commands are wrapped in
/// MULTI/EXEC and run as a transaction.
///
/// ```no_run
/// # async fn demo() -> ferrodis::Result<()> {
/// let mut client = ferrodis::client::connect("127.0.0.1:6379").await?;
/// let mut pipe = ferrodis::Pipeline::new();
/// pipe.cmd("SET").arg("a").arg(1);
/// pipe.cmd("INCR").arg("a");
/// pipe.cmd("GET").arg("a");
/// let (ok, n, v): (String, i64, String) = pipe.query(&mut client).await?;
/// assert_eq!((ok.as_str(), n, v.as_str()), ("OK", 2, "2"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    pub(crate) cmds: Vec<Cmd>,
    pub(crate) atomic: bool,
}

impl Pipeline {
    /// An empty, non-atomic pipeline.
    pub fn new() -> Pipeline {
        Pipeline::default()
    }

    /// Adds a command with this name and returns it for its arguments.
    pub fn cmd(&mut self, name: &str) -> &mut Cmd {
        self.cmds.push(cmd(name));
        let last = self.cmds.len() - 1;
        &mut self.cmds[last]
    }

    /// Adds a prepared command.
    pub fn add(&mut self, c: Cmd) -> &mut Pipeline {
        self.cmds.push(c);
        self
    }

    /// Wraps the commands in MULTI/EXEC when sent.
    pub fn atomic(&mut self) -> &mut Pipeline {
        self.atomic = true;
        self
    }

    /// True when the pipeline runs as a MULTI/EXEC transaction.
    pub fn is_atomic(&self) -> bool {
        self.atomic
    }

    /// Number of commands.
    pub fn len(&self) -> usize {
        self.cmds.len()
    }

    /// True when no command was added.
    pub fn is_empty(&self) -> bool {
        self.cmds.is_empty()
    }

    /// Removes every command, keeping the atomic flag.
    pub fn clear(&mut self) {
        self.cmds.clear();
    }

    /// The commands in order.
    pub fn commands(&self) -> &[Cmd] {
        &self.cmds
    }

    /// Sends the pipeline on `client` and converts the replies, as a list, into
    /// `T` (a tuple, a `Vec`...). Any error reply makes the whole call fail with
    /// that error; use [`crate::client::Client::pipeline`] to get every reply.
    pub async fn query<T: crate::FromValue>(
        &self,
        client: &mut crate::client::Client,
    ) -> crate::Result<T> {
        let replies = client.pipeline(self).await?;
        if let Some(e) = replies.iter().find_map(|v| match v {
            crate::Value::Error(e) => Some(e.clone()),
            _ => None,
        }) {
            return Err(crate::Error::Server(e));
        }
        T::from_value(crate::Value::Array(replies))
    }
}

impl FromIterator<Cmd> for Pipeline {
    fn from_iter<I: IntoIterator<Item = Cmd>>(iter: I) -> Self {
        Pipeline {
            cmds: iter.into_iter().collect(),
            atomic: false,
        }
    }
}
