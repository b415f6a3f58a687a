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
];

fn main() {
    // sqlx::migrate! embeds the migrations when the crate compiles: a new
    // migration file must rebuild it, or the binary would not know it (and
    // refuse a database that already applied it).
    println!("cargo:rerun-if-changed=../migrations");
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
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins");
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
}
