//! The pages in a real browser: Debian's headless Chromium, driven by
//! `tests/e2e/run.mjs` (playwright-core, axe-core), against the real server
//! on a TCP port over a fresh demo database — SQLite, and PostgreSQL too
//! when `DATABASE_URL` is set. Every role signs in; the handover is completed
//! by its three parties; the first-lesson quiz is failed, then passed; the
//! county trainer sees the village complete and sends a reminder the member
//! then sees; the province console shows its checks; the handover's photo
//! reaches the township officer (not a neighbouring one), ten inventory
//! lines go in one form, the printed record becomes a PDF and /verify calls
//! it intact, then broken after a sign-off is edited in the database
//! (`verify.mjs`). Screenshots at 390 px
//! land in `target/screenshots/<backend>/`.

use std::future::IntoFuture;
use std::path::{Path, PathBuf};
use std::process::Command;

use baton_host::app::router as app;
use baton_tests::api::Api;
use baton_tests::{TestDb, per_backend};

/// The browser: `$CHROMIUM`, else Debian's, installed (with a Chinese font
/// for the screenshots) when missing and apt-get can — as the build adds the
/// wasm target itself, so `cargo test` needs nothing done by hand.
fn chromium() -> PathBuf {
    static SETUP: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _once = SETUP.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(path);
    }
    let path = PathBuf::from("/usr/bin/chromium");
    if !path.exists() {
        eprintln!("browser tests: installing Debian's chromium (apt-get)");
        let install = || {
            Command::new("apt-get")
                .args([
                    "install",
                    "-y",
                    "--no-install-recommends",
                    "chromium",
                    "fonts-wqy-microhei",
                ])
                .status()
                .is_ok_and(|s| s.success())
        };
        let updated = || {
            Command::new("apt-get")
                .arg("update")
                .status()
                .is_ok_and(|s| s.success())
        };
        let _ = install() || (updated() && install());
    }
    assert!(
        path.exists(),
        "no Chromium at {} and apt-get could not install it: install Debian's `chromium` or set CHROMIUM",
        path.display()
    );
    path
}

