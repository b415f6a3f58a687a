//! A township officer's home: their villages and how each module is doing
//! there, what waits for them in each; then the queue of what waits for
//! their witness or verification, oldest first, each a click from its page.
//! And the township's collective swearing-in (`/township/ceremony`).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baton_sdk::Role;
use serde_json::{Value, json};

use super::date;
use super::page::Visit;
use crate::ceremony;
use crate::notices::waiting;
use crate::shared::{AppState, Error, Fault, now};

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
            "mine": w.mine,
            "contact": w.contact,
        }));
    }
    // My villages: per village, each module's completion and what waits for me.
    let now = now();
    let mut villages: Vec<Value> = Vec::new();
    let mut modules: Vec<(String, String)> = Vec::new();
    for l in crate::reports::my_villages(&state, &visit.principal, now).await? {
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
    for v in &mut villages {
        let cells: Vec<Value> = modules
            .iter()
            .map(|(id, _)| v["cells"][id].clone())
            .collect();
        v["cells"] = Value::Array(cells);
    }
    let headers: Vec<&str> = modules.iter().map(|(_, title)| title.as_str()).collect();
    // The legend explains red only when a cell is red.
    let overdue = villages
        .iter()
        .flat_map(|v| v["cells"].as_array().into_iter().flatten())
        .any(|c| c["status"] == "overdue");
    Ok(visit.page(
        "township",
        &visit.t("township.title"),
        json!({"items": items, "count": items.len(), "villages": villages, "modules": headers, "overdue": overdue}),
    ))
}

/// What the ceremony's forms did, for the message at the top.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct CeremonyDone {
    scheduled: Option<usize>,
    recorded: Option<usize>,
}

/// 集体宣誓就职 for the whole township: one ceremony, one attendance form.
pub(super) async fn ceremony(
    State(state): State<AppState>,
    visit: Visit,
    Query(done): Query<CeremonyDone>,
) -> Result<Response, Error> {
    let flash = match (done.scheduled, done.recorded) {
        (Some(n), _) => Some(visit.t_with("ceremony.scheduled", &[("n", n.to_string())])),
        (_, Some(n)) => Some(visit.t_with("ceremony.recorded", &[("n", n.to_string())])),
        _ => None,
    };
    ceremony_page(&state, &visit, StatusCode::OK, json!({"flash": flash})).await
}

async fn ceremony_page(
    state: &AppState,
    visit: &Visit,
    status: StatusCode,
    extra: Value,
) -> Result<Response, Error> {
    if !visit
        .principal
        .grants
        .iter()
        .any(|g| g.role == Role::TownshipOfficer)
    {
        return Err(Error::forbidden());
    }
    let villages = ceremony::villages(state, &visit.principal, visit.locale).await?;
    let unscheduled = villages.iter().filter(|v| v.date.is_none()).count();
    let to_record = villages
        .iter()
        .filter(|v| v.date.is_some() && v.cadres.iter().any(|c| c.attendance == "unrecorded"))
        .count();
    let mut key = [0u8; 16];
    rand::fill(&mut key);
    let mut data = json!({
        "villages": villages,
        "unscheduled": unscheduled,
        "to_record": to_record,
        "key": hex::encode(key),
    });
    // The villages confirmed in a refused form stay ticked.
    let held = extra["attendance_input"]["held"].clone();
    if let Some(villages) = data["villages"].as_array_mut() {
        for v in villages {
            let id = v["enrollment"].to_string();
            v["held"] = json!(held.get(&id).is_some());
        }
    }
    if let (Some(d), Value::Object(extra)) = (data.as_object_mut(), extra) {
        d.extend(extra);
    }
    Ok(visit.page_with(status, "ceremony", &visit.t("ceremony.title"), data))
}

/// The ceremony's forms, as posted: repeated `absent` keys, so read as pairs.
fn pairs(body: &[u8]) -> Result<Vec<(String, String)>, Error> {
    serde_urlencoded::from_bytes(body).map_err(|e| Error::bad("body", e.to_string(), e.to_string()))
}

