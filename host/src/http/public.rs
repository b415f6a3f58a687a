//! Pages anyone may read without signing in: a village's published
//! commitments, say. A module opts in by rendering its `public` template for
//! a public actor ([`baton_sdk::Context::is_public`]); for any other module
//! this is a 404, so nothing is public by accident.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use baton_sdk::Locale;

use super::locale;
use crate::shared::{AppState, Error};

/// `?locale=en`; `?poster=1` for the A4 poster of the village notice board.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PublicQuery {
    /// `zh-CN` (default) or `en`.
    locale: Option<String>,
    /// Any value: the page as an A4 poster for the village notice board
    /// (村务公开栏), with a QR code back to this page.
    poster: Option<String>,
}

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/public/villages/{code}/{module}", get(page))
}

/// A village's public page of a module, as HTML.
#[utoipa::path(get, path = "/public/villages/{code}/{module}", tag = "public",
    params(("code" = String, Path, description = "The village's 12-digit code"),
           ("module" = String, Path, description = "Module id, e.g. open-door"), PublicQuery),
    responses((status = 200, description = "HTML"), (status = 404)))]
pub(super) async fn page(
    State(state): State<AppState>,
    Path((code, module)): Path<(String, String)>,
    Query(query): Query<PublicQuery>,
    headers: HeaderMap,
    axum::Extension(client): axum::Extension<crate::shared::client::Client>,
) -> Result<Response, Error> {
    let locale = locale(query.locale.as_deref(), &headers);
    let missing = || {
        Error::not_found(
            format!("{code} 没有可公开查看的“{module}”"),
            format!("{code} has no public page for {module}"),
        )
    };
    let (plugin, view) = crate::acting::public_view(&state, &code, &module, locale)
        .await?
        .ok_or_else(missing)?;
    let body = plugin.render_apart(view, locale, None).await?;
    let (lang, title) = match locale {
        Locale::ZhCn => ("zh-CN", &plugin.info().title.zh),
        Locale::En => ("en", &plugin.info().title.en),
    };
    let title = handlebars::html_escape(title);
    let html = match query.poster {
        None => format!(
            "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title></head><body>{body}</body></html>\n"
        ),
        // The notice board's copy: A4, the house style, and a QR code that
        // brings a villager's phone to this page as it is now.
        Some(_) => {
            let url = format!(
                "{}/public/villages/{code}/{module}{}",
                client.origin,
                if locale == Locale::En {
                    "?locale=en"
                } else {
                    ""
                }
            );
            let say = |key| crate::i18n::t(locale, key, &[]);
            let css = crate::assets::CSS_HREF.as_str();
            format!(
                "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <title>{title}</title><link rel=\"stylesheet\" href=\"{css}\"></head>\
                 <body class=\"poster\"><main><p class=\"poster-head\">{}</p>{body}\
                 <figure class=\"qr\">{}<figcaption>{}</figcaption></figure></main></body></html>\n",
                say("poster.heading"),
                crate::views::qr_svg(&url).unwrap_or_default(),
                say("poster.qr"),
            )
        }
    };
    // A shared cache may keep the page, and the poster only when its QR code
    // points to the operator's public URL, not to what a request's Host said.
    let cache = if query.poster.is_none() || state.settings.args.public_url.is_some() {
        "public, max-age=60"
    } else {
        "private, max-age=60"
    };
    Ok(([(header::CACHE_CONTROL, cache)], Html(html)).into_response())
}
