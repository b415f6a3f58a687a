//! A township officer's home: their villages and how each module is doing
//! there, what waits for them in each; then the queue of what waits for
//! their witness or verification, oldest first, each a click from its page.

use axum::extract::State;
use axum::response::Response;
use baton_sdk::Role;
use serde_json::{Value, json};

use super::date;
use super::page::Visit;
use crate::http::{AppState, Error, now};
use crate::notices::waiting;

pub(super) async fn queue(State(state): State<AppState>, visit: Visit) -> Result<Response, Error> {
    let queue = waiting(&state, &visit.principal).await?;
    let mut items: Vec<Value> = Vec::new();
    for w in &queue {
        let plugin = state.plugin(&w.module, &w.version).await?;
        items.push(json!({
            "href": format!("/enrollments/{}", w.enrollment_id),
            "village": w.village,
            "module": plugin.info().title.get(visit.locale).to_owned(),
            "message": w.message.get(visit.locale).to_owned(),
            "count": w.count,
            "date": date(w.at),
        }));
    }
    // My villages: per village, each module's completion and what waits for me.
    let now = now();
    let mut villages: Vec<Value> = Vec::new();
    let mut modules: Vec<(String, String)> = Vec::new();
    for path in visit
        .principal
        .grants
        .iter()
        .filter(|g| g.role == Role::TownshipOfficer)
        .filter_map(|g| g.path.as_deref())
    {
        for l in crate::db::reports::villages(&state.db, path, now).await? {
            let title = state
                .plugin(&l.module, &l.version)
                .await?
                .info()
                .title
                .get(visit.locale)
                .to_owned();
            if !modules.iter().any(|(id, _)| *id == l.module) {
                modules.push((l.module.clone(), title));
            }
            let at = match villages.iter().position(|v| v["code"] == l.village_code) {
                Some(at) => at,
                None => {
                    let waits: i64 = queue
                        .iter()
                        .filter(|w| w.village_code == l.village_code)
                        .map(|w| w.count)
                        .sum();
                    villages.push(json!({
                        "code": l.village_code, "name": l.village, "waits": waits,
                        "cells": {},
                    }));
                    villages.len() - 1
                }
            };
            let status = if l.completed == l.enrolled {
                "completed"
            } else if l.overdue > 0 {
                "overdue"
            } else {
                "started"
            };
            villages[at]["cells"][&l.module] =
                json!({"completed": l.completed, "enrolled": l.enrolled, "status": status});
        }
    }
    for v in &mut villages {
        let cells: Vec<Value> = modules
            .iter()
            .map(|(id, _)| v["cells"][id].clone())
            .collect();
        v["cells"] = Value::Array(cells);
    }
    let headers: Vec<&str> = modules.iter().map(|(_, title)| title.as_str()).collect();
    Ok(visit.page(
        "township",
        &visit.t("township.title"),
        json!({"items": items, "count": items.len(), "villages": villages, "modules": headers}),
    ))
}
