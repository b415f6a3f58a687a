//! 集体宣誓就职 — the collective swearing-in of the new committees.
//!
//! 辽宁 held swearing-in ceremonies in 1,014 townships: the township schedules
//! the ceremony, records each new cadre's attendance and the oath read, and
//! every cadre confirms the oath they took. A cadre who missed it swears at a
//! make-up session, recorded the same way.
//!
//! This module is the proof that a province can build one without touching
//! the host: it uses nothing but `baton-sdk`'s public API.

mod view;

use baton_sdk::{
    ActionInfo, Audience, Awaiting, Context, Effects, Module, ModuleInfo, Progress, Recipient,
    Rejection, Role, Stamp, Template, Text, View, check,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The swearing-in module.
pub struct SwearingIn;

baton_sdk::export_module!(SwearingIn);

/// One enrollment: the village committee's swearing-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The ceremony, once scheduled.
    pub ceremony: Option<Ceremony>,
    /// Every new cadre, as the roster listed them at start.
    pub cadres: Vec<Cadre>,
}

/// The ceremony.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ceremony {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Where.
    pub place: String,
    /// The oath read.
    pub oath: String,
    /// Who scheduled it.
    pub by: Stamp,
}

/// A new cadre and their part in the ceremony.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cadre {
    /// The platform's id of the person.
    pub person_id: String,
    /// Their name.
    pub name: String,
    /// Their post.
    pub post: String,
    /// Whether they took the oath, as the township recorded it.
    pub attendance: Option<Attendance>,
    /// Their own confirmation of the oath.
    pub confirmed: Option<Stamp>,
}

/// The township's record of one cadre at the ceremony.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attendance {
    /// Took the oath.
    pub present: bool,
    /// Why not, when absent.
    pub reason: String,
    /// Who recorded it, when.
    pub recorded: Stamp,
}

/// The actions, as the host sends them.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "kebab-case")]
pub enum Action {
    /// The township schedules the ceremony.
    Schedule(Schedule),
    /// The township records whether a cadre took the oath.
    RecordAttendance(RecordAttendance),
    /// A cadre confirms the oath they took.
    Confirm(Confirm),
}

/// Payload of `schedule`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// The day, `YYYY-MM-DD`.
    #[schemars(extend("x-label" = {"zh": "仪式日期", "en": "Date"}, "format" = "date"))]
    pub date: String,
    /// Where: 镇党群服务中心…
    #[schemars(extend("x-label" = {"zh": "地点", "en": "Place"}))]
    pub place: String,
    /// The oath; the province's when left out.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "誓词（留空使用省里的誓词）", "en": "Oath (empty: the province's)"}, "x-multiline" = true))]
    pub oath: Option<String>,
}

/// Payload of `record-attendance`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordAttendance {
    /// The cadre's person id.
    #[schemars(extend("x-label" = {"zh": "宣誓人", "en": "Cadre"}))]
    pub person: String,
    /// Took the oath.
    #[schemars(extend("x-label" = {"zh": "已宣誓", "en": "Took the oath"}))]
    pub present: bool,
    /// Why not, required when absent.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "缺席原因", "en": "Why absent"}))]
    pub reason: String,
}

/// Payload of `confirm`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirm {}

/// The province's configuration.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The oath read at the ceremony.
    pub oath: Text,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            oath: Text::new(
                "我宣誓：忠于党，忠于人民，恪尽职守，廉洁奉公，依法办事，接受监督，全心全意为村民服务，为乡村振兴努力奋斗！",
                "I swear to be loyal to the Party and the people, to do my duty, to be honest and law-abiding, to accept supervision, and to serve the villagers with all my heart for the revitalisation of the countryside.",
            ),
        }
    }
}

impl Module for SwearingIn {
    type State = State;
    type Action = Action;
    type Config = Config;

