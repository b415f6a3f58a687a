//! `POST /api/v1/upgrades`: replaying enrollments against another version of
//! their module and moving the chosen ones (see [`crate::upgrade`]).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};

use super::json_body;
use crate::auth::Principal;
use crate::shared::{AppState, Error};
use crate::upgrade::{Report, UpgradeRequest};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/upgrades", post(upgrade))
}

/// Replays enrollments against another version of their module, and moves
/// the chosen ones. Province and national administrators, in scope.
#[utoipa::path(post, path = "/api/v1/upgrades", tag = "modules", request_body = UpgradeRequest,
    responses((status = 200, body = Report), (status = 400), (status = 403)),
    security(("bearer" = [])))]
pub(super) async fn upgrade(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<Json<Report>, Error> {
    let input: UpgradeRequest = json_body(&body)?;
    let report = crate::upgrade::upgrade(
        &state,
        Some(&principal),
        &input,
        crate::upgrade::BATCH,
        |_, _| {},
    )
    .await?;
    Ok(Json(report))
}
