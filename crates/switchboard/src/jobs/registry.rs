//! Job kinds: each is a serde struct with a `run`, registered once by name.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::accounts::OrgId;
use crate::ids::JobId;
use crate::services::Services;

/// What a running job gets: the services and which attempt this is.
#[derive(Clone)]
pub struct JobContext {
    pub services: Services,
    pub job_id: JobId,
    pub org: Option<OrgId>,
    /// 1 on the first run.
    pub attempt: i64,
}

pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stored name of this kind. Never rename one that has shipped.
    const KIND: &'static str;
    const MAX_ATTEMPTS: i64 = 8;
    /// What the job needs besides the services: its module's own state (the incident desk,
    /// say), given when the kind is registered; `()` for none.
    type State: Clone + Send + Sync + 'static;

    fn run(
        self,
        ctx: JobContext,
        state: Self::State,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

type BoxFuture = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;
type Runner = Arc<dyn Fn(JobContext, &str) -> BoxFuture + Send + Sync>;

/// Maps stored kind names to their `run`.
#[derive(Clone, Default)]
pub struct Registry {
    runners: HashMap<&'static str, Runner>,
}

impl Registry {
    /// Registers kind `J`, whose runs get `state`.
    pub fn register<J: Job>(mut self, state: J::State) -> Self {
        let runner: Runner = Arc::new(move |ctx: JobContext, payload: &str| {
            let parsed = serde_json::from_str::<J>(payload);
            let state = state.clone();
            Box::pin(async move {
                let job =
                    parsed.map_err(|e| anyhow::anyhow!("cannot read the job's payload: {e}"))?;
                job.run(ctx, state).await
            }) as BoxFuture
        });
        self.runners.insert(J::KIND, runner);
        self
    }

    pub fn run(&self, kind: &str, ctx: JobContext, payload: &str) -> Option<BoxFuture> {
        self.runners.get(kind).map(|r| r(ctx, payload))
    }

    pub fn kinds(&self) -> impl Iterator<Item = &&'static str> {
        self.runners.keys()
    }
}
