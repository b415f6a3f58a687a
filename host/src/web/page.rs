//! The pages' frame: who is visiting (or a redirect to sign in), the layout
//! every page renders in, CSRF tokens, the language cookie, and error pages.

use std::sync::LazyLock;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use baton_sdk::{Locale, Role};
use handlebars::{Context, Handlebars, Helper, HelperResult, JsonRender, Output, RenderContext};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::assets::{CSS, CSS_HREF, ICON, JS, JS_HREF, SERVICE_WORKER};
use crate::auth::Principal;
use crate::i18n::{self, t};
use crate::shared::{AppState, COOKIE, Error, Fault};

/// The language cookie.
pub const LANG_COOKIE: &str = "baton_lang";

/// Every page template, by name.
pub const SOURCES: [(&str, &str); 20] = [
    ("layout", include_str!("../../templates/layout.hbs")),
    ("error", include_str!("../../templates/error.hbs")),
    ("login", include_str!("../../templates/login.hbs")),
    ("me", include_str!("../../templates/me.hbs")),
    ("enrollment", include_str!("../../templates/enrollment.hbs")),
    ("verify", include_str!("../../templates/verify.hbs")),
    (
        "certificate",
        include_str!("../../templates/certificate.hbs"),
    ),
    ("township", include_str!("../../templates/township.hbs")),
    ("ceremony", include_str!("../../templates/ceremony.hbs")),
    ("county", include_str!("../../templates/county.hbs")),
    ("province", include_str!("../../templates/province.hbs")),
    (
        "definitions",
        include_str!("../../templates/definitions.hbs"),
    ),
    ("catalog", include_str!("../../templates/catalog.hbs")),
    ("activate", include_str!("../../templates/activate.hbs")),
    ("accounts", include_str!("../../templates/accounts.hbs")),
    ("slips", include_str!("../../templates/slips.hbs")),
    ("class", include_str!("../../templates/class.hbs")),
    ("structure", include_str!("../../templates/structure.hbs")),
    ("contacts", include_str!("../../templates/contacts.hbs")),
    ("statistics", include_str!("../../templates/statistics.hbs")),
];

static PAGES: LazyLock<Handlebars<'static>> = LazyLock::new(|| {
    let mut r = Handlebars::new();
    r.set_strict_mode(false);
    r.register_helper("t", Box::new(t_helper));
    for (name, source) in SOURCES {
        r.register_template_string(name, source)
            .unwrap_or_else(|e| panic!("template {name}: {e}"));
    }
    r
});

