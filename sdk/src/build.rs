//! Compile module crates into wasm32-wasip2 components, from a build script
//! or a CLI, on a machine that has only the Rust toolchain.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The target modules are built for.
pub const TARGET: &str = "wasm32-wasip2";

/// The cargo profile modules are built with (see the workspace `Cargo.toml`).
pub const PROFILE: &str = "plugin";

/// Makes sure the toolchain can build for [`TARGET`], adding the target with
/// rustup when it is missing: a fresh machine has only the native target.
pub fn ensure_target() -> Result<(), String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .map_err(|e| format!("could not run {rustc}: {e}"))?;
    let libdir = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() && Path::new(&libdir).is_dir() {
        return Ok(());
    }
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .map_err(|e| format!("the {TARGET} target is missing and rustup could not be run: {e}"))?;
    if !status.success() {
        return Err(format!("`rustup target add {TARGET}` failed ({status})"));
    }
    Ok(())
}

/// Builds `packages` of the workspace at `workspace` into components under
/// `target_dir`, returning each package's `.wasm` in the same order.
///
/// Uses its own target dir so that it can run inside another cargo's build
/// script without waiting on that cargo's lock.
pub fn build(
    workspace: &Path,
    packages: &[&str],
    target_dir: &Path,
) -> Result<Vec<PathBuf>, String> {
    ensure_target()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace)
        .args([
            "build",
            "--target",
            TARGET,
            "--profile",
            PROFILE,
            "--target-dir",
        ])
        .arg(target_dir);
    for p in packages {
        cmd.args(["-p", p]);
    }
    // A build script's environment describes the outer, native build; none of
    // it applies to this one. The jobserver (CARGO_MAKEFLAGS) is kept so the
    // nested build shares the outer one's cores instead of doubling them.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let keep = key == "CARGO_HOME" || key == "CARGO_MAKEFLAGS" || key == "CARGO_NET_OFFLINE";
        let outer = key.starts_with("CARGO_")
            || key.starts_with("RUSTC_")
            || [
                "RUSTFLAGS",
                "RUSTDOCFLAGS",
                "TARGET",
                "HOST",
                "OUT_DIR",
                "PROFILE",
                "OPT_LEVEL",
                "DEBUG",
                "NUM_JOBS",
            ]
            .contains(&key.as_ref());
        if outer && !keep {
            cmd.env_remove(key.as_ref());
        }
    }
    let out = cmd
        .output()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "building {} for {TARGET} failed:\n{}",
            packages.join(", "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let dir = target_dir.join(TARGET).join(PROFILE);
    packages
        .iter()
        .map(|p| {
            let file = dir.join(format!("{}.wasm", p.replace('-', "_")));
            if file.is_file() {
                Ok(file)
            } else {
                Err(format!("cargo succeeded but {} is missing", file.display()))
            }
        })
        .collect()
}

/// For a build script in a workspace member: builds `packages` of the
/// enclosing workspace into `<target>/wasm`, asks cargo to rerun when the
/// modules' sources (`watch`, relative to the workspace) or the SDK change,
/// and exits with cargo's message if the build fails.
pub fn from_build_script(packages: &[&str], watch: &[&str]) -> Vec<PathBuf> {
    let var = |name: &str| {
        PathBuf::from(std::env::var_os(name).unwrap_or_else(|| panic!("cargo sets {name}")))
    };
    let manifest = var("CARGO_MANIFEST_DIR");
    // The nearest folder above the member whose Cargo.toml is the workspace's.
    let workspace = manifest
        .ancestors()
        .skip(1)
        .find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|toml| toml.lines().any(|l| l.trim() == "[workspace]"))
        })
        .expect("a member sits inside its workspace");
    let common = [
        "sdk/src",
        "sdk/wit",
        "Cargo.lock",
        "Cargo.toml",
        ".cargo/config.toml",
    ];
    for path in watch.iter().chain(&common) {
        println!("cargo:rerun-if-changed={}", workspace.join(path).display());
    }
    // OUT_DIR is <target>/<profile>/build/<pkg>-<hash>/out; all members share <target>/wasm.
    let out = var("OUT_DIR");
    let target = out.ancestors().nth(4).unwrap_or(&out).join("wasm");
    build(workspace, packages, &target).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    })
}
