//! The database: SQLite (one file, the default) or PostgreSQL (scale-out), chosen once from the
//! URL. One SQL text serves both: `$1..$N` placeholders, BIGINT epoch-millisecond timestamps,
//! TEXT for JSON. The few real differences live in [`dialect`].

pub mod dialect;
mod pool;
mod sqlite_writer;

pub use pool::{Db, DbKind, SqliteDb, Tx};
pub use sqlite_writer::{SqliteTx, SqliteWriter};

/// Runs `$body` with `$pool` bound to the concrete sqlx pool of `$db`.
///
/// The body is compiled once per backend, so sqlx picks the right driver types; SQL written
/// with `$n` placeholders runs unchanged on both.
#[macro_export]
macro_rules! with_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(sqlite) => {
                let $pool = &sqlite.pool;
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
