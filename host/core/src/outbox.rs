//! Reaching people outside the app. Every notice (a module's, a trainer's
//! reminder, a due date's reminder or escalation) is first an in-app notice;
//! one worker pass then
//! 1. fires the due-date stages that have come (remind the awaited party 7
//!    and 1 days before; escalate to the township 3 days after, the county
//!    after 7, the province after 14), each once per enrollment on any host;
//! 2. fans new notices out to the channels their recipients are reached on
//!    (SMS to a person's phone through the province's gateway; the WeCom or
//!    DingTalk group robot of a township or county; e-mail through the
//!    province's SMTP server to officials who gave an address), one outbox
//!    row per address and channel;
//! 3. delivers what is due: at most one message per address and channel a
//!    day (more become one digest), no SMS in quiet hours, failures retried
//!    with exponential backoff and dead-lettered after [`MAX_ATTEMPTS`].
//!
//! The pass takes the time as an argument, so tests drive it past due dates.

use std::time::Duration;

use std::collections::HashMap;

use baton_sdk::Text;

use crate::clock::{beijing_hour, beijing_midnight};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::auth::{Capability, Principal};
use crate::db::org_units::Level;
use crate::db::outbox::{self, NewMessage};
use crate::error::Error;
use crate::state::AppState;

/// Tries before a message is dead-lettered.
pub const MAX_ATTEMPTS: i64 = 5;

/// First retry after this many seconds; each further one waits twice as long.
pub const RETRY_AFTER: i64 = 60;

/// How long a host may hold a message it is sending, seconds.
pub const LEASE: i64 = 120;

/// No SMS from 22:00 to 07:00 Beijing time.
pub const QUIET_HOURS: (i64, i64) = (22, 7);

const DAY: i64 = 86_400;

/// The channels outside the app.
pub const CHANNELS: [&str; 5] = ["sms", "wecom", "dingtalk", "email", "schedule"];

/// A province's SMS: `vendor` `gateway` (the default) POSTs `{"phone",
/// "text"}` as JSON to `url`, signed with HMAC-SHA256 over `timestamp +
/// "\n" + body` under `secret` (headers `X-Baton-Timestamp`,
/// `X-Baton-Signature`, hex); `aliyun` and `tencent` send the province's
/// approved template for each notice kind with its parameters, never free
/// text, signed as each vendor documents ([`crate::sms_vendors`]).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sms {
    /// `gateway`, `aliyun` or `tencent`.
    #[serde(default = "gateway")]
    pub vendor: String,
    /// The gateway's URL, `https://…`; for a vendor, its API endpoint when
    /// not the public one (a private-cloud or test endpoint).
    #[serde(default)]
    pub url: String,
    /// The gateway's shared secret; the vendor's AccessKeySecret (Aliyun) or
    /// SecretKey (Tencent).
    pub secret: String,
    /// The gateway's text, with `{message}` where the notice goes: the
    /// operator's registered signature first, e.g. `【村级换届接力】{message}`.
    #[serde(default = "default_template")]
    pub template: String,
    /// The vendor's AccessKeyId (Aliyun) or SecretId (Tencent).
    #[serde(default)]
    pub key_id: String,
    /// The approved signature (签名), without brackets: 村级换届接力.
    #[serde(default)]
    pub sign_name: String,
    /// Tencent's SmsSdkAppId.
    #[serde(default)]
    pub app_id: String,
    /// Tencent's region; ap-guangzhou when empty.
    #[serde(default)]
    pub region: String,
    /// Per notice kind (`due`, `escalation`, `reminder`, `notice`), the
    /// approved template and its parameters; a kind without one is not sent
    /// by SMS.
    #[serde(default)]
    pub templates: std::collections::BTreeMap<String, VendorTemplate>,
    /// The secret part of the delivery-report URL the vendor is given,
    /// `/hooks/sms/<province code>/<receipt_token>`: at least 16 letters,
    /// digits, `-` or `_`; empty for no reports.
    #[serde(default)]
    pub receipt_token: String,
}

fn gateway() -> String {
    "gateway".to_owned()
}

/// An approved template: its id (Aliyun's TemplateCode `SMS_…`, Tencent's
/// TemplateId) and what fills its variables — for Aliyun by name
/// (`{"name": "village"}`), for Tencent in order (`["village", "due"]`) —
/// each one of [`SMS_FIELDS`].
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VendorTemplate {
    /// The template's id.
    pub id: String,
    /// Its variables.
    pub params: TemplateParams,
}

/// A template's variables: by name (Aliyun) or in order (Tencent).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum TemplateParams {
    /// Variable name → field.
    Named(std::collections::BTreeMap<String, String>),
    /// Fields, in the template's order.
    Positional(Vec<String>),
}

/// What a template's variables may carry: the village's name, the module's
/// title, its due date, days late (0 before), and how many notices the
/// message stands for (the first's fields, the rest counted).
pub const SMS_FIELDS: [&str; 5] = ["village", "module", "due", "days", "count"];

/// The notice kinds a province maps to templates.
pub const NOTICE_KINDS: [&str; 4] = ["due", "escalation", "reminder", "notice"];

/// The SMS text when a province gives none: the signature, then the notice.
pub fn default_template() -> String {
    "【村级换届接力】{message}".to_owned()
}

/// A WeCom (企业微信) or DingTalk (钉钉) group robot of a township or county.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Robot {
    /// The robot's webhook URL as the group's settings give it.
    pub webhook: String,
    /// A DingTalk robot's 加签 secret (`SEC…`), when its security setting
    /// is signing: every post carries `timestamp` and `sign` (HMAC-SHA256
    /// of `timestamp\nsecret`, base64) as DingTalk documents. WeCom's
    /// robots have none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub secret: String,
}

/// A DingTalk webhook with its 加签 query: `&timestamp=…&sign=…`, the
/// timestamp in milliseconds, the sign `base64(HMAC-SHA256(secret,
/// "{timestamp}\n{secret}"))` URL-encoded, as DingTalk's documentation
/// computes it.
pub fn dingtalk_signed(webhook: &str, secret: &str, millis: i64) -> String {
    use base64::Engine as _;
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{millis}\n{secret}").as_bytes());
    let sign = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    // Base64's only characters a query must escape.
    let sign = sign
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let join = if webhook.contains('?') { '&' } else { '?' };
    format!("{webhook}{join}timestamp={millis}&sign={sign}")
}

/// A province's SMTP server, for officials who gave an e-mail address.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Email {
    /// The server's host name, e.g. `smtp.example.gov.cn`.
    pub host: String,
    /// Its port; by default 465 for `tls`, 587 for `starttls`, 25 for `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `tls` (implicit TLS, the default), `starttls`, or `none` (only for
    /// a relay on the same machine or network).
    #[serde(default = "default_security")]
    pub security: String,
    /// The sender, e.g. `村级换届接力 <noreply@example.gov.cn>`.
    pub from: String,
    /// The account to log in as; none when the server takes mail unsigned.
    #[serde(default)]
    pub username: String,
    /// Its password.
    #[serde(default)]
    pub password: String,
}

fn default_security() -> String {
    "tls".to_owned()
}

