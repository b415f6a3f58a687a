//! `GET /structure`: the 换届结构统计 a unit reports upward — a row per unit
//! below it, columns by category (counts and ratios), the unit's total, and
//! the lines for 填报人、审核人 and the date; printed on A4 landscape, or
//! exported (`format=xlsx` or `csv`) as the same table.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::date;
use super::page::Visit;
use crate::export::{Cell, Table};
use crate::roster::Stats;
use crate::shared::{AppState, Error, now};

/// `?unit=` (default: the reader's own unit) and `format=`.
#[derive(Debug, Deserialize)]
pub(super) struct Which {
    unit: Option<String>,
    format: Option<String>,
}

/// The columns after the unit's name, as translation keys.
const HEADERS: [&str; 20] = [
    "structure.villages",
    "structure.members",
    "structure.one-shoulder",
    "structure.one-shoulder-pct",
    "structure.women",
    "structure.women-pct",
    "structure.under-35",
    "structure.under-35-pct",
    "structure.college",
    "structure.college-pct",
    "structure.cross",
    "structure.cross-pct",
    "structure.reelected",
    "structure.new",
    "structure.party",
    "structure.returnees",
    "structure.graduates",
    "structure.entrepreneurs",
    "structure.veterans",
    "structure.age",
];

/// `part` of `whole` as a percentage with one decimal (`45.5%`); `—` of none.
fn pct(part: i64, whole: i64) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// A unit's counts as the table's cells, in [`HEADERS`]' order.
fn cells(s: &Stats) -> Vec<Cell> {
    let n = Cell::Number;
    let t = Cell::Text;
    let average = if s.aged == 0 {
        "—".into()
    } else {
        format!("{:.1}", s.age_sum as f64 / s.aged as f64)
    };
    vec![
        n(s.villages),
        n(s.members),
        n(s.one_shoulder),
        t(pct(s.one_shoulder, s.villages)),
        n(s.women),
        t(pct(s.women, s.members)),
        n(s.under_35),
        t(pct(s.under_35, s.members)),
        n(s.college),
        t(pct(s.college, s.members)),
        n(s.cross_posted),
        t(pct(s.cross_posted, s.members)),
        n(s.reelected),
        n(s.members - s.reelected),
        n(s.party),
        n(s.returnees),
        n(s.graduates),
        n(s.entrepreneurs),
        n(s.veterans),
        t(average),
    ]
}

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.clone(),
        Cell::Number(n) => n.to_string(),
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<Which>,
) -> Result<Response, Error> {
    let code = visit.unit_or_own(q.unit.as_deref());
    let scope = crate::reports::scope(&state, &visit.principal, code.as_deref()).await?;
    let structure = crate::roster::structure(&state, &scope).await?;
    let unit = scope
        .unit
        .as_ref()
        .map_or_else(|| visit.t("county.nation"), |u| u.name.clone());
    let term = structure.term.clone().unwrap_or_default();
    let today = date(now());
    let mut headers = vec![visit.t("county.unit")];
    headers.extend(HEADERS.iter().map(|k| visit.t(k)));
    let total_label = visit.t("structure.total");
    if let Some(format) = q.format.as_deref() {
        let mut rows: Vec<Vec<Cell>> = structure
            .rows
            .iter()
            .map(|(_, name, s)| [vec![Cell::Text(name.clone())], cells(s)].concat())
            .collect();
        rows.push([vec![Cell::Text(total_label)], cells(&structure.total)].concat());
        let table = Table {
            name: format!("{unit}-{}-{today}", visit.t("structure.title")),
            headers,
            rows,
        };
        return super::county::download(&table, format);
    }
    let rows: Vec<_> = structure
        .rows
        .iter()
        .map(|(code, name, s)| {
            json!({"name": name, "href": format!("/structure?unit={code}"),
                   "cells": cells(s).iter().map(text).collect::<Vec<_>>()})
        })
        .collect();
    let here = scope
        .unit
        .as_ref()
        .map_or(String::new(), |u| u.code.clone());
    let title = visit.t_with("structure.heading", &[("unit", unit.clone())]);
    Ok(visit.page(
        "structure",
        &title,
        json!({
            "unit": unit,
            "term": term,
            "has_roster": structure.term.is_some(),
            "headers": headers,
            "rows": rows,
            "total": cells(&structure.total).iter().map(text).collect::<Vec<_>>(),
            "filled_by": visit.principal.display_name,
            "date": today,
            "xlsx": format!("/structure?unit={here}&format=xlsx"),
            "csv": format!("/structure?unit={here}&format=csv"),
        }),
    ))
}
