//! Who may change whom: the one rule for people and API tokens that the API (a token) and the
//! dashboard (a signed-in person) both ask, so neither can do what the other refuses.
//!
//! Only admins and owners add, change or delete people and manage tokens; nobody touches
//! someone (or a token) whose role is above their own or grants a role above their own; and
//! nobody changes their own role, deactivates or deletes themselves. So an admin, whichever
//! way they ask, cannot deactivate, demote or delete the owner, nor revoke an owner's token.

use super::model::{Person, PersonPatch, Role};
use crate::http::AppError;
use crate::ids::PersonId;

/// Who is asking: a signed-in person, or an API token, which acts for no one person.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub role: Role,
    /// The person signed in; `None` for an API token.
    pub person: Option<PersonId>,
}

const ABOVE: &str = "nobody changes someone whose role is above their own";
const TOKEN_ABOVE: &str = "nobody revokes a token whose role is above their own";
const ADMINS_ONLY: &str = "only admins and owners add or change people and tokens";

/// May `actor` add a person (`target` None) or change `target`, who then has `role`?
pub fn may_change(actor: &Actor, target: Option<&Person>, role: Role) -> Result<(), AppError> {
    if target.is_some_and(|t| t.role > actor.role) {
        return Err(AppError::Forbidden(ABOVE));
    }
    if !actor.role.allows(Role::Admin) {
        return Err(AppError::Forbidden(ADMINS_ONLY));
    }
    may_grant(actor, role)
}

/// May `actor` apply `patch` to `target`? As [`may_change`], and nobody changes their own role
/// or deactivates themselves (they would lock themselves out).
pub fn may_edit(actor: &Actor, target: &Person, patch: &PersonPatch) -> Result<(), AppError> {
    may_change(actor, Some(target), patch.role.unwrap_or(target.role))?;
    let own = actor.person == Some(target.id);
    if own && patch.role.is_some_and(|r| r != target.role) {
        return Err(AppError::field("role", "you cannot change your own role"));
    }
    if own && patch.active == Some(false) {
        return Err(AppError::field("active", "you cannot deactivate yourself"));
    }
    Ok(())
}

/// May `actor` delete `target`?
pub fn may_delete(actor: &Actor, target: &Person) -> Result<(), AppError> {
    may_change(actor, Some(target), target.role)?;
    if actor.person == Some(target.id) {
        return Err(AppError::Forbidden("you cannot delete yourself"));
    }
    Ok(())
}

/// May `actor` give a person or a new token `role`? Never a role above their own.
pub fn may_grant(actor: &Actor, role: Role) -> Result<(), AppError> {
    if role > actor.role {
        return Err(AppError::field(
            "role",
            format!("nobody grants a role above their own ({})", actor.role),
        ));
    }
    Ok(())
}

/// May `actor` revoke a token with role `token`?
pub fn may_revoke(actor: &Actor, token: Role) -> Result<(), AppError> {
    if token > actor.role {
        return Err(AppError::Forbidden(TOKEN_ABOVE));
    }
    if !actor.role.allows(Role::Admin) {
        return Err(AppError::Forbidden(ADMINS_ONLY));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, person: Option<i64>) -> Actor {
        Actor {
            role,
            person: person.map(PersonId::new),
        }
    }

    fn person(id: i64, role: Role) -> Person {
        Person {
            id: PersonId::new(id),
            name: "Target".into(),
            email: None,
            phone: None,
            role,
            available: true,
            active: true,
            has_login: false,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn only_admins_and_owners_change_people_and_never_above_their_own_role() {
        let table = [
            (Role::Viewer, None, Role::Viewer, false),
            (Role::Manager, Some(Role::Agent), Role::Agent, false),
            (Role::Admin, None, Role::Admin, true),
            (Role::Admin, None, Role::Owner, false),
            (Role::Admin, Some(Role::Owner), Role::Agent, false),
            (Role::Admin, Some(Role::Owner), Role::Owner, false),
            (Role::Admin, Some(Role::Agent), Role::Manager, true),
            (Role::Owner, Some(Role::Owner), Role::Owner, true),
        ];
        for (who, target, role, allowed) in table {
            let target = target.map(|r| person(2, r));
            for a in [actor(who, Some(1)), actor(who, None)] {
                let got = may_change(&a, target.as_ref(), role).is_ok();
                assert_eq!(got, allowed, "{a:?} changing {target:?} to {role}");
            }
        }
    }

    #[test]
    fn an_admin_token_or_session_cannot_deactivate_demote_or_delete_the_owner() {
        let owner = person(1, Role::Owner);
        for admin in [actor(Role::Admin, None), actor(Role::Admin, Some(2))] {
            for patch in [
                PersonPatch {
                    active: Some(false),
                    ..PersonPatch::default()
                },
                PersonPatch {
                    role: Some(Role::Admin),
                    ..PersonPatch::default()
                },
            ] {
                let err = may_edit(&admin, &owner, &patch).unwrap_err();
                assert!(matches!(err, AppError::Forbidden(ABOVE)), "{err}");
            }
            assert!(matches!(
                may_delete(&admin, &owner),
                Err(AppError::Forbidden(ABOVE))
            ));
            assert!(matches!(
                may_revoke(&admin, Role::Owner),
                Err(AppError::Forbidden(_))
            ));
            assert!(may_revoke(&admin, Role::Admin).is_ok());
        }
        assert!(may_revoke(&actor(Role::Manager, None), Role::Viewer).is_err());
    }

    #[test]
    fn nobody_changes_their_own_role_or_deactivates_or_deletes_themselves() {
        let me = actor(Role::Owner, Some(7));
        let patch = |role, active| PersonPatch {
            role: Some(role),
            active: Some(active),
            ..PersonPatch::default()
        };
        let owner = |id| person(id, Role::Owner);
        assert!(may_edit(&me, &owner(7), &patch(Role::Owner, true)).is_ok());
        assert!(may_edit(&me, &owner(7), &patch(Role::Admin, true)).is_err());
        assert!(may_edit(&me, &owner(7), &patch(Role::Owner, false)).is_err());
        assert!(may_edit(&me, &owner(8), &patch(Role::Viewer, false)).is_ok());
        assert!(may_delete(&me, &owner(7)).is_err());
        assert!(may_delete(&me, &owner(8)).is_ok());
    }
}
