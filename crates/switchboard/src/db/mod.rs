//! The database: SQLite (one file, the default) or PostgreSQL (scale-out), chosen once from the
//! URL. One SQL text serves both: `$1..$N` placeholders, BIGINT epoch-millisecond timestamps,
//! TEXT for JSON. The few real differences live in [`dialect`].
//!
//! Two ways in: reads through [`with_db!`], writes through a transaction from [`Db::write`]
//! (and [`with_tx!`] inside it). On SQLite the read pool's connections are `query_only`, so a
//! write that skipped the write gate fails at once.

pub mod dialect;
mod inline;
mod pool;
mod sqlite;
#[cfg(test)]
mod tests;

pub use inline::{InlineTx, Param, WriteTx};
pub use pool::{Db, DbKind, Tx, sqlite_readers};
pub use sqlite::{Checkpoints, SqliteDb, SqliteSettings};

/// Runs the read `$body` with `$pool` bound to the concrete sqlx pool of `$db` (on SQLite, its
/// read-only connections: writes go through [`Db::write`]).
///
/// The body is compiled once per backend, so sqlx picks the right driver types; SQL written
/// with `$n` placeholders runs unchanged on both.
#[macro_export]
macro_rules! with_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(sqlite) => {
                let $pool = $crate::db::sqlite_readers(sqlite);
                $body
            }
            $crate::db::Db::Pg($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the open connection of transaction `$tx`.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t, _) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Pg(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// Runs the single-statement write `$body` in a write transaction of its own (see
/// [`Db::write`]), with `$conn` bound to its connection; commits when `$body` succeeds.
/// Evaluates to `Result<T, sqlx::Error>`.
#[macro_export]
macro_rules! with_write {
    ($db:expr, $conn:ident => $body:expr) => {
        async {
            let mut tx = $db.write().await?;
            let out = $crate::with_tx!(&mut tx, $conn => $body)?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(out)
        }
        .await
    };
}

/// Turns a unique-constraint violation into `Some(constraint-ish name)` so store functions can
/// answer 409 with the field at fault instead of a 500.
pub fn unique_violation(err: &sqlx::Error) -> Option<String> {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => Some(
            db.constraint()
                .map(str::to_string)
                .unwrap_or_else(|| db.message().to_string()),
        ),
        _ => None,
    }
}
