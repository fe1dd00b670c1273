//! The RDB file around the values: the `REDIS0010` header, auxiliary fields, database
//! selectors and size hints, per-key metadata (expiry, LRU idle time, LFU counter), function
//! libraries, and the end marker with its CRC-64.

use std::io::{Read, Write};

use storage::value::Value;

use crate::io::{Error, Input, Output, Result};
use crate::object::{self, LoadLimits};
use crate::{opcode, VERSION};

/// What a key carries besides its value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyMeta {
    /// Absolute expiry, Unix milliseconds.
    pub expire_ms: Option<i64>,
    /// Seconds since last access (written under LRU policies).
    pub idle: Option<u64>,
    /// The LFU counter (written under LFU policies).
    pub freq: Option<u8>,
}

/// Writes the header: the magic and version, then the auxiliary fields.
pub fn write_header<W: Write>(out: &mut Output<W>, aux: &[(&str, &[u8])]) -> std::io::Result<()> {
    out.bytes(format!("REDIS{VERSION:04}").as_bytes())?;
    for (name, value) in aux {
        out.byte(opcode::AUX)?;
        out.string(name.as_bytes())?;
        out.string(value)?;
    }
    Ok(())
}

/// Starts database `db`, holding `keys` keys of which `expires` have a TTL.
pub fn write_db<W: Write>(
    out: &mut Output<W>,
    db: u64,
    keys: u64,
    expires: u64,
) -> std::io::Result<()> {
    out.byte(opcode::SELECTDB)?;
    out.len(db)?;
    out.byte(opcode::RESIZEDB)?;
    out.len(keys)?;
    out.len(expires)
}

/// Writes one key with its metadata and value.
pub fn write_key<W: Write>(
    out: &mut Output<W>,
    key: &[u8],
    value: &Value,
    meta: KeyMeta,
) -> std::io::Result<()> {
    if let Some(at) = meta.expire_ms {
        out.byte(opcode::EXPIRETIME_MS)?;
        out.millis(at)?;
    }
    if let Some(idle) = meta.idle {
        out.byte(opcode::IDLE)?;
        out.len(idle)?;
    }
    if let Some(freq) = meta.freq {
        out.byte(opcode::FREQ)?;
        out.byte(freq)?;
    }
    out.byte(object::type_of(value))?;
    out.string(key)?;
    // The type byte is already written: write the body alone.
    object::write_body(out, value)
}

/// Ends the file: the end marker and the CRC-64 of everything before (0 when `checksum` is off,
/// which readers take as "not computed").
pub fn write_end<W: Write>(out: &mut Output<W>, checksum: bool) -> std::io::Result<()> {
    out.byte(opcode::EOF)?;
    let crc = if checksum { out.crc() } else { 0 };
    out.bytes(&crc.to_le_bytes())
}

/// One record of a file being read.
#[derive(Debug)]
pub enum Record {
    /// An auxiliary field.
    Aux(Vec<u8>, Vec<u8>),
    /// The keys that follow belong to this database.
    Select(u64),
    /// A key; `None` as value for an empty collection, which is skipped.
    Key {
        /// The key.
        key: Vec<u8>,
        /// The value.
        value: Option<Value>,
        /// Its metadata.
        meta: KeyMeta,
    },
    /// A function library's code.
    Function(Vec<u8>),
    /// The end of the data (the checksum is checked by [`Reader::finish`]).
    End,
}

/// Reads a file record by record.
pub struct Reader<R> {
    /// The source, with its offset and running checksum.
    pub input: Input<R>,
    version: u16,
    limits: LoadLimits,
}

impl<R: Read> Reader<R> {
    /// Checks the header and starts reading; values are built with `limits`.
    pub fn new(inner: R, limits: LoadLimits) -> Result<Self> {
        let mut input = Input::new(inner);
        let head: [u8; 9] = input.array()?;
        if &head[..5] != b"REDIS" {
            return Err(input.corrupt("Wrong signature trying to load DB from file"));
        }
        let version = std::str::from_utf8(&head[5..])
            .ok()
            .and_then(|v| v.parse::<u16>().ok())
            .unwrap_or(0);
        if !(1..=VERSION).contains(&version) {
            return Err(input.corrupt(format!("Can't handle RDB format version {version}")));
        }
        Ok(Reader {
            input,
            version,
            limits,
        })
    }

    /// The next record.
    pub fn record(&mut self) -> Result<Record> {
        let mut meta = KeyMeta::default();
        loop {
            let t = self.input.byte()?;
            match t {
                opcode::EOF => return Ok(Record::End),
                opcode::EXPIRETIME_MS => meta.expire_ms = Some(self.input.millis()?),
                opcode::EXPIRETIME => {
                    let secs = i32::from_le_bytes(self.input.array()?);
                    meta.expire_ms = Some(i64::from(secs) * 1000);
                }
                opcode::IDLE => meta.idle = Some(self.input.length()?),
                opcode::FREQ => meta.freq = Some(self.input.byte()?),
                opcode::SELECTDB => return Ok(Record::Select(self.input.length()?)),
                opcode::RESIZEDB => {
                    self.input.length()?;
                    self.input.length()?;
                }
                opcode::AUX => return Ok(Record::Aux(self.input.string()?, self.input.string()?)),
                opcode::FUNCTION_2 => return Ok(Record::Function(self.input.string()?)),
                opcode::FUNCTION_PRE_GA => {
                    return Err(self
                        .input
                        .corrupt("Pre-release function format not supported"))
                }
                opcode::MODULE_AUX => {
                    return Err(self.input.corrupt(
                        "The RDB file contains AUX module data I can't load: no matching module",
                    ))
                }
                _ => {
                    let key = self.input.string()?;
                    let value = object::read(&mut self.input, t, &self.limits)?;
                    return Ok(Record::Key { key, value, meta });
                }
            }
        }
    }

    /// After [`Record::End`]: reads and checks the CRC-64 (files from RDB 5 on carry one; 0
    /// means the writer did not compute it). `skip` ignores a mismatch (DEBUG
    /// SET-SKIP-CHECKSUM-VALIDATION).
    pub fn finish(&mut self, skip: bool) -> Result<()> {
        if self.version < 5 {
            return Ok(());
        }
        let expected = self.input.crc();
        let stored = u64::from_le_bytes(self.input.array()?);
        if stored != 0 && stored != expected && !skip {
            return Err(Error::Corrupt {
                offset: self.input.offset(),
                what: "RDB CRC error".into(),
            });
        }
        Ok(())
    }
}
