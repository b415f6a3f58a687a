//! The real handover component through the runtime: the contract's calls,
//! the checks on what comes back, and the compile cache.

use baton_host::runtime::{Limits, Runtime};
use baton_sdk::testing::{actor, sample_context};
use baton_sdk::{Locale, Rejection, Role};
use baton_tests::{built_in, runtime};
use serde_json::json;

#[tokio::test]
async fn describe_reports_the_handover_module() {
    let rt = runtime();
    let plugin = built_in(&rt, "handover").await;
    let info = plugin.info();
    assert_eq!(
        plugin.name().to_string(),
        format!("handover@{}", info.version)
    );
    let actions: Vec<&str> = info.actions.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        actions,
        ["declare", "send-back", "confirm", "witness", "declare-for"]
    );
    let declare = &info.actions[0].payload_schema;
    assert_eq!(declare["required"], json!(["item", "entries"]), "{declare}");
    assert!(
        info.config_schema["properties"]["extra_items"].is_object(),
        "{}",
        info.config_schema
    );
}

#[tokio::test]
async fn a_handover_runs_to_completion_through_wasm() {
    let rt = runtime();
    let plugin = built_in(&rt, "handover").await;
    let mut ctx = sample_context();
    let mut state = plugin
        .start(&ctx)
        .await
        .expect("no fault")
        .expect("accepted")
        .state;
    let mut signoffs = 0;
    for item in ["seals", "archives", "assets", "premises", "accounts"] {
        for (role, action, payload) in [
            (
                Role::OutgoingCadre,
                "declare",
                json!({"item": item, "entries": [{"name": "清单", "quantity": 3}]}),
            ),
            (Role::Secretary, "confirm", json!({"item": item})),
            (Role::TownshipOfficer, "witness", json!({"item": item})),
        ] {
            ctx.actor = actor(role);
            let outcome = plugin
                .act(&ctx, &state, action, &payload.to_string())
                .await
                .expect("no fault");
            let outcome = outcome.unwrap_or_else(|r| panic!("{action} {item}: {r}"));
            signoffs += outcome.signoffs.len();
            state = outcome.state;
        }
    }
    assert_eq!(signoffs, 15);
    ctx.actor = actor(Role::Secretary);
    let view = plugin.view(&ctx, &state).await.expect("view");
    assert_eq!(view.data["complete"], true);
    let html = plugin
        .render(view.clone(), Locale::ZhCn, None)
        .expect("renders");
    assert!(html.contains("交接全部完成"), "{html}");
    let html = plugin.render(view, Locale::En, None).expect("renders");
    assert!(html.contains("handover complete"), "{html}");
}

