//! Signing in and out, and the [`Principal`] extractor every other route
//! takes: a bearer token (API) or the session cookie (browser), either way a
//! row in `sessions`. No valid credential, no principal: 401.

use std::sync::OnceLock;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};

use super::{AppState, Error, json_body, now};
use crate::auth::{self, Grant, Principal};
use crate::db::accounts::{self, THROTTLE_WINDOW};

/// The browser session cookie.
pub const COOKIE: &str = "baton_session";

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/login", post(login))
        .route("/api/v1/logout", post(logout))
}

/// What `POST /api/v1/login` takes.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Login {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// What a successful login answers, besides the session cookie.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Session {
    /// A bearer token for the API: `Authorization: Bearer <token>`.
    pub token: String,
    /// Login name.
    pub username: String,
    /// The name shown to others.
    pub display_name: String,
    /// Roles and where.
    #[schema(value_type = Vec<Object>)]
    pub grants: Vec<Grant>,
}

/// Signs in: a bearer token in the body and an HttpOnly session cookie.
/// Five failures for a name within 15 minutes lock it for the rest of them.
#[utoipa::path(post, path = "/api/v1/login", request_body = Login, tag = "session",
    responses((status = 200, body = Session), (status = 401), (status = 429)))]
pub(super) async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientAddr(address): ClientAddr,
    body: axum::body::Bytes,
) -> Result<(CookieJar, Json<Session>), Error> {
    let input: Login = json_body(&body)?;
    let (token, principal) = sign_in(&state, &input.username, &input.password, &address).await?;
    let cookie = session_cookie(&token);
    Ok((
        jar.add(cookie),
        Json(Session {
            token,
            username: principal.username,
            display_name: principal.display_name,
            grants: principal.grants,
        }),
    ))
}

/// Ends the session (cookie or bearer token).
#[utoipa::path(post, path = "/api/v1/logout", tag = "session", responses((status = 204)))]
pub(super) async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<(CookieJar, StatusCode), Error> {
    sign_out(&state, &headers, &jar).await?;
    Ok((
        jar.remove(Cookie::build(COOKIE).path("/")),
        StatusCode::NO_CONTENT,
    ))
}

/// The client's address (`""` when unknown, as in-process tests are), for
/// throttling. The server is reached directly or through a proxy that
/// keeps one connection per client; `X-Forwarded-For` is not trusted.
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let address = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_default();
        Ok(ClientAddr(address))
    }
}

/// Checks a name and password, throttled (see [`accounts::throttled`]: five
/// failures for a name from one address within 15 minutes, thirty from one
/// address, fifty for a name). Opens a session.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    address: &str,
) -> Result<(String, Principal), Error> {
    check_login_name(username)?;
    let now = now();
    if accounts::throttled(&state.db, username, address, now).await? {
        return Err(Error::Throttled(THROTTLE_WINDOW));
    }
    let found = accounts::credentials(&state.db, username).await?;
    // An unknown name costs the same time as a wrong password.
    let stored = found
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |(_, h)| h.clone());
    let password = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &stored))
        .await
        .map_err(anyhow::Error::from)?;
    let Some((account_id, _)) = found.filter(|_| ok) else {
        accounts::record_failure(&state.db, username, address, now).await?;
        return Err(Error::BadCredentials);
    };
    let token = accounts::open_session(&state.db, account_id, now).await?;
    let principal = accounts::principal(&state.db, &token, now)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a session just opened is missing"))?;
    Ok((token, principal))
}

/// The longest login name accepted, bytes.
pub const MAX_USERNAME: usize = 64;

/// Refuses, before anything is written, an empty, overlong or control
/// character-bearing login name (a NUL would be a 500 on PostgreSQL).
pub fn check_login_name(username: &str) -> Result<(), Error> {
    if username.trim().is_empty() {
        return Err(Error::bad("username", "用户名不能为空", "is required"));
    }
    if username.len() > MAX_USERNAME || username.chars().any(char::is_control) {
        return Err(Error::bad(
            "username",
            format!("用户名最长 {MAX_USERNAME} 个字符，且不能含控制字符"),
            format!("must be at most {MAX_USERNAME} bytes, without control characters"),
        ));
    }
    Ok(())
}

/// The browser's session cookie for `token`.
pub fn session_cookie(token: &str) -> Cookie<'static> {
    Cookie::build((COOKIE, token.to_owned()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(time::Duration::seconds(accounts::SESSION_SECONDS))
        .build()
}

/// Ends the session whose token is in the request, if any.
pub async fn sign_out(state: &AppState, headers: &HeaderMap, jar: &CookieJar) -> Result<(), Error> {
    if let Some(token) = token(headers, jar) {
        accounts::close_session(&state.db, &token).await?;
        state.sessions.forget(&token);
    }
    Ok(())
}

fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| auth::hash_password("not a password").unwrap_or_default())
}

fn token(headers: &HeaderMap, jar: &CookieJar) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    bearer.or_else(|| jar.get(COOKIE).map(|c| c.value().to_owned()))
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = token(&parts.headers, &jar).ok_or(Error::Unauthorized)?;
        if let Some(principal) = state.sessions.get(&token) {
            return Ok(principal);
        }
        let principal = accounts::principal(&state.db, &token, now())
            .await?
            .ok_or(Error::Unauthorized)?;
        state.sessions.put(&token, &principal);
        Ok(principal)
    }
}
