//! The clock every decision reads. Real time in production; shifted for rehearsals
//! (`SWITCHBOARD_CLOCK`); set and advanced by hand in tests.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};

#[derive(Clone)]
pub struct Clock(Arc<Inner>);

enum Inner {
    System,
    /// Starts at `start` when the process starts and runs forward in real time.
    Shifted {
        start: Timestamp,
        at: Instant,
    },
    /// Moves only when told to. A std Mutex: held for a copy, never across an await.
    Manual(Mutex<Timestamp>),
}

impl Clock {
    pub fn system() -> Self {
        Self(Arc::new(Inner::System))
    }

    pub fn starting_at(start: Timestamp) -> Self {
        Self(Arc::new(Inner::Shifted {
            start,
            at: Instant::now(),
        }))
    }

    pub fn manual(now: Timestamp) -> Self {
        Self(Arc::new(Inner::Manual(Mutex::new(now))))
    }

    pub fn now(&self) -> Timestamp {
        match &*self.0 {
            Inner::System => Timestamp::now(),
            Inner::Shifted { start, at } => {
                let elapsed =
                    SignedDuration::try_from(at.elapsed()).unwrap_or(SignedDuration::ZERO);
                start.saturating_add(elapsed).unwrap_or(*start)
            }
            Inner::Manual(now) => *now.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Milliseconds since the Unix epoch: how timestamps are stored.
    pub fn now_ms(&self) -> i64 {
        self.now().as_millisecond()
    }

    /// Moves a manual clock forward. Other clocks ignore it (and say so in debug builds).
    pub fn advance(&self, by: SignedDuration) {
        match &*self.0 {
            Inner::Manual(now) => {
                let mut now = now.lock().unwrap_or_else(|e| e.into_inner());
                *now = now.saturating_add(by).unwrap_or(*now);
            }
            _ => debug_assert!(false, "only a manual clock can be advanced"),
        }
    }

    /// Sets a manual clock to `to`.
    pub fn set(&self, to: Timestamp) {
        if let Inner::Manual(now) = &*self.0 {
            *now.lock().unwrap_or_else(|e| e.into_inner()) = to;
        }
    }

    pub fn is_manual(&self) -> bool {
        matches!(&*self.0, Inner::Manual(_))
    }
}

/// Converts stored epoch milliseconds back to a timestamp.
pub fn from_ms(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced() {
        let t0: Timestamp = "2026-03-02T14:00:00Z".parse().unwrap();
        let clock = Clock::manual(t0);
        assert_eq!(clock.now(), t0);
        clock.advance(SignedDuration::from_secs(90));
        assert_eq!(clock.now(), "2026-03-02T14:01:30Z".parse().unwrap());
    }

    #[test]
    fn a_shifted_clock_starts_at_its_instant_and_runs_forward() {
        let t0: Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
        let clock = Clock::starting_at(t0);
        let now = clock.now();
        assert!(now >= t0 && now < t0 + SignedDuration::from_secs(5));
    }
}
