//! Typed ids: an organisation's id cannot be passed where a line's is expected. Each is an
//! `i64` inside (the database's BIGINT), with a private field: made by [`new`](OrgId::new)
//! or read from a row, a path or JSON; stored, bound and serialized as the bare number.

/// Declares an id newtype over `i64`.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(id: i64) -> Self {
                $name(id)
            }

            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map($name)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <i64 as utoipa::PartialSchema>::schema()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

id_type!(
    /// The organisation every row belongs to. Every query filters by it.
    OrgId
);
id_type!(
    /// A person: staff, volunteer or technician.
    PersonId
);
id_type!(
    /// A hotline line.
    LineId
);
id_type!(
    /// An incident: one call walking a line.
    IncidentId
);
id_type!(
    /// A row of the job queue.
    JobId
);
id_type!(
    /// A row of the outbox: one call or text we mean to send.
    OutboxId
);
id_type!(
    /// A CSV import of contacts: its progress and the rows it refused.
    ImportId
);
id_type!(
    /// A contact: someone outside the organisation its jobs call and text.
    ContactId
);
id_type!(
    /// A list of contacts: static members or a saved filter.
    ListId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_the_bare_number_in_json_text_and_the_database() {
        let id = IncidentId::new(42);
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(serde_json::from_str::<IncidentId>("42").unwrap(), id);
        assert_eq!(id.to_string(), "42");
        assert_eq!(" 42".parse::<IncidentId>().unwrap(), id);
        assert!("x".parse::<IncidentId>().is_err());
    }

    #[tokio::test]
    async fn an_id_binds_and_decodes_as_a_bigint() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
        let back: LineId = sqlx::query_scalar("SELECT $1 + 1")
            .bind(LineId::new(6))
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(back, LineId::new(7));
    }
}
