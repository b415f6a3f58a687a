//! Enrollments over JSON: what I have to do, one enrollment's view, and
//! acting in it (the use case is `crate::acting`).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppState, Error, json_body, locale, now};
use crate::acting::{self, Acted, Summary, context, my_enrollments, opened, reach, summary};
use crate::auth::{Capability, Principal};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/enrollments", get(mine))
        .route("/api/v1/enrollments/{id}", get(show))
        .route("/api/v1/enrollments/{id}/actions", post(act))
}

/// The enrollments of the signed-in person: their own, and their village's
/// committee-wide ones.
#[utoipa::path(get, path = "/api/v1/me/enrollments", tag = "enrollments", operation_id = "my_enrollments",
    responses((status = 200, body = Vec<Summary>), (status = 401)),
    security(("bearer" = [])))]
pub(super) async fn mine(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<Summary>>, Error> {
    Ok(Json(my_enrollments(&state, &principal).await?))
}

/// `?locale=en`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct LocaleQuery {
    /// zh-CN (default) or en.
    pub(super) locale: Option<String>,
}

/// One enrollment: the module's view of it for this actor (data and HTML),
/// the actions it accepts, and its sign-offs.
#[utoipa::path(get, path = "/api/v1/enrollments/{id}", tag = "enrollments",
    params(("id" = i64, Path, description = "Enrollment id"), LocaleQuery),
    responses((status = 200, description = "summary, view, html, actions, signoffs"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub(super) async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(query): Query<LocaleQuery>,
    headers: HeaderMap,
) -> Result<Json<Value>, Error> {
    let locale = locale(query.locale.as_deref(), &headers);
    let (mut e, role) = reach(&state, &principal, id, Capability::ViewEnrollment).await?;
    let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
    let now = now();
    let ctx = context(&state, &e, &principal, role, locale, now).await?;
    let current = opened(&state, &plugin, &mut e, &ctx, true).await?;
    let ctx = crate::acting::for_view(&state, &e, ctx).await?;
    let view = plugin.view(&ctx, &current).await?;
    let html = plugin.render(&view, locale)?;
    Ok(Json(json!({
        "enrollment": summary(&e, &plugin, now),
        "role": role.as_str(),
        "actions": plugin.info().actions,
        "view": view,
        "html": html,
        "signoffs": crate::db::audit::signoffs(&state.db, e.id).await?,
    })))
}

/// What `POST /api/v1/enrollments/{id}/actions` takes.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ActRequest {
    /// The action's name, as the module declares it.
    pub action: String,
    /// Its payload; the module's info gives its JSON Schema.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub payload: Value,
}

/// Acts in an enrollment. Requires an `Idempotency-Key` header: repeating a
/// key returns the first answer and changes nothing. A refusal (422) or a
/// module fault (500, naming the module) is logged and changes nothing else.
#[utoipa::path(post, path = "/api/v1/enrollments/{id}/actions", tag = "enrollments",
    params(("id" = i64, Path, description = "Enrollment id"),
           ("Idempotency-Key" = String, Header, description = "Unique per attempt; a retry reuses it")),
    request_body = ActRequest,
    responses((status = 200, description = "accepted: the enrollment's new summary"),
              (status = 400), (status = 403), (status = 404),
              (status = 422, description = "rejected by the module; `fields` name what is wrong"),
              (status = 500, description = "the module faulted; `plugin` names it")),
    security(("bearer" = [])))]
pub(super) async fn act(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Error> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| (1..=200).contains(&k.len()))
        .ok_or_else(|| {
            Error::bad(
                "Idempotency-Key",
                "缺少 Idempotency-Key 请求头（1–200 个字符），重试时请使用同一个值",
                "the Idempotency-Key header (1–200 characters) is required; reuse it when retrying",
            )
        })?
        .to_owned();
    let input: ActRequest = json_body(&body)?;
    let json = [("content-type", "application/json")];
    Ok(
        match acting::act(&state, &principal, id, &key, &input.action, &input.payload).await? {
            Acted::Accepted(body) => (StatusCode::OK, json, body).into_response(),
            Acted::Replayed { status, body } => {
                let status = StatusCode::from_u16(status).map_err(anyhow::Error::from)?;
                (status, json, [("idempotent-replay", "true")], body).into_response()
            }
        },
    )
}
