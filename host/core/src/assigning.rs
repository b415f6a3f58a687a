//! Assigning a module version to the villages under a unit: the config
//! checked by the module itself, one enrollment per member of the audience.

use baton_sdk::{Audience, Context, Locale, Role};
use serde::Deserialize;
use serde_json::Value;

use crate::acting::unit_in_scope;
use crate::auth::{Capability, Principal};
use crate::clock::now;
use crate::db::assignments::{self, NewAssignment};
pub use crate::db::org_units::OrgUnit;
use crate::db::{org_units, people};
use crate::error::Error;
use crate::sampling::{self, Sample, SampleRequest};
use crate::state::AppState;

/// What an administrator assigns.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// Module id.
    pub module: String,
    /// Module version; every enrollment stays pinned to it.
    pub version: String,
    /// The scope (this unit and everything below): its name as the console
    /// shows it (`城关镇`, or `甲县城关镇` where two share a name) or its
    /// 12-digit code.
    pub unit: String,
    /// Due date, `YYYY-MM-DD` (end of that day, Beijing time). Empty or
    /// absent: the module's statutory default ([`DEFAULT_DUE_DAYS`]), where
    /// it has one.
    #[serde(default)]
    pub due: String,
    /// secretary, every-member or committee; the module's own by default.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub audience: Option<Audience>,
    /// The province's config for the module; its schema is in the module's info.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub config: Option<Value>,
    /// Only a sample of the villages: `{"percent": 10}` is 10% of each
    /// county's, drawn reproducibly; the seed is recorded and answered.
    #[serde(default)]
    pub sample: Option<SampleRequest>,
    /// The edition (期次), from 1 (the default): a person takes each
    /// edition of a module once, so a second course for the same people is
    /// edition 2.
    #[serde(default)]
    pub edition: Option<u32>,
    /// Count whom it would enroll, and store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

pub use crate::db::assignments::Reach;

/// What assigning did, or (a dry run) would do.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, serde::Serialize)]
pub struct Assigned {
    /// The assignment's id; absent for a dry run.
    pub assignment_id: Option<i64>,
    /// Enrollments created (a dry run: that would be).
    pub enrolled: u64,
    /// The edition.
    pub edition: u32,
    /// Whom it reached: villages, the audience, those already enrolled in
    /// this edition, villages without anyone of the audience on the roster.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub reach: Reach,
    /// The next edition nobody under the scope has taken yet.
    pub next_edition: u32,
    /// The due date, `YYYY-MM-DD`: as given, or the module's default.
    pub due: String,
    /// The sample the villages were drawn by, with its seed, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub sample: Option<Sample>,
}

