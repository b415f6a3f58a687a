//! The division of work: state, payloads and config.

use baton_sdk::{Stamp, Text};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One enrollment: the committee's division of work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The people on the new committees at start, by person id.
    pub members: Vec<String>,
    /// Each member's posts and responsibilities, in the order first assigned.
    pub duties: Vec<Duty>,
    /// The secretary's signature on the division; cleared by a later change.
    pub signed: Option<Stamp>,
    /// The township officer's acknowledgement of the signed division.
    pub acknowledged: Option<Acknowledgement>,
    /// Changes made after a sign-off, each of which reopened the division.
    pub changes: Vec<Change>,
}

/// One member's share of the work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duty {
    /// The member's person id.
    pub person_id: String,
    /// Their name.
    pub name: String,
    /// Post keys from the province's list.
    pub posts: Vec<String>,
    /// What they answer for, in the secretary's words.
    pub responsibilities: String,
    /// The village groups or grid cells they are responsible for (包联村民
    /// 小组、网格); absent when none were given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub groups: String,
    /// Who set this, when.
    pub set: Stamp,
}

/// A change to a signed-off division.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The member whose duty changed.
    pub name: String,
    /// Posts before and after.
    pub before: Vec<String>,
    /// Posts after.
    pub after: Vec<String>,
    /// Who changed it, when.
    pub by: Stamp,
}

/// The township officer's acknowledgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// Who, when.
    pub stamp: Stamp,
    /// Remarks.
    pub remarks: String,
}

/// The actions, as the host sends them.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "kebab-case")]
pub enum Action {
    /// Give a member posts and responsibilities (again, to change them).
    Assign(Assign),
    /// The secretary signs the division off.
    Sign(Sign),
    /// The township officer acknowledges the signed division.
    Acknowledge(Acknowledge),
}

/// Payload of `assign`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    /// The member's person id.
    #[schemars(extend("x-label" = {"zh": "成员", "en": "Member"}))]
    pub person: String,
    /// Post keys from the province's list; at least one.
    #[schemars(extend("x-label" = {"zh": "岗位", "en": "Posts"}))]
    pub posts: Vec<String>,
    /// What they answer for.
    #[schemars(extend("x-label" = {"zh": "职责", "en": "Responsibilities"}, "x-multiline" = true))]
    pub responsibilities: String,
    /// The village groups or grid cells they are responsible for: 一组、二组.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "包联村民小组或网格", "en": "Village groups or grid cells"}))]
    pub groups: String,
}

/// Payload of `sign`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sign {}

/// Payload of `acknowledge`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Acknowledge {
    /// Remarks.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "备案意见", "en": "Remarks"}, "x-multiline" = true))]
    pub remarks: String,
}

/// The province's configuration: the posts a village divides.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The posts, in the order they are shown.
    pub posts: Vec<Post>,
}

/// A post on the committees.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Post {
    /// Stable key, kebab-case: `organisation`.
    pub key: String,
    /// What it is called.
    pub title: Text,
    /// Must be filled before the division is signed.
    #[serde(default)]
    pub required: bool,
    /// May be held by more than one member.
    #[serde(default)]
    pub shared: bool,
}

impl Default for Config {
    fn default() -> Self {
        let post = |key: &str, zh: &str, en: &str, required, shared| Post {
            key: key.into(),
            title: Text::new(zh, en),
            required,
            shared,
        };
        Self {
            posts: vec![
                post(
                    "overall",
                    "主持全面工作",
                    "Leads the whole work",
                    false,
                    false,
                ),
                post("organisation", "组织委员", "Organisation", true, false),
                post(
                    "discipline",
                    "纪检委员",
                    "Discipline inspection",
                    true,
                    false,
                ),
                post("publicity", "宣传委员", "Publicity", false, false),
                post("women", "妇女工作", "Women's affairs", true, false),
                post("militia", "民兵工作", "Militia", false, false),
                post("mediation", "人民调解", "Mediation", true, false),
                post(
                    "public-security",
                    "治安保卫",
                    "Public security",
                    true,
                    false,
                ),
                post("social-affairs", "社会事务", "Social affairs", false, true),
                post("finance", "财务管理", "Finance", false, false),
            ],
        }
    }
}
