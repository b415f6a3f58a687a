//! The handover's state, payloads and config.

use baton_sdk::Text;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One enrollment: the committee's handover, item by item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Built-in items first, then the province's, in the order they are listed.
    pub items: Vec<Item>,
}

/// One thing handed over: seals, archives, assets, premises, accounts…
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable key: `seals`, `archives`, … or the province's.
    pub key: String,
    /// What it is called.
    pub title: Text,
    /// The inventory the outgoing side declared.
    pub entries: Vec<Entry>,
    /// The outgoing cadre's signature on the inventory.
    pub declared: Option<Signature>,
    /// The new secretary's signature on receipt, with what did not match.
    pub received: Option<Receipt>,
    /// The township officer's signature as witness.
    pub witnessed: Option<Witness>,
    /// Why the secretary last sent the inventory back, until it is declared again.
    #[serde(default)]
    pub sent_back: Option<String>,
    /// Photos declared with the inventory: ids of the enrollment's files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
    /// Declared by someone other than the outgoing cadre: the township for
    /// a cadre who cannot (代为移交), or the re-elected committee itself (连任
    /// 自查).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf: Option<OnBehalf>,
}

/// Why an item was declared by someone other than the outgoing cadre, and
/// who saw it done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnBehalf {
    /// Why.
    pub reason: Reason,
    /// Who was present (for 代为移交: a villager representative, the
    /// supervision committee's chair…); empty for a self-check.
    pub witness: String,
}

/// Why the outgoing cadre does not declare an item himself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Away and cannot come back in time (外出).
    #[schemars(extend("x-label" = {"zh": "离任干部外出，无法到场", "en": "The outgoing cadre is away"}))]
    Absent,
    /// Refuses to hand over (拒不移交).
    #[schemars(extend("x-label" = {"zh": "离任干部拒不移交", "en": "The outgoing cadre refuses"}))]
    Refused,
    /// Ill (患病).
    #[schemars(extend("x-label" = {"zh": "离任干部患病，无法办理", "en": "The outgoing cadre is ill"}))]
    Ill,
    /// Has died (去世).
    #[schemars(extend("x-label" = {"zh": "离任干部已去世", "en": "The outgoing cadre has died"}))]
    Deceased,
    /// The whole committee was re-elected: nobody left, so the committee
    /// checks what it keeps (连任自查).
    #[schemars(extend("x-label" = {"zh": "班子连任，自查", "en": "Re-elected committee: self-check"}))]
    Reelected,
}

impl Reason {
    /// As the record says it.
    pub fn text(self) -> Text {
        match self {
            Reason::Absent => Text::new("离任干部外出", "the outgoing cadre is away"),
            Reason::Refused => Text::new("离任干部拒不移交", "the outgoing cadre refuses"),
            Reason::Ill => Text::new("离任干部患病", "the outgoing cadre is ill"),
            Reason::Deceased => Text::new("离任干部已去世", "the outgoing cadre has died"),
            Reason::Reelected => Text::new("班子连任，自查", "re-elected committee, self-check"),
        }
    }
}

impl Item {
    /// Signatures present, out of three.
    pub fn signatures(&self) -> u32 {
        u32::from(self.declared.is_some())
            + u32::from(self.received.is_some())
            + u32::from(self.witnessed.is_some())
    }
}

/// One line of an inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Entry {
    /// What it is: 「桂花村党支部」公章, 2021年会计凭证…
    #[schemars(extend("x-label" = {"zh": "名称", "en": "Name"}))]
    pub name: String,
    /// How many; at least 1.
    #[schemars(extend("x-label" = {"zh": "数量", "en": "Quantity"}))]
    pub quantity: u32,
    /// Where it is kept, its condition, its number…
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "备注（存放位置、状况、编号）", "en": "Note (where kept, condition, number)"}))]
    pub note: String,
}

/// Who signed, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// The signer's person id.
    pub person_id: String,
    /// The signer's name.
    pub name: String,
    /// Seconds since the Unix epoch.
    pub at: i64,
}

/// The new secretary's receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    /// The signature.
    pub signature: Signature,
    /// Entries that did not match the inventory.
    pub discrepancies: Vec<Discrepancy>,
    /// Photos taken on receipt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
}

/// An entry that did not match what was declared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Discrepancy {
    /// The entry's position in the inventory, from 0; the form offers the
    /// inventory's entries by name (`{{form "confirm" entries=entries}}`).
    #[schemars(extend("x-label" = {"zh": "不符的条目", "en": "Entry that does not match"}, "x-choices" = "entries"))]
    pub entry: usize,
    /// What is wrong: missing, damaged, a different quantity…
    #[schemars(extend("x-label" = {"zh": "差异说明", "en": "What is wrong"}))]
    pub note: String,
}

