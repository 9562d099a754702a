//! Export: an organisation's contacts (or one list's) as CSV, read a page at a time by id so
//! memory does not grow with the organisation. The columns are the ones an import recognises
//! (id, first_name, last_name, phone, other_phones, email, time_zone, tags, then each custom
//! field), so an exported file imports back as the same contacts.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::model::{Field, recognise};
use crate::db::dialect::{Column, in_json_list};
use crate::db::{Db, DbKind};
use crate::ids::OrgId;
use crate::with_db;

/// Contacts read per page.
pub const PAGE: i64 = 1000;

/// The fixed columns, before the custom fields.
const FIXED: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "phone",
    "other_phones",
    "email",
    "time_zone",
    "tags",
];

/// What to export.
#[derive(Clone, Debug)]
pub struct Export {
    pub org: OrgId,
    pub list: Option<i64>,
    /// The custom fields' keys, in column order.
    pub keys: Vec<String>,
}

type ContactRow = (i64, String, String, Option<String>, Option<String>, String);

fn list_filter(list: Option<i64>) -> &'static str {
    match list {
        Some(_) => {
            " AND c.id IN (SELECT m.contact_id FROM contact_list_members m \
             WHERE m.org_id = $1 AND m.list_id = $2)"
        }
        None => " AND $2 IS NULL",
    }
}

impl Export {
    /// Prepares an export of `org`'s contacts (of `list` only, when given).
    pub async fn new(db: &Db, org: OrgId, list: Option<i64>) -> sqlx::Result<Export> {
        let keys_of = match db.kind() {
            DbKind::Sqlite => "SELECT DISTINCT j.key FROM contacts c, json_each(c.fields) j",
            DbKind::Postgres => {
                "SELECT DISTINCT jsonb_object_keys(CAST(c.fields AS JSONB)) FROM contacts c"
            }
        };
        let sql = format!("{keys_of} WHERE c.org_id = $1{}", list_filter(list));
        let mut keys: Vec<String> = with_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(org).bind(list).fetch_all(p).await)?;
        keys.sort();
        Ok(Export { org, list, keys })
    }

    /// The header row.
    pub fn header(&self) -> Vec<u8> {
        let custom = self.keys.iter().map(|k| match recognise(k) {
            Some(Field::Custom(same)) if same == *k => k.clone(),
            _ => format!("field:{k}"),
        });
        let names: Vec<String> = FIXED.iter().map(|s| s.to_string()).chain(custom).collect();
        csv_line(&names)
    }

    /// The CSV rows of the contacts after id `after`, and the last id written (`None` when
    /// there are no more).
    pub async fn page(&self, db: &Db, after: i64) -> sqlx::Result<(Vec<u8>, Option<i64>)> {
        let sql = format!(
            "SELECT c.id, c.first_name, c.last_name, c.email, c.time_zone, c.fields FROM contacts c \
             WHERE c.org_id = $1{} AND c.id > $3 ORDER BY c.id LIMIT $4",
            list_filter(self.list)
        );
        let contacts: Vec<ContactRow> = with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(self.org).bind(self.list).bind(after).bind(PAGE).fetch_all(p).await)?;
        let Some(last) = contacts.last().map(|c| c.0) else {
            return Ok((Vec::new(), None));
        };
        let ids: Vec<i64> = contacts.iter().map(|c| c.0).collect();
        let phones = self
            .grouped(db, &ids, "contact_phones", "phone", "is_primary DESC, id")
            .await?;
        let tags = self.grouped(db, &ids, "contact_tags", "tag", "tag").await?;
        let mut out = Vec::with_capacity(contacts.len() * 120);
        for (id, first, last_name, email, zone, fields) in contacts {
            let phones = phones.get(&id).map(Vec::as_slice).unwrap_or_default();
            let fields: Map<String, Value> = serde_json::from_str(&fields).unwrap_or_default();
            let mut cells = vec![
                id.to_string(),
                first,
                last_name,
                phones.first().cloned().unwrap_or_default(),
                phones.get(1..).map(|p| p.join(";")).unwrap_or_default(),
                email.unwrap_or_default(),
                zone.unwrap_or_default(),
                tags.get(&id).map(|t| t.join(";")).unwrap_or_default(),
            ];
            cells.extend(self.keys.iter().map(|k| match fields.get(k) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            }));
            out.extend(csv_line(&cells));
        }
        Ok((out, Some(last)))
    }

    /// `column` of `table` for each of `ids`, in `order`.
    async fn grouped(
        &self,
        db: &Db,
        ids: &[i64],
        table: &str,
        column: &str,
        order: &str,
    ) -> sqlx::Result<HashMap<i64, Vec<String>>> {
        let sql = format!(
            "SELECT contact_id, {column} FROM {table} WHERE org_id = $1 AND {} \
             ORDER BY contact_id, {order}",
            in_json_list(db.kind(), "contact_id", 2, Column::Int)
        );
        let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        let rows: Vec<(i64, String)> = with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(self.org).bind(&json).fetch_all(p).await)?;
        let mut grouped: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, value) in rows {
            grouped.entry(id).or_default().push(value);
        }
        Ok(grouped)
    }
}

/// One CSV line, quoted where needed.
fn csv_line(cells: &[String]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(cells);
    writer.into_inner().unwrap_or_default()
}
