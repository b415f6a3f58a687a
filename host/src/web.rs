//! The pages people use, server-rendered from handlebars templates in
//! `host/templates` with their words in `host/locales`, and the rendering of
//! modules' views. Templates are HTML-escaped: a module's data can never
//! inject markup into the host's pages.

mod accounts;
mod catalog;
mod county;
mod definitions;
mod learner;
mod page;
mod province;
mod session;
mod statistics;
mod structure;
mod township;

pub use crate::i18n::t;
pub use crate::views::payload::payload;
pub use page::html_errors;

use axum::Router;
use axum::routing::{get, post};

use crate::shared::AppState;

/// The pages: server-rendered, phone-first, Chinese with English one click away.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(session::root))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/lang/{tag}", get(session::language))
        .route("/static/{name}", get(page::asset))
        .route("/manifest.webmanifest", get(page::manifest))
        .route("/sw.js", get(page::service_worker))
        .route("/me", get(learner::mine))
        .route("/me/email", post(learner::email))
        .route("/me/personal-data", get(learner::personal_data))
        .route("/me/certificate", get(learner::certificate))
        .route("/checkin", get(learner::check_in))
        .route("/training/class", get(learner::class))
        .route("/me/easy-reading", post(session::easy_reading))
        .route("/verify", get(learner::verify))
        .route("/enrollments/{id}", get(learner::show).post(learner::act))
        .route(
            "/enrollments/{id}/attachments",
            post(learner::attach).layer(axum::extract::DefaultBodyLimit::max(
                crate::attachments::MAX_UPLOAD + (64 << 10),
            )),
        )
        .route("/township", get(township::queue))
        .route("/township/ceremony", get(township::ceremony))
        .route(
            "/township/contacts",
            get(township::contacts).post(township::contacts_save),
        )
        .route(
            "/township/ceremony/schedule",
            post(township::ceremony_schedule),
        )
        .route(
            "/township/ceremony/attendance",
            post(township::ceremony_attendance),
        )
        .route("/county", get(county::dashboard))
        .route("/enrollments/{id}/pause", post(learner::pause))
        .route("/county/remind", post(county::remind))
        .route("/county/export", get(county::export))
        .route("/structure", get(structure::page))
        .route("/statistics", get(statistics::page))
        .route(
            "/activate",
            get(accounts::activate_page).post(accounts::activate),
        )
        .route("/accounts", get(accounts::list))
        .route("/accounts/create", post(accounts::create))
        .route("/accounts/import", post(accounts::import))
        .route("/accounts/roster", post(accounts::roster))
        .route("/accounts/grant", post(accounts::grant))
        .route("/accounts/revoke", post(accounts::revoke))
        .route("/accounts/reset", post(accounts::reset))
        .route("/accounts/disable", post(accounts::disable))
        .route("/accounts/enable", post(accounts::enable))
        .route("/slips", get(accounts::slips))
        .route("/province", get(province::console))
        .route("/province/upload", post(province::upload))
        .route("/province/assign", post(province::assign))
        .route("/province/channels", post(province::channels))
        .route("/catalog", get(catalog::page))
        .route("/catalog/offer", post(catalog::offer))
        .route("/catalog/review", post(catalog::review))
        .route("/catalog/adopt", post(catalog::adopt))
        .route(
            "/province/definitions",
            get(definitions::page).post(definitions::save),
        )
        .route("/province/definitions/try", post(definitions::try_action))
}

pub use crate::clock::date;

/// A posted form as each field's values (a field may repeat: checkboxes,
/// a textarea's rows), for forms whose fields come from a schema.
fn posted_values(
    body: &[u8],
) -> Result<std::collections::BTreeMap<String, Vec<String>>, crate::shared::Error> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|e| {
        crate::shared::Error::bad(
            "form",
            "表单无法解析",
            format!("the form does not parse: {e}"),
        )
    })?;
    let mut values: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (k, v) in pairs {
        values.entry(k).or_default().push(v);
    }
    Ok(values)
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
