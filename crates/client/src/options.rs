//! Connection settings ([`ConnectOptions`]) and `redis://` URL parsing.

use std::str::FromStr;
use std::time::Duration;

use crate::error::{Error, Result};

/// Where to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addr {
    /// A host name or IP address and a port.
    Tcp {
        /// Host name, IPv4 or IPv6 address (without brackets).
        host: String,
        /// TCP port.
        port: u16,
    },
    /// A Unix-domain socket path.
    Unix(std::path::PathBuf),
}

impl std::fmt::Display for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Addr::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Addr::Tcp { host, port } => write!(f, "{host}:{port}"),
            Addr::Unix(p) => write!(f, "{}", p.display()),
        }
    }
}

/// How to connect and what to set up once connected: credentials, database,
/// protocol version, client name and timeouts.
///
/// Parsed from a URL (`redis://[[user]:password@]host[:port][/db][?protocol=3]`,
/// `unix:///path/to/socket?db=1`) or built field by field.
///
/// ```
/// use ferrodis::ConnectOptions;
/// let o: ConnectOptions = "redis://alice:s3cret@example.com:6380/2?protocol=3".parse().unwrap();
/// assert_eq!(o.addr.to_string(), "example.com:6380");
/// assert_eq!(o.username.as_deref(), Some("alice"));
/// assert_eq!(o.password.as_deref(), Some("s3cret"));
/// assert_eq!((o.db, o.protocol), (2, 3));
///
/// let o = ConnectOptions::new("127.0.0.1", 6379).db(1).resp3().timeout(std::time::Duration::from_secs(2));
/// assert_eq!(o.protocol, 3);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// Server address.
    pub addr: Addr,
    /// ACL user name for AUTH/HELLO (needs a password).
    pub username: Option<String>,
    /// Password for AUTH/HELLO.
    pub password: Option<String>,
    /// Database to SELECT after connecting (0 sends nothing).
    pub db: i64,
    /// Protocol version: 2 (the default, sends no HELLO) or 3 (sends `HELLO 3`).
    pub protocol: u8,
    /// Name to register with CLIENT SETNAME.
    pub client_name: Option<String>,
    /// Limit on establishing the connection and its setup.
    pub connect_timeout: Option<Duration>,
    /// Limit on each request's round trip once connected.
    pub timeout: Option<Duration>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions::new("127.0.0.1", 6379)
    }
}

impl ConnectOptions {
    /// Options for a TCP server with everything else at its default.
    pub fn new(host: impl Into<String>, port: u16) -> ConnectOptions {
        ConnectOptions {
            addr: Addr::Tcp {
                host: host.into(),
                port,
            },
            username: None,
            password: None,
            db: 0,
            protocol: 2,
            client_name: None,
            connect_timeout: None,
            timeout: None,
        }
    }

    /// Options for a Unix-domain socket.
    pub fn unix(path: impl Into<std::path::PathBuf>) -> ConnectOptions {
        ConnectOptions {
            addr: Addr::Unix(path.into()),
            ..ConnectOptions::default()
        }
    }

    /// Parses a `redis://`, `unix://` or `redis+unix://` URL.
    pub fn from_url(url: &str) -> Result<ConnectOptions> {
        parse_url(url)
    }

    /// Sets the ACL user name.
    pub fn username(mut self, user: impl Into<String>) -> Self {
        self.username = Some(user.into());
        self
    }

    /// Sets the password.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Sets the database selected after connecting.
    pub fn db(mut self, db: i64) -> Self {
        self.db = db;
        self
    }

    /// Speaks RESP3 (sends `HELLO 3` when connecting).
    pub fn resp3(mut self) -> Self {
        self.protocol = 3;
        self
    }

    /// Sets the client name registered after connecting.
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = Some(name.into());
        self
    }

    /// Sets the limit on connecting (including AUTH, SELECT and HELLO).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = Some(t);
        self
    }

    /// Sets the limit on each round trip.
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// Connects and runs the setup these options ask for.
    pub async fn connect(&self) -> Result<crate::client::Client> {
        crate::client::Client::connect_with(self).await
    }
}

impl FromStr for ConnectOptions {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        parse_url(s)
    }
}

