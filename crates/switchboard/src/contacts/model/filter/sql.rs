//! A filter compiled into a parameterised SQL condition over the contacts row `c`, for either
//! backend: text compared ignoring case, custom fields read with SQLite's `json_extract` or
//! Postgres's `jsonb` operators, tags and phones through `EXISTS`, the effective zone from the
//! same country table as [`zone_of_number`](crate::contacts::model::zones::zone_of_number).

use serde_json::Value;

use super::{Condition, Field, Filter, Op, Operand};
use crate::contacts::model::zones::single_zone_countries;
use crate::db::{DbKind, dialect};

/// A value bound to a placeholder of a compiled filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SqlValue {
    Text(String),
    Int(i64),
}

/// A compiled filter: a condition over the contacts row `c`, and its values for
/// `$first..`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sql {
    pub condition: String,
    pub values: Vec<SqlValue>,
}

impl Filter {
    /// The condition over contacts row `c` with placeholders from `$first`.
    pub fn to_sql(&self, kind: DbKind, first: usize) -> Sql {
        let mut values = Vec::new();
        let mut parts = Vec::new();
        for condition in &self.all {
            parts.push(condition.to_sql(kind, first, &mut values));
        }
        let condition = if parts.is_empty() {
            "1 = 1".to_string()
        } else {
            parts.join(" AND ")
        };
        Sql { condition, values }
    }
}

impl Condition {
    fn to_sql(&self, kind: DbKind, first: usize, values: &mut Vec<SqlValue>) -> String {
        let mut bind = |v: SqlValue| {
            values.push(v);
            format!("${}", first + values.len() - 1)
        };
        let like = dialect::ilike(kind);
        let text = |v: &Operand| match v {
            Operand::Text(t) => t.clone(),
            Operand::Json(Value::String(t)) => t.clone(),
            Operand::Json(other) => other.to_string(),
            _ => String::new(),
        };
        if let (Field::Custom(key), Operand::Json(v)) = (&self.field, &self.value) {
            // Compared by type: "36" is not 36. SQLite reads both sides out of JSON; Postgres
            // compares jsonb values.
            let value = SqlValue::Text(v.to_string());
            return match kind {
                DbKind::Sqlite => {
                    let path = bind(SqlValue::Text(format!("$.{key}")));
                    format!(
                        "json_extract(c.fields, {path}) = json_extract({}, '$')",
                        bind(value)
                    )
                }
                DbKind::Postgres => {
                    let key = bind(SqlValue::Text(key.clone()));
                    format!(
                        "(CAST(c.fields AS JSONB) -> {key}) = CAST({} AS JSONB)",
                        bind(value)
                    )
                }
            };
        }
        let column = match &self.field {
            Field::FirstName => "c.first_name".to_string(),
            Field::LastName => "c.last_name".to_string(),
            Field::Email => "c.email".to_string(),
            Field::TimeZone => zone_sql(),
            Field::CreatedAt => "c.created_at".to_string(),
            Field::Custom(key) => match kind {
                DbKind::Sqlite => format!(
                    "json_extract(c.fields, {})",
                    bind(SqlValue::Text(format!("$.{key}")))
                ),
                DbKind::Postgres => format!(
                    "(CAST(c.fields AS JSONB) ->> {})",
                    bind(SqlValue::Text(key.clone()))
                ),
            },
            Field::Phone => {
                let test = match self.op {
                    Op::Equals => {
                        format!(" AND p.phone = {}", bind(SqlValue::Text(text(&self.value))))
                    }
                    Op::Prefix => format!(
                        " AND p.phone LIKE {}",
                        bind(SqlValue::Text(format!("{}%", text(&self.value))))
                    ),
                    _ => String::new(),
                };
                let not = if self.op == Op::Missing { "NOT " } else { "" };
                return format!(
                    "{not}EXISTS (SELECT 1 FROM contact_phones p WHERE p.contact_id = c.id{test}{})",
                    dialect::row_by_row(kind)
                );
            }
            Field::Tag => {
                let test = match self.op {
                    Op::Equals | Op::NotEquals => {
                        format!(
                            " AND lower(t.tag) = lower({})",
                            bind(SqlValue::Text(text(&self.value)))
                        )
                    }
                    _ => String::new(),
                };
                let not = if matches!(self.op, Op::Missing | Op::NotEquals) {
                    "NOT "
                } else {
                    ""
                };
                return format!(
                    "{not}EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id{test}{})",
                    dialect::row_by_row(kind)
                );
            }
        };
        let names = matches!(self.field, Field::FirstName | Field::LastName);
        match (self.op, &self.value) {
            (Op::Equals, v) => {
                format!("lower({column}) = lower({})", bind(SqlValue::Text(text(v))))
            }
            (Op::Contains, v) => format!(
                "{column} {like} {} ESCAPE '\\'",
                bind(SqlValue::Text(format!("%{}%", escape_like(&text(v)))))
            ),
            (Op::Prefix, v) => format!(
                "{column} {like} {} ESCAPE '\\'",
                bind(SqlValue::Text(format!("{}%", escape_like(&text(v)))))
            ),
            (Op::Exists, _) if names => format!("{column} <> ''"),
            (Op::Missing, _) if names => format!("{column} = ''"),
            (Op::Exists, _) => format!("{column} IS NOT NULL"),
            (Op::Missing, _) => format!("{column} IS NULL"),
            (Op::Before, Operand::Instant(ms)) => {
                format!("{column} < {}", bind(SqlValue::Int(*ms)))
            }
            (Op::After, Operand::Instant(ms)) => {
                format!("{column} >= {}", bind(SqlValue::Int(*ms)))
            }
            // Parsing only pairs these operators with instants.
            (Op::Before | Op::After | Op::NotEquals, _) => "1 = 0".to_string(),
        }
    }
}

/// `%`, `_` and `\` matched as themselves in a LIKE pattern with `ESCAPE '\'`.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The effective zone of contacts row `c` in SQL: its own, else its primary number's
/// country's (the table `zone_of_number` reads, longer codes first).
fn zone_sql() -> String {
    let cases: Vec<String> = single_zone_countries()
        .iter()
        .map(|(code, zone)| format!("WHEN p.phone LIKE '+{code}%' THEN '{zone}'"))
        .collect();
    format!(
        "COALESCE(c.time_zone, (SELECT CASE {} END FROM contact_phones p \
         WHERE p.contact_id = c.id AND p.is_primary = TRUE))",
        cases.join(" ")
    )
}
