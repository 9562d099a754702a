//! Lists' SQL: create, read, rename and delete lists; add and remove a static list's members;
//! evaluate a list (its members, or its filter at this moment) as a count and a page; and
//! [`resolve_list`], the members with their primary number a page at a time, which the texting
//! and dialer jobs walk. Every statement names the organisation.

use serde_json::{Map, Value};

use super::bind_values;
use super::contacts::{self, Page};
use crate::contacts::model::contact::{Contact, EffectiveZone, effective_zone};
use crate::contacts::model::filter::{Filter, Sql, SqlValue};
use crate::contacts::model::list::{ContactList, ListKind, ValidList};
use crate::db::dialect::{self, Column};
use crate::db::{Db, DbKind};
use crate::error::{StoreError, StoreResult};
use crate::ids::{ContactId, ListId, OrgId};
use crate::{with_db, with_write};

#[derive(sqlx::FromRow)]
struct Row {
    id: ListId,
    name: String,
    kind: ListKind,
    filter: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl Row {
    fn into_list(self) -> StoreResult<ContactList> {
        let filter = self
            .filter
            .as_deref()
            .map(Filter::from_stored)
            .transpose()?;
        Ok(ContactList {
            id: self.id,
            name: self.name,
            kind: self.kind,
            filter_words: filter.as_ref().map(Filter::describe),
            filter,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

const COLUMNS: &str = "id, name, kind, filter, created_at, updated_at";

fn name_taken(e: sqlx::Error, name: &str) -> StoreError {
    match crate::db::unique_violation(&e) {
        Some(_) => StoreError::conflict("name", format!("a list named '{name}' already exists")),
        None => e.into(),
    }
}

pub async fn create_list(
    db: &Db,
    org: OrgId,
    list: &ValidList,
    now: i64,
) -> StoreResult<ContactList> {
    let sql = "INSERT INTO contact_lists (org_id, name, kind, filter, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";
    let filter = list.filter.as_ref().map(|f| f.to_json().to_string());
    let id: ListId = with_write!(db, c => sqlx::query_scalar(sql)
        .bind(org).bind(&list.name).bind(list.kind).bind(&filter).bind(now).fetch_one(c).await)
    .map_err(|e| name_taken(e, &list.name))?;
    get_list(db, org, id).await
}

pub async fn get_list(db: &Db, org: OrgId, id: ListId) -> StoreResult<ContactList> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM contact_lists WHERE org_id = $1 AND id = $2"
    ));
    let row: Option<Row> =
        with_db!(db, p => sqlx::query_as(sql).bind(org).bind(id).fetch_optional(p).await)?;
    row.ok_or(StoreError::NotFound("list"))?.into_list()
}

/// The organisation's lists by name.
pub async fn lists(db: &Db, org: OrgId) -> StoreResult<Vec<ContactList>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM contact_lists WHERE org_id = $1 ORDER BY name, id"
    ));
    let rows: Vec<Row> = with_db!(db, p => sqlx::query_as(sql).bind(org).fetch_all(p).await)?;
    rows.into_iter().map(Row::into_list).collect()
}

/// Renames a list or changes a smart list's filter.
pub async fn update_list(
    db: &Db,
    org: OrgId,
    id: ListId,
    list: &ValidList,
    now: i64,
) -> StoreResult<ContactList> {
    let sql = "UPDATE contact_lists SET name = $3, filter = $4, updated_at = $5 WHERE org_id = $1 AND id = $2";
    let filter = list.filter.as_ref().map(|f| f.to_json().to_string());
    let done = with_write!(db, c => sqlx::query(sql)
        .bind(org).bind(id).bind(&list.name).bind(&filter).bind(now).execute(c).await.map(|r| r.rows_affected()))
    .map_err(|e| name_taken(e, &list.name))?;
    if done == 0 {
        return Err(StoreError::NotFound("list"));
    }
    get_list(db, org, id).await
}

/// Deletes a list (never its contacts).
pub async fn delete_list(db: &Db, org: OrgId, id: ListId) -> StoreResult<()> {
    let sql = "DELETE FROM contact_lists WHERE org_id = $1 AND id = $2";
    let done = with_write!(db, c => sqlx::query(sql).bind(org).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound("list"));
    }
    Ok(())
}

/// The list, refused unless it is static (a smart list's members come from its filter).
async fn static_list(db: &Db, org: OrgId, id: ListId) -> StoreResult<ContactList> {
    let list = get_list(db, org, id).await?;
    if list.kind != ListKind::Static {
        return Err(StoreError::invalid(
            "contact_ids",
            "a smart list's members come from its filter: change the filter instead",
        ));
    }
    Ok(list)
}

