//! Upgrade by replay: because `act` depends only on its arguments, an
//! enrollment moves from one version of its module to another by replaying
//! its log of accepted actions against the new version. A dry run reports,
//! per enrollment, the same result, a different one (with a short diff), or
//! the action the new version refuses; applying moves only the chosen ones,
//! each in its own transaction. Rolling back is the same with the versions
//! swapped. Used by `POST /api/v1/upgrades` and `baton upgrade`.

use baton_sdk::{Actor, Locale, Role};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::acting::{unit_in_scope, village_context};
use crate::auth::{Capability, Principal};
use crate::clock::now;
use crate::db::enrollments::Enrollment;
use crate::db::upgrades::{self, Logged};
use crate::error::Error;
use crate::registry::Module;
use crate::state::AppState;

/// What an administrator asks for.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpgradeRequest {
    /// Module id.
    pub module: String,
    /// The version the enrollments are pinned to now.
    pub from: String,
    /// The version to move them to.
    pub to: String,
    /// The scope: enrollments under this org unit.
    pub unit: String,
    /// `none` (the default: a dry run), `same` (move those whose replay gives
    /// the same state and progress) or `clean` (also those that differ; never
    /// those the new version refuses).
    #[serde(default)]
    pub apply: Apply,
    /// Only these enrollments, if given.
    #[serde(default)]
    pub enrollments: Option<Vec<i64>>,
}

/// Which enrollments to move.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Apply {
    /// A dry run: move nothing.
    #[default]
    None,
    /// Those that replay to the same state and progress.
    Same,
    /// Those that replay without a refusal, same or different.
    Clean,
}

/// One enrollment's replay.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Serialize)]
pub struct Replay {
    /// The enrollment.
    pub id: i64,
    /// `same`, `different` or `fails`.
    pub result: &'static str,
    /// For `different`: what differs, e.g. `state: 12 → 10`, `progress: 10/10 → 10/10`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diff: Vec<String>,
    /// For `fails`: the action (from 1) the new version refused, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// For `fails`: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether it was moved.
    pub moved: bool,
}

/// The answer: a line per enrollment and the totals.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Serialize)]
pub struct Report {
    /// Enrollments replayed.
    pub checked: usize,
    /// Same state and progress.
    pub same: usize,
    /// Different state or progress.
    pub different: usize,
    /// Refused by the new version.
    pub fails: usize,
    /// Moved to the new version.
    pub moved: usize,
    /// Each enrollment.
    pub enrollments: Vec<Replay>,
}

/// How many enrollments are read, replayed and moved at a time, by default.
pub const BATCH: i64 = 500;

/// Upgrades by replay what `input` names, for `actor` (a province or
/// national administrator over `input.unit`, and only between versions of a
/// module their province may use; `None`: the operator on the command
/// line): checks the unit, both versions and who may, then [`run`]s.
pub async fn upgrade(
    state: &AppState,
    actor: Option<&Principal>,
    input: &UpgradeRequest,
    batch: i64,
    progress: impl FnMut(usize, usize),
) -> Result<Report, Error> {
    let path = match actor {
        Some(actor) => {
            unit_in_scope(state, actor, &input.unit, Capability::Assign)
                .await?
                .1
        }
        None => {
            crate::db::org_units::get(&state.db, &input.unit)
                .await?
                .ok_or_else(|| {
                    Error::bad(
                        "unit",
                        format!("没有区划代码 {}", input.unit),
                        format!("no org unit {}", input.unit),
                    )
                })?
                .1
        }
    };
    let versions = crate::db::plugins::versions(&state.db, &input.module).await?;
    for (field, version) in [("from", &input.from), ("to", &input.to)] {
        let stored = versions
            .iter()
            .find(|v| &v.version == version)
            .ok_or_else(|| {
                Error::bad(
                    field,
                    format!("没有模块 {}@{version}", input.module),
                    format!("no module {}@{version}", input.module),
                )
            })?;
        // A province upgrades only within modules its province may use.
        if actor.is_some()
            && let Some(owner) = &stored.owner
            && !path.starts_with(&format!("/{owner}/"))
        {
            return Err(Error::forbidden());
        }
    }
    if input.from == input.to {
        return Err(Error::bad(
            "to",
            "新旧版本相同",
            "is the same version as `from`",
        ));
    }
    run(state, input, &path, batch, progress).await
}

