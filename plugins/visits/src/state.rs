//! The visits' state, payloads and config.

use baton_sdk::{Committee, Departure, Stamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One enrollment: the village's outgoing cadres and what was done for each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Every outgoing and defeated cadre, as the roster listed them at start.
    pub people: Vec<Person>,
    /// The township officer's confirmation that the visits are complete.
    pub confirmed: Option<Confirmation>,
}

/// An outgoing cadre and their visits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// The platform's id of the person.
    pub person_id: String,
    /// Their name.
    pub name: String,
    /// The committee they sat on.
    pub committee: Committee,
    /// The post they held.
    pub post: String,
    /// Why they left.
    pub departure: Departure,
    /// Whole years served.
    pub years_served: u32,
    /// Eligible for a living subsidy under the province's rule at start.
    pub subsidy_eligible: bool,
    /// The steps besides the talk this person needs, fixed at start.
    pub required: Vec<Step>,
    /// Heart-to-heart talks (谈心谈话), oldest first.
    pub talks: Vec<Talk>,
    /// Whether the subsidy was applied for.
    pub subsidy: Option<Subsidy>,
    /// The honourable-retirement ceremony (荣退仪式).
    pub ceremony: Option<Ceremony>,
    /// The pairing of this old secretary with the new one (新老书记结对).
    pub pairing: Option<Pairing>,
}

impl Person {
    /// Held the secretary's post (书记) on the old committees.
    pub fn was_secretary(&self) -> bool {
        self.post == "书记" && self.committee == Committee::PartyBranch
    }

    /// Whether `step` is done.
    pub fn has(&self, step: Step) -> bool {
        match step {
            Step::Subsidy => self.subsidy.is_some(),
            Step::Ceremony => self.ceremony.is_some(),
            Step::Pairing => self.pairing.is_some(),
        }
    }

    /// Required steps done (the talk included), and required in all.
    pub fn steps(&self) -> (u32, u32) {
        let done = self.required.iter().filter(|s| self.has(**s)).count();
        let done = u32::from(!self.talks.is_empty()) + u32::try_from(done).unwrap_or(0);
        (done, 1 + u32::try_from(self.required.len()).unwrap_or(0))
    }
}

/// One heart-to-heart talk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Talk {
    /// The day of the talk, `YYYY-MM-DD`.
    pub date: String,
    /// Who visited.
    pub visitors: Vec<String>,
    /// What was discussed.
    pub discussed: String,
    /// What was promised or must be followed up.
    pub follow_ups: Vec<String>,
    /// 慰问金 handed over at the talk, yuan; 0 for none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub condolence: u32,
    /// Who logged it.
    pub logged: Stamp,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The living-subsidy decision (生活补助).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subsidy {
    /// Whether it was applied for.
    pub applied: bool,
    /// The application's reference, or why it was not applied for.
    pub note: String,
    /// Who recorded it.
    pub recorded: Stamp,
    /// The amount applied for, yuan a month; 0 when not given.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub monthly: u32,
    /// The township's decision (审批).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    /// Each payment (发放), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payments: Vec<Payment>,
    /// The cadre's acknowledgement of what was paid (签收).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<Stamp>,
}

impl Subsidy {
    /// Paid in all, yuan.
    pub fn paid(&self) -> u64 {
        self.payments.iter().map(|p| u64::from(p.amount)).sum()
    }
}

/// The township's decision on an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    /// Approved or not.
    pub approved: bool,
    /// The approved amount, yuan a month.
    pub monthly: u32,
    /// Why not, or remarks.
    pub note: String,
    /// Who decided, when.
    pub stamp: Stamp,
}

/// A payment of the subsidy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    /// The day paid, `YYYY-MM-DD`.
    pub paid_on: String,
    /// Yuan.
    pub amount: u32,
    /// The period it covers, or how it was paid.
    pub note: String,
    /// Who recorded it.
    pub stamp: Stamp,
}

/// An honourable-retirement ceremony.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ceremony {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Where, who attended, what was presented.
    pub note: String,
    /// Who recorded it.
    pub recorded: Stamp,
}

/// The new secretary paired with an old one (传帮带).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pairing {
    /// How they will work together: how often they meet, on what.
    pub plan: String,
    /// The new secretary, who made the pairing.
    pub new_secretary: Stamp,
}

/// The township officer's confirmation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Confirmation {
    /// Who confirmed, when.
    pub stamp: Stamp,
    /// Remarks.
    pub remarks: String,
}

/// The actions, as the host sends them.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "kebab-case")]
pub enum Action {
    /// Log a heart-to-heart talk with an outgoing cadre.
    LogTalk(LogTalk),
    /// Record whether an eligible cadre's living subsidy was applied for.
    RecordSubsidy(RecordSubsidy),
    /// The township approves (or not) an application.
    ApproveSubsidy(ApproveSubsidy),
    /// Record a payment of an approved subsidy.
    PaySubsidy(PaySubsidy),
    /// The cadre acknowledges what was paid.
    AcknowledgeSubsidy(AcknowledgeSubsidy),
    /// Record an honourable-retirement ceremony.
    HoldCeremony(HoldCeremony),
    /// The new secretary pairs with the old one.
    Pair(Pair),
    /// The township officer confirms every visit is done.
    Confirm(Confirm),
}

