//! The server's clock: a calibrated monotonic clock read once per command, and the wall-clock
//! time and Redis's LRU clock derived from it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use quanta::Instant;

/// The monotonic clock's origin and the wall-clock time it corresponds to. The clock is
/// quanta's (the CPU's time-stamp counter, calibrated), which costs a fraction of a system call
/// or even a vDSO `clock_gettime`; it is read once per command. Reading the wall
/// clock as "origin + monotonic elapsed" lets a command's start time double as its timestamp, so
/// a command costs one clock read instead of three; `resync_clock` (run by the cron task) keeps
/// the offset in step with the system clock.
static CLOCK: std::sync::LazyLock<(Instant, AtomicU64)> = std::sync::LazyLock::new(|| {
    let origin = Instant::now();
    (origin, AtomicU64::new(system_us()))
});

fn system_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// Re-reads the system clock so that wall-clock adjustments reach `now_ms`. The offset is kept
/// in microseconds: rounding both sides to milliseconds could put the derived clock a
/// millisecond behind the system's, which clients comparing TTLs with their own clock notice.
pub fn resync_clock() {
    let (origin, offset) = &*CLOCK;
    let elapsed = origin.elapsed().as_micros() as u64;
    offset.store(system_us().saturating_sub(elapsed), Ordering::Relaxed);
}

/// Unix milliseconds at the monotonic instant `at`.
#[inline]
pub fn wall_ms(at: Instant) -> u64 {
    let (origin, offset) = &*CLOCK;
    let us =
        offset.load(Ordering::Relaxed) + at.saturating_duration_since(*origin).as_micros() as u64;
    us / 1000
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    wall_ms(Instant::now())
}

/// Redis's LRU clock: seconds, wrapping at 24 bits.
pub fn lru_clock(now_ms: u64) -> u32 {
    ((now_ms / 1000) & 0x00FF_FFFF) as u32
}

/// Seconds from an LRU stamp to the LRU clock `clock`, on the wrapping 24-bit clock (OBJECT
/// IDLETIME, eviction, the RDB's IDLE field).
pub fn lru_idle(clock: u32, stamp: u32) -> u64 {
    u64::from(clock.wrapping_sub(stamp) & 0x00FF_FFFF)
}
