//! `GET /healthz`: the process is up and its database answers.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::shared::{AppState, Error};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// Ready for traffic: the database answers and takes a write (a load
/// balancer's check). 503 otherwise, with the reason logged.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, description = "{\"status\": \"ready\"}"),
              (status = 503, description = "{\"status\": \"unavailable\"}: the database does not answer or take a write")))]
pub(super) async fn readyz(State(state): State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    match state.db.ping().await {
        Ok(()) => Json(serde_json::json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "not ready");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

/// The process is up and its database answers.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200)))]
pub(super) async fn healthz(
    State(state): State<AppState>,
) -> Result<Json<serde_json::Value>, Error> {
    state.db.ping().await?;
    Ok(Json(serde_json::json!({"status": "ok"})))
}
