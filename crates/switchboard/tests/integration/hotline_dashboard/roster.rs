//! The week grid (shifts added and removed, with notices; bad input named) and the ladder
//! editor (reordering saves; a duplicate step is refused).

use reqwest::StatusCode;
use switchboard::hotline::{self, store::lines};
use switchboard::notify;

use super::{cell, demo_app, line_ids};
use crate::support::web_session::WebSession;

#[tokio::test]
async fn the_week_grid_shows_vera_on_monday_at_nine_and_who_is_on_shift_now_and_next() {
    let app = demo_app().await;
    let (_, community) = line_ids(&app).await;
    let owner = WebSession::owner(&app).await;
    let html = owner.get(&format!("/hotline/lines/{community}")).await.html;
    assert!(
        cell(&html, 1, 9).contains("Vera Rubin"),
        "{}",
        cell(&html, 1, 9)
    );
    assert!(!cell(&html, 1, 8).contains("Vera Rubin"));
    assert!(cell(&html, 1, 17).contains("Victor Vasarely"));
    assert!(cell(&html, 6, 10).contains("Wendy Carlos"));
    assert!(
        cell(&html, 1, 14).starts_with(r#"<td class="now filled""#),
        "Monday 14:00 is highlighted: {}",
        cell(&html, 1, 14)
    );
    assert!(
        html.contains("On shift now: <strong>Vera Rubin</strong>"),
        "{html}"
    );
    assert!(html.contains("Next: from Mon 2026-03-02 17:00 EST, <strong>Victor Vasarely</strong>"));
    app.stop().await;
}

#[tokio::test]
async fn adding_and_removing_a_shift_changes_the_grid_and_queues_a_notice() {
    let app = demo_app().await;
    let (_, community) = line_ids(&app).await;
    let owner = WebSession::owner(&app).await;
    let page = format!("/hotline/lines/{community}");
    let people = switchboard::accounts::store::list_people(&app.state.db, app.org)
        .await
        .unwrap();
    let wendy = people
        .iter()
        .find(|p| p.name == "Wendy Carlos")
        .unwrap()
        .id
        .to_string();
    assert!(!cell(&owner.get(&page).await.html, 3, 6).contains("Wendy Carlos"));

    let fields = [
        ("person_id", wendy.as_str()),
        ("weekday", "3"),
        ("start", "06:00"),
        ("end", "08:30"),
    ];
    let added = owner
        .submit(&page, &format!("{page}/shifts"), &fields)
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let html = owner.get(&page).await.html;
    assert!(
        cell(&html, 3, 6).contains("Wendy Carlos") && cell(&html, 3, 8).contains("Wendy Carlos")
    );
    assert!(!cell(&html, 3, 9).contains("Wendy Carlos"));
    let emails = notify::store::list(&app.state.db, app.org, 10)
        .await
        .unwrap();
    assert_eq!(emails[0].to_addr, "wendy.carlos@example.org");
    assert!(
        emails[0]
            .body_text
            .contains("was added: Wednesday 06:00-08:30"),
        "{}",
        emails[0].body_text
    );

    let shift = hotline::store::roster::shifts(&app.state.db, app.org, community)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.weekday == 3 && s.start_minute == 360)
        .unwrap();
    let removed = owner
        .submit(&page, &format!("{page}/shifts/{}/delete", shift.id), &[])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.html);
    assert!(!cell(&owner.get(&page).await.html, 3, 6).contains("Wendy Carlos"));
    let emails = notify::store::list(&app.state.db, app.org, 10)
        .await
        .unwrap();
    assert!(
        emails[0]
            .body_text
            .contains("was removed: Wednesday 06:00-08:30")
    );
    app.run_jobs().await;
    app.stop().await;
}

#[tokio::test]
async fn a_shift_ending_before_it_starts_comes_back_naming_the_end_field() {
    let app = demo_app().await;
    let (_, community) = line_ids(&app).await;
    let owner = WebSession::owner(&app).await;
    let page = format!("/hotline/lines/{community}");
    let person = switchboard::accounts::store::list_people(&app.state.db, app.org)
        .await
        .unwrap()[1]
        .id
        .to_string();
    let fields = [
        ("person_id", person.as_str()),
        ("weekday", "2"),
        ("start", "17:00"),
        ("end", "09:00"),
    ];
    let refused = owner
        .submit(&page, &format!("{page}/shifts"), &fields)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.html);
    assert!(
        refused.html.contains(r#"data-field="end""#),
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains(r#"value="17:00""#),
        "what was typed stays"
    );
    let nobody = [
        ("person_id", ""),
        ("weekday", "2"),
        ("start", "09:00"),
        ("end", "10:00"),
    ];
    let refused = owner
        .submit(&page, &format!("{page}/shifts"), &nobody)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains(r#"data-field="person_id""#));
    let bad_override = [
        ("person_id", person.as_str()),
        ("starts_on", "2026-03-09"),
        ("ends_on", "2026-03-01"),
    ];
    let refused = owner
        .submit(&page, &format!("{page}/overrides"), &bad_override)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains(r#"data-field="ends_on""#));
    app.stop().await;
}

#[tokio::test]
async fn the_ladder_editor_saves_a_reordered_ladder_and_refuses_a_duplicate_step() {
    let app = demo_app().await;
    let (ladder, _) = line_ids(&app).await;
    let owner = WebSession::owner(&app).await;
    let page = format!("/hotline/lines/{ladder}");
    let action = format!("{page}/ladders/business");
    // The business ladder as the form posts it, with "move step 3 (admin) up".
    let mut fields = vec![];
    for kind in ["primary_oncall", "secondary", "admin", "manager"] {
        fields.extend([("kind", kind), ("timeout_secs", "30"), ("pool_size", "3")]);
    }
    fields[4] = ("timeout_secs", "25");
    let mut up = fields.clone();
    up.push(("action", "up:2"));
    let saved = owner.submit(&page, &action, &up).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let steps = lines::ladder(
        &app.state.db,
        app.org,
        ladder,
        hotline::model::Hours::Business,
    )
    .await
    .unwrap();
    let kinds: Vec<&str> = steps.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds, ["primary_oncall", "admin", "secondary", "manager"]);
    assert_eq!(
        steps[2].timeout_secs, 25,
        "the secondary's edited timeout moved with it"
    );

    let mut twice = fields.clone();
    twice[6] = ("kind", "manager");
    twice.push(("action", "save"));
    let refused = owner.submit(&page, &action, &twice).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.html);
    assert!(
        refused.html.contains(r#"data-field="[3].kind""#),
        "{}",
        refused.html
    );
    assert!(refused.html.contains("manager appears twice"));
    let unchanged = lines::ladder(
        &app.state.db,
        app.org,
        ladder,
        hotline::model::Hours::Business,
    )
    .await
    .unwrap();
    assert_eq!(unchanged, steps);

    let mut slow = fields.clone();
    slow[1] = ("timeout_secs", "500");
    slow.push(("action", "save"));
    let refused = owner.submit(&page, &action, &slow).await;
    assert!(refused.html.contains(r#"data-field="[0].timeout_secs""#));

    let removed = owner
        .submit(
            &page,
            &format!("{page}/pool"),
            &[("person", "not-a-person"), ("action", "save")],
        )
        .await;
    assert_eq!(removed.status, StatusCode::BAD_REQUEST);
    assert!(removed.html.contains(r#"data-field="people""#));
    app.stop().await;
}
