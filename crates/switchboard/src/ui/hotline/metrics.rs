//! A line's metrics over a range of days (the on-call routing API's key metrics: time to answer, attempts per
//! incident, exhausted incidents, average call duration) and a chart of incidents per day,
//! drawn as server-side SVG: no charting library, no script.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use maud::{Markup, html};
use serde::Deserialize;

use super::subnav;
use crate::app::AppState;
use crate::hotline::model::IncidentStatus;
use crate::hotline::store::incidents::{self, Incident, IncidentFilter, LineMetrics};
use crate::hotline::store::lines;
use crate::http::AppError;
use crate::ids::LineId;
use crate::ui::layout::{FieldError, form_error, page};
use crate::ui::web::{UiError, User};

const DEFAULT_DAYS: i64 = 30;
const MAX_DAYS: i64 = 366;

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct RangeForm {
    from: String,
    to: String,
}

/// The local dates `from..=to` (default: the last 30 days up to today).
fn range(q: &RangeForm, today: Date) -> Result<(Date, Date), AppError> {
    let date = |name: &str, raw: &str| -> Result<Option<Date>, AppError> {
        match raw.trim() {
            "" => Ok(None),
            raw => raw.parse::<Date>().map(Some).map_err(|_| {
                AppError::field(name, format!("'{raw}' is not a date like 2026-03-02"))
            }),
        }
    };
    let to = date("to", &q.to)?.unwrap_or(today);
    let from = match date("from", &q.from)? {
        Some(d) => d,
        None => to.checked_sub((DEFAULT_DAYS - 1).days()).unwrap_or(to),
    };
    if from > to {
        return Err(AppError::field("from", "must not be after to"));
    }
    if (to - from).get_days() as i64 >= MAX_DAYS {
        return Err(AppError::field(
            "from",
            format!("a range is at most {MAX_DAYS} days"),
        ));
    }
    Ok((from, to))
}

fn start_of(d: Date, tz: &TimeZone) -> i64 {
    d.to_zoned(tz.clone())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(0)
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<LineId>,
    Query(q): Query<RangeForm>,
) -> Result<Response, UiError> {
    let org = user.0.org;
    let line = lines::find_line(&state.db, org, id)
        .await
        .map_err(|e| user.refuse(e))?;
    let tz = line.time_zone.tz().clone();
    let today = state.clock.now().to_zoned(tz.clone()).date();
    let (status, error, (from, to)) = match range(&q, today) {
        Ok(r) => (StatusCode::OK, None, r),
        Err(AppError::BadRequest { field, message }) => {
            let fallback = range(&RangeForm::default(), today)?;
            (
                StatusCode::BAD_REQUEST,
                Some(FieldError { field, message }),
                fallback,
            )
        }
        Err(e) => return Err(user.refuse(e)),
    };
    let (start, end) = (
        start_of(from, &tz),
        start_of(to.checked_add(1.day()).unwrap_or(to), &tz),
    );
    let metrics = incidents::metrics(&state.db, org, id, start, end).await?;
    let filter = IncidentFilter {
        line_id: Some(id),
        from: Some(start),
        to: Some(end),
        limit: 100_000,
        ..IncidentFilter::default()
    };
    let found = incidents::list(&state.db, org, &filter).await?;
    let days = per_day(&found, from, to, &tz);
    let shown_from = if error.is_some() {
        q.from.clone()
    } else {
        from.to_string()
    };
    let shown_to = if error.is_some() {
        q.to.clone()
    } else {
        to.to_string()
    };
    let body = html! {
        (subnav(""))
        p.lead { a href=(format!("/hotline/lines/{id}")) { (line.name) } " · " (from) " to " (to) " (" (line.time_zone) ")" }
        form.filters method="get" action=(format!("/hotline/lines/{id}/metrics")) {
            label for="from" { "From" }
            input #from type="date" name="from" value=(shown_from) aria-invalid=[error.as_ref().filter(|e| e.is_about("from")).map(|_| "true")];
            label for="to" { "To" }
            input #to type="date" name="to" value=(shown_to) aria-invalid=[error.as_ref().filter(|e| e.is_about("to")).map(|_| "true")];
            button.secondary type="submit" { "Show" }
        }
        (form_error(error.as_ref()))
        (cards(&metrics))
        h2 { "Incidents per day" }
        (chart(&days))
    };
    Ok((
        status,
        page(
            &format!("{} · metrics", line.name),
            &user.0,
            "/hotline",
            body,
        ),
    )
        .into_response())
}

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |s| format!("{s:.1} s"))
}

fn cards(m: &LineMetrics) -> Markup {
    let items = [
        ("metric-incidents", "incidents", m.incidents.to_string()),
        ("metric-answered", "answered", m.answered.to_string()),
        (
            "metric-exhausted",
            "exhausted (nobody answered)",
            m.exhausted.to_string(),
        ),
        (
            "metric-time-to-answer",
            "mean time to answer",
            secs(m.mean_time_to_answer_secs),
        ),
        (
            "metric-attempts",
            "attempts per incident",
            m.mean_attempts_per_incident
                .map_or_else(|| "—".to_string(), |a| format!("{a:.1}")),
        ),
        (
            "metric-duration",
            "average call duration",
            secs(m.mean_call_duration_secs),
        ),
    ];
    html! {
        div.cards #metrics {
            @for (id, label, value) in items {
                div.card id=(id) { div.n { (value) } div.muted { (label) } }
            }
        }
    }
}

