//! The shared catalog: offering a version to the other provinces, the
//! nation's review, adopting an approved version (see [`crate::catalog`]).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::json_body;
use crate::auth::Principal;
use crate::catalog::{Adopt, Offer, Review};
use crate::shared::{AppState, Error};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/catalog", get(list).post(offer))
        .route("/api/v1/catalog/review", post(review))
        .route("/api/v1/catalog/adopt", post(adopt))
}

/// `?locale=en`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct LocaleQuery {
    /// The titles' language; default from `Accept-Language`, else Chinese.
    locale: Option<String>,
}

/// The catalog: for the nation every entry with what a review needs (what
/// it asks of whom, reviewers, size, contract, changes since the last
/// approved version); for a province the approved entries and its own
/// offers, with where each is in use, how many completed, and whether it
/// may adopt it.
#[utoipa::path(get, path = "/api/v1/catalog", tag = "catalog", operation_id = "list_catalog", params(LocaleQuery),
    responses((status = 200), (status = 403)), security(("bearer" = [])))]
pub(super) async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<LocaleQuery>,
    headers: HeaderMap,
) -> Result<Json<Vec<Value>>, Error> {
    let locale = super::locale(query.locale.as_deref(), &headers);
    Ok(Json(
        crate::catalog::list(&state, &principal, locale).await?,
    ))
}

/// Offers a version of a module the province owns to the other provinces.
#[utoipa::path(post, path = "/api/v1/catalog", tag = "catalog", operation_id = "offer_to_catalog", request_body = Offer,
    responses((status = 201), (status = 403), (status = 409)), security(("bearer" = [])))]
pub(super) async fn offer(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Error> {
    let input: Offer = json_body(&body)?;
    let (module, version) = (input.module.clone(), input.version.clone());
    crate::catalog::offer(&state, &principal, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"module": module, "version": version, "status": "offered"})),
    ))
}

/// The national administrator approves or refuses (with a reason) an
/// offered version.
#[utoipa::path(post, path = "/api/v1/catalog/review", tag = "catalog", operation_id = "review_catalog_entry", request_body = Review,
    responses((status = 200), (status = 400), (status = 403), (status = 409)), security(("bearer" = [])))]
pub(super) async fn review(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<Json<Value>, Error> {
    let input: Review = json_body(&body)?;
    let status = if input.approve { "approved" } else { "refused" };
    let (module, version) = (input.module.clone(), input.version.clone());
    crate::catalog::review(&state, &principal, input).await?;
    Ok(Json(
        json!({"module": module, "version": version, "status": status}),
    ))
}

/// Adopts an approved version into the adopter's province: a configured
/// module becomes the province's own (its definition changed or not); a
/// package may then be assigned there.
#[utoipa::path(post, path = "/api/v1/catalog/adopt", tag = "catalog", operation_id = "adopt_from_catalog", request_body = Adopt,
    responses((status = 201), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
pub(super) async fn adopt(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Error> {
    let input: Adopt = json_body(&body)?;
    let adopted_as = crate::catalog::adopt(&state, &principal, input).await?;
    Ok((StatusCode::CREATED, Json(json!({"module": adopted_as}))))
}
