//! 回头看 — the look-back review of a village's post-election work.
//!
//! 河北 made sure the work after the election was really done: the county
//! and township checked themselves, the city verified on site, the province
//! judged. Here one enrollment is one sampled village's review: the township
//! checks each of the village's modules (done as required, or problems with
//! notes and photos), the county confirms, the city verifies on site, the
//! province judges. Every problem found at any level opens a rectification
//! (整改) with a deadline: the village reports the fix, and only the level
//! that found the problem closes it.
//!
//! Like every built-in module it uses nothing but `baton-sdk`'s public API;
//! it names the county, the city and the province as its reviewers, so the
//! host lets them act in it.

mod state;
mod view;

use baton_sdk::{
    ActionInfo, Audience, Awaiting, Context, Effects, Module, ModuleInfo, Progress, Recipient,
    Rejection, Role, Template, Text, View, check,
};

pub use state::*;

/// The look-back module.
pub struct LookBack;

baton_sdk::export_module!(LookBack);

/// The staff above the township who review, in order.
pub const REVIEWERS: [Role; 3] = [Role::CountyTrainer, Role::CityOfficer, Role::ProvinceAdmin];

impl Module for LookBack {
    type State = State;
    type Action = Action;
    type Config = Config;

    fn info() -> ModuleInfo {
        let action = |name, zh, en| (name, Text::new(zh, en));
        let (check, find, confirm, verify, judge, fix, close) = (
            action("self-check", "自查一项工作", "Check a module"),
            action("find", "提出问题", "Raise a problem"),
            action("confirm", "县级确认", "Confirm (county)"),
            action("verify", "市级实地核查", "Verify on site (city)"),
            action("judge", "省级研判", "Judge (province)"),
            action("report-fix", "报告整改情况", "Report the fix"),
            action("close", "核验整改", "Verify the fix"),
        );
        ModuleInfo {
            id: "look-back".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: Text::new("换届“回头看”", "Look-back review"),
            summary: Text::new(
                "对抽样村逐项回头看：乡镇自查、县级确认、市级实地核查、省级研判；发现的问题限期整改，由发现问题的层级核验销号。",
                "A sampled village's post-election work reviewed: township self-check, county confirmation, city verification on site, province judgement; each problem found is rectified by a deadline and closed by the level that found it.",
            ),
            audience: Audience::Committee,
            actions: vec![
                ActionInfo::new::<SelfCheck>(check.0, check.1),
                ActionInfo::new::<Find>(find.0, find.1),
                ActionInfo::new::<Confirm>(confirm.0, confirm.1),
                ActionInfo::new::<Verify>(verify.0, verify.1),
                ActionInfo::new::<Judge>(judge.0, judge.1),
                ActionInfo::new::<ReportFix>(fix.0, fix.1),
                ActionInfo::new::<Close>(close.0, close.1),
            ],
            templates: vec![Template::new(
                "look-back",
                include_str!("../templates/look-back.zh.hbs"),
                include_str!("../templates/look-back.en.hbs"),
            )],
            estimated_minutes: 60,
            config_schema: baton_sdk::schema::<Config>(),
            reviewers: REVIEWERS.to_vec(),
        }
    }

    fn check_config(config: &Config) -> Result<(), Rejection> {
        if config.modules.is_empty() {
            return Err(Rejection::invalid(
                "config.modules",
                "至少要检查一项工作",
                "name at least one module to check",
            ));
        }
        for (i, m) in config.modules.iter().enumerate() {
            let kebab = !m.is_empty()
                && m.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !kebab || config.modules[..i].contains(m) {
                return Err(Rejection::invalid(
                    format!("config.modules.{i}"),
                    format!("“{m}”不是模块编号，或重复了"),
                    format!("`{m}` is not a module id, or is repeated"),
                ));
            }
        }
        Ok(())
    }

    /// One check per module the province's config names: the same on every
    /// replay (a module sees the village's other enrollments only in `view`).
    fn start(ctx: &Context<Config>) -> Result<State, Rejection> {
        let checks = ctx
            .config
            .modules
            .iter()
            .map(|m| Check {
                module: m.clone(),
                verdict: None,
            })
            .collect();
        Ok(State {
            checks,
            reviews: Vec::new(),
            findings: Vec::new(),
        })
    }

