//! The configuration file: every global setting of `baton` (the database,
//! where to listen, the public address, proxies, limits, the cache, the
//! worker's period, metrics access) may be written in one TOML file,
//! `/etc/baton/baton.toml` by default, as `name = value` with the flag's
//! name (`public_url = "https://…"`). A flag wins over the environment, the
//! environment over the file, the file over the default. `baton config
//! check` shows every setting with its value and where it came from, and
//! names every bad value with its source.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::CommandFactory as _;
use clap::parser::ValueSource;

use super::Cli;

/// The file read when neither `--config` nor `BATON_CONFIG` names one.
pub const DEFAULT_FILE: &str = "/etc/baton/baton.toml";

/// Settings whose values are never printed.
const SECRET: &[&str] = &["metrics_token"];

/// Where each setting's value came from.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// The file read, if any.
    pub file: Option<PathBuf>,
    /// The settings the file gave (by id), with their lines.
    pub from_file: Vec<(String, usize)>,
}

/// A setting's value as a flag: `--name=value`, from a TOML value.
fn flag_value(value: &toml::Value) -> Option<String> {
    Some(match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Array(items) => items
            .iter()
            .map(|v| match v {
                toml::Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?
            .join(","),
        _ => return None,
    })
}

/// The file `argv` or the environment names, or the default one if it exists.
fn file_named(argv: &[OsString]) -> Option<(PathBuf, bool)> {
    let mut args = argv.iter().skip(1);
    while let Some(arg) = args.next() {
        let arg = arg.to_string_lossy();
        if arg == "--" {
            break;
        }
        if arg == "--config" {
            return args.next().map(|p| (PathBuf::from(p), true));
        }
        if let Some(p) = arg.strip_prefix("--config=") {
            return Some((PathBuf::from(p), true));
        }
    }
    if let Some(p) = std::env::var_os("BATON_CONFIG").filter(|p| !p.is_empty()) {
        return Some((PathBuf::from(p), true));
    }
    let default = PathBuf::from(DEFAULT_FILE);
    default.is_file().then_some((default, false))
}

/// The line `key = …` is on, from 1 (0 when not found).
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(0, |i| i + 1)
}

/// `argv` with the configuration file's settings put in where neither a
/// flag nor the environment gives one, and where each came from. Every bad
/// setting of the file is named with its line.
pub fn apply(argv: Vec<OsString>) -> Result<(Vec<OsString>, Origins), String> {
    check_environment()?;
    let Some((file, named)) = file_named(&argv) else {
        return Ok((argv, Origins::default()));
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if !named && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((argv, Origins::default()));
        }
        Err(e) => {
            return Err(format!(
                "reading the configuration file {}: {e}",
                file.display()
            ));
        }
    };
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("{} is not TOML: {e}", file.display()))?;
    let command = Cli::command();
    // What the command line and the environment already give.
    let given = command
        .clone()
        .ignore_errors(true)
        .try_get_matches_from(&argv)
        .ok();
    let mut problems = Vec::new();
    let mut extra: Vec<OsString> = Vec::new();
    let mut from_file = Vec::new();
    for (key, value) in &table {
        let line = line_of(&text, key);
        let at = format!("{}:{line}", file.display());
        let id = key.replace('-', "_");
        let Some(arg) = settings(&command).find(|a| a.get_id() == id.as_str()) else {
            let known: Vec<String> = settings(&command).map(|a| a.get_id().to_string()).collect();
            problems.push(format!(
                "{at}: `{key}` is not a setting; the settings are: {}",
                known.join(", ")
            ));
            continue;
        };
        let Some(value) = flag_value(value) else {
            problems.push(format!(
                "{at}: `{key}` must be a string, a number, true/false or a list of strings"
            ));
            continue;
        };
        if let Err(e) = parse_one(arg, &value) {
            problems.push(format!("{at}: `{key} = {value:?}`: {e}"));
            continue;
        }
        let source = given.as_ref().and_then(|m| m.value_source(&id));
        if matches!(
            source,
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        ) {
            continue;
        }
        let long = arg.get_long().unwrap_or(key);
        extra.push(format!("--{long}={value}").into());
        from_file.push((id, line));
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    // Global settings go before the subcommand, where clap reads them too.
    let mut out = Vec::with_capacity(argv.len() + extra.len());
    out.extend(argv.first().cloned());
    out.extend(extra);
    out.extend(argv.into_iter().skip(1));
    Ok((
        out,
        Origins {
            file: Some(file),
            from_file,
        },
    ))
}

