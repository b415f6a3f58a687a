//! A province developer's path: scaffold a module crate, build it into a
//! checked component, publish it to a server. See sdk/README.md.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::runtime::Runtime;

/// The template `plugin new` writes: (path in the new crate, contents).
const TEMPLATE: [(&str, &str); 5] = [
    (
        "Cargo.toml",
        include_str!("../../sdk/template/Cargo.toml.in"),
    ),
    (
        ".cargo/config.toml",
        include_str!("../../sdk/template/.cargo/config.toml"),
    ),
    ("src/lib.rs", include_str!("../../sdk/template/src/lib.rs")),
    (
        "tests/harness.rs",
        include_str!("../../sdk/template/tests/harness.rs"),
    ),
    (
        "scenario.json",
        include_str!("../../sdk/template/scenario.json"),
    ),
];

/// The SDK's sources, carried by the binary so that a scaffold builds on a
/// machine with only the Rust toolchain: (path in `sdk/`, contents). A test
/// checks this lists every file of `sdk/src` and `sdk/wit`.
pub const SDK: [(&str, &str); 10] = [
    ("src/build.rs", include_str!("../../sdk/src/build.rs")),
    ("src/check.rs", include_str!("../../sdk/src/check.rs")),
    ("src/dispatch.rs", include_str!("../../sdk/src/dispatch.rs")),
    ("src/glue.rs", include_str!("../../sdk/src/glue.rs")),
    ("src/lib.rs", include_str!("../../sdk/src/lib.rs")),
    ("src/testing.rs", include_str!("../../sdk/src/testing.rs")),
    ("src/types.rs", include_str!("../../sdk/src/types.rs")),
    (
        "wit/since_v0.1.0/module.wit",
        include_str!("../../sdk/wit/since_v0.1.0/module.wit"),
    ),
    (
        "wit/since_v0.2.0/module.wit",
        include_str!("../../sdk/wit/since_v0.2.0/module.wit"),
    ),
    (
        "wit/since_v0.3.0/module.wit",
        include_str!("../../sdk/wit/since_v0.3.0/module.wit"),
    ),
];

/// The TypeScript template `plugin new --lang ts` writes.
const TS_TEMPLATE: [(&str, &str); 6] = [
    (
        "package.json",
        include_str!("../../sdk/js/template/package.json.in"),
    ),
    (
        "tsconfig.json",
        include_str!("../../sdk/js/template/tsconfig.json"),
    ),
    (
        "src/module.ts",
        include_str!("../../sdk/js/template/src/module.ts"),
    ),
    (
        "templates/pledge.zh.hbs",
        include_str!("../../sdk/js/template/templates/pledge.zh.hbs"),
    ),
    (
        "templates/pledge.en.hbs",
        include_str!("../../sdk/js/template/templates/pledge.en.hbs"),
    ),
    (
        "scenario.json",
        include_str!("../../sdk/js/template/scenario.json"),
    ),
];

/// The TypeScript SDK (`sdk/js`) and the contract it builds against,
/// carried by the binary as the Rust SDK is: (path in `baton-sdk/`,
/// contents). A test checks this lists every file of `sdk/js` but its
/// template, lock file and installed packages.
pub const TS_SDK: [(&str, &str); 10] = [
    ("package.json", include_str!("../../sdk/js/package.json")),
    ("tsconfig.json", include_str!("../../sdk/js/tsconfig.json")),
    (
        "bin/baton-module.mjs",
        include_str!("../../sdk/js/bin/baton-module.mjs"),
    ),
    (
        "scripts/wit-types.mjs",
        include_str!("../../sdk/js/scripts/wit-types.mjs"),
    ),
    ("src/index.ts", include_str!("../../sdk/js/src/index.ts")),
    ("src/hbs.d.ts", include_str!("../../sdk/js/src/hbs.d.ts")),
    (
        "types/v0.1.0.d.ts",
        include_str!("../../sdk/js/types/v0.1.0.d.ts"),
    ),
    (
        "types/v0.2.0.d.ts",
        include_str!("../../sdk/js/types/v0.2.0.d.ts"),
    ),
    (
        "types/v0.3.0.d.ts",
        include_str!("../../sdk/js/types/v0.3.0.d.ts"),
    ),
    (
        "wit/since_v0.3.0/module.wit",
        include_str!("../../sdk/wit/since_v0.3.0/module.wit"),
    ),
];

/// The language of a new module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// A Rust crate on baton-sdk.
    Rust,
    /// A TypeScript package on the TypeScript SDK (QuickJS inside).
    Ts,
}

