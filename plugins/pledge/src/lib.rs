//! 纪律承诺与县级备案 — the discipline pledge and the county's filing.
//!
//! 四川 had 67.6万 new cadres sign a discipline pledge (纪律承诺书), and the
//! county organisation department files who each village's new secretary is
//! (县级备案) once the joint review (县乡联审) has cleared them. Here every
//! member of the new committees signs the province's pledge text, and once
//! the secretary has signed, the county records the joint review's result
//! and the filing date. The county acts in it, so it names the county
//! trainer as its reviewer.

use baton_sdk::{
    ActionInfo, Audience, Awaiting, Committee, Context, Effects, JsonSchema, Module, ModuleInfo,
    Progress, Recipient, Rejection, Role, Stamp, Template, Text, View, check, format_date,
};
use serde::{Deserialize, Serialize};

/// The module.
pub struct Pledge;

baton_sdk::export_module!(Pledge);

/// One village: who must sign, who has, and the county's filing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Every member of the new committees, once each.
    pub members: Vec<Signer>,
    /// The new secretary's person id, when the roster names one.
    pub secretary: Option<String>,
    /// The county's filing, once passed; refusals are kept in `reviews`.
    pub filed: Option<Filing>,
    /// Every joint-review result the county recorded, in order.
    pub reviews: Vec<Filing>,
}

/// A member and their signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signer {
    /// The platform's id of the person.
    pub person_id: String,
    /// Their name.
    pub name: String,
    /// Their post.
    pub post: String,
    /// Signed, when.
    pub signed: Option<Stamp>,
}

/// The county's record of the joint review and the filing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filing {
    /// The joint review (联审) cleared the secretary.
    pub passed: bool,
    /// The departments of the joint review: 纪检、组织、政法…
    pub departments: String,
    /// Notes; why not, when not passed.
    pub note: String,
    /// The day filed, `YYYY-MM-DD`.
    pub filed_on: String,
    /// Who recorded it, when.
    pub by: Stamp,
}

/// The actions, as the server sends them.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "kebab-case")]
pub enum Action {
    /// The acting member signs the pledge.
    Sign(Sign),
    /// The county records the joint review and files the secretary.
    File(File),
}

/// Payload of `sign`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sign {
    /// Must be true: the member has read the pledge and agrees.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "本人已阅读并承诺遵守", "en": "I have read this pledge and will keep it"}))]
    pub agree: bool,
}

/// Payload of `file`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// The joint review cleared the secretary.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "县乡联审通过", "en": "Cleared by the joint review"}))]
    pub passed: bool,
    /// The departments of the joint review.
    #[schemars(extend("x-label" = {"zh": "联审部门", "en": "Reviewing departments"}))]
    pub departments: String,
    /// Notes; required when not passed.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "联审意见（未通过时必填）", "en": "Findings (required when not cleared)"}, "x-multiline" = true))]
    pub note: String,
    /// The day filed.
    #[schemars(extend("x-label" = {"zh": "备案日期", "en": "Filed on"}, "format" = "date"))]
    pub filed_on: String,
}

/// The province's configuration.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The pledge's text.
    pub text: Text,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            text: Text::new(
                "本人郑重承诺：严守换届纪律，不拉票贿选，不封官许愿，不搞宗族派性，不借助宗教和黑恶势力干预选举，不造谣诽谤他人，不弄虚作假、隐瞒个人情况；任职后坚决拥护党的领导，严格执行村级重大事项决策“四议两公开”，不优亲厚友、不吃拿卡要、不侵占集体资产，自觉接受党员群众监督。如有违反，自愿接受组织处理，直至辞去职务。",
                "I solemnly pledge to keep the election's discipline: never to buy votes or canvass improperly, promise posts, act for a clan or faction, let religious or criminal forces sway the election, slander others, or falsify or hide my own circumstances; and in office to uphold the Party's leadership, decide the village's major matters by the “four discussions, two disclosures”, never favour kin, take bribes or seize collective assets, and accept the supervision of Party members and villagers. If I break this pledge I accept the organisation's discipline, up to resigning my post.",
            ),
        }
    }
}

impl Module for Pledge {
    type State = State;
    type Action = Action;
    type Config = Config;

    fn info() -> ModuleInfo {
        ModuleInfo {
            id: "pledge".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: Text::new("纪律承诺与县级备案", "Discipline pledge and county filing"),
            summary: Text::new(
                "新一届两委成员逐一签署换届纪律承诺书；县委组织部登记新任书记的县乡联审结果并备案，与签署承诺互不等待。",
                "Every new committee member signs the election-discipline pledge; the county organisation department records the new secretary's joint review and files them, whether or not the pledges are signed yet.",
            ),
            audience: Audience::Committee,
            actions: vec![
                ActionInfo::new::<Sign>("sign", Text::new("签署承诺书", "Sign the pledge")),
                ActionInfo::new::<File>("file", Text::new("联审备案", "Record the filing")),
            ],
            templates: vec![Template::new(
                "pledge",
                include_str!("../templates/pledge.zh.hbs"),
                include_str!("../templates/pledge.en.hbs"),
            )],
            estimated_minutes: 10,
            config_schema: baton_sdk::schema::<Config>(),
            reviewers: vec![Role::CountyTrainer],
        }
    }

    fn check_config(config: &Config) -> Result<(), Rejection> {
        check::required("config.text.zh", &config.text.zh)
    }

