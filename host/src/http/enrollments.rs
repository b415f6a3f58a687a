//! Enrollments: what I have to do, one enrollment's view, and acting in it.
//!
//! Acting runs the module outside any transaction, then writes everything in
//! one (`db::enrollments::apply`) guarded by the enrollment's revision: if a
//! concurrent action got there first, the module runs again on the new state.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use baton_sdk::{Actor, Context, Locale, Outcome, Role, Text};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{AppState, Error, json_body, locale, now};
use crate::auth::{Capability, Principal, Target, authorize};
use crate::db::accounts;
use crate::db::enrollments::{self, Attempt, Enrollment, WriteError};
use crate::db::reports::status;
use crate::runtime::Plugin;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/enrollments", get(mine))
        .route("/api/v1/enrollments/{id}", get(show))
        .route("/api/v1/enrollments/{id}/actions", post(act))
}

/// An enrollment at a glance.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// Its id.
    pub id: i64,
    /// Module id.
    pub module: String,
    /// The version it is pinned to.
    pub version: String,
    /// The module's title.
    #[schema(value_type = Object)]
    pub title: baton_sdk::Text,
    /// The village.
    pub village: String,
    /// Whose it is; absent for a whole committee's.
    pub person_id: Option<i64>,
    /// Steps done.
    pub done: i64,
    /// Steps in all (0 until first opened).
    pub total: i64,
    /// not-started, started, completed or overdue.
    pub status: &'static str,
    /// Due date, Unix seconds.
    pub due_at: i64,
}

