//! Modules a province configures in the console instead of building: a
//! definition of one of the kinds (a built-in engine such as `procedure`),
//! checked by the engine field by field, saved as a module of its own (its
//! own id, owned by the province) whose versions go up with every change.
//! It is then assigned, reported, upgraded and exported like any module.

use std::sync::Arc;

use baton_sdk::{Locale, Rejection, Role, Text};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{Capability, Principal, Target, authorize};
use crate::clock::now;
use crate::db::org_units::{self, Level};
pub use crate::db::plugins::Definition;
use crate::db::plugins::{self, Package};
use crate::error::Error;
use crate::registry::{self, KINDS, Module};
use crate::state::AppState;

/// A definition to save.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDefinition {
    /// The owning province's code; default: the saver's own province.
    #[serde(default)]
    pub province: Option<String>,
    /// The module to change (a new version of it); absent: a new module.
    #[serde(default)]
    pub module: Option<String>,
    /// The kind: `procedure`.
    pub kind: String,
    /// The definition: the kind's config (its schema is the kind's
    /// `config_schema` in `GET /api/v1/modules`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub definition: Value,
}

/// What a save answers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Saved {
    /// The module's id, made up by the platform: `procedure-31-2`.
    pub id: String,
    /// The version saved: 1.0.0, then 1.1.0, 1.2.0…
    pub version: String,
    /// The owning province.
    pub owner: String,
}

/// The province `principal` acts for (saves, offers, adopts): `asked`,
/// else their own. Must be a province they may publish in.
pub(crate) async fn province(
    state: &AppState,
    principal: &Principal,
    asked: Option<&str>,
) -> Result<String, Error> {
    let code = match asked {
        Some(code) => code.to_owned(),
        None => principal
            .grants
            .iter()
            .find(|g| g.role == Role::ProvinceAdmin)
            .and_then(|g| g.unit_code.clone())
            .ok_or_else(|| {
                Error::bad(
                    "province",
                    "请指明所属省份：自定义模块属于一个省",
                    "name the province: a configured module belongs to one",
                )
            })?,
    };
    let path = match org_units::get(&state.db, &code).await? {
        Some((unit, path)) if unit.level == Level::Province => path,
        _ => {
            return Err(Error::bad(
                "province",
                format!("{code} 不是省级单位代码"),
                format!("{code} is not a province's code"),
            ));
        }
    };
    authorize(principal, Capability::Publish, Target::unit(&path)).ok_or_else(Error::forbidden)?;
    Ok(code)
}

/// The engine of kind `kind` (its newest built-in version), loaded: its
/// actions are a preview's forms.
pub async fn kind_engine(state: &AppState, kind: &str) -> Result<Arc<Module>, Error> {
    Ok(engine(state, kind).await?.0)
}

/// The newest built-in version of kind `kind`, loaded, with its bytes.
async fn engine(state: &AppState, kind: &str) -> Result<(Arc<Module>, Vec<u8>), Error> {
    let unknown = || {
        Error::bad(
            "kind",
            format!("没有“{kind}”这种模块类型；可选：{}", KINDS.join("、")),
            format!(
                "there is no kind `{kind}`; the kinds are {}",
                KINDS.join(", ")
            ),
        )
    };
    if !KINDS.contains(&kind) {
        return Err(unknown());
    }
    let newest = plugins::versions(&state.db, kind)
        .await?
        .into_iter()
        .filter(|v| v.built_in)
        .filter_map(|v| semver::Version::parse(&v.version).ok())
        .max()
        .ok_or_else(unknown)?
        .to_string();
    let module = state.plugin(kind, &newest).await?;
    let bytes = plugins::wasm(&state.db, kind, &newest)
        .await?
        .ok_or_else(unknown)?
        .wasm;
    Ok((module, bytes))
}

/// Runs `definition` on the SDK's sample village as the engine would run it:
/// the engine refuses a bad one field by field (`config.steps.0.who`), and
/// its first view must render in both languages.
async fn check(engine: &Module, definition: &Value) -> Result<(), Error> {
    let mut ctx = baton_sdk::testing::sample_context();
    ctx.config = definition.clone();
    let outcome = engine.start(&ctx).await?.map_err(Error::Rejected)?;
    let view = engine.view(&ctx, &outcome.state).await?;
    for locale in [Locale::ZhCn, Locale::En] {
        engine.render(view.clone(), locale, None)?;
    }
    Ok(())
}

/// The configured modules `principal` may see (a province's own; all for
/// the nation), newest version each.
pub async fn list(state: &AppState, principal: &Principal) -> Result<Vec<Definition>, Error> {
    let national = principal
        .grants
        .iter()
        .any(|g| g.role == Role::NationalAdmin);
    if national {
        return Ok(plugins::definitions(&state.db, None).await?);
    }
    let mut out = Vec::new();
    for grant in principal
        .grants
        .iter()
        .filter(|g| g.role == Role::ProvinceAdmin)
    {
        if let Some(code) = &grant.unit_code {
            out.extend(plugins::definitions(&state.db, Some(code)).await?);
        }
    }
    Ok(out)
}

