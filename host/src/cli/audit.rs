//! `baton audit verify`: walk the sign-off chain; `baton backup` and
//! `baton restore`, which end by walking it.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk every enrollment's sign-off chain; exit 1 at the first broken link.
    Verify,
}

/// Runs a `baton audit` command against `database_url`.
pub async fn run(database_url: &str, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify => {
            let db = crate::Db::connect(database_url).await?;
            verify(&db).await
        }
    }
}

/// `baton backup FILE`.
pub async fn backup(database_url: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let db = crate::Db::connect(database_url).await?;
    let copied = crate::backup::backup(&db, file).await?;
    print!(
        "backed up into {} ({} bytes",
        copied.file.display(),
        copied.bytes
    );
    if copied.enrollments >= 0 {
        print!(
            "; {} enrollments, {} actions, {} sign-offs",
            copied.enrollments, copied.actions, copied.signoffs
        );
    }
    println!(")");
    Ok(())
}

/// `baton restore FILE`: restores, then verifies the chain.
pub async fn restore(database_url: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let (restored, db) = crate::backup::restore(file, database_url).await?;
    println!(
        "restored {} into {database_url}: {} enrollments, {} actions, {} sign-offs",
        restored.file.display(),
        restored.enrollments,
        restored.actions,
        restored.signoffs
    );
    verify(&db).await
}

async fn verify(db: &crate::Db) -> anyhow::Result<()> {
    match crate::records::verify_chain(db).await? {
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