fn one<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Where to go next; or, when a village refused, the page saying which and
/// why beside how many actions went through.
async fn after(
    state: &AppState,
    visit: &Visit,
    answers: &[ceremony::Answer],
    done: &str,
) -> Result<Response, Error> {
    let refused: Vec<String> = answers
        .iter()
        .filter_map(|a| {
            a.refused.as_ref().map(|r| {
                visit.t_with(
                    "ceremony.refused",
                    &[("village", a.village.clone()), ("message", r.clone())],
                )
            })
        })
        .collect();
    let n: usize = answers.iter().map(|a| a.accepted).sum();
    if refused.is_empty() {
        return Ok(Redirect::to(&format!("/township/ceremony?{done}={n}")).into_response());
    }
    let flash = visit.t_with(&format!("ceremony.{done}"), &[("n", n.to_string())]);
    let extra = json!({"flash": flash, "refused": refused});
    ceremony_page(state, visit, StatusCode::CONFLICT, extra).await
}

pub(super) async fn ceremony_schedule(
    State(state): State<AppState>,
    visit: Visit,
    body: axum::body::Bytes,
) -> Result<Response, Error> {
    let form = pairs(&body)?;
    visit.check(Some(one(&form, "_csrf")))?;
    let (date, place, oath) = (one(&form, "date"), one(&form, "place"), one(&form, "oath"));
    match ceremony::schedule(
        &state,
        &visit.principal,
        visit.locale,
        one(&form, "key"),
        (date, place, oath),
    )
    .await
    {
        Ok(answers) => after(&state, &visit, &answers, "scheduled").await,
        Err(e @ Fault::BadRequest { .. }) => {
            let field = e.field().unwrap_or_default().to_owned();
            let extra = json!({
                "schedule_input": {"date": date, "place": place, "oath": oath},
                "schedule_errors": {field: e.message(visit.locale)},
            });
            ceremony_page(&state, &visit, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn ceremony_attendance(
    State(state): State<AppState>,
    visit: Visit,
    body: axum::body::Bytes,
) -> Result<Response, Error> {
    let form = pairs(&body)?;
    visit.check(Some(one(&form, "_csrf")))?;
    let absent: HashMap<String, String> = form
        .iter()
        .filter(|(k, _)| k == "absent")
        .map(|(_, person)| {
            (
                person.clone(),
                one(&form, &format!("reason.{person}")).to_owned(),
            )
        })
        .collect();
    let held: std::collections::HashSet<i64> = form
        .iter()
        .filter(|(k, _)| k == "held")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    match ceremony::attendance(
        &state,
        &visit.principal,
        visit.locale,
        one(&form, "key"),
        &absent,
        &held,
    )
    .await
    {
        Ok(answers) => after(&state, &visit, &answers, "recorded").await,
        Err(e @ Fault::BadRequest { .. }) => {
            // Named by person (`reason.<id>`, `absent.<id>`), shown beside them.
            let field = e.field().unwrap_or_default();
            let person = field.split_once('.').map_or(field, |(_, p)| p).to_owned();
            let reasons: serde_json::Map<String, Value> = form
                .iter()
                .filter_map(|(k, v)| k.strip_prefix("reason.").map(|p| (p.to_owned(), json!(v))))
                .collect();
            let ticked: serde_json::Map<String, Value> =
                absent.keys().map(|p| (p.clone(), json!(true))).collect();
            let confirmed: serde_json::Map<String, Value> =
                held.iter().map(|v| (v.to_string(), json!(true))).collect();
            let extra = json!({
                "attendance_input": {"absent": ticked, "reasons": reasons, "held": confirmed},
                "attendance_errors": {person: e.message(visit.locale)},
                "held_error": (field == "held").then(|| e.message(visit.locale)),
            });
            ceremony_page(&state, &visit, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Which township's 包村干部 to show or set: `unit`, else the officer's own.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct ContactsQuery {
    unit: Option<String>,
    saved: Option<usize>,
}

/// 包村干部: each village of the township and the officer it is assigned to.
pub(super) async fn contacts(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<ContactsQuery>,
) -> Result<Response, Error> {
    let flash = q
        .saved
        .map(|n| visit.t_with("contacts.saved", &[("n", n.to_string())]));
    let unit = match q.unit {
        Some(unit) => unit,
        None => own_township(&visit)?,
    };
    contacts_page(
        &state,
        &visit,
        &unit,
        StatusCode::OK,
        json!({"flash": flash}),
    )
    .await
}

fn own_township(visit: &Visit) -> Result<String, Error> {
    crate::contacts::own_townships(&visit.principal)
        .into_iter()
        .next()
        .ok_or_else(|| Fault::forbidden().into())
}

async fn contacts_page(
    state: &AppState,
    visit: &Visit,
    unit: &str,
    status: StatusCode,
    extra: Value,
) -> Result<Response, Error> {
    let township = crate::contacts::township(state, &visit.principal, unit).await?;
    // A refused form shows what was chosen, not what is stored.
    let chosen = &extra["chosen"];
    let villages: Vec<Value> = township
        .villages
        .iter()
        .map(|v| {
            let current = match chosen.get(&v.code) {
                Some(c) => c.as_i64(),
                None => v.contact,
            };
            let options: Vec<Value> = township
                .officers
                .iter()
                .map(|o| json!({"id": o.id, "name": o.name, "selected": current == Some(o.id)}))
                .collect();
            json!({"code": v.code, "name": v.name, "options": options, "unassigned": current.is_none(),
                   "error": extra["errors"].get(&v.code)})
        })
        .collect();
    let unassigned = villages.iter().filter(|v| v["unassigned"] == true).count();
    let mut data = json!({
        "township": township.name, "code": township.code, "villages": villages,
        "officers": township.officers.len(), "unassigned": unassigned,
    });
    if let (Some(d), Value::Object(extra)) = (data.as_object_mut(), extra) {
        d.extend(extra);
    }
    Ok(visit.page_with(status, "contacts", &visit.t("contacts.title"), data))
}

pub(super) async fn contacts_save(
    State(state): State<AppState>,
    visit: Visit,
    body: axum::body::Bytes,
) -> Result<Response, Error> {
    let form = pairs(&body)?;
    visit.check(Some(one(&form, "_csrf")))?;
    let unit = match one(&form, "unit") {
        "" => own_township(&visit)?,
        unit => unit.to_owned(),
    };
    let mut wanted: HashMap<String, Option<i64>> = HashMap::new();
    for (k, v) in &form {
        let Some(village) = k.strip_prefix("contact.") else {
            continue;
        };
        let account = match v.trim() {
            "" => None,
            v => Some(v.parse::<i64>().map_err(|_| {
                Fault::bad(
                    k.clone(),
                    "请从名单中选择乡镇干部",
                    "choose an officer from the list",
                )
            })?),
        };
        wanted.insert(village.to_owned(), account);
    }
    match crate::contacts::assign(&state, &visit.principal, &unit, &wanted).await {
        Ok(n) => {
            Ok(Redirect::to(&format!("/township/contacts?unit={unit}&saved={n}")).into_response())
        }
        Err(e @ Fault::BadRequest { .. }) => {
            let field = e.field().unwrap_or_default();
            let village = field.strip_prefix("contact.").unwrap_or(field).to_owned();
            let chosen: serde_json::Map<String, Value> =
                wanted.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            let extra = json!({
                "chosen": chosen,
                "errors": {village: e.message(visit.locale)},
                "problem": e.message(visit.locale),
            });
            contacts_page(
                &state,
                &visit,
                &unit,
                StatusCode::UNPROCESSABLE_ENTITY,
                extra,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
