//! Virtual time: the simulator's clock runs `speed` times faster than the wall clock.
//!
//! Every wait in the simulator (rings, speech, pauses, gather timeouts) is expressed in virtual
//! seconds and slept as `d / speed` real seconds, so the order of events is kept while reported
//! durations (`CallDuration`, `RecordingDuration`, ...) stay the real-world figures.

use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};

/// A clock that starts at the wall-clock time of its creation and runs `speed` times faster.
#[derive(Clone, Debug)]
pub struct Clock {
    speed: f64,
    origin_real: Instant,
    origin_virtual: Timestamp,
}

impl Clock {
    /// A clock running `speed` times faster than real time (clamped to at least 0.001).
    pub fn new(speed: f64) -> Self {
        let speed = if speed.is_finite() && speed >= 0.001 {
            speed
        } else {
            1.0
        };
        Clock {
            speed,
            origin_real: Instant::now(),
            origin_virtual: Timestamp::now(),
        }
    }

    /// How many times faster than real time this clock runs.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// The current virtual time.
    pub fn now(&self) -> Timestamp {
        let elapsed = self.origin_real.elapsed().as_secs_f64() * self.speed;
        self.origin_virtual
            .checked_add(SignedDuration::from_secs_f64(elapsed))
            .unwrap_or(self.origin_virtual)
    }

    /// The real duration that `virtual_duration` takes on this clock.
    pub fn to_real(&self, virtual_duration: Duration) -> Duration {
        virtual_duration.div_f64(self.speed)
    }

    /// Sleeps for `virtual_secs` virtual seconds.
    pub async fn sleep_secs(&self, virtual_secs: f64) {
        if virtual_secs.is_nan() || virtual_secs <= 0.0 {
            return;
        }
        if virtual_secs > 1e9 {
            return std::future::pending().await;
        }
        tokio::time::sleep(self.to_real(Duration::from_secs_f64(virtual_secs))).await;
    }
}

/// Whole virtual seconds between two instants, rounded up as Twilio bills (never negative).
pub fn whole_secs_between(start: Timestamp, end: Timestamp) -> u64 {
    let secs = end.duration_since(start).as_secs_f64();
    if secs <= 0.0 { 0 } else { secs.ceil() as u64 }
}

/// Formats a timestamp the way Twilio's REST API and callbacks do: RFC 2822 in UTC.
pub fn rfc2822(ts: Timestamp) -> String {
    ts.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2822_matches_twilio_date_shape() {
        let ts: Timestamp = "2010-08-31T20:36:28Z".parse().unwrap();
        assert_eq!(rfc2822(ts), "Tue, 31 Aug 2010 20:36:28 +0000");
    }

    #[test]
    fn a_fast_clock_sleeps_a_fraction_of_the_virtual_duration() {
        let clock = Clock::new(100.0);
        assert_eq!(
            clock.to_real(Duration::from_secs(10)),
            Duration::from_millis(100)
        );
    }

    #[test]
    fn whole_seconds_round_up_and_never_go_negative() {
        let a: Timestamp = "2020-01-01T00:00:00Z".parse().unwrap();
        let b: Timestamp = "2020-01-01T00:00:01.2Z".parse().unwrap();
        assert_eq!(whole_secs_between(a, b), 2);
        assert_eq!(whole_secs_between(b, a), 0);
    }
}