/// Checks an assignment (scope, ownership, due date, edition, the module's
/// view of the config) and enrolls its audience; a dry run only counts
/// them. One that would enroll nobody is refused with the reason and the
/// counts, and nothing is stored.
pub async fn assign_module(
    state: &AppState,
    principal: &Principal,
    input: AssignRequest,
) -> Result<Assigned, Error> {
    let code = scope_code(state, principal, &input.unit).await?;
    let (unit, path) = unit_in_scope(state, principal, &code, Capability::Assign).await?;
    let edition = input.edition.unwrap_or(1);
    if !(1..=MAX_EDITION).contains(&edition) {
        return Err(Error::bad(
            "edition",
            format!("期次须在 1 到 {MAX_EDITION} 之间"),
            format!("the edition must be from 1 to {MAX_EDITION}"),
        ));
    }
    let package = crate::publishing::stored(state, &input.module, &input.version).await?;
    // Another province's module: only a package this province adopted
    // from the catalog.
    let province = path.split('/').nth(1).unwrap_or_default();
    if let Some(owner) = &package.owner
        && !path.starts_with(&format!("/{owner}/"))
        && !crate::catalog::adopted(state, province, &package.id, &package.version).await?
    {
        return Err(Error::bad(
            "unit",
            format!("{} 属于省份 {owner}，只能在该省内分配", package.id),
            format!(
                "{} belongs to province {owner} and can be assigned only inside it",
                package.id
            ),
        ));
    }
    let sample = input
        .sample
        .as_ref()
        .map(SampleRequest::resolve)
        .transpose()?;
    let due_at = if input.due.trim().is_empty() {
        default_due(&package.id, now())?
    } else {
        due(&input.due)?
    };
    if due_at <= now() {
        return Err(Error::bad(
            "due",
            "截止日期必须在今天之后",
            "must be a date after today",
        ));
    }
    // No config: the module's defaults (the SDK reads null as `Default`).
    let config = input.config.unwrap_or(Value::Null);
    // The module checks the config once, on a village of the scope.
    let plugin = state.plugin(&package.id, &package.version).await?;
    let village = org_units::subtree(&state.db, &unit.code)
        .await?
        .into_iter()
        .find(|u| u.level == org_units::Level::Village)
        .ok_or_else(|| {
            Error::bad(
                "unit",
                format!("{} 下没有村", unit.name),
                format!("{} has no villages under it", unit.name),
            )
        })?;
    let village_path = org_units::get(&state.db, &village.code)
        .await?
        .map(|(_, p)| p)
        .unwrap_or_default();
    let (village, members, outgoing) =
        people::village(&state.db, &village.code, &village_path).await?;
    let ctx = Context {
        enrollment_id: "config-check".into(),
        // Checking the config as the province, which has no person record.
        actor: crate::acting::actor(
            principal.account_id,
            None,
            &principal.display_name,
            Role::ProvinceAdmin,
        ),
        village,
        members,
        outgoing,
        config: config.clone(),
        locale: Locale::ZhCn,
        now: now(),
        siblings: Vec::new(),
        attachments: Vec::new(),
    };
    plugin.start(&ctx).await?.map_err(Error::Rejected)?;
    let config = serde_json::to_string(&config).map_err(anyhow::Error::from)?;
    let drawn = match sample {
        Some(sample) => {
            let units = org_units::subtree(&state.db, &unit.code).await?;
            Some((sample, sampling::draw(sample, &units)))
        }
        None => None,
    };
    let how = sample.map(|s| serde_json::json!(s).to_string());
    let audience = input.audience.unwrap_or(package.info.audience);
    let assigned = assignments::assign(
        &state.db,
        &NewAssignment {
            plugin_id: &package.id,
            plugin_version: &package.version,
            unit_code: &unit.code,
            audience,
            due_at,
            config: &config,
            created_by: principal.account_id,
            edition: i64::from(edition),
            sample: how
                .as_deref()
                .zip(drawn.as_ref().map(|(_, v)| v.as_slice())),
        },
        now(),
        input.dry_run,
    )
    .await?;
    let next_edition = assignments::last_edition(&state.db, &path, &package.id)
        .await?
        .map_or(1, |e| {
            u32::try_from(e).unwrap_or(MAX_EDITION).saturating_add(1)
        });
    let reach = assigned.reach;
    if !input.dry_run && assigned.assignment_id.is_none() {
        return Err(nobody(&unit.name, edition, next_edition, audience, &reach));
    }
    Ok(Assigned {
        assignment_id: assigned.assignment_id,
        enrolled: if input.dry_run {
            reach.enrolls()
        } else {
            assigned.enrolled
        },
        edition,
        reach,
        next_edition,
        due: crate::clock::date(due_at),
        sample,
    })
}

/// The most editions of one module: a province's yearly rounds for decades.
pub const MAX_EDITION: u32 = 100;

/// Why an assignment to `unit` would enroll nobody, with the counts: the
/// audience already took this edition, or nobody of it is on the roster.
fn nobody(unit: &str, edition: u32, next: u32, audience: Audience, reach: &Reach) -> Error {
    let who = match audience {
        Audience::Committee => ("个村", " villages"),
        _ => ("人", " people"),
    };
    if reach.already > 0 {
        return Error::bad(
            "edition",
            format!(
                "{unit}范围内的 {n} {zh}都已参加第 {edition} 期，无人可分配；如要再办一期，请填第 {next} 期",
                n = reach.already,
                zh = who.0
            ),
            format!(
                "all {n}{en} under {unit} already take edition {edition}, so nobody would be enrolled; to run it again, make it edition {next}",
                n = reach.already,
                en = who.1
            ),
        );
    }
    if reach.without_roster > 0 {
        return Error::bad(
            "unit",
            format!(
                "{unit}范围内 {n} 个村还没有班子名单（花名册），无人可分配；请先导入名单",
                n = reach.without_roster
            ),
            format!(
                "{n} villages under {unit} have no committee roster yet, so nobody would be enrolled; import the roster first",
                n = reach.without_roster
            ),
        );
    }
    Error::bad(
        "unit",
        format!("{unit}范围内没有可分配的对象"),
        format!("nobody under {unit} would be enrolled"),
    )
}

