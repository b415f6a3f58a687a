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
        /// Depend on this checkout of Baton's sdk/ folder instead of the
        /// copy of the SDK the binary carries (written into the crate).
        /// Rust only.
        #[arg(long)]
        sdk: Option<PathBuf>,
        /// The module's language: a Rust crate, or a TypeScript package
        /// (needs Node.js 18 or later and npm).
        #[arg(long, value_enum, default_value = "rust")]
        lang: crate::develop::Lang,
    },
    /// Build a module (a Rust crate, or a TypeScript package) into a
    /// component and check it as the server will.
    Build {
        /// The module's folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where cargo builds (default: the crate's target/).
        #[arg(long)]
        target_dir: Option<PathBuf>,
    },
    /// Sign a component with a province's key (from `baton keys new`), in
    /// place: a province with a key publishes only signed packages.
    Sign {
        /// The .wasm file.
        file: PathBuf,
        /// The province's private key file.
        #[arg(long, env = "BATON_SIGNING_KEY")]
        key: PathBuf,
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
    /// Run scenario files against a module as tests: each step is expected
    /// to be accepted unless its `expect` says otherwise; exits 1 if any
    /// expectation fails.
    Test {
        /// A .wasm file, or the name of a built-in module.
        module: String,
        /// Scenario files (JSON), as `try` takes them, with `expect` on steps.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
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
        PluginCommand::New {
            name,
            dir,
            sdk,
            lang,
        } => {
            let (created, next) = match lang {
                crate::develop::Lang::Rust => (
                    crate::develop::scaffold(&name, &dir, sdk.as_deref())?,
                    "cargo test && baton plugin build",
                ),
                crate::develop::Lang::Ts if sdk.is_some() => {
                    bail!(
                        "--sdk is for Rust modules: a TypeScript module carries its SDK in baton-sdk/"
                    )
                }
                crate::develop::Lang::Ts => (
                    crate::develop::scaffold_ts(&name, &dir)?,
                    "baton plugin build && baton plugin test dist/*.wasm scenario.json",
                ),
            };
            println!(
                "created {} (module `{name}`)\nnext: cd {} && {next}",
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
        PluginCommand::Sign { file, key } => {
            let text = std::fs::read_to_string(&key)
                .with_context(|| format!("reading the key {}", key.display()))?;
            let key = crate::signing::read_key_file(&text)
                .with_context(|| format!("{} is not a signing key", key.display()))?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let signed = crate::signing::sign(&bytes, &key);
            std::fs::write(&file, &signed)
                .with_context(|| format!("writing {}", file.display()))?;
            println!(
                "signed {} with key {}",
                file.display(),
                crate::signing::key_id(&key.verifying_key())
            );
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
                .map_err(|problems| {
                    let lines: Vec<&str> = problems.iter().map(|p| p.en.as_str()).collect();
                    anyhow::anyhow!("{}", lines.join("\n"))
                })?;
            if json {
                println!("{}", serde_json::to_string_pretty(plugin.info())?);
            } else {
                print!("{}", describe(&plugin));
            }
            Ok(())
        }
        PluginCommand::Test { module, scenarios } => {
            let plugin = load(runtime, &module).await?;
            let mut failed = 0;
            for path in &scenarios {
                let scenario = read_scenario(path)?;
                let run = run_scenario(&plugin, scenario, Locale::ZhCn, true).await?;
                println!("{}\n{}", path.display(), run.report);
                failed += run.failed;
            }
            if failed > 0 {
                bail!("{failed} expectation(s) failed");
            }
            println!("{} scenario(s) passed", scenarios.len());
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
                Some(path) => read_scenario(&path)?,
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
    /// What must follow (`plugin test`); accepted when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
}

/// What a step of a scenario must lead to.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `accepted` (the default), `invalid`, `forbidden` or `conflict`.
    #[serde(default)]
    pub outcome: Option<String>,
    /// For `invalid`: a field the module names.
    #[serde(default)]
    pub field: Option<String>,
    /// Progress after it, `done/total`.
    #[serde(default)]
    pub progress: Option<String>,
    /// Whose turn after it: roles (`township-officer`) and person ids;
    /// `[]` when nobody must act.
    #[serde(default)]
    pub awaiting: Option<Vec<String>>,
    /// Text the view, rendered in Chinese after it, contains.
    #[serde(default)]
    pub view_contains: Option<String>,
}

/// Reads a scenario file, naming the file and the place of any mistake.
fn read_scenario(path: &std::path::Path) -> anyhow::Result<Scenario> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let de = &mut serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        anyhow::anyhow!(
            "{} is not a scenario: at `{}`: {}",
            path.display(),
            e.path(),
            e.inner()
        )
    })
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
        plugin.contract().as_str(),
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
    Ok(run_scenario(plugin, scenario, locale, false).await?.report)
}

