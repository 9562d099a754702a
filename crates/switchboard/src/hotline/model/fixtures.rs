//! People the model's tests share: the demo ladder line's, as `hotline::demo` seeds them.

use crate::accounts::Role;
use crate::hotline::model::Candidate;
use crate::ids::PersonId;

/// Someone with a phone of the demo's pattern (`+150055501` and the id), available and active.
pub(crate) fn person(id: i64, name: &str, role: Role) -> Candidate {
    Candidate {
        person_id: PersonId::new(id),
        name: name.into(),
        phone: Some(format!("+150055501{id:02}")),
        role,
        available: true,
        active: true,
    }
}

/// The demo ladder line's people: 11 Ada (primary), 12 Grace (secondary), 13 Alan admin, 14 Barbara
/// admin (unavailable), 15 Edsger manager, 16 Frances manager; pool 17 Ken, 18 Dennis,
/// 19 Margaret (inactive), 20 Linus, 21 John (no phone), 22 Radia.
pub(crate) fn demo_people() -> Vec<Candidate> {
    let mut people = vec![
        person(11, "Ada Lovelace", Role::Agent),
        person(12, "Grace Hopper", Role::Agent),
        person(13, "Alan Turing", Role::Admin),
        person(14, "Barbara Liskov", Role::Admin),
        person(15, "Edsger Dijkstra", Role::Manager),
        person(16, "Frances Allen", Role::Manager),
        person(17, "Ken Thompson", Role::Agent),
        person(18, "Dennis Ritchie", Role::Agent),
        person(19, "Margaret Hamilton", Role::Agent),
        person(20, "Linus Torvalds", Role::Agent),
        person(21, "John McCarthy", Role::Agent),
        person(22, "Radia Perlman", Role::Agent),
    ];
    people[3].available = false;
    people[8].active = false;
    people[10].phone = None;
    people
}
