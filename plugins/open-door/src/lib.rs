//! 开门一件事 — the new team's first undertakings, in public.
//!
//! 陕西: the new committee visits households widely (民情大走访), drafts a
//! village development plan (村庄发展规划) and makes three commitments —
//! 竞职承诺 (what it promised when standing), 干事承诺 (what it will do, with
//! milestones and deadlines) and 辞职承诺 (when its members will step down).
//! The commitments are published for any villager to read; progress is
//! reported per milestone with evidence and the township verifies each one.

mod state;
mod view;

use baton_sdk::{
    ActionInfo, Audience, Awaiting, Context, Effects, Module, ModuleInfo, Progress, Recipient,
    Rejection, Role, Template, Text, View, check,
};

pub use state::{
    Action, CloseRequest, Closing, Commit, Commitment, Config, Kind, LogRequest, Milestone,
    NewMilestone, Plan, Project, Publish, RecordVisits, Report, ReportProgress, Request,
    Satisfaction, SignCommitments, State, Verification, Verify, Visits,
};

/// The 开门一件事 module.
pub struct OpenDoor;

baton_sdk::export_module!(OpenDoor);

impl Module for OpenDoor {
    type State = State;
    type Action = Action;
    type Config = Config;

    fn info() -> ModuleInfo {
        ModuleInfo {
            id: "open-door".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: Text::new("开门一件事", "One thing on opening"),
            summary: Text::new(
                "开展民情大走访，制定村庄发展规划，作出竞职承诺、干事承诺和辞职承诺并公开，按节点报告进展，由乡镇逐项核实。",
                "Visit households, draft the village development plan, make and publish the campaign, work and resignation commitments, and report each milestone for the township to verify.",
            ),
            audience: Audience::Committee,
            actions: vec![
                ActionInfo::new::<RecordVisits>(
                    "record-visits",
                    Text::new("登记民情走访", "Record household visits"),
                ),
                ActionInfo::new::<Plan>(
                    "submit-plan",
                    Text::new("提交村庄发展规划", "Submit the development plan"),
                ),
                ActionInfo::new::<Commit>("commit", Text::new("作出承诺", "Make a commitment")),
                ActionInfo::new::<Publish>(
                    "publish",
                    Text::new("公开承诺", "Publish the commitments"),
                ),
                ActionInfo::new::<ReportProgress>(
                    "report",
                    Text::new("报告进展", "Report progress"),
                ),
                ActionInfo::new::<Verify>("verify", Text::new("核实节点", "Verify a milestone")),
                ActionInfo::new::<LogRequest>(
                    "log-request",
                    Text::new("登记民情台账", "Log a household's request"),
                ),
                ActionInfo::new::<CloseRequest>(
                    "close-request",
                    Text::new("办结群众诉求", "Close a request"),
                ),
                ActionInfo::new::<SignCommitments>(
                    "sign-commitments",
                    Text::new("班子成员签名承诺", "Sign the commitments"),
                ),
            ],
            templates: vec![
                Template::new(
                    "opening",
                    include_str!("../templates/opening.zh.hbs"),
                    include_str!("../templates/opening.en.hbs"),
                ),
                Template::new(
                    baton_sdk::PUBLIC_TEMPLATE,
                    include_str!("../templates/public.zh.hbs"),
                    include_str!("../templates/public.en.hbs"),
                ),
            ],
            estimated_minutes: 240,
            config_schema: baton_sdk::schema::<Config>(),
            reviewers: Vec::new(),
        }
    }

    fn check_config(config: &Config) -> Result<(), Rejection> {
        if config.min_milestones > 20 {
            return Err(Rejection::invalid(
                "config.min_milestones",
                "每项承诺的节点数不应超过 20",
                "must be at most 20",
            ));
        }
        Ok(())
    }

