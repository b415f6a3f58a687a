//! The module's rules, natively: `cargo test`.

use baton_sdk::testing::{Harness, sample_context};
use baton_sdk::{Module, Rejection, Role};
use serde_json::json;
use {{crate}}::Pledge;

#[test]
fn every_member_signs_once() {
    let mut h = Harness::<Pledge>::new(sample_context());
    h.start().expect("starts");
    h.act_as(Role::Secretary, "sign", json!({"agree": true})).expect("the secretary signs");
    let again = h.act_as(Role::Secretary, "sign", json!({"agree": true})).expect_err("once");
    assert!(matches!(again, Rejection::Conflict(_)));
    let out = h.act_as(Role::Member, "sign", json!({"agree": true})).expect("a member signs");
    assert_eq!(out.signoffs.len(), 1);
    let refused = h.act_as(Role::TownshipOfficer, "sign", json!({"agree": true})).expect_err("not a member");
    assert!(matches!(refused, Rejection::Forbidden(_)));
    assert_eq!(Pledge::progress(&h.state()).done, 2);
}
