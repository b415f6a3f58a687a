//! `GET /api/v1/openapi.json`: the API described from the handlers'
//! annotations and the request/response types, so it cannot drift from them.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::AppState;

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Baton", description = "換屆后新班子上崗:交接、走訪、第一課、定崗定責、開門一件事"),
    paths(
        super::health::healthz,
        super::auth::login,
        super::auth::logout,
        super::modules::list,
        super::modules::publish,
        super::assignments::assign,
        super::enrollments::mine,
        super::enrollments::show,
        super::enrollments::act,
        super::reports::completion,
        super::public::page,
        super::upgrades::upgrade,
        super::notices::mine,
        super::notices::remind,
        super::notices::queue,
        super::notices::overdue,
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
