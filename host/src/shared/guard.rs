//! What every request and response passes, whatever the route: the
//! security headers (a strict Content-Security-Policy, no framing, no
//! sniffing, no caching of signed-in pages, `Secure` cookies over HTTPS),
//! the JSON API's refusal of cross-site writes, NUL bytes refused before
//! anything reads them, and the API's own plain-text refusals (a body too
//! large, a bad path) answered in its JSON error format.

use super::Fault;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Error;

/// The pages' policy: nothing runs but the server's own script (offline
/// support, `/static/app.*.js`) and service worker, styles come
/// from `/static`, forms post only here, and no one frames a page.
pub const CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; worker-src 'self'; \
                       style-src 'self'; img-src 'self' data:; manifest-src 'self'; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn signed_in(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
        || headers
            .get_all(header::COOKIE)
            .iter()
            .any(|c| c.to_str().is_ok_and(|c| c.contains(super::COOKIE)))
}

/// A write to the JSON API from another site's page: its `Origin` or
/// `Sec-Fetch-Site` says so, or it comes as a form or plain text (the
/// kinds a page elsewhere can post with the visitor's cookie, unasked).
/// A bearer token is never sent by a browser on its own, so it passes.
fn cross_site_write(method: &Method, headers: &HeaderMap) -> Option<Error> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || headers.contains_key(header::AUTHORIZATION)
    {
        return None;
    }
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    let foreign_origin = match (origin, host) {
        (Some(origin), host) => origin == "null" || origin.split("://").nth(1) != host,
        (None, _) => false,
    };
    if matches!(site, Some("cross-site" | "same-site")) || foreign_origin {
        return Some(super::Error(Fault::Forbidden(baton_sdk::Text::new(
            "不接受来自其他网站的请求",
            "requests from another site are refused",
        ))));
    }
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let simple = [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ];
    if simple.iter().any(|s| kind.starts_with(s)) {
        return Some(Error::bad(
            "content-type",
            "请求须为 application/json",
            "must be application/json",
        ));
    }
    None
}

/// A NUL byte in the path or query (`%00`): no name, code or key has one,
/// and PostgreSQL cannot store it.
fn nul_in_uri(req: &Request) -> bool {
    req.uri()
        .path_and_query()
        .is_some_and(|p| p.as_str().to_ascii_lowercase().contains("%00"))
}

/// The layer: checks, then headers on whatever answers.
pub async fn guard(req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let api = req.uri().path().starts_with("/api/");
    let refused = if nul_in_uri(&req) {
        Some(Error::bad(
            "query",
            "请求中含有不允许的字符",
            "holds a NUL byte",
        ))
    } else if api {
        cross_site_write(req.method(), &headers)
    } else {
        None
    };
    let mut response = match refused {
        Some(e) => e.into_response(),
        None => next.run(req).await,
    };
    if api {
        response = json_refusal(response).await;
    }
    let h = response.headers_mut();
    // A handler's own, stricter policy (a downloaded file's) stays.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if signed_in(&headers) && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if over_https(&headers) {
        let cookies: Vec<HeaderValue> = h
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|c| match c.to_str() {
                Ok(s) if !s.to_ascii_lowercase().contains("; secure") => {
                    HeaderValue::from_str(&format!("{s}; Secure")).unwrap_or_else(|_| c.clone())
                }
                _ => c.clone(),
            })
            .collect();
        h.remove(header::SET_COOKIE);
        for c in cookies {
            h.append(header::SET_COOKIE, c);
        }
    }
    response
}

/// An API refusal axum wrote as plain text (413, a path that does not
/// parse) in the API's JSON error format.
async fn json_refusal(response: Response) -> Response {
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if !status.is_client_error() || !plain {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .unwrap_or_default();
    let why = String::from_utf8_lossy(&body).into_owned();
    let (code, zh) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("payload-too-large", "请求内容过大"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported-media-type", "请求内容类型不对"),
        StatusCode::METHOD_NOT_ALLOWED => ("method-not-allowed", "不支持这种请求方法"),
        _ => ("bad-request", "请求有误"),
    };
    let json = serde_json::json!({"error": code, "message": {"zh": zh, "en": why}});
    (status, axum::Json(json)).into_response()
}
