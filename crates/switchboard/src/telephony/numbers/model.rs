//! What a number is and who may own it, as values and pure rules: the owner kinds, a new
//! number's validation, and whether a number may be given to an owner.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Invalid;

crate::text_enum! {
    /// The job a number serves. Each job that answers calls or texts has one kind; a job
    /// registers its handlers for its kind at start (`super::registry`).
    pub enum OwnerKind {
        HotlineLine = "hotline-line",
        CalltoolCampaign = "calltool-campaign",
        DialerCampaign = "dialer-campaign",
        TextingSender = "texting-sender",
    }
}

impl OwnerKind {
    /// What the kind is called in sentences users read.
    pub fn label(self) -> &'static str {
        match self {
            OwnerKind::HotlineLine => "hotline line",
            OwnerKind::CalltoolCampaign => "call-tool campaign",
            OwnerKind::DialerCampaign => "dialer campaign",
            OwnerKind::TextingSender => "texting sender",
        }
    }
}

/// Who owns a number: a kind and the id of the job's own record (a line, a campaign...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Owner {
    pub kind: OwnerKind,
    pub id: i64,
}

impl Owner {
    /// The owner of a stored row: both columns set, or neither.
    pub fn from_columns(kind: Option<OwnerKind>, id: Option<i64>) -> Option<Owner> {
        Some(Owner {
            kind: kind?,
            id: id?,
        })
    }
}

/// What giving a number to `wanted` does, given who has it now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assignment {
    /// The number had no owner: it is `wanted`'s now.
    Assigned,
    /// `wanted` already had it (a retried request): nothing changes.
    Unchanged,
    /// Another owner has it: refused (409), naming that owner; release it first.
    Taken(Owner),
}

/// A number has at most one owner: it may be given to `wanted` only when it has none, and
/// giving it to its owner again changes nothing.
pub fn assign(current: Option<Owner>, wanted: Owner) -> Assignment {
    match current {
        None => Assignment::Assigned,
        Some(owner) if owner == wanted => Assignment::Unchanged,
        Some(owner) => Assignment::Taken(owner),
    }
}

/// The refusal of [`Assignment::Taken`]: names the number and its owner (by name when known).
pub fn taken_message(e164: &str, owner: Owner, name: Option<&str>) -> String {
    let who = match name {
        Some(name) => format!("{} '{name}'", owner.kind.label()),
        None => format!("{} {}", owner.kind.label(), owner.id),
    };
    format!("{e164} already belongs to {who}; release it there first")
}

/// A number to add; [`NewPhoneNumber::validate`] turns it into clean values.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPhoneNumber {
    /// E.164, or a US number in national form.
    pub e164: String,
    #[serde(default)]
    pub friendly_name: String,
}

impl NewPhoneNumber {
    pub fn validate(self) -> Result<NewPhoneNumber, Invalid> {
        let e164 = crate::telephony::parse_e164(&self.e164).map_err(|e| Invalid::new("e164", e))?;
        let friendly_name = crate::limits::text(
            "friendly_name",
            &self.friendly_name,
            crate::limits::LABEL_CHARS,
        )?;
        Ok(NewPhoneNumber {
            e164,
            friendly_name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE_3: Owner = Owner {
        kind: OwnerKind::HotlineLine,
        id: 3,
    };

    #[test]
    fn a_free_number_can_be_given_to_anyone() {
        assert_eq!(assign(None, LINE_3), Assignment::Assigned);
    }

    #[test]
    fn giving_a_number_to_its_owner_again_changes_nothing() {
        assert_eq!(assign(Some(LINE_3), LINE_3), Assignment::Unchanged);
    }

    #[test]
    fn an_owned_number_cannot_be_given_to_another_owner() {
        let other_line = Owner {
            kind: OwnerKind::HotlineLine,
            id: 4,
        };
        let campaign = Owner {
            kind: OwnerKind::DialerCampaign,
            id: 3,
        };
        for wanted in [other_line, campaign] {
            assert_eq!(assign(Some(LINE_3), wanted), Assignment::Taken(LINE_3));
        }
    }

    #[test]
    fn the_refusal_names_the_number_and_its_owner() {
        assert_eq!(
            taken_message("+15005550006", LINE_3, Some("Community Line")),
            "+15005550006 already belongs to hotline line 'Community Line'; release it there first"
        );
        assert_eq!(
            taken_message("+15005550006", LINE_3, None),
            "+15005550006 already belongs to hotline line 3; release it there first"
        );
    }

    #[test]
    fn an_owner_is_both_columns_or_none() {
        assert_eq!(
            Owner::from_columns(Some(OwnerKind::HotlineLine), Some(3)),
            Some(LINE_3)
        );
        assert_eq!(Owner::from_columns(None, None), None);
        assert_eq!(
            Owner::from_columns(Some(OwnerKind::HotlineLine), None),
            None
        );
    }

    #[test]
    fn owner_kinds_read_as_stored() {
        for kind in OwnerKind::ALL {
            assert_eq!(kind.as_str().parse::<OwnerKind>().unwrap(), *kind);
        }
        assert!("campaign".parse::<OwnerKind>().is_err());
    }

    #[test]
    fn a_new_number_is_normalised() {
        let new = NewPhoneNumber {
            e164: " +1 (415) 555-1234 ".into(),
            friendly_name: " Main line ".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(new.e164, "+14155551234");
        assert_eq!(new.friendly_name, "Main line");
    }

    #[test]
    fn a_bad_number_is_refused_naming_e164() {
        let err = NewPhoneNumber {
            e164: "12345".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(err.field, "e164");
    }
}
