//! Enrollments over JSON: what I have to do, one enrollment's view, and
//! acting in it (the use case is `crate::acting`).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{json_body, locale};
use crate::acting::{self, Acted, Signoffs, Summary, my_enrollments, summary};
use crate::auth::Principal;
use crate::shared::{AppState, Error, now};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/enrollments", get(mine))
        .route("/api/v1/enrollments/{id}", get(show))
        .route("/api/v1/enrollments/{id}/actions", post(act))
        .route("/api/v1/sync", post(sync))
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
    let seen = acting::see(&state, &principal, id, locale, Signoffs::All).await?;
    let module = &seen.module;
    let html = module.render_apart(seen.view.clone(), locale, None).await?;
    Ok(Json(json!({
        "enrollment": summary(&seen.enrollment, module, now()),
        "role": seen.role.as_str(),
        "actions": module.info().actions,
        "view": seen.view,
        "html": html,
        "signoffs": seen.signoffs,
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
    let key = idempotency_key(
        headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
        "Idempotency-Key",
    )?;
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

/// An idempotency key as given in `field`: 1–200 characters once trimmed.
fn idempotency_key(given: &str, field: &str) -> Result<String, Error> {
    let key = given.trim();
    if (1..=200).contains(&key.len()) {
        return Ok(key.to_owned());
    }
    Err(Error::bad(
        field,
        "缺少幂等键（Idempotency-Key，1–200 个字符），重试时请使用同一个值",
        "an idempotency key (1–200 characters) is required; reuse it when retrying",
    ))
}

/// How many queued actions one `POST /api/v1/sync` takes.
pub const SYNC_LIMIT: usize = 100;

/// One action a client queued while offline.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Queued {
    /// The enrollment to act in.
    pub enrollment: i64,
    /// The action's name, as the module declares it.
    pub action: String,
    /// Its payload (JSON); or, instead, `form`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub payload: Option<Value>,
    /// The page's form fields, url-encoded, as the page would have posted
    /// them (`entries.0.name=…`): the host builds the payload from the
    /// action's schema, as it does for the page. Give `payload` or `form`.
    #[serde(default)]
    pub form: Option<String>,
    /// The idempotency key the client gave the action when it was queued
    /// (1–200 characters); sending it again never acts twice.
    pub key: String,
    /// When the person acted, Unix seconds, as the phone's clock says:
    /// echoed back, not trusted (the action log records the arrival).
    #[serde(default)]
    pub queued_at: Option<i64>,
}

/// Acts on a batch of queued actions in the order given, each under its own
/// idempotency key, and answers each one by itself (`status` and `body` as
/// `POST /api/v1/enrollments/{id}/actions` would have: 200 accepted, 422 the
/// module refused, 403, 404, 409, 500 a module fault; `replayed` when the key
/// was used before). A batch that is not a list of well-formed items, or holds
/// more than 100, is refused whole (400) and nothing is acted.
#[utoipa::path(post, path = "/api/v1/sync", tag = "enrollments",
    request_body = Vec<Queued>,
    responses((status = 200, description = "one answer per item, in order: `key`, `enrollment`, `queued_at`, `status`, `replayed`, `body`"),
              (status = 400, description = "not a list of queued actions, a bad key, or more than 100")),
    security(("bearer" = [])))]
pub(super) async fn sync(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<Json<Vec<Value>>, Error> {
    let queued: Vec<Queued> = json_body(&body)?;
    if queued.len() > SYNC_LIMIT {
        return Err(Error::bad(
            "body",
            format!(
                "一次最多同步 {SYNC_LIMIT} 项，这次有 {} 项，请分批发送",
                queued.len()
            ),
            format!(
                "at most {SYNC_LIMIT} actions a batch; this one has {}: send them in parts",
                queued.len()
            ),
        ));
    }
    let mut keys = Vec::with_capacity(queued.len());
    for (i, q) in queued.iter().enumerate() {
        keys.push(idempotency_key(&q.key, &format!("[{i}].key"))?);
        if q.payload.is_some() == q.form.is_some() {
            return Err(Error::bad(
                format!("[{i}].payload"),
                "请给出 payload 或 form 其中之一",
                "give either `payload` or `form`",
            ));
        }
    }
    let mut answers = Vec::with_capacity(queued.len());
    for (q, key) in queued.iter().zip(keys) {
        let acted = async {
            let payload = match (&q.payload, &q.form) {
                (Some(payload), _) => payload.clone(),
                (None, form) => {
                    let form = form.as_deref().unwrap_or_default();
                    acting::payload_from_form(&state, &principal, q.enrollment, &q.action, form)
                        .await?
                }
            };
            acting::act(&state, &principal, q.enrollment, &key, &q.action, &payload).await
        };
        let (status, replayed, body) = match acted.await {
            Ok(Acted::Accepted(body)) => (200, false, parsed(&body)),
            Ok(Acted::Replayed { status, body }) => (status, true, parsed(&body)),
            Err(error) => {
                let (status, body) = error.parts();
                (status, false, body)
            }
        };
        answers.push(json!({
            "key": key,
            "enrollment": q.enrollment,
            "queued_at": q.queued_at,
            "status": status,
            "replayed": replayed,
            "body": body,
        }));
    }
    Ok(Json(answers))
}

/// An answer the action log kept, as JSON (it always is).
fn parsed(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_owned()))
}