/// One day's incidents, by outcome.
#[derive(Clone, Debug, Default, PartialEq)]
struct Day {
    date: Option<Date>,
    answered: u32,
    exhausted: u32,
    other: u32,
}

impl Day {
    fn total(&self) -> u32 {
        self.answered + self.exhausted + self.other
    }

    /// The bar's stacked parts: (count below, count, class), empty parts left out.
    fn segments(&self) -> Vec<(u32, u32, &'static str)> {
        let mut below = 0;
        let mut parts = Vec::new();
        for (n, class) in [
            (self.answered, "answered"),
            (self.exhausted, "exhausted"),
            (self.other, "other"),
        ] {
            if n > 0 {
                parts.push((below, n, class));
                below += n;
            }
        }
        parts
    }
}

fn per_day(found: &[Incident], from: Date, to: Date, tz: &TimeZone) -> Vec<Day> {
    let mut days: Vec<Day> = from
        .series(1.day())
        .take_while(|d| *d <= to)
        .map(|d| Day {
            date: Some(d),
            ..Day::default()
        })
        .collect();
    for i in found {
        let Ok(t) = jiff::Timestamp::from_millisecond(i.created_at) else {
            continue;
        };
        let date = t.to_zoned(tz.clone()).date();
        let Some(day) = days.iter_mut().find(|d| d.date == Some(date)) else {
            continue;
        };
        if i.answered_at.is_some() {
            day.answered += 1;
        } else if i.status == IncidentStatus::Exhausted {
            day.exhausted += 1;
        } else {
            day.other += 1;
        }
    }
    days
}

/// Stacked bars per day: answered (green) under exhausted (red) under the rest (grey).
fn chart(days: &[Day]) -> Markup {
    const W: f64 = 760.0;
    const H: f64 = 220.0;
    const LEFT: f64 = 36.0;
    const BOTTOM: f64 = 28.0;
    const TOP: f64 = 12.0;
    let max = days.iter().map(Day::total).max().unwrap_or(0).max(1);
    let plot_h = H - BOTTOM - TOP;
    let slot = (W - LEFT - 8.0) / days.len().max(1) as f64;
    let bar = (slot * 0.7).max(1.0);
    let y = |n: f64| TOP + plot_h - n / f64::from(max) * plot_h;
    let ticks: Vec<u32> = {
        let step = (max as f64 / 4.0).ceil().max(1.0) as u32;
        (0..=max).step_by(step as usize).collect()
    };
    let label_every = (days.len() / 10).max(1);
    let total: u32 = days.iter().map(Day::total).sum();
    let summary = format!("{total} incidents over {} days", days.len());
    html! {
        figure.chart {
            svg #chart xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {W} {H}")) role="img" aria-label=(summary) {
                title { (summary) }
                @for t in &ticks {
                    line x1=(LEFT) x2=(W - 4.0) y1=(y(f64::from(*t))) y2=(y(f64::from(*t))) class="grid" {}
                    text x=(LEFT - 6.0) y=(y(f64::from(*t)) + 4.0) text-anchor="end" class="axis" { (t) }
                }
                @for (k, d) in days.iter().enumerate() {
                    @let x = LEFT + k as f64 * slot + (slot - bar) / 2.0;
                    @let date = d.date.map(|d| d.to_string()).unwrap_or_default();
                    g {
                        title { (date) ": " (d.answered) " answered, " (d.exhausted) " exhausted, " (d.other) " open or unanswered" }
                        @for (below, n, class) in d.segments() {
                            rect x=(format!("{x:.1}")) y=(format!("{:.1}", y(f64::from(below + n)))) width=(format!("{bar:.1}"))
                                height=(format!("{:.1}", f64::from(n) / f64::from(max) * plot_h)) class=(class) {}
                        }
                    }
                    @if k % label_every == 0 {
                        text x=(format!("{:.1}", x + bar / 2.0)) y=(H - 10.0) text-anchor="middle" class="axis" { (date.get(5..).unwrap_or("")) }
                    }
                }
            }
            figcaption {
                span.key.answered {} " answered " span.key.exhausted {} " exhausted " span.key.other {} " open or unanswered"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_defaults_to_thirty_days_and_names_a_bad_field() {
        let today: Date = "2026-03-02".parse().unwrap();
        let (from, to) = range(&RangeForm::default(), today).unwrap();
        assert_eq!((from.to_string(), to), ("2026-02-01".to_string(), today));
        let backwards = RangeForm {
            from: "2026-03-05".into(),
            to: "2026-03-01".into(),
        };
        assert!(
            matches!(range(&backwards, today), Err(AppError::BadRequest { field: Some(f), .. }) if f == "from")
        );
        let junk = RangeForm {
            from: String::new(),
            to: "soon".into(),
        };
        assert!(
            matches!(range(&junk, today), Err(AppError::BadRequest { field: Some(f), .. }) if f == "to")
        );
    }
}
