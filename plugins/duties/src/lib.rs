//! 定人定岗定责 — fixing the person, the post and the responsibility.
//!
//! 江苏: the new committee divides its work so every member has posts and
//! written responsibilities, every key post is filled and nobody is left
//! without one. The secretary signs the division off; the township officer
//! acknowledges it. A change after the sign-off reopens the division and is
//! kept in its change log.

mod state;
mod view;

use baton_sdk::{
    ActionInfo, Audience, Awaiting, Committee, Context, Effects, FieldError, Module, ModuleInfo,
    Progress, Recipient, Rejection, Role, Template, Text, View, check,
};

pub use state::{
    Acknowledge, Acknowledgement, Action, Assign, Change, Config, Duty, Post, Sign, State,
};

/// The division-of-work module.
pub struct Duties;

baton_sdk::export_module!(Duties);

impl Module for Duties {
    type State = State;
    type Action = Action;
    type Config = Config;

    fn info() -> ModuleInfo {
        ModuleInfo {
            id: "duties".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: Text::new("定人定岗定责", "Dividing the work"),
            summary: Text::new(
                "书记为每名班子成员明确岗位和职责，关键岗位全部到人，人人有岗有责，书记签字确认，乡镇备案。",
                "The secretary gives every committee member posts and written responsibilities, fills every key post, signs the division off, and the township acknowledges it.",
            ),
            audience: Audience::Committee,
            actions: vec![
                ActionInfo::new::<Assign>("assign", Text::new("分配岗位职责", "Assign posts")),
                ActionInfo::new::<Sign>("sign", Text::new("签字确认分工", "Sign the division off")),
                ActionInfo::new::<Acknowledge>(
                    "acknowledge",
                    Text::new("乡镇备案", "Acknowledge for the township"),
                ),
            ],
            templates: vec![
                Template::new(
                    "duties",
                    include_str!("../templates/duties.zh.hbs"),
                    include_str!("../templates/duties.en.hbs"),
                ),
                // The signed division, 公示 on the village's public page.
                Template::new(
                    baton_sdk::PUBLIC_TEMPLATE,
                    include_str!("../templates/public.zh.hbs"),
                    include_str!("../templates/public.en.hbs"),
                ),
            ],
            estimated_minutes: 60,
            config_schema: baton_sdk::schema::<Config>(),
            reviewers: Vec::new(),
        }
    }

    fn check_config(config: &Config) -> Result<(), Rejection> {
        if config.posts.is_empty() {
            return Err(Rejection::invalid(
                "config.posts",
                "至少要有一个岗位",
                "needs at least one post",
            ));
        }
        for (i, post) in config.posts.iter().enumerate() {
            let kebab = !post.key.is_empty()
                && post
                    .key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !kebab {
                return Err(Rejection::invalid(
                    format!("config.posts.{i}.key"),
                    "须为小写字母、数字和连字符，如 public-security",
                    "must be lower-case letters, digits and hyphens, like public-security",
                ));
            }
            if config.posts[..i].iter().any(|p| p.key == post.key) {
                return Err(Rejection::invalid(
                    format!("config.posts.{i}.key"),
                    format!("“{}”重复", post.key),
                    format!("`{}` is listed twice", post.key),
                ));
            }
            check::required(format!("config.posts.{i}.title.zh"), &post.title.zh)?;
        }
        Ok(())
    }

    fn start(ctx: &Context<Config>) -> Result<State, Rejection> {
        // Each person once: a one-shoulder secretary holds two seats.
        let members = ctx.people().iter().map(|m| m.person_id.clone()).collect();
        Ok(State {
            members,
            duties: Vec::new(),
            signed: None,
            acknowledged: None,
            changes: Vec::new(),
        })
    }

    fn act(ctx: &Context<Config>, state: &mut State, action: Action) -> Result<Effects, Rejection> {
        match action {
            Action::Assign(p) => assign(ctx, state, p),
            Action::Sign(_) => sign(ctx, state),
            Action::Acknowledge(p) => acknowledge(ctx, state, p),
        }
    }