/// Replays the enrollments under the unit at `path` pinned to `input.from`
/// against `input.to`, in batches, moving those `input.apply` chooses, one
/// transaction each. `progress(done, total)` is called after each enrollment. The caller
/// has checked who may do this and that both versions exist.
async fn run(
    state: &AppState,
    input: &UpgradeRequest,
    path: &str,
    batch: i64,
    mut progress: impl FnMut(usize, usize),
) -> Result<Report, Error> {
    let next = state.plugin(&input.module, &input.to).await?;
    let mut report = Report {
        checked: 0,
        same: 0,
        different: 0,
        fails: 0,
        moved: 0,
        enrollments: Vec::new(),
    };
    let total = match &input.enrollments {
        Some(only) => only.len(),
        None => usize::try_from(
            upgrades::count_pinned(&state.db, &input.module, &input.from, path).await?,
        )
        .unwrap_or(0),
    };
    let mut after = 0;
    loop {
        let batch =
            upgrades::pinned(&state.db, &input.module, &input.from, path, after, batch).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for e in batch {
            if input
                .enrollments
                .as_ref()
                .is_some_and(|only| !only.contains(&e.id))
            {
                continue;
            }
            replay_one(state, &next, input, e, &mut report).await?;
            progress(report.checked, total);
        }
    }
    Ok(report)
}

/// Moves the enrollments of each built-in module that are pinned to an older
/// built-in version onto the newest one the host ships, by replay, moving
/// those that replay without a refusal (`clean`). A re-released built-in (its
/// text corrected, say) thereby reaches an existing database's enrollments on
/// the next start; those the new version refuses stay where they are and are
/// counted. Returns a line per version moved from.
pub async fn built_ins(state: &AppState) -> Result<Vec<String>, Error> {
    let built_in: Vec<_> = crate::db::plugins::list(&state.db)
        .await?
        .into_iter()
        .filter(|p| p.built_in)
        .collect();
    let mut lines = Vec::new();
    for package in &built_in {
        let Ok(version) = semver::Version::parse(&package.version) else {
            continue;
        };
        let Some(newest) = built_in
            .iter()
            .filter(|p| p.id == package.id)
            .filter_map(|p| semver::Version::parse(&p.version).ok())
            .max()
            .filter(|newest| *newest > version)
        else {
            continue;
        };
        if upgrades::count_pinned(&state.db, &package.id, &package.version, "/").await? == 0 {
            continue;
        }
        let input = UpgradeRequest {
            module: package.id.clone(),
            from: package.version.clone(),
            to: newest.to_string(),
            unit: String::new(),
            apply: Apply::Clean,
            enrollments: None,
        };
        let report = run(state, &input, "/", BATCH, |_, _| {}).await?;
        lines.push(format!(
            "{}@{} → {newest}: {} of {} enrollments moved, {} refused by the new version",
            package.id, package.version, report.moved, report.checked, report.fails
        ));
    }
    Ok(lines)
}

/// Replays one enrollment, moves it if `input.apply` chooses it, and adds
/// its line to `report`.
async fn replay_one(
    state: &AppState,
    next: &Module,
    input: &UpgradeRequest,
    e: Enrollment,
    report: &mut Report,
) -> Result<(), Error> {
    let log = upgrades::log(&state.db, e.id).await?;
    let mut line = Replay {
        id: e.id,
        result: "same",
        diff: Vec::new(),
        step: None,
        reason: None,
        moved: false,
    };
    let replayed = replay(state, next, &e, &log).await?;
    match &replayed {
        Err((step, reason)) => {
            line.result = "fails";
            line.step = Some(*step);
            line.reason = Some(reason.clone());
        }
        Ok(r) => {
            line.diff = compare(&e, r.state.as_deref(), r.done, r.total);
            if !line.diff.is_empty() {
                line.result = "different";
            }
        }
    }
    let wanted = match input.apply {
        Apply::None => false,
        Apply::Same => line.result == "same",
        Apply::Clean => line.result != "fails",
    };
    if wanted && let Ok(r) = &replayed {
        line.moved = upgrades::move_to(
            &state.db,
            &e,
            &input.to,
            r.state.as_deref(),
            r.done,
            r.total,
            &r.awaiting,
            now(),
        )
        .await?;
    }
    report.checked += 1;
    match line.result {
        "same" => report.same += 1,
        "different" => report.different += 1,
        _ => report.fails += 1,
    }
    report.moved += usize::from(line.moved);
    report.enrollments.push(line);
    Ok(())
}

