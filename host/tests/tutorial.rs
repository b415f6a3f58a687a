//! sdk/README.md, followed literally: every `sh` block, in order, in one
//! shell, against a demo server this test starts (the `sh-setup` blocks are
//! what this test does itself). If the tutorial and the tools drift apart,
//! this fails. A second server process on the same database, started before
//! the module is published, then serves it without a restart (on PostgreSQL
//! when `DATABASE_URL` names one, as in CI; else on a SQLite file).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

/// The tutorial's runnable blocks of one kind (```` ```sh ````, ```` ```sh-ts ````).
fn blocks(markdown: &str, fence: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        // The reference after the tutorial shows commands; it is not a step.
        if current.is_none() && line.starts_with("## Reference") {
            break;
        }
        match (&mut current, line.trim_end()) {
            (None, line) if line.strip_prefix("```") == Some(fence) => {
                current = Some(String::new());
            }
            (Some(block), "```") => {
                out.push(std::mem::take(block));
                current = None;
            }
            (Some(block), text) => {
                block.push_str(text);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

/// A running `baton serve`; stopped when dropped.
struct Server {
    process: std::process::Child,
    addr: String,
}

impl Server {
    fn start(db: &str, demo: bool) -> Self {
        let mut args = vec!["serve", "--addr", "127.0.0.1:0", "--database-url", db];
        if demo {
            args.push("--demo");
        }
        let mut process = Command::new(env!("CARGO_BIN_EXE_baton"))
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("baton serve starts");
        let mut lines = BufReader::new(process.stdout.take().expect("stdout")).lines();
        let addr = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| {
                l.strip_prefix("Baton is listening on ")
                    .and_then(|rest| rest.split_whitespace().next())
                    .map(str::to_owned)
            })
            .expect("the server's address");
        // Keep draining the server's output so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { process, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A fresh PostgreSQL database when `DATABASE_URL` names a server (returned
/// with what to drop at the end), else a SQLite file in `dir`.
fn database(dir: &std::path::Path) -> (String, Option<(String, String)>) {
    let Ok(admin) = std::env::var("DATABASE_URL") else {
        return (format!("sqlite:{}", dir.join("server.db").display()), None);
    };
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("baton_tutorial_{}_{n}", std::process::id());
    postgres(&admin, &format!("CREATE DATABASE {name}"));
    let (base, _) = admin
        .rsplit_once('/')
        .expect("DATABASE_URL ends in /DBNAME");
    (format!("{base}/{name}"), Some((admin, name)))
}

fn postgres(admin: &str, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(admin)
            .await
            .expect("DATABASE_URL answers");
        sqlx::query(sql)
            .execute(&pool)
            .await
            .expect("admin statement");
    });
}

/// GET, or POST `body`, as JSON with an optional bearer token; the answer's JSON.
fn call(server: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Value {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{server}{path}");
    let auth = token.map(|t| format!("Bearer {t}")).unwrap_or_default();
    let mut response = match body {
        Some(body) => agent
            .post(&url)
            .header("authorization", &auth)
            .header("content-type", "application/json")
            .header("idempotency-key", "tutorial-second-process")
            .send(body.to_string().as_bytes())
            .expect("POST"),
        None => agent
            .get(&url)
            .header("authorization", &auth)
            .call()
            .expect("GET"),
    };
    let text = response.body_mut().read_to_string().expect("body");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}"))
}

/// Runs `steps` in order in one shell in `dir`, with `baton` on the PATH
/// and `BATON_SERVER` set; returns stdout and stderr, failing on an error.
fn follow(steps: &[String], dir: &std::path::Path, server: &str) -> (String, String) {
    let baton = std::path::Path::new(env!("CARGO_BIN_EXE_baton"));
    let script = format!("set -euo pipefail\n{}", steps.join("\n"));
    let path = format!(
        "{}:{}",
        baton.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir)
        .env("PATH", path)
        .env("BATON_SERVER", server)
        .env("RUST_LOG", "warn")
        .output()
        .expect("bash runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        out.status.success(),
        "the tutorial failed:\n{stdout}\n{stderr}"
    );
    (stdout, stderr)
}

#[test]
fn the_sdk_tutorial_takes_a_module_from_nothing_to_an_action() {
    let readme = include_str!("../../sdk/README.md");
    let steps = blocks(readme, "sh");
    assert!(steps.len() >= 6, "the tutorial lost its steps: {steps:?}");
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, postgres_db) = database(dir.path());
    let first = Server::start(&db, true);
    // Another host process on the same database, up before the module exists.
    let second = Server::start(&db, false);

    let (stdout, stderr) = follow(&steps, dir.path(), &first.addr);
    for expected in [
        "created ./discipline-pledge (module `discipline-pledge`)",
        "test every_member_signs_once ... ok",
        "built and checked: ./target/wasm32-wasip2/plugin/discipline_pledge.wasm",
        "1 scenario(s) passed",
        "published discipline-pledge@0.1.0",
        "owned by 500000000000",
        r#""enrolled":1"#,
        r#""result":"accepted""#,
    ] {
        assert!(
            stdout.contains(expected),
            "missing `{expected}` in:\n{stdout}\n{stderr}"
        );
    }

    // The second process serves the module published through the first,
    // without a restart: a member signs there.
    let login = json!({"username": "member", "password": "demo"});
    let token = call(&second.addr, "/api/v1/login", None, Some(login));
    let token = token["token"].as_str().expect("token");
    let mine = call(&second.addr, "/api/v1/me/enrollments", Some(token), None);
    let id = mine
        .as_array()
        .and_then(|m| m.iter().find(|e| e["module"] == "discipline-pledge"))
        .and_then(|e| e["id"].as_i64())
        .unwrap_or_else(|| panic!("the second process does not list the module: {mine}"));
    let signed = call(
        &second.addr,
        &format!("/api/v1/enrollments/{id}/actions"),
        Some(token),
        Some(json!({"action": "sign", "payload": {"agree": true}})),
    );
    assert_eq!(signed["result"], "accepted", "{signed}");
    assert_eq!(signed["enrollment"]["done"], 2, "{signed}");
    drop((first, second));
    if let Some((admin, name)) = postgres_db {
        postgres(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
    }
}

/// The TypeScript part of the tutorial, followed literally in an empty
/// folder: the binary's TypeScript scaffold builds with nothing but Node.js
/// and the build tools npm installs, passes its scenario and publishes.
#[test]
fn the_typescript_tutorial_builds_tests_and_publishes_a_module() {
    let readme = include_str!("../../sdk/README.md");
    let steps = blocks(readme, "sh-ts");
    assert!(
        steps.len() >= 3,
        "the TypeScript tutorial lost its steps: {steps:?}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, postgres_db) = database(dir.path());
    let server = Server::start(&db, true);
    let (stdout, stderr) = follow(&steps, dir.path(), &server.addr);
    for expected in [
        "created ./ts-pledge (module `ts-pledge`)",
        "ts-pledge@0.1.0  廉洁承诺 / Discipline pledge",
        "built and checked: ./dist/ts-pledge.wasm",
        "1 scenario(s) passed",
        "published ts-pledge@0.1.0",
        "owned by 500000000000",
        r#""enrolled":1"#,
    ] {
        assert!(
            stdout.contains(expected),
            "missing `{expected}` in:\n{stdout}\n{stderr}"
        );
    }
    // Nothing outside the folder: the SDK is the binary's copy.
    let package =
        std::fs::read_to_string(dir.path().join("ts-pledge/package.json")).expect("package.json");
    assert!(
        !package.contains("file:") && !package.contains("/work"),
        "{package}"
    );
    drop(server);
    if let Some((admin, name)) = postgres_db {
        postgres(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
    }
}