/// The code of the scope `text` names: a 12-digit code as is, or the one
/// unit in `principal`'s console scope of that name (`城关镇`, or
/// `甲县城关镇` where two share it).
pub async fn scope_code(
    state: &AppState,
    principal: &Principal,
    text: &str,
) -> Result<String, Error> {
    let text = text.trim();
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(text.to_owned());
    }
    if text.is_empty() {
        return Err(Error::bad("unit", "请填写范围", "choose the scope"));
    }
    let path = console_path(principal)?;
    let found = org_units::named(&state.db, &path, text).await?;
    match found.as_slice() {
        [(unit, _)] => Ok(unit.code.clone()),
        [] => Err(Error::bad(
            "unit",
            format!("您的范围内没有名为“{text}”的单位"),
            format!("no unit called “{text}” in your scope"),
        )),
        several => {
            let names: Vec<String> = several
                .iter()
                .map(|(u, parent)| format!("{parent}{}", u.name))
                .collect();
            Err(Error::bad(
                "unit",
                format!(
                    "有 {} 个“{text}”：{}；请连上级名称一起填写",
                    several.len(),
                    names.join("、")
                ),
                format!(
                    "{} units are called “{text}”: {}; write the one you mean with its parent's name",
                    several.len(),
                    names.join(", ")
                ),
            ))
        }
    }
}

/// Days from the day of assigning to the deadline when the province gives
/// none: the old committee hands over within 10 days of the new one's
/// election (村民委员会组织法 第二十条). Other modules need a date.
pub const DEFAULT_DUE_DAYS: [(&str, i64); 1] = [("handover", 10)];

/// The deadline of `module` assigned at `now` without a date, or which field
/// is missing.
pub fn default_due(module: &str, now: i64) -> Result<i64, Error> {
    let Some((_, days)) = DEFAULT_DUE_DAYS.iter().find(|(m, _)| *m == module) else {
        return Err(Error::bad("due", "请填写截止日期", "give a due date"));
    };
    Ok(
        crate::clock::end_of_day(&crate::clock::date(now + days * 86_400))
            .expect("a date the clock wrote"),
    )
}

/// `YYYY-MM-DD` → the last second of that day in Beijing (UTC+8).
pub fn due(date: &str) -> Result<i64, Error> {
    let bad = || {
        Error::bad(
            "due",
            format!("`{date}` 不是 YYYY-MM-DD 格式的日期"),
            format!("`{date}` is not a date like 2027-03-31"),
        )
    };
    crate::clock::end_of_day(date).ok_or_else(bad)
}

/// Where `principal` runs a console from: `Some((province code, path))` for
/// a province administrator, `None` for the national administrator (the
/// whole country); 403 for anyone else.
pub fn console_scope(principal: &Principal) -> Result<Option<(String, String)>, Error> {
    let g = principal
        .grants
        .iter()
        .find(|g| matches!(g.role, Role::ProvinceAdmin | Role::NationalAdmin))
        .ok_or_else(Error::forbidden)?;
    Ok(g.unit_code.clone().zip(g.path.clone()))
}

fn console_path(principal: &Principal) -> Result<String, Error> {
    Ok(console_scope(principal)?
        .map(|(_, p)| p)
        .unwrap_or_default())
}

pub use crate::db::plugins::Pinned;

/// The assignments of `principal`'s console scope, each with how many of
/// its enrollments run which version.
pub async fn pinned(state: &AppState, principal: &Principal) -> Result<Vec<Pinned>, Error> {
    let path = console_path(principal)?;
    Ok(crate::db::plugins::pinned(&state.db, &path).await?)
}

/// The config `principal`'s scope last assigned `module` with (to edit a
/// course into the next), if any.
pub async fn last_config(
    state: &AppState,
    principal: &Principal,
    module: &str,
) -> Result<Option<Value>, Error> {
    let path = console_path(principal)?;
    Ok(assignments::last_config(&state.db, &path, module)
        .await?
        .and_then(|c| serde_json::from_str::<Value>(&c).ok())
        .filter(|c| !c.is_null()))
}

/// The units `principal` may assign to: their province and its cities and
/// counties (the nation: provinces and cities).
pub async fn scopes(state: &AppState, principal: &Principal) -> Result<Vec<OrgUnit>, Error> {
    let path = console_path(principal)?;
    Ok(org_units::scopes(&state.db, &path).await?)
}
