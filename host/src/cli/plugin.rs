//! `baton plugin new | build | publish | inspect | try`: a module's life
//! before the server, and trying one without a server.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use baton_sdk::testing::{actor, sample_context};
use baton_sdk::{Actor, Context, Locale, Role};
use clap::Subcommand;
use serde::{Deserialize, Serialize};

use crate::registry::Module;
use crate::runtime::Runtime;

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Create a module crate from the SDK's template: a discipline pledge
    /// with a passing test, ready to rename and change.
    New {
        /// The module id, which is also the crate's name: kebab-case.
        name: String,
        /// The folder to create it in.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// Baton's sdk/ folder (default: the one this binary was built from).
        #[arg(long)]
        sdk: Option<PathBuf>,
    },
    /// Build a module crate into a component and check it as the server will.
    Build {
        /// The module crate's folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where cargo builds (default: the crate's target/).
        #[arg(long)]
        target_dir: Option<PathBuf>,
    },
    /// Upload a component to a server; the server checks it again.
    Publish {
        /// The .wasm file.
        file: PathBuf,
        /// The server's address, e.g. https://baton.example.gov.cn.
        #[arg(long, env = "BATON_SERVER")]
        server: String,
        /// A province (or national) administrator's bearer token.
        #[arg(long, env = "BATON_TOKEN", hide_env_values = true)]
        token: String,
        /// The owning province (default: the administrator's own).
        #[arg(long)]
        province: Option<String>,
    },
    /// Check a module as the server does before accepting it, and print its
    /// info, or every reason it would be refused.
    Inspect {
        /// A .wasm file, or the name of a built-in module.
        module: String,
        /// Print the info as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run start, a scenario of actions, and view, without a server.
    Try {
        /// A .wasm file, or the name of a built-in module.
        module: String,
        /// A scenario file (JSON); `--sample` prints one to start from.
        scenario: Option<PathBuf>,
        /// Print a sample scenario and exit.
        #[arg(long)]
        sample: bool,
        /// The language of the rendered view.
        #[arg(long, default_value = "zh-CN", value_parser = parse_locale)]
        locale: Locale,
    },
}

fn parse_locale(s: &str) -> Result<Locale, String> {
    s.parse().map_err(|e: baton_sdk::UnknownName| e.to_string())
}

/// Runs a `baton plugin` command.
pub async fn run(runtime: &Runtime, command: PluginCommand) -> anyhow::Result<()> {
    match command {
        PluginCommand::New { name, dir, sdk } => {
            let sdk = sdk
                .or_else(crate::develop::default_sdk)
                .context("pass --sdk PATH: a checkout of Baton's sdk/ folder")?;
            let created = crate::develop::scaffold(&name, &dir, &sdk)?;
            println!(
                "created {} (module `{name}`)\nnext: cd {} && cargo test && baton plugin build",
                created.display(),
                created.display()
            );
            Ok(())
        }
        PluginCommand::Build { dir, target_dir } => {
            let file = crate::develop::build(runtime, &dir, target_dir.as_deref()).await?;
            let plugin = crate::registry::load(runtime, &std::fs::read(&file)?).await?;
            print!("{}", describe(&plugin));
            println!("built and checked: {}", file.display());
            Ok(())
        }
        PluginCommand::Publish {
            file,
            server,
            token,
            province,
        } => {
            let answer = tokio::task::spawn_blocking(move || {
                crate::develop::publish(&file, &server, &token, province.as_deref())
            })
            .await??;
            println!(
                "published {}@{} (sha256 {}), owned by {}",
                answer["id"].as_str().unwrap_or("?"),
                answer["version"].as_str().unwrap_or("?"),
                answer["sha256"].as_str().unwrap_or("?"),
                answer["owner"].as_str().unwrap_or("the nation")
            );
            Ok(())
        }
        PluginCommand::Inspect { module, json } => {
            // The checks the server makes before it accepts a package.
            let plugin = crate::registry::validate(runtime, &package(&module)?)
                .await
                .map_err(|problems| anyhow::anyhow!("{}", problems.join("\n")))?;
            if json {
                println!("{}", serde_json::to_string_pretty(plugin.info())?);
            } else {
                print!("{}", describe(&plugin));
            }
            Ok(())
        }
        PluginCommand::Try {
            module,
            scenario,
            sample,
            locale,
        } => {
            if sample {
                let sample = sample_scenario(&module).with_context(|| {
                    format!("there is no sample scenario for `{module}`; write its steps from the actions `baton plugin inspect {module}` lists")
                })?;
                println!("{}", serde_json::to_string_pretty(&sample)?);
                return Ok(());
            }
            let plugin = load(runtime, &module).await?;
            let scenario = match scenario {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    serde_json::from_str(&text)
                        .with_context(|| format!("{} is not a scenario", path.display()))?
                }
                None => Scenario {
                    context: sample_context(),
                    steps: Vec::new(),
                },
            };
            print!("{}", try_scenario(&plugin, scenario, locale).await?);
            Ok(())
        }
    }
}

