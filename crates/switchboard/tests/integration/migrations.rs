//! Both backends' migration folders list the same versions.

use switchboard::db::{Db, DbKind};

#[test]
fn sqlite_and_postgres_migrations_have_the_same_versions() {
    let sqlite = Db::migration_versions(DbKind::Sqlite);
    let postgres = Db::migration_versions(DbKind::Postgres);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}
