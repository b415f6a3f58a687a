//! The province's editor of its own modules (`/province/definitions`): a
//! procedure built in Chinese in a form drawn from the kind's definition
//! schema (steps and fields added, moved and removed), previewed as the
//! people who take part, and saved as a module of the province's own — a
//! new version for every change. Every refusal is shown beside its field,
//! with what was typed kept.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baton_sdk::Role;
use serde::Deserialize;
use serde_json::{Value, json};

use super::page::Visit;
use crate::definitions::{NewDefinition, PreviewInput, PreviewStep};
use crate::shared::{AppState, Error, Fault};
use crate::views::forms::{self, FormHost, Posted, WORDS};
use crate::views::payload::payload;

/// The kind a new definition starts as.
const KIND: &str = "procedure";

/// `?module=ID` (edit it), `?kind=first-lesson` (a new one of that kind),
/// `?saved=ID@VERSION` (just saved).
#[derive(Debug, Default, Deserialize)]
pub(super) struct Shown {
    module: Option<String>,
    kind: Option<String>,
    saved: Option<String>,
}

/// What the editor shows besides the list: the form's values (posted, the
/// module's definition, or the kind's example), its problems, a preview.
#[derive(Default)]
struct Editing {
    module: Option<String>,
    kind: String,
    /// What the last try in the preview did.
    note: Option<String>,
    posted: Posted,
    problem: Option<String>,
    previews: Vec<Value>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Query(shown): Query<Shown>,
) -> Result<Response, Error> {
    crate::assigning::console_scope(&visit.principal)?;
    let mine = crate::definitions::list(&state, &visit.principal).await?;
    let (start, kind) = match &shown.module {
        Some(id) => {
            let d = mine.iter().find(|d| &d.id == id).ok_or_else(|| {
                Error::from(crate::error::Error::not_found(
                    format!("本省没有自定义模块 {id}"),
                    format!("this province has no configured module {id}"),
                ))
            })?;
            (Some(d.definition.clone()), d.kind.clone())
        }
        None => (None, kind_of(shown.kind.as_deref())?),
    };
    let schema = schema(&state, &kind).await?;
    let mut values = BTreeMap::new();
    if let Some(v) = start.as_ref().or_else(|| schema.get("default")) {
        forms::form_values(v, "config", &mut values);
    }
    let flash = shown
        .saved
        .map(|s| visit.t_with("definitions.saved", &[("module", s)]));
    let editing = Editing {
        module: shown.module,
        kind,
        posted: Posted {
            form: "definition".into(),
            values,
            ..Posted::default()
        },
        ..Editing::default()
    };
    render(&state, &visit, StatusCode::OK, editing, flash).await
}

/// `asked` if it is a kind, else the default; a kind that is not one is
/// refused.
fn kind_of(asked: Option<&str>) -> Result<String, Error> {
    match asked {
        None | Some("") => Ok(KIND.to_owned()),
        Some(k) if crate::registry::KINDS.contains(&k) => Ok(k.to_owned()),
        Some(k) => Err(Error::from(crate::error::Error::bad(
            "kind",
            format!("没有“{k}”这种模块类型"),
            format!("there is no kind `{k}`"),
        ))),
    }
}

/// The kind's definition schema (its config schema, with its example as
/// the default).
async fn schema(state: &AppState, kind: &str) -> Result<Value, Error> {
    let versions = crate::publishing::packages(state).await?;
    versions
        .into_iter()
        .filter(|p| p.built_in && p.id == kind)
        .max_by(|a, b| {
            let v = |s: &str| semver::Version::parse(s).ok();
            v(&a.version).cmp(&v(&b.version))
        })
        .map(|p| p.info.config_schema)
        .ok_or_else(|| Error::from(anyhow::anyhow!("the {kind} kind is not registered")))
}

