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

use super::{AppState, Error, now};
use crate::auth::{Capability, Principal, Target, authorize};
use crate::db::org_units::{self, Level};
use crate::db::reports;

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
    let Some(code) = query.unit else {
        // The nation: only a grant covering every path reaches "/".
        let target = Target::unit("/");
        authorize(&principal, Capability::ViewReports, target).ok_or_else(Error::forbidden)?;
        let children = reports::nation(&state.db, now).await?;
        return Ok(if csv {
            csv_response(&children)?
        } else {
            Json(json!({"unit": null, "as_of": now, "total": [], "children": children}))
                .into_response()
        });
    };
    let (unit, path) = org_units::get(&state.db, &code).await?.ok_or_else(|| {
        Error::not_found(
            format!("没有区划代码 {code}"),
            format!("no org unit {code}"),
        )
    })?;
    let target = Target::unit(&path);
    authorize(&principal, Capability::ViewReports, target).ok_or_else(Error::forbidden)?;
    let (total, children) = reports::unit(&state.db, &code, now).await?;
    let people = if unit.level == Level::Village {
        reports::village(&state.db, &code, now).await?
    } else {
        Vec::new()
    };
    if csv {
        return if query.rows.as_deref() == Some("total") {
            csv_response(&total)
        } else if unit.level == Level::Village {
            csv_response(&people)
        } else {
            csv_response(&children)
        };
    }
    Ok(Json(
        json!({"unit": unit, "as_of": now, "total": total, "children": children, "people": people}),
    )
    .into_response())
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
