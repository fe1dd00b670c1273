//! Diagnostics kept in memory: the slow log, the latency monitor's event history and the
//! per-command latency histograms behind LATENCY HISTOGRAM.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;

/// Arguments kept per slow-log entry before the rest is summarised.
const SLOWLOG_MAX_ARGS: usize = 32;
/// Bytes kept per argument before the rest is summarised.
const SLOWLOG_MAX_ARG_LEN: usize = 128;

/// One slow-log entry.
#[derive(Debug, Clone)]
pub struct SlowEntry {
    /// Unique, increasing id.
    pub id: u64,
    /// Unix seconds when the command ran.
    pub time: u64,
    /// Execution time in microseconds.
    pub micros: u64,
    /// The command's arguments, shortened.
    pub args: Vec<Bytes>,
    /// Client address.
    pub peer: String,
    /// Client name.
    pub name: Bytes,
}

/// The slow log: the most recent slow commands, newest first.
#[derive(Debug)]
pub struct SlowLog {
    entries: VecDeque<SlowEntry>,
    next_id: u64,
    max_len: usize,
}

impl SlowLog {
    /// An empty log keeping at most `max_len` entries.
    pub fn new(max_len: usize) -> Self {
        SlowLog {
            entries: VecDeque::new(),
            next_id: 0,
            max_len,
        }
    }

    /// Changes the capacity, dropping the oldest entries beyond it.
    pub fn set_max_len(&mut self, max_len: usize) {
        self.max_len = max_len;
        self.entries.truncate(max_len);
    }

    /// Records a command, shortening long argument lists and long arguments as Redis does.
    pub fn push(&mut self, args: &[Bytes], micros: u64, time: u64, peer: String, name: Bytes) {
        let mut kept: Vec<Bytes> = Vec::with_capacity(args.len().min(SLOWLOG_MAX_ARGS));
        let shown = if args.len() > SLOWLOG_MAX_ARGS {
            SLOWLOG_MAX_ARGS - 1
        } else {
            args.len()
        };
        for a in &args[..shown] {
            if a.len() > SLOWLOG_MAX_ARG_LEN {
                let mut s = a[..SLOWLOG_MAX_ARG_LEN].to_vec();
                s.extend_from_slice(
                    format!("... ({} more bytes)", a.len() - SLOWLOG_MAX_ARG_LEN).as_bytes(),
                );
                kept.push(s.into());
            } else {
                // A copy: a slice would keep the whole request buffer it came from alive.
                kept.push(Bytes::copy_from_slice(a));
            }
        }
        if shown < args.len() {
            kept.push(format!("... ({} more arguments)", args.len() - shown).into());
        }
        self.entries.push_front(SlowEntry {
            id: self.next_id,
            time,
            micros,
            args: kept,
            peer,
            name,
        });
        self.next_id += 1;
        self.entries.truncate(self.max_len);
    }

    /// The newest `n` entries.
    pub fn latest(&self, n: usize) -> impl Iterator<Item = &SlowEntry> {
        self.entries.iter().take(n)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the log is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Empties the log.
    pub fn reset(&mut self) {
        self.entries.clear();
    }
}

/// Samples kept per latency event, as Redis's LATENCY_TS_LEN.
const LATENCY_SAMPLES: usize = 160;

/// The history of one latency event.
#[derive(Debug, Default, Clone)]
pub struct EventHistory {
    /// (Unix seconds, milliseconds) samples, oldest first.
    pub samples: VecDeque<(u64, u64)>,
    /// Highest latency ever recorded.
    pub max: u64,
}

/// The latency monitor: per-event histories of latency spikes above the threshold.
#[derive(Debug, Default)]
pub struct LatencyMonitor {
    /// Event histories by name.
    pub events: BTreeMap<String, EventHistory>,
}

impl LatencyMonitor {
    /// Records a spike; samples within the same second are merged, keeping the highest.
    pub fn add(&mut self, event: &str, time: u64, ms: u64) {
        let h = self.events.entry(event.to_string()).or_default();
        h.max = h.max.max(ms);
        if let Some(last) = h.samples.back_mut() {
            if last.0 == time {
                last.1 = last.1.max(ms);
                return;
            }
        }
        h.samples.push_back((time, ms));
        if h.samples.len() > LATENCY_SAMPLES {
            h.samples.pop_front();
        }
    }
}

/// Number of power-of-two latency buckets per command (1 µs up to about 2^40 ns).
pub const HIST_BUCKETS: usize = 32;

/// A command's latency distribution in power-of-two buckets of nanoseconds, starting at
/// 1024 ns, as Redis's LATENCY HISTOGRAM reports it.
#[derive(Debug)]
pub struct Histogram {
    buckets: [AtomicU64; HIST_BUCKETS],
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }
}

impl Histogram {
    /// Records one execution of `nanos` nanoseconds.
    #[inline]
    pub fn record(&self, nanos: u64) {
        let b = if nanos <= 1024 {
            0
        } else {
            (64 - ((nanos - 1) >> 10).leading_zeros()) as usize
        };
        self.buckets[b.min(HIST_BUCKETS - 1)].fetch_add(1, Ordering::Relaxed);
    }

    /// Non-empty buckets as (upper bound in µs, cumulative count).
    pub fn cumulative(&self) -> Vec<(u64, u64)> {
        let mut total = 0;
        let mut out = Vec::new();
        for (b, n) in self.buckets.iter().enumerate() {
            let n = n.load(Ordering::Relaxed);
            if n > 0 {
                total += n;
                out.push(((1024u64 << b) / 1000, total));
            }
        }
        out
    }

    /// Clears every bucket.
    pub fn reset(&self) {
        for b in &self.buckets {
            b.store(0, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slowlog_shortens_and_caps() {
        let mut log = SlowLog::new(2);
        let args: Vec<Bytes> = (0..40).map(|i| Bytes::from(format!("a{i}"))).collect();
        log.push(&args, 5, 1, "x".into(), Bytes::new());
        let e = log
            .latest(1)
            .next()
            .map(|e| e.args.clone())
            .unwrap_or_default();
        assert_eq!(e.len(), 32);
        assert_eq!(&e[31][..], b"... (9 more arguments)");
        log.push(
            &[Bytes::from(vec![b'x'; 130])],
            5,
            1,
            "x".into(),
            Bytes::new(),
        );
        let e = log
            .latest(1)
            .next()
            .map(|e| e.args.clone())
            .unwrap_or_default();
        assert!(e[0].ends_with(b"... (2 more bytes)"));
        log.push(&[], 1, 1, "x".into(), Bytes::new());
        assert_eq!(log.len(), 2);
    }

    #[test]
    fn histogram_buckets_are_powers_of_two() {
        let h = Histogram::default();
        h.record(500);
        h.record(1500);
        h.record(3000);
        assert_eq!(h.cumulative(), vec![(1, 1), (2, 2), (4, 3)]);
    }

    #[test]
    fn latency_merges_samples_of_one_second() {
        let mut m = LatencyMonitor::default();
        m.add("command", 10, 5);
        m.add("command", 10, 7);
        m.add("command", 11, 3);
        let h = &m.events["command"];
        assert_eq!(h.samples, vec![(10, 7), (11, 3)]);
        assert_eq!(h.max, 7);
    }
}
