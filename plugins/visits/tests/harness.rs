//! The visits' rules, natively through the SDK harness.

use baton_sdk::testing::{Harness, sample_context};
use baton_sdk::{Rejection, Role};
use serde_json::{Value, json};
use visits::Visits;

fn started(config: Value) -> Harness<Visits> {
    let mut ctx = sample_context();
    ctx.config = config;
    let mut h = Harness::<Visits>::new(ctx);
    h.start().expect("starts");
    h
}

fn talk(person: &str) -> Value {
    json!({"person": person, "date": "2025-12-30", "visitors": ["张建国", "陈立"],
           "discussed": "身体情况和家庭困难", "follow_ups": ["帮助申请医疗救助"]})
}

fn field_of(r: Rejection) -> String {
    match r {
        Rejection::Invalid(f) => f[0].field.clone(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn every_outgoing_cadre_is_talked_to_then_the_township_confirms() {
    let mut h = started(Value::Null);
    let progress = |h: &Harness<Visits>| {
        let p = <Visits as baton_sdk::Module>::progress(&h.state());
        (p.done, p.total)
    };
    // Two people: the retired old secretary (talk + subsidy), the defeated member (talk); + confirm.
    assert_eq!(progress(&h), (0, 4));
    let early = h
        .act_as(Role::TownshipOfficer, "confirm", json!({}))
        .expect_err("not yet");
    assert!(
        matches!(&early, Rejection::Conflict(t) if t.zh.contains("王德福") && t.zh.contains("赵小军")),
        "{early:?}"
    );
    let out = h
        .act_as(Role::Secretary, "log-talk", talk("p-outgoing"))
        .expect("talk");
    assert_eq!(out.signoffs[0].subject, "talk:p-outgoing:1");
    h.act_as(Role::Member, "log-talk", talk("p-defeated"))
        .expect("talk");
    let out = h
        .act_as(
            Role::TownshipOfficer,
            "record-subsidy",
            json!({"person": "p-outgoing", "applied": true, "note": "梁平民〔2026〕12号"}),
        )
        .expect("subsidy");
    assert_eq!(out.notices.len(), 1, "the township is told it can confirm");
    assert_eq!(progress(&h), (3, 4));
    let out = h
        .act_as(
            Role::TownshipOfficer,
            "confirm",
            json!({"remarks": "全覆盖"}),
        )
        .expect("confirm");
    assert_eq!(out.signoffs[0].signer, "p-township");
    assert!(out.progress.is_complete());
    let again = h
        .act_as(Role::TownshipOfficer, "confirm", json!({}))
        .expect_err("once");
    assert!(matches!(again, Rejection::Conflict(_)));
}

#[test]
fn bad_talks_name_the_field() {
    let mut h = started(Value::Null);
    let mut bad = talk("p-outgoing");
    bad["date"] = json!("2026-02-30");
    assert_eq!(
        field_of(
            h.act_as(Role::Secretary, "log-talk", bad)
                .expect_err("refused")
        ),
        "date"
    );
    let mut future = talk("p-outgoing");
    future["date"] = json!("2026-01-02");
    assert_eq!(
        field_of(
            h.act_as(Role::Secretary, "log-talk", future)
                .expect_err("refused")
        ),
        "date"
    );
    let mut nobody = talk("p-outgoing");
    nobody["visitors"] = json!([]);
    assert_eq!(
        field_of(
            h.act_as(Role::Secretary, "log-talk", nobody)
                .expect_err("refused")
        ),
        "visitors"
    );
    let mut blank = talk("p-outgoing");
    blank["discussed"] = json!("  ");
    assert_eq!(
        field_of(
            h.act_as(Role::Secretary, "log-talk", blank)
                .expect_err("refused")
        ),
        "discussed"
    );
    assert_eq!(
        field_of(
            h.act_as(Role::Secretary, "log-talk", talk("p-member"))
                .expect_err("refused")
        ),
        "person"
    );
    let outsider = h
        .act_as(Role::OutgoingCadre, "log-talk", talk("p-outgoing"))
        .expect_err("refused");
    assert!(matches!(outsider, Rejection::Forbidden(_)));
    assert!(
        h.state().people.iter().all(|p| p.talks.is_empty()),
        "nothing was kept"
    );
}

#[test]
fn the_subsidy_follows_the_province_rule() {
    let mut h = started(json!({"subsidy_min_years": 20}));
    let refused = h
        .act_as(
            Role::Secretary,
            "record-subsidy",
            json!({"person": "p-outgoing", "applied": true}),
        )
        .expect_err("refused");
    assert!(
        matches!(&refused, Rejection::Invalid(f) if f[0].message.zh.contains("20")),
        "{refused:?}"
    );
    let mut h = started(Value::Null);
    let why = h
        .act_as(
            Role::Secretary,
            "record-subsidy",
            json!({"person": "p-outgoing", "applied": false}),
        )
        .expect_err("refused");
    assert_eq!(field_of(why), "note");
    let defeated = h
        .act_as(
            Role::Secretary,
            "record-subsidy",
            json!({"person": "p-defeated", "applied": true}),
        )
        .expect_err("refused");
    assert_eq!(field_of(defeated), "person");
}

#[test]
fn ceremony_and_pairing_when_the_province_requires_them() {
    let mut h = started(json!({"required": ["ceremony", "pairing"]}));
    let p = <Visits as baton_sdk::Module>::progress(&h.state());
    assert_eq!(
        p.total, 5,
        "old secretary: talk, ceremony, pairing; defeated: talk; confirm"
    );
    let not_retired = h
        .act_as(
            Role::Secretary,
            "hold-ceremony",
            json!({"person": "p-defeated", "date": "2025-12-01"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(not_retired), "person");
    h.act_as(
        Role::Secretary,
        "hold-ceremony",
        json!({"person": "p-outgoing", "date": "2025-12-01", "note": "颁发荣誉证书"}),
    )
    .expect("ceremony");
    let member = h
        .act_as(
            Role::Member,
            "pair",
            json!({"person": "p-outgoing", "plan": "每月一次"}),
        )
        .expect_err("refused");
    assert!(matches!(member, Rejection::Forbidden(_)));
    let out = h
        .act_as(
            Role::Secretary,
            "pair",
            json!({"person": "p-outgoing", "plan": "每月请教一次"}),
        )
        .expect("pair");
    assert_eq!(out.signoffs[0].subject, "pairing:p-outgoing");
    let twice = h
        .act_as(
            Role::Secretary,
            "pair",
            json!({"person": "p-outgoing", "plan": "再来"}),
        )
        .expect_err("refused");
    assert!(matches!(twice, Rejection::Conflict(_)));
}

#[test]
fn a_bad_config_is_refused_at_start() {
    let mut ctx = sample_context();
    ctx.config = json!({"required": ["subsidy", "subsidy"]});
    let err = Harness::<Visits>::new(ctx).start().expect_err("refused");
    assert_eq!(field_of(err), "config.required.1");
    let mut ctx = sample_context();
    ctx.config = json!({"required": ["dinner"]});
    assert!(Harness::<Visits>::new(ctx).start().is_err());
}

#[test]
fn the_view_shows_each_person_and_the_next_step_in_both_languages() {
    let mut h = started(Value::Null);
    h.act_as(Role::Secretary, "log-talk", talk("p-outgoing"))
        .expect("talk");
    let view = h.view();
    assert_eq!(view.template, "visits");
    let people = view.data["people"].as_array().expect("people");
    assert_eq!(people[0]["missing"], json!(["subsidy"]));
    assert_eq!(people[0]["can_pair"], json!(true));
    assert_eq!(people[1]["missing"], json!(["talk"]));
    assert_eq!(people[1]["departure"], "defeated");
}

#[test]
fn a_subsidy_is_applied_for_approved_paid_and_acknowledged_by_the_cadre() {
    let mut h = started(Value::Null);
    let mut visit = talk("p-outgoing");
    visit["condolence"] = json!(500);
    let talked = h.act_as(Role::Secretary, "log-talk", visit).expect("talk");
    assert!(
        talked.signoffs[0]
            .statement
            .zh
            .contains("送去慰问金 500 元"),
        "{}",
        talked.signoffs[0].statement.zh
    );
    h.act_as(
        Role::Secretary,
        "record-subsidy",
        json!({"person": "p-outgoing", "applied": true, "note": "LH-2026-031", "monthly": 300}),
    )
    .expect("applied for");
    // Paid before it is decided: refused.
    let pay = json!({"person": "p-outgoing", "paid_on": "2025-12-31", "amount": 900, "note": "2026 年第一季度"});
    let early = h
        .act_as(Role::TownshipOfficer, "pay-subsidy", pay.clone())
        .expect_err("not approved");
    assert!(matches!(early, Rejection::Conflict(_)), "{early:?}");
    let turns = h
        .act_as(Role::Secretary, "log-talk", talk("p-defeated"))
        .expect("talk")
        .awaiting;
    assert!(
        turns
            .iter()
            .any(|a| a.subject == "subsidy-approval:p-outgoing"),
        "the township decides: {turns:?}"
    );
    for (payload, field) in [
        (json!({"person": "p-outgoing", "approved": true}), "monthly"),
        (json!({"person": "p-outgoing", "approved": false}), "note"),
    ] {
        let bad = h
            .act_as(Role::TownshipOfficer, "approve-subsidy", payload)
            .expect_err("refused");
        assert_eq!(field_of(bad), field);
    }
    let secretary = h
        .act_as(
            Role::Secretary,
            "approve-subsidy",
            json!({"person": "p-outgoing", "approved": true, "monthly": 300}),
        )
        .expect_err("the township decides");
    assert!(matches!(secretary, Rejection::Forbidden(_)));
    let approved = h
        .act_as(
            Role::TownshipOfficer,
            "approve-subsidy",
            json!({"person": "p-outgoing", "approved": true, "monthly": 300}),
        )
        .expect("approved");
    assert_eq!(approved.signoffs[0].subject, "subsidy-approval:p-outgoing");
    assert!(approved.signoffs[0].statement.zh.contains("每月 300 元"));
    let bad = h
        .act_as(
            Role::TownshipOfficer,
            "pay-subsidy",
            json!({"person": "p-outgoing", "paid_on": "2025-12-31", "amount": 0}),
        )
        .expect_err("nothing paid");
    assert_eq!(field_of(bad), "amount");
    let paid = h
        .act_as(Role::TownshipOfficer, "pay-subsidy", pay)
        .expect("paid");
    assert_eq!(paid.notices.len(), 1, "the cadre is told");
    assert!(
        paid.awaiting
            .iter()
            .any(|a| a.subject == "subsidy-received:p-outgoing"),
        "{:?}",
        paid.awaiting
    );
    // Only the cadre signs for their own money.
    let other = h
        .act_as(
            Role::Secretary,
            "acknowledge-subsidy",
            json!({"person": "p-outgoing"}),
        )
        .expect_err("not theirs");
    assert!(matches!(other, Rejection::Forbidden(_)));
    let signed = h
        .act_as(
            Role::OutgoingCadre,
            "acknowledge-subsidy",
            json!({"person": "p-outgoing"}),
        )
        .expect("acknowledged");
    assert!(
        signed.signoffs[0].statement.zh.contains("共 900 元"),
        "{}",
        signed.signoffs[0].statement.zh
    );
    let subsidy = h.state().people[0].subsidy.clone().expect("a subsidy");
    assert_eq!(
        (subsidy.paid(), subsidy.acknowledged.is_some()),
        (900, true)
    );
    // Decided: the application no longer changes.
    let late = h
        .act_as(
            Role::Secretary,
            "record-subsidy",
            json!({"person": "p-outgoing", "applied": false, "note": "改"}),
        )
        .expect_err("decided");
    assert!(matches!(late, Rejection::Conflict(_)));
}

#[test]
fn a_state_without_amounts_reads_and_writes_as_before() {
    // What 0.2.0 stored: no amounts, no decision, no payments.
    let mut h = started(Value::Null);
    h.act_as(
        Role::Secretary,
        "record-subsidy",
        json!({"person": "p-outgoing", "applied": true, "note": "LH-1"}),
    )
    .expect("applied for");
    let raw = h.raw_state().expect("a state").to_owned();
    assert!(
        !raw.contains("monthly") && !raw.contains("payments") && !raw.contains("condolence"),
        "{raw}"
    );
}
