//! `GET /statistics`: the 工作统计 a unit reports upward — per module the
//! counts of what was signed and done (谈心谈话人次, 宣誓人次, 承诺书份数,
//! 发现问题数与整改销号数…), a row per unit below it and its total, with
//! the lines for 填报人、审核人 and the date; printed on A4 landscape, or
//! exported (`format=xlsx` or `csv`) as the same table.

use axum::extract::{Query, State};
use axum::response::Response;
use baton_sdk::Locale;
use serde::Deserialize;
use serde_json::json;

use super::date;
use super::page::Visit;
use crate::export::{Cell, Table};
use crate::shared::{AppState, Error, now};
use crate::statistics::{FIGURES, work};

/// `?unit=` (default: the reader's own unit) and `format=`.
#[derive(Debug, Deserialize)]
pub(super) struct Which {
    unit: Option<String>,
    format: Option<String>,
}

fn pick(locale: Locale, (zh, en): (&'static str, &'static str)) -> &'static str {
    match locale {
        Locale::En => en,
        _ => zh,
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<Which>,
) -> Result<Response, Error> {
    let code = visit.unit_or_own(q.unit.as_deref());
    let scope = crate::reports::scope(&state, &visit.principal, code.as_deref()).await?;
    let work = work(&state, &scope).await?;
    let unit = scope
        .unit
        .as_ref()
        .map_or_else(|| visit.t("county.nation"), |u| u.name.clone());
    let today = date(now());
    let total_label = visit.t("structure.total");
    if let Some(format) = q.format.as_deref() {
        let mut headers = vec![visit.t("county.unit")];
        headers.extend(FIGURES.iter().map(|f| {
            format!(
                "{}·{}",
                pick(visit.locale, f.module_title),
                pick(visit.locale, f.title)
            )
        }));
        let row = |name: String, counts: &[i64]| {
            let mut cells = vec![Cell::Text(name)];
            cells.extend(counts.iter().map(|n| Cell::Number(*n)));
            cells
        };
        let mut rows: Vec<Vec<Cell>> = work
            .rows
            .iter()
            .map(|(_, name, counts)| row(name.clone(), counts))
            .collect();
        rows.push(row(total_label, &work.total));
        let table = Table {
            name: format!("{unit}-{}-{today}", visit.t("statistics.title")),
            headers,
            rows,
        };
        return super::county::download(&table, format);
    }
    // The first header row: each module once, over its figures.
    let mut groups: Vec<serde_json::Value> = Vec::new();
    for f in &FIGURES {
        let title = pick(visit.locale, f.module_title);
        match groups.last_mut() {
            Some(g) if g["module"] == f.module => {
                g["span"] = json!(g["span"].as_u64().unwrap_or(0) + 1);
            }
            _ => groups.push(json!({"module": f.module, "title": title, "span": 1})),
        }
    }
    let figures: Vec<&str> = FIGURES
        .iter()
        .map(|f| pick(visit.locale, f.title))
        .collect();
    let rows: Vec<_> = work
        .rows
        .iter()
        .map(|(code, name, counts)| {
            json!({"name": name, "href": format!("/statistics?unit={code}"), "cells": counts})
        })
        .collect();
    let here = scope
        .unit
        .as_ref()
        .map_or(String::new(), |u| u.code.clone());
    let title = visit.t_with("statistics.heading", &[("unit", unit.clone())]);
    Ok(visit.page(
        "statistics",
        &title,
        json!({
            "unit": unit,
            "groups": groups,
            "figures": figures,
            "rows": rows,
            "total": work.total,
            "filled_by": visit.principal.display_name,
            "date": today,
            "xlsx": format!("/statistics?unit={here}&format=xlsx"),
            "csv": format!("/statistics?unit={here}&format=csv"),
        }),
    ))
}
