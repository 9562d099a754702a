//! The bulk write of one batch, inside the caller's transaction: a handful of statements
//! whatever the batch's size, each taking its rows as one bound JSON array (the same text on
//! both backends, prepared once). A row whose phone an existing contact has merges into that
//! contact (its non-empty values win); the others become new contacts. Opt-out columns are
//! recorded in the consent ledger with source `import`; an import never opts anyone in.

use std::collections::HashMap;

use serde::Serialize;

use super::row::{Candidate, RowError, Stored, fields_json, merge_stored};
use crate::contacts::model::consent::{Channel, ConsentSource};
use crate::contacts::store::consent::{ConsentEvent, record_in};
use crate::db::dialect::{Column, json_list, json_rows};
use crate::db::{DbKind, Tx};
use crate::ids::OrgId;
use crate::with_tx;

/// What one batch did.
#[derive(Debug, Default)]
pub struct Written {
    pub created: u64,
    pub merged: u64,
    /// Rows that could not merge into their stored contact (a limit would break).
    pub refused: Vec<RowError>,
}

#[derive(Serialize)]
struct ContactRow<'a> {
    id: i64,
    first_name: &'a str,
    last_name: &'a str,
    email: Option<&'a str>,
    time_zone: Option<&'a str>,
    fields: String,
}

#[derive(Serialize)]
struct PhoneRow<'a> {
    contact_id: i64,
    phone: &'a str,
    primary: &'static str,
}

#[derive(Serialize)]
struct TagRow<'a> {
    contact_id: i64,
    tag: &'a str,
}

/// Writes `rows` (merged by phone already) for `org`, adding every contact to `list`.
pub async fn write_batch(
    tx: &mut Tx,
    org: OrgId,
    rows: &[Candidate],
    list: Option<i64>,
    now: i64,
) -> sqlx::Result<Written> {
    let owners = phone_owners(tx, org, rows).await?;
    let mut written = Written::default();
    // Each row's contact: a stored one it merges into, or a new one.
    let mut stored = stored_contacts(tx, org, owners.values().copied().collect()).await?;
    let mut targets: Vec<Option<i64>> = Vec::with_capacity(rows.len());
    let mut changed: Vec<i64> = Vec::new();
    let mut new_rows: Vec<usize> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let owner = row.phones.iter().find_map(|p| owners.get(p).copied());
        match owner.and_then(|id| stored.get(&id).map(|s| (id, s))) {
            Some((id, current)) => match merge_stored(current, row) {
                Ok(next) => {
                    stored.insert(id, next);
                    if !changed.contains(&id) {
                        changed.push(id);
                    }
                    written.merged += 1;
                    targets.push(Some(id));
                }
                Err(e) => {
                    written.refused.push(e);
                    targets.push(None);
                }
            },
            None => {
                new_rows.push(i);
                targets.push(None);
            }
        }
    }
    let ids = reserve_ids(tx, new_rows.len()).await?;
    for (&i, &id) in new_rows.iter().zip(&ids) {
        targets[i] = Some(id);
    }
    written.created = new_rows.len() as u64;
    let contacts: Vec<ContactRow> = new_rows
        .iter()
        .zip(&ids)
        .map(|(&i, &id)| contact_row(id, &rows[i]))
        .collect();
    insert_contacts(tx, org, &contacts, now).await?;
    update_contacts(tx, org, &changed, &stored, now).await?;
    let mut phones = Vec::new();
    let mut tags = Vec::new();
    let mut is_new = vec![false; rows.len()];
    for &i in &new_rows {
        is_new[i] = true;
    }
    for ((row, target), is_new) in rows.iter().zip(&targets).zip(is_new) {
        let Some(contact_id) = *target else { continue };
        for (n, phone) in row.phones.iter().enumerate() {
            if !owners.contains_key(phone) {
                let primary = if is_new && n == 0 { "1" } else { "0" };
                phones.push(PhoneRow {
                    contact_id,
                    phone,
                    primary,
                });
            }
        }
        tags.extend(row.tags.iter().map(|tag| TagRow { contact_id, tag }));
    }
    let phone_sql = "INSERT INTO contact_phones (org_id, contact_id, phone, is_primary) \
         SELECT $1, CAST(r.value ->> 'contact_id' AS BIGINT), r.value ->> 'phone', (r.value ->> 'primary') = '1' \
         FROM {rows} WHERE true ON CONFLICT (org_id, phone) DO NOTHING";
    insert_json(tx, org, phone_sql, &phones).await?;
    let tag_sql = "INSERT INTO contact_tags (org_id, contact_id, tag) \
         SELECT $1, CAST(r.value ->> 'contact_id' AS BIGINT), r.value ->> 'tag' FROM {rows} \
         WHERE true ON CONFLICT DO NOTHING";
    insert_json(tx, org, tag_sql, &tags).await?;
    let everyone: Vec<i64> = targets.iter().flatten().copied().collect();
    if let Some(list) = list {
        add_to_list(tx, org, list, &everyone, now).await?;
    }
    record_opt_outs(tx, org, rows, &targets, now).await?;
    Ok(written)
}

