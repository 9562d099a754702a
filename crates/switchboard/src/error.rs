//! The errors of the layers below HTTP: input that fails a rule ([`Invalid`]) and what a store
//! can answer besides its rows ([`StoreError`]). Models and stores return these; the HTTP
//! layer turns them into responses in one place (`http::error`).

/// Input that breaks a rule: which field, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Invalid {
        Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// What a store function answers when it has no rows to give.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such row in this organisation; names the kind of thing ("line").
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The change would break a uniqueness or state rule (answered with 409).
    #[error("{message}")]
    Conflict { field: String, message: String },
    /// The values break a rule the database checks (answered with 400).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("database")]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl StoreError {
    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> StoreError {
        StoreError::Conflict {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> StoreError {
        StoreError::Invalid(Invalid::new(field, message))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