impl Email {
    /// Whether `other` logs in to the same server as the same account.
    pub fn same_server(&self, other: &Email) -> bool {
        self.host.eq_ignore_ascii_case(&other.host)
            && self.port() == other.port()
            && self.security == other.security
            && self.username == other.username
    }

    fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security.as_str() {
            "starttls" => 587,
            "none" => 25,
            _ => 465,
        })
    }
}

/// When reminders and escalations go, relative to an assignment's due date.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Days before the due date to remind whoever the enrollment waits for.
    pub remind_before_days: Vec<u32>,
    /// Days after the due date to tell the township.
    pub township_after_days: u32,
    /// … the county.
    pub county_after_days: u32,
    /// … the province.
    pub province_after_days: u32,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            remind_before_days: vec![7, 1],
            township_after_days: 3,
            county_after_days: 7,
            province_after_days: 14,
        }
    }
}

/// Checks a channel's setting by field; the JSON to store.
pub fn check_setting(channel: &str, config: &Value) -> Result<String, Error> {
    let bad = |field: &str, zh: &str, en: &str| Error::bad(field, zh, en);
    let parsed = |e: serde_json::Error| {
        bad(
            "config",
            &format!("设置格式不对：{e}"),
            &format!("the setting does not parse: {e}"),
        )
    };
    let url = |field: &str, u: &str| {
        if u.starts_with("https://") || u.starts_with("http://") {
            Ok(())
        } else {
            Err(bad(
                field,
                "必须是 http:// 或 https:// 开头的网址",
                "must be an http:// or https:// URL",
            ))
        }
    };
    let stored = match channel {
        "sms" => {
            let sms: Sms = serde_json::from_value(config.clone()).map_err(parsed)?;
            check_sms(&sms)?;
            serde_json::to_value(sms)
        }
        "wecom" | "dingtalk" => {
            let robot: Robot = serde_json::from_value(config.clone()).map_err(parsed)?;
            url("webhook", &robot.webhook)?;
            if channel == "wecom" && !robot.secret.is_empty() {
                return Err(bad(
                    "secret",
                    "企业微信群机器人没有加签密钥，请留空",
                    "WeCom robots have no signing secret: leave it empty",
                ));
            }
            if channel == "dingtalk"
                && !robot.secret.is_empty()
                && !(robot.secret.starts_with("SEC")
                    && robot.secret.len() <= 128
                    && robot.secret.bytes().all(|b| b.is_ascii_alphanumeric()))
            {
                return Err(bad(
                    "secret",
                    "加签密钥应为钉钉机器人安全设置中以 SEC 开头的一串字母和数字",
                    "must be the SEC… secret of the robot's signing setting",
                ));
            }
            serde_json::to_value(robot)
        }
        "email" => {
            let email: Email = serde_json::from_value(config.clone()).map_err(parsed)?;
            if email.host.trim().is_empty() || email.host.contains(['/', ' ']) {
                return Err(bad(
                    "host",
                    "请填写邮件服务器的主机名",
                    "must be a host name",
                ));
            }
            if !["tls", "starttls", "none"].contains(&email.security.as_str()) {
                return Err(bad(
                    "security",
                    "加密方式只能是 tls、starttls 或 none",
                    "must be tls, starttls or none",
                ));
            }
            if email.from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(bad(
                    "from",
                    "发件人不是有效的邮箱地址",
                    "is not an e-mail address",
                ));
            }
            if email.username.is_empty() != email.password.is_empty() {
                return Err(bad(
                    "password",
                    "用户名和密码要么都填，要么都不填",
                    "give both a username and a password, or neither",
                ));
            }
            serde_json::to_value(email)
        }
        "schedule" => {
            let s: Schedule = serde_json::from_value(config.clone()).map_err(parsed)?;
            if s.remind_before_days.iter().any(|d| *d == 0 || *d > 60) {
                return Err(bad(
                    "remind_before_days",
                    "提前天数应在 1 到 60 之间",
                    "each must be 1 to 60",
                ));
            }
            if !(s.township_after_days < s.county_after_days
                && s.county_after_days < s.province_after_days)
            {
                return Err(bad(
                    "county_after_days",
                    "逾期后依次报乡镇、县、省：天数必须逐级增加",
                    "township, county and province must come in that order (increasing days)",
                ));
            }
            serde_json::to_value(s)
        }
        _ => {
            return Err(bad(
                "channel",
                "渠道只能是 sms、wecom、dingtalk、email 或 schedule",
                "must be sms, wecom, dingtalk, email or schedule",
            ));
        }
    };
    Ok(stored.map_err(anyhow::Error::from)?.to_string())
}

/// A province's SMS setting is complete for its vendor, or the first wrong
/// field is named.
fn check_sms(sms: &Sms) -> Result<(), Error> {
    let bad = |field: &str, zh: &str, en: &str| Err(Error::bad(field, zh, en));
    let required = |field: &str, value: &str| {
        if value.trim().is_empty() {
            bad(field, "请填写", "is required")
        } else {
            Ok(())
        }
    };
    let vendor = sms.vendor.as_str();
    if !["gateway", "aliyun", "tencent"].contains(&vendor) {
        return bad(
            "vendor",
            "短信服务商只能是 gateway（自建网关）、aliyun（阿里云）或 tencent（腾讯云）",
            "must be gateway, aliyun or tencent",
        );
    }
    if !(sms.url.is_empty() && vendor != "gateway")
        && !(sms.url.starts_with("https://") || sms.url.starts_with("http://"))
    {
        return bad(
            "url",
            "必须是 http:// 或 https:// 开头的网址",
            "must be an http:// or https:// URL",
        );
    }
    let secret_zh = match vendor {
        "aliyun" => "请填写 AccessKey Secret",
        "tencent" => "请填写 SecretKey",
        _ => "请填写签名密钥",
    };
    if sms.secret.trim().is_empty() {
        return bad("secret", secret_zh, "is required");
    }
    let token = &sms.receipt_token;
    if !token.is_empty()
        && (token.len() < 16
            || !token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return bad(
            "receipt_token",
            "回执地址的口令至少 16 位，只能用字母、数字、- 和 _",
            "at least 16 letters, digits, - or _",
        );
    }
    if vendor == "gateway" {
        if !sms.template.contains("{message}") {
            return bad(
                "template",
                "模板必须包含 {message}",
                "must contain {message}",
            );
        }
        return Ok(());
    }
    required("key_id", &sms.key_id)?;
    required("sign_name", &sms.sign_name)?;
    if vendor == "tencent" {
        required("app_id", &sms.app_id)?;
    }
    if sms.templates.is_empty() {
        return bad(
            "templates",
            "请至少为一类通知填写经审核的短信模板",
            "map at least one notice kind to an approved template",
        );
    }
    for (kind, t) in &sms.templates {
        let field = format!("templates.{kind}");
        if !NOTICE_KINDS.contains(&kind.as_str()) {
            return bad(
                &field,
                "通知类别只能是 due（到期提醒）、escalation（逾期督办）、reminder（培训提醒）或 notice（模块消息）",
                "must be due, escalation, reminder or notice",
            );
        }
        required(&format!("{field}.id"), &t.id)?;
        let fields: Vec<&String> = match (&t.params, vendor) {
            (TemplateParams::Named(named), "aliyun") => named.values().collect(),
            (TemplateParams::Positional(list), "tencent") => list.iter().collect(),
            (_, "aliyun") => {
                return bad(
                    &format!("{field}.params"),
                    "阿里云模板变量按名称填写，如 {\"name\": \"village\"}",
                    "Aliyun's variables go by name: {\"name\": \"village\"}",
                );
            }
            _ => {
                return bad(
                    &format!("{field}.params"),
                    "腾讯云模板变量按顺序填写，如 [\"village\", \"due\"]",
                    "Tencent's variables go in order: [\"village\", \"due\"]",
                );
            }
        };
        if let Some(wrong) = fields.iter().find(|f| !SMS_FIELDS.contains(&f.as_str())) {
            return Err(Error::bad(
                format!("{field}.params"),
                format!("没有“{wrong}”这一项，可用：{}", SMS_FIELDS.join("、")),
                format!("`{wrong}` is not a field: {}", SMS_FIELDS.join(", ")),
            ));
        }
    }
    Ok(())
}

