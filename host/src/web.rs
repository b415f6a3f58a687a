//! The pages people use, server-rendered from handlebars templates in
//! `host/templates` with their words in `host/locales`, and the rendering of
//! modules' views. Templates are HTML-escaped: a module's data can never
//! inject markup into the host's pages.

mod accounts;
mod county;
mod forms;
mod i18n;
mod learner;
mod page;
mod province;
mod session;
mod township;

pub use forms::{FormHost, HOST, Posted};
pub use i18n::t;
pub use page::html_errors;

use axum::Router;
use axum::routing::{get, post};

use crate::http::AppState;

/// The pages: server-rendered, phone-first, Chinese with English one click away.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(session::root))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/lang/{tag}", get(session::language))
        .route("/static/baton.css", get(page::stylesheet))
        .route("/me", get(learner::mine))
        .route("/enrollments/{id}", get(learner::show).post(learner::act))
        .route("/township", get(township::queue))
        .route("/county", get(county::dashboard))
        .route("/county/remind", post(county::remind))
        .route(
            "/activate",
            get(accounts::activate_page).post(accounts::activate),
        )
        .route("/accounts", get(accounts::list))
        .route("/accounts/create", post(accounts::create))
        .route("/accounts/import", post(accounts::import))
        .route("/accounts/roster", post(accounts::roster))
        .route("/accounts/reset", post(accounts::reset))
        .route("/accounts/disable", post(accounts::disable))
        .route("/accounts/enable", post(accounts::enable))
        .route("/slips", get(accounts::slips))
        .route("/province", get(province::console))
        .route("/province/upload", post(province::upload))
        .route("/province/assign", post(province::assign))
}

use baton_sdk::{Locale, ModuleInfo};
use handlebars::Handlebars;

/// The registry name of `template` in `locale`.
pub fn template_key(template: &str, locale: Locale) -> String {
    match locale {
        Locale::ZhCn => format!("{template}.zh-CN"),
        Locale::En => format!("{template}.en"),
    }
}

/// The module's templates, compiled; or every one that does not parse.
pub fn module_templates(info: &ModuleInfo) -> Result<Handlebars<'static>, Vec<String>> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(false);
    forms::register(&mut registry);
    let mut problems = Vec::new();
    for template in &info.templates {
        for (locale, source) in [
            (Locale::ZhCn, &template.source.zh),
            (Locale::En, &template.source.en),
        ] {
            let key = template_key(&template.name, locale);
            if let Err(e) = registry.register_template_string(&key, source) {
                problems.push(format!("template `{key}` does not parse: {e}"));
            }
        }
    }
    if problems.is_empty() {
        Ok(registry)
    } else {
        Err(problems)
    }
}

/// A date as the pages show it: `2027-03-31`, in China's time zone (UTC+8).
pub fn date(unix: i64) -> String {
    baton_sdk::format_date(unix + 8 * 3600)
}

/// The translation key of an enrollment status.
pub fn status_key(status: &str) -> &'static str {
    match status {
        "completed" => "status.completed",
        "overdue" => "status.overdue",
        "started" => "status.started",
        _ => "status.not-started",
    }
}
