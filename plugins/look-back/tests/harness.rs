//! The look-back's rules, natively through the SDK harness.

use baton_sdk::testing::{Harness, sample_context};
use baton_sdk::{Module, Rejection, Role, Sibling};
use look_back::{LookBack, Stage};
use serde_json::json;

/// A review of two modules, as a province configured it.
fn started() -> Harness<LookBack> {
    let mut ctx = sample_context();
    ctx.config = json!({"modules": ["handover", "first-lesson"]});
    let mut h = Harness::<LookBack>::new(ctx);
    h.start().expect("starts");
    h
}

fn field_of(r: Rejection) -> String {
    match r {
        Rejection::Invalid(f) => f[0].field.clone(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn township_to_province_with_a_problem_rectified_and_closed() {
    let mut h = started();
    assert_eq!(
        LookBack::progress(&h.state()).total,
        5,
        "two checks, three levels"
    );
    let early = h
        .act_as(Role::CountyTrainer, "confirm", json!({}))
        .expect_err("refused");
    assert!(matches!(early, Rejection::Conflict(_)), "{early:?}");
    let ok = h
        .act_as(
            Role::TownshipOfficer,
            "self-check",
            json!({"module": "handover", "note": "公章、档案已交接"}),
        )
        .expect("checked");
    assert_eq!(ok.signoffs[0].subject, "check:handover");
    let problem = h
        .act_as(
            Role::TownshipOfficer,
            "self-check",
            json!({"module": "first-lesson", "problems": true, "note": "两名委员未参加第一课", "deadline": "2026-12-31"}),
        )
        .expect("a problem");
    assert_eq!(problem.notices.len(), 1, "the village is told");
    assert!(problem.awaiting.iter().any(|a| a.subject == "finding:1"));
    assert_eq!(h.state().stage(), Stage::County);
    h.act_as(Role::CountyTrainer, "confirm", json!({"note": "同意"}))
        .expect("confirmed");
    // The city raises a problem of its own, then verifies.
    h.act_as(
        Role::CityOfficer,
        "find",
        json!({"module": "handover", "problem": "资产清单缺少签字", "deadline": "2027-01-15"}),
    )
    .expect("found");
    let verified = h
        .act_as(
            Role::CityOfficer,
            "verify",
            json!({"visited_on": "2025-12-30", "note": "到村查看"}),
        )
        .expect("verified");
    assert_eq!(verified.signoffs[0].subject, "city");
    h.act_as(Role::ProvinceAdmin, "judge", json!({"passed": true}))
        .expect("judged");
    assert_eq!(h.state().stage(), Stage::Judged);
    // Rectification: the village reports, only the finder closes.
    h.act_as(
        Role::Secretary,
        "report-fix",
        json!({"finding": 1, "note": "已补课"}),
    )
    .expect("reported");
    let wrong = h
        .act_as(
            Role::CityOfficer,
            "close",
            json!({"finding": 1, "accepted": true}),
        )
        .expect_err("not the finder");
    assert!(matches!(wrong, Rejection::Forbidden(_)), "{wrong:?}");
    let back = h
        .act_as(
            Role::TownshipOfficer,
            "close",
            json!({"finding": 1, "accepted": false, "note": "缺少签到表"}),
        )
        .expect("sent back");
    assert_eq!(back.notices.len(), 1);
    assert_eq!(
        h.state().findings[0].sent_back.as_deref(),
        Some("缺少签到表")
    );
    h.act_as(
        Role::Member,
        "report-fix",
        json!({"finding": 1, "note": "已补课，附签到表"}),
    )
    .expect("reported again");
    let closed = h
        .act_as(
            Role::TownshipOfficer,
            "close",
            json!({"finding": 1, "accepted": true}),
        )
        .expect("closed");
    assert_eq!(closed.signoffs[0].subject, "finding:1");
    assert!(!closed.progress.is_complete(), "the city's problem is open");
    h.act_as(
        Role::Secretary,
        "report-fix",
        json!({"finding": 2, "note": "已补签"}),
    )
    .expect("reported");
    let done = h
        .act_as(
            Role::CityOfficer,
            "close",
            json!({"finding": 2, "accepted": true}),
        )
        .expect("closed");
    assert!(done.progress.is_complete());
    assert!(done.awaiting.is_empty());
}

#[test]
fn wrong_actors_and_bad_input_are_refused() {
    let mut h = started();
    let county = h
        .act_as(
            Role::CountyTrainer,
            "self-check",
            json!({"module": "handover"}),
        )
        .expect_err("refused");
    assert!(matches!(county, Rejection::Forbidden(_)));
    let unknown = h
        .act_as(
            Role::TownshipOfficer,
            "self-check",
            json!({"module": "duties"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(unknown), "module");
    let no_note = h
        .act_as(
            Role::TownshipOfficer,
            "self-check",
            json!({"module": "handover", "problems": true, "deadline": "2026-12-31"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(no_note), "note");
    let bad_date = h
        .act_as(
            Role::TownshipOfficer,
            "self-check",
            json!({"module": "handover", "problems": true, "note": "缺", "deadline": "明年"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(bad_date), "deadline");
    let photo = h
        .act_as(
            Role::TownshipOfficer,
            "self-check",
            json!({"module": "handover", "photos": ["nope"]}),
        )
        .expect_err("refused");
    assert_eq!(field_of(photo), "photos.0");
    h.act_as(
        Role::TownshipOfficer,
        "self-check",
        json!({"module": "handover"}),
    )
    .expect("checked");
    let twice = h
        .act_as(
            Role::TownshipOfficer,
            "self-check",
            json!({"module": "handover"}),
        )
        .expect_err("refused");
    assert!(matches!(twice, Rejection::Conflict(_)));
    let no_finding = h
        .act_as(
            Role::Secretary,
            "report-fix",
            json!({"finding": 9, "note": "?"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(no_finding), "finding");
    let not_yours = h
        .act_as(
            Role::CityOfficer,
            "find",
            json!({"module": "handover", "problem": "x", "deadline": "2026-12-31"}),
        )
        .expect_err("the township's stage");
    assert!(matches!(not_yours, Rejection::Forbidden(_)));
}

#[test]
fn the_default_checks_the_post_election_modules_and_the_view_shows_the_platform() {
    let mut h = Harness::<LookBack>::new(sample_context());
    h.start().expect("starts");
    let checks: Vec<String> = h.state().checks.iter().map(|c| c.module.clone()).collect();
    assert_eq!(checks.len(), 7, "{checks:?}");
    assert_eq!(checks[0], "handover");
    h.context_mut().siblings = vec![Sibling {
        module: "handover".into(),
        done: 15,
        total: 15,
        completed: true,
    }];
    h.context_mut().actor = baton_sdk::testing::actor(Role::TownshipOfficer);
    let view = h.view();
    assert_eq!(view.template, "look-back");
    assert_eq!(view.data["can_check"], true);
    assert_eq!(view.data["checks"][0]["title"], "工作交接");
    assert_eq!(view.data["checks"][0]["platform"], "complete");
    assert_eq!(view.data["checks"][1]["platform"], "none");
}

#[test]
fn a_bad_config_is_named() {
    for (modules, field) in [
        (json!([]), "config.modules"),
        (json!(["handover", "Hand Over"]), "config.modules.1"),
        (json!(["handover", "handover"]), "config.modules.1"),
    ] {
        let mut ctx = sample_context();
        ctx.config = json!({ "modules": modules });
        let mut h = Harness::<LookBack>::new(ctx);
        let refused = h.start().expect_err("refused");
        assert_eq!(field_of(refused), field);
    }
}
