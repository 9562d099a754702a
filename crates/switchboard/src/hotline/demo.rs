//! The hotline part of `serve --demo` (documented in the README): the on-call routing API's field-service
//! ladder line and the volunteer line, in America/New_York, with simulated people
//! whose behaviour makes a rehearsal instructive.

use jiff::SignedDuration;

use super::model::ladder::DEFAULT_TIMEOUT_SECS;
use super::model::{BusinessHours, LineKind, RingStrategy, Shift};
use super::store::lines::{self, LineSettings};
use super::store::roster::{self, OnCallPeriod};
use crate::accounts::{self, NewPerson, OrgId, Role};
use crate::services::Services;

pub const LADDER_LINE: &str = "+15005550100";
pub const COMMUNITY_LINE: &str = "+15005550200";

struct DemoPerson {
    name: &'static str,
    phone: Option<&'static str>,
    role: Role,
    available: bool,
    active: bool,
}

const fn p(name: &'static str, phone: &'static str, role: Role) -> DemoPerson {
    DemoPerson {
        name,
        phone: Some(phone),
        role,
        available: true,
        active: true,
    }
}

const LADDER_PEOPLE: [DemoPerson; 12] = [
    p("Ada Lovelace", "+15005550111", Role::Agent),
    p("Grace Hopper", "+15005550112", Role::Agent),
    p("Alan Turing", "+15005550113", Role::Admin),
    DemoPerson {
        available: false,
        ..p("Barbara Liskov", "+15005550114", Role::Admin)
    },
    p("Edsger Dijkstra", "+15005550115", Role::Manager),
    p("Frances Allen", "+15005550116", Role::Manager),
    p("Ken Thompson", "+15005550117", Role::Agent),
    p("Dennis Ritchie", "+15005550118", Role::Agent),
    DemoPerson {
        active: false,
        ..p("Margaret Hamilton", "+15005550119", Role::Agent)
    },
    p("Linus Torvalds", "+15005550120", Role::Agent),
    DemoPerson {
        name: "John McCarthy",
        phone: None,
        role: Role::Agent,
        available: true,
        active: true,
    },
    p("Radia Perlman", "+15005550121", Role::Agent),
];

const COMMUNITY_PEOPLE: [DemoPerson; 3] = [
    p("Vera Rubin", "+15005550211", Role::Agent),
    p("Victor Vasarely", "+15005550212", Role::Agent),
    p("Wendy Carlos", "+15005550213", Role::Agent),
];

fn email_of(name: &str) -> String {
    format!("{}@example.org", name.to_lowercase().replace(' ', "."))
}

/// Seeds the demo lines into `org` (idempotent: nothing new if the ladder line exists), and
/// in simulated mode points their numbers at the voice webhook and scripts the people, which
/// the in-process simulator forgets on every start.
pub async fn seed(state: &Services, org: OrgId) -> anyhow::Result<()> {
    create(state, org).await?;
    if let Some(sim) = state.telephony.sim() {
        super::provision::provision_org(state, org).await?;
        behaviours(&sim.simulator);
    }
    Ok(())
}

