//! What an operator watches: `/metrics` in Prometheus' text format, and the
//! one place a failed request is logged with its cause.
//!
//! Counted: requests by route, method and status with their latency; module
//! calls by module and call, and faults by module and kind; the database
//! pool's connections, read when scraped.

use std::sync::LazyLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    module: String,
    call: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FaultLabels {
    module: String,
    fault: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
    state: &'static str,
}

/// The process's metrics. One set per process, like the runtime's engine:
/// every app in it (tests run several) counts into the same families.
struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    calls: Family<CallLabels, Counter>,
    call_latency: Family<CallLabels, Histogram>,
    faults: Family<FaultLabels, Counter>,
    connections: Family<PoolLabels, Gauge>,
}

fn request_buckets() -> Histogram {
    // 1 ms … 4 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 13))
}

fn call_buckets() -> Histogram {
    // 10 µs … 160 ms: a module call's deadline is 100 ms.
    Histogram::new(exponential_buckets(0.000_01, 2.0, 15))
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("baton");
    let requests = Family::default();
    let latency = Family::new_with_constructor(request_buckets as fn() -> Histogram);
    let calls = Family::default();
    let call_latency = Family::new_with_constructor(call_buckets as fn() -> Histogram);
    let faults = Family::default();
    let connections = Family::default();
    registry.register(
        "http_requests",
        "HTTP requests answered, by route, method and status",
        requests.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "Time to answer an HTTP request, by route and method",
        latency.clone(),
    );
    registry.register(
        "module_calls",
        "Calls into modules, by module (id@version) and call",
        calls.clone(),
    );
    registry.register(
        "module_call_duration_seconds",
        "Time a module call takes, instantiation included",
        call_latency.clone(),
    );
    registry.register(
        "module_faults",
        "Module calls stopped by a fault, by module and kind (timeout, out-of-memory, panic, trap, malformed)",
        faults.clone(),
    );
    registry.register(
        "db_connections",
        "Database pool connections, by pool and state (idle, busy)",
        connections.clone(),
    );
    Metrics {
        registry,
        requests,
        latency,
        calls,
        call_latency,
        faults,
        connections,
    }
});

/// Counts one module call: `call` (start, act, view) of `module`, how long
/// it took, and its fault if it had one.
pub fn module_call(
    module: &str,
    call: &'static str,
    started: Instant,
    fault: Option<&'static str>,
) {
    let m = &*METRICS;
    let labels = CallLabels {
        module: module.to_owned(),
        call,
    };
    m.call_latency
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    m.calls.get_or_create(&labels).inc();
    if let Some(fault) = fault {
        m.faults
            .get_or_create(&FaultLabels {
                module: module.to_owned(),
                fault,
            })
            .inc();
    }
}

/// The metrics in Prometheus' text format, with the database pools'
/// connections as `pools` gives them: (pool, open, idle).
pub fn scrape(pools: &[(&'static str, u32, u32)]) -> Response {
    let m = &*METRICS;
    for &(pool, size, idle) in pools {
        let idle = i64::from(idle);
        let busy = i64::from(size) - idle;
        m.connections
            .get_or_create(&PoolLabels {
                pool,
                state: "idle",
            })
            .set(idle);
        m.connections
            .get_or_create(&PoolLabels {
                pool,
                state: "busy",
            })
            .set(busy);
    }
    let mut text = String::new();
    if let Err(e) = prometheus_client::encoding::text::encode(&mut text, &m.registry) {
        tracing::error!(error = %e, "encoding metrics");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// Why a request failed, attached to its response by whoever answered it;
/// logged once, here, with the request's span (and so its id).
#[derive(Clone, Debug)]
pub struct Failure {
    /// `error` for the server's own failures, `warn` for a module's fault.
    pub severe: bool,
    /// The cause, with its chain.
    pub cause: String,
}

/// Counts every request by its route (the pattern, not the path, so ids do
/// not make new series) and logs a failure's cause once.
pub async fn record(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
    // Methods outside HTTP's own set are one series, whatever a client
    // makes up; an unmatched path is already one route.
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m,
        _ => "other",
    }
    .to_owned();
    let response = next.run(req).await;
    if let Some(failure) = response.extensions().get::<Failure>() {
        if failure.severe {
            tracing::error!(error = %failure.cause, status = response.status().as_u16(), "request failed");
        } else {
            tracing::warn!(error = %failure.cause, status = response.status().as_u16(), "request failed");
        }
    }
    let m = &*METRICS;
    m.latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
            method: method.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    m.requests
        .get_or_create(&RequestLabels {
            route,
            method,
            status: response.status().as_u16(),
        })
        .inc();
    response
}