    fn start(ctx: &Context<Config>) -> Result<State, Rejection> {
        Ok(State {
            household_target: ctx.config.household_target,
            visits: Vec::new(),
            plan: None,
            commitments: Vec::new(),
            published: None,
            ledger: Vec::new(),
            signatures: Vec::new(),
        })
    }

    fn act(ctx: &Context<Config>, state: &mut State, action: Action) -> Result<Effects, Rejection> {
        match action {
            Action::RecordVisits(p) => record_visits(ctx, state, p),
            Action::SubmitPlan(p) => submit_plan(ctx, state, p),
            Action::Commit(p) => commit(ctx, state, p),
            Action::Publish(_) => publish(ctx, state),
            Action::Report(p) => report(ctx, state, p),
            Action::Verify(p) => verify(ctx, state, p),
            Action::LogRequest(p) => log_request(ctx, state, p),
            Action::CloseRequest(p) => close_request(ctx, state, p),
            Action::SignCommitments(p) => sign_commitments(ctx, state, &p),
        }
    }

    fn progress(state: &State) -> Progress {
        let milestones = state.commitments.iter().flat_map(|c| &c.milestones);
        let (verified, all) = milestones.fold((0, 0), |(v, a), m| {
            (v + u32::from(m.verified.is_some()), a + 1)
        });
        let made = u32::try_from(state.commitments.len()).unwrap_or(0);
        Progress {
            done: u32::from(state.households() >= state.household_target)
                + u32::from(state.plan.is_some())
                + made
                + u32::from(state.published.is_some())
                + verified,
            total: 6 + all,
        }
    }

    /// The committee visits households and the secretary plans, commits and
    /// publishes; afterwards the township verifies each milestone the
    /// village has reported progress on (never one with nothing reported).
    fn awaiting(ctx: &Context<Config>, state: &State) -> Vec<Awaiting> {
        if state.published.is_none() {
            let (zh, en) = if state.households() < state.household_target {
                ("入户走访群众", "visit households")
            } else if state.plan.is_none() {
                ("制定任期规划", "draw up the term plan")
            } else {
                ("作出并公开承诺", "make and publish the commitments")
            };
            return vec![Awaiting::role(Role::Secretary, Text::new(zh, en), "plan")];
        }
        let mut out: Vec<Awaiting> = state
            .commitments
            .iter()
            .flat_map(|c| c.milestones.iter())
            .filter(|m| !m.reports.is_empty() && m.verified.is_none())
            .map(|m| {
                Awaiting::role(
                    Role::TownshipOfficer,
                    Text::new(
                        format!("核实“{}”", m.title),
                        format!("verify “{}”", m.title),
                    ),
                    &m.title,
                )
            })
            .collect();
        // Each member signs the published commitments.
        for m in ctx.people() {
            if !state.signatures.iter().any(|s| s.person_id == m.person_id) {
                out.push(Awaiting::person(
                    &m.person_id,
                    Text::new("签名承诺", "sign the commitments"),
                    format!("commitments:{}", m.person_id),
                ));
            }
        }
        out
    }

    fn view(ctx: &Context<Config>, state: &State) -> View {
        view::render(ctx, state)
    }
}

/// 民情台账: a household's request, who answers for it, and by when.
fn log_request(
    ctx: &Context<Config>,
    state: &mut State,
    p: LogRequest,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary, Role::Member])?;
    check::required("household", &p.household)?;
    check::required("request", &p.request)?;
    check::required("responsible", &p.responsible)?;
    check::date("deadline", &p.deadline)?;
    let id = state.ledger.iter().map(|r| r.id).max().unwrap_or(0) + 1;
    state.ledger.push(Request {
        id,
        household: p.household.trim().to_owned(),
        request: p.request.trim().to_owned(),
        responsible: p.responsible.trim().to_owned(),
        deadline: p.deadline.trim().to_owned(),
        by: ctx.stamp(),
        closed: None,
    });
    Ok(Effects::none())
}