async fn create(state: &Services, org: OrgId) -> anyhow::Result<()> {
    let db = &state.db;
    if lines::find_line_by_number(db, LADDER_LINE).await?.is_some() {
        return Ok(());
    }
    let now = state.clock.now_ms();
    let mut ids = std::collections::HashMap::new();
    for person in LADDER_PEOPLE.iter().chain(COMMUNITY_PEOPLE.iter()) {
        let new = NewPerson {
            name: person.name.to_string(),
            email: Some(email_of(person.name)),
            phone: person.phone.map(str::to_string),
            role: person.role,
            available: person.available,
            active: person.active,
        };
        let created = accounts::store::create_person(db, org, &new, None, now).await?;
        ids.insert(person.name, created.id);
    }
    let id = |name: &str| ids[name];
    let ny = crate::zone::Zone::parse("America/New_York")?;
    let ladder = LineSettings {
        name: "Field Service Emergency".into(),
        kind: LineKind::Ladder,
        phone_number: LADDER_LINE.into(),
        time_zone: ny.clone(),
        business_hours: BusinessHours::weekdays_8_to_6(),
        ring_strategy: RingStrategy::Sequential,
        ring_timeout_secs: DEFAULT_TIMEOUT_SECS,
        notify_emails: vec!["dispatch@example.org".into()],
        reminder_minute: 18 * 60,
    };
    let ladder = lines::create_line(db, org, &ladder, now).await?;
    let pool: Vec<crate::ids::PersonId> = [
        "Ken Thompson",
        "Dennis Ritchie",
        "Margaret Hamilton",
        "Linus Torvalds",
        "John McCarthy",
        "Radia Perlman",
    ]
    .iter()
    .map(|n| id(n))
    .collect();
    lines::set_pool(db, org, ladder.id, &pool).await?;
    let year = SignedDuration::from_hours(24 * 366).as_millis() as i64;
    let period = OnCallPeriod {
        id: 0,
        primary_person_id: Some(id("Ada Lovelace")),
        secondary_person_id: Some(id("Grace Hopper")),
        starts_at: now - year,
        ends_at: now + year,
    };
    roster::add_oncall_period(db, org, ladder.id, &period, now).await?;

    let community = LineSettings {
        name: "Community Line".into(),
        kind: LineKind::Shift,
        phone_number: COMMUNITY_LINE.into(),
        time_zone: ny,
        business_hours: BusinessHours::weekdays_8_to_6(),
        ring_strategy: RingStrategy::Sequential,
        ring_timeout_secs: 20,
        notify_emails: vec!["line@example.org".into()],
        reminder_minute: 18 * 60,
    };
    let community = lines::create_line(db, org, &community, now).await?;
    for line in [&ladder, &community] {
        super::jobs::reminders::sync_line(state, org, line).await?;
    }
    let mut shifts = Vec::new();
    for weekday in 1..=5u8 {
        shifts.push((id("Vera Rubin"), weekday, 9 * 60, 17 * 60));
        shifts.push((id("Victor Vasarely"), weekday, 17 * 60, 21 * 60));
    }
    for weekday in 6..=7u8 {
        shifts.push((id("Wendy Carlos"), weekday, 10 * 60, 16 * 60));
    }
    for (person_id, weekday, start_minute, end_minute) in shifts {
        let shift = Shift {
            id: 0,
            person_id,
            weekday,
            start_minute,
            end_minute,
        };
        roster::add_shift(db, org, community.id, &shift, now).await?;
    }
    Ok(())
}

/// Scripts the simulated people: Ada does not answer, Grace is busy, Alan answers and
/// presses 1; Vera lets it ring out to voicemail on her first call, Victor presses 1.
pub fn behaviours(sim: &twilio_sim::Simulator) {
    use twilio_sim::{Behaviour, Outcome};
    let answers = |press: &str| Behaviour {
        answer_after_secs: 4.0,
        press: vec![press.to_string()],
        talk_secs: 30.0,
        ..Behaviour::default()
    };
    sim.set_behaviour(
        "+15005550111",
        Behaviour {
            outcome: Outcome::NoAnswer,
            ..Behaviour::default()
        },
    );
    sim.set_behaviour(
        "+15005550112",
        Behaviour {
            outcome: Outcome::Busy,
            ..Behaviour::default()
        },
    );
    sim.set_behaviour("+15005550113", answers("1"));
    sim.set_behaviour("+15005550115", answers("1"));
    sim.set_behaviour("+15005550116", answers("1"));
    for tech in [
        "+15005550117",
        "+15005550118",
        "+15005550120",
        "+15005550121",
    ] {
        sim.set_behaviour(tech, answers("1"));
    }
    sim.set_behaviour(
        "+15005550211",
        Behaviour {
            outcome: Outcome::NoAnswer,
            ..Behaviour::default()
        },
    );
    sim.set_behaviour("+15005550212", answers("1"));
    sim.set_behaviour("+15005550213", answers("1"));
    // The caller of a rehearsal leaves a voicemail when nobody answers.
    sim.set_behaviour(
        "+14155551234",
        Behaviour {
            say: Some("Hello, my boiler is leaking in the basement, please call me back.".into()),
            ..Behaviour::default()
        },
    );
}
