//! The incident desk under failure and contention: a batch whose transaction fails is settled
//! request by request, each other call's change applied exactly once; and job claims, webhooks
//! and API writes arriving together never meet a busy database.

use serde::{Deserialize, Serialize};
use serde_json::json;
use switchboard::db::{Db, Tx};
use switchboard::hotline::demo;
use switchboard::hotline::desk::{DeskError, LineRef, Request, Target};
use switchboard::hotline::model::incident::Command;
use switchboard::hotline::store::incidents;
use switchboard::jobs::{self, EnqueueOptions, Job, JobContext};

use crate::support::{TestApp, TestOptions};

/// Monday 14:00 in New York: business hours.
const MONDAY_AFTERNOON: &str = "2026-03-02T19:00:00Z";
/// The caller whose incident the database refuses to store.
const POISON: &str = "+15550000666";

async fn seeded(options: TestOptions) -> TestApp {
    let app = TestApp::spawn_with(options).await;
    app.clock.set(MONDAY_AFTERNOON.parse().unwrap());
    demo::seed(&app.state, app.org).await.unwrap();
    app
}

/// Makes the database refuse any incident of [`POISON`]: the whole transaction that tries fails.
async fn refuse_the_poisoned_caller(db: &Db) {
    let statements: &[&str] = match db {
        Db::Sqlite(_) => &["CREATE TRIGGER poison BEFORE INSERT ON incidents \
             WHEN NEW.caller_phone = '+15550000666' BEGIN SELECT RAISE(ABORT, 'forced failure'); END"],
        Db::Pg(_) => &[
            "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.caller_phone = '+15550000666' THEN RAISE EXCEPTION 'forced failure'; END IF; \
             RETURN NEW; END $$",
            "CREATE TRIGGER poison BEFORE INSERT ON incidents FOR EACH ROW EXECUTE FUNCTION poison()",
        ],
    };
    let mut tx = db.write().await.unwrap();
    for sql in statements {
        execute(&mut tx, sql).await;
    }
    tx.commit().await.unwrap();
}

async fn execute(tx: &mut Tx, sql: &'static str) {
    match tx {
        Tx::Sqlite(t, _) => sqlx::query(sql).execute(&mut **t).await.map(drop),
        Tx::Pg(t) => sqlx::query(sql).execute(&mut **t).await.map(drop),
    }
    .unwrap();
}

fn first_target(caller: &str, call_sid: &str) -> Request {
    Request {
        org: None,
        target: Target::Call {
            line: LineRef::Number(demo::LADDER_LINE.to_string()),
            caller: caller.to_string(),
            call_sid: Some(call_sid.to_string()),
        },
        command: Command::FirstTarget,
        request: json!({"callSid": call_sid}).to_string(),
    }
}

#[tokio::test]
async fn a_transaction_failing_in_a_group_commit_still_applies_each_other_call_exactly_once() {
    let app = seeded(TestOptions::default()).await;
    refuse_the_poisoned_caller(&app.state.db).await;

    // Hold the desk's next write, so the calls queue up and settle as one batch.
    let mut holding = app.state.db.write().await.unwrap();
    if let Tx::Pg(_) = holding {
        execute(&mut holding, "LOCK TABLE incidents IN EXCLUSIVE MODE").await;
    }
    // Twenty calls, the poisoned one eleventh. Whatever the desk took before it met the held
    // write, the rest queue behind it: the poisoned call shares its batch with ten others or
    // more.
    let calls: Vec<(&str, String)> = (0..20)
        .map(|i| match i {
            10 => (POISON, "CA99999999999999999999999999999999".to_string()),
            _ => ("+14155551234", format!("CA{i:032}")),
        })
        .collect();
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut pending = Vec::new();
    for (caller, sid) in &calls {
        let desk = app.state.hotline.desk.clone();
        let request = first_target(caller, sid);
        let sent = sent.clone();
        pending.push(tokio::spawn(async move {
            // Counted in the same poll as the send (the queue has room): once all are
            // counted, all are queued.
            sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            desk.submit(request).await
        }));
    }
    while sent.load(std::sync::atomic::Ordering::SeqCst) < calls.len() {
        tokio::task::yield_now().await;
    }
    holding.commit().await.unwrap();

    let mut outcomes = futures::future::join_all(pending).await;
    let poisoned = outcomes.remove(10);
    let good: Vec<String> = calls
        .iter()
        .filter(|(c, _)| *c != POISON)
        .map(|(_, s)| s.clone())
        .collect();
    let refused = poisoned.unwrap();
    assert!(
        matches!(refused, Err(DeskError::Store(_))),
        "the poisoned call fails: {refused:?}"
    );
    for (sid, outcome) in good.iter().zip(outcomes) {
        let outcome = outcome.unwrap().unwrap_or_else(|e| panic!("{sid}: {e}"));
        assert_eq!(outcome.state.attempts.len(), 1, "{sid}");
        let (_, incident) = incidents::find_by_call(&app.state.db, sid)
            .await
            .unwrap()
            .unwrap();
        let attempts = incidents::attempts(&app.state.db, app.org, incident.id)
            .await
            .unwrap();
        let people: Vec<_> = attempts
            .iter()
            .map(|a| (a.attempt.person_name.as_str(), a.attempt.result.as_str()))
            .collect();
        assert_eq!(people, vec![("Ada Lovelace", "dialing")], "{sid}");
        let events = incidents::events(&app.state.db, app.org, incident.id)
            .await
            .unwrap();
        let mut kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        kinds.sort_unstable();
        assert_eq!(
            kinds,
            vec!["created", "next_target", "next_target_request"],
            "{sid}: each event once"
        );
    }
    let sql = "SELECT COUNT(*) FROM incidents";
    let count: i64 = switchboard::with_db!(&app.state.db, p =>
        sqlx::query_scalar(sql).fetch_one(p).await)
    .unwrap();
    assert_eq!(
        count, 19,
        "one incident per good call, none for the poisoned one"
    );
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    assert!(
        metrics.contains("hotline_desk_batches_split_total"),
        "the failed batch was settled request by request"
    );
    app.stop().await;
}