/// The township officer's witness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Witness {
    /// The signature.
    pub signature: Signature,
    /// Remarks; required when the receipt noted discrepancies.
    pub remarks: String,
    /// Photos taken on site.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
}

/// The actions, as the host sends them.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "kebab-case")]
pub enum Action {
    /// The outgoing cadre declares an item's inventory.
    Declare(Declare),
    /// The new secretary sends an inventory back to be declared again.
    SendBack(SendBack),
    /// The new secretary receives an item, noting discrepancies.
    Confirm(Confirm),
    /// The township officer witnesses an item's handover.
    Witness(WitnessPayload),
    /// The township declares for an outgoing cadre who cannot (代为移交), or
    /// the secretary of a re-elected committee checks an item (连任自查).
    DeclareFor(DeclareFor),
}

/// Payload of `declare-for`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclareFor {
    /// The item's key.
    pub item: String,
    /// Why the outgoing cadre does not declare it himself.
    #[schemars(extend("x-label" = {"zh": "原因", "en": "Why"}))]
    pub reason: Reason,
    /// Who was present; required when the township declares.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "见证人（如村务监督委员会主任、村民代表）", "en": "Present (e.g. the supervision committee's chair)"}))]
    pub witness: String,
    /// The inventory; at least one entry.
    #[schemars(extend("x-label" = {"zh": "移交清单", "en": "Inventory"}))]
    pub entries: Vec<Entry>,
    /// Photos, as for `declare`.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "照片（公章印模、签字清单等）", "en": "Photos (seal imprints, the signed list…)"}, "x-attachments" = true))]
    pub photos: Vec<String>,
}

/// Payload of `declare`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Declare {
    /// The item's key.
    pub item: String,
    /// The inventory; at least one entry.
    #[schemars(extend("x-label" = {"zh": "移交清单", "en": "Inventory"}))]
    pub entries: Vec<Entry>,
    /// Photos of the item (a seal's imprint, the signed paper list): ids of
    /// files uploaded to the enrollment.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "照片（公章印模、签字清单等）", "en": "Photos (seal imprints, the signed list…)"}, "x-attachments" = true))]
    pub photos: Vec<String>,
}

/// Payload of `send-back`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBack {
    /// The item's key.
    pub item: String,
    /// What must change.
    #[schemars(extend("x-label" = {"zh": "退回原因", "en": "What must change"}, "x-multiline" = true))]
    pub reason: String,
}

/// Payload of `confirm`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
    /// The item's key.
    pub item: String,
    /// Entries that did not match; empty when all did.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "不符之处（没有则留空）", "en": "Discrepancies (leave empty if none)"}, "x-rows" = 1))]
    pub discrepancies: Vec<Discrepancy>,
    /// Photos (ids of the enrollment's files).
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "照片", "en": "Photos"}, "x-attachments" = true))]
    pub photos: Vec<String>,
}

/// Payload of `witness`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WitnessPayload {
    /// The item's key.
    pub item: String,
    /// Remarks; required when the receipt noted discrepancies.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "监交意见", "en": "Remarks"}, "x-multiline" = true))]
    pub remarks: String,
    /// Photos (ids of the enrollment's files).
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "照片", "en": "Photos"}, "x-attachments" = true))]
    pub photos: Vec<String>,
}

/// The province's configuration.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Items counties list besides the five built-in ones, chosen by key:
    /// `debts` 债权债务, `contracts` 合同协议, `bank-seals` 银行预留印鉴,
    /// `open-issues` 遗留问题, `audit` 离任经济责任审计结果 (declared with the
    /// audit report attached). In the order given, after the five.
    #[serde(default)]
    pub listed_items: Vec<ListedItem>,
    /// Items of the province's own, after those.
    #[serde(default)]
    pub extra_items: Vec<ExtraItem>,
}

/// An item counties commonly hand over besides the five built-in ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ListedItem {
    /// 债权债务.
    Debts,
    /// 合同协议.
    Contracts,
    /// 银行预留印鉴.
    BankSeals,
    /// 遗留问题.
    OpenIssues,
    /// 离任经济责任审计结果.
    Audit,
}

/// An item a province adds.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraItem {
    /// Stable key, kebab-case: `militia-equipment`.
    pub key: String,
    /// What it is called.
    pub title: Text,
}
