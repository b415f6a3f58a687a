//! `baton upgrade`: replay enrollments against another version of their
//! module and move the chosen ones.

use crate::runtime::Runtime;

/// Replay enrollments against another version of their module and move
/// the chosen ones: a dry run unless --apply says which. Roll back by
/// swapping --from and --to.
#[derive(Debug, clap::Args)]
pub struct Args {
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
}

/// Runs `baton upgrade` against `database_url`.
pub async fn run(runtime: Runtime, database_url: &str, args: Args) -> anyhow::Result<()> {
    let Args {
        module,
        from,
        to,
        unit,
        apply,
        enrollments,
        batch,
        json,
    } = args;
    anyhow::ensure!(batch > 0, "--batch must be at least 1");
    let db = crate::Db::connect(database_url).await?;
    let request = crate::upgrade::UpgradeRequest {
        module,
        from,
        to,
        unit,
        apply,
        enrollments: (!enrollments.is_empty()).then_some(enrollments),
    };
    let state = crate::app::AppState::new(db, runtime);
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "replaying [{bar:40}] {pos}/{len} enrollments, {per_sec}, eta {eta}",
        )?
        .progress_chars("=> "),
    );
    let report = crate::upgrade::upgrade(&state, None, &request, batch, |done, total| {
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
