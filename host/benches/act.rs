//! One handover `act` (declaring an item's inventory), through the runtime in
//! a fresh instance per call, against the same module logic called natively
//! through the SDK; and the same call on the handover as released before
//! contract 0.2.0 (0.1.2, which says nothing of whose turn it is), measured
//! side by side: what `awaiting` costs. Prints the medians and the ratios.
//!
//! Then the pledge module in Rust and in TypeScript (`plugins/pledge/ts`,
//! QuickJS inside): `act` (a member signs) and `view`, each through the
//! runtime with a fresh instance per call. The TypeScript build needs Node.js;
//! `BATON_BENCH_PLEDGE_TS=<path to .wasm>` names one built already.
//!
//! `cargo bench -p baton-host --bench act`

use std::path::PathBuf;

use baton_host::runtime::{Limits, Runtime};
use baton_sdk::Role;
use baton_sdk::testing::{actor, sample_context};
use criterion::Criterion;

const GROUP: &str = "handover-act";

/// The allocator `baton serve` runs with, for both sides of the comparison.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/criterion");
    let mut c = Criterion::default()
        .output_directory(&out)
        .configure_from_args();
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio");

    let runtime = Runtime::new(Limits::default(), None).expect("runtime");
    // `BATON_BENCH_HANDOVER=<path>`: measure that build of the handover in
    // place of the built-in, e.g. one built with its function names for a
    // profile (see host/benches/README.md).
    let bytes = match std::env::var_os("BATON_BENCH_HANDOVER") {
        Some(path) => std::fs::read(path).expect("reading BATON_BENCH_HANDOVER"),
        None => baton_host::registry::BUILT_IN
            .iter()
            .find(|(n, _)| *n == "handover")
            .expect("built in")
            .1
            .to_vec(),
    };
    let plugin = tokio.block_on(runtime.load(&bytes)).expect("loads");
    let before = tokio
        .block_on(runtime.load(include_bytes!(
            "../../tests/fixtures-v0.1/handover-0.1.2.wasm"
        )))
        .expect("the 0.1.2 handover loads");
    let mut ctx = sample_context();
    let state = baton_sdk::start::<handover::Handover>(ctx.clone())
        .expect("starts")
        .state;
    ctx.actor = actor(Role::OutgoingCadre);
    let payload = serde_json::json!({"item": "seals", "entries": [
        {"name": "桂花村党支部公章", "quantity": 1},
        {"name": "桂花村村民委员会公章", "quantity": 1, "note": "铁皮柜"},
        {"name": "桂花村股份经济合作社公章", "quantity": 1}
    ]})
    .to_string();

    let mut group = c.benchmark_group(GROUP);
    group.bench_function("wasm-fresh-instance", |b| {
        b.to_async(&tokio).iter(|| async {
            let outcome = plugin
                .act(&ctx, &state, "declare", &payload)
                .await
                .expect("no fault");
            assert!(outcome.is_ok());
        })
    });
    group.bench_function("wasm-0.1.2-no-awaiting", |b| {
        b.to_async(&tokio).iter(|| async {
            let outcome = before
                .act(&ctx, &state, "declare", &payload)
                .await
                .expect("no fault");
            assert!(outcome.is_ok());
        })
    });
    group.bench_function("wasm-start", |b| {
        b.to_async(&tokio).iter(|| async {
            plugin.start(&ctx).await.expect("no fault").ok();
        })
    });
    group.bench_function("native-sdk", |b| {
        b.iter(|| {
            let outcome =
                baton_sdk::act::<handover::Handover>(ctx.clone(), &state, "declare", &payload);
            assert!(outcome.is_ok());
        })
    });
    group.finish();
    languages(&mut c, &tokio, &runtime);
    c.final_summary();
    paired(
        |calls| {
            tokio.block_on(async {
                for _ in 0..calls {
                    let outcome = plugin
                        .act(&ctx, &state, "declare", &payload)
                        .await
                        .expect("no fault");
                    assert!(outcome.is_ok());
                }
            })
        },
        |calls| {
            for _ in 0..calls {
                let outcome =
                    baton_sdk::act::<handover::Handover>(ctx.clone(), &state, "declare", &payload);
                assert!(outcome.is_ok());
            }
        },
    );

    let median = |id: &str| -> Option<f64> {
        let file = out.join(GROUP).join(id).join("new/estimates.json");
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
        json["median"]["point_estimate"].as_f64()
    };
    if let (Some(wasm), Some(native)) = (median("wasm-fresh-instance"), median("native-sdk")) {
        println!(
            "\nhandover act, median: wasm fresh instance {:.1} µs, native {:.1} µs, ratio {:.1}×",
            wasm / 1e3,
            native / 1e3,
            wasm / native
        );
        if let Some(old) = median("wasm-0.1.2-no-awaiting") {
            println!(
                "handover act, median: 0.1.2 (no awaiting) {:.1} µs, 0.2.0 (awaiting) {:.1} µs: {:+.1}%",
                old / 1e3,
                wasm / 1e3,
                (wasm / old - 1.0) * 100.0
            );
        }
    }
}

