//! Compiles the hostile fixtures under tests/fixtures into wasm components
//! for the tests to load. They are test data: never built into the host.

use std::path::PathBuf;

const FIXTURES: &[&str] = &[
    "fixture-spin",
    "fixture-hog",
    "fixture-panicky",
    "fixture-snoop",
    "fixture-garbage",
    "fixture-future",
];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace = manifest.parent().expect("tests/ sits in the workspace");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    for watched in [
        "tests/fixtures",
        "sdk/src",
        "sdk/wit",
        "Cargo.lock",
        "Cargo.toml",
        ".cargo/config.toml",
    ] {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(watched).display()
        );
    }
    // OUT_DIR is <target>/<profile>/build/<pkg>-<hash>/out; share <target>/wasm with the host's build.
    let target = out.ancestors().nth(4).unwrap_or(&out).join("wasm");
    let files = baton_sdk::build::build(workspace, FIXTURES, &target).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    let mut code = String::new();
    for (name, file) in FIXTURES.iter().zip(files) {
        let constant = name.trim_start_matches("fixture-").to_uppercase();
        code += &format!(
            "/// The `{name}` component.\npub const {constant}: &[u8] = include_bytes!({:?});\n",
            file.display().to_string()
        );
    }
    std::fs::write(out.join("fixtures.rs"), code).expect("OUT_DIR is writable");
}