    fn info() -> ModuleInfo {
        ModuleInfo {
            id: "swearing-in".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: Text::new("集体宣誓就职", "Collective swearing-in"),
            summary: Text::new(
                "乡镇组织新一届村干部集体宣誓就职，逐人登记到场宣誓情况，每名村干部确认本人誓词。",
                "The township holds the collective swearing-in, records each new cadre's oath, and each cadre confirms it.",
            ),
            audience: Audience::Committee,
            actions: vec![
                ActionInfo::new::<Schedule>(
                    "schedule",
                    Text::new("安排宣誓仪式", "Schedule the ceremony"),
                ),
                ActionInfo::new::<RecordAttendance>(
                    "record-attendance",
                    Text::new("登记宣誓情况", "Record attendance"),
                ),
                ActionInfo::new::<Confirm>("confirm", Text::new("确认本人宣誓", "Confirm my oath")),
            ],
            templates: vec![Template::new(
                "swearing-in",
                include_str!("../templates/swearing-in.zh.hbs"),
                include_str!("../templates/swearing-in.en.hbs"),
            )],
            estimated_minutes: 30,
            config_schema: baton_sdk::schema::<Config>(),
            reviewers: Vec::new(),
        }
    }

    fn check_config(config: &Config) -> Result<(), Rejection> {
        check::required("config.oath.zh", &config.oath.zh)
    }

    fn start(ctx: &Context<Config>) -> Result<State, Rejection> {
        let mut cadres: Vec<Cadre> = Vec::new();
        // Each person swears once: a one-shoulder secretary holds two seats.
        for m in ctx.people() {
            cadres.push(Cadre {
                person_id: m.person_id.clone(),
                name: m.name.clone(),
                post: m.post.clone(),
                attendance: None,
                confirmed: None,
            });
        }
        Ok(State {
            ceremony: None,
            cadres,
        })
    }

    fn act(ctx: &Context<Config>, state: &mut State, action: Action) -> Result<Effects, Rejection> {
        match action {
            Action::Schedule(p) => schedule(ctx, state, p),
            Action::RecordAttendance(p) => record(ctx, state, p),
            Action::Confirm(_) => confirm(ctx, state),
        }
    }

    fn progress(state: &State) -> Progress {
        let sworn = state
            .cadres
            .iter()
            .filter(|c| c.attendance.as_ref().is_some_and(|a| a.present))
            .count();
        let confirmed = state
            .cadres
            .iter()
            .filter(|c| c.confirmed.is_some())
            .count();
        let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX / 4);
        Progress {
            done: u32::from(state.ceremony.is_some()) + n(sworn) + n(confirmed),
            total: 1 + 2 * n(state.cadres.len()),
        }
    }

    /// The township schedules the ceremony and records who took the oath;
    /// then each sworn cadre confirms their own oath.
    fn awaiting(_: &Context<Config>, state: &State) -> Vec<Awaiting> {
        if state.ceremony.is_none() {
            return vec![Awaiting::role(
                Role::TownshipOfficer,
                Text::new("安排集体宣誓仪式", "schedule the swearing-in"),
                "ceremony",
            )];
        }
        let mut out = Vec::new();
        if state.cadres.iter().any(|c| c.attendance.is_none()) {
            out.push(Awaiting::role(
                Role::TownshipOfficer,
                Text::new("登记宣誓出席情况", "record who took the oath"),
                "attendance",
            ));
        }
        for c in &state.cadres {
            if c.attendance.as_ref().is_some_and(|a| a.present) && c.confirmed.is_none() {
                out.push(Awaiting::person(
                    &c.person_id,
                    Text::new("确认本人已宣誓", "confirm your oath"),
                    &c.person_id,
                ));
            }
        }
        out
    }

    fn view(ctx: &Context<Config>, state: &State) -> View {
        view::render(ctx, state)
    }
}