/// Sets a channel at `unit` (`None` removes it): the SMS gateway and the
/// schedule and the SMTP server are the province's (province
/// administrators); a group robot
/// is a township's or county's (their county trainers and above).
pub async fn set_channel(
    state: &AppState,
    principal: &Principal,
    unit: &str,
    channel: &str,
    config: Option<&Value>,
    now: i64,
) -> Result<(), Error> {
    let capability = match channel {
        "wecom" | "dingtalk" => Capability::Remind,
        _ => Capability::Assign,
    };
    let stored = config.map(|c| check_setting(channel, c)).transpose()?;
    if config.is_none() && !CHANNELS.contains(&channel) {
        check_setting(channel, &Value::Null)?;
    }
    if let Some(stored) = &stored {
        check_destination(state, channel, stored).await?;
    }
    let (found, _) = crate::acting::unit_in_scope(state, principal, unit, capability).await?;
    outbox::set_setting(
        &state.db,
        &found.code,
        channel,
        stored.as_deref(),
        principal.account_id,
        now,
    )
    .await?;
    Ok(())
}

/// Refuses a setting whose destination leads into the server's own network.
async fn check_destination(state: &AppState, channel: &str, stored: &str) -> Result<(), Error> {
    let value: Value = serde_json::from_str(stored).map_err(anyhow::Error::from)?;
    let (field, host, port) = match channel {
        "sms" | "wecom" | "dingtalk" => {
            let field = if channel == "sms" { "url" } else { "webhook" };
            let url = value[field].as_str().unwrap_or_default();
            let Some((host, port)) = crate::outbound::host_of(url) else {
                return Err(Error::bad(
                    field,
                    "网址无法解析",
                    "is not a URL with a host",
                ));
            };
            (field, host, port)
        }
        "email" => {
            let email: Email = serde_json::from_value(value).map_err(anyhow::Error::from)?;
            let port = email.port();
            ("host", email.host, port)
        }
        _ => return Ok(()),
    };
    let allow = &state.settings.args.outbound_allow;
    crate::outbound::check_destination(&host, port, allow)
        .await
        .map_err(|why| {
            Error::bad(
                field,
                format!("不能发往内部网络地址（{host}）：只能发往公网地址，省内专网网关须由运维人员加入允许列表"),
                why,
            )
        })
}

/// A province's own settings as its console shows them: the reminder
/// schedule (the default when unset), the SMS gateway and the SMTP server.
/// The caller shows no secret of them.
pub async fn province_settings(
    state: &AppState,
    province: &str,
) -> Result<(Schedule, Option<Sms>, Option<Email>), Error> {
    let read = |channel| outbox::setting_at(&state.db, province, channel);
    let schedule = read("schedule")
        .await?
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or_default();
    let sms = read("sms")
        .await?
        .and_then(|c| serde_json::from_str(&c).ok());
    let email = read("email")
        .await?
        .and_then(|c| serde_json::from_str(&c).ok());
    Ok((schedule, sms, email))
}

/// What a form left empty of a secret, kept from the stored setting: the SMS
/// secret across a new URL (it only signs, and is never sent, so no gateway
/// learns it); the SMTP password only while the host, port, encryption and
/// user name stay the same (sent anywhere else, it would log in to whoever
/// runs that server: a 400 naming `password`).
pub async fn keep_secret(
    state: &AppState,
    province: &str,
    channel: &str,
    config: &mut Value,
) -> Result<(), Error> {
    let key = match channel {
        "sms" | "dingtalk" => "secret",
        "email" => "password",
        _ => return Ok(()),
    };
    if config[key].as_str().is_some_and(|s| !s.is_empty())
        || (channel == "email" && config["username"].as_str().is_none_or(str::is_empty))
    {
        return Ok(());
    }
    let Some(old) = outbox::setting_at(&state.db, province, channel).await? else {
        return Ok(());
    };
    let old: Value = serde_json::from_str(&old).map_err(anyhow::Error::from)?;
    if channel == "email" {
        let (Ok(old), Ok(new)) = (
            serde_json::from_value::<Email>(old.clone()),
            serde_json::from_value::<Email>(config.clone()),
        ) else {
            return Ok(());
        };
        if !old.same_server(&new) {
            return Err(Error::bad(
                "password",
                "更换了邮件服务器、端口、加密方式或用户名，请重新填写密码",
                "the server, port, encryption or username changed: enter the password again",
            ));
        }
    }
    config[key] = old[key].clone();
    Ok(())
}

/// A channel's setting at `unit` as stored, secrets masked.
pub async fn channel_at(
    state: &AppState,
    principal: &Principal,
    unit: &str,
    channel: &str,
) -> Result<Option<Value>, Error> {
    crate::acting::unit_in_scope(state, principal, unit, Capability::ViewReports).await?;
    let Some(config) = outbox::setting_at(&state.db, unit, channel).await? else {
        return Ok(None);
    };
    let mut value: Value = serde_json::from_str(&config).map_err(anyhow::Error::from)?;
    for key in ["secret", "password"] {
        if let Some(secret) = value.get_mut(key).filter(|s| s != &&json!("")) {
            *secret = json!("••••••");
        }
    }
    Ok(Some(value))
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Pass {
    /// Due-date stages fired (reminders and escalations written).
    pub fired: usize,
    /// Outbox messages created from new notices.
    pub queued: u64,
    /// Deliveries that went (a digest counts once).
    pub sent: usize,
    /// Deliveries that failed (to be retried, or dead).
    pub failed: usize,
}

/// One pass of the worker at time `now`.
pub async fn pass(state: &AppState, now: i64) -> anyhow::Result<Pass> {
    let fired = schedule(state, now).await?;
    let queued = fan_out(state, now).await?;
    let (sent, failed) = deliver(state, now).await?;
    Ok(Pass {
        fired,
        queued,
        sent,
        failed,
    })
}

/// Runs [`pass`] every `every` until the process ends; a failed pass is
/// logged and the next one tries again.
pub async fn run(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match pass(&state, crate::clock::now()).await {
            Ok(p) if p.fired + p.sent + p.failed > 0 || p.queued > 0 => {
                tracing::info!(
                    fired = p.fired,
                    queued = p.queued,
                    sent = p.sent,
                    failed = p.failed,
                    "outbox pass"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "outbox pass failed"),
        }
    }
}

/// The stages of a due date that are current at `now`, for `due`:
/// the latest reminder whose day has come (before the due date), and every
/// escalation whose day has come.
pub fn stages(s: &Schedule, due: i64, now: i64) -> Vec<&'static str> {
    let mut out = Vec::new();
    if now < due {
        let reached = s
            .remind_before_days
            .iter()
            .filter(|d| now >= due - i64::from(**d) * DAY)
            .min();
        if let Some(d) = reached {
            out.push(match d {
                1 => "remind-1",
                7 => "remind-7",
                _ => "remind",
            });
        }
    }
    for (stage, days) in [
        ("township", s.township_after_days),
        ("county", s.county_after_days),
        ("province", s.province_after_days),
    ] {
        if now >= due + i64::from(days) * DAY {
            out.push(stage);
        }
    }
    out
}

