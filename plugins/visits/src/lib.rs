//! 离任走访 — visiting the cadres who left at the election.
//!
//! 辽宁: a heart-to-heart talk (谈心谈话) with every outgoing or defeated (落选)
//! cadre, and living subsidies (生活补助) for eligible retired cadres. 上海:
//! honourable-retirement ceremonies (荣退仪式) and pairing new secretaries with
//! old ones (新老书记结对, 传帮带). 宁夏: visits covering every retiring
//! secretary. Each talk is logged (date, visitors, what was discussed,
//! follow-ups); the township officer confirms when everyone has been visited.

mod state;
mod view;

use baton_sdk::{
    ActionInfo, Audience, Awaiting, Context, Departure, Effects, Module, ModuleInfo, Progress,
    Recipient, Rejection, Role, Template, Text, View, check,
};

pub use state::{
    AcknowledgeSubsidy, Action, Approval, ApproveSubsidy, Ceremony, Config, Confirm, Confirmation,
    HoldCeremony, LogTalk, Pair, Pairing, PaySubsidy, Payment, Person, RecordSubsidy, State, Step,
    Subsidy, Talk,
};

/// The retiree-visits module.
pub struct Visits;

baton_sdk::export_module!(Visits);

impl Module for Visits {
    type State = State;
    type Action = Action;
    type Config = Config;

    fn info() -> ModuleInfo {
        ModuleInfo {
            id: "visits".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: Text::new("离任干部走访慰问", "Visiting outgoing cadres"),
            summary: Text::new(
                "对每一位离任和落选干部谈心谈话，落实生活补助，举行荣退仪式，新老书记结对传帮带，乡镇确认走访全覆盖。",
                "A heart-to-heart talk with every outgoing and defeated cadre, their living subsidy, an honourable-retirement ceremony and pairing with the new secretary; the township confirms everyone was visited.",
            ),
            audience: Audience::Committee,
            actions: vec![
                ActionInfo::new::<LogTalk>("log-talk", Text::new("记录谈心谈话", "Log a talk")),
                ActionInfo::new::<RecordSubsidy>(
                    "record-subsidy",
                    Text::new("登记生活补助", "Record the living subsidy"),
                ),
                ActionInfo::new::<ApproveSubsidy>(
                    "approve-subsidy",
                    Text::new("审批生活补助", "Approve the living subsidy"),
                ),
                ActionInfo::new::<PaySubsidy>(
                    "pay-subsidy",
                    Text::new("登记补助发放", "Record a subsidy payment"),
                ),
                ActionInfo::new::<AcknowledgeSubsidy>(
                    "acknowledge-subsidy",
                    Text::new("签收生活补助", "Acknowledge the subsidy received"),
                ),
                ActionInfo::new::<HoldCeremony>(
                    "hold-ceremony",
                    Text::new("登记荣退仪式", "Record the retirement ceremony"),
                ),
                ActionInfo::new::<Pair>(
                    "pair",
                    Text::new("新老书记结对", "Pair with the old secretary"),
                ),
                ActionInfo::new::<Confirm>(
                    "confirm",
                    Text::new("确认走访完成", "Confirm the visits"),
                ),
            ],
            templates: vec![Template::new(
                "visits",
                include_str!("../templates/visits.zh.hbs"),
                include_str!("../templates/visits.en.hbs"),
            )],
            estimated_minutes: 120,
            config_schema: baton_sdk::schema::<Config>(),
            reviewers: Vec::new(),
        }
    }

    fn check_config(config: &Config) -> Result<(), Rejection> {
        for (i, step) in config.required.iter().enumerate() {
            if config.required[..i].contains(step) {
                return Err(Rejection::invalid(
                    format!("config.required.{i}"),
                    "步骤重复",
                    "is listed twice",
                ));
            }
        }
        if config.subsidy_min_years > 60 {
            return Err(Rejection::invalid(
                "config.subsidy_min_years",
                "任职年限不应超过 60 年",
                "must be at most 60 years",
            ));
        }
        Ok(())
    }