/// A signed-in visitor of a page. Not signed in: a redirect to the login
/// page, which comes back here afterwards.
pub struct Visit {
    /// Who.
    pub principal: Principal,
    /// Their language.
    pub locale: Locale,
    /// The token their forms carry.
    pub csrf: String,
    /// This page's path and query.
    pub path: String,
    /// Where the platform is reached from the visitor's side
    /// (`https://host`), for links that leave the page (QR codes).
    pub origin: String,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        match Principal::from_request_parts(parts, state).await {
            Ok(principal) => Ok(Visit {
                principal,
                locale: locale(&jar),
                csrf: csrf(&jar).unwrap_or_default(),
                path,
                origin: crate::shared::origin(&parts.extensions),
            }),
            Err(Error(Fault::Unauthorized)) => Err(to_login(&path)),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// A redirect to the login page that returns to `path`.
pub fn to_login(path: &str) -> Response {
    let query = serde_urlencoded::to_string([("next", path)]).unwrap_or_default();
    Redirect::to(&format!("/login?{query}")).into_response()
}

/// The reader's language: the cookie the language link sets, else Chinese.
pub fn locale(jar: &CookieJar) -> Locale {
    jar.get(LANG_COOKIE)
        .map_or(Locale::ZhCn, |c| Locale::from_tag(c.value()))
}

/// The CSRF token of the session in `jar`: derived from the session token,
/// which a page on another site can neither read nor send with a form post
/// (the cookie is HttpOnly and SameSite=Strict).
pub fn csrf(jar: &CookieJar) -> Option<String> {
    let token = jar.get(COOKIE)?.value();
    let mut h = Sha256::new();
    h.update(b"baton-csrf\n");
    h.update(token.as_bytes());
    Some(hex::encode(&h.finalize()[..16]))
}

impl Visit {
    /// A 403 unless `posted` is this session's CSRF token.
    pub fn check(&self, posted: Option<&str>) -> Result<(), Error> {
        if !self.csrf.is_empty() && posted == Some(self.csrf.as_str()) {
            Ok(())
        } else {
            Err(Error(Fault::Forbidden(baton_sdk::Text::new(
                t(Locale::ZhCn, "error.csrf", &[]),
                t(Locale::En, "error.csrf", &[]),
            ))))
        }
    }

    /// `key` in the visitor's language.
    pub fn t(&self, key: &str) -> String {
        t(self.locale, key, &[])
    }

    /// The unit a report page asked for, else the visitor's own first unit
    /// (none: the nation, for whoever covers it).
    pub fn unit_or_own(&self, unit: Option<&str>) -> Option<String> {
        unit.filter(|c| !c.is_empty())
            .map(str::to_owned)
            .or_else(|| {
                self.principal
                    .grants
                    .iter()
                    .find_map(|g| g.unit_code.clone())
            })
    }

    /// `key` in the visitor's language, with `{name}`s filled from `args`.
    pub fn t_with(&self, key: &str, args: &[(&str, String)]) -> String {
        t(self.locale, key, args)
    }

    /// The page `name` in the layout, with `data` at its root.
    pub fn page(&self, name: &str, title: &str, data: Value) -> Response {
        self.page_with(StatusCode::OK, name, title, data)
    }

    /// As [`Visit::page`], answering `status`.
    pub fn page_with(&self, status: StatusCode, name: &str, title: &str, data: Value) -> Response {
        let chrome = json!({
            "user": {"name": self.principal.display_name, "role": self.t(&format!("role.{}", role_key(self.principal.grants.first().map(|g| g.role))))},
            "nav": nav(&self.principal, self.locale, &self.path),
            "csrf": self.csrf,
            "easy": self.principal.easy_reading,
            "account": self.principal.account_id,
            "here": self.path,
        });
        render(status, name, self.locale, &self.path, title, chrome, data)
    }
}

fn role_key(role: Option<Role>) -> &'static str {
    role.map_or("none", Role::as_str)
}

/// The links a principal's roles open.
fn nav(p: &Principal, locale: Locale, path: &str) -> Vec<Value> {
    let has = |roles: &[Role]| p.grants.iter().any(|g| roles.contains(&g.role));
    let mut links = Vec::new();
    if has(&[Role::Secretary, Role::Member, Role::OutgoingCadre]) {
        links.push(("/me", "nav.me"));
    } else if p.grants.iter().any(|g| crate::auth::is_official(g.role)) {
        // An official's reminders, escalations and e-mail setting.
        links.push(("/me", "nav.me-official"));
    }
    if has(&[Role::TownshipOfficer]) {
        links.push(("/township", "nav.township"));
    }
    if has(&[
        Role::CountyTrainer,
        Role::CityOfficer,
        Role::ProvinceAdmin,
        Role::NationalAdmin,
    ]) {
        links.push(("/county", "nav.county"));
        links.push(("/statistics", "nav.statistics"));
    }
    if p.grants.iter().any(|g| crate::auth::is_official(g.role)) {
        links.push(("/structure", "nav.structure"));
    }
    if has(&[Role::ProvinceAdmin, Role::NationalAdmin]) {
        links.push(("/province", "nav.province"));
        links.push(("/catalog", "nav.catalog"));
    }
    if has(&[
        Role::TownshipOfficer,
        Role::CountyTrainer,
        Role::CityOfficer,
        Role::ProvinceAdmin,
        Role::NationalAdmin,
    ]) {
        links.push(("/accounts", "nav.accounts"));
    }
    links
        .into_iter()
        .map(|(href, key)| {
            let current = path == href || path.starts_with(&format!("{href}?"));
            json!({"href": href, "label": t(locale, key, &[]), "current": current})
        })
        .collect()
}

/// Renders a page: the layout's data (language, title, the language link)
/// joined with `chrome` and the page's own `data`.
fn render(
    status: StatusCode,
    name: &str,
    locale: Locale,
    path: &str,
    title: &str,
    chrome: Value,
    data: Value,
) -> Response {
    let other = match locale {
        Locale::ZhCn => Locale::En,
        Locale::En => Locale::ZhCn,
    };
    let switch = serde_urlencoded::to_string([("next", path)]).unwrap_or_default();
    let mut frame = json!({
        "lang": locale.as_str(),
        "title": title,
        "css": CSS_HREF.as_str(),
        "js": JS_HREF.as_str(),
        "switch": {"href": format!("/lang/{}?{switch}", other.as_str()), "label": t(other, "lang.name", &[]), "lang": other.as_str()},
    });
    if let (Some(frame), Value::Object(chrome)) = (frame.as_object_mut(), chrome) {
        frame.extend(chrome);
    }
    // The page renders first, with the frame and its own data at its root
    // (moved in: `render` would clone it all); the layout then renders
    // around it with only the frame and the page's HTML. A handlebars
    // partial block would deep-copy the page's data once more per render.
    let mut root = frame.clone();
    if let (Some(root), Value::Object(data)) = (root.as_object_mut(), data) {
        root.extend(data);
    }
    let html = PAGES
        .render_with_context(name, &handlebars::Context::from(root))
        .and_then(|body| {
            if let Some(frame) = frame.as_object_mut() {
                frame.insert("body".to_owned(), Value::String(body));
            }
            PAGES.render_with_context("layout", &handlebars::Context::from(frame))
        });
    match html {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, page = name, "page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, Html(fallback(locale))).into_response()
        }
    }
}

fn fallback(locale: Locale) -> String {
    format!(
        "<!doctype html><title>500</title><p>{}</p>",
        handlebars::html_escape(&t(locale, "error.500", &[]))
    )
}

