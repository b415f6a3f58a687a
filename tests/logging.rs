//! Operations' logs: every line logged while answering a request carries
//! its request id, in text or JSON. In a test binary of their own, one at a
//! time: a scoped log subscriber sees only its own thread, and another test
//! logging on another thread at the same moment can make tracing cache a
//! callsite as uninteresting before this test's subscriber is counted.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use baton_host::demo::VILLAGE;
use baton_tests::api::Api;
use serde_json::{Value, json};

/// The tests here, one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A buffer the test's log lines go to.
#[derive(Clone, Default)]
struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Operations: every response carries a request id, and the lines logged
/// while answering it (here, a refused sign-in and the response line) carry
/// the same id; `/readyz` says the database takes writes.
#[tokio::test]
async fn each_request_has_an_id_its_log_lines_carry() {
    let _one = ONE_AT_A_TIME.lock().await;
    let test = baton_tests::TestDb::sqlite().await;
    let api = Api::new(&test).await;
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    let reply = api.login("nobody", "wrong").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let id = reply.headers["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let text = String::from_utf8(logs.0.lock().expect("logs").clone()).expect("utf-8");
    let line = text
        .lines()
        .find(|l| l.contains(&id) && l.contains("status=401"))
        .unwrap_or_else(|| panic!("no line with {id} and its status in:\n{text}"));
    assert!(line.contains("path=/api/v1/login"), "{line}");
    let ready = api
        .send(
            Request::get("/readyz")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["status"], "ready");
    test.cleanup().await;
}

/// Operations: `/metrics` counts requests by route and status and module
/// calls by module; with `--log-format json` each line is a JSON object
/// whose span carries the request id the response returned.
#[tokio::test]
async fn metrics_count_the_actions_and_json_log_lines_carry_the_request_id() {
    let _one = ONE_AT_A_TIME.lock().await;
    let test = baton_tests::TestDb::sqlite().await;
    let api = Api::new(&test).await;
    let logs = Logs::default();
    let writer = logs.clone();
    let _guard = tracing::subscriber::set_default(baton_host::cli::log_subscriber(
        baton_host::cli::LogFormat::Json,
        move || writer.clone(),
    ));
    tracing::callsite::rebuild_interest_cache();
    let nation = api.token("nation").await;
    let outgoing = api.token("outgoing").await;
    let handover = api.enrollment_of(&nation, VILLAGE, "handover").await;
    let mut ids = Vec::new();
    for (i, item) in ["seals", "archives", "assets"].into_iter().enumerate() {
        let reply = api
            .act(
                &outgoing,
                handover,
                &format!("metrics-{i}"),
                "declare",
                json!({"item": item, "entries": [{"name": "公章", "quantity": 1}]}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
        ids.push(
            reply.headers["x-request-id"]
                .to_str()
                .expect("ascii")
                .to_owned(),
        );
    }
    let refused = api
        .act(
            &outgoing,
            handover,
            "metrics-bad",
            "declare",
            json!({"item": "seals", "entries": []}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    let scraped = api
        .send(
            Request::get("/metrics")
                // The operator's scraper, on the server's own machine.
                .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                    [127, 0, 0, 1],
                    9090,
                ))))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(scraped.status, StatusCode::OK);
    assert!(
        scraped.headers[header::CONTENT_TYPE]
            .to_str()
            .is_ok_and(|t| t.starts_with("application/openmetrics-text")),
        "{:?}",
        scraped.headers
    );
    let text = String::from_utf8(scraped.body.clone()).expect("utf-8");
    // Counters are per process and other tests act too: at least ours.
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no series {series} in:\n{text}"))
    };
    let route = r#"route="/api/v1/enrollments/{id}/actions",method="POST""#;
    assert!(
        value(&format!(
            "baton_http_requests_total{{{route},status=\"200\"}}"
        )) >= 3.0
    );
    assert!(
        value(&format!(
            "baton_http_requests_total{{{route},status=\"422\"}}"
        )) >= 1.0
    );
    assert!(
        value(&format!(
            "baton_http_request_duration_seconds_count{{{route}}}"
        )) >= 4.0
    );
    let act_calls = text
        .lines()
        .find(|l| {
            l.starts_with("baton_module_calls_total{module=\"handover@")
                && l.contains(r#"call="act""#)
        })
        .unwrap_or_else(|| panic!("no handover act calls in:\n{text}"));
    let calls: f64 = act_calls
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(calls >= 4.0, "{act_calls}");
    assert!(
        text.contains("baton_db_connections{pool=\"read\",state=\"idle\"}"),
        "{text}"
    );

    let logged = String::from_utf8(logs.0.lock().expect("logs").clone()).expect("utf-8");
    for id in &ids {
        let line: Value = logged
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|l| l["span"]["id"] == id.as_str())
            .unwrap_or_else(|| panic!("no JSON line in the span of {id}:\n{logged}"));
        assert_eq!(line["span"]["name"], "request", "{line}");
        assert_eq!(line["span"]["method"], "POST", "{line}");
    }
    test.cleanup().await;
}