/// The ratio measured in alternating short rounds, so that both sides see the
/// same machine: on a shared 2-core VM the speed drifts by ±20% between
/// criterion's groups, which run a minute apart, and the ratio of their medians
/// drifts with it. Each round times [`PER_ROUND`] wasm calls and as many native
/// ones (which goes first alternates); the median of the rounds' ratios is printed.
fn paired(mut wasm: impl FnMut(u32), mut native: impl FnMut(u32)) {
    const ROUNDS: usize = 41;
    const PER_ROUND: u32 = 200;
    let time = |f: &mut dyn FnMut(u32)| {
        let started = std::time::Instant::now();
        f(PER_ROUND);
        started.elapsed().as_secs_f64() / f64::from(PER_ROUND)
    };
    let mut rounds: Vec<(f64, f64)> = (0..ROUNDS)
        .map(|round| {
            if round % 2 == 0 {
                let w = time(&mut wasm);
                (w, time(&mut native))
            } else {
                let n = time(&mut native);
                (time(&mut wasm), n)
            }
        })
        .collect();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let ratio = median(rounds.iter().map(|(w, n)| w / n).collect());
    let (w, n): (Vec<f64>, Vec<f64>) = rounds.drain(..).unzip();
    println!(
        "handover act, paired ({ROUNDS} alternating rounds of {PER_ROUND} calls): \
         wasm {:.1} µs, native {:.1} µs, median ratio {ratio:.1}×",
        median(w) * 1e6,
        median(n) * 1e6,
    );
}

/// The pledge's `act` and `view` in Rust and in TypeScript, through the runtime.
fn languages(c: &mut Criterion, tokio: &tokio::runtime::Runtime, runtime: &Runtime) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let ts = match std::env::var_os("BATON_BENCH_PLEDGE_TS") {
        Some(path) => std::fs::read(path).expect("reading BATON_BENCH_PLEDGE_TS"),
        None => {
            let out = root.join("target/pledge-ts.wasm");
            let status = std::process::Command::new("node")
                .arg(root.join("sdk/js/bin/baton-module.mjs"))
                .arg("build")
                .arg(root.join("plugins/pledge/ts"))
                .arg("--out")
                .arg(&out)
                .status()
                .expect("node runs (run `npm ci` in sdk/js first)");
            assert!(status.success(), "building plugins/pledge/ts failed");
            std::fs::read(out).expect("the build wrote the component")
        }
    };
    let rust = baton_host::registry::BUILT_IN
        .iter()
        .find(|(n, _)| *n == "pledge")
        .expect("built in")
        .1;
    let mut ctx = sample_context();
    let mut group = c.benchmark_group("pledge");
    for (language, bytes) in [("rust", rust), ("typescript", &ts[..])] {
        let plugin = tokio.block_on(runtime.load(bytes)).expect("loads");
        ctx.actor = actor(Role::Member);
        let state = tokio
            .block_on(plugin.start(&ctx))
            .expect("no fault")
            .expect("starts")
            .state;
        println!("pledge in {language}: {} bytes", bytes.len());
        group.bench_function(format!("{language}-act"), |b| {
            b.to_async(tokio).iter(|| async {
                let outcome = plugin
                    .act(&ctx, &state, "sign", r#"{"agree": true}"#)
                    .await
                    .expect("no fault");
                assert!(outcome.is_ok());
            })
        });
        group.bench_function(format!("{language}-view"), |b| {
            b.to_async(tokio).iter(|| async {
                plugin.view(&ctx, &state).await.expect("no fault");
            })
        });
    }
    group.finish();
}
