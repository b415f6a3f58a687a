//! Shared set-up for the end-to-end tests.

use std::sync::Arc;

use baton_host::db::Db;
use baton_host::runtime::{Limits, Plugin, Runtime};

pub mod api;

/// The hostile fixtures, compiled.
pub mod fixtures {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

/// A runtime with the default limits and no disk cache.
pub fn runtime() -> Runtime {
    Runtime::new(Limits::default(), None).expect("the runtime starts")
}

/// The built-in module `name`, loaded.
pub async fn built_in(runtime: &Runtime, name: &str) -> Arc<Plugin> {
    let (_, bytes) = baton_host::registry::BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no built-in module {name}"));
    runtime
        .load(bytes)
        .await
        .unwrap_or_else(|e| panic!("{name} loads: {e}"))
}

/// A fresh, migrated database for one test.
pub struct TestDb {
    /// The database.
    pub db: Db,
    /// Its URL, for the CLI.
    pub url: String,
    /// Keeps the SQLite file's folder alive.
    _dir: Option<tempfile::TempDir>,
    /// (admin URL, database name) of a PostgreSQL database to drop.
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// Drops a PostgreSQL test database; a SQLite one goes with its folder.
    pub async fn cleanup(self) {
        let Self { db, postgres, .. } = self;
        drop(db);
        if let Some((admin, name)) = postgres {
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::query(&drop).execute(&admin_pool(&admin).await).await;
        }
    }
}

async fn admin_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url)
        .await
        .expect("DATABASE_URL answers")
}

/// One fresh database per backend under test: SQLite always, and
/// PostgreSQL as well when `DATABASE_URL` names one (as in CI).
pub async fn databases() -> Vec<TestDb> {
    let mut dbs = vec![TestDb::sqlite().await];
    dbs.extend(TestDb::postgres().await);
    dbs
}

impl TestDb {
    /// A fresh SQLite file in a folder of its own.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite:{}", dir.path().join("baton.db").display());
        TestDb {
            db: Db::connect(&url).await.expect("SQLite"),
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A fresh PostgreSQL database, when `DATABASE_URL` names a server.
    pub async fn postgres() -> Option<Self> {
        let admin = std::env::var("DATABASE_URL").ok()?;
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("baton_test_{}_{n}", std::process::id());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin_pool(&admin).await)
            .await
            .expect("create database");
        let (base, _) = admin
            .rsplit_once('/')
            .expect("DATABASE_URL ends in /DBNAME");
        let url = format!("{base}/{name}");
        let db = Db::connect(&url).await.expect("PostgreSQL");
        Some(TestDb {
            db,
            url,
            _dir: None,
            postgres: Some((admin, name)),
        })
    }
}

/// A database test as one test per backend, `NAME::sqlite` and
/// `NAME::postgres`, so a failure names its backend and never hides the
/// other run. The PostgreSQL one passes trivially without `DATABASE_URL`.
#[macro_export]
macro_rules! per_backend {
    ($(#[$meta:meta])* async fn $name:ident($test:ident: TestDb) $body:block) => {
        $(#[$meta])*
        mod $name {
            use super::*;

            async fn run($test: $crate::TestDb) $body

            #[tokio::test]
            async fn sqlite() {
                run($crate::TestDb::sqlite().await).await;
            }

            #[tokio::test]
            async fn postgres() {
                match $crate::TestDb::postgres().await {
                    Some(test) => run(test).await,
                    None => eprintln!("DATABASE_URL is not set: PostgreSQL not tested"),
                }
            }
        }
    };
}
