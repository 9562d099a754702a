//! The application: its shared state, the route table, and start-up.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, RwLock};

use anyhow::Context as _;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::jobs::{Registry, Workers};
use crate::notify::Mailer;
use crate::telephony::Telephony;
use crate::{accounts, hotline, http, jobs, notify, ops, telephony, ui};

pub struct AppInner {
    pub db: Db,
    pub config: Config,
    pub clock: Clock,
    pub registry: Registry,
    /// Woken after an enqueue so idle workers look at once instead of at their next poll.
    pub jobs_wake: Arc<Notify>,
    pub mailer: Mailer,
    pub telephony: Telephony,
    pub login_throttle: accounts::api::LoginThrottle,
    /// Auth tokens of organisations' own Twilio accounts, besides the configured one; a
    /// webhook signed with any of them is accepted. A std RwLock: read briefly, never held
    /// across an await.
    pub org_signing_tokens: RwLock<Vec<String>>,
    /// Applies incident changes in batches (see `hotline::desk`).
    pub desk: hotline::desk::Desk,
}

/// Cheap to clone: every handler and job holds one.
#[derive(Clone)]
pub struct AppState(Arc<AppInner>);

impl Deref for AppState {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

impl AppState {
    /// Connects the database, applies migrations, and builds the state. Telephony is given
    /// (the caller decides live or simulated).
    pub async fn new(
        config: Config,
        clock: Clock,
        telephony: Telephony,
    ) -> anyhow::Result<AppState> {
        Self::with_registry(config, clock, telephony, registry()).await
    }

    /// Like [`AppState::new`] with the given job kinds (tests add their own to [`registry`]).
    pub async fn with_registry(
        config: Config,
        clock: Clock,
        telephony: Telephony,
        registry: Registry,
    ) -> anyhow::Result<AppState> {
        install_crypto_provider();
        // Install the metrics recorder before the first request, so nothing goes unrecorded.
        let _ = http::metrics::handle();
        let db = Db::connect(config.database_url.expose()).await?;
        db.migrate().await?;
        let mailer = Mailer::from_url(config.smtp_url.as_ref().map(|s| s.expose()))?;
        let jobs_wake = Arc::new(Notify::new());
        let desk = hotline::desk::Desk::start(&db, clock.clone(), jobs_wake.clone())?;
        let state = AppState(Arc::new(AppInner {
            db,
            config,
            clock,
            registry,
            jobs_wake,
            mailer,
            telephony,
            login_throttle: accounts::api::LoginThrottle::new(),
            org_signing_tokens: RwLock::new(Vec::new()),
            desk,
        }));
        state.reload_signing_tokens().await?;
        Ok(state)
    }

    /// Whether `signed_with` holds for any auth token a webhook may be signed with: the
    /// configured one first, then each organisation's own.
    pub fn any_signing_token(&self, signed_with: impl Fn(&str) -> bool) -> bool {
        signed_with(self.config.twilio_auth_token.expose())
            || self
                .org_signing_tokens
                .read()
                .is_ok_and(|extra| extra.iter().any(|t| signed_with(t)))
    }

    pub async fn reload_signing_tokens(&self) -> anyhow::Result<()> {
        let tokens = accounts::store::org_auth_tokens(&self.db).await?;
        if let Ok(mut t) = self.org_signing_tokens.write() {
            *t = tokens;
        }
        Ok(())
    }

    /// Wakes idle job workers (call after committing an enqueue).
    pub fn wake_workers(&self) {
        self.jobs_wake.notify_waiters();
    }
}

/// Every job kind this version knows.
pub fn registry() -> Registry {
    Registry::default()
        .register::<notify::DeliverEmail>()
        .register::<jobs::maintenance::PurgeExpiredSessions>()
        .register::<hotline::store::voicemail::VoicemailDeadline>()
        .register::<hotline::jobs::reminders::SendShiftReminders>()
}

/// The route table.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(ops::router())
        .merge(accounts::api::router())
        .merge(telephony::http::router())
        .merge(hotline::router())
        .merge(ui::router())
        .fallback(ops::not_found)
        .layer(axum::middleware::from_fn(http::metrics::track))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            2 * 1024 * 1024,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            ops::panic_response,
        ))
        .with_state(state)
}

/// What a running server hands back: where it listens, and how to stop it.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    workers: Option<Workers>,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl Running {
    /// Stops taking requests and jobs, lets running jobs finish (or releases them), and waits.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        if let Some(workers) = self.workers.take() {
            workers.shutdown().await;
        }
        self.server.await.context("server task")??;
        self.state.telephony.shutdown().await;
        self.state.db.close().await;
        Ok(())
    }
}

/// Serves `state` on `listener`, with `workers` job workers (0 for none: tests drive the queue).
pub fn start(state: AppState, listener: TcpListener, workers: usize) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = router(state.clone());
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopped.await;
        })
        .await
    });
    let workers = (workers > 0).then(|| Workers::start(&state, workers));
    Ok(Running {
        addr,
        state,
        server,
        workers,
        stop,
    })
}

/// On an empty database: creates organisation `default` and its owner. Returns the owner's
/// email and, when it was generated, the password (shown once).
pub async fn bootstrap(state: &AppState) -> anyhow::Result<Option<(String, Option<String>)>> {
    if accounts::store::count_orgs(&state.db).await? > 0 {
        return Ok(None);
    }
    let now = state.clock.now_ms();
    // Several servers may start together on an empty database: the one whose insert wins
    // creates the owner; the others find `default` taken and carry on.
    let org = match accounts::store::create_org(&state.db, "default", "Default organisation", now)
        .await
    {
        Ok(org) => org,
        Err(crate::error::StoreError::Conflict { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let (password, generated) = match &state.config.admin_password {
        Some(p) => (p.expose().to_string(), false),
        None => (accounts::secrets::generate_password(), true),
    };
    let email = "admin@localhost".to_string();
    let owner = accounts::NewPerson {
        name: "Owner".into(),
        email: Some(email.clone()),
        phone: None,
        role: accounts::Role::Owner,
        available: true,
        active: true,
    };
    let hash = accounts::secrets::hash_password(&password)?;
    accounts::store::create_person(&state.db, org.id, &owner, Some(&hash), now).await?;
    Ok(Some((email, generated.then_some(password))))
}

/// reqwest and lettre are built without a default TLS crypto provider (aws-lc-rs costs ~45 s
/// of cold build); this installs ring's, once per process.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
