//! Job states and the pure rules of the queue: backoff and lease lengths.

use serde::Serialize;

use crate::ids::{JobId, OrgId};

crate::text_enum! {
    /// The lifecycle of a job row (stored as a checked TEXT column).
    pub enum JobState {
        Queued = "queued",
        Running = "running",
        Done = "done",
        Failed = "failed",
    }
}

/// How to enqueue: when, how often to try, and the key that makes it idempotent.
#[derive(Clone, Debug, Default)]
pub struct EnqueueOptions {
    /// Epoch ms; `None` means now.
    pub run_at: Option<i64>,
    pub dedup_key: Option<String>,
    pub max_attempts: Option<i64>,
}

impl EnqueueOptions {
    pub fn dedup(key: impl Into<String>) -> Self {
        Self {
            dedup_key: Some(key.into()),
            ..Self::default()
        }
    }

    pub fn at(mut self, run_at_ms: i64) -> Self {
        self.run_at = Some(run_at_ms);
        self
    }
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct JobRow {
    pub id: JobId,
    pub org_id: Option<OrgId>,
    pub kind: String,
    pub payload: String,
    pub state: JobState,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: i64,
    pub last_error: Option<String>,
    /// The worker that ran (or is running) the latest attempt.
    pub ran_by: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// The first retry waits this long; each later one twice as long as the one before.
pub const BACKOFF_BASE_MS: i64 = 5_000;
/// No retry waits longer than this.
pub const BACKOFF_CAP_MS: i64 = 60 * 60 * 1000;
/// How long a claim holds before the reaper hands the job to another worker. Workers renew
/// it while a job runs, so only a dead worker's lease runs out.
pub const LEASE_MS: i64 = 60_000;

/// The wait before attempt `attempts + 1`, after `attempts` failures (1-based).
pub fn backoff_ms(attempts: i64) -> i64 {
    let exponent = (attempts.max(1) - 1).min(30) as u32;
    BACKOFF_BASE_MS
        .saturating_mul(1_i64 << exponent)
        .min(BACKOFF_CAP_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_five_seconds_and_stops_at_an_hour() {
        let table = [
            (1, 5_000),
            (2, 10_000),
            (3, 20_000),
            (4, 40_000),
            (10, 2_560_000),
            (11, 3_600_000),
            (60, 3_600_000),
        ];
        for (attempts, expected) in table {
            assert_eq!(backoff_ms(attempts), expected, "after {attempts} failures");
        }
    }

    #[test]
    fn job_states_round_trip_through_their_names() {
        for s in JobState::ALL {
            assert_eq!(s.as_str().parse::<JobState>(), Ok(*s));
        }
        assert!("lost".parse::<JobState>().is_err());
    }
}
