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

/// `FOR UPDATE OF alias` on Postgres: locks only that table's rows of a join.
pub fn for_update_of(kind: DbKind, alias: &str) -> String {
    match kind {
        DbKind::Postgres => format!(" FOR UPDATE OF {alias}"),
        DbKind::Sqlite => String::new(),
    }
}

/// The type of a value read out of bound JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Int,
    Text,
}

/// "`column` is one of the values in the JSON array bound as `$param`": one statement text
/// (prepared once) whatever the list's length, and an index lookup per value on both backends.
pub fn in_json_list(kind: DbKind, column: &str, param: usize, of: Column) -> String {
    let values = match (kind, of) {
        (DbKind::Sqlite, _) => format!("SELECT value FROM json_each(${param})"),
        (DbKind::Postgres, Column::Int) => format!(
            "SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(${param} AS JSONB))"
        ),
        (DbKind::Postgres, Column::Text) => {
            format!("SELECT value FROM jsonb_array_elements_text(CAST(${param} AS JSONB))")
        }
    };
    in_subquery(kind, column, &values)
}

/// "`column` is one of the values `subquery` returns", in the form each planner turns into
/// index lookups: Postgres gets an array (a set-returning function inside `IN (...)` is joined
/// by scanning the table).
pub fn in_subquery(kind: DbKind, column: &str, subquery: &str) -> String {
    match kind {
        DbKind::Sqlite => format!("{column} IN ({subquery})"),
        DbKind::Postgres => format!("{column} = ANY(ARRAY({subquery}))"),
    }
}

/// The rows of the JSON array of arrays bound as `$param`, as a table `alias` with columns
/// `value` (the row) and `key` (its position). SQLite's `jsonb_each` hands each row over as
/// binary JSON, so reading its columns with `->>` does not parse the row's text again.
pub fn json_rows(kind: DbKind, param: usize, alias: &str) -> String {
    match kind {
        DbKind::Sqlite => format!("jsonb_each(${param}) AS {alias}"),
        DbKind::Postgres => format!(
            "jsonb_array_elements(CAST(${param} AS JSONB)) WITH ORDINALITY AS {alias}(value, key)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_list_is_one_bound_array_read_as_each_backend_can_index() {
        assert_eq!(
            in_json_list(DbKind::Sqlite, "id", 2, Column::Int),
            "id IN (SELECT value FROM json_each($2))"
        );
        assert_eq!(
            in_json_list(DbKind::Postgres, "id", 2, Column::Int),
            "id = ANY(ARRAY(SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST($2 AS JSONB))))"
        );
    }

    #[test]
    fn only_postgres_claims_skip_locked_rows() {
        assert_eq!(skip_locked(DbKind::Postgres), " FOR UPDATE SKIP LOCKED");
        assert_eq!(skip_locked(DbKind::Sqlite), "");
    }
}
