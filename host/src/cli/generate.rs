//! `baton generate`: a national-size dataset for benchmarks.

use crate::runtime::Runtime;

/// Fills the empty database at `database_url` with a dataset of `shape`.
pub async fn run(
    runtime: Runtime,
    database_url: &str,
    shape: crate::generate::Shape,
) -> anyhow::Result<()> {
    let db = crate::Db::connect(database_url).await?;
    let now = crate::clock::now();
    crate::registry::register_built_ins(&db, &runtime, now).await?;
    let started = std::time::Instant::now();
    let done = crate::generate::national(&db, shape, now, true).await?;
    println!(
        "generated {} villages, {} enrollments in {:.0?} into {}",
        shape.village_count(),
        done.enrollments,
        started.elapsed(),
        database_url
    );
    Ok(())
}
