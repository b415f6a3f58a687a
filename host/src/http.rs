//! The JSON API: one router per feature, merged here. Every route but
//! `/healthz`, login and the OpenAPI document takes a [`crate::auth::Principal`]
//! and asks [`crate::auth::authorize`] before touching anything.

pub mod accounts;
pub(crate) mod assignments;
mod attachments;
mod auth;
mod catalog;
mod definitions;
pub(crate) mod enrollments;
mod health;
pub(crate) mod modules;
pub mod notices;
pub mod openapi;
mod outbox;
mod public;
pub(crate) mod reports;
mod upgrades;

use axum::Router;
use axum::http::{HeaderMap, header};
use baton_sdk::Locale;

use crate::shared::{AppState, Error};

/// The JSON API's routes, `/api/v1/…` and the health checks.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(auth::router())
        .merge(accounts::router())
        .merge(attachments::router())
        .merge(modules::router())
        .merge(definitions::router())
        .merge(catalog::router())
        .merge(assignments::router())
        .merge(enrollments::router())
        .merge(reports::router())
        .merge(public::router())
        .merge(upgrades::router())
        .merge(notices::router())
        .merge(outbox::router())
        .merge(openapi::router())
}

/// Parses a JSON body, naming the field at fault (`payload.entries[0]`).
fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    // No stored text may hold a NUL: PostgreSQL refuses it. Named by field.
    if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        let field = serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .and_then(|v| nul_path(&v, ""))
            .unwrap_or_else(|| "body".to_owned());
        return Err(Error::bad(
            field,
            "含有不允许的字符（NUL）",
            "holds a NUL character",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let why = e.inner().to_string();
        // A missing field is reported at its parent; name the field itself.
        let missing = why
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let field = match (e.path().to_string(), missing) {
            (p, Some(name)) if p == "." => name.to_owned(),
            (p, Some(name)) => format!("{p}.{name}"),
            (p, None) if p == "." => "body".to_owned(),
            (p, None) => p,
        };
        Error::bad(field, format!("请求内容有误：{why}"), why)
    })
}

/// The dotted path of the first string (or key) in `v` holding a NUL.
fn nul_path(v: &serde_json::Value, path: &str) -> Option<String> {
    let at = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        serde_json::Value::String(s) if s.contains('\0') => Some(if path.is_empty() {
            "body".into()
        } else {
            path.to_owned()
        }),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| nul_path(x, &at(&i.to_string()))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
            if k.contains('\0') {
                Some(at("key"))
            } else {
                nul_path(x, &at(k))
            }
        }),
        _ => None,
    }
}

/// The reader's language: `?locale=en`, else `Accept-Language`, else Chinese.
pub(crate) fn locale(query: Option<&str>, headers: &HeaderMap) -> Locale {
    let wanted = query.map(str::to_owned).or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    });
    wanted.map_or(Locale::ZhCn, |tag| Locale::from_tag(&tag))
}
