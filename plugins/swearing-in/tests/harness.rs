//! The swearing-in's rules, natively through the SDK harness.

use baton_sdk::testing::{Harness, actor, sample_context};
use baton_sdk::{Module, Rejection, Role};
use serde_json::json;
use swearing_in::SwearingIn;

fn started() -> Harness<SwearingIn> {
    let mut h = Harness::<SwearingIn>::new(sample_context());
    h.start().expect("starts");
    h
}

fn field_of(r: Rejection) -> String {
    match r {
        Rejection::Invalid(f) => f[0].field.clone(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

fn as_person(h: &mut Harness<SwearingIn>, id: &str, name: &str, role: Role) {
    let mut a = actor(role);
    a.person_id = id.into();
    a.name = name.into();
    h.context_mut().actor = a;
}

#[test]
fn scheduled_sworn_with_a_make_up_and_every_cadre_confirms() {
    let mut h = started();
    assert_eq!(
        SwearingIn::progress(&h.state()).total,
        7,
        "schedule + 3 cadres × (oath, confirm)"
    );
    let early = h
        .act_as(Role::Secretary, "confirm", json!({}))
        .expect_err("refused");
    assert!(matches!(early, Rejection::Conflict(_)));
    let out = h
        .act_as(
            Role::TownshipOfficer,
            "schedule",
            json!({"date": "2025-12-31", "place": "龙河镇党群服务中心"}),
        )
        .expect("schedule");
    assert_eq!(out.notices.len(), 2);
    assert!(
        h.state()
            .ceremony
            .expect("scheduled")
            .oath
            .starts_with("我宣誓"),
        "the province's oath by default"
    );
    for (person, present) in [
        ("p-secretary", true),
        ("p-member", true),
        ("p-member-2", false),
    ] {
        h.act_as(
            Role::TownshipOfficer,
            "record-attendance",
            json!({"person": person, "present": present, "reason": "住院"}),
        )
        .expect("attendance");
    }
    let out = h
        .act_as(Role::Secretary, "confirm", json!({}))
        .expect("confirm");
    assert_eq!(out.signoffs[0].subject, "oath:p-secretary");
    assert!(out.signoffs[0].statement.zh.contains("龙河镇党群服务中心"));
    h.act_as(Role::Member, "confirm", json!({}))
        .expect("confirm");
    as_person(&mut h, "p-member-2", "何强", Role::Member);
    let absent = h.act("confirm", json!({})).expect_err("refused");
    assert!(matches!(absent, Rejection::Conflict(_)));
    // The make-up oath.
    h.act_as(
        Role::TownshipOfficer,
        "record-attendance",
        json!({"person": "p-member-2", "present": true}),
    )
    .expect("make-up");
    as_person(&mut h, "p-member-2", "何强", Role::Member);
    let out = h.act("confirm", json!({})).expect("confirm");
    assert!(out.progress.is_complete());
}

#[test]
fn wrong_actors_and_bad_input_are_refused() {
    let mut h = started();
    let secretary = h
        .act_as(
            Role::Secretary,
            "schedule",
            json!({"date": "2025-12-31", "place": "村委会"}),
        )
        .expect_err("refused");
    assert!(matches!(secretary, Rejection::Forbidden(_)));
    let bad = h
        .act_as(
            Role::TownshipOfficer,
            "schedule",
            json!({"date": "31/12/2025", "place": "村委会"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(bad), "date");
    let blank = h
        .act_as(
            Role::TownshipOfficer,
            "schedule",
            json!({"date": "2025-12-31", "place": " "}),
        )
        .expect_err("refused");
    assert_eq!(field_of(blank), "place");
    h.act_as(
        Role::TownshipOfficer,
        "schedule",
        json!({"date": "2026-01-05", "place": "村委会", "oath": "我宣誓……"}),
    )
    .expect("a future ceremony");
    let too_soon = h
        .act_as(
            Role::TownshipOfficer,
            "record-attendance",
            json!({"person": "p-member", "present": true}),
        )
        .expect_err("refused");
    assert!(matches!(too_soon, Rejection::Conflict(_)), "not held yet");
    h.context_mut().now += 7 * 86_400;
    let no_reason = h
        .act_as(
            Role::TownshipOfficer,
            "record-attendance",
            json!({"person": "p-member", "present": false}),
        )
        .expect_err("refused");
    assert_eq!(field_of(no_reason), "reason");
    let stranger = h
        .act_as(
            Role::TownshipOfficer,
            "record-attendance",
            json!({"person": "p-outgoing", "present": true}),
        )
        .expect_err("refused");
    assert_eq!(field_of(stranger), "person");
    let outgoing = h
        .act_as(Role::OutgoingCadre, "confirm", json!({}))
        .expect_err("refused");
    assert!(matches!(outgoing, Rejection::Forbidden(_)));
}

#[test]
fn a_confirmed_oath_cannot_be_rewritten_and_the_view_follows_the_viewer() {
    let mut h = started();
    h.act_as(
        Role::TownshipOfficer,
        "schedule",
        json!({"date": "2025-12-31", "place": "村委会"}),
    )
    .expect("schedule");
    h.act_as(
        Role::TownshipOfficer,
        "record-attendance",
        json!({"person": "p-secretary", "present": true}),
    )
    .expect("attendance");
    let view = h.view();
    assert_eq!(view.data["can_record"], json!(true));
    assert_eq!(
        view.data["can_schedule"],
        json!(false),
        "held: no rescheduling"
    );
    h.context_mut().actor = actor(Role::Secretary);
    assert_eq!(h.view().data["can_confirm"], json!(true));
    h.act_as(Role::Secretary, "confirm", json!({}))
        .expect("confirm");
    let rewrite = h
        .act_as(
            Role::TownshipOfficer,
            "record-attendance",
            json!({"person": "p-secretary", "present": false, "reason": "x"}),
        )
        .expect_err("refused");
    assert!(matches!(rewrite, Rejection::Conflict(_)));
    let again = h
        .act_as(
            Role::TownshipOfficer,
            "schedule",
            json!({"date": "2026-01-03", "place": "镇政府"}),
        )
        .expect_err("refused");
    assert!(matches!(again, Rejection::Conflict(_)));
}