/// Payload of `log-talk`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogTalk {
    /// The outgoing cadre's person id.
    #[schemars(extend("x-label" = {"zh": "走访对象", "en": "Cadre visited"}))]
    pub person: String,
    /// The day of the talk, `YYYY-MM-DD`, not in the future.
    #[schemars(extend("x-label" = {"zh": "谈话日期", "en": "Date of the talk"}, "format" = "date"))]
    pub date: String,
    /// Who visited; at least one name.
    #[schemars(extend("x-label" = {"zh": "走访人", "en": "Visitors"}))]
    pub visitors: Vec<String>,
    /// What was discussed.
    #[schemars(extend("x-label" = {"zh": "谈话内容", "en": "What was discussed"}, "x-multiline" = true))]
    pub discussed: String,
    /// Follow-ups: promises made, problems to solve.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "后续事项", "en": "Follow-ups"}))]
    pub follow_ups: Vec<String>,
    /// 慰问金 handed over at the talk, yuan.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "慰问金（元）", "en": "Condolence money (yuan)"}))]
    pub condolence: u32,
}

/// Payload of `record-subsidy`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordSubsidy {
    /// The outgoing cadre's person id; they must be eligible.
    #[schemars(extend("x-label" = {"zh": "离任干部", "en": "Cadre"}))]
    pub person: String,
    /// Whether the subsidy was applied for.
    #[schemars(extend("x-label" = {"zh": "已申请生活补助", "en": "Subsidy applied for"}))]
    pub applied: bool,
    /// The application's reference; when not applied for, why (required).
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "申请编号；未申请的请说明原因", "en": "Reference; if not applied for, why"}))]
    pub note: String,
    /// The amount applied for, yuan a month.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "申请标准（元/月）", "en": "Amount applied for (yuan a month)"}))]
    pub monthly: u32,
}

/// Payload of `approve-subsidy`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveSubsidy {
    /// The cadre's person id; their application recorded.
    #[schemars(extend("x-label" = {"zh": "离任干部", "en": "Cadre"}))]
    pub person: String,
    /// Approved or not.
    #[schemars(extend("x-label" = {"zh": "审批通过", "en": "Approved"}))]
    pub approved: bool,
    /// The approved amount, yuan a month (required when approved).
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "核定标准（元/月）", "en": "Approved amount (yuan a month)"}))]
    pub monthly: u32,
    /// Why not (required when not approved), or remarks.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "审批意见", "en": "Remarks"}, "x-multiline" = true))]
    pub note: String,
}

/// Payload of `pay-subsidy`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaySubsidy {
    /// The cadre's person id; their subsidy approved.
    #[schemars(extend("x-label" = {"zh": "离任干部", "en": "Cadre"}))]
    pub person: String,
    /// The day paid, `YYYY-MM-DD`, not in the future.
    #[schemars(extend("x-label" = {"zh": "发放日期", "en": "Paid on"}, "format" = "date"))]
    pub paid_on: String,
    /// Yuan, more than 0.
    #[schemars(extend("x-label" = {"zh": "发放金额（元）", "en": "Amount (yuan)"}))]
    pub amount: u32,
    /// The period it covers, or how it was paid.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "发放期间或方式", "en": "Period or means"}))]
    pub note: String,
}

/// Payload of `acknowledge-subsidy`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeSubsidy {
    /// The cadre's own person id.
    #[schemars(extend("x-label" = {"zh": "离任干部", "en": "Cadre"}))]
    pub person: String,
}

/// Payload of `hold-ceremony`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldCeremony {
    /// The retiring cadre's person id.
    #[schemars(extend("x-label" = {"zh": "离任干部", "en": "Cadre"}))]
    pub person: String,
    /// The day, `YYYY-MM-DD`, not in the future.
    #[schemars(extend("x-label" = {"zh": "仪式日期", "en": "Date"}, "format" = "date"))]
    pub date: String,
    /// Where, who attended, what was presented.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "地点、参加人员、赠送物品", "en": "Where, who attended, what was presented"}, "x-multiline" = true))]
    pub note: String,
}

/// Payload of `pair`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    /// The old secretary's person id.
    #[schemars(extend("x-label" = {"zh": "老书记", "en": "Old secretary"}))]
    pub person: String,
    /// How the two will work together.
    #[schemars(extend("x-label" = {"zh": "传帮带安排", "en": "How the two will work together"}, "x-multiline" = true))]
    pub plan: String,
}

/// Payload of `confirm`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
    /// Remarks.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "备注", "en": "Remarks"}, "x-multiline" = true))]
    pub remarks: String,
}

/// A step besides the talk, which is always required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// Record the subsidy decision of every eligible cadre.
    Subsidy,
    /// Hold an honourable-retirement ceremony for every retiring cadre.
    Ceremony,
    /// Pair every retiring old secretary with the new secretary.
    Pairing,
}

/// The province's configuration.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Steps required besides the talk; default: the subsidy decision.
    #[serde(default = "default_required")]
    pub required: Vec<Step>,
    /// A retired (not defeated or transferred) cadre with at least this many
    /// years on the committees is eligible for a living subsidy; default 6.
    #[serde(default = "default_min_years")]
    pub subsidy_min_years: u32,
}

fn default_required() -> Vec<Step> {
    vec![Step::Subsidy]
}

fn default_min_years() -> u32 {
    6
}

impl Default for Config {
    fn default() -> Self {
        Self {
            required: default_required(),
            subsidy_min_years: default_min_years(),
        }
    }
}
