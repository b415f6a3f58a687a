//! The HTTP interface: one router per feature, merged here. Every route but
//! `/healthz`, login and the OpenAPI document takes a [`crate::auth::Principal`]
//! and asks [`crate::auth::authorize`] before touching anything.

pub mod accounts;
pub(crate) mod assignments;
mod auth;
pub(crate) mod enrollments;
mod error;
mod guard;
mod health;
pub(crate) mod modules;
pub mod notices;
pub mod openapi;
mod public;
pub(crate) mod reports;
mod upgrades;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, header};
use baton_sdk::{Locale, Member, Outgoing, Village};

pub use auth::{COOKIE, ClientAddr, check_login_name, session_cookie, sign_in, sign_out};
pub use enrollments::village_context;
pub use error::{Error, message_in};

use crate::db::Db;
use crate::runtime::{Plugin, Runtime};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState(Arc<App>);

/// The parts of the application.
pub struct App {
    /// The database.
    pub db: Db,
    /// The plugin runtime.
    pub runtime: Runtime,
    /// Loaded modules by (id, version), so a call does not fetch the bytes.
    plugins: Mutex<HashMap<(String, String), Arc<Plugin>>>,
    /// Villages' names and committees, briefly: every action needs them and
    /// they change only when a roster is imported.
    villages: Mutex<HashMap<String, (Instant, Arc<VillageContext>)>>,
    /// Signed-in principals by token, briefly (see [`Sessions`]).
    pub sessions: Sessions,
}

/// Principals by session token for [`SESSION_TTL`]: every request needs its
/// grants, which change rarely. Logging out forgets the token at once in
/// this process; another process, and a changed grant, catch up within the TTL.
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, (Instant, crate::auth::Principal)>>);

/// How long a looked-up principal is reused.
const SESSION_TTL: Duration = Duration::from_secs(10);

impl Sessions {
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, crate::auth::Principal)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, token: &str) -> Option<crate::auth::Principal> {
        self.lock()
            .get(token)
            .filter(|(at, _)| at.elapsed() < SESSION_TTL)
            .map(|(_, p)| p.clone())
    }

    fn put(&self, token: &str, principal: &crate::auth::Principal) {
        let mut map = self.lock();
        if map.len() >= VILLAGE_CACHE {
            map.retain(|_, (at, _)| at.elapsed() < SESSION_TTL);
        }
        map.insert(token.to_owned(), (Instant::now(), principal.clone()));
    }

    fn forget(&self, token: &str) {
        self.lock().remove(token);
    }

    /// Forgets every session of `account` in this process: reset, switched
    /// off, or a role taken away. Other processes catch up within the TTL.
    pub fn forget_account(&self, account: i64) {
        self.lock().retain(|_, (_, p)| p.account_id != account);
    }
}

/// A village and its committees, as a module's context carries them.
pub type VillageContext = (Village, Vec<Member>, Vec<Outgoing>);

/// How long a village's committees are reused before being read again.
const VILLAGE_TTL: Duration = Duration::from_secs(30);
/// Villages kept at most; past it the cache starts over.
const VILLAGE_CACHE: usize = 20_000;

impl AppState {
    /// State over `db` and `runtime`.
    pub fn new(db: Db, runtime: Runtime) -> Self {
        Self(Arc::new(App {
            db,
            runtime,
            plugins: Mutex::new(HashMap::new()),
            villages: Mutex::new(HashMap::new()),
            sessions: Sessions::default(),
        }))
    }
}

impl App {
    /// The module `id@version` from the database, loaded once per process.
    pub async fn plugin(&self, id: &str, version: &str) -> Result<Arc<Plugin>, Error> {
        let key = (id.to_owned(), version.to_owned());
        if let Some(p) = self.cached().get(&key) {
            return Ok(p.clone());
        }
        let bytes = crate::db::plugins::wasm(&self.db, id, version)
            .await?
            .ok_or_else(|| {
                Error::not_found(
                    format!("没有模块 {id}@{version}"),
                    format!("no module {id}@{version}"),
                )
            })?;
        let plugin = self
            .runtime
            .load(&bytes)
            .await
            .map_err(|e| anyhow::anyhow!("loading stored module {id}@{version}: {e}"))?;
        self.cached().insert(key, plugin.clone());
        Ok(plugin)
    }

