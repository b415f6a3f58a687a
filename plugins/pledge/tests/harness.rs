//! The pledge and the county's filing, natively through the SDK harness.

use baton_sdk::testing::{Harness, actor, sample_context};
use baton_sdk::{Module, Rejection, Role};
use pledge::Pledge;
use serde_json::json;

fn started() -> Harness<Pledge> {
    let mut h = Harness::<Pledge>::new(sample_context());
    h.start().expect("starts");
    h
}

fn field_of(r: Rejection) -> String {
    match r {
        Rejection::Invalid(f) => f[0].field.clone(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

fn as_person(h: &mut Harness<Pledge>, id: &str, role: Role) {
    let mut a = actor(role);
    a.person_id = id.into();
    h.context_mut().actor = a;
}

#[test]
fn every_member_signs_and_the_county_files_the_secretary() {
    let mut h = started();
    let total = Pledge::progress(&h.state()).total;
    let members = h.state().members.len();
    assert_eq!(total as usize, members + 1);
    // The joint review is the county's own record: its turn from the start,
    // not a step after the secretary's signature (issue 40).
    let start = Harness::<Pledge>::new(sample_context())
        .start()
        .expect("starts");
    assert!(
        start.awaiting.iter().any(|a| a.subject == "filing"),
        "the county's turn from the start"
    );
    let before = h
        .act_as(Role::CountyTrainer, "file", json!({"passed": false, "departments": "纪检", "note": "待核实信访件", "filed_on": "2025-12-29"}))
        .expect("the county records a review before anyone signs");
    assert_eq!(before.notices.len(), 1);
    let out = h
        .act_as(Role::Secretary, "sign", json!({"agree": true}))
        .expect("signed");
    assert!(out.signoffs[0].statement.zh.contains("纪律承诺书"));
    assert!(
        out.signoffs[0].statement.zh.contains("严守换届纪律"),
        "the election-discipline pledge"
    );
    assert!(
        out.awaiting.iter().any(|a| a.subject == "filing"),
        "still the county's turn"
    );
    let refused = h
        .act_as(Role::CountyTrainer, "file", json!({"passed": false, "departments": "纪检", "note": "待核实信访件", "filed_on": "2025-12-30"}))
        .expect("a refusal is recorded");
    assert_eq!(refused.notices.len(), 1);
    assert!(h.state().filed.is_none());
    let filed = h
        .act_as(
            Role::CountyTrainer,
            "file",
            json!({"passed": true, "departments": "纪检、组织、政法", "filed_on": "2025-12-31"}),
        )
        .expect("filed");
    assert_eq!(filed.signoffs[0].subject, "filing");
    let ids: Vec<String> = h
        .state()
        .members
        .iter()
        .map(|m| m.person_id.clone())
        .collect();
    for id in ids.iter().filter(|id| *id != "p-secretary") {
        as_person(&mut h, id, Role::Member);
        h.act("sign", json!({"agree": true})).expect("signed");
    }
    assert!(Pledge::progress(&h.state()).is_complete());
}

#[test]
fn wrong_actors_and_bad_input_are_refused() {
    let mut h = started();
    let no = h
        .act_as(Role::Secretary, "sign", json!({}))
        .expect_err("refused");
    assert_eq!(field_of(no), "agree");
    let township = h
        .act_as(Role::TownshipOfficer, "sign", json!({"agree": true}))
        .expect_err("refused");
    assert!(matches!(township, Rejection::Forbidden(_)));
    h.act_as(Role::Secretary, "sign", json!({"agree": true}))
        .expect("signed");
    let twice = h
        .act_as(Role::Secretary, "sign", json!({"agree": true}))
        .expect_err("refused");
    assert!(matches!(twice, Rejection::Conflict(_)));
    let future = h
        .act_as(
            Role::CountyTrainer,
            "file",
            json!({"passed": true, "departments": "纪检", "filed_on": "2099-01-01"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(future), "filed_on");
    let no_note = h
        .act_as(
            Role::CountyTrainer,
            "file",
            json!({"passed": false, "departments": "纪检", "filed_on": "2025-12-30"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(no_note), "note");
    let township = h
        .act_as(
            Role::TownshipOfficer,
            "file",
            json!({"passed": true, "departments": "纪检", "filed_on": "2025-12-30"}),
        )
        .expect_err("refused");
    assert!(matches!(township, Rejection::Forbidden(_)));
}
