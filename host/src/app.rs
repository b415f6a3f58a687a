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
    Router::new()
        .merge(crate::http::routes())
        .merge(crate::web::router())
        .route("/metrics", get(metrics))
        .fallback(crate::http::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::web::html_errors,
        ))
        .layer(axum::middleware::from_fn(crate::http::guard::guard))
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
        .with_state(state)
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

/// `GET /metrics`: Prometheus' text format. Like `/healthz` it names no
/// person or place; keep it behind the network's own access rules.
async fn metrics(State(state): State<AppState>) -> Response {
    crate::metrics::scrape(&state.db.pool_stats())
}