fn schedule(ctx: &Context<Config>, state: &mut State, p: Schedule) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::TownshipOfficer])?;
    if state.cadres.iter().any(|c| c.attendance.is_some()) {
        return Err(Rejection::conflict(
            "仪式已经举行，不能重新安排；缺席人员补宣誓直接登记即可",
            "the ceremony has been held; record a make-up oath as attendance instead",
        ));
    }
    check::date("date", &p.date)?;
    check::required("place", &p.place)?;
    let oath = p.oath.unwrap_or_else(|| ctx.config.oath.zh.clone());
    check::required("oath", &oath)?;
    let ceremony = Ceremony {
        date: p.date.trim().to_owned(),
        place: p.place.trim().to_owned(),
        oath: oath.trim().to_owned(),
        by: ctx.stamp(),
    };
    let (date, place) = (ceremony.date.clone(), ceremony.place.clone());
    state.ceremony = Some(ceremony);
    let notify = |role| {
        (
            Recipient::Role(role),
            Text::new(
                format!("集体宣誓就职仪式定于 {date} 在{place}举行，请准时参加。"),
                format!("The collective swearing-in is on {date} at {place}; please attend."),
            ),
        )
    };
    let mut effects = Effects::none();
    for role in [Role::Secretary, Role::Member] {
        let (to, message) = notify(role);
        effects = effects.notify(to, message);
    }
    Ok(effects)
}

fn record(
    ctx: &Context<Config>,
    state: &mut State,
    p: RecordAttendance,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::TownshipOfficer])?;
    let Some(ceremony) = &state.ceremony else {
        return Err(Rejection::conflict(
            "请先安排宣誓仪式",
            "schedule the ceremony first",
        ));
    };
    // The day counts in Beijing time, UTC+8.
    let today = baton_sdk::format_date(ctx.now + 8 * 3600);
    if ceremony.date > today {
        return Err(Rejection::conflict(
            format!("仪式定于 {}，尚未举行", ceremony.date),
            format!(
                "the ceremony is on {} and has not happened yet",
                ceremony.date
            ),
        ));
    }
    if !p.present {
        check::required("reason", &p.reason)?;
    }
    let cadre = state
        .cadres
        .iter_mut()
        .find(|c| c.person_id == p.person)
        .ok_or_else(|| {
            Rejection::invalid(
                "person",
                format!("“{}”不是本村新一届两委成员", p.person),
                format!("`{}` is not on this village's new committees", p.person),
            )
        })?;
    if cadre.confirmed.is_some() {
        return Err(Rejection::conflict(
            format!("{}已确认宣誓，不能更改", cadre.name),
            format!(
                "{} has confirmed the oath; it can no longer change",
                cadre.name
            ),
        ));
    }
    cadre.attendance = Some(Attendance {
        present: p.present,
        reason: p.reason.trim().to_owned(),
        recorded: ctx.stamp(),
    });
    if !p.present {
        return Ok(Effects::none());
    }
    Ok(Effects::none().notify(
        Recipient::Person(cadre.person_id.clone()),
        Text::new(
            "您已完成宣誓，请登录确认本人誓词。",
            "You have taken the oath; please sign in and confirm it.",
        ),
    ))
}

fn confirm(ctx: &Context<Config>, state: &mut State) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary, Role::Member])?;
    let Some(ceremony) = state.ceremony.clone() else {
        return Err(Rejection::conflict(
            "宣誓仪式尚未安排",
            "the ceremony is not scheduled yet",
        ));
    };
    let cadre = state
        .cadres
        .iter_mut()
        .find(|c| c.person_id == ctx.actor.person_id)
        .ok_or_else(|| {
            Rejection::forbidden(
                "你不在本村新一届两委名单中",
                "you are not on this village's new committees",
            )
        })?;
    if !cadre.attendance.as_ref().is_some_and(|a| a.present) {
        return Err(Rejection::conflict(
            "乡镇尚未登记你已宣誓",
            "the township has not recorded your oath yet",
        ));
    }
    if cadre.confirmed.is_some() {
        return Err(Rejection::conflict(
            "你已经确认过了",
            "you have already confirmed",
        ));
    }
    cadre.confirmed = Some(ctx.stamp());
    let who = &ctx.actor.name;
    let statement = Text::new(
        format!(
            "本人{who}于 {} 在{}宣誓就职。誓词：{}",
            ceremony.date, ceremony.place, ceremony.oath
        ),
        format!(
            "I, {who}, took the oath of office on {} at {}. The oath: {}",
            ceremony.date, ceremony.place, ceremony.oath
        ),
    );
    Ok(Effects::none().signoff(ctx.signoff(format!("oath:{}", ctx.actor.person_id), statement)))
}
