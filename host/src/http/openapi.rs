//! `GET /api/v1/openapi.json`: the API described from the handlers'
//! annotations and the request/response types, so it cannot drift from them.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::shared::AppState;

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Baton", description = "换届后新班子上岗：交接、走访、第一课、定岗定责、开门一件事"),
    paths(
        super::accounts::my_data,
        super::accounts::their_data,
        super::health::healthz,
        super::health::readyz,
        super::auth::login,
        super::auth::logout,
        super::accounts::me,
        super::accounts::set_email,
        super::accounts::activate,
        super::accounts::list,
        super::accounts::create,
        super::accounts::import,
        super::accounts::show,
        super::accounts::reset,
        super::accounts::disable,
        super::accounts::enable,
        super::accounts::grant,
        super::accounts::revoke,
        super::accounts::slips,
        super::modules::list,
        super::modules::publish,
        super::definitions::list,
        super::definitions::save,
        super::definitions::preview,
        super::catalog::list,
        super::catalog::offer,
        super::catalog::review,
        super::catalog::adopt,
        super::assignments::assign,
        super::enrollments::mine,
        super::enrollments::show,
        super::enrollments::act,
        super::enrollments::sync,
        super::attachments::add,
        super::attachments::list,
        super::attachments::file,
        super::reports::completion,
        super::public::page,
        super::upgrades::upgrade,
        super::notices::mine,
        super::notices::remind,
        super::notices::queue,
        super::notices::contacts,
        super::notices::set_contacts,
        super::notices::overdue,
        super::outbox::mine,
        super::outbox::remind_many,
        super::outbox::set_channel,
        super::outbox::get_channel,
        super::outbox::remove_channel,
        super::outbox::pause,
        super::outbox::resume,
        super::outbox::receipts,
    ),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

pub(super) fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/openapi.json",
        get(|| async { Json(ApiDoc::openapi()) }),
    )
}