/// How far back escalations look: an assignment due longer ago than this
/// has had all its stages.
const LOOK_BACK_DAYS: i64 = 120;

async fn schedule(state: &AppState, now: i64) -> anyhow::Result<usize> {
    let mut fired = 0;
    // A village's township, county and province codes, by the path above it.
    let mut units: HashMap<String, Vec<(Level, String)>> = HashMap::new();
    let assignments =
        outbox::assignments_due_between(&state.db, now - LOOK_BACK_DAYS * DAY, now + 61 * DAY)
            .await?;
    for (assignment, due) in assignments {
        let Some(unit) = crate::db::assignments::unit_path(&state.db, assignment).await? else {
            continue;
        };
        let schedule = match outbox::setting(&state.db, &unit, "schedule").await? {
            Some((_, config)) => serde_json::from_str(&config).unwrap_or_default(),
            None => Schedule::default(),
        };
        for stage in stages(&schedule, due, now) {
            // Past the cursor only: what is behind it was looked at already.
            // An enrollment paused when its stage came does not get it on
            // resuming; the stages after do.
            let mut after = outbox::stage_cursor(&state.db, assignment, stage).await?;
            let through = outbox::last_enrollment(&state.db, assignment).await?;
            if after >= through {
                continue;
            }
            loop {
                let batch = outbox::stage_pending(&state.db, assignment, stage, after, 500).await?;
                after = batch.last().map_or(after, |e| e.id);
                let ids: Vec<i64> = batch.iter().map(|e| e.id).collect();
                let mut turns = crate::db::turns::of(&state.db, &ids).await?;
                let mut fires = Vec::with_capacity(batch.len());
                for e in &batch {
                    let turns = turns.remove(&e.id).unwrap_or_default();
                    let notices = stage_notices(state, e, &turns, stage, now, &mut units).await?;
                    fires.push((e.id, notices));
                }
                fired += outbox::fire_stage(&state.db, stage, kind_of(stage), &fires, now).await?;
                if batch.len() < 500 {
                    break;
                }
            }
            outbox::advance_cursor(&state.db, assignment, stage, through).await?;
        }
    }
    Ok(fired)
}

fn kind_of(stage: &str) -> &'static str {
    if stage.starts_with("remind") {
        "due"
    } else {
        "escalation"
    }
}

/// Who a stage tells, and what: the awaited party for a reminder, the
/// township, county or province unit for an escalation.
async fn stage_notices(
    state: &AppState,
    e: &crate::db::enrollments::Enrollment,
    turns: &[crate::db::turns::Turn],
    stage: &str,
    now: i64,
    units: &mut HashMap<String, Vec<(Level, String)>>,
) -> anyhow::Result<Vec<(String, Text)>> {
    let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
    let title = &plugin.info().title;
    let due = crate::clock::date(e.due_at);
    let waiting_zh: Vec<String> = turns.iter().map(|t| t.what.zh.clone()).collect();
    let waiting_en: Vec<String> = turns.iter().map(|t| t.what.en.clone()).collect();
    let (village, _, _) = state.village(&e.unit_code, &e.path).await?.as_ref().clone();
    if stage.starts_with("remind") {
        let to = crate::notices::awaited(turns, e.person_id);
        let (zh_what, en_what) = if waiting_zh.is_empty() {
            ("尽快完成".to_owned(), "finish it".to_owned())
        } else {
            (waiting_zh.join("、"), waiting_en.join("; "))
        };
        let text = Text::new(
            format!(
                "{}的“{}”将于 {due} 到期，还需：{zh_what}。请尽快办理。",
                village.name, title.zh
            ),
            format!(
                "“{}” in {} is due on {due}; still to do: {en_what}.",
                title.en, village.name
            ),
        );
        return Ok(to.into_iter().map(|r| (r, text.clone())).collect());
    }
    let level = match stage {
        "township" => Level::Township,
        "county" => Level::County,
        _ => Level::Province,
    };
    let above = e
        .path
        .rsplit_once('/')
        .map_or("", |(above, _)| above)
        .to_owned();
    if !units.contains_key(&above) {
        let codes: Vec<String> = above
            .split('/')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        let levels = crate::db::org_units::paths(&state.db, &codes).await?;
        let known = codes
            .into_iter()
            .filter_map(|c| levels.get(&c).map(|(l, _)| (*l, c.clone())))
            .collect();
        units.insert(above.clone(), known);
    }
    let Some(unit) = units[&above]
        .iter()
        .find(|(l, _)| *l == level)
        .map(|(_, c)| c.clone())
    else {
        return Ok(Vec::new());
    };
    let late = (now - e.due_at).div_euclid(DAY).max(0);
    let who_zh: Vec<String> = turns
        .iter()
        .map(|t| match t.role {
            Some(r) => format!("{}{}", r.title().zh, t.what.zh),
            None => t.what.zh.clone(),
        })
        .collect();
    let text = Text::new(
        format!(
            "{}{}的“{}”已逾期 {late} 天（截止 {due}）{}。请督促办理。",
            village.township,
            village.name,
            title.zh,
            if who_zh.is_empty() {
                String::new()
            } else {
                format!("，正在等待：{}", who_zh.join("、"))
            }
        ),
        format!(
            "“{}” in {}, {} is {late} days late (due {due}){}.",
            title.en,
            village.name,
            village.township,
            if waiting_en.is_empty() {
                String::new()
            } else {
                format!("; waiting for: {}", waiting_en.join("; "))
            }
        ),
    );
    Ok(vec![(format!("unit:{unit}"), text)])
}

/// Queues a message for each address new notices' recipients are reached
/// on, and marks the notices fanned out.
async fn fan_out(state: &AppState, now: i64) -> anyhow::Result<u64> {
    let mut queued = 0;
    loop {
        let notices = outbox::unfanned(&state.db, 500).await?;
        // Whether any village has a 包村干部 to look for, once a batch.
        let contacts = !notices.is_empty() && crate::db::contacts::any(&state.db).await?;
        let mut messages = Vec::new();
        for n in &notices {
            messages.extend(addresses(state, n, now, contacts).await?);
        }
        let ids: Vec<i64> = notices.iter().map(|n| n.id).collect();
        queued += outbox::enqueue(&state.db, &ids, &messages, now).await?;
        if notices.len() < 500 {
            return Ok(queued);
        }
    }
}

