//! The signed-in session both transports share: the cookie, the principal a
//! request carries, the client's address, signing out.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use super::{AppState, Error, Fault};
use crate::auth::Principal;

/// The session cookie's name.
pub const COOKIE: &str = "baton_session";

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
        let token = token(&parts.headers, &jar).ok_or(Fault::Unauthorized)?;
        state
            .principal(&token)
            .await?
            .ok_or(Error(Fault::Unauthorized))
    }
}
