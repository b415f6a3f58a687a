//! `GET /healthz`: the process is up and its database answers.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::{AppState, Error};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// The process is up and its database answers.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200)))]
pub(super) async fn healthz(
    State(state): State<AppState>,
) -> Result<Json<serde_json::Value>, Error> {
    state.db.ping().await?;
    Ok(Json(serde_json::json!({"status": "ok"})))
}
