//! Rate limits as Twilio applies them: requests over the rate wait in a queue, none is refused.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Hands out departure slots at most `rate` per virtual second per key.
pub struct Pacer {
    interval: Duration,
    next: Mutex<HashMap<String, Instant>>,
}

impl Pacer {
    /// A pacer for `per_second` departures per virtual second on a clock running `speed` times
    /// faster than real time.
    pub fn new(per_second: f64, speed: f64) -> Pacer {
        let per_real_second = (per_second * speed).max(1e-6);
        let interval = Duration::from_secs_f64((1.0 / per_real_second).min(86_400.0));
        Pacer {
            interval,
            next: Mutex::new(HashMap::new()),
        }
    }

    /// Reserves the next free slot for `key` and returns the real instant it starts.
    pub fn reserve(&self, key: &str) -> Instant {
        let now = Instant::now();
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let slot = next.get(key).map_or(now, |&n| n.max(now));
        next.insert(key.to_owned(), slot + self.interval);
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn slots_are_spaced_by_the_rate_and_keys_are_independent() {
        let pacer = Pacer::new(1.0, 10.0);
        let a = pacer.reserve("a");
        let b = pacer.reserve("a");
        let c = pacer.reserve("b");
        assert_eq!(b - a, Duration::from_millis(100));
        assert!(c <= b);
    }
}