    fn act(ctx: &Context<Config>, state: &mut State, action: Action) -> Result<Effects, Rejection> {
        match action {
            Action::SelfCheck(p) => self_check(ctx, state, p),
            Action::Find(p) => find(ctx, state, p),
            Action::Confirm(p) => review(ctx, state, Stage::County, p.note, None, Vec::new()),
            Action::Verify(p) => {
                check::past_date("visited_on", &p.visited_on, ctx)?;
                ctx.require_attachments("photos", &p.photos)?;
                review(
                    ctx,
                    state,
                    Stage::City,
                    p.note,
                    Some(p.visited_on),
                    p.photos,
                )
            }
            Action::Judge(p) => judge(ctx, state, p),
            Action::ReportFix(p) => report_fix(ctx, state, p),
            Action::Close(p) => close(ctx, state, p),
        }
    }

    fn progress(state: &State) -> Progress {
        let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX / 4);
        let checked = state.checks.iter().filter(|c| c.verdict.is_some()).count();
        let closed = state.findings.iter().filter(|f| f.closed.is_some()).count();
        Progress {
            done: n(checked + state.reviews.len() + closed),
            total: n(state.checks.len() + 3 + state.findings.len()),
        }
    }

    /// The level whose step it is, and for each open problem the village
    /// (to fix it) or the level that found it (to verify the fix).
    fn awaiting(_: &Context<Config>, state: &State) -> Vec<Awaiting> {
        let mut out = Vec::new();
        if let Some(stage) = state.stage().role() {
            let what = match state.stage() {
                Stage::SelfCheck => Text::new("回头看：乡镇自查", "look-back: township self-check"),
                Stage::County => Text::new("回头看：县级确认", "look-back: county confirmation"),
                Stage::City => Text::new("回头看：市级实地核查", "look-back: city verification"),
                _ => Text::new("回头看：省级研判", "look-back: province judgement"),
            };
            out.push(Awaiting::role(stage, what, state.stage().key()));
        }
        for f in state.findings.iter().filter(|f| f.closed.is_none()) {
            let subject = format!("finding:{}", f.id);
            out.push(match &f.fix {
                None => Awaiting::role(
                    Role::Secretary,
                    Text::new(
                        format!("整改：{}（{} 前）", f.problem, f.deadline),
                        format!("rectify: {} (by {})", f.problem, f.deadline),
                    ),
                    subject,
                ),
                Some(_) => Awaiting::role(
                    f.found_by,
                    Text::new(
                        format!("核验整改：{}", f.problem),
                        format!("verify the fix: {}", f.problem),
                    ),
                    subject,
                ),
            });
        }
        out
    }

    fn view(ctx: &Context<Config>, state: &State) -> View {
        view::render(ctx, state)
    }
}

fn self_check(
    ctx: &Context<Config>,
    state: &mut State,
    p: SelfCheck,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::TownshipOfficer])?;
    if state.stage() != Stage::SelfCheck {
        return Err(Rejection::conflict(
            "乡镇自查已经结束",
            "the township's self-check is over",
        ));
    }
    ctx.require_attachments("photos", &p.photos)?;
    let item = state
        .checks
        .iter_mut()
        .find(|c| c.module == p.module)
        .ok_or_else(|| {
            Rejection::invalid(
                "module",
                format!("“{}”不在本村回头看的检查项目中", p.module),
                format!("`{}` is not one of this review's modules", p.module),
            )
        })?;
    if item.verdict.is_some() {
        return Err(Rejection::conflict(
            format!("{}已经自查过了", module_title(&p.module).zh),
            format!("{} has been checked already", module_title(&p.module).en),
        ));
    }
    if p.problems {
        check::required("note", &p.note)?;
        check::date("deadline", &p.deadline)?;
    }
    let module = p.module.clone();
    item.verdict = Some(Verdict {
        problems: p.problems,
        note: p.note.trim().to_owned(),
        photos: p.photos,
        by: ctx.stamp(),
    });
    let title = module_title(&module);
    let mut effects = Effects::none().signoff(ctx.signoff(
        format!("check:{module}"),
        if p.problems {
            Text::new(
                format!("{}自查发现问题：{}", title.zh, p.note.trim()),
                format!("{} checked: problems found: {}", title.en, p.note.trim()),
            )
        } else {
            Text::new(
                format!("{}经自查已按要求完成", title.zh),
                format!("{} checked: done as required", title.en),
            )
        },
    ));
    if p.problems {
        effects = open(ctx, state, effects, module, p.note, p.deadline);
    }
    Ok(effects)
}

