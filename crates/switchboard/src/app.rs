//! The application: its shared state, the route table, and start-up.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;

use anyhow::Context as _;
use axum::Router;
use axum::extract::FromRef;
use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::jobs::{Registry, Workers};
use crate::notify::Mailer;
use crate::services::Services;
use crate::telephony::{SigningKeys, Telephony};

pub use crate::services::install_crypto_provider;
use crate::{accounts, hotline, http, jobs, notify, ops, telephony, ui};

/// The application's state: the services every module shares, and each module's own state
/// (reached by handlers through `FromRef`). Cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub services: Services,
    pub hotline: hotline::Hotline,
    pub sign_in_limits: Arc<accounts::signin::SignInLimits>,
    pub signing_keys: SigningKeys,
    pub webhook_answers: http::idempotency::Answers,
    pub registry: Registry,
}

/// The dashboard reads the services as `state.db`, `state.clock` and so on.
impl Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
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
        Self::with_jobs(config, clock, telephony, |kinds| kinds).await
    }

    /// Like [`AppState::new`], with `extra` adding job kinds to the application's (tests add
    /// their own).
    pub async fn with_jobs(
        config: Config,
        clock: Clock,
        telephony: Telephony,
        extra: impl FnOnce(Registry) -> Registry,
    ) -> anyhow::Result<AppState> {
        install_crypto_provider();
        // Install the metrics recorder before the first request, so nothing goes unrecorded.
        let _ = http::metrics::handle();
        let db = Db::connect_with(config.database_url.expose(), config.sqlite_settings()).await?;
        db.migrate().await?;
        let mailer = Mailer::from_url(config.smtp_url.as_ref().map(|s| s.expose()))?;
        let services = Services::new(db, config, clock, mailer, telephony);
        let signing_keys = SigningKeys::load(&services).await?;
        let webhook_answers = http::idempotency::Answers::default();
        let hotline = hotline::Hotline::start(&services, &signing_keys, &webhook_answers)?;
        let registry = extra(registry(&hotline));
        Ok(AppState {
            services,
            hotline,
            sign_in_limits: Arc::new(accounts::signin::SignInLimits::new()),
            signing_keys,
            webhook_answers,
            registry,
        })
    }

    /// Runs due schedules and jobs until none is due at the clock's time (tests and the CLI).
    pub async fn run_jobs(&self) -> anyhow::Result<usize> {
        jobs::worker::run_until_idle(&self.services, &self.registry).await
    }
}

/// Every job kind this version knows, with the state each needs.
pub fn registry(hotline: &hotline::Hotline) -> Registry {
    Registry::default()
        .register::<notify::DeliverEmail>(())
        .register::<jobs::maintenance::PurgeExpiredSessions>(())
        .register::<hotline::store::voicemail::VoicemailDeadline>(hotline.desk.clone())
        .register::<hotline::jobs::reminders::SendShiftReminders>(())
}

/// The route table.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(ops::router())
        .merge(accounts::api::router().with_state(state.services.clone()))
        .merge(telephony::outbox::api::router().with_state(state.services.clone()))
        .merge(crate::contacts::api::router().with_state(state.services.clone()))
        .merge(telephony::http::router())
        .merge(hotline::router().with_state(state.hotline.clone()))
        .merge(ui::router(&state))
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
    outbox: Option<telephony::outbox::jobs::Dispatcher>,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl Running {
    /// Stops taking requests and jobs, lets running jobs finish (or releases them), and waits.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        if let Some(workers) = self.workers.take() {
            workers.shutdown().await;
        }
        if let Some(outbox) = self.outbox.take() {
            outbox.shutdown().await;
        }
        self.server.await.context("server task")??;
        self.state.telephony.shutdown().await;
        self.state.db.close().await;
        Ok(())
    }
}

/// Serves `state` on `listener` under the configured HTTP limits, with `workers` job workers
/// and the outbox's dispatcher (0 for none: tests drive the queue and the outbox).
pub fn start(state: AppState, listener: TcpListener, workers: usize) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = router(state.clone());
    let limits = state.config.http;
    let server = tokio::spawn(http::serve::serve(listener, app, limits, async move {
        let _ = stopped.await;
    }));
    let (outbox, workers) = if workers > 0 {
        let worker = format!("outbox-{}", std::process::id());
        let settings =
            telephony::outbox::dispatch::DispatchSettings::from_config(&state.config.outbound);
        let outbox =
            telephony::outbox::jobs::Dispatcher::start(state.services.clone(), settings, worker);
        (
            Some(outbox),
            Some(Workers::start(&state.services, &state.registry, workers)),
        )
    } else {
        (None, None)
    };
    Ok(Running {
        addr,
        state,
        server,
        workers,
        outbox,
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
