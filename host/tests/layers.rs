//! What the compiler cannot check of the host's layers, checked on every
//! test run. The crates hold the rest: the server (`baton-host`) reaches the
//! use cases of `baton-core` and not its store (private, so a transport that
//! names it does not compile); `baton-core` has no HTTP, pages or
//! templates of its own to reach. Here: the crates' manifests keep it so;
//! the core's modules form no cycle and its storage (`db`) reaches only the
//! domain types below it; the JSON API does not reach into the pages; the
//! wasm runtime cannot see pages, the registry or the database. And the two
//! migration folders hold the same migrations.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn host() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Top-level module → the top-level modules its code names as `crate::…`,
/// in the crate whose sources are `src`.
fn graph_of(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let src = src.to_path_buf();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a component");
        let top = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("readable");
        let deps = graph.entry(top.clone()).or_default();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or_default();
            for (at, _) in code.match_indices("crate::") {
                let name: String = code[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != top {
                    deps.insert(name);
                }
            }
        }
    }
    graph
}

/// A cycle through `from`, if there is one.
fn cycle(
    graph: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    if let Some(at) = path.iter().position(|m| m == from) {
        let mut found = path[at..].to_vec();
        found.push(from.to_owned());
        return Some(found);
    }
    path.push(from.to_owned());
    for next in graph.get(from).into_iter().flatten() {
        if let Some(found) = cycle(graph, next, path) {
            return Some(found);
        }
    }
    path.pop();
    None
}

/// The core's modules.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    graph_of(&host().join("core/src"))
}

#[test]
fn the_modules_form_no_cycle() {
    let graph = graph();
    assert!(graph.len() > 15, "{graph:?}");
    for module in graph.keys() {
        if let Some(found) = cycle(&graph, module, &mut Vec::new()) {
            panic!(
                "the modules depend on each other in a circle: {}",
                found.join(" → ")
            );
        }
    }
}

#[test]
fn each_layer_reaches_only_below_it() {
    let graph = graph();
    let reaches = |module: &str| graph.get(module).cloned().unwrap_or_default();
    let only = |module: &str, allowed: &[&str]| {
        let extra: Vec<String> = reaches(module)
            .into_iter()
            .filter(|m| !allowed.contains(&m.as_str()))
            .collect();
        assert!(
            extra.is_empty(),
            "`{module}` may reach only {allowed:?}, but reaches {extra:?}"
        );
    };
    // Storage sits on the domain's types and nothing else.
    only("db", &["auth"]);
    only("auth", &[]);
    only("clock", &[]);
    // Views render modules; they know nothing of requests or state.
    only("views", &[]);
    only("sheet", &["error"]);
    // The two transports do not reach into each other; what both use is
    // `shared`, which reaches neither.
    let server = graph_of(&host().join("src"));
    let reaches = |m: &str| server.get(m).cloned().unwrap_or_default();
    assert!(!reaches("http").contains("web"), "http reaches web");
    assert!(!reaches("web").contains("http"), "web reaches http");
    for transport in ["http", "web", "app", "cli"] {
        assert!(
            !reaches("shared").contains(transport),
            "shared reaches {transport}"
        );
    }
}

/// The compiler holds this wherever the server is built alone (`cargo run`,
/// `cargo check -p baton-host`); a workspace test build turns the tests'
/// `store` feature on for every crate, so this test says it there too.
#[test]
fn the_server_names_no_store() {
    let mut files = Vec::new();
    rust_files(&host().join("src"), &mut files);
    assert!(files.len() > 20, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            assert!(
                !code.contains("baton_core::db") && !code.contains("crate::db"),
                "{}:{}: the server reaches the store: {line}",
                file.display(),
                n + 1
            );
        }
    }
}

#[test]
fn the_core_has_no_transport_of_its_own() {
    let manifest = |dir: &str| {
        std::fs::read_to_string(host().join(dir).join("Cargo.toml")).expect("a manifest")
    };
    let core = manifest("core");
    // Its dependencies, one per line: `name.workspace = true` or `name = {…}`.
    let deps: Vec<&str> = core
        .split("[dependencies]")
        .nth(1)
        .expect("a [dependencies] table")
        .split("\n[")
        .next()
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split(['.', ' ', '=']).next())
        .filter(|name| !name.is_empty() && !name.starts_with('#'))
        .collect();
    assert!(
        deps.contains(&"sqlx") && deps.contains(&"baton-views"),
        "{deps:?}"
    );
    for transport in [
        "axum",
        "axum-extra",
        "tower",
        "tower-http",
        "handlebars",
        "baton-host",
    ] {
        assert!(
            !deps.contains(&transport),
            "baton-core depends on {transport}"
        );
    }
    assert!(
        core.contains("utoipa = { workspace = true, optional = true }"),
        "utoipa only for the server's OpenAPI document"
    );
    let views = manifest("views");
    for crate_name in ["sqlx", "axum", "baton-core", "baton-host"] {
        assert!(
            !views.contains(crate_name),
            "baton-views depends on {crate_name}"
        );
    }
}

#[test]
fn the_runtime_is_wasm_only() {
    let runtime = host().join("runtime");
    let manifest = std::fs::read_to_string(runtime.join("Cargo.toml")).expect("its manifest");
    for crate_name in ["baton-host", "handlebars", "sqlx", "axum", "jsonschema"] {
        assert!(
            !manifest.contains(crate_name),
            "baton-runtime must not depend on {crate_name}"
        );
    }
    let mut files = Vec::new();
    rust_files(&runtime.join("src"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        for word in ["handlebars", "registry::", "web::", "sqlx"] {
            assert!(!text.contains(word), "{} mentions {word}", file.display());
        }
    }
}

#[test]
fn both_backends_have_the_same_migrations() {
    let root = host().parent().expect("workspace").join("migrations");
    let names = |backend: &str| -> BTreeSet<String> {
        std::fs::read_dir(root.join(backend))
            .expect("a migrations folder")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    };
    let (sqlite, postgres) = (names("sqlite"), names("postgres"));
    assert!(sqlite.len() >= 5, "{sqlite:?}");
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "migrations only on SQLite: {only_sqlite:?}; only on PostgreSQL: {only_postgres:?}"
    );
}