async fn render(
    state: &AppState,
    visit: &Visit,
    status: StatusCode,
    editing: Editing,
    flash: Option<String>,
) -> Result<Response, Error> {
    let schema = schema(state, &editing.kind).await?;
    let mine = crate::definitions::list(state, &visit.principal).await?;
    let list: Vec<Value> = mine
        .iter()
        .map(|d| {
            let title = |lang: &str| {
                d.definition["title"][lang]
                    .as_str()
                    .unwrap_or("")
                    .trim()
                    .to_owned()
            };
            let en = title("en");
            let name = if visit.locale == baton_sdk::Locale::En && !en.is_empty() {
                en
            } else {
                title("zh")
            };
            let parts = ["steps", "lessons"]
                .iter()
                .find_map(|k| d.definition[*k].as_array());
            json!({
                "id": d.id, "version": d.version, "title": name,
                "kind": visit.t(&format!("definitions.kind.{}", d.kind)),
                "steps": parts.map_or(0, Vec::len),
                "assign": format!("/province?module={}@{}#assign-h", d.id, d.version),
                "edit": format!("/province/definitions?module={}#editor-h", d.id),
            })
        })
        .collect();
    let host = FormHost {
        lang: visit.locale.as_str().to_owned(),
        posted: Some(editing.posted),
        words: WORDS
            .iter()
            .map(|k| ((*k).to_owned(), visit.t(k)))
            .collect(),
        ..FormHost::default()
    };
    let fields = forms::fields_html(&host, &schema, "config");
    let data = json!({
        "flash": flash,
        "definitions": list,
        "module": editing.module,
        "kind": editing.kind,
        "kind_name": visit.t(&format!("definitions.kind.{}", editing.kind)),
        "kinds": crate::registry::KINDS.iter().map(|k| json!({
            "kind": k,
            "name": visit.t(&format!("definitions.kind.{k}")),
        })).collect::<Vec<_>>(),
        "fields": fields,
        "problem": editing.problem,
        "previews": editing.previews,
        "note": editing.note,
    });
    Ok(visit.page_with(status, "definitions", &visit.t("definitions.title"), data))
}

/// `POST /province/definitions`: 再加一行 (`_more`) and 预览 (`_preview`)
/// bring the form back, acting on nothing; otherwise the definition is
/// saved (`module`: as that module's next version).
pub(super) async fn save(
    State(state): State<AppState>,
    visit: Visit,
    body: Bytes,
) -> Result<Response, Error> {
    let values = super::posted_values(&body)?;
    let field = |name: &str| values.get(name).and_then(|v| v.first()).cloned();
    visit.check(field("_csrf").as_deref())?;
    crate::assigning::console_scope(&visit.principal)?;
    let module = field("module").filter(|m| !m.is_empty());
    let kind = kind_of(field("kind").as_deref())?;
    let more = field("_more");
    let preview = values.contains_key("_preview");
    let config: BTreeMap<String, Vec<String>> = values
        .iter()
        .filter(|(k, _)| k.starts_with("config."))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let again = |errors: BTreeMap<String, Vec<String>>, more: Option<String>, values| Editing {
        module: module.clone(),
        kind: kind.clone(),
        posted: Posted {
            form: "definition".into(),
            values,
            errors,
            more,
        },
        ..Editing::default()
    };
    if more.is_some() {
        let editing = again(BTreeMap::new(), more, config);
        return render(&state, &visit, StatusCode::OK, editing, None).await;
    }
    let schema = schema(&state, &kind).await?;
    let stripped: BTreeMap<String, Vec<String>> = config
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("config.")?.to_owned(), v.clone())))
        .collect();
    let definition = match payload(&schema, &stripped, &[], &visit.t("form.not-a-number")) {
        Ok(d) => d,
        Err(errors) => {
            let errors = errors
                .into_iter()
                .map(|(k, m)| (format!("config.{k}"), m))
                .collect();
            let mut editing = again(errors, None, config);
            editing.problem = Some(visit.t("definitions.problems"));
            return render(
                &state,
                &visit,
                StatusCode::UNPROCESSABLE_ENTITY,
                editing,
                None,
            )
            .await;
        }
    };
    // From here the form shows the definition as built: rows removed and
    // moved, so each message lands beside the field it names.
    let mut built = BTreeMap::new();
    forms::form_values(&definition, "config", &mut built);
    if preview {
        let mut editing = again(BTreeMap::new(), None, built);
        let trial = trials::keep(Trial {
            account: visit.principal.account_id,
            kind: kind.clone(),
            module: module.clone(),
            definition: definition.clone(),
            steps: Vec::new(),
        });
        match previews(&state, &visit, &kind, &definition, &trial, &[]).await {
            Ok(shown) => editing.previews = shown,
            Err(Error(e)) => {
                let (errors, problem) = refusal(&visit, e)?;
                editing.posted.errors = errors;
                editing.problem = Some(problem);
            }
        }
        return render(&state, &visit, StatusCode::OK, editing, None).await;
    }
    let input = NewDefinition {
        province: None,
        module: module.clone(),
        kind: kind.clone(),
        definition,
    };
    match crate::definitions::save(&state, &visit.principal, input).await {
        Ok(saved) => Ok(Redirect::to(&format!(
            "/province/definitions?saved={}@{}&module={}#editor-h",
            saved.id, saved.version, saved.id
        ))
        .into_response()),
        Err(e) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let (errors, problem) = refusal(&visit, e)?;
            let mut editing = again(errors, None, built);
            editing.problem = Some(problem);
            render(&state, &visit, status, editing, None).await
        }
    }
}

