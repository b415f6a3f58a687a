//! Modules that loop, hoard memory, panic, lie, snoop or come from the
//! future: each is stopped or refused with an error naming it, within the
//! deadline, and the host's next call to a good module works.

use std::time::{Duration, Instant};

use baton_host::runtime::{Fault, LoadError, Plugin, PluginError, Runtime};
use baton_sdk::testing::sample_context;
use baton_tests::{built_in, fixtures, runtime};

async fn started(plugin: &Plugin) -> String {
    plugin
        .start(&sample_context())
        .await
        .expect("start is well-behaved")
        .expect("accepted")
        .state
}

async fn act_fault(plugin: &Plugin, action: &str) -> (PluginError, Duration) {
    let state = started(plugin).await;
    let t = Instant::now();
    let err = plugin
        .act(&sample_context(), &state, action, "{}")
        .await
        .expect_err("the call must fail");
    (err, t.elapsed())
}

/// The host still serves a good module: a full start + act on the handover.
async fn handover_still_works(rt: &Runtime) {
    let plugin = built_in(rt, "handover").await;
    let mut ctx = sample_context();
    let state = started(&plugin).await;
    ctx.actor = baton_sdk::testing::actor(baton_sdk::Role::OutgoingCadre);
    let payload = r#"{"item":"seals","entries":[{"name":"公章","quantity":1}]}"#;
    let outcome = plugin
        .act(&ctx, &state, "declare", payload)
        .await
        .expect("no fault")
        .expect("accepted");
    assert_eq!(outcome.progress.done, 1);
}

#[tokio::test]
async fn an_infinite_loop_is_stopped_at_the_deadline() {
    let rt = runtime();
    let plugin = baton_tests::load(&rt, fixtures::SPIN).await.expect("loads");
    let (err, took) = act_fault(&plugin, "go").await;
    assert!(matches!(err.fault, Fault::Timeout(100)), "{err}");
    assert_eq!(
        err.to_string(),
        "module fixture-spin@0.0.1 did not finish within its 100 ms time limit and was stopped"
    );
    assert!(took < Duration::from_millis(600), "stopped after {took:?}");
    handover_still_works(&rt).await;
}

#[tokio::test]
async fn a_loop_does_not_block_other_calls() {
    // The runaway call yields at every epoch tick, so a good call started
    // alongside it on a single-threaded executor finishes first.
    let rt = runtime();
    let spin = baton_tests::load(&rt, fixtures::SPIN).await.expect("loads");
    let good = built_in(&rt, "handover").await;
    let state = started(&spin).await;
    let ctx = sample_context();
    let runaway = spin.act(&ctx, &state, "go", "{}");
    let normal = async {
        let t = Instant::now();
        good.start(&sample_context())
            .await
            .expect("no fault")
            .expect("ok");
        t.elapsed()
    };
    let (runaway, normal) = tokio::join!(runaway, normal);
    assert!(matches!(
        runaway,
        Err(PluginError {
            fault: Fault::Timeout(_),
            ..
        })
    ));
    assert!(
        normal < Duration::from_millis(90),
        "the good call waited {normal:?}"
    );
}

#[tokio::test]
async fn a_memory_bomb_is_stopped_at_the_limit() {
    // Filling 64 MiB takes tens of milliseconds, more on a loaded machine; a
    // long deadline makes sure it is the memory limit that stops it.
    let limits = baton_host::runtime::Limits {
        deadline: Duration::from_secs(10),
        ..Default::default()
    };
    let rt = Runtime::new(limits, None).expect("runtime");
    let plugin = baton_tests::load(&rt, fixtures::HOG).await.expect("loads");
    let (err, _) = act_fault(&plugin, "go").await;
    assert!(matches!(err.fault, Fault::OutOfMemory(64)), "{err}");
    assert_eq!(
        err.to_string(),
        "module fixture-hog@0.0.1 tried to use more than its 64 MiB memory limit and was stopped"
    );
    handover_still_works(&rt).await;
}

#[tokio::test]
async fn a_panic_is_reported_with_its_message() {
    let rt = runtime();
    let plugin = baton_tests::load(&rt, fixtures::PANICKY)
        .await
        .expect("loads");
    let (err, _) = act_fault(&plugin, "go").await;
    let Fault::Panic(message) = &err.fault else {
        panic!("{err}")
    };
    assert!(
        message.starts_with("the ledger is on fire (at "),
        "{message}"
    );
    assert!(
        err.to_string()
            .starts_with("module fixture-panicky@0.0.1 panicked: the ledger is on fire"),
        "{err}"
    );
    // The same plugin serves the next call: the trapped store was dropped.
    let state = started(&plugin).await;
    assert!(!state.is_empty());
    handover_still_works(&rt).await;
}

#[tokio::test]
async fn malformed_output_is_caught_and_named() {
    let rt = runtime();
    let plugin = baton_tests::load(&rt, fixtures::GARBAGE)
        .await
        .expect("loads: its info is valid");
    for (action, expected) in [
        ("not-json", "state is not valid JSON"),
        ("overdone", "progress 5/3 counts more done than there is"),
        ("forged-signoff", "a sign-off names signer `someone-else`"),
        ("empty-invalid", "must name at least one field"),
    ] {
        let (err, _) = act_fault(&plugin, action).await;
        assert!(matches!(err.fault, Fault::Malformed(_)), "{action}: {err}");
        let text = err.to_string();
        assert!(
            text.starts_with("module fixture-garbage@0.0.1 returned malformed output: "),
            "{text}"
        );
        assert!(text.contains(expected), "{action}: {text}");
    }
    let err = plugin
        .view(&sample_context(), "{}")
        .await
        .expect_err("undeclared template");
    assert!(
        err.to_string()
            .contains("template `undeclared`, which the module did not declare"),
        "{err}"
    );
    handover_still_works(&rt).await;
}

