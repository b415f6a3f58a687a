//! The pledge module written twice, in Rust (`plugins/pledge`) and in
//! TypeScript with the TypeScript SDK (`plugins/pledge/ts`): the same
//! scenario gives the same states, progress, sign-offs, notices, turns,
//! refusals and pages through the real runtime. Then the TypeScript build
//! passes the server's publishing checks and arrives as pledge 0.2.0, the
//! Rust enrollments replay onto it unchanged through the upgrade API, and it
//! acts through the API and renders its page.

use axum::http::StatusCode;
use baton_host::demo::{COUNTY, VILLAGE};
use baton_sdk::testing::{actor, sample_context};
use baton_sdk::{Locale, Rejection, Role};
use baton_tests::api::Api;
use baton_tests::{built_in, load, per_backend, runtime, store_built_in, typescript_pledge};
use serde_json::{Value, json};

/// One step: who acts, the action, its payload, and whether the refusal's
/// message must match word for word (the SDKs' own checks) or only the
/// refused field (a payload's shape, which serde and the TypeScript SDK's
/// schema check word differently).
struct Step {
    role: Role,
    person: Option<&'static str>,
    action: &'static str,
    payload: Value,
    exact: bool,
}

fn step(role: Role, action: &'static str, payload: Value) -> Step {
    Step {
        role,
        person: None,
        action,
        payload,
        exact: true,
    }
}

fn steps() -> Vec<Step> {
    use Role::{CountyTrainer, Member, OutgoingCadre, Secretary};
    let filing =
        json!({"passed": true, "departments": "纪检、组织、政法", "filed_on": "2025-12-30"});
    vec![
        // The county's joint review is its own record: before anyone signs.
        step(
            CountyTrainer,
            "file",
            json!({"passed": false, "departments": "纪检", "note": "待核实信访件", "filed_on": "2025-12-28"}),
        ),
        step(Secretary, "sign", json!({})),
        Step {
            exact: false,
            ..step(Secretary, "sign", json!({"agree": true, "extra": 1}))
        },
        Step {
            exact: false,
            ..step(Secretary, "sign", json!({"agree": "yes"}))
        },
        Step {
            exact: false,
            ..step(Secretary, "swear", json!({}))
        },
        step(OutgoingCadre, "sign", json!({"agree": true})),
        step(Secretary, "sign", json!({"agree": true})),
        step(Secretary, "sign", json!({"agree": true})),
        step(
            CountyTrainer,
            "file",
            json!({"passed": false, "departments": "纪检", "filed_on": "2025-12-30"}),
        ),
        step(CountyTrainer, "file", json!({"departments": "纪检"})),
        step(
            CountyTrainer,
            "file",
            json!({"passed": true, "departments": " ", "filed_on": "2025-12-30"}),
        ),
        step(
            CountyTrainer,
            "file",
            json!({"passed": true, "departments": "纪检", "filed_on": "2099-01-01"}),
        ),
        step(
            CountyTrainer,
            "file",
            json!({"passed": false, "departments": "纪检", "note": "需补充材料", "filed_on": "2025-12-29"}),
        ),
        step(Member, "sign", json!({"agree": true})),
        step(CountyTrainer, "file", filing),
        step(CountyTrainer, "file", json!({})),
        Step {
            person: Some("p-member-2"),
            ..step(Member, "sign", json!({"agree": true}))
        },
    ]
}

/// What a refusal is, without its words.
fn shape(r: &Rejection) -> (String, Vec<String>) {
    match r {
        Rejection::Invalid(fields) => (
            "invalid".into(),
            fields.iter().map(|f| f.field.clone()).collect(),
        ),
        Rejection::Forbidden(_) => ("forbidden".into(), Vec::new()),
        Rejection::Conflict(_) => ("conflict".into(), Vec::new()),
    }
}

