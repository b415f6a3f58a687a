//! The province console: its modules and versions, uploading a new version
//! (every problem shown), assigning a version to a scope with a due date and
//! config, and which enrollments run which version.

use std::collections::BTreeMap;

use axum::Form;
use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baton_sdk::{Audience, Locale};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::date;
use super::page::Visit;
use crate::assigning::{AssignRequest, assign_module};
use crate::publishing::publish_package;
use crate::sampling::{Per, SampleRequest};
use crate::shared::{AppState, Error, Fault, now};
use crate::views::forms::{self, FormHost, Posted, WORDS};
use crate::views::payload::payload;

/// What the last form did, for the message at the top.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Done {
    published: Option<String>,
    saved: Option<String>,
    assigned: Option<i64>,
    enrolled: Option<u64>,
    edition: Option<u32>,
    seed: Option<u64>,
    /// A module (`id@version`) whose config form to show.
    module: Option<String>,
}

/// The module chosen in the assign form, and its config fields as posted
/// (`None`: start from the province's last config of it, or its defaults).
struct Chosen {
    module: String,
    posted: Option<Posted>,
}

/// The visitor's province (code and path); `None` for a national administrator.
fn scope(visit: &Visit) -> Result<Option<(String, String)>, Error> {
    Ok(crate::assigning::console_scope(&visit.principal)?)
}

pub(super) async fn console(
    State(state): State<AppState>,
    visit: Visit,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    let flash = match (done.published, done.assigned) {
        _ if done.saved.is_some() => Some(visit.t("province.channels.saved")),
        (Some(p), _) => Some(visit_t(&visit, "province.published", &[("module", p)])),
        (_, Some(a)) => {
            let mut flash = visit_t(
                &visit,
                "province.assigned",
                &[
                    ("id", a.to_string()),
                    ("n", done.enrolled.unwrap_or(0).to_string()),
                    ("edition", done.edition.unwrap_or(1).to_string()),
                ],
            );
            if let Some(seed) = done.seed {
                flash.push_str(&visit_t(
                    &visit,
                    "province.assigned.seed",
                    &[("seed", seed.to_string())],
                ));
            }
            Some(flash)
        }
        _ => None,
    };
    let chosen = done.module.map(|module| Chosen {
        module,
        posted: None,
    });
    let input = json!({"module": chosen.as_ref().map(|c| c.module.clone())});
    let extra = json!({"flash": flash, "assign_input": input});
    page_with(&state, &visit, StatusCode::OK, extra, chosen).await
}

fn visit_t(visit: &Visit, key: &str, args: &[(&str, String)]) -> String {
    super::t(visit.locale, key, args)
}

/// The console with `extra` (a message, a form's problems and input) on top.
async fn page(
    state: &AppState,
    visit: &Visit,
    status: StatusCode,
    extra: Value,
) -> Result<Response, Error> {
    page_with(state, visit, status, extra, None).await
}

/// The chosen module's config fields, generated from its config schema,
/// filled with what was posted, else the province's last config of the
/// module (to edit a course into the next), else the module's defaults.
async fn config_fields(
    state: &AppState,
    visit: &Visit,
    chosen: Chosen,
) -> Result<Option<String>, Error> {
    let Some((id, version)) = chosen.module.split_once('@') else {
        return Ok(None);
    };
    let Ok(plugin) = state.plugin(id, version).await else {
        return Ok(None);
    };
    let schema = &plugin.info().config_schema;
    let posted = match chosen.posted {
        Some(p) => p,
        None => {
            let last = crate::assigning::last_config(state, &visit.principal, id).await?;
            let start = last.as_ref().or_else(|| schema.get("default"));
            let mut values = BTreeMap::new();
            if let Some(v) = start {
                forms::form_values(v, "config", &mut values);
            }
            Posted {
                form: "assign".to_owned(),
                values,
                ..Posted::default()
            }
        }
    };
    let host = FormHost {
        lang: visit.locale.as_str().to_owned(),
        posted: Some(posted),
        words: WORDS
            .iter()
            .map(|k| ((*k).to_owned(), visit.t(k)))
            .collect(),
        ..FormHost::default()
    };
    Ok(Some(forms::fields_html(&host, schema, "config")))
}

