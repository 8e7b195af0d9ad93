//! Errors of the HTTP service: JSON `{code, message}` with the library's
//! stable codes (plus a few transport codes), and ONE table from code to
//! HTTP status.

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::Response;
use flamekit::Error;

/// Code → HTTP status. Library codes ([`Error::code`]) and the service's own
/// transport codes. `invalid_argument/frame` is an unknown sandwich frame:
/// the library reports it as `invalid_argument` on `frame`, the service
/// answers 404 (the code in the body stays `invalid_argument`).
const STATUS: &[(&str, u16)] = &[
    ("invalid_json", 400),
    ("unsupported_format", 400),
    ("invalid_profile", 400),
    ("truncated_input", 400),
    ("decompression_failed", 400),
    ("invalid_argument", 400),
    ("invalid_source_map", 400),
    ("invalid_argument/frame", 404),
    ("limit_exceeded", 422),
    ("empty_profile", 422),
    ("io_error", 500),
    ("internal_error", 500),
    // Transport codes (not from the library).
    ("unauthorized", 401),
    ("not_found", 404),
    ("payload_too_large", 413),
    ("unsupported_media_type", 415),
    ("overloaded", 503),
    ("timeout", 503),
];

/// Status for a code; an unknown code is a 500 (a bug: every code is in [`STATUS`]).
pub(super) fn status_for(key: &str) -> StatusCode {
    STATUS
        .iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, s)| StatusCode::from_u16(*s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// An error on its way to the client.
#[derive(Debug)]
pub(super) struct ApiError {
    /// Key into [`STATUS`] (usually the same as `code`).
    key: String,
    /// Stable code for the body.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
}

impl ApiError {
    /// A transport error (`unauthorized`, `payload_too_large`, ...).
    pub(super) fn transport(code: &'static str, message: impl Into<String>) -> Self {
        ApiError { key: code.to_owned(), code, message: message.into() }
    }

    /// HTTP status from the table.
    pub(super) fn status(&self) -> StatusCode {
        status_for(&self.key)
    }

    /// The JSON response.
    pub(super) fn into_response(self) -> Response {
        let body = serde_json::json!({"code": self.code, "message": self.message}).to_string();
        Response::builder()
            .status(self.status())
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap_or_else(|_| Response::new(Body::empty()))
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let key = match &e {
            Error::InvalidArgument { name: "frame", .. } => "invalid_argument/frame".to_owned(),
            _ => e.code().to_owned(),
        };
        ApiError { key, code: e.code(), message: e.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_library_code_has_a_status() {
        for code in Error::CODES {
            assert!(STATUS.iter().any(|(k, _)| k == code), "{code} missing from STATUS");
        }
    }

    #[test]
    fn statuses() {
        assert_eq!(ApiError::from(Error::argument("frame", "x")).status(), StatusCode::NOT_FOUND);
        assert_eq!(ApiError::from(Error::argument("width", "x")).status(), StatusCode::BAD_REQUEST);
        let limit = Error::LimitExceeded { limit: flamekit::LimitKind::InflatedBytes, max: 1, value: 2 };
        assert_eq!(ApiError::from(limit).status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(ApiError::transport("overloaded", "").status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
