//! Signing in and out through the API: a bearer token in the body and the
//! session cookie (the extractor every other route takes is in
//! `crate::shared::session`).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use serde::{Deserialize, Serialize};

use super::json_body;
use crate::auth::Grant;
use crate::shared::{AppState, COOKIE, ClientAddr, Error, session_cookie, sign_out};

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
