//! The platform at national scale: roll-up latency for a county, a province and
//! the nation, acting throughput under concurrent load, and enrolling a whole
//! province, on SQLite or PostgreSQL.
//!
//! ```text
//! cargo bench -p baton-host --bench platform                         # SQLite, target/bench/national.db
//! BATON_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/baton_bench cargo bench -p baton-host --bench platform
//! BATON_BENCH_SHAPE=2,2,2,4,10 cargo bench -p baton-host --bench platform   # a small run
//! ```
//!
//! The dataset is generated on the first run (with a progress bar) and reused
//! after. Requests go through the real router in-process (`tower::oneshot`):
//! authentication, the permission check, the module in wasm, the database;
//! not TCP or HTTP parsing.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use baton_core::db::accounts::{self, NewAccount};
use baton_core::db::assignments::{self, NewAssignment};
use baton_core::db::{Db, plugins};
use baton_host::app::{AppState, router as app};
use baton_host::clock::now;
use baton_host::generate::{self, Shape};
use baton_host::runtime::{Limits, Runtime};
use baton_sdk::{Audience, Role};
use tower::ServiceExt;

const ROLLUP_SAMPLES: usize = 300;
const ACTING_VILLAGES: usize = 2000;
const CONCURRENCY: usize = 32;

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(()); // `cargo test --benches` lists; nothing to list.
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let url = std::env::var("BATON_BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench");
        let _ = std::fs::create_dir_all(dir);
        format!("sqlite:{dir}/national.db")
    });
    let shape = Shape::from_env()?;
    let db = Db::connect(&url).await?;
    let runtime = Runtime::new(Limits::default(), None)?;
    baton_host::registry::register_built_ins(&db, &runtime, now()).await?;
    let villages: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM org_units WHERE level = 'village'")
            .fetch_one(db.pool())
            .await?;
    if villages == 0 {
        let t = Instant::now();
        let g = generate::national(&db, shape, now(), true).await?;
        println!(
            "generated {} villages, {} enrollments in {:.1?}",
            shape.village_count(),
            g.enrollments,
            t.elapsed()
        );
    }
    let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people")
        .fetch_one(db.pool())
        .await?;
    let enrolled: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enrollments")
        .fetch_one(db.pool())
        .await?;
    let villages: Vec<String> =
        sqlx::query_scalar("SELECT code FROM org_units WHERE level = 'village' ORDER BY code")
            .fetch_all(db.pool())
            .await?;
    println!(
        "{url}: {} villages, {people} people, {enrolled} enrollments",
        villages.len()
    );
    let state = AppState::new(db.clone(), runtime);
    // Built once, as `baton serve` does; each request clones a handle.
    let router = app(state.clone());

    // Roll-ups, as the national administrator through the report endpoint.
    let nation = session(&db, "nation").await?;
    let counties: Vec<String> =
        sqlx::query_scalar("SELECT code FROM org_units WHERE level = 'county' ORDER BY code")
            .fetch_all(db.pool())
            .await?;
    let provinces: Vec<String> =
        sqlx::query_scalar("SELECT code FROM org_units WHERE level = 'province' ORDER BY code")
            .fetch_all(db.pool())
            .await?;
    println!(
        "\nroll-up (GET /api/v1/reports/completion, {ROLLUP_SAMPLES} requests each, one at a time)"
    );
    for (label, units) in [
        ("county", &counties),
        ("province", &provinces),
        ("nation", &vec![String::new()]),
    ] {
        let mut times = Vec::new();
        for i in 0..ROLLUP_SAMPLES {
            let unit = &units[(i * 7919) % units.len()];
            let uri = if unit.is_empty() {
                "/api/v1/reports/completion".to_owned()
            } else {
                format!("/api/v1/reports/completion?unit={unit}")
            };
            let t = Instant::now();
            let status = get(&router, &nation, &uri).await;
            times.push(t.elapsed());
            anyhow::ensure!(status == StatusCode::OK, "{uri}: {status}");
        }
        report(label, &mut times);
    }

    // Acting: outgoing cadres of villages spread over the nation each declare
    // the five handover items, CONCURRENCY requests in flight.
    let handover: i64 = sqlx::query_scalar(
        "SELECT MIN(id) FROM assignments WHERE plugin_id = 'handover' AND audience = 'committee'",
    )
    .fetch_one(db.pool())
    .await?;
    let step = (villages.len() / ACTING_VILLAGES).max(1);
    let hash = baton_host::auth::hash_password("bench")?;
    let mut work = Vec::new();
    // Each run takes other villages, so runs on one database do not collide.
    for (n, village) in villages
        .iter()
        .skip(std::process::id() as usize % step)
        .step_by(step)
        .take(ACTING_VILLAGES)
        .enumerate()
    {
        let username = format!("bench-{}-{n}", std::process::id());
        let grants = [(Role::OutgoingCadre, Some(village.as_str()))];
        let outgoing: i64 = sqlx::query_scalar(
            "SELECT m.person_id FROM committee_members m JOIN committees c ON c.id = m.committee_id
             WHERE c.unit_code = $1 AND m.departure IS NOT NULL ORDER BY m.person_id LIMIT 1",
        )
        .bind(village)
        .fetch_one(db.pool())
        .await?;
        let account = accounts::create(
            &db,
            &NewAccount {
                username: &username,
                password_hash: &hash,
                display_name: "离任书记",
                person_id: Some(outgoing),
                grants: &grants,
            },
            now(),
        )
        .await?;
        let token = accounts::open_session(&db, account, now()).await?;
        let enrollment: i64 = sqlx::query_scalar(
            "SELECT id FROM enrollments WHERE assignment_id = $1 AND unit_code = $2",
        )
        .bind(handover)
        .bind(village)
        .fetch_one(db.pool())
        .await?;
        for item in ["seals", "archives", "assets", "premises", "accounts"] {
            work.push((token.clone(), enrollment, item));
        }
    }
    // Each village's items in order, villages interleaved: concurrent requests
    // hit different enrollments, as a nation of phones would.
    work.sort_by_key(|(_, e, item)| {
        (
            ["seals", "archives", "assets", "premises", "accounts"]
                .iter()
                .position(|i| i == item),
            *e,
        )
    });
    // Compile the module before the clock starts, as a running server has.
    let version: String =
        sqlx::query_scalar("SELECT plugin_version FROM assignments WHERE id = $1")
            .bind(handover)
            .fetch_one(db.pool())
            .await?;
    state
        .plugin("handover", &version)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let total = work.len();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(work.into_iter()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (queue, router) = (queue.clone(), router.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let next = queue.lock().map(|mut q| q.next()).unwrap_or(None);
                let Some((token, enrollment, item)) = next else { break };
                let body = format!(r#"{{"action":"declare","payload":{{"item":"{item}","entries":[{{"name":"清单","quantity":1}}]}}}}"#);
                let request = Request::post(format!("/api/v1/enrollments/{enrollment}/actions"))
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .header("idempotency-key", format!("{enrollment}-{item}-{}", std::process::id()))
                    .body(Body::from(body))
                    .map_err(anyhow::Error::from)?;
                let t = Instant::now();
                let response = router.clone().oneshot(request).await.map_err(anyhow::Error::from)?;
                times.push(t.elapsed());
                let status = response.status();
                if status != StatusCode::OK {
                    let body = axum::body::to_bytes(response.into_body(), 1 << 20).await?;
                    anyhow::bail!("{status}: {}", String::from_utf8_lossy(&body));
                }
            }
            anyhow::Ok(times)
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await??);
    }
    let elapsed = started.elapsed();
    println!(
        "\nacting (POST …/actions, handover declare, {total} requests, {CONCURRENCY} in flight)"
    );
    println!(
        "  throughput {:.0} requests/s over {elapsed:.1?}",
        total as f64 / elapsed.as_secs_f64()
    );
    report("latency", &mut times);

    // Enrolling a province: the largest, every member, through `assign`.
    let province = &provinces[provinces.len() - 1];
    let bench_id = format!("bench-{}", std::process::id());
    let package = plugins::list(&db)
        .await?
        .into_iter()
        .find(|p| p.id == "handover")
        .ok_or_else(|| anyhow::anyhow!("handover registered"))?;
    let wasm = plugins::wasm(&db, "handover", &package.version)
        .await?
        .map(|s| s.wasm)
        .unwrap_or_default();
    plugins::insert(
        &db,
        &plugins::Package {
            id: bench_id.clone(),
            ..package.clone()
        },
        &wasm,
        now(),
    )
    .await?;
    let t = Instant::now();
    let assigned = assignments::assign(
        &db,
        &NewAssignment {
            plugin_id: &bench_id,
            plugin_version: &package.version,
            unit_code: province,
            audience: Audience::EveryMember,
            due_at: now() + 86_400,
            config: "null",
            created_by: 1,
            edition: 1,
            sample: None,
        },
        now(),
        false,
    )
    .await?;
    println!(
        "\nenrolling province {province} (every member): {} enrollments in {:.2?}",
        assigned.enrolled,
        t.elapsed()
    );
    // Take the province's enrollments out again, so the next run measures the
    // same national-size dataset rather than one a province larger each time.
    let mut tx = db.pool().begin().await?;
    for sql in [
        "DELETE FROM completion WHERE assignment_id IN (SELECT id FROM assignments WHERE plugin_id = $1)",
        "DELETE FROM enrollments WHERE assignment_id IN (SELECT id FROM assignments WHERE plugin_id = $1)",
        "DELETE FROM assignments WHERE plugin_id = $1",
        "DELETE FROM plugins WHERE id = $1",
    ] {
        sqlx::query(sql).bind(&bench_id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn session(db: &Db, username: &str) -> anyhow::Result<String> {
    let id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1")
        .bind(username)
        .fetch_one(db.pool())
        .await?;
    accounts::open_session(db, id, now()).await
}

async fn get(router: &axum::Router, token: &str, uri: &str) -> StatusCode {
    let request = Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty());
    match request {
        Ok(request) => match router.clone().oneshot(request).await {
            Ok(response) => {
                let status = response.status();
                let _ = axum::body::to_bytes(response.into_body(), 64 << 20).await;
                status
            }
            Err(e) => match e {},
        },
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

fn report(label: &str, times: &mut [Duration]) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "  {label:<10} p50 {:>9.2?}  p99 {:>9.2?}  max {:>9.2?}",
        at(0.50),
        at(0.99),
        times[times.len() - 1]
    );
}
