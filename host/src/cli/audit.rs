//! `baton audit verify`: walk the sign-off chain.

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
            match crate::records::verify_chain(&db).await? {
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
    }
}
