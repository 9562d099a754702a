//! Item 6: stored input without limits. Each value must be refused with a 4xx naming its
//! field (docs/limits.md): oversized and duplicated emails, weekday lists, dates outside
//! 2000-2100, a Studio duration of 2^62, the same person primary and secondary on call,
//! control characters in text and phones, and a dashboard reminder time of 99:99.

use anyhow::Result;
use serde_json::{Value, json};

use crate::http::Answer;
use crate::report::{Check, Report};
use crate::setup::{B_LINE_NUMBER, Ctx};
use crate::webhooks::open_call;

pub async fn run(ctx: &Ctx, report: &mut Report) {
    let person = |name: &str, email: Option<String>, phone: Option<&str>| json!({ "name": name, "email": email, "phone": phone, "role": "viewer" });
    let people: [(&str, Value, &str); 4] = [
        (
            "a person with a 1 MB email",
            person(
                "Big Email",
                Some(format!("{}@example.org", "a".repeat(1 << 20))),
                None,
            ),
            "email",
        ),
        (
            "a person with a 255-character email (limit 254)",
            person(
                "Long Email",
                Some(format!("{}@example.org", "b".repeat(243))),
                None,
            ),
            "email",
        ),
        (
            "a person whose phone ends in a NUL byte",
            person("Nul Phone", None, Some("+14155551234\u{0}")),
            "phone",
        ),
        (
            "a person whose name holds a NUL byte",
            person("Nul\u{0}Name", None, None),
            "name",
        ),
    ];
    for (probe, body, field) in people {
        let a = ctx.b.post("/api/v1/people", &body).await;
        report.record(6, probe, a.map(|a| Check::field_refused(&a, field)));
    }
    let line = |emails: Vec<String>, weekdays: Vec<u8>| {
        json!({ "name": "Probe B line", "kind": "shift", "phone_number": B_LINE_NUMBER,
            "notify_emails": emails, "business_hours": { "weekdays": weekdays,
            "start_minute": 480, "end_minute": 1080, "holidays": [] } })
    };
    let five_days = vec![1, 2, 3, 4, 5];
    let lines: [(&str, Value, &str); 4] = [
        (
            "a line with 5,000 copies of one notification address",
            line(vec!["line@example.org".into(); 5000], five_days.clone()),
            "notify_emails",
        ),
        (
            "a line with 11 distinct notification addresses (limit 10)",
            line(
                (0..11).map(|i| format!("n{i}@example.org")).collect(),
                five_days.clone(),
            ),
            "notify_emails",
        ),
        (
            "a line whose business weekdays list has 100,000 entries",
            line(vec![], (0..100_000).map(|i| (i % 7 + 1) as u8).collect()),
            "weekdays",
        ),
        (
            "a line whose business weekdays repeat (8 entries)",
            line(vec![], vec![1, 1, 2, 3, 4, 5, 6, 7]),
            "weekdays",
        ),
    ];
    let path = format!("/api/v1/hotline/lines/{}", ctx.b_line);
    for (probe, body, field) in lines {
        let a = ctx.b.call(reqwest::Method::PUT, &path, Some(&body)).await;
        report.record(6, probe, a.map(|a| Check::field_refused(&a, field)));
    }
    let [ada, bob] = ctx.b_volunteers;
    let overrides: [(&str, &str, &str, &str); 2] = [
        (
            "an override starting in the year 0000",
            "0000-01-01",
            "2026-03-08",
            "starts_on",
        ),
        (
            "an override ending in 2101",
            "2026-03-02",
            "2101-01-01",
            "ends_on",
        ),
    ];
    for (probe, from, to, field) in overrides {
        let body = json!({ "person_id": ada, "starts_on": from, "ends_on": to });
        let a = ctx.b.post(&format!("{path}/overrides"), &body).await;
        report.record(6, probe, a.map(|a| Check::field_refused(&a, field)));
    }
    report.record(
        6,
        "the same person as primary and secondary of one on-call period",
        {
            let body = json!({ "primary_person_id": ada, "secondary_person_id": ada,
            "starts_at": "2026-03-02T09:00:00Z", "ends_at": "2026-03-09T09:00:00Z" });
            refused(ctx.b.post(&format!("{path}/oncall"), &body).await)
        },
    );
    report.record(
        6,
        "a weekly rotation naming the same person twice (primary = secondary)",
        {
            let body =
                json!({ "people": [bob, bob], "starts_at": "2026-04-06T09:00:00Z", "weeks": 2 });
            refused(ctx.b.post(&format!("{path}/oncall/rotation"), &body).await)
        },
    );
    report.record(
        6,
        "Studio completed with a duration of 2^62 seconds",
        studio_duration(ctx).await,
    );
    report.record(
        6,
        "the dashboard saves a line's reminder time 99:99",
        reminder(ctx).await,
    );
}

/// Any 4xx: which field an overlap names is the fix's choice.
fn refused(answer: Result<Answer>) -> Result<Check> {
    answer.map(|a| Check::judge(&a, (400..500).contains(&a.status)))
}

async fn studio_duration(ctx: &Ctx) -> Result<Check> {
    let call = open_call(ctx, &ctx.install_token, "+14155550102", &[]).await?;
    let body = json!({ "incidentId": call.incident, "duration": 1_i64 << 62 });
    let a = ctx
        .twilio
        .json(&ctx.install_token, "/api/telephony/completed", &body, &[])
        .await?;
    Ok(Check::field_refused(&a, "duration"))
}

/// The line page's settings form, as the browser sends it, with `reminder_time=99:99`; a
/// refusal must be a 4xx and leave the saved time alone.
async fn reminder(ctx: &Ctx) -> Result<Check> {
    let path = format!("/hotline/lines/{}", ctx.b_line);
    let before = ctx.b.read(&format!("/api/v1{path}")).await?;
    let mut fields: Vec<(&str, &str)> = vec![
        ("name", "Probe B line"),
        ("kind", "shift"),
        ("phone_number", B_LINE_NUMBER),
        ("time_zone", "America/New_York"),
        ("ring_strategy", "sequential"),
        ("ring_timeout_secs", "30"),
        ("notify_emails", ""),
        ("business_start", "08:00"),
        ("business_end", "18:00"),
        ("holidays", ""),
        ("reminder_time", "99:99"),
    ];
    fields.extend(["1", "2", "3", "4", "5"].map(|d| ("weekday", d)));
    let a = ctx.b_web.post(&path, &fields).await?;
    let after = ctx.b.read(&format!("/api/v1{path}")).await?;
    let kept = before["reminder_minute"] == after["reminder_minute"];
    let mut check = Check::field_refused(&a, "reminder_time");
    if !kept {
        check = Check::failed(format!(
            "{}; reminder_minute changed from {} to {}",
            a.brief(),
            before["reminder_minute"],
            after["reminder_minute"]
        ));
    }
    Ok(check)
}
