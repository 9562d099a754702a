//! Changing who takes calls. Every edit of shifts, overrides and on-call periods, from the API
//! or the dashboard, goes through here: validate, check that each person named belongs to the
//! organisation, store, and tell people whose shifts changed.

use super::input::{NewOnCall, NewOverride, NewShift};
use super::model::{Override, Shift};
use super::notices;
use super::store::lines;
use super::store::roster::{self, OnCallPeriod};
use crate::accounts::OrgId;
use crate::http::AppResult;
use crate::services::Services;

use crate::ids::LineId;

pub async fn add_shift(
    state: &Services,
    org: OrgId,
    line_id: LineId,
    input: NewShift,
) -> AppResult<Shift> {
    lines::find_line(&state.db, org, line_id).await?;
    let shift = input.validate()?;
    roster::require_person(&state.db, org, shift.person_id, "person_id").await?;
    let created = roster::add_shift(&state.db, org, line_id, &shift, state.clock.now_ms()).await?;
    notices::shift_changed(state, org, line_id, created.person_id, "added", &created).await?;
    Ok(created)
}

pub async fn remove_shift(
    state: &Services,
    org: OrgId,
    line_id: LineId,
    shift_id: i64,
) -> AppResult<Shift> {
    let removed = roster::delete_shift(&state.db, org, line_id, shift_id).await?;
    notices::shift_changed(state, org, line_id, removed.person_id, "removed", &removed).await?;
    Ok(removed)
}

pub async fn add_override(
    state: &Services,
    org: OrgId,
    line_id: LineId,
    input: NewOverride,
) -> AppResult<Override> {
    lines::find_line(&state.db, org, line_id).await?;
    let o = input.validate()?;
    roster::require_person(&state.db, org, o.person_id, "person_id").await?;
    if let Some(replaced) = o.replaces_person_id {
        roster::require_person(&state.db, org, replaced, "replaces_person_id").await?;
    }
    Ok(roster::add_override(&state.db, org, line_id, &o, state.clock.now_ms()).await?)
}

pub async fn add_oncall(
    state: &Services,
    org: OrgId,
    line_id: LineId,
    input: NewOnCall,
) -> AppResult<OnCallPeriod> {
    lines::find_line(&state.db, org, line_id).await?;
    let period = input.validate()?;
    for (person, field) in [
        (period.primary_person_id, "primary_person_id"),
        (period.secondary_person_id, "secondary_person_id"),
    ] {
        if let Some(p) = person {
            roster::require_person(&state.db, org, p, field).await?;
        }
    }
    Ok(roster::add_oncall_period(&state.db, org, line_id, &period, state.clock.now_ms()).await?)
}
