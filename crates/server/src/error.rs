//! `ApiError`: every failure answered in Wercker's error shape `{statusCode, error, message}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use werk_engine::EngineError;
use werk_store::StoreError;

/// An error answer of the API.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    details: Option<Vec<Detail>>,
}

/// One entry of a validation error's `details`, as Joi wrote them.
#[derive(Debug, Serialize)]
pub struct Detail {
    message: String,
    path: String,
    r#type: String,
    context: serde_json::Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    status_code: u16,
    error: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a [Detail]>,
}

impl ApiError {
    /// An error with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            details: None,
        }
    }

    /// 400, naming the field at fault in `details`.
    pub fn invalid_field(
        field: &str,
        message: impl Into<String>,
        kind: &str,
        context: serde_json::Value,
    ) -> ApiError {
        let message = message.into();
        let detail = Detail {
            message: message.clone(),
            path: field.to_string(),
            r#type: kind.to_string(),
            context,
        };
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message,
            details: Some(vec![detail]),
        }
    }

    /// 400 for a query or body value outside its vocabulary.
    pub fn not_one_of(field: &str, valids: &[&str]) -> ApiError {
        let joined = valids.join(", ");
        ApiError::invalid_field(
            field,
            format!("{field} must be one of {joined}"),
            "any.allowOnly",
            serde_json::json!({ "valids": joined, "key": field }),
        )
    }

    /// 401: the request needs a valid token.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 403: the caller may see the resource but not do this.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// 400.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = %self.status, message = %self.message, "request failed");
        } else {
            tracing::debug!(status = %self.status, message = %self.message, "request refused");
        }
        let body = ErrorBody {
            status_code: self.status.as_u16(),
            error: self.status.canonical_reason().unwrap_or("Error"),
            message: &self.message,
            details: self.details.as_deref(),
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json; charset=utf-8"),
        );
        response
    }
}

impl From<EngineError> for ApiError {
    fn from(err: EngineError) -> Self {
        if let EngineError::Store(_) | EngineError::Internal(_) = &err {
            // The details are for the server's log, not for clients.
            tracing::error!(error = %err, "internal error");
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "werk failed to answer this request; the server's log says why",
            );
        }
        let status = match &err {
            EngineError::NotFound(_) => StatusCode::NOT_FOUND,
            EngineError::Invalid(_) => StatusCode::BAD_REQUEST,
            EngineError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            EngineError::Conflict(_) => StatusCode::CONFLICT,
            EngineError::Store(_) | EngineError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, err.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        ApiError::from(EngineError::from(err))
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;