/// The level whose step it is raises a problem of its own.
fn find(ctx: &Context<Config>, state: &mut State, p: Find) -> Result<Effects, Rejection> {
    let stage = state.stage();
    let Some(role) = stage.role() else {
        return Err(Rejection::conflict(
            "回头看已经研判完毕，不再提出新问题",
            "the review has been judged; no new problems are raised",
        ));
    };
    ctx.require_role(&[role])?;
    if !state.checks.iter().any(|c| c.module == p.module) {
        return Err(Rejection::invalid(
            "module",
            format!("“{}”不在本村回头看的检查项目中", p.module),
            format!("`{}` is not one of this review's modules", p.module),
        ));
    }
    check::required("problem", &p.problem)?;
    check::date("deadline", &p.deadline)?;
    Ok(open(
        ctx,
        state,
        Effects::none(),
        p.module,
        p.problem,
        p.deadline,
    ))
}

/// Opens a rectification and tells the village.
fn open(
    ctx: &Context<Config>,
    state: &mut State,
    effects: Effects,
    module: String,
    problem: String,
    deadline: String,
) -> Effects {
    let id = state.findings.iter().map(|f| f.id).max().unwrap_or(0) + 1;
    let (problem, deadline) = (problem.trim().to_owned(), deadline.trim().to_owned());
    let message = Text::new(
        format!("回头看发现问题：{problem}。请于 {deadline} 前完成整改并报告。"),
        format!("The look-back found a problem: {problem}. Rectify it and report by {deadline}."),
    );
    state.findings.push(Finding {
        id,
        module,
        problem,
        deadline,
        found_by: ctx.actor.role,
        opened: ctx.stamp(),
        fix: None,
        sent_back: None,
        closed: None,
    });
    effects.notify(Recipient::Role(Role::Secretary), message)
}

/// The county's confirmation or the city's verification: the step of `stage`.
fn review(
    ctx: &Context<Config>,
    state: &mut State,
    stage: Stage,
    note: String,
    visited_on: Option<String>,
    photos: Vec<String>,
) -> Result<Effects, Rejection> {
    let role = stage.role().unwrap_or(Role::ProvinceAdmin);
    ctx.require_role(&[role])?;
    if state.stage() != stage {
        return Err(not_now(state.stage()));
    }
    let statement = match stage {
        Stage::County => Text::new(
            "县级已确认乡镇自查结果",
            "The county confirms the self-check",
        ),
        _ => Text::new(
            format!("市级已于 {} 实地核查", visited_on.as_deref().unwrap_or("")),
            format!(
                "The city verified on site on {}",
                visited_on.as_deref().unwrap_or("")
            ),
        ),
    };
    state.reviews.push(Review {
        stage,
        note: note.trim().to_owned(),
        visited_on,
        passed: None,
        photos,
        by: ctx.stamp(),
    });
    Ok(Effects::none().signoff(ctx.signoff(stage.key(), statement)))
}

fn judge(ctx: &Context<Config>, state: &mut State, p: Judge) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::ProvinceAdmin])?;
    if state.stage() != Stage::Province {
        return Err(not_now(state.stage()));
    }
    if !p.passed {
        check::required("note", &p.note)?;
    }
    let (zh, en) = if p.passed {
        ("合格", "passed")
    } else {
        ("不合格", "failed")
    };
    state.reviews.push(Review {
        stage: Stage::Province,
        note: p.note.trim().to_owned(),
        visited_on: None,
        passed: Some(p.passed),
        photos: Vec::new(),
        by: ctx.stamp(),
    });
    let statement = Text::new(
        format!("省级研判：{zh}"),
        format!("Province judgement: {en}"),
    );
    Ok(Effects::none()
        .signoff(ctx.signoff(Stage::Province.key(), statement))
        .notify(
            Recipient::Role(Role::Secretary),
            Text::new(
                format!("本村换届回头看省级研判结果：{zh}。"),
                format!("The province judged this village's look-back: {en}."),
            ),
        ))
}

