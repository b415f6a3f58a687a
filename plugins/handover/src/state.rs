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
    /// Items to hand over besides the five built-in ones.
    #[serde(default)]
    pub extra_items: Vec<ExtraItem>,
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