async fn page_with(
    state: &AppState,
    visit: &Visit,
    status: StatusCode,
    extra: Value,
    chosen: Option<Chosen>,
) -> Result<Response, Error> {
    let scope = scope(visit)?;
    let (province, _) = scope.clone().unwrap_or_default();
    // The scopes by name, as the assign form takes them: a name two units
    // share is written with its parent's (甲县城关镇). A module's owner is
    // shown by name too.
    let units = crate::assigning::scopes(state, &visit.principal).await?;
    let owner_name = |code: &str| {
        units
            .iter()
            .find(|u| u.code == code)
            .map_or_else(|| code.to_owned(), |u| u.name.clone())
    };
    let mut modules: BTreeMap<String, Value> = BTreeMap::new();
    let mut choices = Vec::new();
    for p in crate::publishing::packages(state).await? {
        let mine = p.built_in || scope.is_none() || p.owner.as_deref() == Some(province.as_str());
        if !mine {
            continue;
        }
        let owner = match (&p.owner, p.built_in) {
            (_, true) => visit.t("province.built-in"),
            (Some(code), _) => owner_name(code),
            (None, _) => visit.t("province.national"),
        };
        let entry = modules.entry(p.id.clone()).or_insert_with(|| {
            json!({"id": p.id, "title": p.info.title.get(visit.locale).to_owned(), "owner": owner, "versions": []})
        });
        if let Some(v) = entry.get_mut("versions").and_then(Value::as_array_mut) {
            v.push(json!({"version": p.version, "sha": p.sha256.get(..12).unwrap_or("")}));
        }
        entry["title"] = json!(p.info.title.get(visit.locale).to_owned());
        let audience = p.info.audience.as_str();
        choices.push(json!({
            "value": format!("{}@{}", p.id, p.version),
            "label": format!("{} {}@{}", p.info.title.get(visit.locale).to_owned(), p.id, p.version),
            "audience": audience,
        }));
    }
    let pinned: Vec<Value> = crate::assigning::pinned(state, &visit.principal)
        .await?
        .iter()
        .map(|p| {
            json!({
                "assignment": p.assignment_id, "unit": p.unit_name, "unit_code": p.unit_code,
                "module": format!("{}@{}", p.module, p.version), "due": date(p.due_at),
                "enrolled": p.enrolled, "completed": p.completed,
                "href": format!("/county?unit={}", p.unit_code),
            })
        })
        .collect();
    let audiences: Vec<Value> = baton_sdk::Audience::ALL
        .iter()
        .map(|a| json!({"value": a.as_str(), "label": visit.t(&format!("audience.{a}"))}))
        .collect();
    let mut named: BTreeMap<&str, usize> = BTreeMap::new();
    for u in &units {
        *named.entry(u.name.as_str()).or_default() += 1;
    }
    let name_of: BTreeMap<&str, &str> = units
        .iter()
        .map(|u| (u.code.as_str(), u.name.as_str()))
        .collect();
    let scopes: Vec<Value> = units
        .iter()
        .map(|u| {
            let parent = u.parent_code.as_deref().and_then(|p| name_of.get(p));
            let name = match (named.get(u.name.as_str()), parent) {
                (Some(n), Some(parent)) if *n > 1 => format!("{parent}{}", u.name),
                _ => u.name.clone(),
            };
            json!({"code": u.code, "name": name})
        })
        .collect();
    let province_name = scopes
        .iter()
        .find(|s| s["code"] == province.as_str())
        .map(|s| s["name"].clone());
    // The province's reminder schedule, SMS gateway and SMTP server (their
    // secrets never shown).
    let (schedule, sms, email) = match &scope {
        Some((code, _)) => {
            let (schedule, sms, email) = crate::outbox::province_settings(&state, code).await?;
            (
                Some(json!({
                    "remind": schedule.remind_before_days.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
                    "township": schedule.township_after_days,
                    "county": schedule.county_after_days,
                    "province": schedule.province_after_days,
                })),
                sms.map(|s| {
                    // A vendor's templates, as the console lists them: kind → id.
                    let templates: Vec<String> = s
                        .templates
                        .iter()
                        .map(|(kind, t)| format!("{kind} {}", t.id))
                        .collect();
                    json!({"url": s.url, "template": s.template,
                           "vendor": (s.vendor != "gateway").then_some(&s.vendor),
                           "sign_name": s.sign_name, "templates": templates.join("；")})
                }),
                email.map(|e| {
                    json!({"host": e.host, "port": e.port, "security": e.security,
                           "from": e.from, "username": e.username})
                }),
            )
        }
        None => (None, None, None),
    };
    let sms_template = sms
        .as_ref()
        .map_or_else(crate::outbox::default_template, |s| {
            s["template"].as_str().unwrap_or_default().to_owned()
        });
    let mut data = json!({
        "schedule": schedule,
        "sms": sms,
        "sms_template": sms_template,
        "email": email,
        "scopes": scopes,
        "modules": modules.into_values().collect::<Vec<_>>(),
        "choices": choices,
        "pinned": pinned,
        "province": province,
        "province_name": province_name,
        "audiences": audiences,
    });
    if let Some(chosen) = chosen {
        data["config_fields"] = json!(config_fields(state, visit, chosen).await?);
    }
    if let (Some(d), Value::Object(extra)) = (data.as_object_mut(), extra) {
        d.extend(extra);
    }
    Ok(visit.page_with(status, "province", &visit.t("province.title"), data))
}

