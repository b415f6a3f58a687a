//! Signing in: a name and password checked (throttled, in constant time for
//! unknown names), a session opened.

use std::sync::OnceLock;

use crate::auth::{self, Principal};
use crate::clock::now;
use crate::db::accounts::{self, THROTTLE_WINDOW};
use crate::error::Error;
use crate::state::AppState;

/// Checks a name and password, throttled (see [`accounts::throttled`]: five
/// failures for a name from one address within 15 minutes, thirty from one
/// address, fifty for a name). Opens a session.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    address: &str,
) -> Result<(String, Principal), Error> {
    let username = &crate::accounts::login_name(username);
    crate::accounts::check_login_name(username)?;
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

/// How long a session lasts, seconds (the cookie's Max-Age).
pub use crate::db::accounts::SESSION_SECONDS;

/// Ends the session `token`, in the database and in this process's cache.
pub async fn sign_out(state: &AppState, token: &str) -> Result<(), Error> {
    accounts::close_session(&state.db, token).await?;
    state.sessions.forget(token);
    Ok(())
}

fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| auth::hash_password("not a password").unwrap_or_default())
}
