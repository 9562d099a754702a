//! The ladder editor (business and after-hours ladders: ordered steps with kind, ring timeout
//! and pool size) and the rotating pool's order. No script needed: each button posts the whole
//! list plus what to do with it (move a step, remove it, add one, save), and the result is
//! saved through the same validation as the API (`validate_ladder`, `set_pool`).

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};

use super::line::{LineView, refused};
use super::{Failure, Fields, field, fields_named};
use crate::accounts::Role;
use crate::accounts::store::Session;
use crate::app::AppState;
use crate::hotline::input::validate_ladder;
use crate::hotline::model::Hours;
use crate::hotline::model::ladder::{
    DEFAULT_POOL_SIZE, DEFAULT_TIMEOUT_SECS, LadderStep, StepKind,
};
use crate::hotline::store::lines;
use crate::http::AppError;
use crate::ids::LineId;
use crate::ids::PersonId;
use crate::ui::layout::{csrf, form_error};
use crate::ui::web::{UiError, User, see_other};

const POOL: &str = "pool";

fn form_name(hours: Hours) -> &'static str {
    match hours {
        Hours::Business => "ladder-business",
        Hours::After => "ladder-after",
    }
}

/// One step as the form carries it (text, so a refused value comes back as typed).
#[derive(Clone, Debug, PartialEq)]
struct Row {
    kind: String,
    timeout: String,
    pool: String,
}

impl Row {
    fn of(step: &LadderStep) -> Row {
        Row {
            kind: step.kind.as_str().to_string(),
            timeout: step.timeout_secs.to_string(),
            pool: step.pool_size.to_string(),
        }
    }

    fn step(&self, i: usize) -> Result<LadderStep, AppError> {
        let number = |raw: &str, name: &str| {
            raw.trim().parse::<u32>().map_err(|_| {
                AppError::field(
                    format!("[{i}].{name}"),
                    format!("'{raw}' is not a whole number"),
                )
            })
        };
        Ok(LadderStep {
            kind: self.kind.parse().map_err(|_| {
                AppError::field(
                    format!("[{i}].kind"),
                    format!("'{}' is not a step", self.kind),
                )
            })?,
            timeout_secs: number(&self.timeout, "timeout_secs")?,
            pool_size: number(&self.pool, "pool_size")?,
        })
    }
}

/// The steps a ladder form posted, in order.
fn rows(fields: &Fields) -> Vec<Row> {
    let kinds = fields_named(fields, "kind");
    let timeouts: Vec<&str> = fields_named(fields, "timeout_secs").collect();
    let pools: Vec<&str> = fields_named(fields, "pool_size").collect();
    kinds
        .enumerate()
        .map(|(i, kind)| Row {
            kind: kind.to_string(),
            timeout: timeouts.get(i).copied().unwrap_or("").to_string(),
            pool: pools.get(i).copied().unwrap_or("").to_string(),
        })
        .collect()
}

fn as_fields(rows: &[Row]) -> Fields {
    rows.iter()
        .flat_map(|r| {
            [
                ("kind".to_string(), r.kind.clone()),
                ("timeout_secs".to_string(), r.timeout.clone()),
                ("pool_size".to_string(), r.pool.clone()),
            ]
        })
        .collect()
}

/// Applies a button's action ("up:2", "down:0", "remove:1", "add", "save") to a list.
fn apply<T>(
    list: &mut Vec<T>,
    action: &str,
    add: impl FnOnce() -> Option<T>,
) -> Result<(), AppError> {
    let (verb, index) = match action.split_once(':') {
        Some((verb, i)) => (verb, i.parse::<usize>().ok()),
        None => (action, None),
    };
    let bad = || {
        AppError::field(
            "action",
            format!("'{action}' is not something this form does"),
        )
    };
    match (verb, index) {
        ("save", _) => {}
        ("add", _) => list.extend(add()),
        ("up", Some(i)) if i > 0 && i < list.len() => list.swap(i - 1, i),
        ("down", Some(i)) if i + 1 < list.len() => list.swap(i, i + 1),
        ("remove", Some(i)) if i < list.len() => {
            list.remove(i);
        }
        _ => return Err(bad()),
    }
    Ok(())
}

/// Both ladders and the pool.
pub fn editors(session: &Session, v: &LineView, failure: Option<&Failure>) -> Markup {
    html! {
        section.card #ladder {
            h2 { "Ladders" }
            p.muted { "Each step rings its people in turn for its timeout; the walk stops when someone answers. \
                Unavailable, inactive, already tried and phoneless people are skipped." }
            div.ladders {
                (ladder_form(session, v, Hours::Business, &v.business, failure))
                (ladder_form(session, v, Hours::After, &v.after, failure))
            }
        }
        (pool_form(session, v, failure))
    }
}

