//! Module packages: the built-in ones, and the rules a package's module info
//! must follow before the host will run it.

use baton_sdk::ModuleInfo;

use std::sync::Arc;

use crate::db::{Db, plugins};
use crate::runtime::{Plugin, Runtime};

include!(concat!(env!("OUT_DIR"), "/built_in.rs"));

/// Stores each built-in module in the database, once per version, so every
/// host process sees the same set. Returns the ids@versions newly stored.
pub async fn register_built_ins(
    db: &Db,
    runtime: &Runtime,
    now: i64,
) -> anyhow::Result<Vec<String>> {
    let mut added = Vec::new();
    for (_, bytes) in BUILT_IN {
        let plugin = runtime.load(bytes).await?;
        let package = plugins::Package {
            id: plugin.info().id.clone(),
            version: plugin.info().version.clone(),
            sha256: hex::encode(plugin.sha256()),
            owner: None,
            built_in: true,
            info: plugin.info().clone(),
        };
        if plugins::insert(db, &package, bytes, now).await? {
            added.push(plugin.name().to_string());
        }
    }
    Ok(added)
}

/// The largest package the platform accepts. The built-in modules are
/// 200–400 KiB; a module that needs megabytes is doing something wrong.
pub const MAX_PACKAGE: usize = 4 << 20;

/// Everything the server checks before it accepts a package: its size; that
/// it is a component built against a contract this host runs, with sane
/// module info, templates that parse and schemas that are JSON Schemas; that
/// it compiles under the runtime's limits; and that `start` and `view` run on
/// the SDK's sample village with the module's default config. Returns the
/// loaded module, or every problem found.
pub async fn validate(runtime: &Runtime, bytes: &[u8]) -> Result<Arc<Plugin>, Vec<String>> {
    if bytes.len() > MAX_PACKAGE {
        return Err(vec![format!(
            "the package is {} bytes; the limit is {MAX_PACKAGE}",
            bytes.len()
        )]);
    }
    let plugin = runtime.load(bytes).await.map_err(|e| vec![e.to_string()])?;
    let ctx = baton_sdk::testing::sample_context();
    let outcome = match plugin.start(&ctx).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(rejection)) => {
            return Err(vec![format!(
                "start refused the sample village with the default config: {rejection}"
            )]);
        }
        Err(fault) => return Err(vec![format!("start failed on the sample village: {fault}")]),
    };
    let view = plugin
        .view(&ctx, &outcome.state)
        .await
        .map_err(|fault| vec![format!("view failed on the sample village: {fault}")])?;
    let mut problems = Vec::new();
    for locale in [baton_sdk::Locale::ZhCn, baton_sdk::Locale::En] {
        if let Err(e) = plugin.render(&view, locale) {
            problems.push(e.to_string());
        }
    }
    if problems.is_empty() {
        Ok(plugin)
    } else {
        Err(problems)
    }
}

/// Every problem with `info`, empty when it is acceptable. `bad_json` lists
/// the schemas that did not parse; `label` is what the build stamped into the
/// package (`crate@version`), which must agree with what `describe` says.
pub fn check_info(info: &ModuleInfo, bad_json: &[(String, String)], label: &str) -> Vec<String> {
    let mut problems: Vec<String> = bad_json
        .iter()
        .map(|(what, _)| format!("{what} is not valid JSON"))
        .collect();
    if !is_id(&info.id) {
        problems.push(format!(
            "id `{}` must be 2–64 lower-case letters, digits and hyphens",
            info.id
        ));
    }
    if let Err(e) = semver::Version::parse(&info.version) {
        problems.push(format!(
            "version `{}` is not a semantic version: {e}",
            info.version
        ));
    }
    let named = format!("{}@{}", info.id, info.version);
    if label.contains('@') && label != named {
        problems.push(format!("describe() says {named} but the package was built as {label}; the crate's name and version are the module's"));
    }
    for (what, text) in [("title", &info.title), ("summary", &info.summary)] {
        if text.zh.trim().is_empty() || text.en.trim().is_empty() {
            problems.push(format!("{what} needs both Chinese and English"));
        }
    }
    if info.estimated_minutes == 0 {
        problems.push("estimated_minutes must be at least 1".into());
    }
    let mut seen = std::collections::HashSet::new();
    for action in &info.actions {
        if !is_id(&action.name) {
            problems.push(format!("action `{}` must be kebab-case", action.name));
        }
        if !seen.insert(action.name.as_str()) {
            problems.push(format!("action `{}` is declared twice", action.name));
        }
        if action.title.zh.trim().is_empty() || action.title.en.trim().is_empty() {
            problems.push(format!(
                "action `{}` needs a title in both languages",
                action.name
            ));
        }
        if !is_schema(&action.payload_schema) {
            problems.push(format!(
                "the payload schema of action `{}` must be a JSON Schema object",
                action.name
            ));
        }
    }
    if !is_schema(&info.config_schema) {
        problems.push("the config schema must be a JSON Schema object".into());
    }
    let mut seen = std::collections::HashSet::new();
    for template in &info.templates {
        if !seen.insert(template.name.as_str()) {
            problems.push(format!("template `{}` is declared twice", template.name));
        }
    }
    problems
}

fn is_id(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_schema(v: &serde_json::Value) -> bool {
    v.is_object() || v.is_boolean()
}