fn bad(msg: impl Into<String>) -> Error {
    Error::InvalidConfig(msg.into())
}

fn percent_decode(s: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| bad("bad percent-encoding in URL"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad("URL credentials are not UTF-8"))
}

fn parse_url(url: &str) -> Result<ConnectOptions> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("URL must start with redis:// or unix://"))?;
    let scheme = scheme.to_ascii_lowercase();
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let mut opts = match scheme.as_str() {
        "redis" => parse_tcp_authority(rest)?,
        "unix" | "redis+unix" => {
            let (creds, path) = match rest.rsplit_once('@') {
                Some((c, p)) => (Some(c), p),
                None => (None, rest),
            };
            if path.is_empty() {
                return Err(bad("unix URL needs a socket path"));
            }
            let mut o = ConnectOptions::unix(percent_decode(path)?);
            if let Some(c) = creds {
                apply_credentials(&mut o, c)?;
            }
            o
        }
        "rediss" => return Err(bad("TLS (rediss://) is not supported")),
        other => return Err(bad(format!("unsupported URL scheme {other:?}"))),
    };
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v)?;
        match k {
            "db" => opts.db = v.parse().map_err(|_| bad("db must be a number"))?,
            "protocol" => {
                opts.protocol = match v.as_str() {
                    "2" | "resp2" => 2,
                    "3" | "resp3" => 3,
                    _ => return Err(bad("protocol must be 2 or 3")),
                }
            }
            "username" | "user" => opts.username = Some(v),
            "password" => opts.password = Some(v),
            "client_name" | "name" => opts.client_name = Some(v),
            "timeout" => {
                let secs: f64 = v.parse().map_err(|_| bad("timeout must be seconds"))?;
                opts.timeout = Duration::try_from_secs_f64(secs).ok();
            }
            _ => {}
        }
    }
    Ok(opts)
}

fn apply_credentials(o: &mut ConnectOptions, creds: &str) -> Result<()> {
    match creds.split_once(':') {
        Some((user, pass)) => {
            if !user.is_empty() {
                o.username = Some(percent_decode(user)?);
            }
            o.password = Some(percent_decode(pass)?);
        }
        // A lone word before `@` is a password, as redis-cli reads it.
        None if !creds.is_empty() => o.password = Some(percent_decode(creds)?),
        None => {}
    }
    Ok(())
}

fn parse_tcp_authority(rest: &str) -> Result<ConnectOptions> {
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    let (creds, hostport) = match authority.rsplit_once('@') {
        Some((c, h)) => (Some(c), h),
        None => (None, authority),
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| bad("unterminated [ in URL host"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(bad("junk after IPv6 address")),
        };
        (h, port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let port = match port {
        Some(p) => p.parse().map_err(|_| bad(format!("bad port {p:?}")))?,
        None => 6379,
    };
    let host = if host.is_empty() { "127.0.0.1" } else { host };
    let mut o = ConnectOptions::new(host, port);
    if let Some(c) = creds {
        apply_credentials(&mut o, c)?;
    }
    if !path.is_empty() {
        o.db = path
            .parse()
            .map_err(|_| bad("database in URL path must be a number"))?;
    }
    Ok(o)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let o = parse_url("redis://localhost").unwrap();
        assert_eq!(o.addr.to_string(), "localhost:6379");
        let o = parse_url("redis://:p%40ss@[::1]:7000/3").unwrap();
        assert_eq!(o.addr.to_string(), "[::1]:7000");
        assert_eq!(o.password.as_deref(), Some("p@ss"));
        assert_eq!(o.username, None);
        assert_eq!(o.db, 3);
        let o = parse_url("unix:///tmp/redis.sock?db=4&protocol=3").unwrap();
        assert_eq!(o.addr, Addr::Unix("/tmp/redis.sock".into()));
        assert_eq!((o.db, o.protocol), (4, 3));
        assert!(parse_url("http://x").is_err());
        assert!(parse_url("redis://h:notaport").is_err());
        assert!(parse_url("redis://h/x").is_err());
        assert!(parse_url("redis://%zz@h").is_err());
        assert!(parse_url("rediss://h").is_err());
    }
}