    fn progress(state: &State) -> Progress {
        let assigned = state
            .members
            .iter()
            .filter(|m| state.duties.iter().any(|d| &d.person_id == *m))
            .count();
        Progress {
            done: u32::try_from(assigned).unwrap_or(0)
                + u32::from(state.signed.is_some())
                + u32::from(state.acknowledged.is_some()),
            total: u32::try_from(state.members.len()).unwrap_or(0) + 2,
        }
    }

    /// The secretary divides the work and signs; the township acknowledges.
    fn awaiting(_: &Context<Config>, state: &State) -> Vec<Awaiting> {
        if state.signed.is_none() {
            vec![Awaiting::role(
                Role::Secretary,
                Text::new("分工并签字", "divide the work and sign"),
                "division",
            )]
        } else if state.acknowledged.is_none() {
            vec![Awaiting::role(
                Role::TownshipOfficer,
                Text::new("确认分工备案", "acknowledge the division of work"),
                "division",
            )]
        } else {
            Vec::new()
        }
    }

    fn view(ctx: &Context<Config>, state: &State) -> View {
        view::render(ctx, state)
    }
}

/// What keeps the division from being signed: a member without a post, a
/// required post nobody holds, a post held twice that may not be.
pub fn problems(config: &Config, state: &State, ctx: &Context<Config>) -> Vec<FieldError> {
    let mut out = Vec::new();
    for id in &state.members {
        if !state.duties.iter().any(|d| &d.person_id == id) {
            let name = ctx
                .members
                .iter()
                .find(|m| &m.person_id == id)
                .map_or(id.as_str(), |m| m.name.as_str());
            out.push(FieldError {
                field: format!("members.{id}"),
                message: Text::new(
                    format!("{name}还没有岗位"),
                    format!("{name} has no post yet"),
                ),
            });
        }
    }
    for post in &config.posts {
        let holders: Vec<&str> = state
            .duties
            .iter()
            .filter(|d| d.posts.contains(&post.key))
            .map(|d| d.name.as_str())
            .collect();
        let field = format!("posts.{}", post.key);
        if post.required && holders.is_empty() {
            out.push(FieldError {
                field,
                message: Text::new(
                    format!("“{}”是必设岗位，尚无人担任", post.title.zh),
                    format!("{} must be filled and nobody holds it", post.title.en),
                ),
            });
        } else if !post.shared && holders.len() > 1 {
            out.push(FieldError {
                field,
                message: Text::new(
                    format!(
                        "“{}”只能由一人担任，现为：{}",
                        post.title.zh,
                        holders.join("、")
                    ),
                    format!(
                        "{} may be held by one member only, not {}",
                        post.title.en,
                        holders.join(" and ")
                    ),
                ),
            });
        }
    }
    out
}

fn assign(ctx: &Context<Config>, state: &mut State, p: Assign) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary])?;
    let member = check::member("person", &p.person, ctx)?;
    if p.posts.is_empty() {
        return Err(Rejection::invalid(
            "posts",
            "至少分配一个岗位",
            "give at least one post",
        ));
    }
    for (i, key) in p.posts.iter().enumerate() {
        if !ctx.config.posts.iter().any(|post| &post.key == key) {
            let known: Vec<&str> = ctx.config.posts.iter().map(|p| p.key.as_str()).collect();
            return Err(Rejection::invalid(
                format!("posts.{i}"),
                format!("没有“{key}”这一岗位，可选：{}", known.join("、")),
                format!(
                    "there is no post `{key}`; expected one of {}",
                    known.join(", ")
                ),
            ));
        }
        if p.posts[..i].contains(key) {
            return Err(Rejection::invalid(
                format!("posts.{i}"),
                "岗位重复",
                "is listed twice",
            ));
        }
    }
    // 纪检委员 sits on the Party organisation's committee: a Party member.
    if let Some(i) = p.posts.iter().position(|k| k == "discipline")
        && !ctx
            .members
            .iter()
            .any(|m| m.person_id == member.person_id && m.committee == Committee::PartyBranch)
    {
        return Err(Rejection::invalid(
            format!("posts.{i}"),
            format!("纪检委员须由村党组织委员会成员担任，{}不是", member.name),
            format!(
                "discipline inspection is a post of the Party organisation's committee, which {} is not on",
                member.name
            ),
        ));
    }
    check::required("responsibilities", &p.responsibilities)?;
    let duty = Duty {
        person_id: member.person_id.clone(),
        name: member.name.clone(),
        posts: p.posts,
        responsibilities: p.responsibilities.trim().to_owned(),
        groups: p.groups.trim().to_owned(),
        set: ctx.stamp(),
    };
    let before = match state
        .duties
        .iter_mut()
        .find(|d| d.person_id == duty.person_id)
    {
        Some(existing) => Some(std::mem::replace(existing, duty.clone()).posts),
        None => {
            state.duties.push(duty.clone());
            None
        }
    };
    if state.signed.take().is_none() {
        return Ok(Effects::none());
    }
    // A change to a signed division reopens it, and is logged.
    state.acknowledged = None;
    state.changes.push(Change {
        name: duty.name.clone(),
        before: before.unwrap_or_default(),
        after: duty.posts,
        by: ctx.stamp(),
    });
    let village = &ctx.village.name;
    Ok(Effects::none().notify(
        Recipient::Role(Role::TownshipOfficer),
        Text::new(
            format!("{village}调整了{}的分工，需重新签字确认。", duty.name),
            format!(
                "{village} changed {}'s duties; the division must be signed again.",
                duty.name
            ),
        ),
    ))
}

