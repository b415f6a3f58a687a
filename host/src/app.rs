//! The application assembled in one place: the router (the JSON API, the
//! pages, `/metrics`) over the state, and the layers every request passes
//! through (request id and span, compression, metrics and failure
//! logging, the guard, error pages).

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

pub use crate::state::AppState;

/// The application's router: what `baton serve` serves and tests drive.
pub fn router(state: AppState) -> Router {
    crate::registry::count_calls(crate::metrics::module_call);
    let state = crate::shared::AppState(state);
    Router::new()
        .merge(crate::http::routes())
        .merge(crate::web::router())
        .route("/metrics", get(metrics))
        .fallback(crate::shared::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::web::html_errors,
        ))
        .layer(axum::middleware::from_fn(crate::shared::guard::guard))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::shared::client::forwarded,
        ))
        .layer(axum::middleware::from_fn(crate::metrics::record))
        // Compressed for whoever accepts it (not photos or PDFs, compressed
        // already; not tiny bodies), at level 4: brotli's default of 11
        // costs tens of milliseconds a page.
        .layer({
            use tower_http::compression::predicate::{NotForContentType, Predicate as _};
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Precise(4))
                .compress_when(
                    tower_http::compression::DefaultPredicate::new()
                        .and(NotForContentType::const_new("application/pdf")),
                )
        })
        .layer(
            tower::ServiceBuilder::new()
                .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(
                    tower_http::request_id::MakeRequestUuid,
                ))
                .layer(
                    tower_http::trace::TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(
                            tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                        ),
                )
                .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id()),
        )
        .layer(axum::middleware::from_fn(own_request_id))
        .with_state(state)
}

/// A client's `x-request-id` is kept only when it is a short, plain id
/// (letters, digits, `-`, `_`, `.`; at most 64); anything else is dropped
/// and a new one made, so no log line or response echoes what a client wrote.
async fn own_request_id(
    mut req: axum::http::Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> Response {
    let plain = req.headers().get("x-request-id").is_none_or(|v| {
        let b = v.as_bytes();
        !b.is_empty()
            && b.len() <= 64
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
    });
    if !plain {
        req.headers_mut().remove("x-request-id");
    }
    next.run(req).await
}

/// The span every line logged while answering a request sits in: its id
/// (the `x-request-id` the response carries), method and path.
fn request_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
}

/// `GET /metrics`: Prometheus' text format. It names no person or place,
/// and still only the operator's scraper reads it: from an address of
/// `BATON_METRICS_FROM` (loopback by default) or with the bearer token
/// `BATON_METRICS_TOKEN`; anyone else gets a 404.
async fn metrics(
    State(state): State<crate::shared::AppState>,
    axum::Extension(client): axum::Extension<crate::shared::client::Client>,
    headers: axum::http::HeaderMap,
) -> Response {
    use axum::response::IntoResponse as _;
    let settings = &state.settings.args;
    let from_scraper = client
        .peer
        .is_some_and(|ip| settings.metrics_from.contains(ip));
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let with_token = match (&settings.metrics_token, token) {
        (Some(want), Some(got)) => {
            use sha2::Digest as _;
            // Compared as digests: equal length, no early exit on a prefix.
            sha2::Sha256::digest(want.as_bytes()) == sha2::Sha256::digest(got.as_bytes())
        }
        _ => false,
    };
    if from_scraper || with_token {
        crate::metrics::scrape(&state.db.pool_stats())
    } else {
        crate::shared::not_found().await.into_response()
    }
}