fn contact_row(id: i64, row: &Candidate) -> ContactRow<'_> {
    ContactRow {
        id,
        first_name: &row.first_name,
        last_name: &row.last_name,
        email: row.email.as_deref(),
        time_zone: row.time_zone.as_deref(),
        fields: fields_json(&row.fields),
    }
}

/// Which stored contact has each of the batch's phones.
async fn phone_owners(
    tx: &mut Tx,
    org: OrgId,
    rows: &[Candidate],
) -> sqlx::Result<HashMap<String, i64>> {
    let phones: Vec<&String> = rows.iter().flat_map(|r| &r.phones).collect();
    let sql = format!(
        "SELECT phone, contact_id FROM contact_phones WHERE org_id = $1 AND {}",
        crate::db::dialect::in_json_list(tx.kind(), "phone", 2, Column::Text)
    );
    let json = serde_json::to_string(&phones).unwrap_or_else(|_| "[]".into());
    let found: Vec<(String, i64)> = with_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org).bind(&json).fetch_all(c).await)?;
    Ok(found.into_iter().collect())
}

async fn stored_contacts(
    tx: &mut Tx,
    org: OrgId,
    mut ids: Vec<i64>,
) -> sqlx::Result<HashMap<i64, Stored>> {
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT id, first_name, last_name, email, time_zone, fields FROM contacts \
         WHERE org_id = $1 AND {}",
        crate::db::dialect::in_json_list(tx.kind(), "id", 2, Column::Int)
    );
    let json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
    type Found = (i64, String, String, Option<String>, Option<String>, String);
    let found: Vec<Found> = with_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org).bind(&json).fetch_all(c).await)?;
    Ok(found
        .into_iter()
        .map(|(id, first_name, last_name, email, time_zone, fields)| {
            let stored = Stored {
                first_name,
                last_name,
                email,
                time_zone,
                fields,
            };
            (id, stored)
        })
        .collect())
}

/// `n` new contact ids, so the rows written after the contacts (phones, tags) know them
/// without relying on the order `RETURNING` hands ids back in (SQLite does not promise one).
/// SQLite: past the largest id, which is safe because this transaction holds the database's
/// write lock (ids are global, so no organisation filter). PostgreSQL: from the identity
/// sequence, as any concurrent insert would take them.
async fn reserve_ids(tx: &mut Tx, n: usize) -> sqlx::Result<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match tx.kind() {
        DbKind::Sqlite => {
            let sql = "SELECT COALESCE(MAX(id), 0) FROM contacts";
            let top: i64 = with_tx!(tx, c => sqlx::query_scalar(sql).fetch_one(c).await)?;
            Ok((1..=n as i64).map(|k| top + k).collect())
        }
        DbKind::Postgres => {
            let sql = "SELECT nextval(pg_get_serial_sequence('contacts', 'id')) FROM generate_series(1, $1)";
            with_tx!(tx, c => sqlx::query_scalar(sql).bind(n as i64).fetch_all(c).await)
        }
    }
}

