//! Shared set-up for the end-to-end tests.

use std::sync::Arc;

use baton_host::Db;
use baton_host::registry::Module;
use baton_host::runtime::{Limits, LoadError, Runtime};

pub mod api;
pub mod stub;

/// The hostile fixtures, compiled.
pub mod fixtures {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

/// A runtime with the default limits and the tests' own compile cache.
///
/// Every test starts a host that loads the eight built-in modules; compiling
/// them each time was most of the suite's time. They compile once per build
/// into this crate's `OUT_DIR` and load from there, as a restarted server's
/// do from its cache (`tests/runtime.rs` tests that cache itself).
pub fn runtime() -> Runtime {
    let cache = std::path::Path::new(env!("OUT_DIR")).join("compiled");
    Runtime::new(Limits::default(), Some(cache)).expect("the runtime starts")
}

/// A package loaded as the host loads it: compiled, described, its info
/// and templates checked.
pub async fn load(runtime: &Runtime, bytes: &[u8]) -> Result<Arc<Module>, LoadError> {
    baton_host::registry::load(runtime, bytes)
        .await
        .map(Arc::new)
}

/// The built-in module `name`, loaded.
pub async fn built_in(runtime: &Runtime, name: &str) -> Arc<Module> {
    let (_, bytes) = baton_host::registry::BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no built-in module {name}"));
    load(runtime, bytes)
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
    /// Drops the database now (as dropping the value does).
    pub async fn cleanup(self) {
        drop(self);
    }
}

impl Drop for TestDb {
    /// A PostgreSQL test database is dropped, even when its test panicked;
    /// a SQLite one goes with its folder.
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            drop_database(admin, name);
        }
    }
}

/// A place for a database nobody has created yet, beside a test's own (a
/// restore's target): a SQLite path in a new folder, or a new, empty
/// PostgreSQL database on the same server, dropped with the value.
pub struct EmptyPlace {
    /// Its URL.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// An [`EmptyPlace`] on this test's backend.
    pub async fn empty_place(&self) -> EmptyPlace {
        match &self.postgres {
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                EmptyPlace {
                    url: format!("sqlite:{}", dir.path().join("restored.db").display()),
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Some((admin, name)) => {
                static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let name = format!("{name}_empty_{n}");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&admin_pool(admin).await)
                    .await
                    .expect("create database");
                let (base, _) = admin
                    .rsplit_once('/')
                    .expect("DATABASE_URL ends in /DBNAME");
                EmptyPlace {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    postgres: Some((admin.clone(), name)),
                }
            }
        }
    }
}

impl Drop for EmptyPlace {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            drop_database(admin, name);
        }
    }
}

/// Drops a test's PostgreSQL database, even from a panicking test.
fn drop_database(admin: String, name: String) {
    // Drop runs inside the test's runtime, which cannot be blocked on:
    // a thread with a runtime of its own drops the database.
    let dropped = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        rt.block_on(async {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::query(&sql).execute(&admin_pool(&admin).await).await;
        });
    });
    let _ = dropped.join();
}

async fn admin_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url)
        .await
        .expect("DATABASE_URL answers")
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

/// Database tests, each as one test per backend, `NAME::sqlite` and
/// `NAME::postgres`, so a failure names its backend and never hides the
/// other run; each database is dropped when its test ends, passed or not.
/// The PostgreSQL one passes trivially without `DATABASE_URL`. Write
/// `#[multi_thread]` first for a test that needs two runtime workers.
#[macro_export]
macro_rules! per_backend {
    ($(#[doc = $doc:expr])* #[multi_thread] async fn $name:ident($test:ident: TestDb) $body:block $($rest:tt)*) => {
        $crate::per_backend!(@one (flavor = "multi_thread", worker_threads = 2) $(#[doc = $doc])* $name $test $body);
        $crate::per_backend!($($rest)*);
    };
    ($(#[doc = $doc:expr])* async fn $name:ident($test:ident: TestDb) $body:block $($rest:tt)*) => {
        $crate::per_backend!(@one () $(#[doc = $doc])* $name $test $body);
        $crate::per_backend!($($rest)*);
    };
    () => {};
    (@one ($($flavor:tt)*) $(#[doc = $doc:expr])* $name:ident $test:ident $body:block) => {
        $(#[doc = $doc])*
        mod $name {
            #[allow(unused_imports, reason = "the test's own module sees what the file imports")]
            use super::*;

            async fn run($test: $crate::TestDb) $body

            #[tokio::test($($flavor)*)]
            async fn sqlite() {
                run($crate::TestDb::sqlite().await).await;
            }

            #[tokio::test($($flavor)*)]
            async fn postgres() {
                match $crate::TestDb::postgres().await {
                    Some(test) => run(test).await,
                    None => eprintln!("DATABASE_URL is not set: PostgreSQL not tested"),
                }
            }
        }
    };
}

/// The settings tests run the server with: the stub gateways listen on
/// loopback, which stands for a province's own intranet gateway, allowed
/// as an operator would allow it (`BATON_OUTBOUND_ALLOW`). Everything else
/// is the default.
pub fn settings() -> baton_host::settings::Settings {
    let mut args = baton_host::settings::Args::default();
    args.outbound_allow = "127.0.0.0/8,::1".parse().expect("networks");
    baton_host::settings::Settings::new(args)
}

/// A plain red PNG, `width` × `height`: a photo as tests upload it.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
    let mut out = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encodes");
    out
}

/// The pledge module rewritten in TypeScript (`plugins/pledge/ts`), built
/// with the TypeScript SDK's own build (`sdk/js`) once per test binary.
/// Needs Node.js and npm: `sdk/js/node_modules` is installed from its lock
/// file when missing.
pub fn typescript_pledge() -> Vec<u8> {
    static BUILT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            let sdk = root.join("sdk/js");
            let installed = ["componentize-qjs", "esbuild"]
                .iter()
                .all(|p| sdk.join("node_modules").join(p).exists());
            if !installed {
                let status = std::process::Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund"])
                    .current_dir(&sdk)
                    .status()
                    .expect("npm runs (Node.js is needed for the TypeScript SDK)");
                assert!(status.success(), "npm ci in {} failed", sdk.display());
            }
            let out = std::path::Path::new(env!("OUT_DIR")).join("pledge-ts.wasm");
            let built = std::process::Command::new("node")
                .arg(sdk.join("bin/baton-module.mjs"))
                .arg("build")
                .arg(root.join("plugins/pledge/ts"))
                .arg("--out")
                .arg(&out)
                .output()
                .expect("node runs");
            assert!(
                built.status.success(),
                "building plugins/pledge/ts failed:\n{}{}",
                String::from_utf8_lossy(&built.stdout),
                String::from_utf8_lossy(&built.stderr)
            );
            std::fs::read(&out).expect("the build wrote the component")
        })
        .clone()
}

/// Stores `wasm` as a built-in module, as a release of the binary that
/// ships it would: owned by nobody, publishable by nobody.
pub async fn store_built_in(runtime: &Runtime, db: &Db, wasm: &[u8]) {
    let plugin = load(runtime, wasm).await.expect("loads");
    let package = baton_core::db::plugins::Package {
        id: plugin.info().id.clone(),
        version: plugin.info().version.clone(),
        sha256: hex::encode(plugin.sha256()),
        owner: None,
        built_in: true,
        info: plugin.info().clone(),
    };
    baton_core::db::plugins::insert(db, &package, wasm, 0)
        .await
        .expect("insert");
}
