//! Every page and endpoint of issue 19's table at national size, for each
//! role at its widest scope: the dataset `baton generate` makes (585,900
//! villages, 5.27 million enrollments) with its handovers made 8 days late,
//! so the overdue lists hold 585,900 rows. Requests go through the real
//! router in-process, one at a time; prints p50 and p99 against the 100 ms
//! budget.
//!
//! ```text
//! cargo bench -p baton-host --bench pages                     # SQLite, target/bench/national.db
//! BATON_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/baton_bench cargo bench -p baton-host --bench pages
//! BATON_BENCH_SHAPE=2,2,2,4,10 cargo bench -p baton-host --bench pages   # a small run
//! ```

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use baton_host::app::{AppState, router as app};
use baton_host::clock::now;
use baton_host::generate;
use baton_host::runtime::{Limits, Runtime};
use baton_sdk::Role;
use tower::ServiceExt;

mod common;
use common::{first, session};

/// Requests per row, unless [`ROW_TIME`] runs out first.
const SAMPLES: usize = 40;
/// Time spent on one row at most (after the first request).
const ROW_TIME: Duration = Duration::from_secs(20);
/// p99 budget for every row.
const BUDGET: Duration = Duration::from_millis(100);
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

async fn get(router: &axum::Router, token: &str, uri: &str) -> anyhow::Result<usize> {
    let request = Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::COOKIE, format!("baton_session={token}"))
        .body(Body::empty())?;
    let response = match router.clone().oneshot(request).await {
        Ok(r) => r,
        Err(e) => match e {},
    };
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 64 << 20).await?;
    anyhow::ensure!(status == StatusCode::OK, "{uri}: {status}");
    Ok(body.len())
}

async fn run() -> anyhow::Result<()> {
    let runtime = Runtime::new(Limits::default(), None)?;
    let (url, db) = generate::bench_database(&runtime).await?;
    let enrolled: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enrollments")
        .fetch_one(db.pool())
        .await?;
    sqlx::query("UPDATE assignments SET due_at = $1 WHERE plugin_id = 'handover'")
        .bind(now() - 8 * DAY)
        .execute(db.writer())
        .await?;
    let (province, ppath) = first(&db, "province", "").await?;
    let (county, cpath) = first(&db, "county", &ppath).await?;
    let (township, tpath) = first(&db, "township", &cpath).await?;
    let (village, _) = first(&db, "village", &tpath).await?;
    let handover: i64 = sqlx::query_scalar(
        "SELECT id FROM enrollments WHERE unit_code = $1 AND plugin_id = 'handover' LIMIT 1",
    )
    .bind(&village)
    .fetch_one(db.pool())
    .await?;
    let nation = session(&db, "nation", Role::NationalAdmin, "").await?;
    let tokens = [
        ("nation", nation),
        (
            "province",
            session(&db, "pages-province", Role::ProvinceAdmin, &province).await?,
        ),
        (
            "county",
            session(&db, "pages-county", Role::CountyTrainer, &county).await?,
        ),
        (
            "township",
            session(&db, "pages-township", Role::TownshipOfficer, &township).await?,
        ),
    ];
    let token = |role: &str| {
        tokens
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let router = app(AppState::new(db.clone(), runtime));
    println!("{url}: {enrolled} enrollments, the handovers 8 days late");
    println!(
        "\n| page or endpoint | as | p50 | p99 | size | p99 ≤ 100 ms |\n|---|---|---|---|---|---|"
    );
    let rows: Vec<(String, &str)> = vec![
        ("/county".into(), "nation"),
        // The nation's work list in the other orders.
        ("/county?status=overdue&sort=village".into(), "nation"),
        ("/county?status=overdue&sort=module".into(), "nation"),
        ("/province".into(), "nation"),
        ("/api/v1/reports/overdue".into(), "nation"),
        (format!("/county?unit={province}"), "nation"),
        ("/province".into(), "province"),
        ("/county".into(), "county"),
        (
            format!("/api/v1/reports/completion?unit={county}"),
            "county",
        ),
        // The 换届结构统计 is read from the roll-ups, at any size.
        ("/structure".into(), "nation"),
        (format!("/structure?unit={province}"), "province"),
        (format!("/statistics?unit={county}"), "county"),
        ("/township".into(), "township"),
        ("/api/v1/township/queue".into(), "township"),
        (format!("/enrollments/{handover}"), "township"),
    ];
    for (uri, role) in &rows {
        let (uri, role) = (uri.as_str(), *role);
        let token = token(role);
        let size = get(&router, &token, uri).await?;
        let (mut times, started) = (Vec::new(), Instant::now());
        while times.len() < SAMPLES && started.elapsed() < ROW_TIME {
            let t = Instant::now();
            get(&router, &token, uri).await?;
            times.push(t.elapsed());
        }
        times.sort();
        let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
        let (p50, p99) = (at(0.50), at(0.99));
        println!(
            "| `{uri}` | {role} | {p50:.1?} | {p99:.1?} | {:.1} KB | {} ({} requests) |",
            size as f64 / 1024.0,
            if p99 <= BUDGET { "yes" } else { "**no**" },
            times.len()
        );
    }
    Ok(())
}
