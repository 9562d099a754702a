//! A smart list's filter: conditions over a contact's fields that must all hold, parsed once
//! from JSON into typed values (an unknown field or operator is refused, naming it), stored
//! as canonical JSON, shown in words, and compiled into a parameterised SQL condition for
//! either backend. No I/O.
//!
//! ```json
//! {"all": [{"field": "tag", "op": "equals", "value": "volunteer"},
//!          {"field": "fields.shirt", "op": "equals", "value": "L"},
//!          {"field": "created_at", "op": "after", "value": "2026-01-01"}]}
//! ```

use serde::Serialize;
use serde_json::{Value, json};

use super::contact::{self, field_key};
use crate::error::Invalid;
use crate::limits;

mod sql;

pub use sql::{Sql, SqlValue, escape_like};

/// Conditions per filter, the characters of a compared text, and the stored JSON's bytes.
pub const CONDITIONS: usize = 20;
pub const VALUE_CHARS: usize = 200;
pub const FILTER_BYTES: usize = 8192;

/// What a condition looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    FirstName,
    LastName,
    Email,
    /// Any of the contact's numbers.
    Phone,
    /// One of the contact's tags.
    Tag,
    /// The effective zone: the contact's own, else its primary number's country's.
    TimeZone,
    CreatedAt,
    /// A custom field, by key.
    Custom(String),
}

crate::text_enum! {
    /// How a condition compares.
    pub enum Op {
        Equals = "equals",
        NotEquals = "not_equals",
        Contains = "contains",
        Prefix = "prefix",
        Exists = "exists",
        Missing = "missing",
        Before = "before",
        After = "after",
    }
}

const TEXT_OPS: &[Op] = &[
    Op::Equals,
    Op::Contains,
    Op::Prefix,
    Op::Exists,
    Op::Missing,
];

impl Field {
    const NAMES: &str = "first_name, last_name, email, phone, tag, time_zone, created_at \
                         or fields.KEY";

    fn parse(name: &str) -> Result<Field, String> {
        Ok(match name {
            "first_name" => Field::FirstName,
            "last_name" => Field::LastName,
            "email" => Field::Email,
            "phone" => Field::Phone,
            "tag" => Field::Tag,
            "time_zone" => Field::TimeZone,
            "created_at" => Field::CreatedAt,
            other => match other.strip_prefix("fields.") {
                Some(key) if field_key(key).is_ok() => Field::Custom(key.to_string()),
                _ => {
                    return Err(format!(
                        "unknown field '{other}' (fields are {})",
                        Field::NAMES
                    ));
                }
            },
        })
    }

    fn name(&self) -> String {
        match self {
            Field::FirstName => "first_name".into(),
            Field::LastName => "last_name".into(),
            Field::Email => "email".into(),
            Field::Phone => "phone".into(),
            Field::Tag => "tag".into(),
            Field::TimeZone => "time_zone".into(),
            Field::CreatedAt => "created_at".into(),
            Field::Custom(key) => format!("fields.{key}"),
        }
    }

    /// The operators that make sense for this field.
    fn ops(&self) -> &'static [Op] {
        match self {
            Field::FirstName | Field::LastName | Field::Email | Field::Custom(_) => TEXT_OPS,
            Field::Phone => &[Op::Equals, Op::Prefix, Op::Exists, Op::Missing],
            Field::Tag => &[Op::Equals, Op::NotEquals, Op::Exists, Op::Missing],
            Field::TimeZone => &[Op::Equals, Op::Exists, Op::Missing],
            Field::CreatedAt => &[Op::Before, Op::After],
        }
    }

    fn words(&self) -> String {
        match self {
            Field::Custom(key) => format!("field {key}"),
            Field::TimeZone => "time zone".into(),
            Field::CreatedAt => "added".into(),
            other => other.name().replace('_', " "),
        }
    }
}

