//! The shared catalog's page (`/catalog`): the nation reviews what the
//! provinces offer; a province adopts what the nation approved and follows
//! its own offers (see [`crate::catalog`]).

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::page::Visit;
use crate::catalog::{Adopt, Offer, Review};
use crate::shared::{AppState, Error, Fault};

/// What the last form did.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Done {
    done: Option<String>,
    module: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    let flash = done.done.as_deref().map(|d| {
        visit.t_with(
            &format!("catalog.done.{d}"),
            &[("module", done.module.clone().unwrap_or_default())],
        )
    });
    show(&state, &visit, StatusCode::OK, flash, None).await
}

async fn show(
    state: &AppState,
    visit: &Visit,
    status: StatusCode,
    flash: Option<String>,
    problem: Option<String>,
) -> Result<Response, Error> {
    let nation = visit
        .principal
        .grants
        .iter()
        .any(|g| g.role == baton_sdk::Role::NationalAdmin);
    let mut entries = crate::catalog::list(state, &visit.principal, visit.locale).await?;
    for e in &mut entries {
        let status = e["status"].as_str().unwrap_or("offered").to_owned();
        e["status_text"] = json!(visit.t(&format!("catalog.status.{status}")));
        e["offered"] = json!(status == "offered");
        e["kb"] = json!((e["size"].as_i64().unwrap_or(0) + 1023) / 1024);
        let who: Vec<String> = e["who"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|r| visit.t(&format!("role.{r}")))
            .collect();
        let sep = if visit.locale == baton_sdk::Locale::En {
            ", "
        } else {
            "、"
        };
        e["who_text"] = json!(who.join(sep));
        let asks: Vec<&str> = e["asks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        e["asks_text"] = json!(asks.join(sep));
        e["adopters"] = json!(e["adopted_by"].as_array().map_or(0, Vec::len));
    }
    let data = json!({
        "flash": flash,
        "problem": problem,
        "nation": nation,
        "entries": entries,
    });
    Ok(visit.page_with(status, "catalog", &visit.t("catalog.title"), data))
}

/// A catalog form: which version, and the decision's fields.
#[derive(Debug, Deserialize)]
pub(super) struct Posted {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    module: String,
    version: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    approve: Option<String>,
    #[serde(default)]
    reason: String,
}

/// `POST /catalog/{offer,review,adopt}`.
async fn act(state: AppState, visit: Visit, form: Posted, what: &str) -> Result<Response, Error> {
    visit.check(form.csrf.as_deref())?;
    let label = format!("{}@{}", form.module, form.version);
    let module = form.module.clone();
    let done = match what {
        "offer" => {
            let offer = Offer {
                module: form.module,
                version: form.version,
                note: form.note,
            };
            crate::catalog::offer(&state, &visit.principal, offer)
                .await
                .map(|()| label)
        }
        "review" => {
            let approve = form.approve.as_deref() == Some("true");
            let review = Review {
                module: form.module,
                version: form.version,
                approve,
                reason: form.reason,
            };
            crate::catalog::review(&state, &visit.principal, review)
                .await
                .map(|()| label)
        }
        _ => {
            let adopt = Adopt {
                module: form.module,
                version: form.version,
                province: None,
                definition: None,
            };
            crate::catalog::adopt(&state, &visit.principal, adopt).await
        }
    };
    match done {
        // An adopted procedure opens in the editor, to change as the province wants.
        Ok(id) if what == "adopt" && id != module => Ok(Redirect::to(&format!(
            "/province/definitions?saved={id}&module={id}#editor-h"
        ))
        .into_response()),
        Ok(module) => {
            Ok(Redirect::to(&format!("/catalog?done={what}&module={module}")).into_response())
        }
        Err(
            e @ (Fault::BadRequest { .. }
            | Fault::Conflict(_)
            | Fault::Forbidden(_)
            | Fault::NotFound(_)),
        ) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            show(&state, &visit, status, None, Some(e.message(visit.locale))).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn offer(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<Posted>,
) -> Result<Response, Error> {
    act(state, visit, form, "offer").await
}

pub(super) async fn review(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<Posted>,
) -> Result<Response, Error> {
    act(state, visit, form, "review").await
}

pub(super) async fn adopt(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<Posted>,
) -> Result<Response, Error> {
    act(state, visit, form, "adopt").await
}
