//! Stand-ins for the gateways the outbox delivers to, on a local port: an
//! SMS gateway (`/sms`) and group robots (`/wecom`, `/dingtalk`, or any
//! other path) that record what they receive and answer as the real ones
//! do, or fail with a 500 while `fail` is set. Never the internet.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};

/// One request a stub received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The path it was sent to, without the leading slash: `sms`, `wecom`…
    pub path: String,
    /// Its JSON body.
    pub body: Value,
    /// Its headers.
    pub headers: HeaderMap,
}

#[derive(Clone, Default)]
struct Shared {
    received: Arc<Mutex<Vec<Received>>>,
    fail: Arc<AtomicBool>,
}

/// The stub gateways, while they live.
pub struct Stub {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    shared: Shared,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn receive(
    State(shared): State<Shared>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    if shared.fail.load(Ordering::SeqCst) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "gateway down".into());
    }
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    shared.received.lock().expect("lock").push(Received {
        path: path.clone(),
        body,
        headers,
    });
    let answer = if path == "sms" {
        json!({"code": "OK"})
    } else {
        json!({"errcode": 0, "errmsg": "ok"})
    };
    (StatusCode::OK, answer.to_string())
}

impl Stub {
    /// Starts the stubs on a free port.
    pub async fn start() -> Self {
        let shared = Shared::default();
        let app = Router::new()
            .route("/{path}", post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let task = tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, shared, task }
    }

    /// What was received at `path` so far.
    pub fn at(&self, path: &str) -> Vec<Received> {
        self.shared
            .received
            .lock()
            .expect("lock")
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Makes every gateway answer 500 (`true`) or work again.
    pub fn fail(&self, fail: bool) {
        self.shared.fail.store(fail, Ordering::SeqCst);
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}
