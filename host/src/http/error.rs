//! The one error type of the HTTP layer.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An error a handler returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 500: a fault on our side. Logged with its cause; the client sees no detail.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Error::Internal(e) => {
                // Logged here once; the body says nothing of the cause.
                tracing::error!(error = %format!("{e:#}"), "internal error");
                let body = serde_json::json!({"error": "internal", "message": "服務(wù)器內(nèi)部錯誤 / internal server error"});
                (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
            }
        }
    }
}
