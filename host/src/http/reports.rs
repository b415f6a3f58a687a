//! `GET /api/v1/reports/completion?unit=CODE`: enrolled / started / completed
//! / overdue per assignment, for the unit and each unit under it, or for each
//! person of a village; JSON, or CSV with `Accept: text/csv` or `format=csv`.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::auth::Principal;
use crate::reports;
use crate::shared::{AppState, Error, now};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/reports/completion", get(completion))
}

/// Which report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ReportQuery {
    /// An org unit code; omitted, the nation (national administrator only).
    unit: Option<String>,
    /// `csv` for CSV (or send `Accept: text/csv`).
    format: Option<String>,
    /// For CSV: `total` for the unit's own lines; otherwise its children's
    /// (a village's: its people's).
    rows: Option<String>,
}

/// Completion for a unit and its children (or a village's people), counted the
/// instant each action lands.
#[utoipa::path(get, path = "/api/v1/reports/completion", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "JSON: unit, total, children (or people); CSV on request"),
              (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub(super) async fn completion(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ReportQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let csv = query.format.as_deref() == Some("csv")
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/csv"));
    let now = now();
    let scope = reports::scope(&state, &principal, query.unit.as_deref()).await?;
    let c = reports::completion(&state, &scope, now).await?;
    if csv {
        return if scope.unit.is_some() && query.rows.as_deref() == Some("total") {
            csv_response(&c.own)
        } else if scope.is_village() {
            csv_response(&c.people)
        } else {
            csv_response(&c.children)
        };
    }
    let body = match &scope.unit {
        None => json!({"unit": null, "as_of": now, "total": [], "children": c.children}),
        Some(unit) => json!({"unit": unit, "as_of": now, "total": c.own,
                             "children": c.children, "people": c.people}),
    };
    Ok(Json(body).into_response())
}

/// CSV with a BOM, so Excel on a Chinese Windows reads the names right.
pub(crate) fn csv_response<T: serde::Serialize>(rows: &[T]) -> Result<Response, Error> {
    let bytes = crate::export::csv_of(rows)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"completion.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