/// Checks and saves a definition: a new module `{kind}-{province}-{n}` at
/// 1.0.0, or the next minor version of one this province owns. Nothing is
/// stored unless the engine accepts it.
pub async fn save(
    state: &AppState,
    principal: &Principal,
    input: NewDefinition,
) -> Result<Saved, Error> {
    let owner = province(state, principal, input.province.as_deref()).await?;
    let (engine, bytes) = engine(state, &input.kind).await?;
    check(&engine, &input.definition).await?;
    let mine = plugins::definitions(&state.db, Some(&owner)).await?;
    let (id, version) = match &input.module {
        Some(id) => {
            let Some(current) = mine.iter().find(|d| &d.id == id) else {
                return Err(not_yours(state, id).await?);
            };
            if current.kind != input.kind {
                return Err(Error::bad(
                    "kind",
                    format!("{id} 是“{}”类型，不能改为其他类型", current.kind),
                    format!("{id} is a `{}`; its kind cannot change", current.kind),
                ));
            }
            if current.definition == input.definition {
                return Err(Error::Conflict(Text::new(
                    format!("{id} 没有改动：当前版本 {} 与此相同", current.version),
                    format!(
                        "{id} has not changed: version {} is the same",
                        current.version
                    ),
                )));
            }
            let mut next = semver::Version::parse(&current.version).map_err(anyhow::Error::from)?;
            next.minor += 1;
            next.patch = 0;
            (id.clone(), next.to_string())
        }
        None => {
            let prefix = format!("{}-{}-", input.kind, &owner[..2.min(owner.len())]);
            let n = mine
                .iter()
                .filter_map(|d| d.id.strip_prefix(&prefix)?.parse::<u32>().ok())
                .max()
                .unwrap_or(0)
                + 1;
            (format!("{prefix}{n}"), "1.0.0".to_owned())
        }
    };
    let info = registry::defined_info(engine.info(), &id, &version, &input.definition);
    let package = Package {
        id: id.clone(),
        version: version.clone(),
        sha256: hex::encode(engine.sha256()),
        owner: Some(owner.clone()),
        built_in: false,
        info,
    };
    let definition = serde_json::to_string(&input.definition).map_err(anyhow::Error::from)?;
    let stored = plugins::publish_definition(
        &state.db,
        &package,
        &bytes,
        &input.kind,
        &definition,
        principal.account_id,
        now(),
    )
    .await?;
    if !stored {
        return Err(Error::Conflict(Text::new(
            format!("{id}@{version} 刚刚已被保存"),
            format!("{id}@{version} was saved a moment ago"),
        )));
    }
    Ok(Saved { id, version, owner })
}

/// Why module `id` cannot be changed here: it is not a configured module,
/// or another province's.
async fn not_yours(state: &AppState, id: &str) -> Result<Error, Error> {
    let versions = plugins::versions(&state.db, id).await?;
    Ok(match versions.first() {
        None => Error::not_found(format!("没有模块 {id}"), format!("no module {id}")),
        Some(v) => Error::Forbidden(Text::new(
            format!(
                "模块 {id} 属于{}，不是本省在管理台配置的，不能修改",
                v.owner.as_deref().unwrap_or("全国")
            ),
            format!(
                "module {id} belongs to {}, not configured by this province; it cannot be changed here",
                v.owner.as_deref().unwrap_or("the nation")
            ),
        )),
    })
}

/// One action of a preview, as a person in `role` would take it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewStep {
    /// Who acts: `secretary`, `township-officer`…
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub r#as: Role,
    /// The action.
    pub action: String,
    /// Its payload.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    #[serde(default)]
    pub payload: Value,
}

/// A preview to run: a definition, actions taken on the sample village, and
/// whose page to show after them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    /// The kind: `procedure`.
    pub kind: String,
    /// The definition, saved or not.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub definition: Value,
    /// Actions to take first, in order.
    #[serde(default)]
    pub steps: Vec<PreviewStep>,
    /// Whose page to show.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub view_as: Role,
}

/// What a preview shows.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// The page as `view_as` sees it, HTML.
    pub html: String,
    /// Steps done.
    pub done: u32,
    /// Steps in all.
    pub total: u32,
    /// The first action refused, if one was: its position and the reason.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub refused: Option<Value>,
}

/// Runs a definition on the SDK's sample village (示例村) without storing
/// anything: the actions in order, then the page as `view_as` sees it.
pub async fn preview(
    state: &AppState,
    principal: &Principal,
    input: PreviewInput,
    locale: Locale,
    forms: Option<crate::views::forms::FormHost>,
) -> Result<Preview, Error> {
    let may = principal
        .grants
        .iter()
        .any(|g| matches!(g.role, Role::ProvinceAdmin | Role::NationalAdmin));
    if !may {
        return Err(Error::forbidden());
    }
    let (engine, _) = engine(state, &input.kind).await?;
    let mut ctx = baton_sdk::testing::sample_context();
    ctx.config = input.definition;
    ctx.locale = locale;
    let first = engine.start(&ctx).await?.map_err(Error::Rejected)?;
    let (mut state_json, mut progress) = (first.state, first.progress);
    let mut refused = None;
    for (i, step) in input.steps.iter().enumerate() {
        ctx.actor = baton_sdk::testing::actor(step.r#as);
        let payload = serde_json::to_string(&step.payload).map_err(anyhow::Error::from)?;
        match engine
            .act(&ctx, &state_json, &step.action, &payload)
            .await?
        {
            Ok(outcome) => {
                state_json = outcome.state;
                progress = outcome.progress;
            }
            Err(rejection) => {
                refused =
                    Some(serde_json::json!({"step": i, "rejection": rejection_json(&rejection)}));
                break;
            }
        }
    }
    ctx.actor = baton_sdk::testing::actor(input.view_as);
    let view = engine.view(&ctx, &state_json).await?;
    let html = engine.render_apart(view, locale, forms).await?;
    Ok(Preview {
        html,
        done: progress.done,
        total: progress.total,
        refused,
    })
}

fn rejection_json(r: &Rejection) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}