/// A job whose run is only its claim and its completion: two writes.
#[derive(Serialize, Deserialize)]
struct Chore {
    n: i64,
}

impl Job for Chore {
    const KIND: &'static str = "test_chore";
    type State = ();

    async fn run(self, _ctx: JobContext, (): ()) -> anyhow::Result<()> {
        Ok(())
    }
}

async fn chores_done(app: &TestApp) -> i64 {
    let sql = "SELECT COUNT(*) FROM jobs WHERE kind = 'test_chore' AND state = 'done'";
    switchboard::with_db!(&app.state.db, p => sqlx::query_scalar(sql).fetch_one(p).await).unwrap()
}

#[tokio::test]
async fn job_claims_webhooks_and_api_writes_at_once_never_meet_a_busy_database() {
    // With no busy timeout, a write that found the database locked would fail at once.
    let app = seeded(TestOptions {
        env: vec![
            ("SWITCHBOARD_SQLITE_BUSY_TIMEOUT_MS", "0".into()),
            ("WEBHOOK_SECRET", "studio-shared-secret".into()),
        ],
        jobs: Some(|kinds| kinds.register::<Chore>(())),
        ..TestOptions::default()
    })
    .await;
    let chores = async {
        let app = &app;
        for n in 0..60 {
            let now = app.clock.now_ms();
            let options = EnqueueOptions::default();
            jobs::enqueue_now(&app.state.db, Some(app.org), &Chore { n }, options, now)
                .await
                .unwrap();
            tokio::task::yield_now().await;
        }
    };
    // Four workers claiming and finishing jobs until every chore is done.
    let workers = futures::future::join_all((0..4).map(|_| async {
        while chores_done(&app).await < 60 {
            app.state.run_jobs().await?;
            tokio::task::yield_now().await;
        }
        anyhow::Ok(())
    }));
    let webhooks = futures::future::join_all((0..60).map(|i| {
        let body = json!({"callerPhone": "+14155551234", "callSid": format!("CA{i:032}")});
        let request = app
            .http
            .post(app.url("/api/telephony/next-target"))
            .bearer_auth("studio-shared-secret")
            .json(&body)
            .send();
        async move { request.await.unwrap().status().as_u16() }
    }));
    let shared = &app;
    let people = futures::future::join_all((0..60).map(|i| {
        let app = shared;
        let body = json!({"name": format!("Volunteer {i}"), "phone": format!("+1500555{i:04}"), "role": "agent"});
        async move { app.post_json("/api/v1/people", &app.token, &body).await.0.as_u16() }
    }));
    let ((), workers, webhooks, people) = tokio::join!(chores, workers, webhooks, people);
    for worker in workers {
        worker.expect("every claim and completion succeeds");
    }
    assert!(webhooks.iter().all(|s| *s == 200), "{webhooks:?}");
    assert!(people.iter().all(|s| *s == 201), "{people:?}");
    assert_eq!(chores_done(&app).await, 60);
    app.stop().await;
}