    fn start(ctx: &Context<Config>) -> Result<State, Rejection> {
        let people = ctx
            .outgoing
            .iter()
            .map(|o| {
                let retired = o.departure == Departure::Retired;
                let eligible = retired && o.years_served >= ctx.config.subsidy_min_years;
                let mut person = Person {
                    person_id: o.person_id.clone(),
                    name: o.name.clone(),
                    committee: o.committee,
                    post: o.post.clone(),
                    departure: o.departure,
                    years_served: o.years_served,
                    subsidy_eligible: eligible,
                    required: Vec::new(),
                    talks: Vec::new(),
                    subsidy: None,
                    ceremony: None,
                    pairing: None,
                };
                person.required = ctx
                    .config
                    .required
                    .iter()
                    .copied()
                    .filter(|step| match step {
                        Step::Subsidy => eligible,
                        Step::Ceremony => retired,
                        Step::Pairing => retired && person.was_secretary(),
                    })
                    .collect();
                person
            })
            .collect();
        Ok(State {
            people,
            confirmed: None,
        })
    }

    fn act(ctx: &Context<Config>, state: &mut State, action: Action) -> Result<Effects, Rejection> {
        match action {
            Action::LogTalk(p) => log_talk(ctx, state, p),
            Action::RecordSubsidy(p) => record_subsidy(ctx, state, p),
            Action::ApproveSubsidy(p) => approve_subsidy(ctx, state, p),
            Action::PaySubsidy(p) => pay_subsidy(ctx, state, p),
            Action::AcknowledgeSubsidy(p) => acknowledge_subsidy(ctx, state, p),
            Action::HoldCeremony(p) => hold_ceremony(ctx, state, p),
            Action::Pair(p) => pair(ctx, state, p),
            Action::Confirm(p) => confirm(ctx, state, p),
        }
    }

    fn progress(state: &State) -> Progress {
        let (done, total) = state
            .people
            .iter()
            .map(Person::steps)
            .fold((0, 0), |(d, t), (pd, pt)| (d + pd, t + pt));
        Progress {
            done: done + u32::from(state.confirmed.is_some()),
            total: total + 1,
        }
    }

    /// The new committee visits each cadre who left and records the steps
    /// their case needs; then the township confirms.
    fn awaiting(_: &Context<Config>, state: &State) -> Vec<Awaiting> {
        // A subsidy's decision and its receipt wait on their own, before
        // and after the township's confirmation.
        let mut subsidy: Vec<Awaiting> = Vec::new();
        for p in &state.people {
            let Some(s) = p.subsidy.as_ref().filter(|s| s.applied) else {
                continue;
            };
            if s.approval.is_none() {
                subsidy.push(Awaiting::role(
                    Role::TownshipOfficer,
                    Text::new(
                        format!("审批{}的生活补助", p.name),
                        format!("decide {}'s living subsidy", p.name),
                    ),
                    &format!("subsidy-approval:{}", p.person_id),
                ));
            } else if !s.payments.is_empty() && s.acknowledged.is_none() {
                subsidy.push(Awaiting::person(
                    &p.person_id,
                    Text::new("签收生活补助", "acknowledge your living subsidy"),
                    &format!("subsidy-received:{}", p.person_id),
                ));
            }
        }
        if state.confirmed.is_some() {
            return subsidy;
        }
        let open: Vec<&str> = state
            .people
            .iter()
            .filter(|p| {
                let (done, total) = p.steps();
                done < total
            })
            .map(|p| p.name.as_str())
            .collect();
        let next = if open.is_empty() {
            Awaiting::role(
                Role::TownshipOfficer,
                Text::new("确认走访完成", "confirm the visits are complete"),
                "confirm",
            )
        } else {
            Awaiting::role(
                Role::Secretary,
                Text::new(
                    format!("走访{}", open.join("、")),
                    format!("visit {}", open.join(", ")),
                ),
                "visits",
            )
        };
        let mut out = vec![next];
        out.extend(subsidy);
        out
    }

    fn view(ctx: &Context<Config>, state: &State) -> View {
        view::render(ctx, state)
    }
}

fn person<'s>(state: &'s mut State, id: &str) -> Result<&'s mut Person, Rejection> {
    check::required("person", id)?;
    state
        .people
        .iter_mut()
        .find(|p| p.person_id == id)
        .ok_or_else(|| {
            Rejection::invalid(
                "person",
                format!("“{id}”不在本村离任干部名单中"),
                format!("`{id}` is not among this village's outgoing cadres"),
            )
        })
}

