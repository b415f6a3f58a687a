//! `GET /api/v1/modules`: the module packages this platform runs.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::{AppState, Error};
use crate::db::plugins::{self, Package};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/modules", get(list))
}

/// The module packages this platform runs, with their info (actions and their JSON Schemas).
#[utoipa::path(get, path = "/api/v1/modules", tag = "modules", responses((status = 200), (status = 401)), security(("bearer" = [])))]
pub(super) async fn list(
    State(state): State<AppState>,
    _signed_in: crate::auth::Principal,
) -> Result<Json<Vec<Package>>, Error> {
    Ok(Json(plugins::list(&state.db).await?))
}