fn sign(ctx: &Context<Config>, state: &mut State) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary])?;
    if state.signed.is_some() {
        return Err(Rejection::conflict(
            "分工已经签字确认",
            "the division is already signed",
        ));
    }
    let problems = problems(&ctx.config, state, ctx);
    if !problems.is_empty() {
        return Err(Rejection::Invalid(problems));
    }
    state.signed = Some(ctx.stamp());
    let lines: Vec<(String, String)> = state
        .duties
        .iter()
        .map(|d| {
            let titles = |pick: fn(&Text) -> &str, sep: &str| {
                d.posts
                    .iter()
                    .filter_map(|k| ctx.config.posts.iter().find(|p| &p.key == k))
                    .map(|p| pick(&p.title).to_owned())
                    .collect::<Vec<_>>()
                    .join(sep)
            };
            let (zh, en) = if d.groups.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    format!("（包联{}）", d.groups),
                    format!(" (groups: {})", d.groups),
                )
            };
            (
                format!("{}：{}{zh}", d.name, titles(|t| &t.zh, "、")),
                format!("{}: {}{en}", d.name, titles(|t| &t.en, ", ")),
            )
        })
        .collect();
    let (zh, en): (Vec<String>, Vec<String>) = lines.into_iter().unzip();
    let who = &ctx.actor.name;
    let statement = Text::new(
        format!("本人{who}确认班子分工：{}。", zh.join("；")),
        format!("I, {who}, confirm the division of work: {}.", en.join("; ")),
    );
    let revision = state.changes.len();
    Ok(Effects::none()
        .signoff(ctx.signoff(format!("division:{revision}"), statement))
        .notify(
            Recipient::Role(Role::TownshipOfficer),
            Text::new(
                format!("{}班子分工已签字确认，请备案。", ctx.village.name),
                format!(
                    "{} has signed off its division of work; please acknowledge it.",
                    ctx.village.name
                ),
            ),
        ))
}

fn acknowledge(
    ctx: &Context<Config>,
    state: &mut State,
    p: Acknowledge,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::TownshipOfficer])?;
    if state.signed.is_none() {
        return Err(Rejection::conflict(
            "书记尚未签字确认分工",
            "the secretary has not signed the division off",
        ));
    }
    if state.acknowledged.is_some() {
        return Err(Rejection::conflict("已经备案", "already acknowledged"));
    }
    state.acknowledged = Some(Acknowledgement {
        stamp: ctx.stamp(),
        remarks: p.remarks.trim().to_owned(),
    });
    let (who, village) = (&ctx.actor.name, &ctx.village.name);
    let statement = Text::new(
        format!("本人{who}已审阅{village}班子分工，予以备案。"),
        format!("I, {who}, have reviewed and acknowledged the division of work at {village}."),
    );
    let revision = state.changes.len();
    Ok(Effects::none().signoff(ctx.signoff(format!("acknowledged:{revision}"), statement)))
}
