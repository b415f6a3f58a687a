//! The `baton` command line.

mod admin;
mod audit;
pub mod config;
mod generate;
mod import;
mod keys;
mod plugin;
mod serve;
mod upgrade;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::runtime::{Limits, Runtime};

/// Baton (接力): onboarding for newly elected village committees.
#[derive(Debug, Parser)]
#[command(name = "baton", version)]
pub struct Cli {
    /// The configuration file (TOML, `setting = value` with the flags'
    /// names); default /etc/baton/baton.toml when it exists. A flag wins
    /// over the environment, the environment over the file.
    #[arg(long, env = "BATON_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Where `baton serve` listens.
    #[arg(
        long,
        env = "BATON_ADDR",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    addr: std::net::SocketAddr,
    /// Seconds between the outbox worker's passes (due-date reminders and
    /// escalations, SMS and group robots), in `baton serve` and `baton
    /// worker`; 0 runs no worker inside `baton serve`.
    #[arg(
        long,
        env = "BATON_WORKER_EVERY",
        default_value_t = 30,
        global = true,
        visible_alias = "every"
    )]
    worker_every: u64,
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
    /// How log lines are written to stderr: `text` for people, `json` (one
    /// object per line, with the request id) for a log shipper.
    #[arg(long, env = "BATON_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    #[command(flatten)]
    settings: crate::settings::Args,
    #[command(subcommand)]
    command: Command,
    /// The arguments as parsed, the configuration file's put in.
    #[arg(skip)]
    argv: Vec<std::ffi::OsString>,
    /// Where each setting came from.
    #[arg(skip)]
    origins: config::Origins,
}

/// The log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (on --addr, with the outbox worker every
    /// --worker-every seconds).
    Serve {
        /// Seed a demo province, with an account per role (password `demo`),
        /// into an empty database, and print how to sign in.
        #[arg(long)]
        demo: bool,
    },
    /// Run only the outbox worker (every --worker-every seconds): due-date
    /// reminders and escalations, and delivery by SMS and group robots. Any
    /// number of workers and servers may share one PostgreSQL database;
    /// each message goes once.
    Worker,
    /// The configuration: `baton config check` prints every setting, its
    /// value and where it came from, and names every bad one.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Import data a county hands over; one bad row imports nothing.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Work with module packages.
    #[command(subcommand)]
    Plugin(plugin::PluginCommand),
    /// Accounts, as the server's operator: the first administrator, resets.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Check the tamper-evident records.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Copy the database, while the server runs, into a new FILE: a
    /// SQLite file (one consistent snapshot, writes go on) or, on
    /// PostgreSQL, a pg_dump custom archive.
    Backup {
        /// The new backup file; never overwritten.
        file: PathBuf,
    },
    /// Restore a backup FILE into an empty place: --database-url names a
    /// SQLite file that does not exist yet, or an empty PostgreSQL
    /// database. Then the sign-off chain is verified.
    Restore {
        /// The backup file (from `baton backup`).
        file: PathBuf,
    },
    /// The provinces' keys for signing module packages.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Replay enrollments against another version of their module and move
    /// the chosen ones: a dry run unless --apply says which. Roll back by
    /// swapping --from and --to.
    Upgrade(upgrade::Args),
    /// Fill an empty database with a national-size dataset for benchmarks
    /// (defaults: 31 provinces, ≈586,000 villages, ≈3.5 million people,
    /// five assignments, ≈5.3 million enrollments). Sign in as `nation` / `demo`.
    Generate {
        #[command(flatten)]
        shape: crate::generate::Shape,
    },
}

/// `baton config …`.
#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print every setting with its value and source (flag, environment,
    /// file, default); exit 1 naming each bad value and its source.
    Check,
}

impl Cli {
    /// The command line as given, with the configuration file's settings
    /// where neither a flag nor the environment gives one. A bad setting
    /// in the file or the environment ends the program, named.
    pub fn from_env() -> Self {
        let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let (argv, origins) = match config::apply(argv) {
            Ok(applied) => applied,
            Err(problems) => {
                eprintln!("error: {problems}");
                std::process::exit(2);
            }
        };
        let mut cli = <Self as clap::Parser>::parse_from(&argv);
        cli.argv = argv;
        cli.origins = origins;
        cli
    }

    /// Runs the command.
    pub async fn run(self) -> anyhow::Result<()> {
        let limits = Limits {
            deadline: std::time::Duration::from_millis(self.plugin_deadline_ms),
            memory: self.plugin_memory_mib << 20,
            ..Limits::default()
        };
        let runtime = Runtime::new(limits, self.cache_dir.or_else(default_cache_dir))?;
        match self.command {
            Command::Serve { demo } => {
                let settings = crate::settings::Settings::new(self.settings);
                settings.check()?;
                serve::run(
                    runtime,
                    self.addr,
                    &self.database_url,
                    demo,
                    self.worker_every,
                    settings,
                )
                .await
            }
            Command::Worker => {
                let every = self.worker_every.max(1);
                let db = crate::Db::connect(&self.database_url).await?;
                let settings = crate::settings::Settings::new(self.settings);
                let state = crate::app::AppState::with_settings(db, runtime, settings);
                println!("Baton's outbox worker: a pass every {every} s");
                crate::outbox::run(state, std::time::Duration::from_secs(every)).await;
                Ok(())
            }
            Command::Config(ConfigCommand::Check) => {
                // Parsed from the command line alone (a test's), the
                // arguments are the process's own.
                let argv = if self.argv.is_empty() {
                    std::env::args_os().collect()
                } else {
                    self.argv.clone()
                };
                config::check(&argv, &self.origins)
            }
            Command::Import(command) => import::run(&self.database_url, command).await,
            Command::Generate { shape } => generate::run(runtime, &self.database_url, shape).await,
            Command::Upgrade(args) => upgrade::run(runtime, &self.database_url, args).await,
            Command::Audit(command) => audit::run(&self.database_url, command).await,
            Command::Backup { file } => audit::backup(&self.database_url, &file).await,
            Command::Restore { file } => audit::restore(&self.database_url, &file).await,
            Command::Keys(command) => keys::run(&self.database_url, command).await,
            Command::Plugin(command) => plugin::run(&runtime, command).await,
            Command::Admin(command) => {
                let db = crate::Db::connect(&self.database_url).await?;
                admin::run(&crate::state::AppState::new(db, runtime), command).await
            }
        }
    }
}

/// `$XDG_CACHE_HOME/baton` or `~/.cache/baton`.
fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("baton"))
}

/// Logs to stderr in `format`, filtered by `RUST_LOG` (default: info).
pub fn init_tracing(format: LogFormat) {
    let _ = tracing::subscriber::set_global_default(log_subscriber(format, std::io::stderr));
}

/// The log subscriber `baton` runs with, writing to `writer`: every line
/// inside a request carries its span (the request id, method and path);
/// `json` puts each line, with its fields and span, in one JSON object.
pub fn log_subscriber<W>(format: LogFormat, writer: W) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let lines = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => Box::new(lines.finish()),
        LogFormat::Json => Box::new(lines.json().with_current_span(true).finish()),
    }
}
