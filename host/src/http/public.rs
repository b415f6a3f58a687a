//! Pages anyone may read without signing in: a village's published
//! commitments, say. A module opts in by rendering its `public` template for
//! a public actor ([`baton_sdk::Context::is_public`]); for any other module
//! this is a 404, so nothing is public by accident.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use baton_sdk::{Actor, Locale};

use super::enrollments::LocaleQuery;
use super::{AppState, Error, locale, now};
use crate::acting::{opened, village_context};
use crate::db::enrollments;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/public/villages/{code}/{module}", get(page))
}

/// A village's public page of a module, as HTML.
#[utoipa::path(get, path = "/public/villages/{code}/{module}", tag = "public",
    params(("code" = String, Path, description = "The village's 12-digit code"),
           ("module" = String, Path, description = "Module id, e.g. open-door"), LocaleQuery),
    responses((status = 200, description = "HTML"), (status = 404)))]
pub(super) async fn page(
    State(state): State<AppState>,
    Path((code, module)): Path<(String, String)>,
    Query(query): Query<LocaleQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let locale = locale(query.locale.as_deref(), &headers);
    let missing = || {
        Error::not_found(
            format!("{code} 没有可公开查看的“{module}”"),
            format!("{code} has no public page for {module}"),
        )
    };
    let mut e = enrollments::of_village(&state.db, &code, &module)
        .await?
        .ok_or_else(missing)?;
    let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
    let ctx = village_context(&state, &e, Actor::public(), locale, now()).await?;
    let current = opened(&state, &plugin, &mut e, &ctx, false).await?;
    let ctx = crate::acting::for_view(&state, &e, ctx).await?;
    let view = plugin.view(&ctx, &current).await?;
    if view.template != baton_sdk::PUBLIC_TEMPLATE {
        return Err(missing());
    }
    let body = plugin.render(&view, locale)?;
    let (lang, title) = match locale {
        Locale::ZhCn => ("zh-CN", &plugin.info().title.zh),
        Locale::En => ("en", &plugin.info().title.en),
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title></head><body>{body}</body></html>\n",
        handlebars::html_escape(title)
    );
    Ok(([(header::CACHE_CONTROL, "public, max-age=60")], Html(html)).into_response())
}
