//! The contacts' SQL.

pub mod consent;
pub mod contacts;
pub mod lists;

/// Binds a compiled filter's values ([`SqlValue`](crate::contacts::model::filter::SqlValue)),
/// in order, after whatever `$query` has bound already.
macro_rules! bind_values {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = match value {
                $crate::contacts::model::filter::SqlValue::Text(t) => query.bind(t.as_str()),
                $crate::contacts::model::filter::SqlValue::Int(i) => query.bind(*i),
            };
        }
        query
    }};
}
use bind_values;
