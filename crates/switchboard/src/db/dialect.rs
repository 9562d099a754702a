//! The SQL that differs between SQLite and PostgreSQL, in one place.

use super::DbKind;

/// The locking suffix for a claim query: Postgres skips rows another worker holds; SQLite has
/// one writer at a time (`BEGIN IMMEDIATE`), so it needs none.
pub fn skip_locked(kind: DbKind) -> &'static str {
    match kind {
        DbKind::Postgres => " FOR UPDATE SKIP LOCKED",
        DbKind::Sqlite => "",
    }
}

/// Locks the rows a read-then-write transaction reads, on Postgres. SQLite's `BEGIN
/// IMMEDIATE` already holds the only write lock.
pub fn for_update(kind: DbKind) -> &'static str {
    match kind {
        DbKind::Postgres => " FOR UPDATE",
        DbKind::Sqlite => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_postgres_claims_skip_locked_rows() {
        assert_eq!(skip_locked(DbKind::Postgres), " FOR UPDATE SKIP LOCKED");
        assert_eq!(skip_locked(DbKind::Sqlite), "");
    }
}
