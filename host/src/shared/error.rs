//! Errors as HTTP answers, mapped once here: a use case's error
//! ([`crate::error::Error`]) answers with the status and JSON body its
//! `parts` give, and its cause is handed to `metrics::record` to be logged
//! once (the pages' layer turns the answer into the layout's error page).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::metrics::Failure;

/// The status a use case's error answers with.
pub fn status_of(e: &crate::error::Error) -> StatusCode {
    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A use case's error on its way out of a transport.
#[derive(Debug)]
pub struct Error(pub crate::error::Error);

impl<E: Into<crate::error::Error>> From<E> for Error {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl std::ops::Deref for Error {
    type Target = crate::error::Error;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Error {
    /// The status it answers with.
    pub fn status(&self) -> StatusCode {
        status_of(&self.0)
    }

    /// A 400 for `field`.
    pub fn bad(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self(crate::error::Error::bad(field, zh, en))
    }

    /// A 403.
    pub fn forbidden() -> Self {
        Self(crate::error::Error::forbidden())
    }

    /// A 404 for `what`.
    pub fn not_found(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self(crate::error::Error::not_found(zh, en))
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        use crate::error::Error;
        let this = self.0;
        // The cause rides on the response to `metrics::record`, which logs
        // it once in the request's span; the body says nothing of it.
        let failure = match &this {
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
        let (_, body) = this.parts();
        // What it says, for a page to show without reading the body back.
        let said = Said {
            zh: crate::error::message_in(&body, baton_sdk::Locale::ZhCn),
            en: crate::error::message_in(&body, baton_sdk::Locale::En),
        };
        let status = status_of(&this);
        let mut response = (status, axum::Json(body)).into_response();
        response.extensions_mut().insert(said);
        if let Some(failure) = failure {
            response.extensions_mut().insert(failure);
        }
        if let Error::Throttled(after) | Error::TooManyTries(after) = this
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
