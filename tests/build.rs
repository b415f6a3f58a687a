//! Compiles the hostile fixtures under tests/fixtures into wasm components
//! for the tests to load. They are test data: never built into the host.

const FIXTURES: &[&str] = &[
    "fixture-spin",
    "fixture-hog",
    "fixture-panicky",
    "fixture-snoop",
    "fixture-garbage",
    "fixture-future",
    "fixture-tally",
    "fixture-vandal",
    "fixture-markup",
];

fn main() {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // Each component is copied out of the shared wasm target dir: the next
    // fixture-tally below lands on the same file name there.
    let keep = |file: &std::path::Path, name: &str| {
        let kept = out.join(format!("{name}.wasm"));
        std::fs::copy(file, &kept).expect("OUT_DIR is writable");
        kept
    };
    let files = baton_sdk::build::from_build_script(FIXTURES, &["tests/fixtures"]);
    let mut code = String::new();
    for (name, file) in FIXTURES.iter().zip(files) {
        let file = keep(&file, name);
        let constant = name.trim_start_matches("fixture-").to_uppercase();
        code += &format!(
            "/// The `{name}` component.\npub const {constant}: &[u8] = include_bytes!({:?});\n",
            file.display().to_string()
        );
    }
    // The next version of fixture-tally, from its own workspace, into the
    // same target dir: its dependencies are the ones just built there.
    let manifest = manifest_dir();
    let next = manifest.join("fixtures-next/tally");
    println!("cargo:rerun-if-changed={}", next.display());
    let target = out.ancestors().nth(4).unwrap_or(&out).join("wasm");
    let files = baton_sdk::build::build(&next, &["fixture-tally"], &target).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    // Its library is named fixture_tally_next (see its Cargo.toml); `build`
    // names the file after the package, which is fixture-tally's own file.
    let next = files[0].with_file_name("fixture_tally_next.wasm");
    assert!(next.is_file(), "{} is missing", next.display());
    code += &format!(
        "/// The `fixture-tally` component, version 0.2.0.\npub const TALLY_NEXT: &[u8] = include_bytes!({:?});\n",
        keep(&next, "fixture-tally-next").display().to_string()
    );
    std::fs::write(out.join("fixtures.rs"), code).expect("OUT_DIR is writable");
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
