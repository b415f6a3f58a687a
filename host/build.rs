//! Compiles the built-in modules under plugins/ into wasm components and
//! embeds them, so `cargo run` and `cargo test` need no manual build step.

use std::path::{Path, PathBuf};

/// The built-in modules: crate names under plugins/.
const BUILT_IN: &[&str] = &["handover"];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace = manifest.parent().expect("host/ sits in the workspace");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    for watched in [
        "plugins",
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
    let files = match baton_sdk::build::build(workspace, BUILT_IN, &wasm_target_dir(&out)) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
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
    std::fs::write(out.join("built_in.rs"), code).expect("OUT_DIR is writable");
}

/// `<target>/wasm`, beside the outer build's profile folders.
fn wasm_target_dir(out: &Path) -> PathBuf {
    // OUT_DIR is <target>/<profile>/build/<pkg>-<hash>/out.
    out.ancestors().nth(4).unwrap_or(out).join("wasm")
}
