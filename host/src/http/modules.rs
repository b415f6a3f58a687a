//! The module packages this platform runs: the list, and publishing a new
//! version (a province's own module, or a national one).

use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::Principal;
use crate::publishing::Package;
use crate::publishing::{Published, publish_package};
use crate::registry::MAX_PACKAGE;
use crate::shared::{AppState, Error};

pub(super) fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/modules",
        get(list)
            .post(publish)
            // Room for a package just over the limit, so it gets our message.
            .layer(DefaultBodyLimit::max(MAX_PACKAGE + 1024)),
    )
}

/// The module packages this platform runs, with their info (actions and their JSON Schemas).
#[utoipa::path(get, path = "/api/v1/modules", tag = "modules", responses((status = 200), (status = 401)), security(("bearer" = [])))]
pub(super) async fn list(
    State(state): State<AppState>,
    _signed_in: Principal,
) -> Result<Json<Vec<Package>>, Error> {
    Ok(Json(crate::publishing::packages(&state).await?))
}

/// `?province=CODE`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PublishQuery {
    /// The owning province; default: the publisher's own province, or a
    /// national module for the national administrator.
    province: Option<String>,
}

/// Publishes a module version: the body is the `.wasm` component. It is
/// checked as `registry::validate` does before anything is stored; versions
/// of an id only go up and are never overwritten; a province publishes only
/// modules it owns. Every publish is kept in the audit trail.
#[utoipa::path(post, path = "/api/v1/modules", tag = "modules", params(PublishQuery),
    request_body(content = Vec<u8>, content_type = "application/wasm"),
    responses((status = 201, body = Published), (status = 403), (status = 409),
              (status = 422, description = "the package fails the checks; `problems` lists each")),
    security(("bearer" = [])))]
pub(super) async fn publish(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<PublishQuery>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Published>), Error> {
    let published = publish_package(&state, &principal, query.province, &body).await?;
    Ok((StatusCode::CREATED, Json(published)))
}