fn report_fix(
    ctx: &Context<Config>,
    state: &mut State,
    p: ReportFix,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary, Role::Member])?;
    check::required("note", &p.note)?;
    ctx.require_attachments("photos", &p.photos)?;
    let f = finding(state, p.finding)?;
    if f.closed.is_some() {
        return Err(Rejection::conflict(
            "该问题已整改销号",
            "this problem is closed",
        ));
    }
    if f.fix.is_some() {
        return Err(Rejection::conflict(
            "整改情况已报告，正在等待核验",
            "the fix is reported and awaits verification",
        ));
    }
    f.fix = Some(Fix {
        note: p.note.trim().to_owned(),
        photos: p.photos,
        by: ctx.stamp(),
    });
    let problem = f.problem.clone();
    Ok(Effects::none().notify(
        Recipient::Role(f.found_by),
        Text::new(
            format!("村里已报告整改情况，请核验：{problem}"),
            format!("The village reports a fix; please verify: {problem}"),
        ),
    ))
}

fn close(ctx: &Context<Config>, state: &mut State, p: Close) -> Result<Effects, Rejection> {
    let f = finding(state, p.finding)?;
    ctx.require_role(&[f.found_by]).map_err(|_| {
        let by = f.found_by.title();
        Rejection::forbidden(
            format!("只有提出问题的{}可以核验销号", by.zh),
            format!("only the {} who found the problem may close it", by.en),
        )
    })?;
    if f.closed.is_some() {
        return Err(Rejection::conflict(
            "该问题已整改销号",
            "this problem is closed",
        ));
    }
    if f.fix.is_none() {
        return Err(Rejection::conflict(
            "村里尚未报告整改情况",
            "the village has not reported a fix yet",
        ));
    }
    if !p.accepted {
        check::required("note", &p.note)?;
        f.fix = None;
        f.sent_back = Some(p.note.trim().to_owned());
        let message = Text::new(
            format!("整改未通过核验：{}。请继续整改后再报告。", p.note.trim()),
            format!(
                "The fix was not accepted: {}. Rectify it and report again.",
                p.note.trim()
            ),
        );
        return Ok(Effects::none().notify(Recipient::Role(Role::Secretary), message));
    }
    f.closed = Some(ctx.stamp());
    let statement = Text::new(
        format!("问题已整改到位，核验销号：{}", f.problem),
        format!("Rectified and closed: {}", f.problem),
    );
    Ok(Effects::none().signoff(ctx.signoff(format!("finding:{}", f.id), statement)))
}

fn finding(state: &mut State, id: u32) -> Result<&mut Finding, Rejection> {
    state
        .findings
        .iter_mut()
        .find(|f| f.id == id)
        .ok_or_else(|| {
            Rejection::invalid(
                "finding",
                format!("没有编号为 {id} 的问题"),
                format!("there is no problem number {id}"),
            )
        })
}

fn not_now(stage: Stage) -> Rejection {
    let (zh, en) = match stage {
        Stage::SelfCheck => (
            "乡镇自查尚未完成",
            "the township's self-check is not finished",
        ),
        Stage::County => ("正在等待县级确认", "the county has not confirmed yet"),
        Stage::City => ("正在等待市级实地核查", "the city has not verified yet"),
        Stage::Province => ("正在等待省级研判", "the province has not judged yet"),
        Stage::Judged => ("回头看已经研判完毕", "the review has been judged"),
    };
    Rejection::conflict(zh, en)
}

/// A module's name for people: the built-ins by title, others by id.
pub fn module_title(id: &str) -> Text {
    let (zh, en) = match id {
        "handover" => ("工作交接", "Handover"),
        "visits" => ("离任干部走访", "Retiree visits"),
        "first-lesson" => ("第一课", "First lesson"),
        "duties" => ("定人定岗定责", "Roles and duties"),
        "open-door" => ("开门一件事", "One thing on opening"),
        "swearing-in" => ("集体宣誓就职", "Swearing-in"),
        "pledge" => ("纪律承诺与县级备案", "Pledge and filing"),
        other => (other, other),
    };
    Text::new(zh, en)
}
