//! Compiles the built-in modules under plugins/ into wasm components and
//! embeds them, so `cargo run` and `cargo test` need no manual build step.

/// The built-in modules: crate names under plugins/.
const BUILT_IN: &[&str] = &[
    "handover",
    "visits",
    "first-lesson",
    "duties",
    "open-door",
    "swearing-in",
    "look-back",
    "pledge",
    "procedure",
];

fn main() {
    // The migrations are embedded when the crate compiles: a new migration
    // file must rebuild it, or the binary would not know it (and refuse a
    // database that already applied it).
    println!("cargo:rerun-if-changed=../../migrations");
    println!("cargo:rerun-if-changed=../../migrations/sqlite");
    println!("cargo:rerun-if-changed=../../migrations/postgres");
    let files = baton_sdk::build::from_build_script(BUILT_IN, &["plugins"]);
    let mut code = String::from(
        "/// Built-in modules: (crate name, component bytes).\npub const BUILT_IN: &[(&str, &[u8])] = &[\n",
    );
    for (name, file) in BUILT_IN.iter().zip(files) {
        code += &format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            file.display().to_string()
        );
    }
    code += "];\n";
    // Each module's sample scenario, beside its crate: `baton plugin try --sample`.
    code += "/// Built-in modules' sample scenarios: (crate name, JSON).\npub const SAMPLES: &[(&str, &str)] = &[\n";
    let root = manifest_dir().join("../../plugins");
    for name in BUILT_IN {
        let file = root.join(name).join("sample.json");
        println!("cargo:rerun-if-changed={}", file.display());
        code += &format!(
            "    ({name:?}, include_str!({:?})),\n",
            file.display().to_string()
        );
    }
    code += "];\n";
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("built_in.rs"), code).expect("OUT_DIR is writable");
    // The migrations, for db.rs alone (the data layer reaches nothing above it).
    let migrations = migrations("sqlite") + &migrations("postgres");
    std::fs::write(out.join("migrations.rs"), migrations).expect("OUT_DIR is writable");
}

/// `MIGRATIONS_<BACKEND>: &[(version, description, sql)]` for the files of
/// migrations/<backend>, named as sqlx names them: `<version>_<description>.sql`,
/// the description with `_` read as spaces, in order of version. (Embedding
/// them here instead of with `sqlx::migrate!` spares the build a second copy
/// of sqlx, SQLite and tokio compiled for the proc macro.)
fn migrations(backend: &str) -> String {
    let dir = manifest_dir().join("../../migrations").join(backend);
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("migrations/<backend> is readable") {
        let path = entry.expect("a directory entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 file name")
            .to_owned();
        let Some((version, rest)) = name.split_once('_') else {
            continue;
        };
        let Some(description) = rest.strip_suffix(".sql") else {
            continue;
        };
        assert!(
            !description.ends_with(".up") && !description.ends_with(".down"),
            "{name}: reversible migrations are not supported"
        );
        let version: i64 = version
            .parse()
            .unwrap_or_else(|_| panic!("{name}: the version before `_` must be an integer"));
        found.push((version, description.replace('_', " "), path));
    }
    found.sort_by_key(|(version, ..)| *version);
    let mut code = format!(
        "/// migrations/{backend}: (version, description, SQL).\nconst MIGRATIONS_{}: &[(i64, &str, &str)] = &[\n",
        backend.to_uppercase()
    );
    for (version, description, path) in found {
        code += &format!(
            "    ({version}, {description:?}, include_str!({:?})),\n",
            path.display().to_string()
        );
    }
    code + "];\n"
}

/// This package's directory, as cargo gives it to the build script when it
/// runs — not `env!`, which would be the directory of whichever checkout
/// compiled the script: one target directory shared by two clones (as CI's
/// cache is) would then read the other clone's files.
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
}
