//! The HTTP interface: one router per feature, merged here.

mod error;
mod health;
mod modules;

use std::sync::Arc;

use axum::Router;

pub use error::Error;

use crate::db::Db;
use crate::runtime::Runtime;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState(Arc<App>);

/// The parts of the application.
pub struct App {
    /// The database.
    pub db: Db,
    /// The plugin runtime.
    pub runtime: Runtime,
}

impl AppState {
    /// State over `db` and `runtime`.
    pub fn new(db: Db, runtime: Runtime) -> Self {
        Self(Arc::new(App { db, runtime }))
    }
}

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

/// The application's router: what `baton serve` serves and tests drive.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(modules::router())
        .with_state(state)
}