/// Once everyone's required steps are done, the township is told to confirm.
fn ready_notice(ctx: &Context<Config>, state: &State, effects: Effects) -> Effects {
    let ready = state.confirmed.is_none()
        && state.people.iter().all(|p| {
            let (done, total) = p.steps();
            done == total
        });
    if !ready {
        return effects;
    }
    let village = &ctx.village.name;
    effects.notify(
        Recipient::Role(Role::TownshipOfficer),
        Text::new(
            format!("{village}离任干部走访已全部完成，请核实确认。"),
            format!("Every outgoing cadre of {village} has been visited; please confirm."),
        ),
    )
}

fn log_talk(ctx: &Context<Config>, state: &mut State, p: LogTalk) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary, Role::Member, Role::TownshipOfficer])?;
    check::past_date("date", &p.date, ctx)?;
    if p.visitors.is_empty() {
        return Err(Rejection::invalid(
            "visitors",
            "请填写走访人",
            "name at least one visitor",
        ));
    }
    for (i, v) in p.visitors.iter().enumerate() {
        check::required(format!("visitors.{i}"), v)?;
    }
    check::required("discussed", &p.discussed)?;
    for (i, f) in p.follow_ups.iter().enumerate() {
        check::required(format!("follow_ups.{i}"), f)?;
    }
    let person = person(state, &p.person)?;
    let n = person.talks.len() + 1;
    let (name, date) = (person.name.clone(), p.date.trim().to_owned());
    person.talks.push(Talk {
        date: date.clone(),
        visitors: p.visitors.iter().map(|v| v.trim().to_owned()).collect(),
        discussed: p.discussed.trim().to_owned(),
        follow_ups: p.follow_ups,
        condolence: p.condolence,
        logged: ctx.stamp(),
    });
    let who = &ctx.actor.name;
    let (zh, en) = if p.condolence > 0 {
        (
            format!("，送去慰问金 {} 元", p.condolence),
            format!(", handing over {} yuan of condolence money", p.condolence),
        )
    } else {
        (String::new(), String::new())
    };
    let statement = Text::new(
        format!("本人{who}记录：{date}与离任干部{name}谈心谈话{zh}，记录属实。"),
        format!("I, {who}, record a heart-to-heart talk with {name} on {date}{en}, truthfully."),
    );
    let effects = Effects::none().signoff(ctx.signoff(format!("talk:{}:{n}", p.person), statement));
    Ok(ready_notice(ctx, state, effects))
}

fn record_subsidy(
    ctx: &Context<Config>,
    state: &mut State,
    p: RecordSubsidy,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary, Role::TownshipOfficer])?;
    let years = ctx.config.subsidy_min_years;
    let person = person(state, &p.person)?;
    if !person.subsidy_eligible {
        return Err(Rejection::invalid(
            "person",
            format!(
                "{}不符合生活补助条件（须正常离任且任职满 {years} 年）",
                person.name
            ),
            format!(
                "{} is not eligible for a living subsidy (retired with at least {years} years served)",
                person.name
            ),
        ));
    }
    if !p.applied && p.note.trim().is_empty() {
        return Err(Rejection::invalid(
            "note",
            "未申请生活补助的，请说明原因",
            "say why the subsidy was not applied for",
        ));
    }
    if person
        .subsidy
        .as_ref()
        .is_some_and(|s| s.approval.is_some())
    {
        return Err(Rejection::conflict(
            format!("{}的生活补助已经审批，不能再改申请", person.name),
            format!(
                "{}'s subsidy has been decided; the application can no longer change",
                person.name
            ),
        ));
    }
    person.subsidy = Some(Subsidy {
        applied: p.applied,
        note: p.note.trim().to_owned(),
        recorded: ctx.stamp(),
        monthly: if p.applied { p.monthly } else { 0 },
        approval: None,
        payments: Vec::new(),
        acknowledged: None,
    });
    Ok(ready_notice(ctx, state, Effects::none()))
}

/// The subsidy of `id`, applied for.
fn applied<'s>(state: &'s mut State, id: &str) -> Result<&'s mut Person, Rejection> {
    let person = person(state, id)?;
    if !person.subsidy.as_ref().is_some_and(|s| s.applied) {
        return Err(Rejection::conflict(
            format!("{}的生活补助尚未登记申请", person.name),
            format!("no subsidy application is recorded for {}", person.name),
        ));
    }
    Ok(person)
}