/// The SDK's manifest as it would stand alone: what it inherits from this
/// workspace (version, edition, dependency versions) written out, the
/// workspace's lints left behind — what `cargo package` does to it.
pub fn standalone_sdk_manifest() -> String {
    standalone(
        include_str!("../../sdk/Cargo.toml"),
        include_str!("../../Cargo.toml"),
    )
}

fn standalone(manifest: &str, workspace: &str) -> String {
    // `key = value` lines of one table of the workspace's manifest.
    let table = |name: &str| -> Vec<(String, String)> {
        let header = format!("[{name}]");
        workspace
            .lines()
            .skip_while(|l| l.trim() != header)
            .skip(1)
            .take_while(|l| !l.starts_with('['))
            .filter_map(|l| l.split_once(" = "))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect()
    };
    let (package, dependencies) = (table("workspace.package"), table("workspace.dependencies"));
    let mut out = String::new();
    let mut section = "";
    for line in manifest.lines() {
        if line.starts_with('[') {
            section = line.trim();
        }
        if section == "[lints]" {
            continue;
        }
        let inherited = line
            .strip_suffix(".workspace = true")
            .map(str::trim)
            .and_then(|key| {
                let from = if section == "[package]" {
                    &package
                } else {
                    &dependencies
                };
                from.iter()
                    .find(|(k, _)| k == key)
                    .map(|(k, v)| format!("{k} = {v}"))
            });
        out.push_str(inherited.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

/// Writes a new module crate `name` into `parent/name`; returns the
/// crate's folder. It depends on the SDK at `sdk` when given, else on a copy
/// of the SDK this binary carries, written into the crate as `baton-sdk/`:
/// the crate then builds anywhere, with no path outside itself.
pub fn scaffold(name: &str, parent: &Path, sdk: Option<&Path>) -> anyhow::Result<PathBuf> {
    let dir = new_module_dir(name, parent)?;
    if let Some(sdk) = sdk
        && !sdk.join("Cargo.toml").is_file()
    {
        bail!(
            "{} is not Baton's sdk/ folder; pass --sdk PATH to a checkout of it, or leave --sdk out",
            sdk.display()
        );
    }
    let sdk = match sdk {
        Some(sdk) => std::fs::canonicalize(sdk)?.display().to_string(),
        None => {
            let manifest = standalone_sdk_manifest();
            let files = SDK
                .iter()
                .copied()
                .chain([("Cargo.toml", manifest.as_str())]);
            write_files(&dir.join("baton-sdk"), files)?;
            "baton-sdk".to_owned()
        }
    };
    let files = TEMPLATE.iter().map(|(path, text)| {
        let text = text
            .replace("{{name}}", name)
            .replace("{{crate}}", &name.replace('-', "_"))
            .replace("{{sdk}}", &sdk);
        (*path, text)
    });
    write_files(&dir, files)?;
    Ok(dir)
}

/// Writes a new TypeScript module `name` into `parent/name`, with a copy
/// of the TypeScript SDK this binary carries in `baton-sdk/`; returns the
/// folder. Its package.json pins the SDK's build tools (componentize-qjs,
/// esbuild) at the versions the SDK was tested with.
pub fn scaffold_ts(name: &str, parent: &Path) -> anyhow::Result<PathBuf> {
    let dir = new_module_dir(name, parent)?;
    write_files(&dir.join("baton-sdk"), TS_SDK.iter().copied())?;
    let sdk: serde_json::Value = serde_json::from_str(TS_SDK[0].1)?;
    let mut tools = sdk["dependencies"].clone();
    if let (Some(tools), Some(dev)) = (tools.as_object_mut(), sdk["devDependencies"].as_object()) {
        tools.extend(dev.clone());
    }
    let tools = serde_json::to_string_pretty(&tools)?.replace('\n', "\n  ");
    let files = TS_TEMPLATE.iter().map(|(path, text)| {
        let text = text
            .replace("{{name}}", name)
            .replace("{{dependencies}}", &tools);
        (*path, text)
    });
    write_files(&dir, files)?;
    Ok(dir)
}

/// `parent/name` for a new module, refusing a name that cannot be a module
/// id and a folder that already exists.
fn new_module_dir(name: &str, parent: &Path) -> anyhow::Result<PathBuf> {
    let ok = (2..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        bail!(
            "`{name}` cannot be a module id: use 2–64 lower-case letters, digits and hyphens, starting with a letter (e.g. discipline-pledge)"
        );
    }
    let dir = parent.join(name);
    if dir.exists() {
        bail!(
            "{} already exists; choose another name or folder",
            dir.display()
        );
    }
    Ok(dir)
}

fn write_files<T: AsRef<str>>(
    dir: &Path,
    files: impl IntoIterator<Item = (&'static str, T)>,
) -> anyhow::Result<()> {
    for (path, text) in files {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&file, text.as_ref())
            .with_context(|| format!("writing {}", file.display()))?;
    }
    Ok(())
}

/// Builds the module crate at `dir` into a component (into `target`, or the
/// crate's own `target/`), checks it as the server will, and returns the
/// `.wasm`.
pub async fn build(
    runtime: &Runtime,
    dir: &Path,
    target: Option<&Path>,
) -> anyhow::Result<PathBuf> {
    let file = if dir.join("package.json").is_file() && !dir.join("Cargo.toml").is_file() {
        let dir = dir.to_path_buf();
        tokio::task::spawn_blocking(move || build_ts(&dir)).await??
    } else {
        let name = package_name(dir)?;
        let target = target.map_or_else(|| dir.join("target"), Path::to_path_buf);
        let dir = dir.to_path_buf();
        let files = tokio::task::spawn_blocking(move || {
            baton_sdk::build::build(&dir, &[name.as_str()], &target)
        })
        .await?
        .map_err(anyhow::Error::msg)?;
        files
            .into_iter()
            .next()
            .context("the build produced no component")?
    };
    let bytes = std::fs::read(&file)?;
    crate::registry::validate(runtime, &bytes)
        .await
        .map_err(|problems| {
            anyhow::anyhow!(
                "{} fails the checks:\n{}",
                file.display(),
                problems
                    .iter()
                    .map(|p| p.en.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })?;
    Ok(file)
}

/// Builds the TypeScript module at `dir` with its own `npm run build` (the
/// SDK's `baton-module build`), installing its build tools first when they
/// are missing; returns `dist/<name>.wasm`.
fn build_ts(dir: &Path) -> anyhow::Result<PathBuf> {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json"))?)
            .with_context(|| format!("{} is not JSON", dir.join("package.json").display()))?;
    let name = manifest["name"]
        .as_str()
        .context("package.json has no name (the module id)")?;
    let npm = |args: &[&str]| -> anyhow::Result<()> {
        let status = Command::new("npm")
            .args(args)
            .current_dir(dir)
            .status()
            .context("running npm: a TypeScript module needs Node.js 18 or later and npm")?;
        if !status.success() {
            bail!(
                "`npm {}` in {} failed ({status})",
                args.join(" "),
                dir.display()
            );
        }
        Ok(())
    };
    if !dir.join("node_modules").is_dir() {
        npm(&["install", "--no-audit", "--no-fund"])?;
    }
    npm(&["run", "--silent", "build"])?;
    let file = dir.join("dist").join(format!("{name}.wasm"));
    if !file.is_file() {
        bail!(
            "`npm run build` succeeded but {} is missing",
            file.display()
        );
    }
    Ok(file)
}

/// The package name of the crate at `dir`, as cargo reads it.
fn package_name(dir: &Path) -> anyhow::Result<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(dir)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        bail!(
            "{} is not a module crate: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    meta["packages"][0]["name"]
        .as_str()
        .map(str::to_owned)
        .context("cargo metadata lists no package")
}

/// Uploads `file` to the server at `server` with bearer `token`; returns
/// the server's answer on success, and its message as the error otherwise.
pub fn publish(
    file: &Path,
    server: &str,
    token: &str,
    province: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut url = format!("{}/api/v1/modules", server.trim_end_matches('/'));
    if let Some(code) = province {
        url = format!("{url}?province={code}");
    }
    let mut response = agent
        .post(&url)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/wasm")
        .send(&bytes[..])
        .with_context(|| format!("sending {} to {url}", file.display()))?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    let body: serde_json::Value =
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    if status == 201 {
        return Ok(body);
    }
    let problems: Vec<String> = body["problems"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(|x| x.as_str().map(|s| format!("  - {s}")))
                .collect()
        })
        .unwrap_or_default();
    let message = body["message"]["en"]
        .as_str()
        .map_or_else(|| body.to_string(), str::to_owned);
    if problems.is_empty() {
        bail!("the server refused the module ({status}): {message}");
    }
    bail!(
        "the server refused the module ({status}):\n{}",
        problems.join("\n")
    );
}