/// What a condition compares with.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    None,
    Text(String),
    /// A custom field's value compared by type: text, number or true/false.
    Json(Value),
    /// Epoch milliseconds.
    Instant(i64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub field: Field,
    pub op: Op,
    pub value: Operand,
}

/// A filter: every condition must hold. No conditions matches every contact.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub all: Vec<Condition>,
}

fn invalid(message: impl Into<String>) -> Invalid {
    Invalid::new("filter", message)
}

impl Filter {
    /// Parses a filter as a client sent it (see the module's example).
    pub fn parse(json: &Value) -> Result<Filter, Invalid> {
        let object = json
            .as_object()
            .ok_or_else(|| invalid("must be an object like {\"all\": [conditions]}"))?;
        if let Some(other) = object.keys().find(|k| *k != "all") {
            return Err(invalid(format!(
                "unknown key '{other}' (a filter has only \"all\")"
            )));
        }
        let conditions = match object.get("all") {
            None => &Vec::new(),
            Some(Value::Array(items)) => items,
            Some(_) => return Err(invalid("\"all\" must be a list of conditions")),
        };
        if conditions.len() > CONDITIONS {
            return Err(invalid(format!("at most {CONDITIONS} conditions")));
        }
        let all = conditions
            .iter()
            .enumerate()
            .map(|(i, c)| {
                Condition::parse(c).map_err(|m| invalid(format!("condition {}: {m}", i + 1)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let filter = Filter { all };
        if filter.to_json().to_string().len() > FILTER_BYTES {
            return Err(invalid(format!(
                "must be at most {FILTER_BYTES} bytes as JSON"
            )));
        }
        Ok(filter)
    }

    /// Parses a stored filter's text.
    pub fn from_stored(text: &str) -> Result<Filter, Invalid> {
        let json: Value = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        Filter::parse(&json)
    }

    /// The canonical JSON form (what is stored and answered).
    pub fn to_json(&self) -> Value {
        json!({ "all": self.all.iter().map(Condition::to_json).collect::<Vec<_>>() })
    }

    /// The filter in words: "tag is volunteer and added after 2026-01-01 00:00 UTC".
    pub fn describe(&self) -> String {
        if self.all.is_empty() {
            return "every contact".into();
        }
        let parts: Vec<String> = self.all.iter().map(Condition::describe).collect();
        parts.join(" and ")
    }
}

impl Condition {
    fn parse(json: &Value) -> Result<Condition, String> {
        let object = json
            .as_object()
            .ok_or("must be an object with field, op and value")?;
        if let Some(other) = object
            .keys()
            .find(|k| !["field", "op", "value"].contains(&k.as_str()))
        {
            return Err(format!(
                "unknown key '{other}' (a condition has field, op and value)"
            ));
        }
        let text = |key: &str| {
            object
                .get(key)
                .and_then(Value::as_str)
                .ok_or(format!("\"{key}\" is required"))
        };
        let field = Field::parse(text("field")?)?;
        let op_name = text("op")?;
        let op: Op = op_name
            .parse()
            .map_err(|_| format!("unknown operator '{op_name}'"))?;
        if !field.ops().contains(&op) {
            let allowed: Vec<&str> = field.ops().iter().map(|o| o.as_str()).collect();
            return Err(format!(
                "operator '{op}' does not apply to {} (use {})",
                field.name(),
                allowed.join(", ")
            ));
        }
        let value = object.get("value").filter(|v| !v.is_null());
        let value = match (op, value) {
            (Op::Exists | Op::Missing, None) => Operand::None,
            (Op::Exists | Op::Missing, Some(_)) => return Err(format!("'{op}' takes no value")),
            (_, None) => return Err(format!("'{op}' needs a value")),
            (_, Some(v)) => operand(&field, op, v)?,
        };
        Ok(Condition { field, op, value })
    }

    fn to_json(&self) -> Value {
        let mut out = json!({ "field": self.field.name(), "op": self.op });
        match &self.value {
            Operand::None => {}
            Operand::Text(t) => out["value"] = json!(t),
            Operand::Json(v) => out["value"] = v.clone(),
            Operand::Instant(ms) => out["value"] = json!(instant_text(*ms)),
        }
        out
    }

    fn describe(&self) -> String {
        let field = self.field.words();
        let value = match &self.value {
            Operand::None => String::new(),
            Operand::Text(t) => format!("'{t}'"),
            Operand::Json(v) => v.to_string(),
            Operand::Instant(ms) => crate::clock::from_ms(*ms)
                .strftime("%Y-%m-%d %H:%M UTC")
                .to_string(),
        };
        match (&self.field, self.op) {
            (Field::Tag, Op::Equals) => format!("has tag {value}"),
            (Field::Tag, Op::NotEquals) => format!("does not have tag {value}"),
            (Field::Tag, Op::Exists) => "has a tag".into(),
            (Field::Tag, Op::Missing) => "has no tag".into(),
            (_, Op::Equals) => format!("{field} is {value}"),
            (_, Op::NotEquals) => format!("{field} is not {value}"),
            (_, Op::Contains) => format!("{field} contains {value}"),
            (_, Op::Prefix) => format!("{field} starts with {value}"),
            (_, Op::Exists) => format!("{field} is known"),
            (_, Op::Missing) => format!("{field} is unknown"),
            (_, Op::Before) => format!("{field} before {value}"),
            (_, Op::After) => format!("{field} on or after {value}"),
        }
    }
}

/// The value of a condition, checked for its field and operator.
fn operand(field: &Field, op: Op, value: &Value) -> Result<Operand, String> {
    if let (Field::Custom(_), Op::Equals) = (field, op) {
        return match value {
            Value::String(s) => Ok(Operand::Json(Value::String(short_text(s)?))),
            Value::Number(_) | Value::Bool(_) => Ok(Operand::Json(value.clone())),
            _ => Err("the value must be text, a number, or true or false".into()),
        };
    }
    let text = value.as_str().ok_or("the value must be text")?;
    let text = short_text(text)?;
    match field {
        Field::Phone if op == Op::Equals => crate::telephony::parse_e164(&text).map(Operand::Text),
        Field::Phone => {
            let ok = text.starts_with('+')
                && text.len() > 1
                && text[1..].chars().all(|c| c.is_ascii_digit())
                && text.len() <= 16;
            if ok {
                Ok(Operand::Text(text))
            } else {
                Err(format!(
                    "'{text}' is not the start of an E.164 number such as +44"
                ))
            }
        }
        Field::TimeZone => contact::time_zone(&text)
            .map(|z| Operand::Text(z.name().to_string()))
            .map_err(|e| e.message),
        Field::CreatedAt => instant(&text).map(Operand::Instant),
        _ => Ok(Operand::Text(text)),
    }
}

fn short_text(text: &str) -> Result<String, String> {
    let text = limits::text("value", text, VALUE_CHARS).map_err(|e| e.message)?;
    if text.is_empty() {
        Err("the value must not be empty".into())
    } else {
        Ok(text)
    }
}

/// An RFC 3339 instant, or a date (midnight UTC), within the dates Switchboard accepts.
fn instant(text: &str) -> Result<i64, String> {
    let at = match text.parse::<jiff::Timestamp>() {
        Ok(t) => t,
        Err(_) => text
            .parse::<jiff::civil::Date>()
            .ok()
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map(|z| z.timestamp())
            .ok_or(format!(
                "'{text}' is not a date (2026-01-31) or an instant (2026-01-31T09:00:00Z)"
            ))?,
    };
    limits::instant_in_range("value", at).map_err(|e| e.message)?;
    Ok(at.as_millisecond())
}

fn instant_text(ms: i64) -> String {
    crate::clock::from_ms(ms).to_string()
}

/// Serializes as the canonical JSON.
impl Serialize for Filter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

#[cfg(test)]
mod tests;
