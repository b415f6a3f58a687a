//! The one error of the use cases (acting, assigning, publishing, accounts,
//! imports…), whichever transport calls them. Each knows the status and the
//! JSON body it answers with, in both languages, naming the field at fault:
//! the API sends that body, the pages show its message, and the action log
//! keeps it so a replayed request gets the same answer.

use std::fmt;

use baton_sdk::{Locale, Rejection, Text};
use serde_json::{Value, json};

use crate::runtime::PluginError;

/// What is wrong with one line of an import file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// The line in the file, counting the header as line 1.
    pub line: usize,
    /// The column at fault, when there is one (its English name).
    pub column: Option<&'static str>,
    /// Why, in both languages; the Chinese names the column as a county's
    /// sheet heads it (姓名、职务…), the English by its English name.
    pub message: Text,
}

impl RowError {
    /// Line `line` is wrong, in `column` when there is one.
    pub fn new(
        line: usize,
        column: Option<&'static str>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            line,
            column,
            message: Text::new(zh, en),
        }
    }

    /// Line `line` cannot be read as a row of the table at all.
    pub fn unreadable(line: usize, e: &csv::Error) -> Self {
        let zh = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => {
                format!("有 {len} 列，表头有 {expected_len} 列，请检查是否多了或少了逗号")
            }
            _ => "无法读取，请检查这一行的内容".to_owned(),
        };
        Self::new(line, None, zh, e.to_string())
    }

    /// The line and why, in `locale`: 第 3 行：请填写姓名.
    pub fn say(&self, locale: Locale) -> String {
        match locale {
            Locale::ZhCn => format!("第 {} 行：{}", self.line, self.message.zh),
            Locale::En => self.to_string(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "line {}, {column}: {}", self.line, self.message.en),
            None => write!(f, "line {}: {}", self.line, self.message.en),
        }
    }
}

/// Texts in `locale`, one after another.
fn join(texts: &[Text], locale: Locale, between: &str) -> String {
    texts
        .iter()
        .map(|t| t.get(locale))
        .collect::<Vec<_>>()
        .join(between)
}

/// An error a use case returns.
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
    #[error("invalid package: {}", .0.iter().map(|t| t.en.as_str()).collect::<Vec<_>>().join("; "))]
    InvalidPackage(Vec<Text>),
    /// 422: lines of an uploaded file are wrong; each is named.
    #[error("{} bad lines", .0.len())]
    Rows(Vec<RowError>),
    /// 422: the module refused the action.
    #[error("rejected: {0}")]
    Rejected(Rejection),
    /// 500 naming the module: it trapped, looped, ate memory or answered garbage.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// 429: too many failed logins; try again after this many seconds.
    #[error("too many attempts")]
    Throttled(i64),
    /// 429: too many refused attempts at one action (a code guessed, say);
    /// try again after this many seconds.
    #[error("too many refused attempts")]
    TooManyTries(i64),
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

    /// The field a bad request names.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::BadRequest { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The status this error answers with, as an HTTP status number (the
    /// transports and the idempotency log share it).
    pub fn status(&self) -> u16 {
        self.parts().0
    }

    /// What the error says, in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        message_in(&self.parts().1, locale)
    }

    /// The status number and JSON body this error answers with: what the
    /// API sends, and what the attempt log keeps so a retried idempotency
    /// key gets the same answer.
    pub fn parts(&self) -> (u16, Value) {
        match self {
            Error::Unauthorized => (
                401,
                json!({"error": "unauthorized", "message": Text::new("请先登录", "sign in first")}),
            ),
            Error::BadCredentials => (
                401,
                json!({"error": "bad-credentials", "message": Text::new("用户名或密码错误", "wrong user name or password")}),
            ),
            Error::Forbidden(m) => (403, json!({"error": "forbidden", "message": m})),
            Error::NotFound(m) => (404, json!({"error": "not-found", "message": m})),
            Error::BadRequest { field, message } => (
                400,
                json!({"error": "bad-request", "field": field, "message": message}),
            ),
            Error::Conflict(m) => (409, json!({"error": "conflict", "message": m})),
            Error::InvalidPackage(problems) => (
                422,
                json!({
                    "error": "invalid-package",
                    "problems": problems,
                    "message": Text::new(
                        format!("模块包未通过检查：{}", join(problems, Locale::ZhCn, "；")),
                        format!("the package fails the checks: {}", join(problems, Locale::En, "; ")),
                    ),
                }),
            ),
            Error::Rows(rows) => {
                let say = |locale| rows.iter().map(|r| r.say(locale)).collect::<Vec<_>>();
                (
                    422,
                    json!({
                        "error": "invalid-rows",
                        "rows": rows,
                        "message": Text::new(
                            format!("文件有 {} 处错误，未导入任何内容：{}", rows.len(), say(Locale::ZhCn).join("；")),
                            format!("{} bad lines, nothing imported: {}", rows.len(), say(Locale::En).join("; ")),
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
                (422, body)
            }
            Error::Plugin(e) => (
                500,
                json!({
                    "error": "plugin-fault",
                    "plugin": e.plugin.to_string(),
                    "fault": e.fault.kind(),
                    "message": Text::new(format!("模块 {} 出错，操作未生效", e.plugin), e.to_string()),
                }),
            ),
            Error::Throttled(after) => (
                429,
                json!({
                    "error": "throttled",
                    "retry_after": after,
                    "message": Text::new(
                        format!("登录失败次数过多，请 {} 分钟后再试", (after + 59) / 60),
                        format!("too many failed sign-ins; try again in {} minutes", (after + 59) / 60),
                    ),
                }),
            ),
            Error::TooManyTries(after) => (
                429,
                json!({
                    "error": "throttled",
                    "retry_after": after,
                    "message": Text::new(
                        format!("尝试失败次数过多，请 {} 分钟后再试", (after + 59) / 60),
                        format!("too many refused attempts; try again in {} minutes", (after + 59) / 60),
                    ),
                }),
            ),
            Error::Internal(_) => (
                500,
                json!({"error": "internal", "message": Text::new("服务器内部错误", "internal server error")}),
            ),
        }
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