/// What `baton plugin try` runs: a context and the steps to take in it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Scenario {
    /// The enrollment's context; the actor is set by each step.
    #[serde(default = "sample_context")]
    pub context: Context,
    /// Actions, in order.
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// One action in a [`Scenario`].
#[derive(Debug, Serialize, Deserialize)]
pub struct Step {
    /// Acts as the sample person with this role…
    #[serde(rename = "as")]
    pub role: Option<Role>,
    /// …or as this person.
    pub actor: Option<Actor>,
    /// The action's name.
    pub action: String,
    /// Its payload.
    #[serde(default)]
    pub payload: serde_json::Value,
}

/// Loads a module from a file, or a built-in one by name.
pub async fn load(runtime: &Runtime, module: &str) -> anyhow::Result<Arc<Module>> {
    Ok(Arc::new(
        crate::registry::load(runtime, &package(module)?).await?,
    ))
}

/// A built-in module's package by name, or a `.wasm` file's bytes.
fn package(module: &str) -> anyhow::Result<Vec<u8>> {
    Ok(
        match crate::registry::BUILT_IN
            .iter()
            .find(|(name, _)| *name == module)
        {
            Some((_, bytes)) => bytes.to_vec(),
            None => std::fs::read(module).with_context(|| {
                let names: Vec<&str> = crate::registry::BUILT_IN.iter().map(|(n, _)| *n).collect();
                format!(
                    "reading {module} (not a file, nor a built-in module: {})",
                    names.join(", ")
                )
            })?,
        },
    )
}

/// A human-readable summary of a loaded module.
pub fn describe(plugin: &Module) -> String {
    let info = plugin.info();
    let mut out = format!(
        "{}  {} / {}\n  {}\n  {}\ncontract {}  sha256 {}\naudience {:?}, about {} minutes\nactions:\n",
        plugin.name(),
        info.title.zh,
        info.title.en,
        info.summary.zh,
        info.summary.en,
        crate::runtime::SUPPORTED_CONTRACTS[0],
        hex::encode(plugin.sha256()),
        info.audience,
        info.estimated_minutes,
    );
    for a in &info.actions {
        let fields = a.payload_schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect::<Vec<_>>().join(", "));
        out += &format!(
            "  {:<12} {} / {}  ({})\n",
            a.name,
            a.title.zh,
            a.title.en,
            fields.unwrap_or_default()
        );
    }
    let templates: Vec<&str> = info.templates.iter().map(|t| t.name.as_str()).collect();
    out += &format!("templates: {}\n", templates.join(", "));
    out
}

/// Runs `scenario` and reports each step, the final state and the view.
pub async fn try_scenario(
    plugin: &Module,
    scenario: Scenario,
    locale: Locale,
) -> anyhow::Result<String> {
    let mut ctx = scenario.context;
    ctx.locale = locale;
    let mut out = String::new();
    let mut state = match plugin.start(&ctx).await? {
        Ok(outcome) => {
            out += &format!(
                "start: progress {}/{}\n",
                outcome.progress.done, outcome.progress.total
            );
            outcome.state
        }
        Err(rejection) => bail!("start was refused: {rejection}"),
    };
    for (i, step) in scenario.steps.into_iter().enumerate() {
        ctx.actor = match (step.actor, step.role) {
            (Some(actor), _) => actor,
            (None, Some(role)) => actor(role),
            (None, None) => ctx.actor.clone(),
        };
        let who = format!(
            "{} ({})",
            ctx.actor.name,
            serde_json::to_value(ctx.actor.role)?
                .as_str()
                .unwrap_or("?")
        );
        match plugin
            .act(&ctx, &state, &step.action, &step.payload.to_string())
            .await?
        {
            Ok(outcome) => {
                out += &format!(
                    "{}. ✓ {} as {who}: progress {}/{}",
                    i + 1,
                    step.action,
                    outcome.progress.done,
                    outcome.progress.total
                );
                for s in &outcome.signoffs {
                    out += &format!("\n     signed {}: {}", s.subject, s.statement.get(locale));
                }
                for n in &outcome.notices {
                    let to = match &n.to {
                        baton_sdk::Recipient::Person(id) => id.clone(),
                        baton_sdk::Recipient::Role(role) => role.title().get(locale).to_owned(),
                    };
                    out += &format!("\n     notice to {to}: {}", n.message.get(locale));
                }
                out += "\n";
                state = outcome.state;
            }
            Err(rejection) => {
                out += &format!("{}. ✗ {} as {who}: {rejection}\n", i + 1, step.action)
            }
        }
    }
    let view = plugin.view(&ctx, &state).await?;
    let state: serde_json::Value = serde_json::from_str(&state)?;
    out += &format!(
        "\n--- state ---\n{}\n",
        serde_json::to_string_pretty(&state)?
    );
    out += &format!("\n--- view `{}` ---\n", view.template);
    out += &plugin.render(view, locale, None)?;
    out += "\n";
    Ok(out)
}

/// A scenario for a built-in module that takes it to completion (or close)
/// on the sample village, to copy and edit: the module's own
/// `plugins/<name>/sample.json`.
fn sample_scenario(module: &str) -> Option<Scenario> {
    let (_, json) = crate::registry::SAMPLES
        .iter()
        .find(|(name, _)| *name == module)?;
    serde_json::from_str(json).ok()
}
