//! The one error type of the HTTP layer. Every error body is JSON with an
//! `error` code and a `message` in both languages; field errors name the field.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use baton_sdk::{Locale, Rejection, Text};
use serde_json::{Value, json};

use crate::runtime::PluginError;

/// An error a handler returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 401: no valid session or token.
    #[error("not signed in")]
    Unauthorized,
    /// 401: wrong user name or password (which one is not said).
    #[error("bad credentials")]
    BadCredentials,
    /// 403: signed in, but this is outside the actor's grants.
    #[error("forbidden: {}", .0.en)]
    Forbidden(Text),
    /// 404.
    #[error("not found: {}", .0.en)]
    NotFound(Text),
    /// 400: the request itself is malformed; `field` names what.
    #[error("bad request: {field}: {}", .message.en)]
    BadRequest {
        /// The field, header or parameter at fault.
        field: String,
        /// Why.
        message: Text,
    },
    /// 409: the request clashes with what is stored (a version already
    /// published, or not newer than the latest).
    #[error("conflict: {}", .0.en)]
    Conflict(Text),
    /// 422: an uploaded package fails the checks; every problem is listed.
    #[error("invalid package: {}", .0.join("; "))]
    InvalidPackage(Vec<String>),
    /// 422: lines of an uploaded file are wrong; each is named.
    #[error("{} bad lines", .0.len())]
    Rows(Vec<crate::import::RowError>),
    /// 422: the module refused the action.
    #[error("rejected: {0}")]
    Rejected(Rejection),
    /// 500 naming the module: it trapped, looped, ate memory or answered garbage.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// 429: too many failed logins; try again after this many seconds.
    #[error("too many attempts")]
    Throttled(i64),
    /// 500: a fault on our side. Logged with its cause; the client sees no detail.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// A 400 for `field`.
    pub fn bad(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Error::BadRequest {
            field: field.into(),
            message: Text::new(zh, en),
        }
    }

    /// A 403.
    pub fn forbidden() -> Self {
        Error::Forbidden(Text::new(
            "您没有权限访问此范围",
            "this is outside what your role covers",
        ))
    }

    /// A 404 for `what`.
    pub fn not_found(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Error::NotFound(Text::new(zh, en))
    }

    /// What the error says, in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        message_in(&self.parts().1, locale)
    }

    /// The status and JSON body this error answers with.
    pub fn parts(&self) -> (StatusCode, Value) {
        match self {
            Error::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                json!({"error": "unauthorized", "message": Text::new("请先登录", "sign in first")}),
            ),
            Error::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                json!({"error": "bad-credentials", "message": Text::new("用户名或密码错误", "wrong user name or password")}),
            ),
            Error::Forbidden(m) => (
                StatusCode::FORBIDDEN,
                json!({"error": "forbidden", "message": m}),
            ),
            Error::NotFound(m) => (
                StatusCode::NOT_FOUND,
                json!({"error": "not-found", "message": m}),
            ),
            Error::BadRequest { field, message } => (
                StatusCode::BAD_REQUEST,
                json!({"error": "bad-request", "field": field, "message": message}),
            ),
            Error::Conflict(m) => (
                StatusCode::CONFLICT,
                json!({"error": "conflict", "message": m}),
            ),
            Error::InvalidPackage(problems) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({
                    "error": "invalid-package",
                    "problems": problems,
                    "message": Text::new(
                        format!("模块包未通过检查：{}", problems.join(";")),
                        format!("the package fails the checks: {}", problems.join("; ")),
                    ),
                }),
            ),
            Error::Rows(rows) => {
                let lines: Vec<String> = rows.iter().map(ToString::to_string).collect();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({
                        "error": "invalid-rows",
                        "rows": rows,
                        "message": Text::new(
                            format!("文件有 {} 处错误，未导入任何内容：{}", rows.len(), lines.join("；")),
                            format!("{} bad lines, nothing imported: {}", rows.len(), lines.join("; ")),
                        ),
                    }),
                )
            }
            Error::Rejected(r) => {
                let (kind, detail) = match r {
                    Rejection::Invalid(fields) => ("invalid", json!({"fields": fields})),
                    Rejection::Forbidden(m) => ("forbidden", json!({"message": m})),
                    Rejection::Conflict(m) => ("conflict", json!({"message": m})),
                };
                let mut body = json!({"error": "rejected", "kind": kind});
                if let (Some(body), Value::Object(detail)) = (body.as_object_mut(), detail) {
                    body.extend(detail);
                }
                (StatusCode::UNPROCESSABLE_ENTITY, body)
            }
            Error::Plugin(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({
                    "error": "plugin-fault",
                    "plugin": e.plugin.to_string(),
                    "fault": e.fault.kind(),
                    "message": Text::new(format!("模块 {} 出错，操作未生效", e.plugin), e.to_string()),
                }),
            ),
            Error::Throttled(after) => (
                StatusCode::TOO_MANY_REQUESTS,
                json!({
                    "error": "throttled",
                    "retry_after": after,
                    "message": Text::new(
                        format!("登录失败次数过多，请 {} 分钟后再试", (after + 59) / 60),
                        format!("too many failed sign-ins; try again in {} minutes", (after + 59) / 60),
                    ),
                }),
            ),
            Error::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"error": "internal", "message": Text::new("服务器内部错误", "internal server error")}),
            ),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match &self {
            // Logged here once; the body says nothing of the cause.
            Error::Internal(e) => tracing::error!(error = %format!("{e:#}"), "internal error"),
            Error::Plugin(e) => tracing::warn!(error = %e, "plugin fault"),
            _ => {}
        }
        let (status, body) = self.parts();
        let mut response = (status, axum::Json(body)).into_response();
        if let Error::Throttled(after) = self
            && let Ok(v) = HeaderValue::from_str(&after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// The message of an error body (`{"message": {"zh", "en"}}`) in `locale`;
/// empty when it has none.
pub fn message_in(body: &Value, locale: Locale) -> String {
    let lang = if locale == Locale::En { "en" } else { "zh" };
    body.pointer(&format!("/message/{lang}"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}
