//! A list of contacts: static (members added by hand or by an import) or smart (a saved
//! [`Filter`], evaluated each time the list is used, so a contact added later is on it). The
//! rules a list's values keep. No I/O.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::filter::Filter;
use crate::error::Invalid;
use crate::ids::{ContactId, ListId};
use crate::limits;

/// Contact ids per add or remove request.
pub const MEMBERS_PER_REQUEST: usize = 1000;

crate::text_enum! {
    /// Whether a list keeps its members or computes them.
    pub enum ListKind {
        Static = "static",
        Smart = "smart",
    }
}

/// A stored list.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct ContactList {
    pub id: ListId,
    pub name: String,
    pub kind: ListKind,
    /// A smart list's filter (see docs/contacts.md).
    #[schema(value_type = Option<Object>)]
    pub filter: Option<Filter>,
    /// The filter in words.
    pub filter_words: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A new list as a client sends it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListInput {
    pub name: String,
    pub kind: ListKind,
    /// Required for a smart list; refused for a static one.
    #[schema(value_type = Option<Object>)]
    pub filter: Option<Value>,
}

/// A change to a list: its name, and a smart list's filter.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListPatch {
    pub name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub filter: Option<Value>,
}

/// Contact ids to add to or remove from a static list.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIds {
    pub contact_ids: Vec<ContactId>,
}

/// A list's values after every rule has passed.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidList {
    pub name: String,
    pub kind: ListKind,
    pub filter: Option<Filter>,
}

impl ListInput {
    pub fn validate(&self) -> Result<ValidList, Invalid> {
        let name = list_name(&self.name)?;
        let filter = match (self.kind, &self.filter) {
            (ListKind::Smart, Some(json)) => Some(Filter::parse(json)?),
            (ListKind::Smart, None) => {
                return Err(Invalid::new("filter", "a smart list needs a filter"));
            }
            (ListKind::Static, Some(_)) => {
                return Err(Invalid::new(
                    "filter",
                    "a static list has members, not a filter: make it a smart list",
                ));
            }
            (ListKind::Static, None) => None,
        };
        Ok(ValidList {
            name,
            kind: self.kind,
            filter,
        })
    }
}

impl ListPatch {
    /// The list after the change.
    pub fn apply(&self, current: &ContactList) -> Result<ValidList, Invalid> {
        let name = match &self.name {
            Some(name) => list_name(name)?,
            None => current.name.clone(),
        };
        let filter = match (current.kind, &self.filter) {
            (ListKind::Static, Some(_)) => {
                return Err(Invalid::new("filter", "a static list has no filter"));
            }
            (_, Some(json)) => Some(Filter::parse(json)?),
            (_, None) => current.filter.clone(),
        };
        Ok(ValidList {
            name,
            kind: current.kind,
            filter,
        })
    }
}

/// A list's name: 1 to 200 characters.
pub fn list_name(name: &str) -> Result<String, Invalid> {
    let name = limits::text("name", name, limits::NAME_CHARS)?;
    if name.is_empty() {
        return Err(Invalid::new("name", "must not be empty"));
    }
    Ok(name)
}

/// The ids of one add or remove request: at least one, at most [`MEMBERS_PER_REQUEST`].
pub fn member_ids(ids: &[ContactId]) -> Result<(), Invalid> {
    if ids.is_empty() || ids.len() > MEMBERS_PER_REQUEST {
        return Err(Invalid::new(
            "contact_ids",
            format!("give 1 to {MEMBERS_PER_REQUEST} contact ids"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn input(value: Value) -> ListInput {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_smart_list_needs_a_filter_and_a_static_list_refuses_one() {
        let smart = json!({"name": "Volunteers", "kind": "smart",
                           "filter": {"all": [{"field": "tag", "op": "equals", "value": "volunteer"}]}});
        let valid = input(smart).validate().unwrap();
        assert_eq!(valid.filter.unwrap().all.len(), 1);
        let err = input(json!({"name": "V", "kind": "smart"}))
            .validate()
            .unwrap_err();
        assert_eq!(err.field, "filter");
        let err = input(json!({"name": "V", "kind": "static", "filter": {"all": []}}))
            .validate()
            .unwrap_err();
        assert_eq!(err.field, "filter");
    }

    #[test]
    fn a_list_name_is_one_to_two_hundred_characters() {
        assert_eq!(list_name("  ").unwrap_err().field, "name");
        assert!(list_name(&"x".repeat(200)).is_ok());
        assert_eq!(list_name(&"x".repeat(201)).unwrap_err().field, "name");
        assert!(member_ids(&[]).is_err());
        assert!(member_ids(&vec![ContactId::new(1); MEMBERS_PER_REQUEST + 1]).is_err());
    }
}
