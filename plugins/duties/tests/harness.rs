//! The division of work's rules, natively through the SDK harness.

use baton_sdk::testing::{Harness, sample_context};
use baton_sdk::{Module, Rejection, Role};
use duties::Duties;
use serde_json::{Value, json};

fn started() -> Harness<Duties> {
    let mut h = Harness::<Duties>::new(sample_context());
    h.start().expect("starts with the default posts");
    h
}

fn assign(
    h: &mut Harness<Duties>,
    person: &str,
    posts: &[&str],
) -> Result<baton_sdk::Outcome, Rejection> {
    h.act_as(
        Role::Secretary,
        "assign",
        json!({"person": person, "posts": posts, "responsibilities": "分管本岗位全部工作"}),
    )
}

fn fields(r: Rejection) -> Vec<String> {
    match r {
        Rejection::Invalid(f) => f.into_iter().map(|e| e.field).collect(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

/// The sample committee's three members, covering the five required posts.
fn divide(h: &mut Harness<Duties>) {
    assign(h, "p-secretary", &["organisation"]).expect("assign");
    assign(h, "p-member", &["discipline", "women"]).expect("assign");
    assign(
        h,
        "p-member-2",
        &["mediation", "public-security", "militia"],
    )
    .expect("assign");
}

#[test]
fn every_member_a_post_every_required_post_filled_then_signed_and_acknowledged() {
    let mut h = started();
    assert_eq!(
        Duties::progress(&h.state()).total,
        5,
        "three members, sign, acknowledge"
    );
    assign(&mut h, "p-secretary", &["organisation"]).expect("assign");
    let early = h
        .act_as(Role::Secretary, "sign", json!({}))
        .expect_err("refused");
    let missing = fields(early);
    assert!(
        missing.contains(&"members.p-member".to_owned()),
        "{missing:?}"
    );
    assert!(
        missing.contains(&"posts.discipline".to_owned()),
        "{missing:?}"
    );
    assign(&mut h, "p-member", &["discipline", "women"]).expect("assign");
    assign(
        &mut h,
        "p-member-2",
        &["mediation", "public-security", "militia"],
    )
    .expect("assign");
    let early = h
        .act_as(Role::TownshipOfficer, "acknowledge", json!({}))
        .expect_err("refused");
    assert!(matches!(early, Rejection::Conflict(_)));
    let out = h.act_as(Role::Secretary, "sign", json!({})).expect("sign");
    assert_eq!(out.signoffs[0].subject, "division:0");
    assert!(out.signoffs[0].statement.zh.contains("李秀英"));
    let out = h
        .act_as(
            Role::TownshipOfficer,
            "acknowledge",
            json!({"remarks": "同意"}),
        )
        .expect("acknowledge");
    assert!(out.progress.is_complete());
}

#[test]
fn a_post_held_twice_and_unknown_posts_are_refused() {
    let mut h = started();
    divide(&mut h);
    assign(&mut h, "p-secretary", &["organisation", "discipline"])
        .expect("a draft may break the rules");
    let twice = fields(
        h.act_as(Role::Secretary, "sign", json!({}))
            .expect_err("refused"),
    );
    assert_eq!(twice, ["posts.discipline"]);
    assert_eq!(
        fields(assign(&mut h, "p-secretary", &["cooking"]).expect_err("refused")),
        ["posts.0"]
    );
    assert_eq!(
        fields(assign(&mut h, "p-secretary", &[]).expect_err("refused")),
        ["posts"]
    );
    assert_eq!(
        fields(assign(&mut h, "p-outgoing", &["finance"]).expect_err("refused")),
        ["person"]
    );
    let member = h
        .act_as(
            Role::Member,
            "assign",
            json!({"person": "p-member", "posts": ["finance"], "responsibilities": "x"}),
        )
        .expect_err("refused");
    assert!(matches!(member, Rejection::Forbidden(_)));
    // A shared post may be held by two.
    assign(&mut h, "p-secretary", &["organisation", "social-affairs"]).expect("assign");
    assign(
        &mut h,
        "p-member",
        &["discipline", "women", "social-affairs"],
    )
    .expect("assign");
    h.act_as(Role::Secretary, "sign", json!({}))
        .expect("shared posts may be held twice");
}

#[test]
fn a_change_after_sign_off_reopens_the_division_and_is_logged() {
    let mut h = started();
    divide(&mut h);
    h.act_as(Role::Secretary, "sign", json!({})).expect("sign");
    h.act_as(Role::TownshipOfficer, "acknowledge", json!({}))
        .expect("ack");
    let out = assign(
        &mut h,
        "p-member-2",
        &["mediation", "public-security", "finance"],
    )
    .expect("change");
    assert_eq!(out.notices.len(), 1, "the township hears of it");
    let state = h.state();
    assert!(state.signed.is_none() && state.acknowledged.is_none());
    assert_eq!(state.changes.len(), 1);
    assert_eq!(
        state.changes[0].before,
        ["mediation", "public-security", "militia"]
    );
    assert!(!Duties::progress(&state).is_complete());
    let out = h
        .act_as(Role::Secretary, "sign", json!({}))
        .expect("sign again");
    assert_eq!(
        out.signoffs[0].subject, "division:1",
        "a new subject: the chain keeps both"
    );
}

#[test]
fn a_province_list_of_posts_is_checked() {
    let mut ctx = sample_context();
    ctx.config = json!({"posts": [{"key": "Finance", "title": {"zh": "财务", "en": "Finance"}}]});
    assert_eq!(
        fields(Harness::<Duties>::new(ctx).start().expect_err("refused")),
        ["config.posts.0.key"]
    );
    let mut ctx = sample_context();
    ctx.config = json!({"posts": []});
    assert_eq!(
        fields(Harness::<Duties>::new(ctx).start().expect_err("refused")),
        ["config.posts"]
    );
    let mut ctx = sample_context();
    ctx.config = json!({"posts": [{"key": "all", "title": {"zh": "全面工作", "en": "Everything"}, "required": true, "shared": true}]});
    let mut h = Harness::<Duties>::new(ctx);
    h.start().expect("starts");
    for p in ["p-secretary", "p-member", "p-member-2"] {
        assign(&mut h, p, &["all"]).expect("assign");
    }
    h.act_as(Role::Secretary, "sign", Value::Null)
        .expect_err("refused");
    h.act_as(Role::Secretary, "sign", json!({})).expect("sign");
}

#[test]
fn discipline_inspection_is_for_the_party_committee_and_groups_are_kept() {
    let mut h = started();
    let refused = assign(&mut h, "p-member-2", &["women", "discipline"])
        .expect_err("not on the Party committee");
    assert_eq!(fields(refused), ["posts.1"]);
    assert!(h.state().duties.is_empty(), "nothing changed");
    h.act_as(
        Role::Secretary,
        "assign",
        json!({"person": "p-secretary", "posts": ["overall", "organisation", "publicity"],
               "responsibilities": "主持全面工作，分管组织、宣传", "groups": "一组、二组"}),
    )
    .expect("the secretary leads the whole work");
    assign(&mut h, "p-member", &["discipline", "women"]).expect("a Party committee member");
    assign(
        &mut h,
        "p-member-2",
        &["mediation", "public-security", "militia"],
    )
    .expect("assign");
    let out = h.act_as(Role::Secretary, "sign", json!({})).expect("sign");
    assert!(
        out.signoffs[0]
            .statement
            .zh
            .contains("张建国：主持全面工作、组织委员、宣传委员（包联一组、二组）"),
        "{}",
        out.signoffs[0].statement.zh
    );
    assert!(
        !out.signoffs[0]
            .statement
            .zh
            .contains("李秀英：纪检委员、妇女工作（"),
        "no groups, no brackets"
    );
}

#[test]
fn the_public_page_shows_the_division_once_signed() {
    let mut h = started();
    divide(&mut h);
    h.context_mut().actor = baton_sdk::testing::public();
    let before = h.view();
    assert_eq!(before.template, baton_sdk::PUBLIC_TEMPLATE);
    assert_eq!(
        before.data["members"],
        json!([]),
        "nothing before the sign-off"
    );
    h.context_mut().actor = baton_sdk::testing::actor(Role::Secretary);
    h.act_as(Role::Secretary, "sign", json!({})).expect("sign");
    h.context_mut().actor = baton_sdk::testing::public();
    let after = h.view();
    let members = after.data["members"].as_array().expect("members");
    assert_eq!(members.len(), 3);
    assert_eq!(members[1]["posts"], json!(["纪检委员", "妇女工作"]));
}