/// The messages notice `n` becomes, one per address and channel;
/// `contacts`: whether any village has a 包村干部 to look for.
async fn addresses(
    state: &AppState,
    n: &outbox::NoticeRow,
    now: i64,
    contacts: bool,
) -> anyhow::Result<Vec<NewMessage>> {
    let mut out = Vec::new();
    let codes: Vec<&str> = n.path.split('/').filter(|c| !c.is_empty()).collect();
    let township = codes.len().checked_sub(2).map(|i| codes[i]);
    // What is for the village's township officers (a request to the role,
    // an escalation to the township) goes to its 包村干部 if it has one.
    let for_township = n.recipient == "role:township-officer"
        || township.is_some_and(|t| n.recipient.strip_prefix("unit:") == Some(t));
    let mut personal = n.recipient.clone();
    // Only a contact who can be reached outside the app: one who gave
    // neither a phone nor an address leaves it to everyone.
    if for_township
        && contacts
        && let Some(village) = codes.last()
        && let Some(contact) = crate::db::contacts::reachable(&state.db, village).await?
    {
        personal = format!("account:{contact}");
    }
    if outbox::setting(&state.db, &n.path, "sms").await?.is_some() {
        for (person, phone) in outbox::phones(&state.db, &personal, &n.path).await? {
            out.push(NewMessage {
                dedup_key: format!("{}:sms:{person}", n.id),
                notice_id: n.id,
                channel: "sms",
                recipient: person,
                address: phone,
                next_at: now,
            });
        }
    }
    if outbox::setting(&state.db, &n.path, "email")
        .await?
        .is_some()
    {
        for (account, email) in outbox::emails(&state.db, &personal, &n.path).await? {
            out.push(NewMessage {
                dedup_key: format!("{}:email:{account}", n.id),
                notice_id: n.id,
                channel: "email",
                recipient: account,
                address: email,
                next_at: now,
            });
        }
    }
    // A group robot: a unit's own (escalations), or the township's for a
    // request to township officers, the county's for county trainers.
    let group = match n.recipient.as_str() {
        r if r.starts_with("unit:") => Some(r["unit:".len()..].to_owned()),
        "role:township-officer" => codes.len().checked_sub(2).map(|i| codes[i].to_owned()),
        "role:county-trainer" => codes.len().checked_sub(3).map(|i| codes[i].to_owned()),
        _ => None,
    };
    if let Some(unit) = group {
        for channel in ["wecom", "dingtalk"] {
            if let Some(config) = outbox::setting_at(&state.db, &unit, channel).await? {
                let robot: Robot = serde_json::from_str(&config)?;
                out.push(NewMessage {
                    dedup_key: format!("{}:{channel}:{unit}", n.id),
                    notice_id: n.id,
                    channel,
                    recipient: format!("unit:{unit}"),
                    address: robot.webhook,
                    next_at: now,
                });
            }
        }
    }
    Ok(out)
}

/// 07:00 Beijing time, the next one after `t`.
fn next_morning(t: i64) -> i64 {
    let seven = beijing_midnight(t) + QUIET_HOURS.1 * 3600;
    if seven > t { seven } else { seven + DAY }
}

/// The longest SMS Baton sends, characters (a long SMS of a few parts).
pub const SMS_CHARS: usize = 300;

/// The longest group-robot message, characters (WeCom takes 2,048 bytes).
pub const ROBOT_CHARS: usize = 600;

/// The longest e-mail Baton sends, characters.
pub const EMAIL_CHARS: usize = 3000;

/// One message, or a digest of several: as many lines as fit in `limit`
/// characters, then how many more there are.
pub fn digest(texts: &[Text], limit: usize) -> String {
    if let [one] = texts {
        return one.zh.chars().take(limit).collect();
    }
    let mut out = format!("您有 {} 条提醒：", texts.len());
    for (i, t) in texts.iter().enumerate() {
        let line = format!("\n{}. {}", i + 1, t.zh);
        let rest = format!("\n……另有 {} 条，请登录平台查看。", texts.len() - i);
        if out.chars().count() + line.chars().count() + rest.chars().count() > limit {
            out.push_str(&rest);
            break;
        }
        out.push_str(&line);
    }
    out
}

/// This host's claims, told apart from every other host's.
fn token() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}-{started}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Deliveries in flight at once: a provider's API answers in tens of
/// milliseconds, and a missed due date can mean tens of thousands of groups.
pub const PARALLEL: usize = 16;

/// Delivers everything due at `now`, [`PARALLEL`] addresses at a time, in
/// batches until nothing is left: (deliveries that went, that failed).
async fn deliver(state: &AppState, now: i64) -> anyhow::Result<(usize, usize)> {
    let (mut sent, mut failed) = (0, 0);
    let token = token();
    loop {
        let due = outbox::due(&state.db, now, 1000).await?;
        let last = due.len() < 1000;
        let mut tasks = tokio::task::JoinSet::new();
        for (channel, address) in due {
            while tasks.len() >= PARALLEL {
                if let Some(done) = tasks.join_next().await {
                    let (s, f) = done??;
                    (sent, failed) = (sent + s, failed + f);
                }
            }
            let (state, token) = (state.clone(), token.clone());
            tasks.spawn(async move { deliver_to(&state, &channel, &address, now, &token).await });
        }
        while let Some(done) = tasks.join_next().await {
            let (s, f) = done??;
            (sent, failed) = (sent + s, failed + f);
        }
        if last {
            return Ok((sent, failed));
        }
    }
}

