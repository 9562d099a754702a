//! The organisation's outbound settings' SQL: columns of `organisations`.

use super::{OutboundSettings, format_hh_mm, hh_mm};
use crate::contacts::model::quiet_hours::QuietHours;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::ids::OrgId;
use crate::{with_db, with_write};

/// The organisation's name and outbound settings.
pub async fn load(db: &Db, org: OrgId) -> StoreResult<(String, OutboundSettings)> {
    let sql = "SELECT name, help_text, help_contact, quiet_hours_start, quiet_hours_end \
               FROM organisations WHERE id = $1";
    type Row = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> =
        with_db!(db, p => sqlx::query_as(sql).bind(org).fetch_optional(p).await)?;
    let (name, help_text, help_contact, start, end) =
        row.ok_or(StoreError::NotFound("organisation"))?;
    // Stored values were checked when saved; one that no longer parses keeps the default.
    let quiet_hours = match (start, end) {
        (Some(s), Some(e)) => match (hh_mm("start", &s), hh_mm("end", &e)) {
            (Ok(s), Ok(e)) => QuietHours::new(s, e).ok(),
            _ => None,
        },
        _ => None,
    };
    let settings = OutboundSettings {
        help_text,
        help_contact,
        quiet_hours,
    };
    Ok((name, settings))
}

/// Saves the organisation's outbound settings (checked by `super::clean`).
pub async fn save(db: &Db, org: OrgId, settings: &OutboundSettings) -> StoreResult<()> {
    let sql = "UPDATE organisations SET help_text = $2, help_contact = $3, quiet_hours_start = $4, \
               quiet_hours_end = $5 WHERE id = $1";
    let start = settings.quiet_hours.map(|q| format_hh_mm(q.opens));
    let end = settings.quiet_hours.map(|q| format_hh_mm(q.closes));
    with_write!(db, p => sqlx::query(sql).bind(org).bind(&settings.help_text)
        .bind(&settings.help_contact).bind(start).bind(end).execute(p).await.map(|_| ()))?;
    Ok(())
}
