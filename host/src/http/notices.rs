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
        .route(
            "/api/v1/units/{code}/contacts",
            get(contacts).put(set_contacts),
        )
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
    responses((status = 200, description = "enrollment_id, village, module, count, message, at, contact (the village's 包村干部), mine (I am it); mine first"), (status = 403)),
    security(("bearer" = [])))]
pub(super) async fn queue(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<Waiting>>, Error> {
    Ok(Json(waiting(&state, &principal).await?))
}

/// A township's villages and their 包村干部, and its officers to choose from
/// (its officers, county trainers and above, in scope).
#[utoipa::path(get, path = "/api/v1/units/{code}/contacts", tag = "notices",
    params(("code" = String, Path, description = "The township's code")),
    responses((status = 200, description = "code, name, villages [{code, name, contact, contact_name}], officers [{id, name}]"), (status = 400), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub(super) async fn contacts(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
) -> Result<Json<crate::contacts::Township>, Error> {
    Ok(Json(
        crate::contacts::township(&state, &principal, &code).await?,
    ))
}

/// Villages' contacts to set: village code → an officer's account id, or
/// null for none. Villages not named keep theirs.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetContacts {
    /// Village code → account id or null.
    pub contacts: std::collections::HashMap<String, Option<i64>>,
}

/// Assigns villages of a township to its officers; a village not the
/// township's or an account not its officer is named and nothing changes.
#[utoipa::path(put, path = "/api/v1/units/{code}/contacts", tag = "notices",
    params(("code" = String, Path, description = "The township's code")),
    request_body = SetContacts,
    responses((status = 200, description = "changed: how many villages"), (status = 400), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub(super) async fn set_contacts(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, Error> {
    let input: SetContacts = super::json_body(&body)?;
    let changed = crate::contacts::assign(&state, &principal, &code, &input.contacts).await?;
    Ok(Json(json!({"changed": changed})))
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