pub(crate) fn summary(e: &Enrollment, plugin: &Plugin, now: i64) -> Summary {
    Summary {
        id: e.id,
        module: e.plugin_id.clone(),
        version: e.plugin_version.clone(),
        title: plugin.info().title.clone(),
        village: e.unit_code.clone(),
        person_id: e.person_id,
        done: e.done,
        total: e.total,
        status: status(e.started_at, e.completed_at, e.due_at, now),
        due_at: e.due_at,
    }
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

/// The principal's own enrollments and their villages' committee ones.
pub(crate) async fn my_enrollments(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<Summary>, Error> {
    let villages: Vec<String> = principal
        .grants
        .iter()
        .filter(|g| matches!(g.role, Role::Secretary | Role::Member | Role::OutgoingCadre))
        .filter_map(|g| g.unit_code.clone())
        .collect();
    let now = now();
    let mut out = Vec::new();
    for e in enrollments::of_person(&state.db, principal.person_id, &villages).await? {
        // Found through the grants already; the permission function still decides.
        let target =
            Target::enrollment(&e.path, e.person_id, &e.plugin_id, e.completed_at.is_some());
        if authorize(principal, Capability::ViewEnrollment, target).is_none() {
            continue;
        }
        let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
        out.push(summary(&e, &plugin, now));
    }
    Ok(out)
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
    let view = plugin.view(&ctx, &current).await?;
    let html = plugin.render(&view, locale)?;
    Ok(Json(json!({
        "enrollment": summary(&e, &plugin, now),
        "role": accounts::role_name(role),
        "actions": plugin.info().actions,
        "view": view,
        "html": html,
        "signoffs": enrollments::signoffs(&state.db, e.id).await?,
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
    perform(&state, &principal, id, &key, &input.action, &input.payload).await
}

/// Acts in enrollment `id` as `principal` under the idempotency `key`: the
/// API's answer (200 with the new summary, or the first answer to `key`).
pub(crate) async fn perform(
    state: &AppState,
    principal: &Principal,
    id: i64,
    key: &str,
    action: &str,
    payload: &Value,
) -> Result<Response, Error> {
    if action.trim().is_empty() {
        return Err(Error::bad("action", "请指定操作", "is required"));
    }
    let payload = serde_json::to_string(payload).map_err(anyhow::Error::from)?;
    let request_hash = {
        let mut h = Sha256::new();
        h.update(format!("{id}\n{action}\n{payload}"));
        hex::encode(h.finalize())
    };
    let (mut e, role) = reach(state, principal, id, Capability::Act).await?;
    // A replayed key is caught by the log's unique index when the attempt is
    // written (KeyTaken below), which saves every first attempt a query.
    let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
    let now = now();
    let ctx = context(state, &e, principal, role, Locale::ZhCn, now).await?;
    let attempt = Attempt {
        enrollment_id: e.id,
        account_id: principal.account_id,
        idempotency_key: key,
        request_hash: &request_hash,
        role: accounts::role_name(role),
        action,
        payload: &payload,
        at: now,
        result: "accepted",
        status: 200,
        response: "",
    };
    // A concurrent action may move the enrollment on; run again on its new state.
    for _ in 0..8 {
        let current = opened(state, &plugin, &mut e, &ctx, false).await?;
        let refused = match plugin.act(&ctx, &current, action, &payload).await {
            Ok(Ok(outcome)) => {
                let body = serde_json::to_string(&accepted(&e, &plugin, &outcome, now))
                    .map_err(anyhow::Error::from)?;
                let attempt = Attempt {
                    response: &body,
                    ..attempt.clone()
                };
                match enrollments::apply(&state.db, &e, &attempt, &outcome).await {
                    Ok(()) => {
                        return Ok((
                            StatusCode::OK,
                            [("content-type", "application/json")],
                            body.clone(),
                        )
                            .into_response());
                    }
                    Err(WriteError::Stale) => {
                        e = enrollments::get(&state.db, id)
                            .await?
                            .ok_or_else(|| gone(id))?;
                        continue;
                    }
                    Err(WriteError::KeyTaken) => {
                        return replay_key(state, principal, key, &request_hash).await;
                    }
                    Err(WriteError::Database(err)) => return Err(err.into()),
                }
            }
            Ok(Err(rejection)) => ("rejected", Error::Rejected(rejection)),
            Err(fault) => ("fault", Error::Plugin(fault)),
        };
        let (result, error) = refused;
        let (status, body) = error.parts();
        let body = body.to_string();
        let attempt = Attempt {
            result,
            status: status.as_u16(),
            response: &body,
            ..attempt
        };
        return match enrollments::log_refused(&state.db, &attempt).await {
            Ok(()) => Err(error),
            Err(WriteError::KeyTaken) => replay_key(state, principal, key, &request_hash).await,
            Err(WriteError::Stale) => Err(error),
            Err(WriteError::Database(err)) => Err(err.into()),
        };
    }
    // Others keep acting on this enrollment: nothing was lost, so say so.
    Err(Error::Conflict(Text::new(
        "刚才有人修改了这项内容，请刷新页面后重试",
        "someone else just changed this; reload and try again",
    )))
}

fn gone(id: i64) -> Error {
    Error::not_found(
        format!("没有编号为 {id} 的任务"),
        format!("no enrollment {id}"),
    )
}

fn accepted(e: &Enrollment, plugin: &Plugin, outcome: &Outcome, now: i64) -> Value {
    let mut after = e.clone();
    after.done = i64::from(outcome.progress.done);
    after.total = i64::from(outcome.progress.total);
    after.started_at = after.started_at.or(Some(now));
    after.completed_at = outcome
        .progress
        .is_complete()
        .then(|| e.completed_at.unwrap_or(now));
    json!({
        "result": "accepted",
        "enrollment": summary(&after, plugin, now),
        "signoffs": outcome.signoffs.iter().map(|s| json!({"signer": s.signer, "subject": s.subject})).collect::<Vec<_>>(),
        "notices": outcome.notices.len(),
    })
}

async fn replay_key(
    state: &AppState,
    principal: &Principal,
    key: &str,
    request_hash: &str,
) -> Result<Response, Error> {
    let first = enrollments::answered(&state.db, principal.account_id, key)
        .await?
        .ok_or_else(|| anyhow::anyhow!("idempotency key {key} vanished"))?;
    replay(first, request_hash)
}

fn replay(first: enrollments::Answered, request_hash: &str) -> Result<Response, Error> {
    if first.request_hash != request_hash {
        return Err(Error::bad(
            "Idempotency-Key",
            "此 Idempotency-Key 已用于另一个请求",
            "this Idempotency-Key was already used for a different request",
        ));
    }
    let status = StatusCode::from_u16(first.status).map_err(anyhow::Error::from)?;
    Ok((
        status,
        [
            ("content-type", "application/json"),
            ("idempotent-replay", "true"),
        ],
        first.response,
    )
        .into_response())
}

/// The enrollment, if the principal may do `capability` in it, and the role
/// they do it in.
pub(crate) async fn reach(
    state: &AppState,
    principal: &Principal,
    id: i64,
    capability: Capability,
) -> Result<(Enrollment, Role), Error> {
    let e = enrollments::get(&state.db, id)
        .await?
        .ok_or_else(|| gone(id))?;
    let target = Target::enrollment(&e.path, e.person_id, &e.plugin_id, e.completed_at.is_some());
    let role = authorize(principal, capability, target).ok_or_else(Error::forbidden)?;
    Ok((e, role))
}

/// What the module is told about this call.
pub(crate) async fn context(
    state: &AppState,
    e: &Enrollment,
    principal: &Principal,
    role: Role,
    locale: Locale,
    now: i64,
) -> Result<Context, Error> {
    let actor = Actor {
        person_id: principal.person_id.map_or_else(
            || format!("account-{}", principal.account_id),
            |p| p.to_string(),
        ),
        name: principal.display_name.clone(),
        role,
    };
    village_context(state, e, actor, locale, now).await
}

/// What the module is told about a call by `actor`.
pub async fn village_context(
    state: &AppState,
    e: &Enrollment,
    actor: Actor,
    locale: Locale,
    now: i64,
) -> Result<Context, Error> {
    let (village, members, outgoing) = state.village(&e.unit_code, &e.path).await?.as_ref().clone();
    Ok(Context {
        enrollment_id: e.id.to_string(),
        actor,
        village,
        members,
        outgoing,
        config: serde_json::from_str(&e.config).map_err(anyhow::Error::from)?,
        locale,
        now,
    })
}

/// The enrollment's state, starting it first if it was never opened; `keep`
/// stores that first state (acting stores it with the action's own write).
pub(crate) async fn opened(
    state: &AppState,
    plugin: &Arc<Plugin>,
    e: &mut Enrollment,
    ctx: &Context,
    keep: bool,
) -> Result<String, Error> {
    if let Some(s) = &e.state {
        return Ok(s.clone());
    }
    let outcome = plugin.start(ctx).await?.map_err(Error::Rejected)?;
    if keep {
        enrollments::store_initial(&state.db, e, &outcome).await?;
    }
    e.state = Some(outcome.state.clone());
    e.done = i64::from(outcome.progress.done);
    e.total = i64::from(outcome.progress.total);
    Ok(outcome.state)
}
