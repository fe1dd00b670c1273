//! Redis's LFU access counter, kept in a key's 24-bit access stamp when an LFU `maxmemory`
//! policy is selected: the high 16 bits are the time of the last decrement in minutes (wrapping),
//! the low 8 bits a logarithmic access counter that `lfu-log-factor` slows and that loses one
//! point per `lfu-decay-time` minutes without access.

/// The counter a new key starts with, so that it is not evicted before it had a chance to be
/// used.
pub const INIT_VAL: u8 = 5;

/// The minutes clock, wrapping at 16 bits.
pub fn minutes(now_ms: u64) -> u16 {
    ((now_ms / 60_000) & 0xFFFF) as u16
}

/// The stamp of a key created at `now_ms`.
pub fn fresh(now_ms: u64) -> u32 {
    stamp(now_ms, INIT_VAL)
}

/// The stamp of a key whose counter is `counter` at `now_ms` (a snapshot's or RESTORE's FREQ).
pub fn stamp(now_ms: u64, counter: u8) -> u32 {
    (u32::from(minutes(now_ms)) << 8) | u32::from(counter)
}

/// Minutes since `ldt` on the wrapping 16-bit clock, as Redis counts them.
fn elapsed(ldt: u16, now: u16) -> u32 {
    if now >= ldt {
        u32::from(now - ldt)
    } else {
        65535 - u32::from(ldt) + u32::from(now)
    }
}

/// The counter of `stamp` after its decay until `now_ms`: one point lost per `decay_time`
/// minutes (no decay when 0). This is what OBJECT FREQ reports.
pub fn decayed(stamp: u32, now_ms: u64, decay_time: u32) -> u8 {
    let ldt = ((stamp >> 8) & 0xFFFF) as u16;
    let counter = (stamp & 0xFF) as u8;
    let periods = elapsed(ldt, minutes(now_ms))
        .checked_div(decay_time)
        .unwrap_or(0);
    counter.saturating_sub(periods.min(255) as u8)
}

/// One access's increment: the higher the counter and `log_factor`, the less likely.
/// `random` is uniform in [0, 1).
pub fn log_incr(counter: u8, log_factor: u32, random: f64) -> u8 {
    if counter == u8::MAX {
        return counter;
    }
    let base = f64::from(counter.saturating_sub(INIT_VAL));
    let p = 1.0 / (base * f64::from(log_factor) + 1.0);
    if random < p {
        counter + 1
    } else {
        counter
    }
}

/// The stamp after an access at `now_ms`: decay, then a logarithmic increment.
pub fn touched(stamp: u32, now_ms: u64, log_factor: u32, decay_time: u32, random: f64) -> u32 {
    let counter = log_incr(decayed(stamp, now_ms, decay_time), log_factor, random);
    (u32::from(minutes(now_ms)) << 8) | u32::from(counter)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60_000;

    #[test]
    fn new_keys_start_at_the_initial_value() {
        assert_eq!(decayed(fresh(10 * MIN), 10 * MIN, 1), INIT_VAL);
    }

    #[test]
    fn counters_decay_one_point_per_period() {
        let s = (10u32 << 8) | 20;
        assert_eq!(decayed(s, 10 * MIN, 1), 20);
        assert_eq!(decayed(s, 13 * MIN, 1), 17);
        assert_eq!(decayed(s, 13 * MIN, 2), 19);
        assert_eq!(decayed(s, 13 * MIN, 0), 20);
        assert_eq!(decayed(s, 500 * MIN, 1), 0);
        // The minutes clock wraps at 16 bits.
        let late = (65530u32 << 8) | 20;
        assert_eq!(decayed(late, 65536 * MIN + 4 * MIN, 1), 11);
    }

    #[test]
    fn increments_get_rarer_as_the_counter_grows() {
        assert_eq!(log_incr(INIT_VAL, 10, 0.99), INIT_VAL + 1);
        assert_eq!(log_incr(100, 10, 0.5), 100);
        assert_eq!(log_incr(100, 10, 0.0001), 101);
        assert_eq!(log_incr(255, 0, 0.0), 255);
        // With factor 10, about a million accesses reach 255, as Redis's table says.
        let mut c = INIT_VAL;
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..1_000_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            c = log_incr(c, 10, (x >> 11) as f64 / (1u64 << 53) as f64);
        }
        assert!((240..=255).contains(&c), "{c}");
    }
}