/// A page for someone not signed in (the login page, error pages).
pub fn anonymous(
    status: StatusCode,
    name: &str,
    locale: Locale,
    path: &str,
    title: &str,
    data: Value,
) -> Response {
    render(status, name, locale, path, title, json!({}), data)
}

/// Turns the JSON errors of page routes into pages in the layout: a 401 is
/// a redirect to sign in, anything else the error page with the message in
/// the reader's language. API routes keep their JSON.
pub async fn html_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/api/") || path == "/healthz" || path == "/readyz" {
        return next.run(req).await;
    }
    let full = req
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |p| p.as_str().to_owned());
    let jar = CookieJar::from_headers(req.headers());
    let locale = locale(&jar);
    let get = req.method() == Method::GET;
    let response = next.run(req).await;
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || !json {
        return response;
    }
    if status == StatusCode::UNAUTHORIZED && get {
        return to_login(&full);
    }
    let retry = response.headers().get(header::RETRY_AFTER).cloned();
    let failure = response
        .extensions()
        .get::<crate::metrics::Failure>()
        .cloned();
    // Every JSON error here is an `Error`'s answer, which carries its message.
    let message = response
        .extensions()
        .get::<crate::shared::Said>()
        .map(|said| match locale {
            Locale::ZhCn => said.zh.clone(),
            Locale::En => said.en.clone(),
        })
        .unwrap_or_default();
    let code = status.as_u16();
    let heading = match code {
        403 | 404 | 500 => t(locale, &format!("error.{code}"), &[]),
        _ => t(locale, "error.other", &[]),
    };
    let data = json!({"code": code, "heading": heading, "message": message});
    // Signed in: the error in the visitor's own frame, their pages one tap away.
    let principal = match jar.get(COOKIE) {
        Some(c) => state.principal(c.value()).await.ok().flatten(),
        None => None,
    };
    let mut page = match principal {
        Some(principal) => Visit {
            principal,
            locale,
            csrf: csrf(&jar).unwrap_or_default(),
            path: full,
            origin: String::new(),
        }
        .page_with(status, "error", &heading, data),
        None => anonymous(status, "error", locale, &full, &heading, data),
    };
    if let Some(v) = retry {
        page.headers_mut().insert(header::RETRY_AFTER, v);
    }
    if let Some(failure) = failure {
        page.extensions_mut().insert(failure);
    }
    page
}

/// Answers `/static/{name}`: the stylesheet under its hashed name (cached
/// for a year, immutable), under its plain name for old links (an hour),
/// and the icon (a day).
pub async fn asset(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    let forever = "public, max-age=31536000, immutable";
    let (kind, cache, body) = if format!("/static/{name}") == *CSS_HREF {
        ("text/css; charset=utf-8", forever, CSS)
    } else if format!("/static/{name}") == *JS_HREF {
        ("text/javascript; charset=utf-8", forever, JS)
    } else if name == "baton.css" {
        ("text/css; charset=utf-8", "public, max-age=3600", CSS)
    } else if name == "icon.svg" {
        ("image/svg+xml", "public, max-age=86400", ICON)
    } else {
        return crate::shared::not_found().await.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        body,
    )
        .into_response()
}

/// `/sw.js`: the service worker, from the site's root so that it serves
/// every page; always checked for a new release.
pub async fn service_worker() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        SERVICE_WORKER.as_str(),
    )
        .into_response()
}

/// `/manifest.webmanifest`: what a phone needs to put the platform on its
/// home screen, in the reader's language, opening on 我的任务.
pub async fn manifest(jar: CookieJar) -> Response {
    let locale = locale(&jar);
    let body = json!({
        "name": t(locale, "app.name", &[]),
        "short_name": t(locale, "app.short-name", &[]),
        "lang": locale.as_str(),
        "start_url": "/me",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f5f2",
        "theme_color": "#8c1c13",
        "icons": [{"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    });
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/manifest+json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_a_template_uses_is_translated() {
        let re = |s: &str| -> Vec<String> {
            s.split("{{t \"")
                .skip(1)
                .filter_map(|rest| rest.split('"').next().map(str::to_owned))
                .collect()
        };
        for (name, source) in SOURCES {
            for key in re(source) {
                assert!(
                    crate::i18n::has(&key),
                    "{name} uses `{key}`, missing from zh-CN.json or en.json"
                );
            }
            // Words belong in the locale files, never in a template.
            assert!(
                !source
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{name} has Chinese text; put it in host/locales"
            );
        }
    }
}

/// `{{t "key" name=value}}`, in the language of the page's root `lang`.
fn t_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    ctx: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let locale = Locale::from_tag(
        ctx.data()
            .get("lang")
            .and_then(|l| l.as_str())
            .unwrap_or(""),
    );
    let key = h.param(0).map(|p| p.value().render()).unwrap_or_default();
    let args: Vec<(&str, String)> = h
        .hash()
        .iter()
        .map(|(k, v)| (*k, v.value().render()))
        .collect();
    out.write(&handlebars::html_escape(&i18n::t(locale, &key, &args)))?;
    Ok(())
}
