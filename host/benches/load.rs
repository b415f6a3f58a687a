//! Load over real sockets: the `baton serve` binary on the national dataset,
//! driven by `wrk` (apt-get install wrk), 2 threads and 32 connections, for
//! two workloads:
//!
//! - **acting**: handover `declare` by 2,000 outgoing cadres spread over the
//!   country, each request with a fresh idempotency key (a declaration may
//!   be replaced until it is received, so every request is accepted and
//!   written);
//! - **mixed**: the four roles at once — half acting as above, the rest the
//!   cadres' 我的任务 and handover pages, the township officer's home, the
//!   county trainer's dashboard and the province's, with the handovers 8
//!   days late (as the pages benchmark leaves them: every dashboard lists
//!   its most overdue, 50 a page).
//!
//! Prints requests per second, p50, p99 and p99.5 as wrk measures them (in
//! the mixed workload every other request is a page, so p99.5 of all
//! requests bounds the pages' p99).
//!
//! ```text
//! cargo bench -p baton-host --bench load                      # SQLite, target/bench/national.db
//! BATON_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/baton_bench cargo bench -p baton-host --bench load
//! BATON_BENCH_SHAPE=2,2,2,4,10 cargo bench -p baton-host --bench load    # a small run
//! BATON_LOAD_SECONDS=60 cargo bench -p baton-host --bench load           # longer runs (20 s each by default)
//! ```

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use baton_core::db::Db;
use baton_host::generate;
use baton_host::runtime::{Limits, Runtime};
use baton_sdk::Role;

mod common;
use common::{first, session};

const PEOPLE: usize = 2000;
const CONNECTIONS: &str = "32";

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        anyhow::bail!("the load benchmark drives the server with wrk: apt-get install wrk");
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

/// One outgoing cadre per village over the country: (token, handover enrollment).
async fn cadres(db: &Db) -> anyhow::Result<Vec<(String, i64)>> {
    let villages: Vec<String> =
        sqlx::query_scalar("SELECT code FROM org_units WHERE level = 'village' ORDER BY code")
            .fetch_all(db.pool())
            .await?;
    let step = (villages.len() / PEOPLE).max(1);
    let mut out = Vec::new();
    for (n, village) in villages.iter().step_by(step).take(PEOPLE).enumerate() {
        let enrollment: Option<i64> = sqlx::query_scalar(
            "SELECT e.id FROM enrollments e JOIN assignments a ON a.id = e.assignment_id
             WHERE e.unit_code = $1 AND e.plugin_id = 'handover' AND a.audience = 'committee'",
        )
        .bind(village)
        .fetch_optional(db.pool())
        .await?;
        let person: Option<i64> = sqlx::query_scalar(
            "SELECT m.person_id FROM committee_members m JOIN committees c ON c.id = m.committee_id
             WHERE c.unit_code = $1 AND m.departure IS NOT NULL ORDER BY m.person_id LIMIT 1",
        )
        .bind(village)
        .fetch_optional(db.pool())
        .await?;
        let (Some(enrollment), Some(person)) = (enrollment, person) else {
            continue;
        };
        let username = format!("load-outgoing-{n}");
        let token = session(db, &username, Role::OutgoingCadre, village).await?;
        sqlx::query("UPDATE accounts SET person_id = $1 WHERE username = $2")
            .bind(person)
            .bind(&username)
            .execute(db.writer())
            .await?;
        out.push((token, enrollment));
    }
    Ok(out)
}