pub(super) async fn upload(
    State(state): State<AppState>,
    visit: Visit,
    mut form: Multipart,
) -> Result<Response, Error> {
    let mut csrf = None;
    let mut bytes = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| {
        Error::bad(
            "package",
            "上传未完成，请重试",
            format!("the upload did not complete: {e}"),
        )
    })? {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.ok(),
            Some("package") => {
                bytes = field
                    .bytes()
                    .await
                    .map_err(|e| {
                        Error::bad(
                            "package",
                            "上传未完成，请重试",
                            format!("the upload did not complete: {e}"),
                        )
                    })?
                    .to_vec();
            }
            _ => {}
        }
    }
    visit.check(csrf.as_deref())?;
    if bytes.is_empty() {
        let problem = visit.t("province.upload.empty");
        return page(
            &state,
            &visit,
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"upload_problems": [{"said": problem}]}),
        )
        .await;
    }
    match publish_package(&state, &visit.principal, None, &bytes).await {
        Ok(p) => {
            let q = serde_urlencoded::to_string([("published", format!("{}@{}", p.id, p.version))])
                .unwrap_or_default();
            Ok(Redirect::to(&format!("/province?{q}")).into_response())
        }
        Err(Fault::InvalidPackage(problems)) => {
            // What is wrong in the reader's language; on a Chinese page the
            // developer's English detail folds away beneath it.
            let problems: Vec<_> = problems
                .iter()
                .map(|p| match visit.locale {
                    Locale::ZhCn => json!({"said": p.zh, "detail": p.en}),
                    Locale::En => json!({"said": p.en}),
                })
                .collect();
            page(
                &state,
                &visit,
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"upload_problems": problems}),
            )
            .await
        }
        Err(e @ (Fault::Forbidden(_) | Fault::Conflict(_) | Fault::BadRequest { .. })) => {
            let (status, problem) = (crate::shared::status_of(&e), e.message(visit.locale));
            page(
                &state,
                &visit,
                status,
                json!({"upload_problems": [{"said": problem}]}),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The assign form.
#[derive(Debug, Deserialize, Clone, serde::Serialize)]
pub(super) struct Assign {
    #[serde(default)]
    module: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    audience: String,
    /// Percent of each county's villages, or empty for all of them.
    #[serde(default)]
    sample_percent: String,
    /// A recorded seed to draw again, or empty for a fresh one.
    #[serde(default)]
    sample_seed: String,
    /// The edition (期次), or empty for the first.
    #[serde(default)]
    edition: String,
}

/// `POST /province/assign`: the assign form, whose config fields
/// (`config.…`) are the chosen module's, generated from its config schema.
/// `_configure` (a module was chosen) and `_more` (再加一行) bring the form
/// back with what was typed and act on nothing.
pub(super) async fn assign(
    State(state): State<AppState>,
    visit: Visit,
    body: Bytes,
) -> Result<Response, Error> {
    let values = super::posted_values(&body)?;
    let field = |name: &str| {
        values
            .get(name)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    };
    visit.check(Some(field("_csrf").as_str()))?;
    let form = Assign {
        module: field("module"),
        unit: field("unit"),
        due: field("due"),
        audience: field("audience"),
        sample_percent: field("sample_percent"),
        sample_seed: field("sample_seed"),
        edition: field("edition"),
    };
    let preview = values.contains_key("_preview");
    let more = values.get("_more").and_then(|v| v.first()).cloned();
    let configure = values.contains_key("_configure");
    let config_values: BTreeMap<String, Vec<String>> = values
        .into_iter()
        .filter(|(k, _)| k.starts_with("config."))
        .collect();
    let chosen = |errors: BTreeMap<String, Vec<String>>, more: Option<String>| Chosen {
        module: form.module.clone(),
        posted: Some(Posted {
            form: "assign".to_owned(),
            values: config_values.clone(),
            errors,
            more,
        }),
    };
    let refuse = |field: &str, problem: String| json!({"assign_input": form, "assign_errors": {field: problem}});
    let Some((module, version)) = form.module.split_once('@') else {
        let extra = refuse("module", visit.t("province.assign.choose"));
        return page(&state, &visit, StatusCode::UNPROCESSABLE_ENTITY, extra).await;
    };
    if configure || more.is_some() {
        // 填写设置 starts the chosen module's fields afresh (from the last
        // config or the defaults); 再加一行 keeps what was typed.
        let extra = json!({"assign_input": form});
        let again = if configure {
            Chosen {
                module: form.module.clone(),
                posted: None,
            }
        } else {
            chosen(BTreeMap::new(), more)
        };
        return page_with(&state, &visit, StatusCode::OK, extra, Some(again)).await;
    }
    // A refusal: the form again, the problem beside `field`, and the
    // module's config fields with what was typed and their own messages.
    let (st, vi, refuse, chosen) = (&state, &visit, &refuse, &chosen);
    let refused = move |status: StatusCode,
                        field: &str,
                        problem: String,
                        errors: BTreeMap<String, Vec<String>>| {
        let extra = refuse(field, problem);
        page_with(st, vi, status, extra, Some(chosen(errors, None)))
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let plugin = state.plugin(module, version).await?;
    let mut stripped = BTreeMap::new();
    for (k, v) in &config_values {
        if let Some(rest) = k.strip_prefix("config.") {
            stripped.insert(rest.to_owned(), v.clone());
        }
    }
    let config = match payload(
        &plugin.info().config_schema,
        &stripped,
        &[],
        &visit.t("form.not-a-number"),
    ) {
        Ok(v) if v == json!({}) => None,
        Ok(v) => Some(v),
        Err(errors) => {
            let errors = errors
                .into_iter()
                .map(|(k, m)| (format!("config.{k}"), m))
                .collect();
            let problem = visit.t("province.assign.config-problems");
            return refused(unprocessable, "config", problem, errors).await;
        }
    };
    let audience = match form.audience.as_str() {
        "" => None,
        a => serde_json::from_value::<Audience>(json!(a)).ok(),
    };
    let mut sample_fields = [0, 1, 2].map(|_| None);
    for (slot, field, text) in [
        (0, "sample_percent", &form.sample_percent),
        (1, "sample_seed", &form.sample_seed),
        (2, "edition", &form.edition),
    ] {
        match text.trim() {
            "" => {}
            t => match t.parse::<u64>() {
                Ok(n) => sample_fields[slot] = Some(n),
                Err(_) => {
                    let problem = visit_t(
                        &visit,
                        "province.assign.number",
                        &[("value", t.to_owned()), ("field", field.to_owned())],
                    );
                    return refused(unprocessable, field, problem, BTreeMap::new()).await;
                }
            },
        }
    }
    let [percent, seed, edition] = sample_fields;
    let sample = percent.map(|p| SampleRequest {
        percent: u32::try_from(p).unwrap_or(u32::MAX),
        per: Per::County,
        seed,
    });
    let input = AssignRequest {
        module: module.to_owned(),
        version: version.to_owned(),
        unit: form.unit.trim().to_owned(),
        due: form.due.trim().to_owned(),
        audience,
        config,
        sample,
        edition: edition.map(|e| u32::try_from(e).unwrap_or(u32::MAX)),
        dry_run: preview,
    };
    match assign_module(&state, &visit.principal, input).await {
        Ok(a) if preview => {
            // The counts above the button, the form as it was typed.
            let mut reach = visit_t(
                &visit,
                "province.assign.reach",
                &[
                    ("edition", a.edition.to_string()),
                    ("n", a.enrolled.to_string()),
                    ("villages", a.reach.villages.to_string()),
                    ("audience", a.reach.audience.to_string()),
                    ("already", a.reach.already.to_string()),
                    ("without", a.reach.without_roster.to_string()),
                ],
            );
            if a.next_edition > 1 {
                reach.push_str(&visit_t(
                    &visit,
                    "province.assign.next",
                    &[
                        ("last", (a.next_edition - 1).to_string()),
                        ("next", a.next_edition.to_string()),
                    ],
                ));
            }
            let extra = json!({"assign_input": form, "assign_reach": reach});
            page_with(
                &state,
                &visit,
                StatusCode::OK,
                extra,
                Some(chosen(BTreeMap::new(), None)),
            )
            .await
        }
        Ok(a) => {
            let seed = a
                .sample
                .map(|s| format!("&seed={}", s.seed))
                .unwrap_or_default();
            Ok(Redirect::to(&format!(
                "/province?assigned={}&enrolled={}&edition={}{seed}",
                a.assignment_id.unwrap_or_default(),
                a.enrolled,
                a.edition
            ))
            .into_response())
        }
        Err(
            e @ (Fault::BadRequest { .. }
            | Fault::Forbidden(_)
            | Fault::NotFound(_)
            | Fault::Rejected(_)),
        ) => {
            let status = crate::shared::status_of(&e);
            match &e {
                Fault::BadRequest { field, .. } => {
                    let field = field.replace("sample.", "sample_");
                    refused(status, &field, e.message(visit.locale), BTreeMap::new()).await
                }
                // The module's word on its config, beside each field.
                Fault::Rejected(baton_sdk::Rejection::Invalid(fields)) => {
                    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
                    for f in fields {
                        let name = if f.field.starts_with("config") {
                            f.field.clone()
                        } else {
                            format!("config.{}", f.field)
                        };
                        errors
                            .entry(name)
                            .or_default()
                            .push(f.message.get(visit.locale).to_owned());
                    }
                    let problem = visit.t("province.assign.config-problems");
                    refused(status, "config", problem, errors).await
                }
                _ => refused(status, "unit", e.message(visit.locale), BTreeMap::new()).await,
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The reminder schedule's or the SMS gateway's form.
#[derive(Debug, Deserialize, Serialize)]
pub(super) struct Channel {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    /// `schedule` or `sms`.
    channel: String,
    #[serde(default)]
    remind: String,
    #[serde(default)]
    township: String,
    #[serde(default)]
    county: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    url: String,
    /// Empty keeps the secret already set.
    #[serde(default)]
    secret: String,
    #[serde(default)]
    template: String,
    /// `on` switches the channel off.
    #[serde(default)]
    off: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    security: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    username: String,
    /// Empty keeps the password already set.
    #[serde(default)]
    password: String,
}

/// `POST /province/channels`: the province's reminder schedule, SMS gateway
/// or SMTP server.
pub(super) async fn channels(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<Channel>,
) -> Result<Response, Error> {
    visit.check(form.csrf.as_deref())?;
    let Some((province, _)) = scope(&visit)? else {
        return Err(Error::forbidden());
    };
    let days = |field: &str, v: &str| -> Result<u32, Error> {
        v.trim()
            .parse()
            .map_err(|_| Error::bad(field, "请填写天数（整数）", "a number of days"))
    };
    let result = async {
        let config = match form.channel.as_str() {
            "schedule" => {
                let remind = form
                    .remind
                    .split([',', '，', ' '])
                    .filter(|d| !d.trim().is_empty())
                    .map(|d| days("remind_before_days", d))
                    .collect::<Result<Vec<u32>, Error>>()?;
                Some(json!({
                    "remind_before_days": remind,
                    "township_after_days": days("township_after_days", &form.township)?,
                    "county_after_days": days("county_after_days", &form.county)?,
                    "province_after_days": days("province_after_days", &form.province)?,
                }))
            }
            "sms" if form.off == "on" => None,
            "sms" => Some(json!({"url": form.url.trim(), "secret": form.secret.trim(), "template": form.template.trim()})),
            "email" if form.off == "on" => None,
            "email" => {
                let port = match form.port.trim() {
                    "" => None,
                    p => Some(p.parse::<u16>().map_err(|_| {
                        Error::bad("port", "端口应为 1 到 65535 的整数", "must be a number from 1 to 65535")
                    })?),
                };
                Some(json!({"host": form.host.trim(), "port": port, "security": form.security,
                            "from": form.from.trim(), "username": form.username.trim(),
                            "password": form.password}))
            }
            _ => {
                return Err(Error::bad(
                    "channel",
                    "只能设置 schedule、sms 或 email",
                    "must be schedule, sms or email",
                ));
            }
        };
        let mut config = config;
        if let Some(config) = &mut config {
            crate::outbox::keep_secret(&state, &province, &form.channel, config).await?;
        }
        crate::outbox::set_channel(&state, &visit.principal, &province, &form.channel, config.as_ref(), now()).await.map_err(Error::from)
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/province?saved={}", form.channel)).into_response()),
        Err(Error(e @ Fault::BadRequest { .. })) => {
            let field = e.field().unwrap_or_default().to_owned();
            let extra =
                json!({"channel_input": form, "channel_errors": {field: e.message(visit.locale)}});
            page(&state, &visit, StatusCode::BAD_REQUEST, extra).await
        }
        Err(e) => Err(e),
    }
}