#[tokio::test]
async fn the_same_scenario_gives_the_same_results_in_rust_and_typescript() {
    let runtime = runtime();
    let rust = built_in(&runtime, "pledge").await;
    let bytes = typescript_pledge();
    assert!(
        bytes.len() < 2 * 1024 * 1024,
        "the TypeScript module is {} bytes, over 2 MiB",
        bytes.len()
    );
    let ts = load(&runtime, &bytes)
        .await
        .expect("the TypeScript module loads");
    assert_eq!(ts.contract().as_str(), "0.3.0");

    // Who they are: everything but the version (and the payload schemas'
    // generator-specific details) is the same.
    let (a, b) = (rust.info(), ts.info());
    assert_eq!((&a.id, &a.title, &a.summary), (&b.id, &b.title, &b.summary));
    assert_eq!(
        (a.audience, a.estimated_minutes),
        (b.audience, b.estimated_minutes)
    );
    assert_eq!(a.reviewers, b.reviewers);
    assert_eq!(a.templates, b.templates);
    let keys = |schema: &Value| -> Vec<String> {
        schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(keys(&a.config_schema), keys(&b.config_schema));
    for (x, y) in a.actions.iter().zip(&b.actions) {
        assert_eq!((&x.name, &x.title), (&y.name, &y.title));
        assert_eq!(
            x.payload_schema["required"], y.payload_schema["required"],
            "{}",
            x.name
        );
        for (field, schema) in x.payload_schema["properties"]
            .as_object()
            .expect("properties")
        {
            let other = &y.payload_schema["properties"][field];
            assert_eq!(schema["x-label"], other["x-label"], "{}.{field}", x.name);
            assert_eq!(schema["format"], other["format"], "{}.{field}", x.name);
        }
    }

    let mut ctx = sample_context();
    let mut states = [String::new(), String::new()];
    for (i, module) in [&rust, &ts].into_iter().enumerate() {
        let started = module
            .start(&ctx)
            .await
            .expect("start runs")
            .expect("starts");
        states[i] = started.state;
    }
    let parse = |s: &str| serde_json::from_str::<Value>(s).expect("state is JSON");
    assert_eq!(
        parse(&states[0]),
        parse(&states[1]),
        "the started states differ"
    );

    let mut accepted = 0;
    for (n, s) in steps().into_iter().enumerate() {
        ctx.actor = actor(s.role);
        if let Some(id) = s.person {
            ctx.actor.person_id = id.into();
        }
        let payload = s.payload.to_string();
        let mut results = Vec::new();
        for (i, module) in [&rust, &ts].into_iter().enumerate() {
            results.push(
                module
                    .act(&ctx, &states[i], s.action, &payload)
                    .await
                    .unwrap_or_else(|e| panic!("step {n}: {e}")),
            );
        }
        let what = format!("step {n}: {} as {:?} with {payload}", s.action, s.role);
        match (&results[0], &results[1]) {
            (Ok(x), Ok(y)) => {
                assert_eq!(parse(&x.state), parse(&y.state), "{what}: state");
                assert_eq!(x.progress, y.progress, "{what}: progress");
                assert_eq!(x.signoffs, y.signoffs, "{what}: sign-offs");
                assert_eq!(x.notices, y.notices, "{what}: notices");
                assert_eq!(x.awaiting, y.awaiting, "{what}: awaiting");
                states = [x.state.clone(), y.state.clone()];
                accepted += 1;
            }
            (Err(x), Err(y)) if s.exact => assert_eq!(x, y, "{what}: refusal"),
            (Err(x), Err(y)) => assert_eq!(shape(x), shape(y), "{what}: refusal"),
            (x, y) => panic!("{what}: Rust {x:?}, TypeScript {y:?}"),
        }
        // And both show the same page, to the county and to the secretary.
        for role in [Role::CountyTrainer, Role::Secretary] {
            let mut viewer = ctx.clone();
            viewer.actor = actor(role);
            let mut pages = Vec::new();
            for (i, module) in [&rust, &ts].into_iter().enumerate() {
                let view = module.view(&viewer, &states[i]).await.expect("view runs");
                assert_eq!(view.template, "pledge");
                pages.push(module.render(view, Locale::ZhCn, None).expect("renders"));
            }
            assert_eq!(pages[0], pages[1], "{what}: the page as {role:?}");
        }
    }
    assert_eq!(
        accepted, 6,
        "three signatures, two refused reviews (one before anyone signed) and a filing"
    );

    // A province's config is checked the same way, by the same field names.
    for config in [
        json!({"text": {"zh": " ", "en": "x"}}),
        json!({"text": {"zh": "承诺", "en": "x"}, "oath": 1}),
        json!({"text": "承诺"}),
    ] {
        ctx.config = config.clone();
        let x = rust.start(&ctx).await.expect("runs").expect_err("refused");
        let y = ts.start(&ctx).await.expect("runs").expect_err("refused");
        assert_eq!(shape(&x), shape(&y), "config {config}");
    }
}

/// The TypeScript types of every contract version are what the generator
/// makes of its WIT today (`node sdk/js/scripts/wit-types.mjs`).
#[test]
fn the_typescript_types_are_generated_from_the_wit() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../sdk/js/scripts/wit-types.mjs"
    );
    let out = std::process::Command::new("node")
        .args([script, "--check"])
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The npm package carries what a module's build needs, the contract's WIT
/// included (copied from sdk/wit while `npm pack` runs, then removed).
#[test]
fn the_npm_package_carries_its_contract() {
    let sdk = concat!(env!("CARGO_MANIFEST_DIR"), "/../sdk/js");
    let out = std::process::Command::new("npm")
        .args(["pack", "--dry-run", "--json", "--ignore-scripts=false"])
        .current_dir(sdk)
        .output()
        .expect("npm runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let packed: Value = serde_json::from_slice(&out.stdout).expect("npm's JSON");
    let files: Vec<&str> = packed[0]["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    for needed in [
        "bin/baton-module.mjs",
        "src/index.ts",
        "types/v0.3.0.d.ts",
        "wit/since_v0.3.0/module.wit",
    ] {
        assert!(files.contains(&needed), "{needed} in {files:?}");
    }
    assert!(
        !std::path::Path::new(sdk).join("wit").exists(),
        "the copy is removed after packing"
    );
}

per_backend! {
    async fn a_typescript_module_publishes_replays_acts_and_renders(test: TestDb) {
        let api = Api::new(&test).await;
        let (nation, province, secretary, county) = (
            api.token("nation").await,
            api.token("province").await,
            api.token("secretary").await,
            api.token("county").await,
        );
        let pledge = api.enrollment_of(&nation, VILLAGE, "pledge").await;
        let signed = api.act(&secretary, pledge, "ts-1", "sign", json!({"agree": true})).await;
        assert_eq!(signed.status, StatusCode::OK, "{}", signed.json());

        // The server's publishing checks pass it; a module's id that is a
        // built-in's is the binary's to release, so the TypeScript build
        // arrives as a re-released built-in would: stored as pledge 0.2.0.
        let bytes = typescript_pledge();
        let checked = baton_host::registry::validate(&api.state.runtime, &bytes).await;
        assert!(checked.is_ok(), "{:?}", checked.err());
        store_built_in(&api.state.runtime, &test.db, &bytes).await;

        // The Rust enrollments replay onto the TypeScript version unchanged.
        let ask = |apply: &str| json!({"module": "pledge", "from": "0.1.1", "to": "0.2.0", "unit": COUNTY, "apply": apply});
        let dry = api.post(&province, "/api/v1/upgrades", None, ask("none")).await;
        assert_eq!(dry.status, StatusCode::OK, "{}", dry.json());
        let dry = dry.json();
        assert!(dry["checked"].as_i64().unwrap_or(0) > 0, "{dry}");
        assert_eq!(dry["checked"], dry["same"], "{dry}");
        let moved = api.post(&province, "/api/v1/upgrades", None, ask("same")).await.json();
        assert_eq!(moved["moved"], dry["checked"], "{moved}");

        // It acts through the API, and its page renders.
        let filed = api
            .act(
                &county,
                pledge,
                "ts-2",
                "file",
                json!({"passed": true, "departments": "纪检、组织", "filed_on": "2025-12-30"}),
            )
            .await;
        assert_eq!(filed.status, StatusCode::OK, "{}", filed.json());
        let page = api.get(&county, &format!("/enrollments/{pledge}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = String::from_utf8_lossy(&page.body).into_owned();
        assert!(html.contains("已于 2025-12-30 备案"), "{html}");
        let version = api
            .count(&format!("SELECT COUNT(*) FROM enrollments WHERE id = {pledge} AND plugin_version = '0.2.0'"))
            .await;
        assert_eq!(version, 1, "the enrollment runs the TypeScript module");
    }
}
