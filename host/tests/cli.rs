//! The `baton plugin` commands as an author runs them.

use std::process::{Command, Output};

fn baton(args: &[&str]) -> Output {
    let cache = std::env::temp_dir().join("baton-cli-test-cache");
    Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(args)
        .env("BATON_CACHE_DIR", cache)
        .env("RUST_LOG", "warn")
        .output()
        .expect("baton runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn inspect_prints_the_module_info() {
    let out = baton(&["plugin", "inspect", "handover"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "handover@0.3.1  新老班子工作交接 / Handover between old and new committees"
        ),
        "{text}"
    );
    assert!(
        text.contains("declare      申报移交清单 / Declare the inventory  (item, entries, photos)"),
        "{text}"
    );

    // A module's own contract, not the host's newest: the 0.1.2 handover
    // was built for 0.1.0.
    let old = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures-v0.1/handover-0.1.2.wasm"
    );
    let out = baton(&["plugin", "inspect", old]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("\ncontract 0.1.0  sha256 "),
        "{}",
        stdout(&out)
    );

    let out = baton(&["plugin", "inspect", "handover", "--json"]);
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(info["id"], "handover");
    assert_eq!(info["audience"], "committee");
}

#[test]
fn inspect_says_why_a_file_is_not_a_module() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("notes.wasm");
    std::fs::write(&file, "hello").expect("write");
    let out = baton(&["plugin", "inspect", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "not a WebAssembly component (no component header); build it for wasm32-wasip2"
        ),
        "{}",
        stderr(&out)
    );

    let out = baton(&["plugin", "inspect", "no-such.wasm"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("reading no-such.wasm (not a file, nor a built-in module: handover, visits, first-lesson, duties, open-door, swearing-in, look-back, pledge, procedure)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn try_runs_the_sample_scenario_and_renders_the_view() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = baton(&["plugin", "try", "handover", "--sample"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let scenario = dir.path().join("scenario.json");
    std::fs::write(&scenario, &out.stdout).expect("write");

    let out = baton(&[
        "plugin",
        "try",
        "handover",
        scenario.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("start: progress 0/15"), "{text}");
    assert!(
        text.contains("1. ✓ declare as 王德福 (outgoing-cadre): progress 1/15"),
        "{text}"
    );
    assert!(
        text.contains("3. ✓ witness as 陈立 (township-officer): progress 3/15"),
        "{text}"
    );
    assert!(
        text.contains("<section class=\"module handover\">"),
        "{text}"
    );
    assert!(text.contains("监交人：陈立（2026-01-01）"), "{text}");
}

#[test]
fn every_built_in_module_has_a_sample_that_runs_without_a_rejection() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (module, _) in baton_host::registry::BUILT_IN {
        let out = baton(&["plugin", "try", module, "--sample"]);
        assert!(out.status.success(), "{module}: {}", stderr(&out));
        let scenario = dir.path().join(format!("{module}.json"));
        std::fs::write(&scenario, &out.stdout).expect("write");
        let out = baton(&["plugin", "try", module, scenario.to_str().expect("utf-8")]);
        assert!(out.status.success(), "{module}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("1. ✓"), "{module}: {text}");
        assert!(!text.contains("✗"), "{module}: {text}");
        assert!(text.contains("<section class=\"module"), "{module}: {text}");
    }
    let out = baton(&["plugin", "try", "no-such-module", "--sample"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no sample scenario for `no-such-module`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn try_reports_rejected_steps_and_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("scenario.json");
    let steps = serde_json::json!({"steps": [
        {"as": "secretary", "action": "confirm", "payload": {"item": "seals"}},
        {"as": "outgoing-cadre", "action": "declare", "payload": {"item": "seals", "entries": [{"name": "公章", "quantity": 1}]}}
    ]});
    std::fs::write(&scenario, steps.to_string()).expect("write");
    let out = baton(&[
        "plugin",
        "try",
        "handover",
        scenario.to_str().expect("utf-8"),
        "--locale",
        "en",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "1. ✗ confirm as 张建国 (secretary): conflict: Seals has not been declared yet"
        ),
        "{text}"
    );
    assert!(
        text.contains("2. ✓ declare as 王德福 (outgoing-cadre): progress 1/15"),
        "{text}"
    );
    assert!(
        text.contains("Handed over by: 王德福 (2026-01-01)"),
        "{text}"
    );

    std::fs::write(&scenario, "{\"steps\": 3}").expect("write");
    let out = baton(&[
        "plugin",
        "try",
        "handover",
        scenario.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("scenario.json is not a scenario"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn import_org_units_is_all_or_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", dir.path().join("baton.db").display());
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "code,level,name,parent_code\n330000000000,province,浙江省,\n3301,city,杭州市,330000000000\n")
        .expect("write");
    let out = baton(&[
        "import",
        "org-units",
        bad.to_str().expect("utf-8"),
        "--database-url",
        &db,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "1 bad rows, nothing imported:\nline 3, code: `3301` must be a 12-digit GB/T 2260 code"
        ),
        "{}",
        stderr(&out)
    );

    let good = dir.path().join("good.csv");
    std::fs::write(&good, "code,level,name,parent_code\n330000000000,province,浙江省,\n330100000000,city,杭州市,330000000000\n")
        .expect("write");
    let out = baton(&[
        "import",
        "org-units",
        good.to_str().expect("utf-8"),
        "--database-url",
        &db,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("imported 2 org units from "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn serve_answers_on_a_real_socket() {
    use std::io::{BufRead, BufReader, Read, Write};

    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", dir.path().join("baton.db").display());
    let mut server = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &db])
        .env("BATON_CACHE_DIR", dir.path().join("cache"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("baton serve starts");
    let mut banner = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut banner)
        .expect("banner");
    let addr = banner
        .strip_prefix("Baton is listening on http://")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected banner: {banner}"))
        .to_owned();

    let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: baton\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    server.kill().expect("stop the server");
    let _ = server.wait();
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.ends_with(r#"{"status":"ok"}"#), "{response}");
}

/// `baton` with `input` on its stdin.
fn baton_with_input(args: &[&str], input: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("baton runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("baton finishes")
}

#[test]
fn the_first_administrator_and_staff_come_from_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", dir.path().join("baton.db").display());
    let create = |password: &str| {
        baton_with_input(
            &[
                "admin",
                "create",
                "--username",
                "admin",
                "--role",
                "national-admin",
                "--password-stdin",
                "--database-url",
                &db,
            ],
            &format!("{password}\n"),
        )
    };
    let weak = create("password");
    assert_eq!(weak.status.code(), Some(1), "{}", stdout(&weak));
    assert!(stderr(&weak).contains("password"), "{}", stderr(&weak));
    let out = create("Liangping-2026");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("created national-admin `admin`"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        create("Liangping-2026").status.code(),
        Some(1),
        "the name is taken"
    );

    let tree = dir.path().join("tree.csv");
    std::fs::write(&tree, "代码,层级,名称,上级代码\n500000000000,省,重庆市,\n500100000000,市,重庆市辖区,500000000000\n500155000000,区,梁平区,500100000000\n")
        .expect("write");
    let out = baton(&[
        "import",
        "org-units",
        tree.to_str().expect("utf-8"),
        "--database-url",
        &db,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let staff = dir.path().join("staff.csv");
    std::fs::write(
        &staff,
        "username,name,phone,role,unit_code\nlp-trainer,周文,,county-trainer,500155000000\n",
    )
    .expect("write");
    let out = baton(&[
        "import",
        "staff",
        staff.to_str().expect("utf-8"),
        "--database-url",
        &db,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let codes = stdout(&out);
    let line = codes.lines().nth(1).unwrap_or_default();
    assert!(line.starts_with("lp-trainer,周文,"), "{codes}");
    let code = line.split(',').nth(2).unwrap_or_default();
    assert_eq!(code.len(), 8, "an 8-digit code: {codes}");

    let out = baton(&[
        "admin",
        "revoke",
        "--username",
        "lp-trainer",
        "--role",
        "county-trainer",
        "--unit",
        "500155000000",
        "--database-url",
        &db,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = baton(&[
        "admin",
        "grant",
        "--username",
        "lp-trainer",
        "--role",
        "county-trainer",
        "--unit",
        "500100000000",
        "--database-url",
        &db,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = baton(&[
        "admin",
        "grant",
        "--username",
        "lp-trainer",
        "--role",
        "township-officer",
        "--unit",
        "500155000000",
        "--database-url",
        &db,
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a township officer is not held at a county"
    );
    assert!(
        stderr(&out).contains("not where a township-officer is held"),
        "{}",
        stderr(&out)
    );
    let out = baton(&[
        "admin",
        "reset",
        "--username",
        "lp-trainer",
        "--database-url",
        &db,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("username,name,code,expires\nlp-trainer,周文,"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_closed_output_pipe_ends_the_command_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["plugin", "inspect", "handover", "--json"])
        .env(
            "BATON_CACHE_DIR",
            std::env::temp_dir().join("baton-cli-test-cache"),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("baton runs");
    // The reader hangs up before the command has written anything, as
    // `| head` does when it has what it needs.
    drop(child.stdout.take().expect("stdout"));
    let out = child.wait_with_output().expect("baton finishes");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{stderr}");
}

/// The SDK a scaffold gets is the binary's copy: every file of `sdk/src`
/// and `sdk/wit` is in it, and its manifest stands alone (nothing inherited
/// from this workspace, no path).
#[test]
fn the_binary_carries_the_whole_sdk() {
    fn files(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                files(&path, root, out);
            } else {
                let relative = path.strip_prefix(root).expect("under sdk/");
                out.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../sdk"));
    let mut on_disk = Vec::new();
    files(&root.join("src"), root, &mut on_disk);
    files(&root.join("wit"), root, &mut on_disk);
    on_disk.sort();
    let mut carried: Vec<String> = baton_host::develop::SDK
        .iter()
        .map(|(p, _)| (*p).to_owned())
        .collect();
    carried.sort();
    assert_eq!(carried, on_disk, "develop::SDK lists every SDK source");

    let manifest = baton_host::develop::standalone_sdk_manifest();
    assert!(
        !manifest.contains("workspace") && !manifest.contains("path ="),
        "{manifest}"
    );
    for line in [
        "version = \"0.1.0\"",
        "edition = \"2024\"",
        "schemars = \"1.2\"",
        "wit-bindgen = { version = \"0.61\"",
    ] {
        assert!(manifest.contains(line), "`{line}` in:\n{manifest}");
    }
}

/// The TypeScript SDK a `--lang ts` scaffold gets is the binary's copy:
/// every file of `sdk/js` but its template, lock file and installed
/// packages, and the contract it builds against.
#[test]
fn the_binary_carries_the_whole_typescript_sdk() {
    fn files(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            // `wit/` is the contract, copied in only while `npm pack` runs.
            if ["node_modules", "template", "package-lock.json", "wit"].contains(&name.as_str()) {
                continue;
            }
            if path.is_dir() {
                files(&path, root, out);
            } else {
                let relative = path.strip_prefix(root).expect("under sdk/js");
                out.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../sdk/js"));
    let mut on_disk = vec!["wit/since_v0.3.0/module.wit".to_owned()];
    files(root, root, &mut on_disk);
    on_disk.sort();
    let mut carried: Vec<String> = baton_host::develop::TS_SDK
        .iter()
        .map(|(p, _)| (*p).to_owned())
        .collect();
    carried.sort();
    assert_eq!(
        carried, on_disk,
        "develop::TS_SDK lists every file of sdk/js"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let out = baton(&[
        "plugin",
        "new",
        "ts-module",
        "--lang",
        "ts",
        "--dir",
        dir.path().to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let module = dir.path().join("ts-module");
    let package: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(module.join("package.json")).expect("package.json"),
    )
    .expect("package.json is JSON");
    assert_eq!(package["name"], "ts-module");
    // The build tools are pinned at the SDK's versions.
    let sdk: serde_json::Value =
        serde_json::from_str(baton_host::develop::TS_SDK[0].1).expect("the SDK's package.json");
    assert_eq!(
        package["devDependencies"]["componentize-qjs"],
        sdk["dependencies"]["componentize-qjs"]
    );
    assert!(
        module
            .join("baton-sdk/wit/since_v0.3.0/module.wit")
            .is_file()
    );
    assert!(module.join("src/module.ts").is_file());
    let refused = baton(&["plugin", "new", "x", "--lang", "ts"]);
    assert!(!refused.status.success(), "a one-letter id is refused");
}

#[test]
fn a_new_module_carries_its_sdk_and_names_no_path_outside_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = baton(&[
        "plugin",
        "new",
        "my-module",
        "--dir",
        dir.path().to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let module = dir.path().join("my-module");
    let manifest = std::fs::read_to_string(module.join("Cargo.toml")).expect("manifest");
    assert!(
        manifest.contains("baton-sdk = { path = \"baton-sdk\" }"),
        "{manifest}"
    );
    assert!(
        module
            .join("baton-sdk/wit/since_v0.3.0/module.wit")
            .is_file()
    );
    assert!(module.join("baton-sdk/src/lib.rs").is_file());
}

/// Every built-in module's scenario passes `baton plugin test`, as a module
/// author's would in their CI; an expectation not met fails with the step
/// and what differed.
#[test]
fn scenario_files_test_modules() {
    let plugins = concat!(env!("CARGO_MANIFEST_DIR"), "/../plugins");
    let mut tested = 0;
    for entry in std::fs::read_dir(plugins).expect("plugins/") {
        let dir = entry.expect("entry").path();
        let sample = dir.join("sample.json");
        if !sample.is_file() {
            continue;
        }
        let name = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let out = baton(&["plugin", "test", &name, sample.to_str().expect("utf-8")]);
        assert!(
            out.status.success(),
            "{name}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(
            stdout(&out).contains("1 scenario(s) passed"),
            "{}",
            stdout(&out)
        );
        tested += 1;
    }
    assert!(tested >= 8, "every built-in ships a scenario: {tested}");

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("wrong.json");
    let wrong = serde_json::json!({"steps": [
        {"as": "secretary", "action": "sign", "payload": {"agree": true}, "expect": {"progress": "9/9"}},
        {"as": "member", "action": "file", "payload": {}, "expect": {"outcome": "invalid", "field": "passed"}},
    ]});
    std::fs::write(&file, wrong.to_string()).expect("write");
    let out = baton(&["plugin", "test", "pledge", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("FAILED: expected progress 9/9, got 1/4"),
        "{text}"
    );
    assert!(
        text.contains("FAILED: expected field `passed` refused, the module named departments"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("2 expectation(s) failed"),
        "{}",
        stderr(&out)
    );

    std::fs::write(&file, r#"{"steps": [{"as": "mayor", "action": "sign"}]}"#).expect("write");
    let out = baton(&["plugin", "test", "pledge", file.to_str().expect("utf-8")]);
    assert!(
        stderr(&out).contains("is not a scenario: at `steps[0].as`"),
        "{}",
        stderr(&out)
    );
}

/// The SDK can go to a registry: `cargo package` accepts it (the manifest's
/// workspace inheritance resolved, every source and WIT file inside).
#[test]
fn the_sdk_packages_for_a_registry() {
    let target = tempfile::tempdir().expect("temp dir");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "package",
            "-p",
            "baton-sdk",
            "--allow-dirty",
            "--no-verify",
            "--offline",
            "--list",
        ])
        .env("CARGO_TARGET_DIR", target.path())
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let files = stdout(&out);
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "src/glue.rs",
        "wit/since_v0.3.0/module.wit",
    ] {
        assert!(files.lines().any(|l| l == file), "{file} in:\n{files}");
    }
}

/// The operator makes a signing key; the private half goes to a file only
/// its owner reads, and `plugin sign` signs a component with it, which the
/// checks still accept; a revoked key is listed so.
#[test]
fn keys_are_made_listed_revoked_and_sign_packages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite:{}", dir.path().join("keys.db").display());
    let key = dir.path().join("national.key");
    let key_path = key.to_str().expect("utf-8");
    let out = baton(&["--database-url", &db, "keys", "new", "--out", key_path]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("for the nation registered"),
        "{}",
        stdout(&out)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key)
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "only its owner reads the private key");
    }
    let again = baton(&["--database-url", &db, "keys", "new", "--out", key_path]);
    assert!(
        !again.status.success(),
        "an existing key file is never overwritten"
    );
    let listed = stdout(&baton(&["--database-url", &db, "keys", "list"]));
    let id = listed
        .split_whitespace()
        .next()
        .expect("a key listed")
        .to_owned();
    assert!(listed.contains("national  live"), "{listed}");

    let wasm = dir.path().join("pledge.wasm");
    let (_, bytes) = baton_host::registry::BUILT_IN
        .iter()
        .find(|(n, _)| *n == "pledge")
        .expect("the pledge");
    std::fs::write(&wasm, bytes).expect("write");
    let wasm_path = wasm.to_str().expect("utf-8");
    let signed = baton(&["plugin", "sign", wasm_path, "--key", key_path]);
    assert!(signed.status.success(), "{}", stderr(&signed));
    assert!(
        stdout(&signed).contains(&format!("with key {id}")),
        "{}",
        stdout(&signed)
    );
    let inspected = baton(&["plugin", "inspect", wasm_path]);
    assert!(
        inspected.status.success(),
        "a signed package passes the checks: {}",
        stderr(&inspected)
    );

    let revoked = baton(&["--database-url", &db, "keys", "revoke", &id]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    assert!(stdout(&baton(&["--database-url", &db, "keys", "list"])).contains("national  revoked"));
}

/// The operator's guide's settings table is the code's: a row per setting
/// with its file name, flag and environment variable, and no other rows.
#[test]
fn the_settings_table_is_every_setting_and_nothing_else() {
    use clap::CommandFactory as _;
    let guide = include_str!("../OPERATING.md");
    let command = baton_host::cli::Cli::command();
    let settings: Vec<&clap::Arg> = baton_host::cli::config::settings(&command).collect();
    for arg in &settings {
        let row = format!(
            "| `{}` | `--{}` | `{}` |",
            arg.get_id(),
            arg.get_long().expect("a long flag"),
            arg.get_env()
                .expect("an environment variable")
                .to_string_lossy()
        );
        assert!(guide.contains(&row), "OPERATING.md lacks the row `{row}`");
    }
    let rows = guide
        .lines()
        .skip_while(|l| !l.starts_with("| setting (file) |"))
        .skip(2)
        .take_while(|l| l.starts_with("| `"))
        .count();
    assert_eq!(rows, settings.len(), "a row for each setting and no other");
}

/// The configuration file: a flag beats the environment, which beats the
/// file, which beats the default; `config check` says which gave what; a
/// bad value stops any command, named with its line or its variable.
#[test]
fn the_configuration_file_fills_in_what_flags_and_the_environment_leave() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("baton.toml");
    std::fs::write(
        &file,
        "# a province's server\naddr = \"127.0.0.1:9000\"\ntrusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\nquota_person_mib = 300\nworker_every = 10\nmetrics_token = \"s3cret\"\n",
    )
    .expect("write");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        Command::new(env!("CARGO_BIN_EXE_baton"))
            .args(args)
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .output()
            .expect("baton runs")
    };
    let path = file.to_str().expect("utf-8");
    let out = run(
        &["--config", path, "--worker-every", "5", "config", "check"],
        &[("BATON_QUOTA_PERSON_MIB", "400")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let line = |id: &str| -> String {
        text.lines()
            .find(|l| l.starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("no {id} in {text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("addr"),
        format!("addr = 127.0.0.1:9000 (file {path}:2)")
    );
    assert_eq!(
        line("trusted_proxies"),
        format!("trusted_proxies = 127.0.0.1,10.0.0.0/8 (file {path}:3)")
    );
    assert_eq!(
        line("quota_person_mib"),
        "quota_person_mib = 400 (environment BATON_QUOTA_PERSON_MIB)"
    );
    assert_eq!(
        line("worker_every"),
        "worker_every = 5 (flag --worker-every)"
    );
    assert_eq!(line("image_decodes"), "image_decodes = 2 (default)");
    assert!(
        line("metrics_token").contains("not shown") && !text.contains("s3cret"),
        "{text}"
    );
    assert!(text.ends_with("configuration ok\n"), "{text}");

    // BATON_CONFIG names the file as well; a value the types cannot judge is checked.
    std::fs::write(&file, "public_url = \"ftp://example\"\n").expect("write");
    let out = run(&["config", "check"], &[("BATON_CONFIG", path)]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains(&format!("`ftp://example` must be an http:// or https:// address such as https://baton.example.gov.cn (from file {path}:1)")), "{}", stderr(&out));

    // Bad values stop every command, each named where it was written.
    std::fs::write(&file, "plugin_memory_mib = \"lots\"\nbogus = 1\n").expect("write");
    let out = run(&["--config", path, "plugin", "inspect", "pledge"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{path}:1: `plugin_memory_mib = \"lots\"`: invalid value 'lots'"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{path}:2: `bogus` is not a setting; the settings are: addr,"
        )),
        "{err}"
    );
    let out = run(&["config", "check"], &[("BATON_IMAGE_DECODES", "many")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("environment variable BATON_IMAGE_DECODES=\"many\": invalid value 'many'"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &["--config", "/nonexistent/baton.toml", "config", "check"],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a named file that is missing is an error"
    );
}