/// `tests/e2e/node_modules`, installed from the lock file when missing.
fn node_modules(e2e: &Path) {
    static SETUP: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _once = SETUP.lock().unwrap_or_else(|e| e.into_inner());
    let needed = [
        "playwright-core",
        "axe-core",
        "@apidevtools/swagger-parser",
        "openapi-client-axios",
    ];
    if needed
        .iter()
        .all(|p| e2e.join("node_modules").join(p).exists())
    {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(e2e)
        .status()
        .expect("npm runs (Node.js is needed for the browser tests)");
    assert!(status.success(), "npm ci in {} failed", e2e.display());
}

/// The tests here drive Node and Chromium, which take both cores: one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The real server on a TCP port over `test`'s demo data, while it lives.
struct Server {
    api: Api,
    base: String,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(test: &TestDb) -> Self {
        let api = Api::new(test).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let addr = listener.local_addr().expect("address");
        let task = tokio::spawn(axum::serve(listener, app(api.state.clone())).into_future());
        Self {
            api,
            base: format!("http://{addr}"),
            task,
        }
    }

    /// Runs `node <script>` in `tests/e2e` with `env` and `BASE` pointing
    /// here; whether it passed.
    async fn node(&self, script: &str, env: &[(&str, PathBuf)]) -> bool {
        let e2e = root().join("tests/e2e");
        node_modules(&e2e);
        let mut node = Command::new("node");
        node.arg(script)
            .current_dir(&e2e)
            .env("BASE", &self.base)
            .envs(env.iter().map(|(k, v)| (k, v)));
        // The server answers on the runtime's workers while node runs.
        tokio::task::spawn_blocking(move || node.status())
            .await
            .expect("joined")
            .expect("node runs")
            .success()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_owned()
}

per_backend! {
    /// One browser at a time (two Chromiums on two cores time out taking
    /// screenshots); each backend has its own screenshot folder. Between the
    /// two scripts a sign-off of the printed handover record is edited in
    /// the database, as someone tampering with the archive would.
    #[multi_thread]
    async fn every_role_completes_onboarding_in_a_browser(test: TestDb) {
        let backend = format!("{:?}", test.db.backend()).to_lowercase();
        let shots = root().join("target/screenshots").join(&backend);
        let _one = ONE_AT_A_TIME.lock().await;
        let server = Server::start(&test).await;
        // An officer of the neighbouring township, to be refused the photos.
        let hash = baton_host::auth::hash_password("demo").expect("hash");
        let neighbour = format!("{}000", &baton_host::demo::OTHER_TOWNSHIP_VILLAGE[..9]);
        baton_core::db::accounts::create(
            &server.api.state.db,
            &baton_core::db::accounts::NewAccount {
                username: "neighbour",
                password_hash: &hash,
                display_name: "邻镇干部",
                person_id: None,
                grants: &[(baton_sdk::Role::TownshipOfficer, Some(&neighbour))],
            },
            0,
        )
        .await
        .expect("the neighbouring officer");
        let photo = root().join("target/e2e-photo.png");
        std::fs::write(&photo, baton_tests::png(640, 480)).expect("photo written");
        let env = [("CHROMIUM", chromium()), ("SHOTS", shots.clone()), ("PHOTO", photo)];
        assert!(
            server.node("run.mjs", &env).await,
            "{backend}: the browser run failed (its output is above; the page is in {}/failure.png)",
            shots.display()
        );
        let tampered = sqlx::query(
            "UPDATE signoffs SET statement = '{\"zh\":\"改过\",\"en\":\"changed\"}'
             WHERE id = (SELECT MIN(s.id) FROM signoffs s JOIN enrollments e ON e.id = s.enrollment_id
                         WHERE e.plugin_id = 'handover')",
        )
        .execute(test.db.writer())
        .await
        .expect("edited");
        assert_eq!(tampered.rows_affected(), 1);
        assert!(
            server.node("verify.mjs", &env).await,
            "{backend}: the edited record was not reported broken (output above)"
        );
        drop(server);
        test.cleanup().await;
    }
}

per_backend! {
    /// A village phone on a weak signal (`offline.mjs`): two declarations
    /// and a draft made offline survive closing the page, the queue is sent
    /// when the signal returns, and a declaration the new secretary made
    /// moot meanwhile comes back refused with its input, and one more goes
    /// by Background Sync with every page closed; a photo taken offline
    /// inside the form is sent before the declaration that carries it.
    /// Here: each queued key is
    /// in the action log exactly once — the seals refused, the rest
    /// accepted. The slow-3G timings are printed by the script.
    #[multi_thread]
    async fn a_village_phone_works_offline_and_syncs_when_the_signal_returns(test: TestDb) {
        let backend = format!("{:?}", test.db.backend()).to_lowercase();
        let shots = root().join("target/screenshots").join(format!("{backend}-offline"));
        let _one = ONE_AT_A_TIME.lock().await;
        let server = Server::start(&test).await;
        std::fs::create_dir_all(root().join("target")).expect("target/");
        let photo = root().join(format!("target/e2e-offline-{backend}.png"));
        std::fs::write(&photo, baton_tests::png(640, 480)).expect("photo written");
        let env = [("CHROMIUM", chromium()), ("SHOTS", shots.clone()), ("PHOTO", photo)];
        assert!(
            server.node("offline.mjs", &env).await,
            "{backend}: the offline run failed (its output is above; the page is in {}/offline-failure.png)",
            shots.display()
        );
        let keys = std::fs::read_to_string(shots.join("offline-keys.txt")).expect("the queued keys");
        let keys: Vec<&str> = keys.lines().collect();
        assert_eq!(keys.len(), 6, "{keys:?}");
        for (key, expected) in keys
            .iter()
            .zip(["accepted", "accepted", "rejected", "accepted", "accepted", "accepted"])
        {
            let results: Vec<String> =
                sqlx::query_scalar("SELECT result FROM actions WHERE idempotency_key = $1")
                    .bind(*key)
                    .fetch_all(test.db.pool())
                    .await
                    .expect("the log");
            assert_eq!(results, [expected], "{key}: once, {expected}");
        }
        drop(server);
        test.cleanup().await;
    }
}

per_backend! {
    /// A province's own procedure, built, previewed, assigned and completed
    /// in the browser (`procedure.mjs`); here: its sign-offs are in the
    /// chain, each by the person who did the step.
    #[multi_thread]
    async fn a_province_builds_its_own_procedure_and_villages_complete_it_in_a_browser(test: TestDb) {
        let backend = format!("{:?}", test.db.backend()).to_lowercase();
        let shots = root().join("target/screenshots").join(format!("{backend}-procedure"));
        let _one = ONE_AT_A_TIME.lock().await;
        let server = Server::start(&test).await;
        std::fs::create_dir_all(root().join("target")).expect("target/");
        let photo = root().join(format!("target/e2e-procedure-{backend}.png"));
        std::fs::write(&photo, baton_tests::png(320, 240)).expect("photo written");
        let env = [("CHROMIUM", chromium()), ("SHOTS", shots.clone()), ("PHOTO", photo)];
        assert!(
            server.node("procedure.mjs", &env).await,
            "{backend}: the procedure run failed (its output is above; the page is in {}/procedure-failure.png)",
            shots.display()
        );
        let subjects: Vec<String> = sqlx::query_scalar(
            "SELECT s.subject FROM signoffs s JOIN enrollments e ON e.id = s.enrollment_id
             WHERE e.plugin_id = 'procedure-50-1' ORDER BY s.id",
        )
        .fetch_all(test.db.pool())
        .await
        .expect("sign-offs");
        assert_eq!(subjects, ["step-1", "step-1-confirmed", "step-2", "step-3"]);
        drop(server);
        test.cleanup().await;
    }
}

/// The OpenAPI document, as a client developer meets it: a standard
/// validator accepts it, and a client generated from it signs in, lists
/// the secretary's enrollments and sends a query parameter in the query.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_document_validates_and_a_generated_client_uses_it() {
    let test = TestDb::sqlite().await;
    let _one = ONE_AT_A_TIME.lock().await;
    assert!(
        Server::start(&test).await.node("openapi.mjs", &[]).await,
        "the OpenAPI check failed (its output is above)"
    );
}
