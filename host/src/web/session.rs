//! Signing in and out in a browser, the language link, and `/`, which sends
//! each role to its page.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use baton_sdk::Role;
use serde::Deserialize;
use serde_json::json;

use super::page::{self, LANG_COOKIE, Visit};
use crate::auth::Principal;
use crate::i18n::t;
use crate::shared::{AppState, COOKIE, Error};
use baton_sdk::Locale;

/// Where the page came from and goes back to.
#[derive(Debug, Deserialize)]
pub(super) struct Next {
    next: Option<String>,
}

/// Only a path on this site: parsed as one, never `//elsewhere`,
/// `https://…`, or anything a browser would read as either once it drops
/// tabs and newlines or turns `\` into `/`.
pub(super) fn safe(next: Option<&str>) -> Option<&str> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && n.len() <= 2000
            && !n
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
            && n.parse::<axum::http::uri::PathAndQuery>().is_ok()
    })
}

/// The page for the principal's highest role.
pub(super) fn home(p: &Principal) -> &'static str {
    let has = |r: Role| p.grants.iter().any(|g| g.role == r);
    if has(Role::NationalAdmin) || has(Role::ProvinceAdmin) {
        "/province"
    } else if has(Role::CityOfficer) || has(Role::CountyTrainer) {
        "/county"
    } else if has(Role::TownshipOfficer) {
        "/township"
    } else {
        "/me"
    }
}

pub(super) async fn root(visit: Visit) -> Redirect {
    Redirect::to(home(&visit.principal))
}

pub(super) async fn login_page(jar: CookieJar, Query(q): Query<Next>) -> Response {
    login_form(&jar, q.next.as_deref(), "", None, StatusCode::OK)
}

fn login_form(
    jar: &CookieJar,
    next: Option<&str>,
    username: &str,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let locale = page::locale(jar);
    let path = match safe(next) {
        Some(n) => format!(
            "/login?{}",
            serde_urlencoded::to_string([("next", n)]).unwrap_or_default()
        ),
        None => "/login".to_owned(),
    };
    page::anonymous(
        status,
        "login",
        locale,
        &path,
        &t(locale, "login.title", &[]),
        json!({"next": safe(next), "username": username, "problem": problem}),
    )
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub(super) async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    crate::shared::ClientAddr(address): crate::shared::ClientAddr,
    Form(form): Form<LoginForm>,
) -> Response {
    let locale = page::locale(&jar);
    if cross_site(&headers) {
        let problem = t(locale, "error.csrf", &[]);
        return login_form(
            &jar,
            form.next.as_deref(),
            &form.username,
            Some(problem),
            StatusCode::FORBIDDEN,
        );
    }
    match crate::signing_in::sign_in(&state, form.username.trim(), &form.password, &address).await {
        Ok((token, principal)) => {
            let to = safe(form.next.as_deref())
                .unwrap_or(home(&principal))
                .to_owned();
            (
                jar.add(crate::shared::session_cookie(&token)),
                Redirect::to(&to),
            )
                .into_response()
        }
        Err(e) => {
            let problem = Some(e.message(locale));
            let status = crate::shared::status_of(&e);
            login_form(&jar, form.next.as_deref(), &form.username, problem, status)
        }
    }
}

/// A form posted from another site: its `Origin` names another host. (The
/// login form has no session to derive a token from; signed-in forms carry one.)
pub(super) fn cross_site(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    match (origin, host) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split("://").nth(1) != Some(host),
        _ => false,
    }
}

/// The logout form's token.
#[derive(Debug, Deserialize)]
pub(super) struct Token {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

pub(super) async fn logout(
    State(state): State<AppState>,
    visit: Visit,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<Token>,
) -> Result<Response, Error> {
    visit.check(form.csrf.as_deref())?;
    crate::shared::sign_out(&state, &headers, &jar).await?;
    Ok((
        jar.remove(Cookie::build(COOKIE).path("/")),
        Redirect::to("/login"),
    )
        .into_response())
}

/// `/lang/en?next=/me`: remembers the language for a year and goes back.
pub(super) async fn language(
    Path(tag): Path<String>,
    Query(q): Query<Next>,
    jar: CookieJar,
) -> Response {
    let cookie = Cookie::build((LANG_COOKIE, (Locale::from_tag(&tag)).as_str()))
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(365))
        .build();
    let to = safe(q.next.as_deref()).unwrap_or("/").to_owned();
    (jar.add(cookie), Redirect::to(&to)).into_response()
}

/// The easy-reading switch in every page's header.
#[derive(Debug, Deserialize)]
pub(super) struct EasyForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    /// "1" turns it on, anything else off.
    #[serde(default)]
    on: String,
    next: Option<String>,
}

/// `POST /me/easy-reading`: turns 长辈模式 on or off for the account (on
/// every device it signs in from) and goes back to the page it came from.
pub(super) async fn easy_reading(
    State(state): State<AppState>,
    visit: super::page::Visit,
    axum::Form(form): axum::Form<EasyForm>,
) -> Result<Response, Error> {
    visit.check(form.csrf.as_deref())?;
    crate::accounts::set_easy_reading(&state, &visit.principal, form.on == "1").await?;
    let to = safe(form.next.as_deref()).unwrap_or("/me").to_owned();
    Ok(Redirect::to(&to).into_response())
}
