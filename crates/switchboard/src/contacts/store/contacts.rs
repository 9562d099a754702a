//! Contacts' SQL: create, read, change and delete a contact with its phones and tags in one
//! transaction, and search the organisation's contacts by text and filter, a page at a time
//! with the total. Every statement names the organisation.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::bind_values;
use crate::contacts::model::contact::{Contact, ContactPhone, ValidContact, effective_zone};
use crate::contacts::model::filter::{Filter, Sql, SqlValue, escape_like};
use crate::db::dialect::{self, Column};
use crate::db::{Db, DbKind, Tx};
use crate::error::{StoreError, StoreResult};
use crate::ids::{ContactId, OrgId};
use crate::{with_db, with_tx};

/// The most contacts one page holds.
pub const PAGE_MAX: i64 = 500;

/// A page of results and how many there are in all.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    pub items: Vec<T>,
}

/// What to look for: text in names, email or numbers, and a filter; which page.
#[derive(Clone, Debug, Default)]
pub struct Search {
    pub text: Option<String>,
    pub filter: Filter,
    pub offset: i64,
    pub limit: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct Row {
    id: ContactId,
    first_name: String,
    last_name: String,
    email: Option<String>,
    time_zone: Option<String>,
    fields: String,
    source: String,
    created_at: i64,
    updated_at: i64,
}

/// The contacts columns, read as [`Row`], of the table aliased `c`.
pub(super) const COLUMNS: &str = "c.id, c.first_name, c.last_name, c.email, c.time_zone, c.fields, \
                                  c.source, c.created_at, c.updated_at";

/// Stores a new contact with its phones and tags.
pub async fn create(db: &Db, org: OrgId, contact: &ValidContact, now: i64) -> StoreResult<Contact> {
    let mut tx = db.write().await?;
    let sql = "INSERT INTO contacts (org_id, first_name, last_name, email, time_zone, fields, source, \
               created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
    let id: ContactId = with_tx!(&mut tx, c => sqlx::query_scalar(sql)
        .bind(org).bind(&contact.first_name).bind(&contact.last_name).bind(&contact.email)
        .bind(contact.time_zone.as_ref().map(|z| z.name())).bind(&contact.fields_json)
        .bind(&contact.source).bind(now).fetch_one(c).await)?;
    write_phones_and_tags(&mut tx, org, id, contact).await?;
    tx.commit().await?;
    get(db, org, id).await
}

/// Replaces a contact's values, phones and tags.
pub async fn update(
    db: &Db,
    org: OrgId,
    id: ContactId,
    contact: &ValidContact,
    now: i64,
) -> StoreResult<Contact> {
    let mut tx = db.write().await?;
    let sql = "UPDATE contacts SET first_name = $3, last_name = $4, email = $5, time_zone = $6, \
               fields = $7, source = $8, updated_at = $9 WHERE org_id = $1 AND id = $2";
    let done = with_tx!(&mut tx, c => sqlx::query(sql)
        .bind(org).bind(id).bind(&contact.first_name).bind(&contact.last_name).bind(&contact.email)
        .bind(contact.time_zone.as_ref().map(|z| z.name())).bind(&contact.fields_json)
        .bind(&contact.source).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound("contact"));
    }
    for table in ["contact_phones", "contact_tags"] {
        let sql = sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE org_id = $1 AND contact_id = $2"
        ));
        with_tx!(&mut tx, c => sqlx::query(sql).bind(org).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    }
    write_phones_and_tags(&mut tx, org, id, contact).await?;
    tx.commit().await?;
    get(db, org, id).await
}

/// Writes the phones (refusing one another contact has, naming it) and tags of `id`.
async fn write_phones_and_tags(
    tx: &mut Tx,
    org: OrgId,
    id: ContactId,
    contact: &ValidContact,
) -> StoreResult<()> {
    let taken_sql = "SELECT phone, contact_id FROM contact_phones \
                     WHERE org_id = $1 AND phone = $2 AND contact_id <> $3";
    for (i, phone) in contact.phones.iter().enumerate() {
        let taken: Option<(String, ContactId)> = with_tx!(&mut *tx, c => sqlx::query_as(taken_sql)
            .bind(org).bind(phone).bind(id).fetch_optional(c).await)?;
        if let Some((phone, other)) = taken {
            return Err(StoreError::conflict(
                "phones",
                format!("{phone} already belongs to contact {other}"),
            ));
        }
        let sql = "INSERT INTO contact_phones (org_id, contact_id, phone, is_primary) VALUES ($1, $2, $3, $4)";
        let inserted = with_tx!(&mut *tx, c => sqlx::query(sql)
            .bind(org).bind(id).bind(phone).bind(i == 0).execute(c).await.map(|r| r.rows_affected()));
        if let Err(e) = inserted {
            return Err(match crate::db::unique_violation(&e) {
                Some(_) => StoreError::conflict(
                    "phones",
                    format!("{phone} already belongs to another contact"),
                ),
                None => e.into(),
            });
        }
    }
    for tag in &contact.tags {
        let sql = "INSERT INTO contact_tags (org_id, contact_id, tag) VALUES ($1, $2, $3)";
        with_tx!(&mut *tx, c => sqlx::query(sql).bind(org).bind(id).bind(tag).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// One contact of the organisation.
pub async fn get(db: &Db, org: OrgId, id: ContactId) -> StoreResult<Contact> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM contacts c WHERE c.org_id = $1 AND c.id = $2"
    ));
    let row: Option<Row> =
        with_db!(db, p => sqlx::query_as(sql).bind(org).bind(id).fetch_optional(p).await)?;
    let row = row.ok_or(StoreError::NotFound("contact"))?;
    Ok(hydrate(db, org, vec![row]).await?.remove(0))
}

