//! Modules a province configures in the console: the list, saving a
//! definition (a new module, or a new version of one), and a preview that
//! stores nothing (see [`crate::definitions`]).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::json_body;
use crate::auth::Principal;
use crate::definitions::{Definition, NewDefinition, Preview, PreviewInput, Saved};
use crate::shared::{AppState, Error};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/definitions", get(list).post(save))
        .route("/api/v1/definitions/preview", post(preview))
}

/// The configured modules the caller may see: a province's own, or all for
/// the national administrator; newest version each, with its definition.
#[utoipa::path(get, path = "/api/v1/definitions", tag = "modules", operation_id = "list_definitions",
    responses((status = 200), (status = 401)), security(("bearer" = [])))]
pub(super) async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<Definition>>, Error> {
    Ok(Json(crate::definitions::list(&state, &principal).await?))
}

/// Saves a definition as a module of the province's own: a new module
/// (`procedure-31-1`, version 1.0.0) or, naming `module`, its next version.
/// The kind's engine checks it first; a bad one is refused field by field
/// (`config.steps.0.who`) and nothing is stored.
#[utoipa::path(post, path = "/api/v1/definitions", tag = "modules", operation_id = "save_definition", request_body = NewDefinition,
    responses((status = 201, body = Saved), (status = 400), (status = 403), (status = 409),
              (status = 422, description = "the definition is refused; each field says why")),
    security(("bearer" = [])))]
pub(super) async fn save(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Saved>), Error> {
    let input: NewDefinition = json_body(&body)?;
    let saved = crate::definitions::save(&state, &principal, input).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `?locale=en`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PreviewQuery {
    /// The page's language; default from `Accept-Language`, else Chinese.
    locale: Option<String>,
}

/// Runs a definition on the sample village (示例村): the actions in order,
/// as the roles given, then the page as `view_as` sees it. Nothing is stored.
#[utoipa::path(post, path = "/api/v1/definitions/preview", tag = "modules", operation_id = "preview_definition", params(PreviewQuery),
    request_body = PreviewInput,
    responses((status = 200, body = Preview), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub(super) async fn preview(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<PreviewQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Preview>, Error> {
    let input: PreviewInput = json_body(&body)?;
    let locale = super::locale(query.locale.as_deref(), &headers);
    Ok(Json(
        crate::definitions::preview(&state, &principal, input, locale, None).await?,
    ))
}
