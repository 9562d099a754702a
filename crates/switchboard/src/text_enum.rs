//! Lifecycles and kinds stored as text: one macro declares the enum with the text of each
//! variant, and derives from that one list its JSON names, `as_str`, `FromStr`, `Display` and
//! its database encoding. Reading a stored value that no variant names is an error, never a
//! default.

/// A value that names no variant of the enum asked for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a known {what}")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

/// Declares an enum whose variants are stored and serialized as the given texts:
///
/// ```ignore
/// text_enum! {
///     /// An incident's lifecycle.
///     pub enum IncidentStatus { Open = "open", Answered = "answered" }
/// }
/// ```
///
/// Derives Clone, Copy, Debug, PartialEq, Eq, Hash, serde (the texts), utoipa's schema (the texts), and
/// sqlx's Type/Encode/Decode for every backend that stores `&str` (TEXT columns).
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and JSON) text of this variant.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::text_enum::UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::text_enum::UnknownValue {
                        what: stringify!($name),
                        value: s.to_string(),
                    }),
                }
            }
        }

        // The schema by hand: utoipa's derive does not see a `serde(rename)` whose text comes
        // from a macro argument, and would publish the variants' Rust names.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            &'q str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut DB::ArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'q str as sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                Ok(text.parse::<$name>()?)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::text_enum! {
        /// A test lifecycle.
        enum Light { Red = "red", Amber = "amber-ish" }
    }

    #[test]
    fn each_variant_round_trips_through_its_text_and_json() {
        for light in Light::ALL {
            assert_eq!(light.as_str().parse::<Light>(), Ok(*light));
            let json = serde_json::to_string(light).unwrap();
            assert_eq!(json, format!("\"{light}\""));
        }
        assert_eq!(Light::Amber.as_str(), "amber-ish");
    }

    #[test]
    fn the_openapi_schema_lists_the_stored_texts() {
        use utoipa::PartialSchema as _;
        let schema = serde_json::to_value(Light::schema()).unwrap();
        assert_eq!(schema["enum"], serde_json::json!(["red", "amber-ish"]));
        assert_eq!(schema["type"], "string");
    }

    #[test]
    fn an_unknown_text_is_an_error_naming_the_type_and_value() {
        let err = "green".parse::<Light>().unwrap_err();
        assert_eq!(err.to_string(), "'green' is not a known Light");
    }

    #[tokio::test]
    async fn an_unknown_stored_value_fails_to_decode_instead_of_defaulting() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
        let red: Light = sqlx::query_scalar("SELECT $1")
            .bind(Light::Red)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(red, Light::Red);
        let unknown = sqlx::query_scalar::<_, Light>("SELECT 'green'")
            .fetch_one(&pool)
            .await;
        assert!(unknown.is_err(), "{unknown:?}");
    }
}
