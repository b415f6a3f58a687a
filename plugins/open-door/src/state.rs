//! 开门一件事: state, payloads and config.

use baton_sdk::Stamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One enrollment: the committee's first undertakings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Households to visit before publishing, fixed at start.
    pub household_target: u32,
    /// Rounds of household visits (民情大走访).
    pub visits: Vec<Visits>,
    /// The village development plan (村庄发展规划).
    pub plan: Option<Plan>,
    /// The three commitments, at most one of each kind.
    pub commitments: Vec<Commitment>,
    /// When the commitments were made public, and by whom.
    pub published: Option<Stamp>,
    /// The 民情台账: each household's request, who answers for it, by when,
    /// and how it ended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ledger: Vec<Request>,
    /// The committee members who signed the published commitments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<Stamp>,
}

impl State {
    /// Households visited so far.
    pub fn households(&self) -> u32 {
        self.visits.iter().map(|v| v.households).sum()
    }

    /// The commitment of `kind`, if made.
    pub fn commitment(&self, kind: Kind) -> Option<&Commitment> {
        self.commitments.iter().find(|c| c.kind == kind)
    }
}

/// A round of household visits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visits {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Households visited.
    pub households: u32,
    /// Issues villagers raised.
    pub issues: Vec<String>,
    /// Who recorded it.
    pub by: Stamp,
}

/// A line of the 民情台账.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Its number, from 1.
    pub id: u32,
    /// The household: 三组 李大爷.
    pub household: String,
    /// What they asked for.
    pub request: String,
    /// The committee member who answers for it.
    pub responsible: String,
    /// By when, `YYYY-MM-DD`.
    pub deadline: String,
    /// Who logged it, when.
    pub by: Stamp,
    /// How it ended (办结), once it has.
    pub closed: Option<Closing>,
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Closing {
    /// What was done.
    pub result: String,
    /// What the household thought of it.
    pub satisfaction: Satisfaction,
    /// Who closed it, when.
    pub by: Stamp,
}

/// A household's verdict on how its request was handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Satisfaction {
    /// 满意.
    Satisfied,
    /// 基本满意.
    Fair,
    /// 不满意.
    Dissatisfied,
}

/// The village development plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// What the village will achieve in the term.
    #[schemars(extend("x-label" = {"zh": "任期目标", "en": "Goals for the term"}))]
    pub goals: Vec<String>,
    /// The projects that get it there.
    #[schemars(extend("x-label" = {"zh": "项目", "en": "Projects"}))]
    pub projects: Vec<Project>,
    /// The day the villagers' (representatives') meeting adopted it, by
    /// 四议两公开, `YYYY-MM-DD`; empty until it has been.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schemars(extend("x-label" = {"zh": "村民（代表）会议通过日期（四议两公开）", "en": "Adopted by the villagers' (representatives') meeting on"}, "format" = "date"))]
    pub adopted_on: String,
}

/// A project of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// What it is: 修建村道 2 公里, 建设冷库…
    #[schemars(extend("x-label" = {"zh": "项目名称", "en": "Project"}))]
    pub name: String,
    /// When it starts, `YYYY-MM-DD`.
    #[schemars(extend("x-label" = {"zh": "开始日期", "en": "Start"}, "format" = "date"))]
    pub start: String,
    /// When it is finished, `YYYY-MM-DD`, not before the start.
    #[schemars(extend("x-label" = {"zh": "完成日期", "en": "End"}, "format" = "date"))]
    pub end: String,
}

/// Which of the three commitments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// 竞职承诺: what the team promised when standing.
    Campaign,
    /// 干事承诺: what it will get done, with milestones.
    Work,
    /// 辞职承诺: when its members will step down.
    Resignation,
}

impl Kind {
    /// All three, in the order they are shown.
    pub const ALL: [Kind; 3] = [Kind::Campaign, Kind::Work, Kind::Resignation];

    /// The kebab-case name.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Campaign => "campaign",
            Kind::Work => "work",
            Kind::Resignation => "resignation",
        }
    }
}

/// A public commitment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commitment {
    /// Which one.
    pub kind: Kind,
    /// Its headline.
    pub title: String,
    /// The commitment in full.
    pub text: String,
    /// For a campaign or work commitment: what will be done by when.
    pub milestones: Vec<Milestone>,
    /// For the resignation commitment: when a member steps down.
    pub conditions: Vec<String>,
    /// Who made it.
    pub by: Stamp,
}

/// A step of a commitment, with a deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    /// What will be done.
    pub title: String,
    /// By when, `YYYY-MM-DD`.
    pub due: String,
    /// Progress reported, oldest first.
    pub reports: Vec<Report>,
    /// The township's verification.
    pub verified: Option<Verification>,
}

/// Progress on a milestone, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// What was done and how it can be checked.
    pub evidence: String,
    /// Photos of it (ids of the enrollment's files); none in states written
    /// before contract 0.2.0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
    /// Who reported, when.
    pub by: Stamp,
}

/// The township officer's verification of a milestone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    /// Who, when.
    pub stamp: Stamp,
    /// Remarks.
    pub remarks: String,
}

