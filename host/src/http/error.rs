//! Errors as HTTP answers: the status and JSON body [`Error::parts`] gives,
//! and the cause handed to `metrics::record` to be logged once.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::Error;
use crate::metrics::Failure;

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        // The cause rides on the response to `metrics::record`, which logs
        // it once in the request's span; the body says nothing of it.
        let failure = match &self {
            Error::Internal(e) => Some(Failure {
                severe: true,
                cause: format!("{e:#}"),
            }),
            Error::Plugin(e) => Some(Failure {
                severe: false,
                cause: e.to_string(),
            }),
            _ => None,
        };
        let (status, body) = self.parts();
        // What it says, for a page to show without reading the body back.
        let said = Said {
            zh: crate::error::message_in(&body, baton_sdk::Locale::ZhCn),
            en: crate::error::message_in(&body, baton_sdk::Locale::En),
        };
        let mut response = (status, axum::Json(body)).into_response();
        response.extensions_mut().insert(said);
        if let Some(failure) = failure {
            response.extensions_mut().insert(failure);
        }
        if let Error::Throttled(after) | Error::TooManyTries(after) = self
            && let Ok(v) = HeaderValue::from_str(&after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// An error answer's message in both languages, riding on the response so
/// the pages' error layer shows it without parsing the JSON body back.
#[derive(Debug, Clone)]
pub struct Said {
    /// 中文.
    pub zh: String,
    /// English.
    pub en: String,
}
