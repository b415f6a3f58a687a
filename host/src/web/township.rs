//! A township officer's queue: what waits for their witness or verification
//! across their villages, oldest first, each a click from its module page.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::date;
use super::page::Visit;
use crate::http::{AppState, Error};
use crate::notices::waiting;

pub(super) async fn queue(State(state): State<AppState>, visit: Visit) -> Result<Response, Error> {
    let mut items: Vec<Value> = Vec::new();
    for w in waiting(&state, &visit.principal).await? {
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
    Ok(visit.page(
        "township",
        &visit.t("township.title"),
        json!({"items": items, "count": items.len()}),
    ))
}