async fn insert_contacts(
    tx: &mut Tx,
    org: OrgId,
    contacts: &[ContactRow<'_>],
    now: i64,
) -> sqlx::Result<()> {
    if contacts.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO contacts (id, org_id, first_name, last_name, email, time_zone, fields, source, \
         created_at, updated_at) SELECT CAST(r.value ->> 'id' AS BIGINT), $1, r.value ->> 'first_name', \
         r.value ->> 'last_name', r.value ->> 'email', r.value ->> 'time_zone', r.value ->> 'fields', \
         'import', $3, $3 FROM {}",
        json_rows(tx.kind(), 2, "r")
    );
    let json = serde_json::to_string(contacts).unwrap_or_else(|_| "[]".into());
    with_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org).bind(&json).bind(now).execute(c).await.map(|_| ()))
}

async fn update_contacts(
    tx: &mut Tx,
    org: OrgId,
    changed: &[i64],
    stored: &HashMap<i64, Stored>,
    now: i64,
) -> sqlx::Result<()> {
    let rows: Vec<ContactRow> = changed
        .iter()
        .filter_map(|id| stored.get(id).map(|s| (id, s)))
        .map(|(&id, s)| ContactRow {
            id,
            first_name: &s.first_name,
            last_name: &s.last_name,
            email: s.email.as_deref(),
            time_zone: s.time_zone.as_deref(),
            fields: s.fields.clone(),
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE contacts SET first_name = r.value ->> 'first_name', last_name = r.value ->> 'last_name', \
         email = r.value ->> 'email', time_zone = r.value ->> 'time_zone', fields = r.value ->> 'fields', \
         updated_at = $3 FROM {} WHERE contacts.org_id = $1 AND contacts.id = CAST(r.value ->> 'id' AS BIGINT)",
        json_rows(tx.kind(), 2, "r")
    );
    let json = serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into());
    with_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org).bind(&json).bind(now).execute(c).await.map(|_| ()))
}

/// Runs `sql` (with `{rows}` where the JSON rows go, `$1` the organisation) over `rows`.
async fn insert_json<T: Serialize>(
    tx: &mut Tx,
    org: OrgId,
    sql: &str,
    rows: &[T],
) -> sqlx::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = sql.replace("{rows}", &json_rows(tx.kind(), 2, "r"));
    let json = serde_json::to_string(rows).unwrap_or_else(|_| "[]".into());
    with_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org).bind(&json).execute(c).await.map(|_| ()))
}

async fn add_to_list(
    tx: &mut Tx,
    org: OrgId,
    list: i64,
    contacts: &[i64],
    now: i64,
) -> sqlx::Result<()> {
    if contacts.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO contact_list_members (org_id, list_id, contact_id, added_at) \
         SELECT $1, $2, ids.value, $4 FROM ({}) AS ids WHERE true ON CONFLICT DO NOTHING",
        json_list(tx.kind(), 3, Column::Int)
    );
    let json = serde_json::to_string(contacts).unwrap_or_else(|_| "[]".into());
    with_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org).bind(list).bind(&json).bind(now).execute(c).await.map(|_| ()))
}

/// Records each opt-out the rows carry, on every phone of the row, unless that number's
/// latest event on the channel is already an opt-out (importing a file twice adds nothing).
async fn record_opt_outs(
    tx: &mut Tx,
    org: OrgId,
    rows: &[Candidate],
    targets: &[Option<i64>],
    now: i64,
) -> sqlx::Result<()> {
    let latest = "SELECT opted_in FROM consent_events WHERE org_id = $1 AND phone = $2 \
                  AND channel = $3 ORDER BY id DESC LIMIT 1";
    for (row, target) in rows.iter().zip(targets) {
        if target.is_none() {
            continue;
        }
        let channels = [
            (row.opt_out_sms, Channel::Sms),
            (row.opt_out_voice, Channel::Voice),
        ];
        for (_, channel) in channels.into_iter().filter(|(out, _)| *out) {
            for phone in &row.phones {
                let last: Option<bool> = with_tx!(&mut *tx, c => sqlx::query_scalar(latest)
                    .bind(org).bind(phone).bind(channel).fetch_optional(c).await)?;
                if last == Some(false) {
                    continue;
                }
                let event = ConsentEvent {
                    phone: phone.clone(),
                    channel,
                    opted_in: false,
                    source: ConsentSource::Import,
                    note: Some(format!("opt-out column, line {}", row.line)),
                    created_at: now,
                };
                record_in(tx, org, &event).await?;
            }
        }
    }
    Ok(())
}