/// A refused definition's messages by field, and what to say on top; an
/// error that is not a refusal is the page's.
fn refusal(
    visit: &Visit,
    e: crate::error::Error,
) -> Result<(BTreeMap<String, Vec<String>>, String), Error> {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    match e {
        Fault::Rejected(baton_sdk::Rejection::Invalid(fields)) => {
            for f in fields {
                errors
                    .entry(f.field)
                    .or_default()
                    .push(f.message.get(visit.locale).to_owned());
            }
            Ok((errors, visit.t("definitions.problems")))
        }
        e @ (Fault::Rejected(_)
        | Fault::Conflict(_)
        | Fault::Forbidden(_)
        | Fault::BadRequest { .. }) => Ok((errors, e.message(visit.locale))),
        e => Err(e.into()),
    }
}

/// The definition on the sample village, as each kind of person taking
/// part sees it before anyone has acted.
async fn previews(
    state: &AppState,
    visit: &Visit,
    kind: &str,
    definition: &Value,
    trial: &str,
    steps: &[PreviewStep],
) -> Result<Vec<Value>, Error> {
    let engine = crate::definitions::kind_engine(state, kind).await?;
    // A course is the committee's; a procedure is the township's too.
    let mut roles = if kind == KIND {
        vec![Role::Secretary, Role::TownshipOfficer]
    } else {
        vec![Role::Secretary, Role::Member]
    };
    for (who, role) in [
        ("outgoing-cadre", Role::OutgoingCadre),
        ("member", Role::Member),
        ("county-trainer", Role::CountyTrainer),
    ] {
        let named = definition["steps"]
            .as_array()
            .is_some_and(|steps| steps.iter().any(|s| s["who"] == who || s["confirm"] == who));
        if named {
            roles.push(role);
        }
    }
    let mut out = Vec::new();
    for role in roles {
        let input = PreviewInput {
            kind: kind.to_owned(),
            definition: definition.clone(),
            steps: steps.to_vec(),
            view_as: role,
        };
        // Its forms post to the trial, as this role: they act, and write nothing.
        let forms = FormHost {
            url: format!(
                "/province/definitions/try?trial={trial}&as={}",
                role.as_str()
            ),
            ..super::learner::form_host(visit, &engine, 0, None)
        };
        let shown =
            crate::definitions::preview(state, &visit.principal, input, visit.locale, Some(forms))
                .await?;
        out.push(json!({
            "role": visit.t(&format!("role.{}", role.as_str())),
            "html": shown.html,
        }));
    }
    Ok(out)
}

/// A preview being tried: the definition, and the actions taken in it so
/// far, kept in this process only (nothing is written anywhere).
#[derive(Clone)]
struct Trial {
    account: i64,
    kind: String,
    module: Option<String>,
    definition: Value,
    steps: Vec<PreviewStep>,
}

mod trials {
    //! The previews being tried, by a random id: at most [`MAX`], each for
    //! an hour.

    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    use std::time::{Duration, Instant};

    use super::Trial;

    const MAX: usize = 500;
    const TTL: Duration = Duration::from_secs(3600);

    static TRIALS: LazyLock<Mutex<HashMap<String, (Instant, Trial)>>> =
        LazyLock::new(Default::default);

    fn lock() -> std::sync::MutexGuard<'static, HashMap<String, (Instant, Trial)>> {
        TRIALS.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `trial`; its id.
    pub(super) fn keep(trial: Trial) -> String {
        let mut id = [0u8; 16];
        rand::fill(&mut id);
        let id = hex::encode(id);
        let mut all = lock();
        all.retain(|_, (at, _)| at.elapsed() < TTL);
        if all.len() >= MAX
            && let Some(oldest) = all
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
        {
            all.remove(&oldest);
        }
        all.insert(id.clone(), (Instant::now(), trial));
        id
    }

