//! The store's error type: the variants callers act on.

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// A row with the same unique key exists already.
    #[error("{0} already exists")]
    Conflict(String),
    /// The request cannot be stored as it is.
    #[error("{0}")]
    Invalid(String),
    /// Another server holds the database.
    #[error("{0}")]
    Locked(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// Shorthand for results of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// PostgreSQL's SQLSTATE for text it cannot store, such as a NUL character (SQLite stores
/// it).
const CHARACTER_NOT_IN_REPERTOIRE: &str = "22021";

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> StoreError {
        match &err {
            sqlx::Error::Database(db)
                if db.code().as_deref() == Some(CHARACTER_NOT_IN_REPERTOIRE) =>
            {
                StoreError::Invalid("text with a NUL character cannot be stored".into())
            }
            _ => StoreError::Database(err),
        }
    }
}

impl StoreError {
    /// Turns a unique-constraint violation into [`StoreError::Conflict`] naming `what`.
    pub(crate) fn conflict_on(err: sqlx::Error, what: impl Into<String>) -> StoreError {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(what.into())
            }
            _ => StoreError::from(err),
        }
    }
}
