//! 工作统计: per module, the counts a report upward needs — 谈心谈话人次,
//! 宣誓人次, 承诺书份数, 发现问题数与整改销号数… — per unit below a scope,
//! and the scope's total. Each figure counts the signed record (a sign-off
//! whose subject matches) or an accepted action by name, so it is what the
//! tamper-evident log holds, not what a page shows.

use std::collections::HashMap;

use serde::Serialize;

use crate::db::{org_units, reports as store};
use crate::error::Error;
use crate::reports::Scope;
use crate::state::AppState;

/// What a figure counts.
#[derive(Debug, Clone, Copy)]
pub enum Count {
    /// Sign-offs whose subject starts with this.
    SignedPrefix(&'static str),
    /// Sign-offs whose subject ends with this.
    SignedSuffix(&'static str),
    /// Accepted actions of this name.
    Acted(&'static str),
    /// A whole-number field of the payloads of accepted actions of this
    /// name, added up (yuan).
    ActedSum(&'static str, &'static str),
}

/// A column of the work statistics.
#[derive(Debug, Clone, Copy)]
pub struct Figure {
    /// The module it counts in.
    pub module: &'static str,
    /// The module's title: (Chinese, English).
    pub module_title: (&'static str, &'static str),
    /// The figure's title: (Chinese, English).
    pub title: (&'static str, &'static str),
    /// What it counts.
    pub count: Count,
}

const fn figure(
    module: &'static str,
    module_title: (&'static str, &'static str),
    title: (&'static str, &'static str),
    count: Count,
) -> Figure {
    Figure {
        module,
        module_title,
        title,
        count,
    }
}

const HANDOVER: (&str, &str) = ("工作交接", "Handover");
const VISITS: (&str, &str) = ("离任走访", "Visits");
const OATH: (&str, &str) = ("宣誓就职", "Swearing-in");
const LESSON: (&str, &str) = ("第一课", "First lesson");
const DUTIES: (&str, &str) = ("定岗定责", "Division of work");
const OPEN_DOOR: (&str, &str) = ("开门一件事", "Open door");
const PLEDGE: (&str, &str) = ("纪律承诺", "Pledge");
const LOOK_BACK: (&str, &str) = ("回头看", "Look-back");

/// The figures, in the table's order.
pub const FIGURES: [Figure; 20] = [
    figure(
        "handover",
        HANDOVER,
        ("监交完成事项", "Items handed over and witnessed"),
        Count::SignedSuffix(":witness"),
    ),
    figure(
        "visits",
        VISITS,
        ("谈心谈话人次", "Talks held"),
        Count::SignedPrefix("talk:"),
    ),
    figure(
        "visits",
        VISITS,
        ("慰问金（元）", "Condolence money (yuan)"),
        Count::ActedSum("log-talk", "condolence"),
    ),
    figure(
        "visits",
        VISITS,
        ("生活补助登记人次", "Subsidies recorded"),
        Count::Acted("record-subsidy"),
    ),
    figure(
        "visits",
        VISITS,
        ("生活补助发放笔数", "Subsidy payments"),
        Count::Acted("pay-subsidy"),
    ),
    figure(
        "visits",
        VISITS,
        ("生活补助发放金额（元）", "Subsidy paid (yuan)"),
        Count::ActedSum("pay-subsidy", "amount"),
    ),
    figure(
        "visits",
        VISITS,
        ("结对帮带人数", "Cadres paired"),
        Count::SignedPrefix("pairing:"),
    ),
    figure(
        "swearing-in",
        OATH,
        ("宣誓人次", "Oaths sworn"),
        Count::SignedPrefix("oath:"),
    ),
    figure(
        "first-lesson",
        LESSON,
        ("培训签到人次", "Class check-ins"),
        Count::Acted("check-in"),
    ),
    figure(
        "first-lesson",
        LESSON,
        ("培训合格人次", "Passed the course"),
        Count::SignedPrefix("passed"),
    ),
    figure(
        "duties",
        DUTIES,
        ("分工表份数", "Divisions of work signed"),
        Count::SignedPrefix("division:"),
    ),
    figure(
        "open-door",
        OPEN_DOOR,
        ("承诺公示村数", "Villages that published their commitments"),
        Count::SignedPrefix("published"),
    ),
    figure(
        "open-door",
        OPEN_DOOR,
        ("办结核实次数", "Milestones verified"),
        Count::SignedPrefix("verify:"),
    ),
    figure(
        "open-door",
        OPEN_DOOR,
        ("民情台账件数", "Households' requests logged"),
        Count::Acted("log-request"),
    ),
    figure(
        "open-door",
        OPEN_DOOR,
        ("诉求办结件数", "Requests closed"),
        Count::Acted("close-request"),
    ),
    figure(
        "open-door",
        OPEN_DOOR,
        ("承诺签名人次", "Members who signed the commitments"),
        Count::SignedPrefix("commitments:"),
    ),
    figure(
        "pledge",
        PLEDGE,
        ("承诺书份数", "Pledges signed"),
        Count::SignedPrefix("pledge:"),
    ),
    figure(
        "pledge",
        PLEDGE,
        ("县级备案", "Filed by the county"),
        Count::SignedPrefix("filing"),
    ),
    figure(
        "look-back",
        LOOK_BACK,
        ("发现问题数", "Problems found"),
        Count::Acted("find"),
    ),
    figure(
        "look-back",
        LOOK_BACK,
        ("整改销号数", "Problems rectified"),
        Count::SignedPrefix("finding:"),
    ),
];

/// The work statistics of a scope.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Work {
    /// A row per unit directly below the scope: (code, name, one count per
    /// [`FIGURES`]).
    pub rows: Vec<(String, String, Vec<i64>)>,
    /// The scope's own: every row added up.
    pub total: Vec<i64>,
}

/// What an item adds to each figure: (figure, amount). An action may count
/// towards several (a payment: once, and its amount).
fn counts(module: &str, kind: &str, what: &str, payload: &str) -> Vec<(usize, i64)> {
    FIGURES
        .iter()
        .enumerate()
        .filter(|(_, f)| f.module == module)
        .filter_map(|(i, f)| match f.count {
            Count::SignedPrefix(p) => (kind == "signed" && what.starts_with(p)).then_some((i, 1)),
            Count::SignedSuffix(s) => (kind == "signed" && what.ends_with(s)).then_some((i, 1)),
            Count::Acted(a) => (kind == "acted" && what == a).then_some((i, 1)),
            Count::ActedSum(a, field) => (kind == "acted" && what == a)
                .then(|| {
                    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
                    Some((i, v[field].as_i64().unwrap_or(0)))
                })
                .flatten(),
        })
        .collect()
}

/// The work statistics of `scope`, per unit directly below it.
pub async fn work(state: &AppState, scope: &Scope) -> Result<Work, Error> {
    let code = scope.unit.as_ref().map(|u| u.code.as_str());
    let children = org_units::children(&state.db, code).await?;
    let mut modules: Vec<&str> = FIGURES.iter().map(|f| f.module).collect();
    modules.dedup();
    let mut by_child: HashMap<String, Vec<i64>> = HashMap::new();
    let mut total = vec![0; FIGURES.len()];
    for item in store::work_items(&state.db, &scope.path, &modules).await? {
        let adds = counts(&item.module, item.kind, &item.what, &item.payload);
        if adds.is_empty() {
            continue;
        }
        // The unit below the scope is the path's next code.
        let below = item.path[scope.path.len()..]
            .split('/')
            .find(|c| !c.is_empty())
            .unwrap_or_default();
        let row = by_child
            .entry(below.to_owned())
            .or_insert_with(|| vec![0; FIGURES.len()]);
        for (at, n) in adds {
            total[at] += n;
            row[at] += n;
        }
    }
    let rows = children
        .into_iter()
        .map(|u| {
            let counts = by_child
                .remove(&u.code)
                .unwrap_or_else(|| vec![0; FIGURES.len()]);
            (u.code, u.name, counts)
        })
        .collect();
    Ok(Work { rows, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_item_counts_towards_the_figures_of_its_own_module() {
        let at = |title: &str| {
            FIGURES
                .iter()
                .position(|f| f.title.0 == title)
                .expect(title)
        };
        assert_eq!(
            counts("handover", "signed", "seals:witness", ""),
            [(at("监交完成事项"), 1)]
        );
        assert_eq!(counts("handover", "signed", "seals:declare", ""), []);
        assert_eq!(
            counts("visits", "signed", "talk:p-1:1", ""),
            [(at("谈心谈话人次"), 1)]
        );
        assert_eq!(
            counts("visits", "acted", "record-subsidy", "{}"),
            [(at("生活补助登记人次"), 1)]
        );
        assert_eq!(
            counts(
                "visits",
                "acted",
                "pay-subsidy",
                r#"{"person":"p","amount":900}"#
            ),
            [
                (at("生活补助发放笔数"), 1),
                (at("生活补助发放金额（元）"), 900)
            ]
        );
        assert_eq!(
            counts("visits", "acted", "log-talk", r#"{"person":"p"}"#),
            [(at("慰问金（元）"), 0)]
        );
        assert_eq!(
            counts("pledge", "signed", "pledge:p-9", ""),
            [(at("承诺书份数"), 1)]
        );
        assert_eq!(
            counts("look-back", "signed", "finding:3", ""),
            [(at("整改销号数"), 1)]
        );
        assert_eq!(
            counts("swearing-in", "signed", "talk:p-1:1", ""),
            [],
            "another module's subject"
        );
    }
}
