//! The review's state, its actions' payloads and the province's config.

use baton_sdk::{Role, Stamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One village's review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// One per module the province's config names.
    pub checks: Vec<Check>,
    /// The county's, the city's and the province's steps, in order.
    pub reviews: Vec<Review>,
    /// Every problem found, open or closed.
    pub findings: Vec<Finding>,
}

/// Where the review is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// The township checks each module.
    SelfCheck,
    /// The county confirms the self-check.
    County,
    /// The city verifies on site.
    City,
    /// The province judges.
    Province,
    /// Judged; open problems may remain.
    Judged,
}

impl Stage {
    /// Who acts at this stage; nobody once judged.
    pub fn role(self) -> Option<Role> {
        match self {
            Stage::SelfCheck => Some(Role::TownshipOfficer),
            Stage::County => Some(Role::CountyTrainer),
            Stage::City => Some(Role::CityOfficer),
            Stage::Province => Some(Role::ProvinceAdmin),
            Stage::Judged => None,
        }
    }

    /// The stage's sign-off subject.
    pub fn key(self) -> &'static str {
        match self {
            Stage::SelfCheck => "self-check",
            Stage::County => "county",
            Stage::City => "city",
            Stage::Province => "province",
            Stage::Judged => "judged",
        }
    }
}

impl State {
    /// The stage: self-check until every module is checked, then each level's step.
    pub fn stage(&self) -> Stage {
        if self.checks.iter().any(|c| c.verdict.is_none()) {
            return Stage::SelfCheck;
        }
        match self.reviews.len() {
            0 => Stage::County,
            1 => Stage::City,
            2 => Stage::Province,
            _ => Stage::Judged,
        }
    }
}

/// The township's check of one module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// The module's id.
    pub module: String,
    /// The township's verdict, once checked.
    pub verdict: Option<Verdict>,
}

/// What the township found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Problems found (a rectification was opened); otherwise done as required.
    pub problems: bool,
    /// Notes.
    pub note: String,
    /// Photos: ids of the enrollment's files.
    pub photos: Vec<String>,
    /// Who checked, when.
    pub by: Stamp,
}

/// A level's step after the self-check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// County, city or province.
    pub stage: Stage,
    /// Notes.
    pub note: String,
    /// The city's visit, `YYYY-MM-DD`.
    pub visited_on: Option<String>,
    /// The province's judgement.
    pub passed: Option<bool>,
    /// Photos of the visit.
    pub photos: Vec<String>,
    /// Who, when.
    pub by: Stamp,
}

/// A problem found, and its rectification (整改).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// 1, 2, 3… within the review.
    pub id: u32,
    /// The module it is about.
    pub module: String,
    /// What is wrong.
    pub problem: String,
    /// Rectify by, `YYYY-MM-DD`.
    pub deadline: String,
    /// The level that found it: only it closes it.
    pub found_by: Role,
    /// Who found it, when.
    pub opened: Stamp,
    /// The village's report of the fix, awaiting verification.
    pub fix: Option<Fix>,
    /// Why the last reported fix was not accepted.
    pub sent_back: Option<String>,
    /// Verified and closed (销号).
    pub closed: Option<Stamp>,
}

/// The village's report of a fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// What was done.
    pub note: String,
    /// Photos: ids of the enrollment's files.
    pub photos: Vec<String>,
    /// Who reported, when.
    pub by: Stamp,
}

/// The actions, as the host sends them.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "kebab-case")]
pub enum Action {
    /// The township checks one module.
    SelfCheck(SelfCheck),
    /// The level whose step it is raises a problem.
    Find(Find),
    /// The county confirms the self-check.
    Confirm(Confirm),
    /// The city verifies on site.
    Verify(Verify),
    /// The province judges.
    Judge(Judge),
    /// The village reports a fix.
    ReportFix(ReportFix),
    /// The level that found a problem verifies its fix.
    Close(Close),
}

/// Payload of `self-check`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfCheck {
    /// The module checked.
    pub module: String,
    /// Problems found; otherwise done as required.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "发现问题（未勾选即为已按要求完成）", "en": "Problems found (unticked: done as required)"}))]
    pub problems: bool,
    /// Notes; the problem, when problems were found.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "情况说明", "en": "Notes"}, "x-multiline" = true))]
    pub note: String,
    /// Rectify by, when problems were found.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "整改期限（发现问题时填写）", "en": "Rectify by (when problems were found)"}, "format" = "date"))]
    pub deadline: String,
    /// Photos: ids of the enrollment's files.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "照片", "en": "Photos"}, "x-attachments" = true))]
    pub photos: Vec<String>,
}

/// Payload of `find`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Find {
    /// The module it is about.
    pub module: String,
    /// What is wrong.
    #[schemars(extend("x-label" = {"zh": "发现的问题", "en": "Problem"}, "x-multiline" = true))]
    pub problem: String,
    /// Rectify by.
    #[schemars(extend("x-label" = {"zh": "整改期限", "en": "Rectify by"}, "format" = "date"))]
    pub deadline: String,
}

/// Payload of `confirm`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
    /// Notes.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "确认意见", "en": "Remarks"}, "x-multiline" = true))]
    pub note: String,
}

/// Payload of `verify`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// The day of the visit.
    #[schemars(extend("x-label" = {"zh": "实地核查日期", "en": "Visited on"}, "format" = "date"))]
    pub visited_on: String,
    /// What was seen.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "核查情况", "en": "What was seen"}, "x-multiline" = true))]
    pub note: String,
    /// Photos: ids of the enrollment's files.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "照片", "en": "Photos"}, "x-attachments" = true))]
    pub photos: Vec<String>,
}

/// Payload of `judge`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Judge {
    /// The village's post-election work passes.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "研判合格", "en": "Passed"}))]
    pub passed: bool,
    /// Notes; required when it does not pass.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "研判意见（不合格时必填）", "en": "Judgement (required when not passed)"}, "x-multiline" = true))]
    pub note: String,
}

/// Payload of `report-fix`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportFix {
    /// The problem's number.
    pub finding: u32,
    /// What was done.
    #[schemars(extend("x-label" = {"zh": "整改情况", "en": "What was done"}, "x-multiline" = true))]
    pub note: String,
    /// Photos: ids of the enrollment's files.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "照片", "en": "Photos"}, "x-attachments" = true))]
    pub photos: Vec<String>,
}

/// Payload of `close`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Close {
    /// The problem's number.
    pub finding: u32,
    /// The fix is done; otherwise it goes back to the village.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "整改到位，同意销号", "en": "Rectified: close it"}))]
    pub accepted: bool,
    /// Why not, when not accepted.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "核验意见（不同意时必填）", "en": "Remarks (required when not accepted)"}, "x-multiline" = true))]
    pub note: String,
}

/// The province's configuration.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The modules the review checks, by id; the post-election ones by default.
    #[schemars(extend("x-label" = {"zh": "检查的工作（模块编号）", "en": "Modules checked (ids)"}))]
    pub modules: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        let modules = [
            "handover",
            "visits",
            "first-lesson",
            "duties",
            "open-door",
            "swearing-in",
            "pledge",
        ];
        Self {
            modules: modules.map(String::from).to_vec(),
        }
    }
}
