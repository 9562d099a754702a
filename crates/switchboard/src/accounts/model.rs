//! Account types and the rules that validate them. No I/O.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::error::AppError;

/// The organisation every row belongs to. Every query filters by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgId(pub i64);

#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Org {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub twilio_account_sid: Option<String>,
    #[serde(skip)]
    pub twilio_auth_token: Option<String>,
    pub public_url: Option<String>,
    pub created_at: i64,
}

/// What a person or token may do. Ordered: each role can do what the ones below it can.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Agent,
    Manager,
    Admin,
    Owner,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::Manager,
        Role::Agent,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Agent => "agent",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// True when this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Person {
    pub id: i64,
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
    pub fn validate(mut self) -> Result<NewPerson, AppError> {
        self.name = clean_name(&self.name)?;
        self.email = self.email.as_deref().map(clean_email).transpose()?;
        self.phone = self.phone.as_deref().map(clean_phone).transpose()?;
        Ok(self)
    }
}

impl PersonPatch {
    pub fn validate(mut self) -> Result<PersonPatch, AppError> {
        self.name = self.name.as_deref().map(clean_name).transpose()?;
        self.email = self.email.as_deref().map(clean_email).transpose()?;
        self.phone = self.phone.as_deref().map(clean_phone).transpose()?;
        Ok(self)
    }
}

pub fn clean_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::field("name", "must not be empty"));
    }
    if name.chars().count() > 200 {
        return Err(AppError::field("name", "must be at most 200 characters"));
    }
    Ok(name.to_string())
}

/// A deliberately small check: one `@`, something on both sides, a dot in the domain.
pub fn clean_email(email: &str) -> Result<String, AppError> {
    let email = email.trim().to_lowercase();
    let ok = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    };
    if !ok || email.contains(char::is_whitespace) || email.matches('@').count() != 1 {
        return Err(AppError::field(
            "email",
            format!("'{email}' is not an email address"),
        ));
    }
    Ok(email)
}

/// Normalises a phone number to E.164 (default region US).
pub fn clean_phone(phone: &str) -> Result<String, AppError> {
    crate::telephony::parse_e164(phone).map_err(|e| AppError::field("phone", e))
}

/// A URL-safe organisation slug: lowercase letters, digits and dashes.
pub fn clean_slug(slug: &str) -> Result<String, AppError> {
    let ok = !slug.is_empty()
        && slug.len() <= 64
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-');
    if !ok {
        return Err(AppError::field(
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
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
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
        assert!(matches!(err, AppError::BadRequest { field: Some(f), .. } if f == "name"));
    }
}