/// The actions, as the host sends them.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "kebab-case")]
pub enum Action {
    /// Record a round of household visits.
    RecordVisits(RecordVisits),
    /// Submit (or, before publishing, replace) the development plan.
    SubmitPlan(Plan),
    /// Make (or, before publishing, replace) one of the three commitments.
    Commit(Commit),
    /// Make the commitments public.
    Publish(Publish),
    /// Report progress on a milestone.
    Report(ReportProgress),
    /// The township verifies a milestone.
    Verify(Verify),
    /// Log a household's request in the 民情台账.
    LogRequest(LogRequest),
    /// Close a request: what was done, and the household's verdict.
    CloseRequest(CloseRequest),
    /// A committee member signs the published commitments.
    SignCommitments(SignCommitments),
}

/// Payload of `log-request`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogRequest {
    /// The household: 三组 李大爷.
    #[schemars(extend("x-label" = {"zh": "农户", "en": "Household"}))]
    pub household: String,
    /// What they asked for.
    #[schemars(extend("x-label" = {"zh": "诉求", "en": "Request"}, "x-multiline" = true))]
    pub request: String,
    /// The committee member who answers for it.
    #[schemars(extend("x-label" = {"zh": "责任人", "en": "Responsible"}))]
    pub responsible: String,
    /// By when, `YYYY-MM-DD`.
    #[schemars(extend("x-label" = {"zh": "办结时限", "en": "By when"}, "format" = "date"))]
    pub deadline: String,
}

/// Payload of `close-request`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// The request's number.
    #[schemars(extend("x-label" = {"zh": "台账序号", "en": "Request number"}))]
    pub id: u32,
    /// What was done.
    #[schemars(extend("x-label" = {"zh": "办理结果", "en": "What was done"}, "x-multiline" = true))]
    pub result: String,
    /// The household's verdict.
    #[schemars(extend("x-label" = {"zh": "群众满意度", "en": "The household's verdict"}))]
    pub satisfaction: Satisfaction,
}

/// Payload of `sign-commitments`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignCommitments {
    /// I have read the commitments and sign them.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "本人已阅读并签名承诺", "en": "I have read the commitments and sign them"}))]
    pub agree: bool,
}

/// Payload of `record-visits`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordVisits {
    /// The day, `YYYY-MM-DD`, not in the future.
    #[schemars(extend("x-label" = {"zh": "走访日期", "en": "Date"}, "format" = "date"))]
    pub date: String,
    /// Households visited, at least 1.
    #[schemars(extend("x-label" = {"zh": "走访户数", "en": "Households visited"}))]
    pub households: u32,
    /// Issues villagers raised.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "群众反映的问题", "en": "Issues raised"}))]
    pub issues: Vec<String>,
}

/// Payload of `commit`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Commit {
    /// Which commitment.
    #[schemars(extend("x-label" = {"zh": "承诺类别", "en": "Which commitment"}))]
    pub kind: Kind,
    /// Its headline.
    #[schemars(extend("x-label" = {"zh": "标题", "en": "Headline"}))]
    pub title: String,
    /// The commitment in full.
    #[schemars(extend("x-label" = {"zh": "承诺内容", "en": "The commitment in full"}, "x-multiline" = true))]
    pub text: String,
    /// Campaign and work commitments: at least the province's minimum.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "节点", "en": "Milestones"}))]
    pub milestones: Vec<NewMilestone>,
    /// The resignation commitment: at least one condition.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "辞职情形", "en": "Conditions for stepping down"}))]
    pub conditions: Vec<String>,
}

/// A milestone as the secretary writes it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMilestone {
    /// What will be done.
    #[schemars(extend("x-label" = {"zh": "节点内容", "en": "What will be done"}))]
    pub title: String,
    /// By when, `YYYY-MM-DD`, not in the past.
    #[schemars(extend("x-label" = {"zh": "完成时限", "en": "By when"}, "format" = "date"))]
    pub due: String,
}

/// Payload of `publish`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Publish {}

/// Payload of `report`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportProgress {
    /// `campaign` or `work`.
    #[schemars(extend("x-label" = {"zh": "承诺类别", "en": "Which commitment"}))]
    pub kind: Kind,
    /// The milestone's position, from 0.
    #[schemars(extend("x-label" = {"zh": "节点序号（第一个为 0）", "en": "Milestone number (the first is 0)"}))]
    pub milestone: usize,
    /// What was done and how it can be checked.
    #[schemars(extend("x-label" = {"zh": "完成情况及佐证", "en": "What was done and how to check it"}, "x-multiline" = true))]
    pub evidence: String,
    /// Photos of it: the finished road, the meeting (ids of the enrollment's files).
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "照片", "en": "Photos"}, "x-attachments" = true))]
    pub photos: Vec<String>,
}

/// Payload of `verify`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// `campaign` or `work`.
    #[schemars(extend("x-label" = {"zh": "承诺类别", "en": "Which commitment"}))]
    pub kind: Kind,
    /// The milestone's position, from 0.
    #[schemars(extend("x-label" = {"zh": "节点序号（第一个为 0）", "en": "Milestone number (the first is 0)"}))]
    pub milestone: usize,
    /// Remarks.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "核实意见", "en": "Remarks"}, "x-multiline" = true))]
    pub remarks: String,
}

/// The province's configuration.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Households to visit before the commitments are published; default 30.
    #[serde(default = "default_households")]
    pub household_target: u32,
    /// Milestones each campaign and work commitment needs at least; default 1.
    #[serde(default = "default_milestones")]
    pub min_milestones: u32,
}

fn default_households() -> u32 {
    30
}

fn default_milestones() -> u32 {
    1
}

impl Default for Config {
    fn default() -> Self {
        Self {
            household_target: default_households(),
            min_milestones: default_milestones(),
        }
    }
}
