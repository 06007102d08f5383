//! Query-string and JSON-body reading with errors that name the parameter or field at fault.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};

/// Largest page a listing returns.
pub const MAX_LIMIT: i64 = 100;
/// Largest page of the lists integrations poll whole (Spinnaker asks for 300, scripts
/// listing every application as many).
pub const MAX_WIDE_LIMIT: i64 = 1000;

/// The query string as a map; repeated names keep their last value.
pub type Params = HashMap<String, String>;

/// `limit` (at most [`MAX_LIMIT`]) and `skip` of a listing, validated.
pub fn page(params: &Params, default_limit: i64) -> ApiResult<(i64, i64)> {
    page_up_to(params, default_limit, MAX_LIMIT)
}

/// `limit` (at most `max_limit`) and `skip` of a listing, validated.
pub fn page_up_to(params: &Params, default_limit: i64, max_limit: i64) -> ApiResult<(i64, i64)> {
    Ok((
        integer(params, "limit", default_limit, 1, max_limit)?,
        integer(params, "skip", 0, 0, i64::MAX)?,
    ))
}

/// An integer parameter from `min` to `max`; `default` when absent.
pub fn integer(params: &Params, name: &str, default: i64, min: i64, max: i64) -> ApiResult<i64> {
    match params.get(name) {
        None => Ok(default),
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid_field(
                name,
                format!("{name} must be an integer from {min} to {max} (got {raw:?})"),
                "number.base",
                serde_json::json!({ "key": name, "limit": max }),
            )),
        },
    }
}

/// A parameter that must be one of `valids` when present.
pub fn one_of(params: &Params, name: &str, valids: &[&str]) -> ApiResult<Option<String>> {
    match params.get(name) {
        None => Ok(None),
        Some(v) if valids.contains(&v.as_str()) => Ok(Some(v.clone())),
        Some(_) => Err(ApiError::not_one_of(name, valids)),
    }
}

/// A JSON object body; any content type is accepted, as Wercker's clients vary.
pub struct JsonObject(pub serde_json::Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            // 413 when the body is over the size limit, 400 for other failures.
            ApiError::new(e.status(), format!("cannot read the request body: {e}"))
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonObject(serde_json::Map::new()));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(JsonObject(map)),
            Ok(_) => Err(ApiError::bad_request(
                "the request body must be a JSON object",
            )),
            Err(e) => Err(ApiError::bad_request(format!(
                "the request body is not valid JSON: {e}"
            ))),
        }
    }
}

impl JsonObject {
    /// A string field; `None` when absent or null.
    pub fn string(&self, field: &str) -> ApiResult<Option<String>> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::invalid_field(
                field,
                format!("{field} must be a string"),
                "string.base",
                serde_json::json!({ "key": field }),
            )),
        }
    }

    /// A boolean field; `None` when absent or null.
    pub fn boolean(&self, field: &str) -> ApiResult<Option<bool>> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::invalid_field(
                field,
                format!("{field} must be a boolean"),
                "boolean.base",
                serde_json::json!({ "key": field }),
            )),
        }
    }

    /// A string field that must be present and non-empty.
    pub fn required_string(&self, field: &str) -> ApiResult<String> {
        match self.string(field)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(ApiError::invalid_field(
                field,
                format!("{field} is required"),
                "any.required",
                serde_json::json!({ "key": field }),
            )),
        }
    }
}
