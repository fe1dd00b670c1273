//! INFO's sampled metrics, kept as Redis keeps them: every 100 ms the cron records the rate of
//! each counter since the previous sample, and INFO reports the mean of the last 16 rates
//! (commands per second, and network bytes per second in KiB); every tick it also records the
//! largest client buffers, of which INFO reports the peaks of the last 8 seconds.

use parking_lot::Mutex;

/// Samples averaged per metric (Redis's STATS_METRIC_SAMPLES).
const SAMPLES: usize = 16;
/// Milliseconds between samples (Redis samples in a 100 ms `run_with_period`).
pub const PERIOD_MS: u64 = 100;

/// The metrics Redis samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Commands processed.
    Commands = 0,
    /// Bytes read from clients.
    NetInput = 1,
    /// Bytes written to clients.
    NetOutput = 2,
}

const METRICS: usize = 3;

#[derive(Debug, Default, Clone, Copy)]
struct Series {
    last_time_ms: u64,
    last_count: u64,
    rates: [u64; SAMPLES],
    next: usize,
}

/// The sampled rates of every metric.
#[derive(Debug, Default)]
pub struct Instantaneous {
    series: Mutex<[Series; METRICS]>,
}

impl Instantaneous {
    /// Whether a sample is due at `now_ms`.
    pub fn due(&self, now_ms: u64) -> bool {
        let s = self.series.lock();
        now_ms.saturating_sub(s[0].last_time_ms) >= PERIOD_MS
    }

    /// Records the counters' current readings at `now_ms`.
    pub fn sample(&self, now_ms: u64, readings: [u64; METRICS]) {
        let mut all = self.series.lock();
        for (s, reading) in all.iter_mut().zip(readings) {
            let elapsed = now_ms.saturating_sub(s.last_time_ms);
            let delta = reading.saturating_sub(s.last_count);
            s.rates[s.next] = (delta * 1000).checked_div(elapsed).unwrap_or(0);
            s.next = (s.next + 1) % SAMPLES;
            s.last_time_ms = now_ms;
            s.last_count = reading;
        }
    }

    /// The mean of the last samples of `metric`, per second.
    pub fn per_second(&self, metric: Metric) -> u64 {
        let all = self.series.lock();
        all[metric as usize].rates.iter().sum::<u64>() / SAMPLES as u64
    }

    /// The mean rate of a byte metric in KiB per second, as INFO prints it.
    pub fn kbps(&self, metric: Metric) -> String {
        format!("{:.2}", self.per_second(metric) as f64 / 1024.0)
    }

    /// Forgets every sample (CONFIG RESETSTAT), keeping the readings as the new base.
    pub fn reset(&self) {
        for s in self.series.lock().iter_mut() {
            s.rates = [0; SAMPLES];
        }
    }
}

/// Seconds of history kept by [`RecentPeaks`] (Redis's CLIENTS_PEAK_MEM_USAGE_SLOTS).
const PEAK_SECONDS: usize = 8;

/// The largest input and output buffers any client held in each of the last seconds, for
/// INFO's `client_recent_max_input_buffer` and `client_recent_max_output_buffer`.
#[derive(Debug, Default)]
pub struct RecentPeaks {
    /// Per slot: the second it is for, and the peaks seen in it.
    slots: Mutex<[(u64, usize, usize); PEAK_SECONDS]>,
}

impl RecentPeaks {
    /// Records buffers of `input` and `output` bytes seen at `now_secs`.
    pub fn record(&self, now_secs: u64, input: usize, output: usize) {
        let mut slots = self.slots.lock();
        let slot = &mut slots[now_secs as usize % PEAK_SECONDS];
        if slot.0 != now_secs {
            *slot = (now_secs, 0, 0);
        }
        slot.1 = slot.1.max(input);
        slot.2 = slot.2.max(output);
    }

    /// The largest input and output buffers of the last seconds.
    pub fn max(&self, now_secs: u64) -> (usize, usize) {
        let slots = self.slots.lock();
        slots
            .iter()
            .filter(|s| now_secs.saturating_sub(s.0) < PEAK_SECONDS as u64)
            .fold((0, 0), |(i, o), s| (i.max(s.1), o.max(s.2)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mean_of_the_last_sixteen_rates() {
        let m = Instantaneous::default();
        m.sample(1_000, [0, 0, 0]);
        // 500 commands and 10 KiB in each 100 ms: 5000 per second, 100 KiB/s.
        for i in 1..=SAMPLES as u64 {
            m.sample(1_000 + i * 100, [i * 500, i * 10_240, 0]);
        }
        assert_eq!(m.per_second(Metric::Commands), 5000);
        assert_eq!(m.kbps(Metric::NetInput), "100.00");
        assert_eq!(m.kbps(Metric::NetOutput), "0.00");
        m.reset();
        assert_eq!(m.per_second(Metric::Commands), 0);
    }

    #[test]
    fn peaks_are_forgotten_after_eight_seconds() {
        let p = RecentPeaks::default();
        p.record(100, 5000, 10);
        p.record(101, 20, 7000);
        assert_eq!(p.max(101), (5000, 7000));
        assert_eq!(p.max(107), (5000, 7000));
        assert_eq!(p.max(108), (20, 7000));
        p.record(109, 1, 1);
        assert_eq!(p.max(109), (1, 1));
    }
}