/// Deletes a contact; its phones, tags and list memberships go with it.
pub async fn delete(db: &Db, org: OrgId, id: ContactId) -> StoreResult<()> {
    let sql = "DELETE FROM contacts WHERE org_id = $1 AND id = $2";
    let done = crate::with_write!(db, c => sqlx::query(sql).bind(org).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound("contact"));
    }
    Ok(())
}

/// The organisation's contacts that match `search`, oldest first, one page.
pub async fn search(db: &Db, org: OrgId, search: &Search) -> StoreResult<Page<Contact>> {
    let condition = search_condition(db.kind(), search);
    page_where(db, org, &condition, search.offset, search.limit).await
}

/// One page of the contacts of `org` for which `condition` (over row `c`, placeholders from
/// `$2`) holds, with the total.
pub(super) async fn page_where(
    db: &Db,
    org: OrgId,
    condition: &Sql,
    offset: i64,
    limit: i64,
) -> StoreResult<Page<Contact>> {
    let limit = limit.clamp(1, PAGE_MAX);
    let offset = offset.max(0);
    let total = count_where(db, org, condition).await?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM contacts c WHERE c.org_id = $1 AND ({}) ORDER BY c.id LIMIT {limit} OFFSET {offset}",
        condition.condition
    ));
    let rows: Vec<Row> = with_db!(db, p => bind_values!(sqlx::query_as(sql).bind(org), &condition.values)
        .fetch_all(p).await)?;
    let items = hydrate(db, org, rows).await?;
    Ok(Page {
        total,
        offset,
        limit,
        items,
    })
}

/// How many contacts of `org` `condition` holds for.
pub(super) async fn count_where(db: &Db, org: OrgId, condition: &Sql) -> StoreResult<i64> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM contacts c WHERE c.org_id = $1 AND ({})",
        condition.condition
    ));
    Ok(
        with_db!(db, p => bind_values!(sqlx::query_scalar(sql).bind(org), &condition.values)
        .fetch_one(p).await)?,
    )
}

/// The filter and the text search as one condition, placeholders from `$2`.
fn search_condition(kind: DbKind, search: &Search) -> Sql {
    let mut sql = search.filter.to_sql(kind, 2);
    let text = search
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if let Some(text) = text {
        let like = dialect::ilike(kind);
        sql.values
            .push(SqlValue::Text(format!("%{}%", escape_like(text))));
        let n = sql.values.len() + 1;
        let mut any = format!(
            "(c.first_name || ' ' || c.last_name) {like} ${n} ESCAPE '\\' OR c.email {like} ${n} ESCAPE '\\'"
        );
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            sql.values.push(SqlValue::Text(format!("%{digits}%")));
            let m = sql.values.len() + 1;
            any.push_str(&format!(
                " OR EXISTS (SELECT 1 FROM contact_phones p WHERE p.contact_id = c.id AND p.phone LIKE ${m})"
            ));
        }
        sql.condition = format!("({}) AND ({any})", sql.condition);
    }
    sql
}

/// Contacts rows with their phones and tags, in the rows' order.
pub(super) async fn hydrate(db: &Db, org: OrgId, rows: Vec<Row>) -> StoreResult<Vec<Contact>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let kind = db.kind();
    let ids = Value::from(rows.iter().map(|r| r.id.get()).collect::<Vec<_>>()).to_string();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT contact_id, phone, is_primary FROM contact_phones WHERE org_id = $1 AND {} \
         ORDER BY contact_id, is_primary DESC, id",
        dialect::in_json_list(kind, "contact_id", 2, Column::Int)
    ));
    let phones: Vec<(ContactId, String, bool)> =
        with_db!(db, p => sqlx::query_as(sql).bind(org).bind(&ids).fetch_all(p).await)?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT contact_id, tag FROM contact_tags WHERE org_id = $1 AND {} ORDER BY contact_id, tag",
        dialect::in_json_list(kind, "contact_id", 2, Column::Int)
    ));
    let tags: Vec<(ContactId, String)> =
        with_db!(db, p => sqlx::query_as(sql).bind(org).bind(&ids).fetch_all(p).await)?;
    let mut phones_of: HashMap<ContactId, Vec<ContactPhone>> = HashMap::new();
    for (id, number, primary) in phones {
        phones_of
            .entry(id)
            .or_default()
            .push(ContactPhone { number, primary });
    }
    let mut tags_of: HashMap<ContactId, Vec<String>> = HashMap::new();
    for (id, tag) in tags {
        tags_of.entry(id).or_default().push(tag);
    }
    rows.into_iter()
        .map(|row| {
            let phones = phones_of.remove(&row.id).unwrap_or_default();
            let primary = phones.iter().find(|p| p.primary).map(|p| p.number.as_str());
            let zone = effective_zone(row.time_zone.as_deref(), primary);
            Ok(Contact {
                id: row.id,
                first_name: row.first_name,
                last_name: row.last_name,
                email: row.email,
                time_zone: row.time_zone,
                zone,
                fields: stored_fields(&row.fields)?,
                tags: tags_of.remove(&row.id).unwrap_or_default(),
                phones,
                source: row.source,
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
        })
        .collect()
}

/// A stored fields object; anything else in the column is a fault, not an empty object.
pub(super) fn stored_fields(text: &str) -> StoreResult<Map<String, Value>> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(anyhow::anyhow!("a contact's stored fields are not a JSON object").into()),
    }
}
