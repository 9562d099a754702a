//! The services every module is given: the database, the clock, the configuration, the
//! mailer, the telephony client, and the job queue's doorbell. A leaf: it imports no module
//! that uses it, so the base modules (`db`, `jobs`, `http`, `telephony`, `notify`,
//! `accounts`) take a `Services` instead of the application, and each job module adds its own
//! state beside it (the hotline's incident desk, the login throttle, the signing keys), which
//! handlers reach through axum's `FromRef`.

use std::ops::Deref;
use std::sync::Arc;

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::notify::Mailer;
use crate::telephony::Telephony;

/// Cheap to clone: every handler and job holds one.
#[derive(Clone)]
pub struct Services(Arc<Parts>);

pub struct Parts {
    pub db: Db,
    pub config: Config,
    pub clock: Clock,
    pub mailer: Mailer,
    pub telephony: Telephony,
    /// Rung after an enqueue commits, so idle job workers look at once instead of at their
    /// next poll.
    pub jobs_wake: Arc<Notify>,
}

impl Services {
    pub fn new(db: Db, config: Config, clock: Clock, mailer: Mailer, telephony: Telephony) -> Self {
        Services(Arc::new(Parts {
            db,
            config,
            clock,
            mailer,
            telephony,
            jobs_wake: Arc::new(Notify::new()),
        }))
    }

    /// Wakes idle job workers (call after committing an enqueue).
    pub fn wake_workers(&self) {
        self.jobs_wake.notify_waiters();
    }
}

impl Deref for Services {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// reqwest and lettre are built without a default TLS crypto provider (aws-lc-rs costs ~45 s
/// of cold build); this installs ring's, once per process.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