/// 审批: the township approves an application with its monthly amount, or
/// refuses it with the reason. Signed; decided once.
fn approve_subsidy(
    ctx: &Context<Config>,
    state: &mut State,
    p: ApproveSubsidy,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::TownshipOfficer])?;
    let person = applied(state, &p.person)?;
    let subsidy = person.subsidy.as_mut().expect("applied");
    if subsidy.approval.is_some() {
        return Err(Rejection::conflict("已经审批", "already decided"));
    }
    if p.approved && p.monthly == 0 {
        return Err(Rejection::invalid(
            "monthly",
            "审批通过的，请填写核定标准（元/月）",
            "give the approved amount (yuan a month)",
        ));
    }
    if !p.approved {
        check::required("note", &p.note)?;
    }
    subsidy.approval = Some(Approval {
        approved: p.approved,
        monthly: if p.approved { p.monthly } else { 0 },
        note: p.note.trim().to_owned(),
        stamp: ctx.stamp(),
    });
    let (name, who) = (person.name.clone(), ctx.actor.name.clone());
    let statement = if p.approved {
        Text::new(
            format!(
                "本人{who}审批：同意{name}享受离任村干部生活补助，每月 {} 元。",
                p.monthly
            ),
            format!(
                "I, {who}, approve {name}'s living subsidy at {} yuan a month.",
                p.monthly
            ),
        )
    } else {
        Text::new(
            format!(
                "本人{who}审批：{name}的生活补助申请不予批准，理由：{}",
                p.note.trim()
            ),
            format!(
                "I, {who}, do not approve {name}'s living subsidy: {}",
                p.note.trim()
            ),
        )
    };
    Ok(Effects::none().signoff(ctx.signoff(format!("subsidy-approval:{}", p.person), statement)))
}

/// 发放: a payment of an approved subsidy; the cadre is asked to sign for it.
fn pay_subsidy(
    ctx: &Context<Config>,
    state: &mut State,
    p: PaySubsidy,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary, Role::TownshipOfficer])?;
    check::past_date("paid_on", &p.paid_on, ctx)?;
    if p.amount == 0 {
        return Err(Rejection::invalid(
            "amount",
            "发放金额须大于 0",
            "must be more than 0",
        ));
    }
    let person = applied(state, &p.person)?;
    let name = person.name.clone();
    let subsidy = person.subsidy.as_mut().expect("applied");
    if !subsidy.approval.as_ref().is_some_and(|a| a.approved) {
        return Err(Rejection::conflict(
            format!("{name}的生活补助尚未审批通过，不能发放"),
            format!("{name}'s subsidy is not approved, so it cannot be paid"),
        ));
    }
    subsidy.payments.push(Payment {
        paid_on: p.paid_on.trim().to_owned(),
        amount: p.amount,
        note: p.note.trim().to_owned(),
        stamp: ctx.stamp(),
    });
    subsidy.acknowledged = None;
    Ok(Effects::none().notify(
        Recipient::Person(p.person.clone()),
        Text::new(
            format!(
                "您的离任村干部生活补助 {} 元已于 {} 发放，请确认签收。",
                p.amount,
                p.paid_on.trim()
            ),
            format!(
                "Your living subsidy of {} yuan was paid on {}; please acknowledge it.",
                p.amount,
                p.paid_on.trim()
            ),
        ),
    ))
}

/// 签收: the cadre confirms what was paid, in their own name. Signed.
fn acknowledge_subsidy(
    ctx: &Context<Config>,
    state: &mut State,
    p: AcknowledgeSubsidy,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::OutgoingCadre])?;
    if p.person != ctx.actor.person_id {
        return Err(Rejection::forbidden(
            "只能签收本人的生活补助",
            "you can acknowledge only your own subsidy",
        ));
    }
    let person = person(state, &p.person)?;
    let Some(subsidy) = person.subsidy.as_mut().filter(|s| !s.payments.is_empty()) else {
        return Err(Rejection::conflict(
            "还没有发放记录，无需签收",
            "nothing has been paid to acknowledge",
        ));
    };
    if subsidy.acknowledged.is_some() {
        return Err(Rejection::conflict("已经签收", "already acknowledged"));
    }
    subsidy.acknowledged = Some(ctx.stamp());
    let (who, paid, n) = (&ctx.actor.name, subsidy.paid(), subsidy.payments.len());
    let statement = Text::new(
        format!("本人{who}确认已收到离任村干部生活补助 {n} 笔，共 {paid} 元。"),
        format!(
            "I, {who}, confirm I received {n} payments of my living subsidy, {paid} yuan in all."
        ),
    );
    Ok(Effects::none().signoff(ctx.signoff(format!("subsidy-received:{}", p.person), statement)))
}