fn step_label(kind: &str) -> &'static str {
    match kind.parse() {
        Ok(StepKind::PrimaryOncall) => "Primary on call",
        Ok(StepKind::Secondary) => "Secondary on call",
        Ok(StepKind::Admin) => "Each admin",
        Ok(StepKind::Manager) => "Each manager",
        Ok(StepKind::RotatingPool) => "Rotating pool",
        Err(_) => "?",
    }
}

fn ladder_form(
    session: &Session,
    v: &LineView,
    hours: Hours,
    saved: &[LadderStep],
    failure: Option<&Failure>,
) -> Markup {
    let f = Failure::of(failure, form_name(hours));
    let list = match f {
        Some(f) => rows(&f.fields),
        None => saved.iter().map(Row::of).collect(),
    };
    let admin = session.role.allows(Role::Admin);
    let title = match hours {
        Hours::Business => "Business hours",
        Hours::After => "After hours",
    };
    let bad = |i: usize, name: &str| {
        f.filter(|f| f.error.is_about(&format!("[{i}].{name}")))
            .map(|_| "true")
    };
    let missing: Vec<StepKind> = StepKind::ALL
        .iter()
        .copied()
        .filter(|k| !list.iter().any(|r| r.kind == k.as_str()))
        .collect();
    html! {
        div.ladder id=(format!("ladder-{}", hours.as_str())) {
            h3 { (title) @if v.hours_now == hours { " " span.badge { "in force now" } } }
            (form_error(f.map(|f| &f.error)))
            form method="post" action=(format!("{}/ladders/{}", v.href(), hours.as_str())) {
                @if admin { (csrf(session)) }
                table.steps {
                    thead { tr { th { "#" } th { "Step" } th { "Rings (s)" } th { "Pool size" } @if admin { th {} } } }
                    tbody {
                        @for (i, r) in list.iter().enumerate() {
                            tr.step {
                                td { (i + 1) }
                                @if admin {
                                    td { select name="kind" aria-label=(format!("Step {}", i + 1)) aria-invalid=[bad(i, "kind")] {
                                        @for k in StepKind::ALL { option value=(k.as_str()) selected[k.as_str() == r.kind] { (step_label(k.as_str())) } }
                                    } }
                                    td { input.num type="number" name="timeout_secs" value=(r.timeout) aria-label=(format!("Step {} timeout", i + 1)) aria-invalid=[bad(i, "timeout_secs")]; }
                                    td { input.num type="number" name="pool_size" value=(r.pool) aria-label=(format!("Step {} pool size", i + 1)) aria-invalid=[bad(i, "pool_size")]; }
                                    td.moves {
                                        button.secondary.small type="submit" name="action" value=(format!("up:{i}")) disabled[i == 0] title="Move up" { "↑" }
                                        button.secondary.small type="submit" name="action" value=(format!("down:{i}")) disabled[i + 1 == list.len()] title="Move down" { "↓" }
                                        button.secondary.small type="submit" name="action" value=(format!("remove:{i}")) title="Remove" { "✕" }
                                    }
                                } @else {
                                    td { (step_label(&r.kind)) " " code { (r.kind) } }
                                    td { (r.timeout) }
                                    td { @if r.kind == StepKind::RotatingPool.as_str() { (r.pool) } @else { "—" } }
                                }
                            }
                        }
                    }
                }
                @if admin {
                    div.ladder-actions {
                        @if !missing.is_empty() {
                            select name="add_kind" aria-label="Step to add" {
                                @for k in &missing { option value=(k.as_str()) { (step_label(k.as_str())) } }
                            }
                            button.secondary type="submit" name="action" value="add" { "Add step" }
                        }
                        button type="submit" name="action" value="save" { "Save ladder" }
                    }
                }
            }
        }
    }
}

pub async fn save_ladder(
    State(state): State<AppState>,
    user: User,
    Path((id, hours)): Path<(LineId, String)>,
    Form(fields): Form<Fields>,
) -> Result<Response, UiError> {
    user.check_csrf(field(&fields, "_csrf"))?;
    user.require(Role::Admin)?;
    let org = user.0.org;
    lines::find_line(&state.db, org, id)
        .await
        .map_err(|e| user.refuse(e))?;
    let hours: Hours = hours
        .parse()
        .map_err(|_| user.refuse(AppError::NotFound("ladder")))?;
    let mut list = rows(&fields);
    let add_kind = field(&fields, "add_kind").to_string();
    let applied = apply(&mut list, field(&fields, "action"), || {
        Some(Row {
            kind: add_kind,
            timeout: DEFAULT_TIMEOUT_SECS.to_string(),
            pool: DEFAULT_POOL_SIZE.to_string(),
        })
    });
    let saved = async {
        applied?;
        let steps = list
            .iter()
            .enumerate()
            .map(|(i, r)| r.step(i))
            .collect::<Result<Vec<_>, _>>()?;
        validate_ladder(&steps)?;
        lines::set_ladder(&state.db, org, id, hours, &steps).await?;
        Ok::<(), AppError>(())
    }
    .await;
    match saved {
        Ok(()) => Ok(see_other(&format!(
            "/hotline/lines/{id}#ladder-{}",
            hours.as_str()
        ))),
        Err(e) => refused(&state, &user, id, form_name(hours), e, as_fields(&list)).await,
    }
}

