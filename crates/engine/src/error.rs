//! The engine's error type, one variant per answer a caller gives.

use werk_store::StoreError;

/// Why the engine refused or failed a request.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The thing named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed.
    #[error("{0}")]
    Invalid(String),
    /// The request is well-formed but cannot be carried out.
    #[error("{0}")]
    Unprocessable(String),
    /// It exists already.
    #[error("{0}")]
    Conflict(String),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// Something else failed on our side.
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for EngineError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => EngineError::NotFound(format!("{what} not found")),
            StoreError::Conflict(what) => EngineError::Conflict(format!("{what} already exists")),
            StoreError::Invalid(why) => EngineError::Invalid(why),
            other => EngineError::Store(other),
        }
    }
}

/// Shorthand for engine results.
pub type EngineResult<T> = Result<T, EngineError>;
