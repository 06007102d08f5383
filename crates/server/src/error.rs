//! `ApiError`: every failure answered in Wercker's error shape `{statusCode, error, message}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
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
#[derive(Debug, Serialize, ToSchema)]
pub struct Detail {
    /// The same text as the error's `message`.
    message: String,
    /// The parameter or field at fault, e.g. `limit` or `envVars.0`.
    path: String,
    /// Joi's name of the rule broken, e.g. `any.required`.
    r#type: String,
    /// The rule's parameters, e.g. `{"key": "limit", "limit": 100}`.
    context: serde_json::Value,
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Error)]
pub(crate) struct ErrorBody<'a> {
    /// The HTTP status code.
    status_code: u16,
    /// The status's reason phrase, e.g. `Not Found`.
    #[schema(value_type = String)]
    error: &'a str,
    /// What went wrong, for people.
    #[schema(value_type = String)]
    message: &'a str,
    /// On validation errors: the parameter or field at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Vec<Detail>>)]
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

/// Rewrites an error answer that is not JSON into the error shape, keeping its status and
/// using its text as the message. Extractors and layers of axum and tower-http answer their
/// own rejections in plain text (an undecodable path parameter, a body over the size limit);
/// clients of the API expect every error in one shape.
pub(crate) async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    // Rejection texts are one line; a longer body is cut rather than held in memory.
    let text = axum::body::to_bytes(response.into_body(), REJECTION_TEXT_LIMIT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text
    };
    ApiError::new(status, message).into_response()
}

/// Most bytes of a plain-text rejection kept as an error message.
const REJECTION_TEXT_LIMIT: usize = 4096;

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;
