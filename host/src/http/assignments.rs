//! `POST /api/v1/assignments`: an administrator assigns a module version to
//! their unit or one below it; everyone in the audience is enrolled at once.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};

use super::json_body;
use crate::assigning::{AssignRequest, Assigned, assign_module};
use crate::auth::Principal;
use crate::shared::{AppState, Error};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/assignments", post(assign))
}

/// Assigns a module version to a scope and enrolls its audience; with
/// `"dry_run": true`, counts whom it would enroll and stores nothing. One
/// that would enroll nobody is refused (400) with the reason and the counts.
#[utoipa::path(post, path = "/api/v1/assignments", tag = "assignments", request_body = AssignRequest,
    responses((status = 201, body = Assigned, description = "assignment_id, how many were enrolled, whom it reached"),
              (status = 200, body = Assigned, description = "a dry run: how many would be enrolled"),
              (status = 400, description = "a field is wrong, or nobody would be enrolled (field `edition` or `unit` says why)"),
              (status = 403), (status = 404),
              (status = 422, description = "the module refused the config; fields are `config.…`")),
    security(("bearer" = [])))]
pub(super) async fn assign(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Assigned>), Error> {
    let input: AssignRequest = json_body(&body)?;
    let status = if input.dry_run {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let assigned = assign_module(&state, &principal, input).await?;
    Ok((status, Json(assigned)))
}
