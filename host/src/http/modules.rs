//! `GET /api/v1/modules`: the module packages this platform runs.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::{AppState, Error};
use crate::db::plugins::{self, Package};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/modules", get(list))
}

async fn list(State(state): State<AppState>) -> Result<Json<Vec<Package>>, Error> {
    Ok(Json(plugins::list(&state.db).await?))
}