#[tokio::test]
async fn rejections_cross_the_boundary_with_their_fields() {
    let rt = runtime();
    let plugin = built_in(&rt, "handover").await;
    let mut ctx = sample_context();
    let state = plugin
        .start(&ctx)
        .await
        .expect("no fault")
        .expect("accepted")
        .state;

    ctx.actor = actor(Role::OutgoingCadre);
    let bad = json!({"item": "seals", "entries": [{"name": "公章", "quantity": 0}]});
    let r = plugin
        .act(&ctx, &state, "declare", &bad.to_string())
        .await
        .expect("no fault")
        .expect_err("refused");
    let Rejection::Invalid(fields) = r else {
        panic!("{r:?}")
    };
    assert_eq!(fields[0].field, "entries.0.quantity");
    assert!(!fields[0].message.zh.is_empty() && !fields[0].message.en.is_empty());

    let r = plugin
        .act(&ctx, &state, "declare", "{not json")
        .await
        .expect("no fault")
        .expect_err("refused");
    assert!(
        matches!(&r, Rejection::Invalid(f) if f[0].field == "payload"),
        "{r:?}"
    );

    ctx.actor = actor(Role::Member);
    let r = plugin
        .act(&ctx, &state, "confirm", r#"{"item":"seals"}"#)
        .await
        .expect("no fault")
        .expect_err("refused");
    assert!(matches!(r, Rejection::Forbidden(_)), "{r:?}");

    ctx.actor = actor(Role::Secretary);
    let r = plugin
        .act(&ctx, &state, "confirm", r#"{"item":"seals"}"#)
        .await
        .expect("no fault")
        .expect_err("refused");
    assert!(matches!(r, Rejection::Conflict(_)), "{r:?}");
}

#[tokio::test]
async fn the_province_config_reaches_the_module() {
    let rt = runtime();
    let plugin = built_in(&rt, "handover").await;
    let mut ctx = sample_context();
    ctx.config = json!({"extra_items": [{"key": "militia", "title": {"zh": "民兵器材", "en": "Militia equipment"}}]});
    let outcome = plugin
        .start(&ctx)
        .await
        .expect("no fault")
        .expect("accepted");
    assert_eq!(outcome.progress.total, 18);
    ctx.config = json!({"extra_items": [{"key": "BAD"}]});
    let r = plugin
        .start(&ctx)
        .await
        .expect("no fault")
        .expect_err("refused");
    assert!(
        matches!(&r, Rejection::Invalid(f) if f[0].field.starts_with("config.extra_items.0")),
        "{r:?}"
    );
}

#[tokio::test]
async fn calls_share_nothing_between_enrollments() {
    // Two villages interleaved on one loaded plugin: each call is a fresh
    // instance, so each sees only the state it is given.
    let rt = runtime();
    let plugin = built_in(&rt, "handover").await;
    let (mut a, mut b) = (sample_context(), sample_context());
    b.enrollment_id = "e-other".into();
    b.village.name = "石桥村".into();
    let sa = plugin.start(&a).await.expect("ok").expect("ok").state;
    let sb = plugin.start(&b).await.expect("ok").expect("ok").state;
    a.actor = actor(Role::OutgoingCadre);
    let declare =
        json!({"item": "seals", "entries": [{"name": "公章", "quantity": 1}]}).to_string();
    let sa = plugin
        .act(&a, &sa, "declare", &declare)
        .await
        .expect("ok")
        .expect("ok")
        .state;
    b.actor = actor(Role::Secretary);
    let r = plugin
        .act(&b, &sb, "confirm", r#"{"item":"seals"}"#)
        .await
        .expect("ok");
    assert!(
        matches!(r, Err(Rejection::Conflict(_))),
        "village b never declared: {r:?}"
    );
    a.actor = actor(Role::Secretary);
    plugin
        .act(&a, &sa, "confirm", r#"{"item":"seals"}"#)
        .await
        .expect("ok")
        .expect("village a declared");
}

/// The host's one module cache: a version is loaded once, and every call
/// after it gets that same module.
#[tokio::test]
async fn the_module_cache_hands_out_one_loaded_module_per_version() {
    let rt = runtime();
    let modules = baton_host::registry::Modules::default();
    let loaded = built_in(&rt, "handover").await;
    let (id, version) = (loaded.info().id.clone(), loaded.info().version.clone());
    assert!(modules.get(&id, &version).is_none());
    modules.insert(loaded.clone());
    let again = modules.get(&id, &version).expect("cached");
    assert!(std::sync::Arc::ptr_eq(&loaded, &again));
    assert!(modules.get(&id, "0.0.0").is_none());
}

#[tokio::test]
async fn compiled_modules_are_cached_on_disk_and_corruption_is_survived() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cached = || Runtime::new(Limits::default(), Some(dir.path().to_owned())).expect("runtime");
    built_in(&cached(), "handover").await;
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("cache dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "one artifact: {files:?}");
    let artifact = &files[0];
    let name = artifact
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    assert!(name.ends_with(".cwasm") && name.len() > 64, "{name}");

    // A restart reads the artifact instead of compiling: the file is not rewritten.
    let written = std::fs::metadata(artifact)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let plugin = built_in(&cached(), "handover").await;
    assert_eq!(
        std::fs::metadata(artifact)
            .and_then(|m| m.modified())
            .expect("mtime"),
        written
    );
    plugin
        .start(&sample_context())
        .await
        .expect("runs from the cache")
        .expect("ok");

    // A damaged artifact is never handed to wasmtime: it is recompiled and replaced.
    let mut bytes = std::fs::read(artifact).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(artifact, &bytes).expect("corrupt it");
    let plugin = built_in(&cached(), "handover").await;
    plugin
        .start(&sample_context())
        .await
        .expect("runs after recompiling")
        .expect("ok");
    assert_ne!(std::fs::read(artifact).expect("read"), bytes, "rewritten");
}

/// A module built against contract 0.1.0 (the handover as released before
/// 0.2.0, kept as its bytes) still loads and runs beside 0.2.0 ones; it
/// cannot say whose turn it is, and a 0.2.0 module can.
#[tokio::test]
async fn a_module_built_against_contract_0_1_0_still_runs() {
    use baton_host::runtime::Contract;
    let rt = runtime();
    let old = baton_tests::load(&rt, include_bytes!("fixtures-v0.1/handover-0.1.2.wasm"))
        .await
        .expect("a 0.1.0 module loads");
    assert_eq!(old.contract(), Contract::V0_1);
    assert_eq!(old.name().to_string(), "handover@0.1.2");
    let mut ctx = sample_context();
    let started = old.start(&ctx).await.expect("no fault").expect("starts");
    assert!(started.awaiting.is_empty());
    ctx.actor = actor(Role::OutgoingCadre);
    let payload = r#"{"item":"seals","entries":[{"name":"公章","quantity":1}]}"#;
    let declared = old
        .act(&ctx, &started.state, "declare", payload)
        .await
        .expect("no fault")
        .expect("declares");
    assert_eq!(declared.progress.done, 1);
    // The public reaches a 0.1.0 module as its convention had it: no person.
    ctx.actor = baton_sdk::Actor::public();
    old.view(&ctx, &declared.state).await.expect("views");

    let new = built_in(&rt, "handover").await;
    assert_eq!(new.contract(), Contract::V0_3);
    let started = new
        .start(&sample_context())
        .await
        .expect("no fault")
        .expect("starts");
    assert_eq!(started.awaiting.len(), 5);
}

/// Every built-in module passes the checks a province's module must pass to
/// be published (`registry::validate`: size, contract, sane info, schemas
/// that compile, templates that parse, `start` and `view` on the sample
/// village with the default config, rendered in both languages): the
/// look-back and the pledge like the rest.
#[tokio::test]
async fn every_built_in_passes_the_publish_checks() {
    let rt = runtime();
    for (name, bytes) in baton_host::registry::BUILT_IN {
        if let Err(problems) = baton_host::registry::validate(&rt, bytes).await {
            panic!("{name}: {problems:?}");
        }
    }
}
