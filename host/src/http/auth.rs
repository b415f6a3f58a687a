//! Signing in and out, and the [`Principal`] extractor every other route
//! takes: a bearer token (API) or the session cookie (browser), either way a
//! row in `sessions`. No valid credential, no principal: 401.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};

use super::{AppState, Error, json_body};
use crate::auth::{Grant, Principal};

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
    let (token, principal) =
        crate::signing_in::sign_in(&state, &input.username, &input.password, &address).await?;
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
/// throttling: the connection's peer, or behind a trusted proxy the address
/// it forwarded (see [`super::client`]).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let address = match parts.extensions.get::<super::client::Client>() {
            Some(client) => client.ip.map(|ip| ip.to_string()).unwrap_or_default(),
            None => parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_default(),
        };
        Ok(ClientAddr(address))
    }
}

/// The browser's session cookie for `token`.
pub fn session_cookie(token: &str) -> Cookie<'static> {
    Cookie::build((COOKIE, token.to_owned()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(time::Duration::seconds(crate::signing_in::SESSION_SECONDS))
        .build()
}

/// Ends the session whose token is in the request, if any.
pub async fn sign_out(state: &AppState, headers: &HeaderMap, jar: &CookieJar) -> Result<(), Error> {
    if let Some(token) = token(headers, jar) {
        crate::signing_in::sign_out(state, &token).await?;
    }
    Ok(())
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
        state.principal(&token).await?.ok_or(Error::Unauthorized)
    }
}
