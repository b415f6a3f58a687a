//! What the pages show besides modules, as JSON: my notices, a trainer's
//! reminder, the township queue and the overdue list.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::reports::csv_response;
use crate::auth::Principal;
use crate::notices::{OVERDUE_LIMIT, Shown, Waiting, my_notices, send_reminder, waiting};
use crate::reports;
use crate::shared::{AppState, Error, now};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/notices", get(mine))
        .route("/api/v1/enrollments/{id}/reminders", post(remind))
        .route("/api/v1/township/queue", get(queue))
        .route("/api/v1/reports/overdue", get(overdue))
}

/// My notices: module messages and reminders, newest first, `new` since I
/// last looked (looking here does not count as looking).
#[utoipa::path(get, path = "/api/v1/me/notices", tag = "notices", operation_id = "my_notices",
    responses((status = 200, description = "enrollment_id, module, message {zh, en}, at, new")),
    security(("bearer" = [])))]
pub(super) async fn mine(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<Shown>>, Error> {
    Ok(Json(my_notices(&state, &principal, false).await?))
}

/// Sends the learner a reminder they see on their next visit (county
/// trainers and above, in scope).
#[utoipa::path(post, path = "/api/v1/enrollments/{id}/reminders", tag = "notices",
    params(("id" = i64, Path, description = "Enrollment id")),
    responses((status = 201), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub(super) async fn remind(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<StatusCode, Error> {
    send_reminder(&state, &principal, id).await?;
    Ok(StatusCode::CREATED)
}

/// The township officer's queue: enrollments that asked for their witness
/// or verification and have not had it, oldest first.
#[utoipa::path(get, path = "/api/v1/township/queue", tag = "notices",
    responses((status = 200, description = "enrollment_id, village, module, count, message, at"), (status = 403)),
    security(("bearer" = [])))]
pub(super) async fn queue(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<Waiting>>, Error> {
    Ok(Json(waiting(&state, &principal).await?))
}

/// Which unit, and CSV or not.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct OverdueQuery {
    /// An org unit code; omitted, the nation (national administrators).
    unit: Option<String>,
    /// `csv` for every overdue enrollment as CSV.
    format: Option<String>,
}

/// Enrollments under the unit past their due date and not complete,
/// longest overdue first: the first 100 as JSON, all of them as CSV.
#[utoipa::path(get, path = "/api/v1/reports/overdue", tag = "reports", params(OverdueQuery),
    responses((status = 200), (status = 400), (status = 403)),
    security(("bearer" = [])))]
pub(super) async fn overdue(
    State(state): State<AppState>,
    principal: Principal,
    Query(q): Query<OverdueQuery>,
) -> Result<Response, Error> {
    let scope = reports::scope(&state, &principal, q.unit.as_deref()).await?;
    if q.format.as_deref() == Some("csv") {
        return csv_response(&reports::overdue(&state, &scope, now(), i64::MAX).await?);
    }
    let list = reports::overdue(&state, &scope, now(), OVERDUE_LIMIT).await?;
    let body: Value = json!({"unit": q.unit, "overdue": list, "limit": OVERDUE_LIMIT});
    Ok(Json(body).into_response())
}
