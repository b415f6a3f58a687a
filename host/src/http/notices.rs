//! What the pages show besides modules, as JSON: my notices, a trainer's
//! reminder, the township queue and the overdue list.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use baton_sdk::{Locale, Role, Text};
use serde::Deserialize;
use serde_json::{Value, json};

use super::enrollments::reach;
use super::reports::csv_response;
use super::{AppState, Error, now, unit_in_scope};
use crate::auth::{Capability, Principal, Target, authorize};
use crate::db::notices::{self, Shown, Waiting};
use crate::db::reports;

/// How far back "my notices" go.
pub const NOTICE_DAYS: i64 = 14;
/// Overdue enrollments answered at most (the CSV has them all).
pub const OVERDUE_LIMIT: i64 = 100;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/notices", get(mine))
        .route("/api/v1/enrollments/{id}/reminders", post(remind))
        .route("/api/v1/township/queue", get(queue))
        .route("/api/v1/reports/overdue", get(overdue))
}

/// The signed-in person's notices of the last [`NOTICE_DAYS`] days; `mark`
/// remembers they were seen, so the next look shows none as new.
pub async fn my_notices(
    state: &AppState,
    principal: &Principal,
    mark: bool,
) -> Result<Vec<Shown>, Error> {
    let roles: Vec<(String, &str)> = principal
        .grants
        .iter()
        .filter(|g| matches!(g.role, Role::Secretary | Role::Member | Role::OutgoingCadre))
        .filter_map(|g| Some((g.unit_code.clone()?, crate::db::accounts::role_name(g.role))))
        .collect();
    let now = now();
    let shown = notices::for_person(
        &state.db,
        principal.account_id,
        principal.person_id,
        &roles,
        now - NOTICE_DAYS * 86_400,
    )
    .await?;
    if mark {
        notices::seen(&state.db, principal.account_id, now).await?;
    }
    Ok(shown)
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

/// Records a reminder, from `principal`, to the enrollment's person (or the
/// village's secretary for a committee's enrollment).
pub async fn send_reminder(state: &AppState, principal: &Principal, id: i64) -> Result<(), Error> {
    let (e, _) = reach(state, principal, id, Capability::Remind).await?;
    let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
    let title = &plugin.info().title;
    let due = crate::web::date(e.due_at);
    let who = principal.display_name.clone();
    let say = |locale: Locale, module: &str| {
        crate::web::t(
            locale,
            "county.reminder",
            &[
                ("who", who.clone()),
                ("module", module.to_owned()),
                ("due", due.clone()),
            ],
        )
    };
    let message = Text::new(say(Locale::ZhCn, &title.zh), say(Locale::En, &title.en));
    notices::remind(&state.db, e.id, e.person_id, &message, now()).await?;
    Ok(())
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

/// What waits for the principal as a township officer, in all their townships.
pub async fn waiting(state: &AppState, principal: &Principal) -> Result<Vec<Waiting>, Error> {
    let paths: Vec<&str> = principal
        .grants
        .iter()
        .filter(|g| g.role == Role::TownshipOfficer)
        .filter_map(|g| g.path.as_deref())
        .collect();
    if paths.is_empty() {
        return Err(Error::forbidden());
    }
    let mut all = Vec::new();
    for path in paths {
        all.extend(notices::waiting_for_township(&state.db, path).await?);
    }
    all.sort_by_key(|w| w.at);
    Ok(all)
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
    let path = match &q.unit {
        Some(code) => {
            unit_in_scope(&state, &principal, code, Capability::ViewReports)
                .await?
                .1
        }
        None => {
            let nation = Target::unit("/");
            authorize(&principal, Capability::ViewReports, nation).ok_or_else(Error::forbidden)?;
            String::new()
        }
    };
    if q.format.as_deref() == Some("csv") {
        return csv_response(&reports::overdue(&state.db, &path, now(), i64::MAX).await?);
    }
    let list = reports::overdue(&state.db, &path, now(), OVERDUE_LIMIT).await?;
    let body: Value = json!({"unit": q.unit, "overdue": list, "limit": OVERDUE_LIMIT});
    Ok(Json(body).into_response())
}
