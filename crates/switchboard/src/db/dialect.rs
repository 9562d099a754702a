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

/// `LIKE` that ignores case: SQLite's already does (for ASCII); Postgres's is `ILIKE`.
pub fn ilike(kind: DbKind) -> &'static str {
    match kind {
        DbKind::Postgres => "ILIKE",
        DbKind::Sqlite => "LIKE",
    }
}

/// Ends a correlated `EXISTS (...)` subquery so that it is checked row by row through its
/// index: Postgres otherwise turns `EXISTS` into a semi-join that hashes every row the
/// subquery could match, on each page of a list walked 1,000 contacts at a time (walking a
/// 100,000-member static list took 52 s that way, 5 s this way; docs/contacts.md). `OFFSET 0`
/// keeps it a subplan; SQLite already checks it row by row (and takes no OFFSET without LIMIT).
pub fn row_by_row(kind: DbKind) -> &'static str {
    match kind {
        DbKind::Postgres => " OFFSET 0",
        DbKind::Sqlite => "",
    }
}

/// The type of a value read out of bound JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Int,
    Text,
}

/// The values of the JSON array bound as `$param`, as a one-column query: one statement text
/// (prepared once) whatever the list's length.
pub fn json_list(kind: DbKind, param: usize, of: Column) -> String {
    match (kind, of) {
        (DbKind::Sqlite, _) => format!("SELECT value FROM json_each(${param})"),
        (DbKind::Postgres, Column::Int) => format!(
            "SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(${param} AS JSONB))"
        ),
        (DbKind::Postgres, Column::Text) => {
            format!("SELECT value FROM jsonb_array_elements_text(CAST(${param} AS JSONB))")
        }
    }
}

/// "`column` is one of the values in the JSON array bound as `$param`": an index lookup per
/// value on both backends.
pub fn in_json_list(kind: DbKind, column: &str, param: usize, of: Column) -> String {
    in_subquery(kind, column, &json_list(kind, param, of))
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

/// The SQL of column `name` of the current row `r` of a JSON row source: an object's field,
/// cast when numeric (Postgres's `->>` yields text).
fn row_value(name: &str, of: Column) -> String {
    match of {
        Column::Int => format!("CAST(r.value ->> '{name}' AS BIGINT)"),
        Column::Text => format!("r.value ->> '{name}'"),
    }
}

/// `INSERT INTO table (columns...)` of the rows in the JSON array of objects bound as
/// `$param` (one field per column), in the array's order: one statement text whatever the
/// number of rows, so it is prepared once.
pub fn insert_rows(kind: DbKind, table: &str, param: usize, columns: &[(&str, Column)]) -> String {
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let values: Vec<String> = columns.iter().map(|(n, c)| row_value(n, *c)).collect();
    format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {} ORDER BY r.key",
        names.join(", "),
        values.join(", "),
        json_rows(kind, param, "r")
    )
}

/// `UPDATE table SET columns...` from the rows in the JSON array of objects bound as
/// `$param`, each row matched by its `id` field.
pub fn update_rows(kind: DbKind, table: &str, param: usize, columns: &[(&str, Column)]) -> String {
    let set: Vec<String> = columns
        .iter()
        .map(|(n, c)| format!("{n} = {}", row_value(n, *c)))
        .collect();
    format!(
        "UPDATE {table} SET {} FROM {} WHERE {table}.id = {}",
        set.join(", "),
        json_rows(kind, param, "r"),
        row_value("id", Column::Int)
    )
}

/// A one-row write for a connection that binds each row's values itself: `?N` in `sql` takes
/// the row's field `fields[N - 1]`.
#[derive(Debug)]
pub struct RowStatement<'a> {
    pub sql: String,
    pub fields: Vec<&'a str>,
}

/// `INSERT INTO table (columns...)` of one row, each column bound to its own field: SQLite's
/// form of [`insert_rows`] for a connection that binds rows one by one.
pub fn insert_row<'a>(table: &str, columns: &[(&'a str, Column)]) -> RowStatement<'a> {
    let fields: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let values: Vec<String> = (1..=fields.len()).map(|n| format!("?{n}")).collect();
    RowStatement {
        sql: format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            fields.join(", "),
            values.join(", ")
        ),
        fields,
    }
}

