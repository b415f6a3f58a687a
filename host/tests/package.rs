//! The Debian package, as an operator on a Debian-family server meets it:
//! built by host/debian/build.sh from this build's binary, installed with
//! dpkg on this machine, the service's own command run as its own user
//! against /etc/baton/baton.toml, a first administrator created and signed
//! in over HTTP; reinstalled (an upgrade) with the operator's edited
//! settings and the data kept; removed (settings and data kept); purged
//! (both gone). Needs root and dpkg: elsewhere it says so and passes.

use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `/usr/bin/baton ARGS` as the `baton` user, as systemd runs it
/// (`setpriv` execs it, so stopping the child stops the server).
fn as_baton(args: &[&str]) -> Command {
    let mut command = Command::new("setpriv");
    command
        .args(["--reuid=baton", "--regid=baton", "--init-groups", "--"])
        .args(["/usr/bin/baton", "--config", "/etc/baton/baton.toml"])
        .args(args)
        // systemd starts it with nothing of this shell's environment (a
        // test run's DATABASE_URL would win over the file).
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("RUST_LOG", "warn");
    command
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn the_debian_package_installs_runs_as_its_user_upgrades_and_purges() {
    if !is_root() || Command::new("dpkg-deb").arg("--version").output().is_err() {
        eprintln!("not root, or no dpkg: the Debian package is not tested here");
        return;
    }
    let out = tempfile::tempdir().expect("temp dir");
    let script = root().join("host/debian/build.sh");
    let deb = run(
        script.to_str().expect("utf-8"),
        &[
            env!("CARGO_BIN_EXE_baton"),
            out.path().to_str().expect("utf-8"),
        ],
    );
    let deb = deb.trim();
    let listing = run("dpkg-deb", &["--contents", deb]);
    for path in [
        "./usr/bin/baton",
        "./lib/systemd/system/baton.service",
        "./etc/baton/baton.toml",
        "./usr/share/doc/baton/copyright",
    ] {
        assert!(listing.contains(path), "{path} in the package:\n{listing}");
    }
    let unit = std::fs::read_to_string(root().join("host/debian/baton.service")).expect("unit");
    assert!(
        unit.contains("User=baton")
            && unit.contains("ExecStart=/usr/bin/baton --config /etc/baton/baton.toml serve")
    );

    // A clean machine, then the install.
    let _ = Command::new("dpkg").args(["--purge", "baton"]).output();
    run("dpkg", &["-i", deb]);
    assert!(run("getent", &["passwd", "baton"]).contains("/var/lib/baton"));
    let owner = run("stat", &["-c", "%U:%G %a", "/var/lib/baton"]);
    assert_eq!(owner.trim(), "baton:baton 750");
    let settings = run("stat", &["-c", "%U:%G %a", "/etc/baton/baton.toml"]);
    assert_eq!(
        settings.trim(),
        "root:baton 640",
        "the settings may hold secrets"
    );

    // The service's command, as its user: the settings are the file's.
    let check = as_baton(&["config", "check"]).output().expect("runs");
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        text.contains("sqlite:/var/lib/baton/baton.db")
            && text.contains("(file /etc/baton/baton.toml:"),
        "{text}"
    );
    let mut create = as_baton(&[
        "admin",
        "create",
        "--username",
        "admin",
        "--name",
        "全国管理员",
        "--role",
        "national-admin",
        "--password-stdin",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("admin create runs");
    create
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"Baton-package-2026\n")
        .expect("password");
    let created = create.wait_with_output().expect("admin create ends");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let sign_in = || {
        let mut server = as_baton(&["serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the service's command starts");
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
        std::thread::spawn(move || lines.for_each(drop));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut reply = agent
            .post(&format!("{addr}/api/v1/login"))
            .header("content-type", "application/json")
            .send(r#"{"username": "admin", "password": "Baton-package-2026"}"#)
            .expect("the login answers");
        let status = reply.status().as_u16();
        let body = reply.body_mut().read_to_string().unwrap_or_default();
        let _ = server.kill();
        let _ = server.wait();
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("\"token\""), "{body}");
    };
    sign_in();
    assert!(
        Path::new("/var/lib/baton/baton.db").is_file(),
        "the data is under /var/lib/baton"
    );

    // An upgrade (the package installed over itself) keeps the operator's
    // settings and the data.
    let mut edited = std::fs::read_to_string("/etc/baton/baton.toml").expect("settings");
    edited.push_str("\n# edited by the operator\nquota_person_mib = 300\n");
    std::fs::write("/etc/baton/baton.toml", &edited).expect("edit");
    run("dpkg", &["-i", deb]);
    assert_eq!(
        std::fs::read_to_string("/etc/baton/baton.toml").expect("settings"),
        edited
    );
    sign_in();

    // Removed: the program goes, the settings and the data stay.
    run("dpkg", &["--remove", "baton"]);
    assert!(!Path::new("/usr/bin/baton").exists());
    assert!(
        Path::new("/etc/baton/baton.toml").exists()
            && Path::new("/var/lib/baton/baton.db").exists()
    );
    // Purged: the settings and the data go too.
    run("dpkg", &["--purge", "baton"]);
    assert!(!Path::new("/etc/baton").exists() && !Path::new("/var/lib/baton").exists());
}
