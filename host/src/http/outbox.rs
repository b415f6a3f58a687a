//! Reaching people outside the app, as JSON: the channels a unit is reached
//! on, what a sender's reminders became (per channel: queued, sent, failed,
//! dead), reminding several enrollments at once, pausing an enrollment's
//! reminders.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::json_body;
use crate::auth::Principal;
use crate::notices::send_reminders;
use crate::outbox;
use crate::shared::{AppState, Error, now};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/outbox", get(mine))
        .route("/api/v1/reminders", post(remind_many))
        .route(
            "/api/v1/units/{code}/channels/{channel}",
            put(set_channel).get(get_channel).delete(remove_channel),
        )
        .route("/api/v1/enrollments/{id}/pause", post(pause).delete(resume))
        .route("/hooks/sms/{code}/{token}", post(receipts))
}

/// An SMS vendor's delivery reports (回执), as Aliyun (SmsReport, HTTP
/// batch push) and Tencent Cloud (短信下发状态回调) post them, to the URL
/// the province gave the vendor; no session — the URL's token is the
/// province's `receipt_token`, and any other is not found. Answers as each
/// vendor expects.
#[utoipa::path(post, path = "/hooks/sms/{code}/{token}", tag = "notices",
    params(("code" = String, Path, description = "The province's code"), ("token" = String, Path, description = "The province's receipt_token")),
    request_body(content = Object, description = "the vendor's report: a JSON array"),
    responses((status = 200, description = "Aliyun: {code: 0, msg}; Tencent: {result: 0, errmsg}"), (status = 400), (status = 404)))]
pub(super) async fn receipts(
    State(state): State<AppState>,
    Path((code, token)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, Error> {
    let (vendor, _) = outbox::receipts(&state, &code, &token, &body).await?;
    Ok(Json(match vendor {
        "aliyun" => json!({"code": 0, "msg": "成功"}),
        _ => json!({"result": 0, "errmsg": "OK"}),
    }))
}

/// What my reminders became, and escalations to my units: each notice with
/// its deliveries per channel (phone numbers masked).
#[utoipa::path(get, path = "/api/v1/outbox", tag = "notices",
    responses((status = 200, description = "sent: my reminders; escalations: to my units; each with deliveries [{channel, recipient, address, status, attempts, error, sent_at}]")),
    security(("bearer" = [])))]
pub(super) async fn mine(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Value>, Error> {
    let now = now();
    Ok(Json(json!({
        "sent": outbox::sent_by(&state, &principal, now).await?,
        "escalations": outbox::escalations(&state, &principal, now).await?,
    })))
}

/// Several enrollments to remind at once.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemindMany {
    /// Enrollment ids, at most 500.
    pub enrollments: Vec<i64>,
}

/// Reminds whoever each enrollment waits for (county trainers and above, in
/// scope); all or nothing: one out of scope refuses the lot.
#[utoipa::path(post, path = "/api/v1/reminders", tag = "notices", request_body = RemindMany,
    responses((status = 201, description = "reminded: how many"), (status = 400), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub(super) async fn remind_many(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Error> {
    let input: RemindMany = json_body(&body)?;
    let n = send_reminders(&state, &principal, &input.enrollments).await?;
    Ok((StatusCode::CREATED, Json(json!({"reminded": n}))))
}

/// Sets a channel of a unit: `sms` (`{url, secret, template}` for the
/// generic gateway; `{vendor: "aliyun" | "tencent", key_id, secret,
/// sign_name, app_id?, region?, templates: {kind: {id, params}}}` for a
/// vendor's approved templates) and
/// `schedule` (`{remind_before_days, township_after_days, county_after_days,
/// province_after_days}`) a province's, by its administrators; `wecom` and
/// `dingtalk` (`{webhook}`) a township's or county's group robot, by county
/// trainers and above.
#[utoipa::path(put, path = "/api/v1/units/{code}/channels/{channel}", tag = "notices",
    params(("code" = String, Path, description = "Org unit code"), ("channel" = String, Path, description = "sms, wecom, dingtalk or schedule")),
    request_body(content = Object, description = "the channel's setting"),
    responses((status = 204), (status = 400), (status = 403)),
    security(("bearer" = [])))]
pub(super) async fn set_channel(
    State(state): State<AppState>,
    principal: Principal,
    Path((code, channel)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<StatusCode, Error> {
    let config: Value = json_body(&body)?;
    outbox::set_channel(&state, &principal, &code, &channel, Some(&config), now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A unit's channel setting (the secret masked); 404 when it has none.
#[utoipa::path(get, path = "/api/v1/units/{code}/channels/{channel}", tag = "notices",
    params(("code" = String, Path, description = "Org unit code"), ("channel" = String, Path, description = "sms, wecom, dingtalk or schedule")),
    responses((status = 200), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub(super) async fn get_channel(
    State(state): State<AppState>,
    principal: Principal,
    Path((code, channel)): Path<(String, String)>,
) -> Result<Json<Value>, Error> {
    outbox::channel_at(&state, &principal, &code, &channel)
        .await?
        .map(Json)
        .ok_or_else(|| {
            Error::not_found(
                format!("{code} 没有设置 {channel}"),
                format!("{code} has no {channel} setting"),
            )
        })
}

/// Removes a unit's channel setting.
#[utoipa::path(delete, path = "/api/v1/units/{code}/channels/{channel}", tag = "notices",
    params(("code" = String, Path, description = "Org unit code"), ("channel" = String, Path, description = "sms, wecom, dingtalk or schedule")),
    responses((status = 204), (status = 400), (status = 403)),
    security(("bearer" = [])))]
pub(super) async fn remove_channel(
    State(state): State<AppState>,
    principal: Principal,
    Path((code, channel)): Path<(String, String)>,
) -> Result<StatusCode, Error> {
    outbox::set_channel(&state, &principal, &code, &channel, None, now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Why reminders pause.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseRequest {
    /// Why: 书记病假至 12 月 20 日…
    pub reason: String,
}

/// Pauses an enrollment's due-date reminders and escalations, with a reason.
#[utoipa::path(post, path = "/api/v1/enrollments/{id}/pause", tag = "notices", request_body = PauseRequest,
    params(("id" = i64, Path, description = "Enrollment id")),
    responses((status = 204), (status = 400), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub(super) async fn pause(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<StatusCode, Error> {
    let input: PauseRequest = json_body(&body)?;
    outbox::pause(&state, &principal, id, Some(&input.reason), now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Resumes an enrollment's reminders.
#[utoipa::path(delete, path = "/api/v1/enrollments/{id}/pause", tag = "notices",
    params(("id" = i64, Path, description = "Enrollment id")),
    responses((status = 204), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub(super) async fn resume(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<StatusCode, Error> {
    outbox::pause(&state, &principal, id, None, now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
