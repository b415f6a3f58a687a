//! `baton keys new | list | revoke`: the provinces' signing keys, as the
//! server's operator manages them (see `signing`).

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a signing key for a province: its public half is registered
    /// here, the private half written to --out (readable by you alone) for
    /// the province to keep. From then on its packages must be signed.
    New {
        /// The province's code; leave out for the nation's key.
        #[arg(long)]
        province: Option<String>,
        /// Where to write the private key; it must not exist yet.
        #[arg(long)]
        out: PathBuf,
    },
    /// The registered keys.
    List,
    /// Revoke a key: it signs nothing new, and the packages it signed no
    /// longer load.
    Revoke {
        /// The key's id.
        key_id: String,
    },
}

/// Runs a `baton keys` command against `database_url`.
pub async fn run(database_url: &str, command: KeysCommand) -> anyhow::Result<()> {
    let db = crate::Db::connect(database_url).await?;
    let now = crate::clock::now();
    match command {
        KeysCommand::New { province, out } => {
            // Create the file first, exclusively, so nothing is registered
            // whose private half could not be kept.
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(&out)
                .with_context(|| format!("creating {} (it must not exist yet)", out.display()))?;
            let key = match crate::signing::register(&db, province.as_deref(), now).await {
                Ok(key) => key,
                Err(e) => {
                    let _ = std::fs::remove_file(&out);
                    return Err(anyhow::anyhow!("{}", e.message(baton_sdk::Locale::En)));
                }
            };
            file.write_all(crate::signing::key_file(&key, province.as_deref()).as_bytes())?;
            println!(
                "key {} for {} registered; private key in {} (keep it safe; sign with `baton plugin sign FILE --key {}`)",
                crate::signing::key_id(&key.verifying_key()),
                province.as_deref().unwrap_or("the nation"),
                out.display(),
                out.display()
            );
            Ok(())
        }
        KeysCommand::List => {
            for key in crate::signing::keys(&db).await? {
                println!(
                    "{}  {}  {}",
                    key.key_id,
                    key.province_code.as_deref().unwrap_or("national"),
                    if key.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "live"
                    }
                );
            }
            Ok(())
        }
        KeysCommand::Revoke { key_id } => {
            if !crate::signing::revoke(&db, &key_id, now).await? {
                anyhow::bail!("no live key {key_id}");
            }
            println!("key {key_id} revoked");
            Ok(())
        }
    }
}
