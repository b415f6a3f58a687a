//! The outbox worker's pass at national scale: the dataset `baton generate`
//! makes (585,900 villages, 5.27 million enrollments), its handovers (one per
//! village, about 11% of all enrollments) made late, every township's and
//! county's WeCom group robot (each with a key of its own) pointing at a
//! local stub that answers as WeCom does. Prints how long each pass takes,
//! how many stages it fired, messages it queued and deliveries it made, and
//! deliveries per second.
//!
//! ```text
//! cargo bench -p baton-host --bench outbox                    # SQLite, target/bench/national.db
//! BATON_BENCH_SHAPE=2,2,2,4,10 cargo bench -p baton-host --bench outbox   # a small run
//! BATON_BENCH_IDLE=1 cargo bench -p baton-host --bench outbox  # only the passes with nothing due
//! ```
//!
//! `BATON_BENCH_IDLE=1` skips the national escalation: every late handover is
//! recorded as already escalated (`due_stages`, by SQL), then it times the
//! pass that finds nothing to do without the worker's place (`stage_cursors`,
//! as every pass was before it kept one) and the pass after, with it.
//!
//! Uses (and makes, on first use) the same dataset file as the platform
//! benchmark, but changes its handovers' due dates: generate a fresh one for
//! the platform figures afterwards.

use std::time::Instant;

use baton_host::app::AppState;
use baton_host::clock::now;
use baton_host::generate;
use baton_host::runtime::{Limits, Runtime};

const DAY: i64 = 86_400;

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

/// A WeCom robot on a local port: answers `{"errcode": 0}`, counts posts.
async fn robot() -> anyhow::Result<(String, std::sync::Arc<std::sync::atomic::AtomicU64>)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    let count = std::sync::Arc::new(AtomicU64::new(0));
    let seen = count.clone();
    let app = axum::Router::new().route(
        "/wecom",
        axum::routing::post(move || {
            let seen = seen.clone();
            async move {
                seen.fetch_add(1, Ordering::Relaxed);
                r#"{"errcode":0,"errmsg":"ok"}"#
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/wecom", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, count))
}

async fn run() -> anyhow::Result<()> {
    let runtime = Runtime::new(Limits::default(), None)?;
    let (url, db) = generate::bench_database(&runtime).await?;
    let enrolled: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enrollments")
        .fetch_one(db.pool())
        .await?;
    // The handovers are late: due eight days ago, so the township's (3 days)
    // and the county's (7 days) stages have both come.
    let start = now();
    let due = start - 8 * DAY;
    sqlx::query("UPDATE assignments SET due_at = $1 WHERE plugin_id = 'handover'")
        .bind(due)
        .execute(db.writer())
        .await?;
    for table in ["due_stages", "outbox", "daily_slots", "channel_settings"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(db.writer())
            .await?;
    }
    sqlx::query("UPDATE notices SET fanned_out = 1")
        .execute(db.writer())
        .await?;
    let late: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM enrollments WHERE plugin_id = 'handover' AND completed_at IS NULL",
    )
    .fetch_one(db.pool())
    .await?;
    let (webhook, posts) = robot().await?;
    let admin: i64 = sqlx::query_scalar("SELECT id FROM accounts ORDER BY id LIMIT 1")
        .fetch_one(db.pool())
        .await?;
    // Each group's own robot, as WeCom gives every group a key of its own:
    // one address per group, so each gets its day's digest.
    sqlx::query(
        "INSERT INTO channel_settings (unit_code, channel, config, updated_by, updated_at)
         SELECT code, 'wecom', '{\"webhook\": \"' || $1 || '?key=' || code || '\"}', $2, $3
         FROM org_units WHERE level IN ('township', 'county')",
    )
    .bind(webhook)
    .bind(admin)
    .bind(start)
    .execute(db.writer())
    .await?;
    println!(
        "{url}: {enrolled} enrollments, {late} late handovers ({:.1}%)",
        late as f64 * 100.0 / enrolled as f64
    );

    let state = AppState::new(db.clone(), runtime);
    // 10:00 Beijing time, so nothing waits for the morning.
    let at = start - (start + 8 * 3600).rem_euclid(DAY) + 10 * 3600 + DAY;
    if std::env::var_os("BATON_BENCH_IDLE").is_some() {
        for stage in ["township", "county"] {
            sqlx::query(
                "INSERT INTO due_stages (enrollment_id, stage, at)
                 SELECT id, $1, $2 FROM enrollments WHERE plugin_id = 'handover'",
            )
            .bind(stage)
            .bind(start)
            .execute(db.writer())
            .await?;
        }
        sqlx::query("DELETE FROM stage_cursors")
            .execute(db.writer())
            .await?;
        for (what, now) in [("without the worker's place", at), ("with it", at + 60)] {
            let t = Instant::now();
            let pass = baton_host::outbox::pass(&state, now).await?;
            println!(
                "idle pass {what}: {:.1?} ({} fired)",
                t.elapsed(),
                pass.fired
            );
        }
        return Ok(());
    }
    for (i, now) in [at, at + 60].into_iter().enumerate() {
        let t = Instant::now();
        let pass = baton_host::outbox::pass(&state, now).await?;
        let took = t.elapsed();
        println!(
            "pass {}: {:.1?}: {} stages fired, {} messages queued, {} deliveries ({:.0} deliveries/s, {:.0} stages/s)",
            i + 1,
            took,
            pass.fired,
            pass.queued,
            pass.sent,
            pass.sent as f64 / took.as_secs_f64(),
            pass.fired as f64 / took.as_secs_f64(),
        );
    }
    println!(
        "robot posts received: {}",
        posts.load(std::sync::atomic::Ordering::Relaxed)
    );
    Ok(())
}