fn pool_form(session: &Session, v: &LineView, failure: Option<&Failure>) -> Markup {
    let f = Failure::of(failure, POOL);
    let members: Vec<String> = match f {
        Some(f) => fields_named(&f.fields, "person")
            .map(str::to_string)
            .collect(),
        None => v.pool.iter().map(PersonId::to_string).collect(),
    };
    let admin = session.role.allows(Role::Admin);
    let candidates = v.people.all();
    let position = usize::try_from(v.line.pool_position).unwrap_or(0);
    html! {
        section.card #pool {
            h2 { "Rotating pool" }
            p.muted { "After hours, the rotating_pool step tries the next few eligible people of this list, \
                carrying on from where the last incident stopped. Saving the order starts again from the top." }
            (form_error(f.map(|f| &f.error)))
            form method="post" action=(format!("{}/pool", v.href())) {
                @if admin { (csrf(session)) }
                ol.pool {
                    @for (i, m) in members.iter().enumerate() {
                        @let c = candidates.iter().find(|c| c.person_id.to_string() == *m);
                        li {
                            input type="hidden" name="person" value=(m);
                            span.name { @match c { Some(c) => (c.name), None => { "person " (m) } } }
                            @if let Some(c) = c {
                                @if !c.active { " " span.state.state-failed { "inactive" } }
                                @else if !c.available { " " span.state { "unavailable" } }
                                @if c.phone.is_none() { " " span.state { "no phone" } }
                            }
                            @if f.is_none() && i == position % members.len().max(1) { " " span.badge { "next" } }
                            @if admin {
                                span.moves {
                                    button.secondary.small type="submit" name="action" value=(format!("up:{i}")) disabled[i == 0] title="Move up" { "↑" }
                                    button.secondary.small type="submit" name="action" value=(format!("down:{i}")) disabled[i + 1 == members.len()] title="Move down" { "↓" }
                                    button.secondary.small type="submit" name="action" value=(format!("remove:{i}")) title="Remove" { "✕" }
                                }
                            }
                        }
                    }
                }
                @if members.is_empty() { p.muted { "The pool is empty." } }
                @if admin {
                    div.ladder-actions {
                        select name="add_person" aria-label="Person to add" {
                            @for c in candidates.iter().filter(|c| !members.contains(&c.person_id.to_string())) {
                                option value=(c.person_id) { (c.name) }
                            }
                        }
                        button.secondary type="submit" name="action" value="add" { "Add to pool" }
                        button type="submit" name="action" value="save" { "Save order" }
                    }
                }
            }
        }
    }
}

pub async fn save_pool(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<LineId>,
    Form(fields): Form<Fields>,
) -> Result<Response, UiError> {
    user.check_csrf(field(&fields, "_csrf"))?;
    user.require(Role::Admin)?;
    let org = user.0.org;
    lines::find_line(&state.db, org, id)
        .await
        .map_err(|e| user.refuse(e))?;
    let mut members: Vec<String> = fields_named(&fields, "person")
        .map(str::to_string)
        .collect();
    let add = field(&fields, "add_person").trim().to_string();
    let applied = apply(&mut members, field(&fields, "action"), || {
        Some(add).filter(|a| !a.is_empty())
    });
    let saved = async {
        applied?;
        let people = members
            .iter()
            .map(|m| {
                m.parse::<PersonId>()
                    .map_err(|_| AppError::field("people", format!("'{m}' is not a person")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        lines::set_pool(&state.db, org, id, &people).await?;
        Ok::<(), AppError>(())
    }
    .await;
    match saved {
        Ok(()) => Ok(see_other(&format!("/hotline/lines/{id}#pool"))),
        Err(e) => {
            let echo = members
                .into_iter()
                .map(|m| ("person".to_string(), m))
                .collect();
            refused(&state, &user, id, POOL, e, echo).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladder_buttons_move_remove_and_add_and_refuse_what_they_cannot_do() {
        let mut list = vec![1, 2, 3];
        apply(&mut list, "up:2", || None).unwrap();
        assert_eq!(list, [1, 3, 2]);
        apply(&mut list, "down:0", || None).unwrap();
        assert_eq!(list, [3, 1, 2]);
        apply(&mut list, "remove:1", || None).unwrap();
        assert_eq!(list, [3, 2]);
        apply(&mut list, "add", || Some(9)).unwrap();
        assert_eq!(list, [3, 2, 9]);
        apply(&mut list, "save", || None).unwrap();
        assert!(apply(&mut list, "up:0", || None).is_err());
        assert!(apply(&mut list, "down:2", || None).is_err());
        assert!(apply(&mut list, "explode", || None).is_err());
    }
}
