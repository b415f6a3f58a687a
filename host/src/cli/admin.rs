//! `baton admin …` and `baton import staff`: accounts on the server itself,
//! as its operator. The first administrator is made here: there is no
//! default password, ever.

use std::io::BufRead as _;
use std::path::PathBuf;

use anyhow::Context as _;
use baton_sdk::Role;
use clap::Subcommand;

use crate::Db;
use crate::accounts::{self, Issued};
use crate::state::AppState;

/// Accounts, as the server's operator (no scope: the operator has the
/// server). Every change is recorded with no actor.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an administrator with a password: the first one on an empty
    /// database. Prompts for the password (or reads it from stdin).
    Create {
        /// Login name.
        #[arg(long)]
        username: String,
        /// national-admin, or province-admin with --unit.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The province, for a province administrator.
        #[arg(long)]
        unit: Option<String>,
        /// The name others see (default: the login name).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of stdin instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Reset an account: its password stops working, its sessions end, and
    /// a new activation code is printed.
    Reset {
        /// Login name.
        #[arg(long)]
        username: String,
    },
    /// Give an account a staff role at a unit.
    Grant {
        /// Login name.
        #[arg(long)]
        username: String,
        /// province-admin, city-officer, county-trainer or township-officer.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Where: a province, a county (or city), a township.
        #[arg(long)]
        unit: String,
    },
    /// Take a role at a unit away from an account; its sessions end.
    Revoke {
        /// Login name.
        #[arg(long)]
        username: String,
        /// The role.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Where it is held.
        #[arg(long)]
        unit: String,
    },
}

async fn account(db: &Db, username: &str) -> anyhow::Result<crate::accounts::Account> {
    crate::accounts::named(db, username)
        .await
        .map_err(|e| anyhow::anyhow!("no account `{username}`: {e}"))
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>().map_err(|_| {
        format!("`{s}` is not a role: national-admin, province-admin, city-officer, county-trainer or township-officer")
    })
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = rpassword::prompt_password("Password (at least 8 characters): ")?;
    let again = rpassword::prompt_password("Again: ")?;
    anyhow::ensure!(
        first == again,
        "the two passwords differ; nothing was created"
    );
    Ok(first)
}

/// Runs an admin command.
pub async fn run(state: &AppState, command: AdminCommand) -> anyhow::Result<()> {
    let db = &state.db;
    match command {
        AdminCommand::Create {
            username,
            role,
            unit,
            name,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            let name = name.unwrap_or_else(|| username.clone());
            let id = accounts::create_admin(db, &username, &name, role, unit.as_deref(), &password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "created {} `{username}` (account {id}); sign in at /login",
                role.as_str()
            );
        }
        AdminCommand::Grant {
            username,
            role,
            unit,
        } => {
            let id = account(db, &username).await?.id;
            accounts::grant(state, None, id, role, &unit)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("granted {} at {unit} to `{username}`", role.as_str());
        }
        AdminCommand::Revoke {
            username,
            role,
            unit,
        } => {
            let held = account(db, &username).await?;
            let id = held.id;
            let grant = held
                .grants
                .iter()
                .find(|g| g.role == role && g.unit_code.as_deref() == Some(unit.as_str()))
                .with_context(|| format!("`{username}` holds no {} at {unit}", role.as_str()))?;
            accounts::revoke(state, None, id, grant.id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("revoked {} at {unit} from `{username}`", role.as_str());
        }
        AdminCommand::Reset { username } => {
            let id = account(db, &username).await?.id;
            let issued = accounts::reset(state, None, id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            print!("{}", codes_csv(&[issued]));
        }
    }
    Ok(())
}

/// `baton import staff FILE`: staff accounts from CSV, all or nothing; prints
/// each new account's activation code as CSV.
pub async fn import_staff(db: &Db, file: &PathBuf) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let issued = accounts::import_staff(db, None, &bytes)
        .await
        .map_err(|rows| {
            let lines: Vec<String> = rows.iter().map(ToString::to_string).collect();
            anyhow::anyhow!(
                "{} bad lines, nothing imported:\n{}",
                rows.len(),
                lines.join("\n")
            )
        })?;
    eprintln!("created {} accounts from {}", issued.len(), file.display());
    print!("{}", codes_csv(&issued));
    Ok(())
}

/// Accounts and their codes as CSV, to hand to the people they are for.
pub fn codes_csv(issued: &[Issued]) -> String {
    let mut out = String::from("username,name,code,expires\n");
    for i in issued {
        out.push_str(&format!(
            "{},{},{},{}\n",
            i.username,
            i.name,
            i.code,
            crate::clock::date(i.expires_at)
        ));
    }
    out
}
