//! sdk/README.md, followed literally: every `sh` block, in order, in one
//! shell, against a demo server this test starts (the `sh-setup` blocks are
//! what this test does itself). If the tutorial and the tools drift apart,
//! this fails.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// The tutorial's runnable blocks.
fn blocks(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
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

#[test]
fn the_sdk_tutorial_takes_a_module_from_nothing_to_an_action() {
    let readme = include_str!("../../sdk/README.md");
    let steps = blocks(readme);
    assert!(steps.len() >= 6, "the tutorial lost its steps: {steps:?}");
    let dir = tempfile::tempdir().expect("temp dir");
    let baton = std::path::Path::new(env!("CARGO_BIN_EXE_baton"));
    let db = format!("sqlite:{}", dir.path().join("server.db").display());
    let mut server = Command::new(baton)
        .args([
            "serve",
            "--demo",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            &db,
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("baton serve starts");
    let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
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

    let script = format!("set -euo pipefail\n{}", steps.join("\n"));
    let path = format!(
        "{}:{}",
        baton.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env("PATH", path)
        .env("BATON_SERVER", &addr)
        .env("RUST_LOG", "warn")
        .output()
        .expect("bash runs");
    let _ = server.kill();
    let _ = server.wait();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success(),
        "the tutorial failed:\n{stdout}\n{stderr}"
    );
    for expected in [
        "created ./discipline-pledge (module `discipline-pledge`)",
        "test every_member_signs_once ... ok",
        "built and checked: ./target/wasm32-wasip2/plugin/discipline_pledge.wasm",
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
}