#[tokio::test]
async fn filesystem_and_socket_imports_are_refused_at_load() {
    let rt = runtime();
    let Err(err) = baton_tests::load(&rt, fixtures::SNOOP).await else {
        panic!("snoop must be refused")
    };
    let LoadError::ForbiddenImports { package, imports } = &err else {
        panic!("{err}")
    };
    assert_eq!(package, "fixture-snoop@0.0.1");
    assert!(
        imports.iter().any(|i| i.starts_with("wasi:filesystem/")),
        "{imports:?}"
    );
    assert!(
        imports.iter().any(|i| i.starts_with("wasi:sockets/")),
        "{imports:?}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with("fixture-snoop@0.0.1: imports wasi:"),
        "{text}"
    );
    assert!(
        text.contains(
            "which Baton does not provide; modules may import only baton:module/types, wasi:io/*"
        ),
        "{text}"
    );
    handover_still_works(&rt).await;
}

#[tokio::test]
async fn an_unknown_contract_is_refused_before_compiling() {
    let rt = runtime();
    let t = Instant::now();
    let Err(err) = baton_tests::load(&rt, fixtures::FUTURE).await else {
        panic!("future must be refused")
    };
    assert_eq!(
        err.to_string(),
        "fixture-future@0.0.1: built against contract 9.9.0, which this host cannot run; it runs contract 0.3.0, 0.2.0, 0.1.0"
    );
    // Refused from its custom section alone: compiling takes far longer.
    assert!(
        t.elapsed() < Duration::from_millis(50),
        "took {:?}",
        t.elapsed()
    );
    handover_still_works(&rt).await;
}

#[tokio::test]
async fn non_modules_are_refused_with_the_reason() {
    let rt = runtime();
    let core = wat::parse_str("(module)").expect("wat");
    let err = baton_tests::load(&rt, &core)
        .await
        .err()
        .expect("a core module is refused")
        .to_string();
    assert!(
        err.contains(
            "not a WebAssembly component (it is a core module); build it for wasm32-wasip2"
        ),
        "{err}"
    );
    let bare = wat::parse_str("(component)").expect("wat");
    let err = baton_tests::load(&rt, &bare)
        .await
        .err()
        .expect("a bare component is refused")
        .to_string();
    assert!(
        err.contains("not a Baton module: it has no `baton:contract` section and imports no `baton:module/types`"),
        "{err}"
    );
    assert!(
        err.starts_with("package sha256:"),
        "named by its hash: {err}"
    );
    let err = baton_tests::load(&rt, b"hello")
        .await
        .err()
        .expect("text is refused")
        .to_string();
    assert!(err.contains("not a WebAssembly component"), "{err}");
}

#[tokio::test]
async fn clocks_and_randomness_are_pinned_by_the_context() {
    let rt = runtime();
    let plugin = baton_tests::load(&rt, fixtures::GARBAGE)
        .await
        .expect("loads");
    let senses = |ctx: baton_sdk::Context| {
        let plugin = plugin.clone();
        async move {
            let outcome = plugin
                .act(&ctx, "{}", "senses", "{}")
                .await
                .expect("no fault")
                .expect("accepted");
            serde_json::from_str::<serde_json::Value>(&outcome.state).expect("JSON")
        }
    };
    let ctx = sample_context();
    let first = senses(ctx.clone()).await;
    assert_eq!(first["now"], ctx.now, "the wall clock reads ctx.now");
    assert_eq!(
        senses(ctx.clone()).await,
        first,
        "a replayed call senses the same"
    );
    let mut other = ctx.clone();
    other.enrollment_id = "e-other".into();
    assert_ne!(
        senses(other).await["random"],
        first["random"],
        "randomness is seeded per enrollment"
    );
}

/// A component made by another language's tools (componentize-qjs, say)
/// carries no `baton:contract` section: the host reads the contract off the
/// `baton:module/types@X` interface it imports instead.
#[tokio::test]
async fn a_component_without_the_contract_section_is_known_by_its_import() {
    let rt = runtime();
    let (_, bytes) = baton_host::registry::BUILT_IN
        .iter()
        .find(|(n, _)| *n == "pledge")
        .expect("the pledge");
    let stamped = baton_tests::load(&rt, bytes)
        .await
        .expect("loads")
        .contract();
    let mut unstamped = bytes.to_vec();
    let name = b"baton:contract";
    let mut renamed = 0;
    let mut at = 0;
    while let Some(i) = unstamped[at..].windows(name.len()).position(|w| w == name) {
        // Same length, another name: the section is there but not the contract's.
        unstamped[at + i + 6] = b'x';
        at += i + name.len();
        renamed += 1;
    }
    assert!(renamed > 0, "the section was found to rename");
    let module = baton_tests::load(&rt, &unstamped)
        .await
        .unwrap_or_else(|e| panic!("known by its import: {e}"));
    assert_eq!(module.contract(), stamped);
}