    /// Trial `id`, if `account` began it and it has not expired.
    pub(super) fn get(id: &str, account: i64) -> Option<Trial> {
        lock()
            .get(id)
            .filter(|(at, t)| at.elapsed() < TTL && t.account == account)
            .map(|(_, t)| t.clone())
    }

    /// Trial `id` with one more action taken.
    pub(super) fn update(id: &str, trial: Trial) {
        if let Some(slot) = lock().get_mut(id) {
            slot.1 = trial;
        }
    }
}

/// `?trial=ID&as=ROLE`.
#[derive(Debug, Deserialize)]
pub(super) struct Try {
    trial: String,
    #[serde(rename = "as")]
    role: Role,
}

/// `POST /province/definitions/try`: one action in a preview, as the role
/// whose page it was on, on the sample village; every page shown again
/// after it. Nothing is stored: the trial lives in this process.
pub(super) async fn try_action(
    State(state): State<AppState>,
    visit: Visit,
    Query(asked): Query<Try>,
    body: Bytes,
) -> Result<Response, Error> {
    let mut values = super::posted_values(&body)?;
    let field = |name: &str| values.get(name).and_then(|v| v.first()).cloned();
    visit.check(field("_csrf").as_deref())?;
    crate::assigning::console_scope(&visit.principal)?;
    let action = field("_action").unwrap_or_default();
    values.retain(|k, _| !k.starts_with('_'));
    let Some(mut trial) = trials::get(&asked.trial, visit.principal.account_id) else {
        return Err(Error::from(crate::error::Error::Conflict(
            baton_sdk::Text::new(
                "预览已过期，请回到自定义模块再点一次“预览”",
                "this preview has expired: open Your own modules and press Preview again",
            ),
        )));
    };
    let engine = crate::definitions::kind_engine(&state, &trial.kind).await?;
    let Some(info) = engine.info().actions.iter().find(|a| a.name == action) else {
        return Err(Error::from(crate::error::Error::bad(
            "_action",
            "没有这个操作",
            format!("no action `{action}`"),
        )));
    };
    let title = info.title.get(visit.locale).to_owned();
    let note = match payload(
        &info.payload_schema,
        &values,
        &[],
        &visit.t("form.not-a-number"),
    ) {
        Err(errors) => Some(
            errors
                .into_values()
                .flatten()
                .collect::<Vec<_>>()
                .join("；"),
        ),
        Ok(payload) => {
            let mut steps = trial.steps.clone();
            steps.push(PreviewStep {
                r#as: asked.role,
                action,
                payload,
            });
            let input = PreviewInput {
                kind: trial.kind.clone(),
                definition: trial.definition.clone(),
                steps: steps.clone(),
                view_as: asked.role,
            };
            let shown =
                crate::definitions::preview(&state, &visit.principal, input, visit.locale, None)
                    .await?;
            let role = visit.t(&format!("role.{}", asked.role.as_str()));
            match shown.refused {
                Some(refused) => {
                    let r: Option<baton_sdk::Rejection> =
                        serde_json::from_value(refused["rejection"].clone()).ok();
                    let why = match r {
                        Some(baton_sdk::Rejection::Invalid(fields)) => fields
                            .iter()
                            .map(|f| f.message.get(visit.locale).to_owned())
                            .collect::<Vec<_>>()
                            .join("；"),
                        Some(
                            baton_sdk::Rejection::Forbidden(m) | baton_sdk::Rejection::Conflict(m),
                        ) => m.get(visit.locale).to_owned(),
                        None => String::new(),
                    };
                    Some(visit.t_with(
                        "definitions.try.refused",
                        &[("role", role), ("action", title), ("why", why)],
                    ))
                }
                None => {
                    trial.steps = steps;
                    trials::update(&asked.trial, trial.clone());
                    Some(visit.t_with("definitions.try.done", &[("role", role), ("action", title)]))
                }
            }
        }
    };
    let mut built = BTreeMap::new();
    forms::form_values(&trial.definition, "config", &mut built);
    let mut editing = Editing {
        module: trial.module.clone(),
        kind: trial.kind.clone(),
        note,
        posted: Posted {
            form: "definition".into(),
            values: built,
            ..Posted::default()
        },
        ..Editing::default()
    };
    editing.previews = previews(
        &state,
        &visit,
        &trial.kind,
        &trial.definition,
        &asked.trial,
        &trial.steps,
    )
    .await?;
    render(&state, &visit, StatusCode::OK, editing, None).await
}
