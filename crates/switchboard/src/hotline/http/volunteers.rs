//! The volunteer line's `GET /callrouting/volunteers/<line id>/<day>/<hour>`: who is on shift on a line
//! in that hour of the week, as JSON, or as an HTML table when a browser asks.
//!
//! Authorised by a dashboard session or a Bearer API token; organisation-scoped, so another
//! organisation's line is 404.

use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use maud::html;
use serde::Serialize;

use crate::accounts::{OrgId, Role};
use crate::hotline::model::Shift;
use crate::hotline::model::hours::{weekday_name, weekday_number};
use crate::hotline::model::shifts::{format_hhmm, on_shift_in_hour};
use crate::hotline::store::{lines, roster};
use crate::http::auth::{SessionUser, bearer};
use crate::http::{ApiCaller, AppError, AppResult};
use crate::ids::LineId;
use crate::ids::PersonId;
use crate::services::Services;

pub fn router() -> Router<crate::hotline::Hotline> {
    Router::new().route(
        "/callrouting/volunteers/{line}/{day}/{hour}",
        get(volunteers),
    )
}

/// The organisation of a signed-in user or of an API token (Bearer wins when sent).
pub struct OrgCaller(pub OrgId);

impl<S> FromRequestParts<S> for OrgCaller
where
    S: Send + Sync,
    Services: axum::extract::FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        if bearer(&parts.headers).is_some() {
            let caller = ApiCaller::from_request_parts(parts, state).await?;
            caller.require(Role::Viewer)?;
            return Ok(OrgCaller(caller.org));
        }
        let user = SessionUser::from_request_parts(parts, state).await?;
        user.require(Role::Viewer)?;
        Ok(OrgCaller(user.0.org))
    }
}

/// One person on shift in the hour asked about.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Volunteer {
    pub id: PersonId,
    pub name: String,
    pub phone: Option<String>,
    /// Local start of their shift, "09:00".
    pub start: String,
    /// Local end of their shift, "17:00".
    pub end: String,
}

async fn volunteers(
    State(state): State<Services>,
    OrgCaller(org): OrgCaller,
    Path((line, day, hour)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let line_id: LineId = line
        .parse()
        .map_err(|_| AppError::field("line", format!("'{line}' is not a line id")))?;
    let weekday = weekday_number(&day).ok_or_else(|| {
        AppError::field(
            "day",
            format!("'{day}' is not a weekday name such as Monday"),
        )
    })?;
    let hour: u8 =
        hour.parse().ok().filter(|h| *h < 24).ok_or_else(|| {
            AppError::field("hour", format!("'{hour}' is not an hour from 0 to 23"))
        })?;
    let line = lines::find_line(&state.db, org, line_id).await?;
    let shifts = roster::shifts(&state.db, org, line.id).await?;
    let people = roster::candidates(&state.db, org).await?;
    let list: Vec<Volunteer> = on_shift_in_hour(&shifts, weekday, hour)
        .into_iter()
        .filter_map(|id| {
            let person = people.iter().find(|p| p.person_id == id)?;
            let shift = covering_shift(&shifts, id, weekday, hour)?;
            Some(Volunteer {
                id,
                name: person.name.clone(),
                phone: person.phone.clone(),
                start: format_hhmm(shift.start_minute),
                end: format_hhmm(shift.end_minute),
            })
        })
        .collect();
    if prefers_html(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok())) {
        let title = format!("{} — {} {hour:02}:00", line.name, weekday_name(weekday));
        return Ok(Html(table(&title, &list)).into_response());
    }
    Ok(axum::Json(list).into_response())
}

/// The first shift of `person` overlapping `hour` on `weekday`.
fn covering_shift(shifts: &[Shift], person: PersonId, weekday: u8, hour: u8) -> Option<&Shift> {
    let from = u16::from(hour) * 60;
    shifts
        .iter()
        .filter(|s| s.person_id == person && s.weekday == weekday)
        .filter(|s| s.start_minute < from + 60 && from < s.end_minute)
        .min_by_key(|s| s.start_minute)
}

fn table(title: &str, list: &[Volunteer]) -> String {
    html! {
        (maud::DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (title) } }
            body {
                h1 { (title) }
                @if list.is_empty() {
                    p { "Nobody is on shift in this hour." }
                } @else {
                    table {
                        thead { tr { th { "Name" } th { "Phone" } th { "From" } th { "To" } } }
                        tbody {
                            @for v in list {
                                tr {
                                    td { (v.name) }
                                    td { (v.phone.as_deref().unwrap_or("")) }
                                    td { (v.start) }
                                    td { (v.end) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    .into_string()
}

/// True when `accept` ranks text/html above application/json (q-values, `*/*` and `text/*`
/// count); equal preference answers JSON.
pub fn prefers_html(accept: Option<&str>) -> bool {
    let Some(accept) = accept else {
        return false;
    };
    let quality = |wanted: &str| -> f32 {
        let (major, _) = wanted.split_once('/').unwrap_or((wanted, ""));
        let mut best: Option<(u8, f32)> = None;
        for item in accept.split(',') {
            let mut parts = item.split(';').map(str::trim);
            let range = parts.next().unwrap_or("").to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let specificity = if range == wanted {
                3
            } else if range == format!("{major}/*") {
                2
            } else if range == "*/*" {
                1
            } else {
                continue;
            };
            if best.is_none_or(|(s, _)| specificity > s) {
                best = Some((specificity, q));
            }
        }
        best.map_or(0.0, |(_, q)| q)
    };
    quality("text/html") > quality("application/json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_get_html_and_everyone_else_json() {
        let cases = [
            (None, false),
            (Some("*/*"), false),
            (Some("application/json"), false),
            (Some("text/html"), true),
            (
                Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
                true,
            ),
            (Some("application/json, text/html;q=0.5"), false),
            (Some("text/*"), true),
            (Some("application/json;q=0.2, text/html;q=0.4"), true),
        ];
        for (accept, want) in cases {
            assert_eq!(prefers_html(accept), want, "{accept:?}");
        }
    }

    #[test]
    fn the_covering_shift_is_the_earliest_overlapping_the_hour() {
        let s = |id, person: i64, weekday, start: u16, end: u16| Shift {
            id,
            person_id: PersonId::new(person),
            weekday,
            start_minute: start * 60,
            end_minute: end * 60,
        };
        let shifts = [s(1, 7, 1, 9, 17), s(2, 7, 1, 17, 21), s(3, 8, 2, 9, 17)];
        assert_eq!(
            covering_shift(&shifts, PersonId::new(7), 1, 16).map(|s| s.id),
            Some(1)
        );
        assert_eq!(
            covering_shift(&shifts, PersonId::new(7), 1, 17).map(|s| s.id),
            Some(2)
        );
        assert_eq!(covering_shift(&shifts, PersonId::new(7), 1, 21), None);
        assert_eq!(covering_shift(&shifts, PersonId::new(8), 1, 10), None);
    }
}
