//! The application driven the way its users hit it: HTTP requests through
//! the real router, in-process.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use baton_host::app::{AppState, router as app};
use baton_host::demo;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::{TestDb, runtime};

/// The real router over a database seeded with the demo, driven in-process.
pub struct Api {
    /// The application under test.
    pub state: AppState,
}

/// A response, read whole.
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: axum::http::HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON; panics with the body when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

impl Api {
    /// The built-in modules registered and the demo seeded in `test`.
    pub async fn new(test: &TestDb) -> Self {
        let rt = runtime();
        baton_host::registry::register_built_ins(&test.db, &rt, baton_host::clock::now())
            .await
            .expect("register");
        demo::seed(&test.db, baton_host::clock::now())
            .await
            .expect("demo seed");
        Self {
            state: AppState::with_settings(test.db.clone(), rt, crate::settings()),
        }
    }

    /// The built-in modules registered in an empty database, as a real
    /// deployment starts: no demo, no accounts.
    pub async fn empty(test: &TestDb) -> Self {
        let rt = runtime();
        baton_host::registry::register_built_ins(&test.db, &rt, baton_host::clock::now())
            .await
            .expect("register");
        Self {
            state: AppState::with_settings(test.db.clone(), rt, crate::settings()),
        }
    }

    /// POST a raw body with a content type as the holder of `token`.
    pub async fn post_raw(
        &self,
        token: &str,
        uri: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let request = Request::post(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// An API over an application already set up (another host process on
    /// the same database, say).
    pub fn with_state(state: AppState) -> Self {
        Self { state }
    }

    /// Uploads `bytes` as file `name` to enrollment `id`, as `token`.
    pub async fn upload(&self, token: &str, id: i64, name: &str, bytes: Vec<u8>) -> Reply {
        let request = Request::post(format!(
            "/api/v1/enrollments/{id}/attachments?name={}",
            name.replace(' ', "%20")
        ))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(bytes))
        .expect("request");
        self.send(request).await
    }

    /// Posts a page's upload form as the browser does: `fields` (the CSRF
    /// token among them), then `bytes` as the file `name`, signed in by
    /// `cookie` (`baton_session=…`).
    pub async fn post_form_file(
        &self,
        cookie: &str,
        uri: &str,
        fields: &[(&str, &str)],
        name: &str,
        bytes: &[u8],
    ) -> Reply {
        let mut body = Vec::new();
        for (field, value) in fields {
            body.extend(
                format!(
                    "--XYZ\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend(
            format!("--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n--XYZ--\r\n");
        let request = Request::post(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XYZ")
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// Sends `request` through the router.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = app(self.state.clone())
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), 16 << 20)
            .await
            .expect("body")
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// GET as the holder of `token`.
    pub async fn get(&self, token: &str, uri: &str) -> Reply {
        let request = Request::get(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        self.send(request).await
    }

    /// POST JSON as the holder of `token`, with an idempotency key if given.
    pub async fn post(&self, token: &str, uri: &str, key: Option<&str>, body: Value) -> Reply {
        let mut request = Request::post(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        self.send(request.body(Body::from(body.to_string())).expect("request"))
            .await
    }

    /// PUT JSON as the holder of `token`.
    pub async fn put(&self, token: &str, uri: &str, body: Value) -> Reply {
        let request = Request::put(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        self.send(request).await
    }

    /// Signs in.
    pub async fn login(&self, username: &str, password: &str) -> Reply {
        let body = json!({"username": username, "password": password}).to_string();
        let request = Request::post("/api/v1/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// A demo user's bearer token.
    pub async fn token(&self, username: &str) -> String {
        let reply = self.login(username, demo::PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{username} signs in");
        reply.json()["token"].as_str().expect("token").to_owned()
    }

    /// A village's committee-wide enrollment in `module`, found as the
    /// national administrator.
    pub async fn enrollment_of(&self, nation: &str, village: &str, module: &str) -> i64 {
        let reply = self
            .get(
                nation,
                &format!("/api/v1/reports/completion?unit={village}"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let body = reply.json();
        let people = body["people"].as_array().expect("people");
        people
            .iter()
            .find(|p| p["module"] == module && p["person_id"].is_null())
            .and_then(|p| p["enrollment_id"].as_i64())
            .unwrap_or_else(|| panic!("no {module} enrollment at {village}: {body}"))
    }

    /// Acts in an enrollment with idempotency key `key`.
    pub async fn act(
        &self,
        token: &str,
        enrollment: i64,
        key: &str,
        action: &str,
        payload: Value,
    ) -> Reply {
        self.post(
            token,
            &format!("/api/v1/enrollments/{enrollment}/actions"),
            Some(key),
            json!({"action": action, "payload": payload}),
        )
        .await
    }

    /// A `SELECT COUNT(*)` straight from the database.
    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.state.db.pool())
            .await
            .expect("count")
    }
}
