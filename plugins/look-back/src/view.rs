//! The review: each module's check, each level's step, each problem and its
//! rectification, and the forms of whoever's step it is.

use baton_sdk::{Context, Locale, Role, View, format_date};
use serde::Serialize;

use crate::{Config, LookBack, Stage, State, module_title};

#[derive(Serialize)]
struct Page<'a> {
    village: &'a str,
    done: u32,
    total: u32,
    complete: bool,
    stage: &'static str,
    checks: Vec<CheckView<'a>>,
    reviews: Vec<ReviewView<'a>>,
    findings: Vec<FindingView<'a>>,
    open: usize,
    can_check: bool,
    can_find: bool,
    can_confirm: bool,
    can_verify: bool,
    can_judge: bool,
}

#[derive(Serialize)]
struct CheckView<'a> {
    module: &'a str,
    title: String,
    /// `unchecked`, `ok` or `problems`.
    status: &'static str,
    /// What the platform shows of the village's enrollment now: `complete`,
    /// `open`, or `none` (not assigned here).
    platform: &'static str,
    note: &'a str,
    by: Option<&'a str>,
    on: Option<String>,
    photos: Vec<&'a str>,
}

#[derive(Serialize)]
struct ReviewView<'a> {
    stage: &'static str,
    note: &'a str,
    visited_on: Option<&'a str>,
    passed: Option<bool>,
    by: &'a str,
    on: String,
    photos: Vec<&'a str>,
}

#[derive(Serialize)]
struct FindingView<'a> {
    id: u32,
    title: String,
    problem: &'a str,
    deadline: &'a str,
    found_by: String,
    /// `open`, `fixed` (reported, awaiting verification) or `closed`.
    status: &'static str,
    fix: Option<&'a str>,
    sent_back: Option<&'a str>,
    closed_on: Option<String>,
    can_fix: bool,
    can_close: bool,
}

pub(crate) fn render(ctx: &Context<Config>, state: &State) -> View {
    let role = ctx.actor.role;
    let stage = state.stage();
    let title = |module: &str| {
        let t = module_title(module);
        if ctx.locale == Locale::En { t.en } else { t.zh }
    };
    let progress = <LookBack as baton_sdk::Module>::progress(state);
    let villager = matches!(role, Role::Secretary | Role::Member);
    let checks = state
        .checks
        .iter()
        .map(|c| CheckView {
            module: &c.module,
            title: title(&c.module),
            status: match &c.verdict {
                None => "unchecked",
                Some(v) if v.problems => "problems",
                Some(_) => "ok",
            },
            platform: {
                let mine: Vec<_> = ctx
                    .siblings
                    .iter()
                    .filter(|s| s.module == c.module)
                    .collect();
                match mine.as_slice() {
                    [] => "none",
                    all if all.iter().all(|s| s.completed) => "complete",
                    _ => "open",
                }
            },
            note: c.verdict.as_ref().map_or("", |v| v.note.as_str()),
            by: c.verdict.as_ref().map(|v| v.by.name.as_str()),
            on: c.verdict.as_ref().map(|v| format_date(v.by.at)),
            photos: c
                .verdict
                .iter()
                .flat_map(|v| v.photos.iter().map(String::as_str))
                .collect(),
        })
        .collect();
    let reviews = state
        .reviews
        .iter()
        .map(|r| ReviewView {
            stage: r.stage.key(),
            note: &r.note,
            visited_on: r.visited_on.as_deref(),
            passed: r.passed,
            by: &r.by.name,
            on: format_date(r.by.at),
            photos: r.photos.iter().map(String::as_str).collect(),
        })
        .collect();
    let findings: Vec<FindingView<'_>> = state
        .findings
        .iter()
        .map(|f| {
            let by = f.found_by.title();
            FindingView {
                id: f.id,
                title: title(&f.module),
                problem: &f.problem,
                deadline: &f.deadline,
                found_by: if ctx.locale == Locale::En {
                    by.en
                } else {
                    by.zh
                },
                status: match (&f.closed, &f.fix) {
                    (Some(_), _) => "closed",
                    (None, Some(_)) => "fixed",
                    (None, None) => "open",
                },
                fix: f.fix.as_ref().map(|x| x.note.as_str()),
                sent_back: f.sent_back.as_deref(),
                closed_on: f.closed.as_ref().map(|s| format_date(s.at)),
                can_fix: villager && f.closed.is_none() && f.fix.is_none(),
                can_close: role == f.found_by && f.closed.is_none() && f.fix.is_some(),
            }
        })
        .collect();
    View::new(
        "look-back",
        &Page {
            village: &ctx.village.name,
            done: progress.done,
            total: progress.total,
            complete: progress.is_complete(),
            stage: stage.key(),
            checks,
            reviews,
            open: findings.iter().filter(|f| f.status != "closed").count(),
            findings,
            can_check: stage == Stage::SelfCheck && role == Role::TownshipOfficer,
            can_find: stage.role().is_some_and(|r| r == role),
            can_confirm: stage == Stage::County && role == Role::CountyTrainer,
            can_verify: stage == Stage::City && role == Role::CityOfficer,
            can_judge: stage == Stage::Province && role == Role::ProvinceAdmin,
        },
    )
}