/// Delivers what is due for one address on one channel, if this host
/// claims it: (1, 0) sent, (0, 1) failed, (0, 0) nothing to do now.
async fn deliver_to(
    state: &AppState,
    channel: &str,
    address: &str,
    now: i64,
    token: &str,
) -> anyhow::Result<(usize, usize)> {
    let today = crate::clock::date(now);
    let claimed = outbox::claim(&state.db, channel, address, now, now + LEASE, token).await?;
    let Some(first) = claimed.first() else {
        return Ok((0, 0));
    };
    let ids: Vec<i64> = claimed.iter().map(|m| m.id).collect();
    let hour = beijing_hour(now);
    if channel == "sms" && (hour >= QUIET_HOURS.0 || hour < QUIET_HOURS.1) {
        outbox::postpone(&state.db, &ids, next_morning(now)).await?;
        return Ok((0, 0));
    }
    // One delivery a day per address and channel; more wait for tomorrow.
    if !outbox::take_slot(&state.db, channel, address, &today).await? {
        outbox::postpone(
            &state.db,
            &ids,
            next_morning(beijing_midnight(now) + DAY - 1),
        )
        .await?;
        return Ok((0, 0));
    }
    let texts: Vec<Text> = claimed
        .iter()
        .map(|m| serde_json::from_str(&m.message))
        .collect::<Result<_, _>>()?;
    let limit = match channel {
        "sms" => SMS_CHARS,
        "email" => EMAIL_CHARS,
        _ => ROBOT_CHARS,
    };
    let text = digest(&texts, limit);
    // The vendor's id for what it took, for its delivery report.
    let mut vendor_id: Option<String> = None;
    let result = match channel {
        "sms" => match outbox::setting(&state.db, &first.path, "sms").await? {
            Some((_, config)) => {
                let sms: Sms = serde_json::from_str(&config)?;
                if sms.vendor != "gateway" && !sms.templates.contains_key(&first.kind) {
                    // The province sends this kind by no template: nothing
                    // to retry, shown on the outbox page as such.
                    outbox::free_slot(&state.db, channel, address, &today).await?;
                    let why = format!("no approved SMS template for “{}” notices", first.kind);
                    outbox::mark_failed(&state.db, &ids, &why, now, true).await?;
                    return Ok((0, 1));
                }
                let fields = sms_fields(state, first, claimed.len(), now).await?;
                match send_sms(state, sms, address.to_owned(), text, &first.kind, &fields).await {
                    Ok(id) => {
                        vendor_id = id;
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            None => Err("no SMS gateway is set for this province any more".to_owned()),
        },
        "wecom" => send_robot(state, address.to_owned(), text).await,
        "dingtalk" => {
            // The group's robot, from the village's township or county, and its 加签.
            let mut webhook = address.to_owned();
            for code in first.path.split('/').filter(|c| !c.is_empty()) {
                if let Some(config) = outbox::setting_at(&state.db, code, "dingtalk").await?
                    && let Ok(robot) = serde_json::from_str::<Robot>(&config)
                    && robot.webhook == address
                    && !robot.secret.is_empty()
                {
                    webhook = dingtalk_signed(address, &robot.secret, now * 1000);
                    break;
                }
            }
            send_robot(state, webhook, text).await
        }
        "email" => match outbox::setting(&state.db, &first.path, "email").await? {
            Some((_, config)) => {
                let subject = subject(&texts);
                send_email(
                    state,
                    serde_json::from_str(&config)?,
                    address.to_owned(),
                    subject,
                    text,
                )
                .await
            }
            None => Err("no SMTP server is set for this province any more".to_owned()),
        },
        other => Err(format!("unknown channel {other}")),
    };
    match result {
        Ok(()) => {
            outbox::mark_sent(&state.db, first.id, &ids[1..], now, vendor_id.as_deref()).await?;
            Ok((1, 0))
        }
        Err(error) => {
            outbox::free_slot(&state.db, channel, address, &today).await?;
            let attempts = claimed.iter().map(|m| m.attempts).max().unwrap_or(0) + 1;
            let dead = attempts >= MAX_ATTEMPTS;
            let next = now + RETRY_AFTER * (1 << (attempts - 1).clamp(0, 20));
            tracing::warn!(channel, address = %mask(address), attempts, dead, %error, "delivery failed");
            outbox::mark_failed(&state.db, &ids, &error, next, dead).await?;
            Ok((0, 1))
        }
    }
}

/// An HTTP client that connects only to allowed addresses (checked as it
/// resolves, so a name rebound to an internal address is refused) and
/// follows no redirect (a redirect could lead inward).
fn agent(allow: &crate::settings::Networks) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(10)))
        .build();
    ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::default(),
        crate::outbound::Resolver(allow.clone()),
    )
}

/// POSTs `body` to `url` as JSON; see [`post_as`].
async fn post(
    state: &AppState,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: String,
) -> Result<String, String> {
    post_as(state, url, "application/json", headers, body).await
}

/// POSTs `body` of `content_type` to `url`; the answer's text on a 2xx,
/// else a short status. What a remote server answered is never shown
/// beyond its status: the outbox page is read by counties.
async fn post_as(
    state: &AppState,
    url: String,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: String,
) -> Result<String, String> {
    let allow = state.settings.args.outbound_allow.clone();
    tokio::task::spawn_blocking(move || {
        let mut request = agent(&allow)
            .post(&url)
            .header("content-type", content_type);
        for (k, v) in headers {
            request = request.header(k, v);
        }
        let mut response = request.send(body.as_bytes()).map_err(|e| short(&e))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(64 << 10)
            .read_to_string()
            .unwrap_or_default();
        if (200..300).contains(&status) {
            Ok(text)
        } else {
            Err(format!("HTTP {status}"))
        }
    })
    .await
    .map_err(|e| e.to_string())?
}

/// A failed request as a short status: the kind of failure, never what a
/// remote server said.
fn short(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => io.to_string(),
        ureq::Error::Timeout(_) => "timed out".to_owned(),
        ureq::Error::HostNotFound => "host not found".to_owned(),
        ureq::Error::Io(io) => format!("connection failed ({:?})", io.kind()),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => "TLS failed".to_owned(),
        _ => "request failed".to_owned(),
    }
}

/// What a vendor template's variables may take ([`SMS_FIELDS`]), from the
/// first notice a message carries and how many it carries.
async fn sms_fields(
    state: &AppState,
    first: &outbox::Message,
    count: usize,
    now: i64,
) -> anyhow::Result<std::collections::HashMap<&'static str, String>> {
    let module = state.plugin(&first.module.0, &first.module.1).await?;
    let days = (now - first.due_at).div_euclid(DAY).max(0);
    Ok([
        ("village", first.village.clone()),
        ("module", module.info().title.zh.clone()),
        ("due", crate::clock::date(first.due_at)),
        ("days", days.to_string()),
        ("count", count.to_string()),
    ]
    .into_iter()
    .collect())
}

