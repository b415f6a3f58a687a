//! Compiles the hostile fixtures under tests/fixtures into wasm components
//! for the tests to load. They are test data: never built into the host.

const FIXTURES: &[&str] = &[
    "fixture-spin",
    "fixture-hog",
    "fixture-panicky",
    "fixture-snoop",
    "fixture-garbage",
    "fixture-future",
];

fn main() {
    let files = baton_sdk::build::from_build_script(FIXTURES, &["tests/fixtures"]);
    let mut code = String::new();
    for (name, file) in FIXTURES.iter().zip(files) {
        let constant = name.trim_start_matches("fixture-").to_uppercase();
        code += &format!(
            "/// The `{name}` component.\npub const {constant}: &[u8] = include_bytes!({:?});\n",
            file.display().to_string()
        );
    }
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("fixtures.rs"), code).expect("OUT_DIR is writable");
}