/// Every setting given by an environment variable must parse; each bad
/// one is named with its variable (clap's own message names only the flag).
fn check_environment() -> Result<(), String> {
    let command = Cli::command();
    let problems: Vec<String> = settings(&command)
        .filter_map(|arg| {
            let env = arg.get_env()?;
            let value = std::env::var_os(env).filter(|v| !v.is_empty())?;
            let value = value.to_string_lossy();
            parse_one(arg, &value).err().map(|e| {
                format!(
                    "environment variable {}={value:?}: {e}",
                    env.to_string_lossy()
                )
            })
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The settings a file may hold: `baton`'s global options with a long name
/// (not `--config` itself, `--help` or `--version`).
pub fn settings(command: &clap::Command) -> impl Iterator<Item = &clap::Arg> {
    command.get_arguments().filter(|a| {
        a.get_long().is_some() && !["config", "help", "version"].contains(&a.get_id().as_str())
    })
}

/// Parses `value` as `arg`'s alone, as clap would from its flag.
fn parse_one(arg: &clap::Arg, value: &str) -> Result<(), String> {
    let long = arg.get_long().unwrap_or_default();
    clap::Command::new("baton")
        .no_binary_name(true)
        .arg(arg.clone().global(false))
        .try_get_matches_from([format!("--{long}={value}")])
        .map(drop)
        .map_err(|e| first_line(&e))
}

fn first_line(e: &clap::Error) -> String {
    let text = e.to_string();
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    line.trim_start_matches("error: ").to_owned()
}

/// `baton config check`: every setting, its value and its source; every
/// bad value named with its source. Exits 1 when any is bad.
pub fn check(argv: &[OsString], origins: &Origins) -> anyhow::Result<()> {
    let command = Cli::command();
    let matches = command.clone().try_get_matches_from(argv)?;
    let mut problems = Vec::new();
    match &origins.file {
        Some(file) => println!("configuration file: {}", file.display()),
        None => println!(
            "configuration file: none ({DEFAULT_FILE} does not exist; --config or BATON_CONFIG names another)"
        ),
    }
    let mut sources = std::collections::HashMap::new();
    for arg in settings(&command) {
        let id = arg.get_id().as_str();
        let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
        let source = match (
            matches.value_source(id),
            origins.from_file.iter().find(|(k, _)| k == id),
        ) {
            (Some(ValueSource::CommandLine), Some((_, line))) => format!(
                "file {}:{line}",
                origins.file.as_deref().unwrap_or(Path::new("?")).display()
            ),
            (Some(ValueSource::CommandLine), None) => {
                format!("flag --{}", arg.get_long().unwrap_or(id))
            }
            (Some(ValueSource::EnvVariable), _) => {
                format!("environment {}", env.clone().unwrap_or_default())
            }
            (Some(ValueSource::DefaultValue), _) => "default".to_owned(),
            _ => "not set".to_owned(),
        };
        let raw: Option<String> = matches.get_raw(id).map(|vals| {
            vals.map(|v| v.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(",")
        });
        let shown = match &raw {
            None => "—".to_owned(),
            Some(_) if SECRET.contains(&id) => "(set, not shown)".to_owned(),
            Some(v) if id == "database_url" => mask_password(v),
            Some(v) => v.clone(),
        };
        println!("{id:<22} = {shown:<40} ({source})");
        sources.insert(id.to_owned(), source);
    }
    let from = |id: &str| sources.get(id).cloned().unwrap_or_default();
    // What the types cannot say.
    let cli = <Cli as clap::FromArgMatches>::from_arg_matches(&matches)?;
    let settings = crate::settings::Settings::new(cli.settings.clone());
    if let Err(e) = settings.check() {
        problems.push(format!("{e} (from {})", from("public_url")));
    }
    let url = &cli.database_url;
    if !(url.starts_with("sqlite:")
        || url.starts_with("postgres:")
        || url.starts_with("postgresql:"))
    {
        problems.push(format!(
            "database_url `{}` must start with sqlite: or postgres:// (from {})",
            mask_password(url),
            from("database_url")
        ));
    }
    for (id, zero) in [
        ("plugin_memory_mib", cli.plugin_memory_mib == 0),
        ("plugin_deadline_ms", cli.plugin_deadline_ms == 0),
    ] {
        if zero {
            problems.push(format!("{id} must be above 0 (from {})", from(id)));
        }
    }
    if problems.is_empty() {
        println!("configuration ok");
        return Ok(());
    }
    anyhow::bail!("{}", problems.join("\n"))
}

/// `postgres://user:secret@host/db` as `postgres://user:***@host/db`.
fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}