/// A random id for a request (Aliyun's SignatureNonce).
fn nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// The host (and port) of `url`, as TC3 signs it.
fn host_of(url: &str) -> String {
    url.split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', '?'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn send_sms(
    state: &AppState,
    sms: Sms,
    phone: String,
    message: String,
    kind: &str,
    fields: &std::collections::HashMap<&'static str, String>,
) -> Result<Option<String>, String> {
    let value = |f: &String| fields.get(f.as_str()).cloned().unwrap_or_default();
    match (sms.vendor.as_str(), sms.templates.get(kind)) {
        ("aliyun", Some(t)) => {
            let TemplateParams::Named(named) = &t.params else {
                return Err("Aliyun templates take named variables".to_owned());
            };
            let param: serde_json::Map<String, Value> = named
                .iter()
                .map(|(k, f)| (k.clone(), json!(value(f))))
                .collect();
            let timestamp = crate::sms_vendors::utc_iso(crate::clock::now());
            let body = crate::sms_vendors::aliyun_send_sms(
                &sms.key_id,
                &sms.secret,
                &phone,
                &sms.sign_name,
                &t.id,
                &Value::Object(param).to_string(),
                &timestamp,
                &nonce(),
            );
            let url = if sms.url.is_empty() {
                "https://dysmsapi.aliyuncs.com/".to_owned()
            } else {
                sms.url
            };
            let answer = post_as(
                state,
                url,
                "application/x-www-form-urlencoded",
                Vec::new(),
                body,
            )
            .await?;
            let answer: Value = serde_json::from_str(&answer).unwrap_or_default();
            match answer["Code"].as_str() {
                Some("OK") => Ok(answer["BizId"].as_str().map(str::to_owned)),
                code => Err(format!("Aliyun answered {}", code.unwrap_or("nothing"))),
            }
        }
        ("tencent", Some(t)) => {
            let TemplateParams::Positional(list) = &t.params else {
                return Err("Tencent templates take variables in order".to_owned());
            };
            let phone = if phone.starts_with('+') {
                phone
            } else {
                format!("+86{phone}")
            };
            let body = json!({
                "PhoneNumberSet": [phone],
                "SmsSdkAppId": sms.app_id,
                "SignName": sms.sign_name,
                "TemplateId": t.id,
                "TemplateParamSet": list.iter().map(value).collect::<Vec<_>>(),
            })
            .to_string();
            let url = if sms.url.is_empty() {
                "https://sms.tencentcloudapi.com/".to_owned()
            } else {
                sms.url
            };
            let region = if sms.region.is_empty() {
                "ap-guangzhou"
            } else {
                sms.region.as_str()
            };
            let headers = crate::sms_vendors::tencent_headers(
                &sms.key_id,
                &sms.secret,
                &host_of(&url),
                region,
                &body,
                crate::clock::now(),
            );
            let answer = post_as(state, url, crate::sms_vendors::TC3_JSON, headers, body).await?;
            let answer: Value = serde_json::from_str(&answer).unwrap_or_default();
            let response = &answer["Response"];
            if let Some(code) = response["Error"]["Code"].as_str() {
                return Err(format!("Tencent Cloud answered {code}"));
            }
            let status = &response["SendStatusSet"][0];
            match status["Code"].as_str() {
                Some("Ok") => Ok(status["SerialNo"].as_str().map(str::to_owned)),
                code => Err(format!(
                    "Tencent Cloud answered {}",
                    code.unwrap_or("nothing")
                )),
            }
        }
        _ => send_gateway(state, sms, phone, message)
            .await
            .map(|()| None),
    }
}

/// One vendor's delivery report (回执) on one SMS: (vendor id, phone, what
/// it said).
fn report_lines(vendor: &str, body: &Value) -> Vec<(String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    body.as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let (id, phone, ok, code) = match vendor {
                // SmsReport, HTTP batch push: biz_id, phone_number, success, err_code.
                "aliyun" => (
                    text(&r["biz_id"]),
                    text(&r["phone_number"]),
                    r["success"].as_bool() == Some(true),
                    text(&r["err_code"]),
                ),
                // 短信下发状态回调: sid, mobile, report_status, errmsg.
                "tencent" => (
                    text(&r["sid"]),
                    text(&r["mobile"]),
                    r["report_status"].as_str() == Some("SUCCESS"),
                    text(&r["errmsg"]),
                ),
                _ => return None,
            };
            let said = if ok {
                "delivered".to_owned()
            } else {
                format!("failed: {code}")
            };
            (!id.is_empty() && !phone.is_empty()).then_some((id, phone, said))
        })
        .collect()
}

/// A vendor's delivery reports, posted to `/hooks/sms/<province>/<token>`:
/// the token must be the province's `receipt_token`, or nothing is read (a
/// wrong one is not found). Returns how many messages they matched, and
/// the vendor, whose acknowledgement the caller answers with.
pub async fn receipts(
    state: &AppState,
    province: &str,
    token: &str,
    body: &[u8],
) -> Result<(&'static str, u64), Error> {
    use sha2::Digest as _;
    let unknown = || Error::not_found("没有这个回执地址", "no such report address");
    let Some(config) = outbox::setting_at(&state.db, province, "sms").await? else {
        return Err(unknown());
    };
    let sms: Sms = serde_json::from_str(&config).map_err(anyhow::Error::from)?;
    // Compared as digests: how long a mismatch takes says nothing of the token.
    let known = !sms.receipt_token.is_empty()
        && sha2::Sha256::digest(sms.receipt_token.as_bytes())
            == sha2::Sha256::digest(token.as_bytes());
    let vendor = match sms.vendor.as_str() {
        "aliyun" => "aliyun",
        "tencent" => "tencent",
        _ => return Err(unknown()),
    };
    if !known {
        return Err(unknown());
    }
    let body: Value = serde_json::from_slice(body).map_err(|e| {
        Error::bad(
            "body",
            format!("回执不是 JSON：{e}"),
            format!("not JSON: {e}"),
        )
    })?;
    let Some((_, path)) = crate::db::org_units::get(&state.db, province).await? else {
        return Err(unknown());
    };
    let now = crate::clock::now();
    let mut matched = 0;
    for (id, phone, said) in report_lines(vendor, &body) {
        matched += outbox::receipt(&state.db, &path, &id, &phone, &said, now).await?;
    }
    Ok((vendor, matched))
}

async fn send_gateway(
    state: &AppState,
    sms: Sms,
    phone: String,
    message: String,
) -> Result<(), String> {
    use hmac::Mac as _;
    let body =
        json!({"phone": phone, "text": sms.template.replace("{message}", &message)}).to_string();
    let timestamp = crate::clock::now().to_string();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(sms.secret.as_bytes())
        .map_err(|e| e.to_string())?;
    mac.update(format!("{timestamp}\n{body}").as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    post(
        state,
        sms.url,
        vec![
            ("x-baton-timestamp", timestamp),
            ("x-baton-signature", signature),
        ],
        body,
    )
    .await
    .map(|_| ())
}

/// WeCom's and DingTalk's group robots take the same text message and both
/// answer `{"errcode": 0}` when it is posted.
async fn send_robot(state: &AppState, webhook: String, message: String) -> Result<(), String> {
    let body = json!({"msgtype": "text", "text": {"content": message}}).to_string();
    let answer = post(state, webhook, Vec::new(), body).await?;
    let code = serde_json::from_str::<Value>(&answer)
        .ok()
        .and_then(|v| v["errcode"].as_i64());
    match code {
        Some(0) => Ok(()),
        Some(code) => Err(format!("the robot answered errcode {code}")),
        None => Err("the robot's answer is not WeCom's or DingTalk's".to_owned()),
    }
}

/// An e-mail's subject: the one notice's first words, or how many there are.
fn subject(texts: &[Text]) -> String {
    match texts {
        [one] => {
            let first: String = one.zh.chars().take(40).collect();
            format!("【村级换届接力】{first}")
        }
        _ => format!("【村级换届接力】您有 {} 条提醒", texts.len()),
    }
}

/// Sends one plain-text e-mail through the province's SMTP server.
async fn send_email(
    state: &AppState,
    smtp: Email,
    to: String,
    subject: String,
    body: String,
) -> Result<(), String> {
    use lettre::Transport as _;
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    let allow = state.settings.args.outbound_allow.clone();
    tokio::task::spawn_blocking(move || {
        // Resolved and checked here, then connected to by address (the TLS
        // name stays the host's): nothing resolves it again in between.
        let address = crate::outbound::resolve(&smtp.host, smtp.port(), &allow)?
            .first()
            .map(|a| a.ip().to_string())
            .ok_or("no address")?;
        let message = lettre::Message::builder()
            .from(smtp.from.parse().map_err(|e| format!("from: {e}"))?)
            .to(to.parse().map_err(|e| format!("to: {e}"))?)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        let tls =
            |host: &str| TlsParameters::new(host.to_owned()).map_err(|_| "TLS failed".to_owned());
        let tls = match smtp.security.as_str() {
            "none" => Tls::None,
            "starttls" => Tls::Required(tls(&smtp.host)?),
            _ => Tls::Wrapper(tls(&smtp.host)?),
        };
        let mut builder = lettre::SmtpTransport::builder_dangerous(address)
            .tls(tls)
            .port(smtp.port())
            .timeout(Some(Duration::from_secs(10)));
        if !smtp.username.is_empty() {
            builder =
                builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                    smtp.username.clone(),
                    smtp.password.clone(),
                ));
        }
        builder.build().send(&message).map(|_| ()).map_err(|e| {
            // The server's status code, never its words.
            match e.status() {
                Some(code) => format!("SMTP {code}"),
                None if e.is_timeout() => "timed out".to_owned(),
                None if e.is_tls() => "TLS failed".to_owned(),
                None => "SMTP connection failed".to_owned(),
            }
        })
    })
    .await
    .map_err(|e| e.to_string())?
}