    fn start(ctx: &Context<Config>) -> Result<State, Rejection> {
        let members = ctx
            .people()
            .iter()
            .map(|m| Signer {
                person_id: m.person_id.clone(),
                name: m.name.clone(),
                post: m.post.clone(),
                signed: None,
            })
            .collect();
        let secretary = ctx
            .members
            .iter()
            .find(|m| m.committee == Committee::PartyBranch && m.post == "书记")
            .map(|m| m.person_id.clone());
        Ok(State {
            members,
            secretary,
            filed: None,
            reviews: Vec::new(),
        })
    }

    fn act(ctx: &Context<Config>, state: &mut State, action: Action) -> Result<Effects, Rejection> {
        match action {
            Action::Sign(p) => sign(ctx, state, &p),
            Action::File(p) => file(ctx, state, p),
        }
    }

    fn progress(state: &State) -> Progress {
        let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX / 2);
        let signed = state.members.iter().filter(|m| m.signed.is_some()).count();
        Progress {
            done: n(signed) + u32::from(state.filed.is_some()),
            total: n(state.members.len()) + 1,
        }
    }

    /// Each member yet to sign, and the county until it has filed: the
    /// joint review (县乡联审) is the county's record, not a step after the
    /// secretary's signature.
    fn awaiting(_: &Context<Config>, state: &State) -> Vec<Awaiting> {
        let mut out: Vec<Awaiting> = state
            .members
            .iter()
            .filter(|m| m.signed.is_none())
            .map(|m| {
                Awaiting::person(
                    &m.person_id,
                    Text::new("签署纪律承诺书", "sign the discipline pledge"),
                    "pledge",
                )
            })
            .collect();
        if state.filed.is_none() {
            out.push(Awaiting::role(
                Role::CountyTrainer,
                Text::new("联审备案新任书记", "file the new secretary"),
                "filing",
            ));
        }
        out
    }

    fn view(ctx: &Context<Config>, state: &State) -> View {
        let progress = Self::progress(state);
        let me = state
            .members
            .iter()
            .find(|m| m.person_id == ctx.actor.person_id);
        let members: Vec<_> = state
            .members
            .iter()
            .map(|m| {
                baton_sdk::serde_json::json!({
                    "name": m.name,
                    "post": m.post,
                    "signed": m.signed.as_ref().map(|s| format_date(s.at)),
                })
            })
            .collect();
        let filing = |f: &Filing| {
            baton_sdk::serde_json::json!({
                "passed": f.passed, "departments": f.departments, "note": f.note,
                "filed_on": f.filed_on, "by": f.by.name,
            })
        };
        View::new(
            "pledge",
            &baton_sdk::serde_json::json!({
                "village": ctx.village.name,
                "text": ctx.config.text.get(ctx.locale),
                "done": progress.done,
                "total": progress.total,
                "complete": progress.is_complete(),
                "members": members,
                "filed": state.filed.as_ref().map(filing),
                "refused": state.reviews.iter().filter(|r| !r.passed).map(filing).collect::<Vec<_>>(),
                "can_sign": me.is_some_and(|m| m.signed.is_none()),
                "can_file": ctx.actor.role == Role::CountyTrainer && state.filed.is_none(),
            }),
        )
    }
}

fn sign(ctx: &Context<Config>, state: &mut State, p: &Sign) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary, Role::Member])?;
    if !p.agree {
        return Err(Rejection::invalid(
            "agree",
            "请阅读承诺书并勾选同意",
            "read the pledge and tick to agree",
        ));
    }
    let me = state
        .members
        .iter_mut()
        .find(|m| m.person_id == ctx.actor.person_id)
        .ok_or_else(|| {
            Rejection::forbidden(
                "你不在本村新一届两委名单中",
                "you are not on this village's new committees",
            )
        })?;
    if me.signed.is_some() {
        return Err(Rejection::conflict(
            "你已经签署过了",
            "you have already signed",
        ));
    }
    me.signed = Some(ctx.stamp());
    let text = &ctx.config.text;
    let statement = Text::new(
        format!("本人{}签署纪律承诺书：{}", ctx.actor.name, text.zh),
        format!(
            "I, {}, sign the discipline pledge: {}",
            ctx.actor.name,
            text.get(baton_sdk::Locale::En)
        ),
    );
    Ok(Effects::none().signoff(ctx.signoff(format!("pledge:{}", ctx.actor.person_id), statement)))
}

fn file(ctx: &Context<Config>, state: &mut State, p: File) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::CountyTrainer])?;
    if state.filed.is_some() {
        return Err(Rejection::conflict("已经备案", "already filed"));
    }
    check::required("departments", &p.departments)?;
    check::past_date("filed_on", &p.filed_on, ctx)?;
    if !p.passed {
        check::required("note", &p.note)?;
    }
    let filing = Filing {
        passed: p.passed,
        departments: p.departments.trim().to_owned(),
        note: p.note.trim().to_owned(),
        filed_on: p.filed_on.trim().to_owned(),
        by: ctx.stamp(),
    };
    state.reviews.push(filing.clone());
    if !p.passed {
        return Ok(Effects::none().notify(
            Recipient::Role(Role::TownshipOfficer),
            Text::new(
                format!(
                    "{}新任书记县乡联审未通过：{}",
                    ctx.village.name, filing.note
                ),
                format!(
                    "{}'s new secretary was not cleared by the joint review: {}",
                    ctx.village.name, filing.note
                ),
            ),
        ));
    }
    let statement = Text::new(
        format!(
            "{}新任书记经县乡联审（{}），于 {} 县级备案",
            ctx.village.name, filing.departments, filing.filed_on
        ),
        format!(
            "{}'s new secretary, cleared by the joint review ({}), filed by the county on {}",
            ctx.village.name, filing.departments, filing.filed_on
        ),
    );
    state.filed = Some(filing);
    Ok(Effects::none().signoff(ctx.signoff("filing", statement)))
}
