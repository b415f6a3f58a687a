//! The pages in a real browser: Debian's headless Chromium, driven by
//! `tests/e2e/run.mjs` (playwright-core, axe-core), against the real server
//! on a TCP port over a fresh demo database — SQLite, and PostgreSQL too
//! when `DATABASE_URL` is set. Every role signs in; the handover is completed
//! by its three parties; the first-lesson quiz is failed, then passed; the
//! county trainer sees the village complete and sends a reminder the member
//! then sees; the province console shows its checks. Screenshots at 390 px
//! land in `target/screenshots/<backend>/`.

use std::future::IntoFuture;
use std::path::{Path, PathBuf};
use std::process::Command;

use baton_host::http::app;
use baton_tests::api::Api;
use baton_tests::databases;

/// The browser: `$CHROMIUM`, else Debian's, installed (with a Chinese font
/// for the screenshots) when missing and apt-get can — as the build adds the
/// wasm target itself, so `cargo test` needs nothing done by hand.
fn chromium() -> PathBuf {
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
    if e2e.join("node_modules/playwright-core").exists()
        && e2e.join("node_modules/axe-core").exists()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_completes_onboarding_in_a_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_owned();
    let e2e = root.join("tests/e2e");
    let chromium = chromium();
    node_modules(&e2e);
    for test in databases().await {
        let backend = format!("{:?}", test.db.backend()).to_lowercase();
        let api = Api::new(&test).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let addr = listener.local_addr().expect("address");
        let server = tokio::spawn(axum::serve(listener, app(api.state.clone())).into_future());
        let shots = root.join("target/screenshots").join(&backend);
        let mut node = Command::new("node");
        node.arg("run.mjs")
            .current_dir(&e2e)
            .env("BASE", format!("http://{addr}"))
            .env("CHROMIUM", &chromium)
            .env("SHOTS", &shots);
        // The server answers on the runtime's workers while node drives the browser.
        let run = tokio::task::spawn_blocking(move || node.status())
            .await
            .expect("joined")
            .expect("node runs");
        server.abort();
        assert!(
            run.success(),
            "{backend}: the browser run failed (its output is above; the page is in {}/failure.png)",
            shots.display()
        );
        test.cleanup().await;
    }
}