/// A phone number as logs and pages show it to those who may not see it:
/// `138****5678`; an e-mail address as `w***@example.gov.cn`; anything
/// else (a webhook) to its host.
pub fn mask(address: &str) -> String {
    if address.len() == 11 && address.bytes().all(|b| b.is_ascii_digit()) {
        return format!("{}****{}", &address[..3], &address[7..]);
    }
    if let Some((user, domain)) = address.split_once('@').filter(|_| !address.contains("://")) {
        let first: String = user.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    address
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .map_or_else(|| "…".to_owned(), |host| format!("{host}/…"))
}

/// The reminders a sender sent lately, each with its deliveries
/// (addresses masked), newest first.
pub async fn sent_by(
    state: &AppState,
    principal: &Principal,
    now: i64,
) -> Result<Vec<Value>, Error> {
    let sent =
        crate::db::notices::sent_by(&state.db, principal.account_id, now - 14 * DAY, 50).await?;
    with_deliveries(state, sent).await
}

/// Escalations to the principal's own units lately, with their deliveries.
pub async fn escalations(
    state: &AppState,
    principal: &Principal,
    now: i64,
) -> Result<Vec<Value>, Error> {
    let units: Vec<String> = principal
        .grants
        .iter()
        .filter(|g| crate::auth::STAFF.contains(&g.role))
        .filter_map(|g| g.unit_code.clone())
        .collect();
    let found = crate::db::notices::to_units(&state.db, &units, now - 14 * DAY, 50).await?;
    with_deliveries(state, found).await
}

async fn with_deliveries(
    state: &AppState,
    notices: Vec<crate::db::notices::Sent>,
) -> Result<Vec<Value>, Error> {
    let ids: Vec<i64> = notices.iter().map(|n| n.id).collect();
    let mut deliveries = outbox::deliveries(&state.db, &ids).await?;
    Ok(notices
        .into_iter()
        .map(|n| {
            let channels: Vec<Value> = deliveries
                .remove(&n.id)
                .unwrap_or_default()
                .into_iter()
                .map(|d| {
                    json!({
                        "channel": d.channel,
                        "recipient": d.recipient,
                        "address": mask(&d.address),
                        "status": d.status,
                        "attempts": d.attempts,
                        "error": d.error,
                        "sent_at": d.sent_at,
                        "receipt": d.receipt,
                    })
                })
                .collect();
            json!({
                "id": n.id,
                "enrollment_id": n.enrollment_id,
                "village": n.village,
                "recipient": n.recipient,
                "kind": n.kind,
                "message": n.message,
                "at": n.at,
                "deliveries": channels,
            })
        })
        .collect())
}

/// Pauses (with a reason) or resumes (`None`) an enrollment's reminders and
/// escalations: the trainer who may remind it.
pub async fn pause(
    state: &AppState,
    principal: &Principal,
    id: i64,
    reason: Option<&str>,
    now: i64,
) -> Result<(), Error> {
    crate::acting::reach(state, principal, id, Capability::Remind).await?;
    if let Some(reason) = reason
        && reason.trim().is_empty()
    {
        return Err(Error::bad(
            "reason",
            "请说明暂停提醒的原因",
            "give the reason for pausing",
        ));
    }
    outbox::pause(
        &state.db,
        id,
        reason.map(|r| (r.trim(), principal.account_id)),
        now,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value DingTalk's own Python example (hmac, base64, quote_plus)
    /// gives for this timestamp and secret.
    #[test]
    fn dingtalk_signs_as_its_documentation_does() {
        let secret = "SEC5e0a8b1f5cf7b7e5e32b79b0a17c5a1ee0f7c8a6c11b7c2c4de7c8b03b6a0f7d";
        let url = dingtalk_signed(
            "https://oapi.dingtalk.com/robot/send?access_token=abc",
            secret,
            1_577_262_236_757,
        );
        assert_eq!(
            url,
            "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1577262236757&sign=u9V7je3jwkqZn%2B9LdEZIFYkCpIiiQRrmULkzUGimgEo%3D"
        );
    }

    #[test]
    fn the_latest_reminder_and_every_escalation_that_has_come() {
        let s = Schedule::default();
        let due = 100 * DAY;
        assert_eq!(stages(&s, due, due - 8 * DAY), Vec::<&str>::new());
        assert_eq!(stages(&s, due, due - 7 * DAY), ["remind-7"]);
        assert_eq!(
            stages(&s, due, due - DAY + 1),
            ["remind-1"],
            "the 1-day one replaces the 7-day one"
        );
        assert_eq!(
            stages(&s, due, due + 2 * DAY),
            Vec::<&str>::new(),
            "late, not yet escalated"
        );
        assert_eq!(stages(&s, due, due + 7 * DAY), ["township", "county"]);
        assert_eq!(
            stages(&s, due, due + 30 * DAY),
            ["township", "county", "province"]
        );
    }

    #[test]
    fn a_digest_fits_its_channel_and_says_how_many_more() {
        let texts: Vec<Text> = (0..40)
            .map(|i| Text::new(format!("第 {i} 条：请尽快完成交接清单的申报。"), ""))
            .collect();
        let sms = digest(&texts, SMS_CHARS);
        assert!(
            sms.starts_with("您有 40 条提醒：") && sms.chars().count() <= SMS_CHARS,
            "{sms}"
        );
        assert!(sms.contains("条，请登录平台查看。"), "{sms}");
        assert_eq!(digest(&texts[..1], SMS_CHARS), texts[0].zh);
    }

    #[test]
    fn phones_and_emails_are_masked_and_webhooks_keep_only_their_host() {
        assert_eq!(mask("13812345678"), "138****5678");
        assert_eq!(mask("wanglei@xz.example.gov.cn"), "w***@xz.example.gov.cn");
        assert_eq!(mask("王磊@例子.中国"), "王***@例子.中国");
        assert_eq!(
            mask("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret"),
            "qyapi.weixin.qq.com/…"
        );
    }
}