/// A scenario's report, and how many expectations failed.
pub struct Run {
    /// Step by step, readable.
    pub report: String,
    /// Expectations not met.
    pub failed: usize,
}

/// Runs `scenario`. As a test (`test`), every step's expectation is
/// checked (accepted, when it names none) and the report ends there; else
/// refusals are only reported and the final state and view follow.
pub async fn run_scenario(
    plugin: &Module,
    scenario: Scenario,
    locale: Locale,
    test: bool,
) -> anyhow::Result<Run> {
    let mut failed = 0;
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
        let acted = plugin
            .act(&ctx, &state, &step.action, &step.payload.to_string())
            .await?;
        let mut misses = Vec::new();
        if test {
            let expect = step.expect.unwrap_or_default();
            misses = check(plugin, &ctx, &acted, &expect).await?;
        }
        match acted {
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
        for miss in &misses {
            out += &format!("   FAILED: {miss}\n");
        }
        failed += misses.len();
    }
    if test {
        out += &match failed {
            0 => "ok\n".to_owned(),
            n => format!("{n} expectation(s) failed\n"),
        };
        return Ok(Run {
            report: out,
            failed,
        });
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
    Ok(Run {
        report: out,
        failed,
    })
}

/// What of `expect` the step's result `acted` misses, each said plainly.
async fn check(
    plugin: &Module,
    ctx: &Context,
    acted: &Result<baton_sdk::Outcome, baton_sdk::Rejection>,
    expect: &Expect,
) -> anyhow::Result<Vec<String>> {
    use baton_sdk::Rejection;
    let mut misses = Vec::new();
    let wanted = expect.outcome.as_deref().unwrap_or("accepted");
    let got = match acted {
        Ok(_) => "accepted",
        Err(Rejection::Invalid(_)) => "invalid",
        Err(Rejection::Forbidden(_)) => "forbidden",
        Err(Rejection::Conflict(_)) => "conflict",
    };
    if got != wanted {
        misses.push(format!("expected {wanted}, got {got}"));
    }
    if let (Some(field), Err(Rejection::Invalid(fields))) = (&expect.field, acted)
        && !fields.iter().any(|f| &f.field == field)
    {
        let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        misses.push(format!(
            "expected field `{field}` refused, the module named {}",
            named.join(", ")
        ));
    }
    let Ok(outcome) = acted else {
        return Ok(misses);
    };
    if let Some(progress) = &expect.progress {
        let got = format!("{}/{}", outcome.progress.done, outcome.progress.total);
        if &got != progress {
            misses.push(format!("expected progress {progress}, got {got}"));
        }
    }
    if let Some(awaiting) = &expect.awaiting {
        let mut got: Vec<String> = outcome
            .awaiting
            .iter()
            .map(|a| match &a.who {
                baton_sdk::Recipient::Person(id) => id.clone(),
                baton_sdk::Recipient::Role(role) => role.as_str().to_owned(),
            })
            .collect();
        let mut wanted = awaiting.clone();
        got.sort();
        wanted.sort();
        if got != wanted {
            misses.push(format!("expected awaiting {wanted:?}, got {got:?}"));
        }
    }
    if let Some(text) = &expect.view_contains {
        let view = plugin.view(ctx, &outcome.state).await?;
        let html = plugin.render(view, Locale::ZhCn, None)?;
        if !html.contains(text.as_str()) {
            misses.push(format!("expected the view to contain “{text}”"));
        }
    }
    Ok(misses)
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