/// 办结: what was done for a request, and the household's verdict.
fn close_request(
    ctx: &Context<Config>,
    state: &mut State,
    p: CloseRequest,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary, Role::Member])?;
    check::required("result", &p.result)?;
    let Some(request) = state.ledger.iter_mut().find(|r| r.id == p.id) else {
        return Err(Rejection::invalid(
            "id",
            format!("民情台账中没有第 {} 条", p.id),
            format!("the ledger has no request {}", p.id),
        ));
    };
    if request.closed.is_some() {
        return Err(Rejection::conflict(
            format!("第 {} 条已经办结", p.id),
            format!("request {} is already closed", p.id),
        ));
    }
    request.closed = Some(Closing {
        result: p.result.trim().to_owned(),
        satisfaction: p.satisfaction,
        by: ctx.stamp(),
    });
    Ok(Effects::none())
}

/// Each member of the new committees signs the published commitments.
fn sign_commitments(
    ctx: &Context<Config>,
    state: &mut State,
    p: &SignCommitments,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary, Role::Member])?;
    if !p.agree {
        return Err(Rejection::invalid(
            "agree",
            "请阅读承诺后勾选签名",
            "read the commitments and tick to sign",
        ));
    }
    if state.published.is_none() {
        return Err(Rejection::conflict(
            "承诺公开后再签名",
            "sign once the commitments are published",
        ));
    }
    let me = &ctx.actor.person_id;
    if state.signatures.iter().any(|s| &s.person_id == me) {
        return Err(Rejection::conflict("你已经签名", "you have already signed"));
    }
    state.signatures.push(ctx.stamp());
    let titles: Vec<&str> = state.commitments.iter().map(|c| c.title.as_str()).collect();
    let who = &ctx.actor.name;
    let statement = Text::new(
        format!(
            "本人{who}作为班子成员签名承诺：{}，接受群众监督。",
            titles.join("；")
        ),
        format!(
            "I, {who}, a member of the committees, sign the commitments: {}; I answer to the villagers for them.",
            titles.join("; ")
        ),
    );
    Ok(Effects::none().signoff(ctx.signoff(format!("commitments:{me}"), statement)))
}

fn not_after_publishing(state: &State) -> Result<(), Rejection> {
    if state.published.is_some() {
        return Err(Rejection::conflict(
            "承诺已经公开，不能再修改",
            "the commitments are public and can no longer change",
        ));
    }
    Ok(())
}

fn record_visits(
    ctx: &Context<Config>,
    state: &mut State,
    p: RecordVisits,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary, Role::Member])?;
    check::past_date("date", &p.date, ctx)?;
    if p.households == 0 {
        return Err(Rejection::invalid(
            "households",
            "走访户数至少为 1",
            "must be at least 1",
        ));
    }
    for (i, issue) in p.issues.iter().enumerate() {
        check::required(format!("issues.{i}"), issue)?;
    }
    state.visits.push(Visits {
        date: p.date.trim().to_owned(),
        households: p.households,
        issues: p.issues.iter().map(|s| s.trim().to_owned()).collect(),
        by: ctx.stamp(),
    });
    Ok(Effects::none())
}

fn submit_plan(ctx: &Context<Config>, state: &mut State, p: Plan) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary])?;
    not_after_publishing(state)?;
    if p.goals.is_empty() {
        return Err(Rejection::invalid(
            "goals",
            "至少写一个目标",
            "write at least one goal",
        ));
    }
    for (i, goal) in p.goals.iter().enumerate() {
        check::required(format!("goals.{i}"), goal)?;
    }
    if p.projects.is_empty() {
        return Err(Rejection::invalid(
            "projects",
            "至少列一个项目",
            "list at least one project",
        ));
    }
    for (i, project) in p.projects.iter().enumerate() {
        check::required(format!("projects.{i}.name"), &project.name)?;
        let start = check::date(format!("projects.{i}.start"), &project.start)?;
        let end = check::date(format!("projects.{i}.end"), &project.end)?;
        if end < start {
            return Err(Rejection::invalid(
                format!("projects.{i}.end"),
                "完成日期不能早于开始日期",
                "cannot be before the start",
            ));
        }
    }
    if !p.adopted_on.trim().is_empty() {
        check::past_date("adopted_on", &p.adopted_on, ctx)?;
    }
    state.plan = Some(Plan {
        adopted_on: p.adopted_on.trim().to_owned(),
        ..p
    });
    Ok(Effects::none())
}