fn hold_ceremony(
    ctx: &Context<Config>,
    state: &mut State,
    p: HoldCeremony,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary, Role::TownshipOfficer])?;
    check::past_date("date", &p.date, ctx)?;
    let person = person(state, &p.person)?;
    if person.departure != Departure::Retired {
        return Err(Rejection::invalid(
            "person",
            format!("荣退仪式为正常离任干部举行，{}不是正常离任", person.name),
            format!(
                "a retirement ceremony is for retiring cadres, and {} did not retire",
                person.name
            ),
        ));
    }
    person.ceremony = Some(Ceremony {
        date: p.date.trim().to_owned(),
        note: p.note.trim().to_owned(),
        recorded: ctx.stamp(),
    });
    Ok(ready_notice(ctx, state, Effects::none()))
}

fn pair(ctx: &Context<Config>, state: &mut State, p: Pair) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary])?;
    check::required("plan", &p.plan)?;
    let person = person(state, &p.person)?;
    if !person.was_secretary() {
        return Err(Rejection::invalid(
            "person",
            format!("{}不是原村党组织书记，结对对象应为老书记", person.name),
            format!(
                "{} was not the old Party secretary; pair with the old secretary",
                person.name
            ),
        ));
    }
    if person.pairing.is_some() {
        return Err(Rejection::conflict(
            format!("已与{}结对", person.name),
            format!("you are already paired with {}", person.name),
        ));
    }
    let name = person.name.clone();
    person.pairing = Some(Pairing {
        plan: p.plan.trim().to_owned(),
        new_secretary: ctx.stamp(),
    });
    let who = &ctx.actor.name;
    let statement = Text::new(
        format!("本人{who}与老书记{name}结对，虚心请教，接续奋斗。"),
        format!(
            "I, {who}, pair with the old secretary {name}, to learn from him and carry on the work."
        ),
    );
    let effects = Effects::none()
        .signoff(ctx.signoff(format!("pairing:{}", p.person), statement))
        .notify(
            Recipient::Person(p.person),
            Text::new(
                format!("新任书记{who}已与您结对，感谢您的传帮带。"),
                format!(
                    "The new secretary {who} has paired with you; thank you for your guidance."
                ),
            ),
        );
    Ok(ready_notice(ctx, state, effects))
}

fn confirm(ctx: &Context<Config>, state: &mut State, p: Confirm) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::TownshipOfficer])?;
    if state.confirmed.is_some() {
        return Err(Rejection::conflict(
            "走访已经确认过了",
            "the visits are already confirmed",
        ));
    }
    let missing: Vec<&Person> = state
        .people
        .iter()
        .filter(|p| {
            let (done, total) = p.steps();
            done < total
        })
        .collect();
    if !missing.is_empty() {
        let names = |sep| {
            missing
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(sep)
        };
        return Err(Rejection::conflict(
            format!("以下离任干部的走访尚未完成：{}", names("、")),
            format!("visits are not complete for: {}", names(", ")),
        ));
    }
    state.confirmed = Some(Confirmation {
        stamp: ctx.stamp(),
        remarks: p.remarks.trim().to_owned(),
    });
    let (who, village, n) = (&ctx.actor.name, &ctx.village.name, state.people.len());
    let statement = Text::new(
        format!("本人{who}确认：{village}{n} 名离任干部均已走访谈心，相关事项已落实。"),
        format!(
            "I, {who}, confirm that all {n} outgoing cadres of {village} were visited and their matters settled."
        ),
    );
    Ok(Effects::none()
        .signoff(ctx.signoff("confirm", statement))
        .notify(
            Recipient::Role(Role::Secretary),
            Text::new(
                format!("{village}离任干部走访已经乡镇确认。"),
                format!("The township has confirmed the visits at {village}."),
            ),
        ))
}
