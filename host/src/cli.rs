//! The `baton` command line.

mod admin;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use baton_sdk::testing::{actor, sample_context};
use baton_sdk::{Actor, Context, Locale, Role};
use clap::{Parser, Subcommand};
use serde::{Deserialize, Serialize};

use crate::runtime::{Limits, Plugin, Runtime};

/// Baton (接力): onboarding for newly elected village committees.
#[derive(Debug, Parser)]
#[command(name = "baton", version)]
pub struct Cli {
    /// Where compiled modules are cached between runs.
    #[arg(long, env = "BATON_CACHE_DIR", global = true)]
    cache_dir: Option<PathBuf>,
    /// Per-call time limit for modules, milliseconds.
    #[arg(
        long,
        env = "BATON_PLUGIN_DEADLINE_MS",
        default_value_t = 100,
        global = true
    )]
    plugin_deadline_ms: u64,
    /// The database: a SQLite file (created if missing) or a PostgreSQL URL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite:baton.db",
        global = true
    )]
    database_url: String,
    /// Per-instance memory limit for modules, MiB.
    #[arg(
        long,
        env = "BATON_PLUGIN_MEMORY_MIB",
        default_value_t = 64,
        global = true
    )]
    plugin_memory_mib: usize,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Seed a demo province, with an account per role (password `demo`),
        /// into an empty database, and print how to sign in.
        #[arg(long)]
        demo: bool,
    },
    /// Import data a county hands over; one bad row imports nothing.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Work with module packages.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Accounts, as the server's operator: the first administrator, resets.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Check the tamper-evident records.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Replay enrollments against another version of their module and move
    /// the chosen ones: a dry run unless --apply says which. Roll back by
    /// swapping --from and --to.
    Upgrade {
        /// Module id.
        #[arg(long)]
        module: String,
        /// The version the enrollments are on.
        #[arg(long)]
        from: String,
        /// The version to move them to.
        #[arg(long)]
        to: String,
        /// The scope: an org unit code.
        #[arg(long)]
        unit: String,
        /// none (dry run), same (identical replays) or clean (all that replay).
        #[arg(long, value_enum, default_value = "none")]
        apply: crate::upgrade::Apply,
        /// Only these enrollments (ids, comma-separated).
        #[arg(long, value_delimiter = ',')]
        enrollments: Vec<i64>,
        /// Enrollments read, replayed and moved at a time.
        #[arg(long, default_value_t = crate::upgrade::BATCH)]
        batch: i64,
        /// Print the whole report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fill an empty database with a national-size dataset for benchmarks
    /// (defaults: 31 provinces, ≈586,000 villages, ≈3.5 million people,
    /// five assignments, ≈5.3 million enrollments). Sign in as `nation` / `demo`.
    Generate {
        #[command(flatten)]
        shape: crate::generate::Shape,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk every enrollment's sign-off chain; exit 1 at the first broken link.
    Verify,
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Staff accounts from CSV: `username,name,phone,role,unit_code` (or
    /// 用户名,姓名,电话,角色,单位代码), UTF-8 or GB18030; role province-admin,
    /// county-trainer or township-officer (省级管理员/县级培训人员/乡镇干部).
    /// Prints each account's activation code as CSV.
    Staff {
        /// The CSV file.
        file: PathBuf,
    },
    /// An org tree from CSV: `code,level,name,parent_code` (or 代码,层级,名称,上级代码),
    /// UTF-8 or GB18030, levels in English or Chinese (省/市/县/乡/村).
    OrgUnits {
        /// The CSV file.
        file: PathBuf,
    },
    /// Committee rosters from CSV: `village_code,committee,name,post,status,years_served,phone`
    /// (or 村代码,组织,姓名,职务,状态,任职年限,电话); committee 党组织/村委会,
    /// status 在任/离任/落选/调任 (serving when empty). Everyone gets an
    /// account and an activation code; print the slips at /slips?unit=VILLAGE.
    Roster {
        /// The CSV file.
        file: PathBuf,
        /// The election year (换届).
        #[arg(long)]
        term: String,
        /// The election date.
        #[arg(long, default_value = "")]
        elected_on: String,
    },
}

#[derive(Debug, Subcommand)]
enum PluginCommand {
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
    match s {
        "zh-CN" | "zh" => Ok(Locale::ZhCn),
        "en" => Ok(Locale::En),
        _ => Err(format!("`{s}` is not a locale; use zh-CN or en")),
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

impl Cli {
    /// Runs the command.
    pub async fn run(self) -> anyhow::Result<()> {
        let limits = Limits {
            deadline: std::time::Duration::from_millis(self.plugin_deadline_ms),
            memory: self.plugin_memory_mib << 20,
            ..Limits::default()
        };
        let runtime = Runtime::new(limits, self.cache_dir.or_else(default_cache_dir))?;
        match self.command {
            Command::Serve { addr, demo } => serve(runtime, addr, &self.database_url, demo).await,
            Command::Import(ImportCommand::Roster {
                file,
                term,
                elected_on,
            }) => {
                let bytes =
                    std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
                let db = crate::db::Db::connect(&self.database_url).await?;
                let imported = crate::import::roster(&db, &bytes, &term, &elected_on).await?;
                println!(
                    "imported {} seats ({} people) for term {term} from {}; {} new accounts with activation codes (print them at /slips?unit=VILLAGE)",
                    imported.seats,
                    imported.people,
                    file.display(),
                    imported.accounts.len()
                );
                Ok(())
            }
            Command::Generate { shape } => {
                let db = crate::db::Db::connect(&self.database_url).await?;
                let now = crate::http::now();
                crate::registry::register_built_ins(&db, &runtime, now).await?;
                let started = std::time::Instant::now();
                let done = crate::generate::national(&db, shape, now, true).await?;
                println!(
                    "generated {} villages, {} enrollments in {:.0?} into {}",
                    shape.village_count(),
                    done.enrollments,
                    started.elapsed(),
                    self.database_url
                );
                Ok(())
            }
            Command::Upgrade {
                module,
                from,
                to,
                unit,
                apply,
                enrollments,
                batch,
                json,
            } => {
                anyhow::ensure!(batch > 0, "--batch must be at least 1");
                let db = crate::db::Db::connect(&self.database_url).await?;
                let (_, path) = crate::db::org_units::get(&db, &unit)
                    .await?
                    .with_context(|| format!("no org unit {unit}"))?;
                for version in [&from, &to] {
                    if crate::db::plugins::wasm(&db, &module, version)
                        .await?
                        .is_none()
                    {
                        anyhow::bail!("no module {module}@{version} in {}", self.database_url);
                    }
                }
                anyhow::ensure!(from != to, "--from and --to are the same version");
                let request = crate::upgrade::UpgradeRequest {
                    module,
                    from,
                    to,
                    unit,
                    apply,
                    enrollments: (!enrollments.is_empty()).then_some(enrollments),
                };
                let state = crate::http::AppState::new(db, runtime);
                let bar = indicatif::ProgressBar::new(0).with_style(
                    indicatif::ProgressStyle::with_template(
                        "replaying [{bar:40}] {pos}/{len} enrollments, {per_sec}, eta {eta}",
                    )?
                    .progress_chars("=> "),
                );
                let report = crate::upgrade::run(&state, &request, &path, batch, |done, total| {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                bar.finish_and_clear();
                if json {
                    println!("{}", serde_json::to_string_pretty(&report)?);
                } else {
                    print!("{}", crate::upgrade::summary(&report));
                }
                Ok(())
            }
            Command::Audit(AuditCommand::Verify) => {
                let db = crate::db::Db::connect(&self.database_url).await?;
                match crate::db::enrollments::verify_chain(&db).await? {
                    (checked, None) => {
                        println!("sign-off chain intact: {checked} sign-offs checked");
                        Ok(())
                    }
                    (checked, Some(broken)) => {
                        let at = broken
                            .signoff_id
                            .map_or_else(|| "its head".to_owned(), |id| format!("sign-off {id}"));
                        anyhow::bail!(
                            "sign-off chain broken in enrollment {} at {at}: {} ({checked} sign-offs before it checked)",
                            broken.enrollment_id,
                            broken.reason
                        )
                    }
                }
            }
            Command::Admin(command) => {
                let db = crate::db::Db::connect(&self.database_url).await?;
                admin::run(&db, command).await
            }
            Command::Import(ImportCommand::Staff { file }) => {
                let db = crate::db::Db::connect(&self.database_url).await?;
                admin::import_staff(&db, &file).await
            }
            Command::Import(ImportCommand::OrgUnits { file }) => {
                let bytes =
                    std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
                let db = crate::db::Db::connect(&self.database_url).await?;
                let added = crate::import::org_units(&db, &bytes).await?;
                println!("imported {added} org units from {}", file.display());
                Ok(())
            }
            Command::Plugin(PluginCommand::New { name, dir, sdk }) => {
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
            Command::Plugin(PluginCommand::Build { dir, target_dir }) => {
                let file = crate::develop::build(&runtime, &dir, target_dir.as_deref()).await?;
                let plugin = runtime.load(&std::fs::read(&file)?).await?;
                print!("{}", describe(&plugin));
                println!("built and checked: {}", file.display());
                Ok(())
            }
            Command::Plugin(PluginCommand::Publish {
                file,
                server,
                token,
                province,
            }) => {
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
            Command::Plugin(PluginCommand::Inspect { module, json }) => {
                // The checks the server makes before it accepts a package.
                let plugin = crate::registry::validate(&runtime, &package(&module)?)
                    .await
                    .map_err(|problems| anyhow::anyhow!("{}", problems.join("\n")))?;
                if json {
                    println!("{}", serde_json::to_string_pretty(plugin.info())?);
                } else {
                    print!("{}", describe(&plugin));
                }
                Ok(())
            }
            Command::Plugin(PluginCommand::Try {
                module,
                scenario,
                sample,
                locale,
            }) => {
                if sample {
                    let sample = sample_scenario(&module).with_context(|| {
                        format!("there is no sample scenario for `{module}`; write its steps from the actions `baton plugin inspect {module}` lists")
                    })?;
                    println!("{}", serde_json::to_string_pretty(&sample)?);
                    return Ok(());
                }
                let plugin = load(&runtime, &module).await?;
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
}

/// Migrates the database, registers the built-in modules, and serves until Ctrl-C.
async fn serve(
    runtime: Runtime,
    addr: std::net::SocketAddr,
    database_url: &str,
    demo: bool,
) -> anyhow::Result<()> {
    let db = crate::db::Db::connect(database_url).await?;
    let now = crate::http::now();
    for added in crate::registry::register_built_ins(&db, &runtime, now).await? {
        tracing::info!(module = %added, "registered built-in module");
    }
    let state = crate::http::AppState::new(db.clone(), runtime);
    for moved in crate::upgrade::built_ins(&state)
        .await
        .map_err(|e| anyhow::anyhow!("moving enrollments to the new built-in modules: {e}"))?
    {
        println!("Upgraded by replay: {moved}");
    }
    if demo {
        if crate::demo::is_empty(&db).await? {
            crate::demo::seed(&db, now).await?;
            println!("Seeded the demo province into {database_url}.");
        } else {
            println!("The demo province is already in {database_url}.");
        }
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    println!(
        "Baton is listening on http://{}  (database {database_url})",
        listener.local_addr()?
    );
    if demo {
        print!(
            "{}",
            crate::demo::logins(&listener.local_addr()?.to_string())
        );
    }
    // A SQLite file deleted or replaced under the server is fatal: the open
    // connections would keep accepting writes into a file no one will read.
    let watched = db.clone();
    let lost = async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            if let Err(e) = watched.check_file() {
                return e;
            }
        }
    };
    let app = crate::http::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    tokio::select! {
        served = server => served?,
        e = lost => {
            tracing::error!(error = %e, "stopping: the database is lost");
            anyhow::bail!("stopping: {e}");
        }
    }
    Ok(())
}

/// `$XDG_CACHE_HOME/baton` or `~/.cache/baton`.
fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("baton"))
}

/// Loads a module from a file, or a built-in one by name.
pub async fn load(runtime: &Runtime, module: &str) -> anyhow::Result<Arc<Plugin>> {
    Ok(runtime.load(&package(module)?).await?)
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
pub fn describe(plugin: &Plugin) -> String {
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
    plugin: &Plugin,
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
    out += &format!(
        "\n--- view `{}` ---\n{}\n",
        view.template,
        plugin.render(&view, locale)?
    );
    Ok(out)
}

/// A scenario for a built-in module that takes it to completion (or close)
/// on the sample village, to copy and edit.
fn sample_scenario(module: &str) -> Option<Scenario> {
    use serde_json::json;
    let step = |role, action: &str, payload| Step {
        role: Some(role),
        actor: None,
        action: action.into(),
        payload,
    };
    let (s, m, o, t) = (
        Role::Secretary,
        Role::Member,
        Role::OutgoingCadre,
        Role::TownshipOfficer,
    );
    let steps = match module {
        "handover" => vec![
            step(
                o,
                "declare",
                json!({"item": "seals", "entries": [
                    {"name": "桂花村党支部公章", "quantity": 1},
                    {"name": "桂花村村民委员会公章", "quantity": 1, "note": "铁皮柜内"}
                ]}),
            ),
            step(s, "confirm", json!({"item": "seals"})),
            step(t, "witness", json!({"item": "seals"})),
        ],
        "visits" => vec![
            step(
                s,
                "log-talk",
                json!({"person": "p-outgoing", "date": "2025-12-30", "visitors": ["张建国", "陈立"],
                       "discussed": "身体情况和家庭困难", "follow_ups": ["协助申请生活补助"]}),
            ),
            step(
                m,
                "log-talk",
                json!({"person": "p-defeated", "date": "2025-12-31", "visitors": ["李秀英"], "discussed": "今后打算"}),
            ),
            step(
                t,
                "record-subsidy",
                json!({"person": "p-outgoing", "applied": true, "note": "已报区民政局"}),
            ),
            step(t, "confirm", json!({})),
        ],
        "first-lesson" => vec![
            step(s, "read", json!({"lesson": 0})),
            step(s, "read", json!({"lesson": 1})),
            step(s, "read", json!({"lesson": 2})),
            step(s, "submit", json!({"answers": [[0], [0], [0, 1, 2]]})),
        ],
        "duties" => vec![
            step(
                s,
                "assign",
                json!({"person": "p-secretary", "posts": ["organisation"], "responsibilities": "主持全面工作，分管组织"}),
            ),
            step(
                s,
                "assign",
                json!({"person": "p-member", "posts": ["discipline", "women"], "responsibilities": "纪检监督和妇女工作"}),
            ),
            step(
                s,
                "assign",
                json!({"person": "p-member-2", "posts": ["mediation", "public-security"], "responsibilities": "矛盾调解和治安"}),
            ),
            step(s, "sign", json!({})),
            step(t, "acknowledge", json!({})),
        ],
        "open-door" => vec![
            step(
                m,
                "record-visits",
                json!({"date": "2025-12-20", "households": 30, "issues": ["灌溉水渠堵塞"]}),
            ),
            step(
                s,
                "submit-plan",
                json!({"goals": ["村集体经济收入突破 20 万元"],
                       "projects": [{"name": "修建产业路 2 公里", "start": "2026-03-01", "end": "2026-10-31"}]}),
            ),
            step(
                s,
                "commit",
                json!({"kind": "campaign", "title": "修通组道", "text": "兑现竞职承诺",
                       "milestones": [{"title": "三组组道硬化", "due": "2026-06-30"}]}),
            ),
            step(
                s,
                "commit",
                json!({"kind": "work", "title": "建成冷链仓库", "text": "年内建成投用",
                       "milestones": [{"title": "建成投用", "due": "2026-12-31"}]}),
            ),
            step(
                s,
                "commit",
                json!({"kind": "resignation", "title": "辞职承诺", "text": "如有以下情形，主动辞职",
                       "conditions": ["年度考核不称职"]}),
            ),
            step(s, "publish", json!({})),
        ],
        "swearing-in" => vec![
            step(
                t,
                "schedule",
                json!({"date": "2025-12-31", "place": "龙河镇党群服务中心"}),
            ),
            step(
                t,
                "record-attendance",
                json!({"person": "p-secretary", "present": true}),
            ),
            step(s, "confirm", json!({})),
        ],
        _ => return None,
    };
    Some(Scenario {
        context: sample_context(),
        steps,
    })
}

/// Logs to stderr, filtered by `RUST_LOG` (default: info).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