/// Adds contacts to a static list (those already on it stay once); every id must be a
/// contact of the organisation. Answers how many were added.
pub async fn add_members(
    db: &Db,
    org: OrgId,
    id: ListId,
    ids: &[ContactId],
    now: i64,
) -> StoreResult<u64> {
    static_list(db, org, id).await?;
    let kind = db.kind();
    let json = Value::from(ids.iter().map(|i| i.get()).collect::<Vec<_>>()).to_string();
    let known_sql = sqlx::AssertSqlSafe(format!(
        "SELECT id FROM contacts WHERE org_id = $1 AND {}",
        dialect::in_json_list(kind, "id", 2, Column::Int)
    ));
    let known: Vec<ContactId> =
        with_db!(db, p => sqlx::query_scalar(known_sql).bind(org).bind(&json).fetch_all(p).await)?;
    if let Some(unknown) = ids.iter().find(|i| !known.contains(i)) {
        return Err(StoreError::invalid(
            "contact_ids",
            format!("there is no contact {unknown}"),
        ));
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO contact_list_members (org_id, list_id, contact_id, added_at) \
         SELECT $1, $2, id, $4 FROM contacts WHERE org_id = $1 AND {} \
         ON CONFLICT (list_id, contact_id) DO NOTHING",
        dialect::in_json_list(kind, "id", 3, Column::Int)
    ));
    let done = with_write!(db, c => sqlx::query(sql).bind(org).bind(id).bind(&json).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Removes contacts from a static list; answers how many were on it.
pub async fn remove_members(
    db: &Db,
    org: OrgId,
    id: ListId,
    ids: &[ContactId],
) -> StoreResult<u64> {
    static_list(db, org, id).await?;
    let json = Value::from(ids.iter().map(|i| i.get()).collect::<Vec<_>>()).to_string();
    let sql = sqlx::AssertSqlSafe(format!(
        "DELETE FROM contact_list_members WHERE org_id = $1 AND list_id = $2 AND {}",
        dialect::in_json_list(db.kind(), "contact_id", 3, Column::Int)
    ));
    let done = with_write!(db, c => sqlx::query(sql).bind(org).bind(id).bind(&json).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Who is on `list` now, as a condition over contacts row `c` with placeholders from `$first`.
fn members_condition(kind: DbKind, list: &ContactList, first: usize) -> Sql {
    match &list.filter {
        Some(filter) if list.kind == ListKind::Smart => filter.to_sql(kind, first),
        _ => Sql {
            condition: format!(
                "EXISTS (SELECT 1 FROM contact_list_members m WHERE m.list_id = ${first} AND m.contact_id = c.id{})",
                dialect::row_by_row(kind)
            ),
            values: vec![SqlValue::Int(list.id.get())],
        },
    }
}

/// How many contacts are on the list at this moment.
pub async fn count(db: &Db, org: OrgId, list: &ContactList) -> StoreResult<i64> {
    contacts::count_where(db, org, &members_condition(db.kind(), list, 2)).await
}

/// One page of the list's members at this moment, with the total.
pub async fn members(
    db: &Db,
    org: OrgId,
    list: &ContactList,
    offset: i64,
    limit: i64,
) -> StoreResult<Page<Contact>> {
    contacts::page_where(
        db,
        org,
        &members_condition(db.kind(), list, 2),
        offset,
        limit,
    )
    .await
}

/// What a filter would select now, without saving it: the count and the first `limit`.
pub async fn preview(
    db: &Db,
    org: OrgId,
    filter: &Filter,
    limit: i64,
) -> StoreResult<Page<Contact>> {
    contacts::page_where(db, org, &filter.to_sql(db.kind(), 2), 0, limit).await
}

/// The lists `contact` is on: static lists that hold it and smart lists whose filter it meets.
pub async fn lists_of(db: &Db, org: OrgId, contact: ContactId) -> StoreResult<Vec<ContactList>> {
    let mut on = Vec::new();
    for list in lists(db, org).await? {
        let mut condition = members_condition(db.kind(), &list, 3);
        condition.condition = format!("c.id = $2 AND ({})", condition.condition);
        condition.values.insert(0, SqlValue::Int(contact.get()));
        if contacts::count_where(db, org, &condition).await? > 0 {
            on.push(list);
        }
    }
    Ok(on)
}

/// A list member a job can call or text.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Member {
    pub contact_id: ContactId,
    pub first_name: String,
    pub last_name: String,
    /// The primary number, E.164.
    pub phone: String,
    pub time_zone: Option<String>,
    pub fields: String,
}

impl Member {
    /// The zone quiet hours use for this member (the caller falls back to its own).
    pub fn zone(&self) -> EffectiveZone {
        effective_zone(self.time_zone.as_deref(), Some(&self.phone))
    }

    /// The custom fields, for personalising a text.
    pub fn fields(&self) -> StoreResult<Map<String, Value>> {
        contacts::stored_fields(&self.fields)
    }
}

/// One page of [`resolve_list`]: the members, and where the next page starts (none after the
/// last).
#[derive(Clone, Debug)]
pub struct Resolved {
    pub members: Vec<Member>,
    pub next: Option<ContactId>,
}

/// The members of list `id` that have a number, in id order, at most `limit` after the contact
/// `after` (none: from the start). Pages are read by key, not offset, so walking a list of
/// 100,000 costs the same per page at the end as at the start; a smart list is evaluated on
/// each page, so a contact added while a job walks it is reached if its id comes later.
/// Contacts without a number are left out.
pub async fn resolve_list(
    db: &Db,
    org: OrgId,
    id: ListId,
    after: Option<ContactId>,
    limit: i64,
) -> StoreResult<Resolved> {
    let list = get_list(db, org, id).await?;
    let limit = limit.clamp(1, 10_000);
    let condition = members_condition(db.kind(), &list, 3);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT c.id AS contact_id, c.first_name, c.last_name, p.phone, c.time_zone, c.fields \
         FROM contacts c JOIN contact_phones p ON p.contact_id = c.id AND p.is_primary = TRUE \
         WHERE c.org_id = $1 AND c.id > $2 AND ({}) ORDER BY c.id LIMIT {limit}",
        condition.condition
    ));
    let after = after.map_or(0, ContactId::get);
    let members: Vec<Member> = with_db!(db, p => bind_values!(sqlx::query_as(sql).bind(org).bind(after), &condition.values)
        .fetch_all(p).await)?;
    let next = (members.len() as i64 == limit)
        .then(|| members.last().map(|m| m.contact_id))
        .flatten();
    Ok(Resolved { members, next })
}