    /// A village and its committees, read at most every [`VILLAGE_TTL`].
    pub async fn village(&self, code: &str, path: &str) -> Result<Arc<VillageContext>, Error> {
        let lock = || self.villages.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, v)) = lock().get(code)
            && at.elapsed() < VILLAGE_TTL
        {
            return Ok(v.clone());
        }
        let v = Arc::new(crate::db::people::village(&self.db, code, path).await?);
        let mut cache = lock();
        if cache.len() >= VILLAGE_CACHE {
            cache.clear();
        }
        cache.insert(code.to_owned(), (Instant::now(), v.clone()));
        Ok(v)
    }

    fn cached(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Arc<Plugin>>> {
        self.plugins.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

/// The org unit `code` (named by the request's `unit` field) and its path,
/// if the principal may do `capability` there: a 400 when there is no such
/// unit, a 403 when it is outside their grants.
pub(crate) async fn unit_in_scope(
    state: &AppState,
    principal: &crate::auth::Principal,
    code: &str,
    capability: crate::auth::Capability,
) -> Result<(crate::db::org_units::OrgUnit, String), Error> {
    let (unit, path) = crate::db::org_units::get(&state.db, code)
        .await?
        .ok_or_else(|| {
            Error::bad(
                "unit",
                format!("没有区划代码 {code}"),
                format!("no org unit {code}"),
            )
        })?;
    let target = crate::auth::Target::unit(&path);
    crate::auth::authorize(principal, capability, target).ok_or_else(Error::forbidden)?;
    Ok((unit, path))
}

/// The application's router: what `baton serve` serves and tests drive.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(auth::router())
        .merge(accounts::router())
        .merge(modules::router())
        .merge(assignments::router())
        .merge(enrollments::router())
        .merge(reports::router())
        .merge(public::router())
        .merge(upgrades::router())
        .merge(notices::router())
        .merge(openapi::router())
        .merge(crate::web::router())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::web::html_errors,
        ))
        .layer(axum::middleware::from_fn(guard::guard))
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

/// Now, Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Parses a JSON body, naming the field at fault (`payload.entries[0]`).
fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    // No stored text may hold a NUL: PostgreSQL refuses it. Named by field.
    if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        let field = serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .and_then(|v| nul_path(&v, ""))
            .unwrap_or_else(|| "body".to_owned());
        return Err(Error::bad(
            field,
            "含有不允许的字符（NUL）",
            "holds a NUL character",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let why = e.inner().to_string();
        // A missing field is reported at its parent; name the field itself.
        let missing = why
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let field = match (e.path().to_string(), missing) {
            (p, Some(name)) if p == "." => name.to_owned(),
            (p, Some(name)) => format!("{p}.{name}"),
            (p, None) if p == "." => "body".to_owned(),
            (p, None) => p,
        };
        Error::bad(field, format!("请求内容有误：{why}"), why)
    })
}

/// The dotted path of the first string (or key) in `v` holding a NUL.
fn nul_path(v: &serde_json::Value, path: &str) -> Option<String> {
    let at = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        serde_json::Value::String(s) if s.contains('\0') => Some(if path.is_empty() {
            "body".into()
        } else {
            path.to_owned()
        }),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| nul_path(x, &at(&i.to_string()))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
            if k.contains('\0') {
                Some(at("key"))
            } else {
                nul_path(x, &at(k))
            }
        }),
        _ => None,
    }
}

/// The reader's language: `?locale=en`, else `Accept-Language`, else Chinese.
pub(crate) fn locale(query: Option<&str>, headers: &HeaderMap) -> Locale {
    let wanted = query.map(str::to_owned).or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    });
    match wanted {
        Some(l) if l.starts_with("en") => Locale::En,
        _ => Locale::ZhCn,
    }
}

async fn not_found() -> Error {
    Error::not_found("没有这个页面", "there is no such page")
}