fn commit(ctx: &Context<Config>, state: &mut State, p: Commit) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary])?;
    not_after_publishing(state)?;
    check::required("title", &p.title)?;
    check::required("text", &p.text)?;
    let today = baton_sdk::format_date(ctx.now + 8 * 3600);
    let mut milestones = Vec::new();
    if p.kind == Kind::Resignation {
        if !p.milestones.is_empty() {
            return Err(Rejection::invalid(
                "milestones",
                "辞职承诺写明辞职情形即可，不设节点",
                "a resignation commitment has conditions, not milestones",
            ));
        }
        if p.conditions.is_empty() {
            return Err(Rejection::invalid(
                "conditions",
                "请写明在什么情形下主动辞职",
                "say when a member will step down",
            ));
        }
        for (i, c) in p.conditions.iter().enumerate() {
            check::required(format!("conditions.{i}"), c)?;
        }
    } else {
        let min = ctx.config.min_milestones;
        if p.milestones.len() < usize::try_from(min).unwrap_or(usize::MAX) {
            return Err(Rejection::invalid(
                "milestones",
                format!("至少要有 {min} 个节点"),
                format!("needs at least {min} milestones"),
            ));
        }
        for (i, m) in p.milestones.iter().enumerate() {
            check::required(format!("milestones.{i}.title"), &m.title)?;
            check::date(format!("milestones.{i}.due"), &m.due)?;
            if m.due.trim() < today.as_str() {
                return Err(Rejection::invalid(
                    format!("milestones.{i}.due"),
                    format!("期限 {} 已经过去", m.due),
                    format!("{} is already past", m.due),
                ));
            }
            milestones.push(Milestone {
                title: m.title.trim().to_owned(),
                due: m.due.trim().to_owned(),
                reports: Vec::new(),
                verified: None,
            });
        }
        if !p.conditions.is_empty() {
            return Err(Rejection::invalid(
                "conditions",
                "只有辞职承诺需要写辞职情形",
                "only the resignation commitment has conditions",
            ));
        }
    }
    let commitment = Commitment {
        kind: p.kind,
        title: p.title.trim().to_owned(),
        text: p.text.trim().to_owned(),
        milestones,
        conditions: p.conditions.iter().map(|c| c.trim().to_owned()).collect(),
        by: ctx.stamp(),
    };
    state.commitments.retain(|c| c.kind != p.kind);
    state.commitments.push(commitment);
    state
        .commitments
        .sort_by_key(|c| Kind::ALL.iter().position(|k| *k == c.kind));
    Ok(Effects::none())
}

