//! Importing what a real deployment starts from: a national org tree
//! (≈670,000 units) as the CSV a ministry hands over, and then, with
//! `BATON_BENCH_ROSTER=1`, every village's roster (six people each, ≈3.5
//! million) with an account and activation code per person. Prints the time
//! and the process's peak memory.
//!
//! ```text
//! cargo bench -p baton-host --bench import                       # SQLite, target/bench/import.db
//! BATON_BENCH_ROSTER=1 cargo bench -p baton-host --bench import  # and the rosters
//! BATON_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/baton_import cargo bench -p baton-host --bench import
//! BATON_BENCH_SHAPE=2,2,2,4,10 cargo bench -p baton-host --bench import    # a small run
//! ```

use std::fmt::Write as _;
use std::time::Instant;

use baton_core::db::Db;

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

/// Units per unit above: provinces, cities, counties, townships, villages.
fn shape() -> anyhow::Result<[u32; 5]> {
    match std::env::var("BATON_BENCH_SHAPE") {
        Ok(s) => {
            let n: Vec<u32> = s.split(',').map(str::parse).collect::<Result<_, _>>()?;
            anyhow::ensure!(
                n.len() == 5,
                "BATON_BENCH_SHAPE is provinces,cities,counties,townships,villages"
            );
            Ok([n[0], n[1], n[2], n[3], n[4]])
        }
        Err(_) => Ok([31, 10, 9, 15, 15]),
    }
}

/// The org tree as CSV with Simplified headers, and the village codes.
fn tree(shape: [u32; 5]) -> (String, Vec<String>) {
    let mut csv = String::from("代码,层级,名称,上级代码\n");
    let mut villages = Vec::new();
    for p in 0..shape[0] {
        let province = format!("{:02}0000000000", 11 + p);
        let _ = writeln!(csv, "{province},省,第{p}省,");
        for c in 1..=shape[1] {
            let city = format!("{}{c:02}00000000", &province[..2]);
            let _ = writeln!(csv, "{city},市,第{c}市,{province}");
            for k in 1..=shape[2] {
                let county = format!("{}{k:02}000000", &city[..4]);
                let _ = writeln!(csv, "{county},县,第{k}县,{city}");
                for t in 1..=shape[3] {
                    let township = format!("{}{t:03}000", &county[..6]);
                    let _ = writeln!(csv, "{township},镇,第{t}镇,{county}");
                    for v in 1..=shape[4] {
                        let village = format!("{}{v:03}", &township[..9]);
                        let _ = writeln!(csv, "{village},村,第{v}村,{township}");
                        villages.push(village);
                    }
                }
            }
        }
    }
    (csv, villages)
}

/// Six people a village: 书记 (also 主任), four members, one outgoing cadre;
/// phones for all but the last member.
fn roster(villages: &[String]) -> String {
    let mut csv = String::from("村代码,组织,姓名,职务,状态,任职年限,电话\n");
    for (i, v) in villages.iter().enumerate() {
        let phone = |k: usize| format!("1{:010}", i * 8 + k);
        let _ = writeln!(csv, "{v},党组织,书记{i},书记,在任,,{}", phone(0));
        let _ = writeln!(csv, "{v},村委会,书记{i},主任,在任,,{}", phone(0));
        let _ = writeln!(csv, "{v},党组织,委员甲{i},副书记,在任,,{}", phone(1));
        let _ = writeln!(csv, "{v},党组织,委员乙{i},委员,在任,,{}", phone(2));
        let _ = writeln!(csv, "{v},村委会,委员丙{i},副主任,在任,,{}", phone(3));
        let _ = writeln!(csv, "{v},村委会,委员丁{i},委员,在任,,");
        let _ = writeln!(csv, "{v},党组织,老书记{i},书记,离任,15,{}", phone(5));
    }
    csv
}

/// The process's peak resident memory, from /proc (Linux).
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

async fn run() -> anyhow::Result<()> {
    let url = match std::env::var("BATON_BENCH_DATABASE_URL") {
        Ok(url) => url,
        Err(_) => {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench");
            std::fs::create_dir_all(dir)?;
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{dir}/import.db{suffix}"));
            }
            format!("sqlite:{dir}/import.db")
        }
    };
    let db = Db::connect(&url).await?;
    let units: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM org_units")
        .fetch_one(db.pool())
        .await?;
    anyhow::ensure!(
        units == 0,
        "{url} already has org units; give the benchmark an empty database"
    );

    let (csv, villages) = tree(shape()?);
    let t = Instant::now();
    let added = baton_host::import::org_units(&db, csv.as_bytes())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "org tree: {added} units ({:.1} MiB of CSV) imported in {:.1?} into {url}; peak memory {}",
        csv.len() as f64 / 1048576.0,
        t.elapsed(),
        peak_memory()
    );
    drop(csv);

    if std::env::var_os("BATON_BENCH_ROSTER").is_some() {
        let csv = roster(&villages);
        let t = Instant::now();
        let imported = baton_host::import::roster(&db, csv.as_bytes(), "2026", "2026-11-01")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "rosters: {} people, {} seats, {} accounts with activation codes ({:.1} MiB of CSV) in {:.1?}; peak memory {}",
            imported.people,
            imported.seats,
            imported.accounts.len(),
            csv.len() as f64 / 1048576.0,
            t.elapsed(),
            peak_memory()
        );
    }
    Ok(())
}