/// The wrk script: `mix` of every 100 requests act (the rest read pages).
fn script(cadres: &[(String, i64)], pages: &[(String, String)], act: u32) -> String {
    let mut lua = String::from("cadres = {\n");
    for (token, enrollment) in cadres {
        let _ = writeln!(lua, "  {{\"{token}\", {enrollment}}},");
    }
    lua.push_str("}\npages = {\n");
    for (token, uri) in pages {
        let _ = writeln!(lua, "  {{\"{token}\", \"{uri}\"}},");
    }
    let _ = write!(
        lua,
        r#"}}
items = {{"seals", "archives", "assets", "premises", "accounts"}}
act = {act}
n = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function request()
  n = n + 1
  if n % 100 < act then
    local c = cadres[(n * 7 + tid * 13) % #cadres + 1]
    local item = items[n % #items + 1]
    local body = '{{"action":"declare","payload":{{"item":"' .. item .. '","entries":[{{"name":"清单","quantity":' .. (n % 9 + 1) .. '}}]}}}}'
    return wrk.format("POST", "/api/v1/enrollments/" .. c[2] .. "/actions", {{
      ["Authorization"] = "Bearer " .. c[1],
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = "load-" .. os.time() .. "-" .. tid .. "-" .. n,
    }}, body)
  end
  local p = pages[(n * 11 + tid) % #pages + 1]
  return wrk.format("GET", p[2], {{["Cookie"] = "baton_session=" .. p[1]}})
end
function done(summary, latency, requests)
  io.write(string.format("p99.5: %.2fms\n", latency:percentile(99.5) / 1000))
end
"#
    );
    lua
}

/// Per GET route of the server's request-duration histogram: requests and
/// the upper bounds of the buckets holding the median and the 99th
/// percentile, in milliseconds (the buckets double: 1, 2, 4 … ms).
fn page_latencies(metrics: &str) -> Vec<(String, u64, f64, f64)> {
    let mut routes: Vec<(String, Vec<(f64, u64)>)> = Vec::new();
    for line in metrics.lines() {
        let Some(rest) = line.strip_prefix("baton_http_request_duration_seconds_bucket{") else {
            continue;
        };
        let label = |name: &str| rest.split(&format!("{name}=\"")).nth(1)?.split('"').next();
        let (Some(route), Some(method), Some(le)) = (label("route"), label("method"), label("le"))
        else {
            continue;
        };
        let count = line.rsplit(' ').next().and_then(|c| c.parse().ok());
        let (Some(count), true) = (count, method == "GET") else {
            continue;
        };
        let le = le.parse().unwrap_or(f64::INFINITY);
        match routes.iter_mut().find(|(r, _)| r == route) {
            Some((_, buckets)) => buckets.push((le, count)),
            None => routes.push((route.to_owned(), vec![(le, count)])),
        }
    }
    routes
        .into_iter()
        .filter_map(|(route, buckets)| {
            let total = buckets.last()?.1;
            let bound = |q: f64| {
                let rank = (q * total as f64).ceil() as u64;
                let le = buckets
                    .iter()
                    .find(|(_, c)| *c >= rank)
                    .map_or(f64::INFINITY, |b| b.0);
                le * 1000.0
            };
            (total > 0 && !route.starts_with("/metrics") && !route.starts_with("/readyz"))
                .then(|| (route, total, bound(0.5), bound(0.99)))
        })
        .collect()
}

/// What wrk measured: requests/s, p50, p99, p99.5 and non-2xx answers.
fn parse(out: &str) -> (String, String, String, String, String) {
    let field = |prefix: &str| {
        out.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_owned()))
            .unwrap_or_else(|| "—".to_owned())
    };
    (
        field("Requests/sec:"),
        field("50%"),
        field("99%"),
        field("p99.5:"),
        field("Non-2xx or 3xx responses:").replace('—', "0"),
    )
}

async fn run() -> anyhow::Result<()> {
    let runtime = Runtime::new(Limits::default(), None)?;
    let (url, db) = generate::bench_database(&runtime).await?;
    let seconds = std::env::var("BATON_LOAD_SECONDS").unwrap_or_else(|_| "20".to_owned());
    // The dashboards' cost depends on what is overdue: the same state as the
    // pages benchmark's (the handovers 8 days late, 585,900 overdue), so a
    // run measures the same work whichever benchmark ran before it.
    sqlx::query("UPDATE assignments SET due_at = $1 WHERE plugin_id = 'handover'")
        .bind(baton_host::clock::now() - 8 * 86_400)
        .execute(db.writer())
        .await?;
    let (province, ppath) = first(&db, "province", "").await?;
    let (county, cpath) = first(&db, "county", &ppath).await?;
    let (township, _) = first(&db, "township", &cpath).await?;
    let cadres = cadres(&db).await?;
    let (officer, trainer, admin) = (
        session(&db, "pages-township", Role::TownshipOfficer, &township).await?,
        session(&db, "pages-county", Role::CountyTrainer, &county).await?,
        session(&db, "pages-province", Role::ProvinceAdmin, &province).await?,
    );
    let mut pages = Vec::new();
    for (token, enrollment) in cadres.iter().take(200) {
        pages.push((token.clone(), "/me".to_owned()));
        pages.push((token.clone(), format!("/enrollments/{enrollment}")));
    }
    for _ in 0..40 {
        pages.push((officer.clone(), "/township".to_owned()));
        pages.push((trainer.clone(), "/county".to_owned()));
    }
    for _ in 0..20 {
        pages.push((admin.clone(), "/county".to_owned()));
    }

    let dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["--database-url", &url, "serve", "--worker-every", "0"])
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()?;
    let ready = async {
        for _ in 0..600 {
            if ureq::get(&format!("{base}/readyz")).call().is_ok() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        false
    };
    anyhow::ensure!(ready.await, "the server did not start on {base}");
    println!(
        "{url}: `baton serve` on {base}, {} cadres acting, wrk -t2 -c{CONNECTIONS} -d{seconds}s",
        cadres.len()
    );
    // In the mixed workload pages are exactly every other request, so the
    // slowest 1% of pages are at most the slowest 0.5% of all requests: its
    // p99.5 bounds the pages' p99 (the issue's budget is for pages).
    println!(
        "\n| workload | requests/s | p50 | p99 | p99.5 | non-2xx |\n|---|---|---|---|---|---|"
    );
    for (name, act, duration) in [
        ("warm-up (acting)", 100, "3s"),
        ("acting", 100, seconds.as_str()),
        ("mixed", 50, seconds.as_str()),
    ] {
        let file = dir.path().join(format!("{act}.lua"));
        std::fs::write(&file, script(&cadres, &pages, act))?;
        let out = Command::new("wrk")
            .args(["-t2", "-c", CONNECTIONS, "-d", duration, "--latency", "-s"])
            .arg(&file)
            .arg(&base)
            .output()?;
        let out = String::from_utf8_lossy(&out.stdout);
        let (rps, p50, p99, p99_5, bad) = parse(&out);
        if name.starts_with("warm") {
            continue;
        }
        println!("| {name} | {rps} | {p50} | {p99} | {p99_5} | {bad} |");
    }
    // Which pages the tail is made of: the server's own latency histogram
    // (`/metrics`) by route; only the mixed workload reads pages.
    let metrics = ureq::get(&format!("{base}/metrics"))
        .call()?
        .into_body()
        .read_to_string()?;
    println!(
        "\n| page (mixed, as the server timed it) | requests | p50 | p99 |\n|---|---|---|---|"
    );
    for (route, count, p50, p99) in page_latencies(&metrics) {
        println!("| GET {route} | {count} | ≤ {p50} ms | ≤ {p99} ms |");
    }
    let _ = Command::new("kill").arg(server.id().to_string()).status();
    let _ = server.wait();
    Ok(())
}