fn publish(ctx: &Context<Config>, state: &mut State) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary])?;
    not_after_publishing(state)?;
    let mut missing: Vec<(&str, &str)> = Vec::new();
    if state.households() < state.household_target {
        missing.push((
            "民情走访户数未达要求",
            "the household visits are short of the target",
        ));
    }
    if state.plan.is_none() {
        missing.push(("村庄发展规划", "the development plan"));
    }
    for (kind, zh, en) in [
        (Kind::Campaign, "竞职承诺", "the campaign commitment"),
        (Kind::Work, "干事承诺", "the work commitment"),
        (Kind::Resignation, "辞职承诺", "the resignation commitment"),
    ] {
        if state.commitment(kind).is_none() {
            missing.push((zh, en));
        }
    }
    if !missing.is_empty() {
        let (zh, en): (Vec<&str>, Vec<&str>) = missing.into_iter().unzip();
        return Err(Rejection::conflict(
            format!("公开前还需完成：{}", zh.join("、")),
            format!("before publishing, still needed: {}", en.join(", ")),
        ));
    }
    state.published = Some(ctx.stamp());
    let (who, village) = (&ctx.actor.name, &ctx.village.name);
    let titles: Vec<&str> = state.commitments.iter().map(|c| c.title.as_str()).collect();
    let statement = Text::new(
        format!(
            "本人{who}代表{village}新一届班子公开承诺：{}，接受群众监督。",
            titles.join("；")
        ),
        format!(
            "I, {who}, publish the commitments of {village}'s new committees: {}; we answer to the villagers for them.",
            titles.join("; ")
        ),
    );
    Ok(Effects::none()
        .signoff(ctx.signoff("published", statement))
        .notify(
            Recipient::Role(Role::TownshipOfficer),
            Text::new(
                format!("{village}已公开三项承诺，请按节点核实。"),
                format!("{village} has published its three commitments; verify them milestone by milestone."),
            ),
        ))
}

fn milestone(state: &mut State, kind: Kind, index: usize) -> Result<&mut Milestone, Rejection> {
    if state.published.is_none() {
        return Err(Rejection::conflict(
            "承诺公开后才能报告和核实进展",
            "progress is reported and verified once the commitments are public",
        ));
    }
    let commitment = state
        .commitments
        .iter_mut()
        .find(|c| c.kind == kind)
        .filter(|c| !c.milestones.is_empty())
        .ok_or_else(|| {
            Rejection::invalid(
                "kind",
                "只有竞职承诺和干事承诺有节点",
                "only the campaign and work commitments have milestones",
            )
        })?;
    let n = commitment.milestones.len();
    commitment.milestones.get_mut(index).ok_or_else(|| {
        Rejection::invalid(
            "milestone",
            format!("这项承诺只有 {n} 个节点"),
            format!("the commitment has only {n} milestones"),
        )
    })
}

fn report(
    ctx: &Context<Config>,
    state: &mut State,
    p: ReportProgress,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary, Role::Member])?;
    check::required("evidence", &p.evidence)?;
    ctx.require_attachments("photos", &p.photos)?;
    let m = milestone(state, p.kind, p.milestone)?;
    if m.verified.is_some() {
        return Err(Rejection::conflict(
            "该节点已经乡镇核实",
            "this milestone is already verified",
        ));
    }
    m.reports.push(Report {
        evidence: p.evidence.trim().to_owned(),
        photos: p.photos,
        by: ctx.stamp(),
    });
    let title = m.title.clone();
    let village = &ctx.village.name;
    Ok(Effects::none().notify(
        Recipient::Role(Role::TownshipOfficer),
        Text::new(
            format!("{village}报告了“{title}”的进展，请核实。"),
            format!("{village} reported progress on “{title}”; please verify it."),
        ),
    ))
}

fn verify(ctx: &Context<Config>, state: &mut State, p: Verify) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::TownshipOfficer])?;
    let m = milestone(state, p.kind, p.milestone)?;
    if m.reports.is_empty() {
        return Err(Rejection::conflict(
            "村里尚未报告该节点的进展",
            "the village has not reported progress on this milestone",
        ));
    }
    if m.verified.is_some() {
        return Err(Rejection::conflict(
            "该节点已经核实过了",
            "this milestone is already verified",
        ));
    }
    m.verified = Some(Verification {
        stamp: ctx.stamp(),
        remarks: p.remarks.trim().to_owned(),
    });
    let (who, village, title) = (&ctx.actor.name, &ctx.village.name, m.title.clone());
    let statement = Text::new(
        format!("本人{who}已核实{village}“{title}”完成情况，属实。"),
        format!("I, {who}, have verified that {village} completed “{title}”."),
    );
    Ok(Effects::none().signoff(ctx.signoff(
        format!("verify:{}:{}", p.kind.key(), p.milestone),
        statement,
    )))
}