/// The report as lines for a terminal: the totals, then each enrollment that
/// did not replay the same.
pub fn summary(report: &Report) -> String {
    let mut out = format!(
        "{} enrollments replayed: {} same, {} different, {} refused; {} moved\n",
        report.checked, report.same, report.different, report.fails, report.moved
    );
    for line in report.enrollments.iter().filter(|l| l.result != "same") {
        let what = match (&line.step, &line.reason) {
            (Some(step), Some(reason)) => format!("refused at action {step}: {reason}"),
            _ => line.diff.join("; "),
        };
        let moved = if line.moved { " (moved)" } else { "" };
        out += &format!("  {} {}{moved}: {what}\n", line.id, line.result);
    }
    out
}

/// The state and progress `e`'s log replays to on `plugin`, or the action
/// (from 1) that `plugin` refuses and why. An enrollment never opened has no
/// state to replay.
async fn replay(
    state: &AppState,
    plugin: &Module,
    e: &Enrollment,
    log: &[Logged],
) -> Result<Result<Replayed, (usize, String)>, Error> {
    if e.state.is_none() {
        return Ok(Ok(Replayed {
            state: None,
            done: e.done,
            total: e.total,
            awaiting: Vec::new(),
        }));
    }
    // `start` sees who first acted, when; modules build their first state
    // from the village and the config, not from the actor.
    let first = log.first();
    let opener = first.map_or_else(Actor::public, actor);
    let at = first.map_or(e.started_at.unwrap_or_default(), |l| l.at);
    let ctx = village_context(state, e, opener, Locale::ZhCn, at).await?;
    let started = match plugin.start(&ctx).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(rejection)) => return Ok(Err((0, format!("start: {rejection}")))),
        Err(fault) => return Ok(Err((0, format!("start: {fault}")))),
    };
    let (mut current, mut progress, mut awaiting) =
        (started.state, started.progress, started.awaiting);
    for (i, step) in log.iter().enumerate() {
        let ctx = village_context(state, e, actor(step), Locale::ZhCn, step.at).await?;
        match plugin
            .act(&ctx, &current, &step.action, &step.payload)
            .await
        {
            Ok(Ok(outcome)) => {
                current = outcome.state;
                progress = outcome.progress;
                awaiting = outcome.awaiting;
            }
            Ok(Err(rejection)) => return Ok(Err((i + 1, format!("{}: {rejection}", step.action)))),
            Err(fault) => return Ok(Err((i + 1, format!("{}: {fault}", step.action)))),
        }
    }
    Ok(Ok(Replayed {
        state: Some(current),
        done: i64::from(progress.done),
        total: i64::from(progress.total),
        awaiting,
    }))
}

/// What an enrollment's log replays to.
struct Replayed {
    state: Option<String>,
    done: i64,
    total: i64,
    awaiting: Vec<baton_sdk::Awaiting>,
}

/// The actor of a logged action, as acting described them to the module.
fn actor(l: &Logged) -> Actor {
    let role = l.role.parse::<Role>().unwrap_or(Role::Member);
    crate::acting::actor(l.account_id, l.person_id, &l.name, role)
}

/// What differs between the stored state and progress and the replayed
/// ones: at most five lines, empty when they are the same.
fn compare(e: &Enrollment, state: Option<&str>, done: i64, total: i64) -> Vec<String> {
    let parse = |s: Option<&str>| {
        s.and_then(|s| serde_json::from_str::<Value>(s).ok())
            .unwrap_or(Value::Null)
    };
    let mut out = Vec::new();
    diff(&parse(e.state.as_deref()), &parse(state), "state", &mut out);
    if (e.done, e.total) != (done, total) {
        out.push(format!("progress: {}/{} → {done}/{total}", e.done, e.total));
    }
    out.truncate(5);
    out
}

fn diff(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    if a == b || out.len() >= 5 {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                diff(va, vb, &format!("{path}.{k}"), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff(va, vb, &format!("{path}.{i}"), out);
            }
        }
        _ => {
            let short = |v: &Value| {
                let s = v.to_string();
                match s.char_indices().nth(40) {
                    Some((i, _)) => format!("{}…", &s[..i]),
                    None => s,
                }
            };
            out.push(format!("{path}: {} → {}", short(a), short(b)));
        }
    }
}
