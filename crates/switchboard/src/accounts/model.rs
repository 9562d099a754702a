//! Account types and the rules that validate them. No I/O.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Invalid;

pub use crate::ids::OrgId;

#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Org {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
    pub twilio_account_sid: Option<String>,
    #[serde(skip)]
    pub twilio_auth_token: Option<String>,
    pub public_url: Option<String>,
    pub created_at: i64,
}

crate::text_enum! {
    /// What a person or token may do. Ordered: each role can do what the ones below it can.
    #[derive(PartialOrd, Ord)]
    pub enum Role {
        Viewer = "viewer",
        Agent = "agent",
        Manager = "manager",
        Admin = "admin",
        Owner = "owner",
    }
}

impl Role {
    /// True when this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Person {
    pub id: crate::ids::PersonId,
    pub name: String,
    pub email: Option<String>,
    /// E.164, e.g. +14155551234.
    pub phone: Option<String>,
    pub role: Role,
    pub available: bool,
    pub active: bool,
    /// Whether this person can sign in to the dashboard.
    pub has_login: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A new person as an API client sends it; [`NewPerson::validate`] turns it into clean values.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Role,
    #[serde(default = "yes")]
    pub available: bool,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A partial update of a person: absent fields stay as they are.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<Role>,
    pub available: Option<bool>,
    pub active: Option<bool>,
}

impl NewPerson {
    pub fn validate(mut self) -> Result<NewPerson, Invalid> {
        self.name = clean_name(&self.name)?;
        self.email = self.email.as_deref().map(clean_email).transpose()?;
        self.phone = self.phone.as_deref().map(clean_phone).transpose()?;
        Ok(self)
    }
}

impl PersonPatch {
    pub fn validate(mut self) -> Result<PersonPatch, Invalid> {
        self.name = self.name.as_deref().map(clean_name).transpose()?;
        self.email = self.email.as_deref().map(clean_email).transpose()?;
        self.phone = self.phone.as_deref().map(clean_phone).transpose()?;
        Ok(self)
    }
}

pub fn clean_name(name: &str) -> Result<String, Invalid> {
    let name = crate::limits::text("name", name, crate::limits::NAME_CHARS)?;
    if name.is_empty() {
        return Err(Invalid::new("name", "must not be empty"));
    }
    Ok(name)
}

/// An email address, lowercased: at most 254 characters (64 before the `@`), no control
/// characters, and a deliberately small check of its form: one `@`, something on both
/// sides, a dot in the domain. Every email Switchboard stores passes through here.
pub fn clean_email(email: &str) -> Result<String, Invalid> {
    use crate::limits::{EMAIL_CHARS, EMAIL_LOCAL_CHARS};
    let email = crate::limits::text("email", email, EMAIL_CHARS)?.to_lowercase();
    let ok = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && local.chars().count() <= EMAIL_LOCAL_CHARS
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    };
    if !ok || email.contains(char::is_whitespace) || email.matches('@').count() != 1 {
        return Err(Invalid::new(
            "email",
            format!("'{email}' is not an email address"),
        ));
    }
    Ok(email)
}

/// Normalises a phone number to E.164 (default region US).
pub fn clean_phone(phone: &str) -> Result<String, Invalid> {
    crate::telephony::parse_e164(phone).map_err(|e| Invalid::new("phone", e))
}

/// A URL-safe organisation slug: lowercase letters, digits and dashes.
pub fn clean_slug(slug: &str) -> Result<String, Invalid> {
    let ok = !slug.is_empty()
        && slug.len() <= 64
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-');
    if !ok {
        return Err(Invalid::new(
            "slug",
            "use 1-64 lowercase letters, digits and dashes",
        ));
    }
    Ok(slug.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_from_viewer_to_owner() {
        assert!(Role::Owner.allows(Role::Admin));
        assert!(Role::Manager.allows(Role::Agent));
        assert!(!Role::Viewer.allows(Role::Agent));
        assert!(!Role::Admin.allows(Role::Owner));
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(*r));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn emails_are_lowercased_and_nonsense_is_refused() {
        assert_eq!(clean_email(" Ada@Example.ORG ").unwrap(), "ada@example.org");
        for bad in [
            "ada",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "a@@example.org",
            "a@.org",
        ] {
            assert!(clean_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slugs_allow_only_lowercase_digits_and_dashes() {
        assert!(clean_slug("community-line-2").is_ok());
        for bad in ["", "Caps", "a b", "-x", "ü"] {
            assert!(clean_slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_blank_name_is_refused_with_the_field() {
        let err = clean_name("   ").unwrap_err();
        assert_eq!(err.field, "name");
    }
}