/// `UPDATE table SET columns...` of the row whose `id` field names it, each column bound to
/// its own field: SQLite's form of [`update_rows`] for one row.
pub fn update_row<'a>(table: &str, columns: &[(&'a str, Column)]) -> RowStatement<'a> {
    let mut fields: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let set: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, name)| format!("{name} = ?{}", i + 1))
        .collect();
    fields.push("id");
    RowStatement {
        sql: format!(
            "UPDATE {table} SET {} WHERE id = ?{}",
            set.join(", "),
            fields.len()
        ),
        fields,
    }
}

/// A JSON object of `fields` (name, SQL expression).
pub fn json_object(kind: DbKind, fields: &[(&str, String)]) -> String {
    let pairs: Vec<String> = fields
        .iter()
        .map(|(name, expr)| format!("'{name}', {expr}"))
        .collect();
    match kind {
        DbKind::Sqlite => format!("json_object({})", pairs.join(", ")),
        DbKind::Postgres => format!("json_build_object({})", pairs.join(", ")),
    }
}

/// A JSON array of `value` over the rows of `from` (a FROM clause and what follows it); `[]`
/// when there are none.
pub fn json_array_of(kind: DbKind, value: &str, from: &str) -> String {
    match kind {
        DbKind::Sqlite => format!("(SELECT json_group_array({value}) FROM {from})"),
        DbKind::Postgres => {
            format!("(SELECT COALESCE(json_agg({value}), CAST('[]' AS JSON)) FROM {from})")
        }
    }
}

/// What separates the statements of a SQLite list made by [`all_at_once`].
pub const STATEMENT_SEPARATOR: &str = ";\n";

/// Runs `statements` (writes that take their values from the same numbered parameters) as one
/// statement, so they cost one round trip: SQLite runs a list of statements; Postgres, whose
/// extended protocol takes one statement, runs them as data-modifying CTEs.
pub fn all_at_once(kind: DbKind, statements: &[String]) -> String {
    match kind {
        DbKind::Sqlite => statements.join(STATEMENT_SEPARATOR),
        DbKind::Postgres => {
            let ctes: Vec<String> = statements
                .iter()
                .enumerate()
                .map(|(i, s)| format!("w{i} AS ({s} RETURNING 1)"))
                .collect();
            format!("WITH {} SELECT 1", ctes.join(", "))
        }
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
    fn rows_are_written_from_one_json_parameter_field_by_field() {
        let columns = [("id", Column::Int), ("kind", Column::Text)];
        assert_eq!(
            insert_rows(DbKind::Sqlite, "events", 1, &columns),
            "INSERT INTO events (id, kind) SELECT CAST(r.value ->> 'id' AS BIGINT), r.value ->> 'kind' \
             FROM jsonb_each($1) AS r ORDER BY r.key"
        );
        assert_eq!(
            update_rows(DbKind::Postgres, "events", 1, &columns[1..]),
            "UPDATE events SET kind = r.value ->> 'kind' FROM jsonb_array_elements(CAST($1 AS JSONB)) \
             WITH ORDINALITY AS r(value, key) WHERE events.id = CAST(r.value ->> 'id' AS BIGINT)"
        );
    }

    #[test]
    fn one_row_is_written_with_each_value_bound_by_its_column_name() {
        let columns = [("id", Column::Int), ("kind", Column::Text)];
        let insert = insert_row("events", &columns);
        assert_eq!(insert.sql, "INSERT INTO events (id, kind) VALUES (?1, ?2)");
        assert_eq!(insert.fields, ["id", "kind"]);
        let update = update_row("events", &columns[1..]);
        assert_eq!(update.sql, "UPDATE events SET kind = ?1 WHERE id = ?2");
        assert_eq!(update.fields, ["kind", "id"]);
    }

    #[test]
    fn writes_run_at_once_as_a_list_on_sqlite_and_as_ctes_on_postgres() {
        let writes = [
            "INSERT INTO a SELECT 1".to_string(),
            "UPDATE b SET c = 1".to_string(),
        ];
        assert_eq!(
            all_at_once(DbKind::Sqlite, &writes),
            "INSERT INTO a SELECT 1;\nUPDATE b SET c = 1"
        );
        assert_eq!(
            all_at_once(DbKind::Postgres, &writes),
            "WITH w0 AS (INSERT INTO a SELECT 1 RETURNING 1), w1 AS (UPDATE b SET c = 1 RETURNING 1) SELECT 1"
        );
    }

    #[test]
    fn only_postgres_claims_skip_locked_rows() {
        assert_eq!(skip_locked(DbKind::Postgres), " FOR UPDATE SKIP LOCKED");
        assert_eq!(skip_locked(DbKind::Sqlite), "");
    }
}
