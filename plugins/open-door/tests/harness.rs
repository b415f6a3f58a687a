//! 开门一件事's rules, natively through the SDK harness.

use baton_sdk::testing::{Harness, sample_context};
use baton_sdk::{Module, Rejection, Role};
use open_door::OpenDoor;
use serde_json::{Value, json};

fn started() -> Harness<OpenDoor> {
    let mut ctx = sample_context();
    ctx.config = json!({"household_target": 40});
    let mut h = Harness::<OpenDoor>::new(ctx);
    h.start().expect("starts");
    h
}

fn field_of(r: Rejection) -> String {
    match r {
        Rejection::Invalid(f) => f[0].field.clone(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

fn plan() -> Value {
    json!({"goals": ["村集体经济收入突破 20 万元"],
           "projects": [{"name": "修建产业路 2 公里", "start": "2026-03-01", "end": "2026-10-31"}]})
}

fn work() -> Value {
    json!({"kind": "work", "title": "建成柚子冷链仓库", "text": "年内建成并投入使用",
           "milestones": [{"title": "完成选址和审批", "due": "2026-04-30"},
                          {"title": "建成投用", "due": "2026-12-31"}]})
}

/// Visits, plan and the three commitments, published.
fn published() -> Harness<OpenDoor> {
    let mut h = started();
    h.act_as(
        Role::Member,
        "record-visits",
        json!({"date": "2025-12-20", "households": 25, "issues": ["灌溉水渠堵塞"]}),
    )
    .expect("visits");
    h.act_as(
        Role::Secretary,
        "record-visits",
        json!({"date": "2025-12-28", "households": 15}),
    )
    .expect("visits");
    h.act_as(Role::Secretary, "submit-plan", plan())
        .expect("plan");
    h.act_as(
        Role::Secretary,
        "commit",
        json!({"kind": "campaign", "title": "修通组道", "text": "兑现竞职时的承诺",
        "milestones": [{"title": "三组组道硬化", "due": "2026-06-30"}]}),
    )
    .expect("campaign");
    h.act_as(Role::Secretary, "commit", work()).expect("work");
    h.act_as(
        Role::Secretary,
        "commit",
        json!({"kind": "resignation", "title": "辞职承诺", "text": "如有以下情形,主动辞职",
        "conditions": ["年度考核不称职", "群众满意度测评低于 60%"]}),
    )
    .expect("resignation");
    let out = h
        .act_as(Role::Secretary, "publish", json!({}))
        .expect("publish");
    assert_eq!(out.signoffs[0].subject, "published");
    h
}

#[test]
fn visits_plan_commitments_published_then_every_milestone_verified() {
    let mut h = published();
    let p = OpenDoor::progress(&h.state());
    assert_eq!(
        (p.done, p.total),
        (6, 9),
        "six set-up steps, three milestones"
    );
    for (kind, m) in [("campaign", 0), ("work", 0), ("work", 1)] {
        h.act_as(
            Role::Member,
            "report",
            json!({"kind": kind, "milestone": m, "evidence": "照片和验收单已存档"}),
        )
        .expect("report");
        let out = h
            .act_as(
                Role::TownshipOfficer,
                "verify",
                json!({"kind": kind, "milestone": m}),
            )
            .expect("verify");
        assert_eq!(out.signoffs[0].subject, format!("verify:{kind}:{m}"));
    }
    assert!(OpenDoor::progress(&h.state()).is_complete());
}

#[test]
fn publishing_needs_the_visits_the_plan_and_all_three_commitments() {
    let mut h = started();
    h.act_as(
        Role::Secretary,
        "record-visits",
        json!({"date": "2025-12-20", "households": 10}),
    )
    .expect("visits");
    h.act_as(Role::Secretary, "commit", work()).expect("work");
    let early = h
        .act_as(Role::Secretary, "publish", json!({}))
        .expect_err("refused");
    match early {
        Rejection::Conflict(t) => {
            for needed in ["民情走访", "村庄发展规划", "竞职承诺", "辞职承诺"] {
                assert!(t.zh.contains(needed), "{needed} in {}", t.zh);
            }
            assert!(!t.zh.contains("干事承诺"), "{}", t.zh);
        }
        other => panic!("expected conflict, got {other:?}"),
    }
}

#[test]
fn bad_input_names_the_field_and_public_commitments_cannot_change() {
    let mut h = started();
    let zero = h
        .act_as(
            Role::Member,
            "record-visits",
            json!({"date": "2025-12-20", "households": 0}),
        )
        .expect_err("refused");
    assert_eq!(field_of(zero), "households");
    let mut backwards = plan();
    backwards["projects"][0]["end"] = json!("2026-01-31");
    assert_eq!(
        field_of(
            h.act_as(Role::Secretary, "submit-plan", backwards)
                .expect_err("refused")
        ),
        "projects.0.end"
    );
    let mut past = work();
    past["milestones"][1]["due"] = json!("2025-12-31");
    assert_eq!(
        field_of(
            h.act_as(Role::Secretary, "commit", past)
                .expect_err("refused")
        ),
        "milestones.1.due"
    );
    let no_conditions = h
        .act_as(
            Role::Secretary,
            "commit",
            json!({"kind": "resignation", "title": "辞职承诺", "text": "…"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(no_conditions), "conditions");
    let member = h
        .act_as(Role::Member, "commit", work())
        .expect_err("refused");
    assert!(matches!(member, Rejection::Forbidden(_)));
    let early = h
        .act_as(
            Role::Member,
            "report",
            json!({"kind": "work", "milestone": 0, "evidence": "x"}),
        )
        .expect_err("refused");
    assert!(matches!(early, Rejection::Conflict(_)));

    let mut h = published();
    let late = h
        .act_as(Role::Secretary, "commit", work())
        .expect_err("refused");
    assert!(matches!(late, Rejection::Conflict(_)));
    let unreported = h
        .act_as(
            Role::TownshipOfficer,
            "verify",
            json!({"kind": "work", "milestone": 1}),
        )
        .expect_err("refused");
    assert!(matches!(unreported, Rejection::Conflict(_)));
    let resignation = h
        .act_as(
            Role::Member,
            "report",
            json!({"kind": "resignation", "milestone": 0, "evidence": "x"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(resignation), "kind");
    let beyond = h
        .act_as(
            Role::Member,
            "report",
            json!({"kind": "work", "milestone": 5, "evidence": "x"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(beyond), "milestone");
}

#[test]
fn the_public_sees_published_commitments_with_overdue_milestones_and_no_visit_notes() {
    let mut h = started();
    h.act_as(
        Role::Member,
        "record-visits",
        json!({"date": "2025-12-20", "households": 45, "issues": ["某户低保问题"]}),
    )
    .expect("visits");
    h.context_mut().actor = baton_sdk::testing::public();
    let before = h.view();
    assert_eq!(before.template, baton_sdk::PUBLIC_TEMPLATE);
    assert_eq!(before.data["published"], Value::Null);
    assert!(
        !before.data.to_string().contains("低保"),
        "visit notes stay private"
    );
    let mut h = published();
    h.context_mut().now += 200 * 86_400; // mid-July 2026: the April milestone has passed.
    h.context_mut().actor = baton_sdk::testing::public();
    let view = h.view();
    assert_eq!(view.template, "public");
    let text = view.data.to_string();
    assert!(
        text.contains("建成柚子冷链仓库") && !text.contains("灌溉水渠"),
        "{text}"
    );
    assert_eq!(
        view.data["overdue"],
        json!(2),
        "the April and June milestones"
    );
    assert_eq!(
        view.data["commitments"][1]["milestones"][0]["status"],
        "overdue"
    );
    h.context_mut().actor = baton_sdk::testing::actor(Role::Secretary);
    assert_eq!(h.view().template, "opening");
}

#[test]
fn progress_is_reported_with_photos_of_this_enrollment_only() {
    let mut h = published();
    let report = |photos: Value| json!({"kind": "work", "milestone": 0, "evidence": "冷库选址已获批", "photos": photos});
    let unknown = h
        .act_as(Role::Member, "report", report(json!(["f00d"])))
        .expect_err("a photo never uploaded");
    assert_eq!(field_of(unknown), "photos.0");
    h.context_mut().attachments.push(baton_sdk::Attachment {
        id: "f00d".into(),
        name: "选址批复.jpg".into(),
        media_type: "image/jpeg".into(),
        size: 48_213,
        uploaded_by: "p-secretary".into(),
        uploaded_at: 1_767_225_600,
    });
    h.act_as(Role::Member, "report", report(json!(["f00d"])))
        .expect("report with its photo");
    let state = h.state();
    let work = state
        .commitments
        .iter()
        .find(|c| c.kind == open_door::Kind::Work)
        .expect("work");
    assert_eq!(work.milestones[0].reports[0].photos, ["f00d"]);
}

#[test]
fn the_households_requests_are_a_ledger_closed_with_their_verdict() {
    let mut h = started();
    let request = json!({"household": "三组 李大爷", "request": "门前排水沟堵塞", "responsible": "李秀英", "deadline": "2026-01-15"});
    for (field, bad) in [
        ("household", json!("")),
        ("responsible", json!(" ")),
        ("deadline", json!("下周")),
    ] {
        let mut p = request.clone();
        p[field] = bad;
        let r = h
            .act_as(Role::Member, "log-request", p)
            .expect_err("refused");
        assert_eq!(field_of(r), field);
    }
    h.act_as(Role::Member, "log-request", request.clone())
        .expect("logged");
    h.act_as(Role::Secretary, "log-request", json!({"household": "五组 王婶", "request": "低保复核", "responsible": "张建国", "deadline": "2025-12-01"}))
        .expect("logged");
    let ledger = h.state().ledger;
    assert_eq!(ledger.iter().map(|r| r.id).collect::<Vec<_>>(), [1, 2]);
    let none = h
        .act_as(
            Role::Member,
            "close-request",
            json!({"id": 9, "result": "x", "satisfaction": "satisfied"}),
        )
        .expect_err("no such request");
    assert_eq!(field_of(none), "id");
    h.act_as(
        Role::Member,
        "close-request",
        json!({"id": 1, "result": "已疏通", "satisfaction": "satisfied"}),
    )
    .expect("closed");
    let again = h
        .act_as(
            Role::Member,
            "close-request",
            json!({"id": 1, "result": "再次", "satisfaction": "fair"}),
        )
        .expect_err("closed already");
    assert!(matches!(again, Rejection::Conflict(_)));
    let view = h.view();
    assert_eq!(view.data["ledger_count"], 2);
    assert_eq!(
        view.data["ledger_overdue"], 1,
        "王婶's request is past its deadline"
    );
    assert_eq!(view.data["ledger"][0]["satisfaction"], "satisfied");
    // Never on the public page.
    h.context_mut().actor = baton_sdk::testing::public();
    assert_eq!(h.view().data["ledger"], json!([]));
    // Progress is what it was: the ledger is the record, the count of visits the target.
    assert_eq!(OpenDoor::progress(&h.state()).done, 0);
}

#[test]
fn the_plan_is_adopted_and_every_member_signs_the_published_commitments() {
    let mut h = started();
    let mut adopted = plan();
    adopted["adopted_on"] = json!("2099-01-01");
    let r = h
        .act_as(Role::Secretary, "submit-plan", adopted.clone())
        .expect_err("in the future");
    assert_eq!(field_of(r), "adopted_on");
    let early = h
        .act_as(Role::Secretary, "sign-commitments", json!({"agree": true}))
        .expect_err("nothing public yet");
    assert!(matches!(early, Rejection::Conflict(_)));

    let mut h = published();
    let turns = h.act_as(Role::Member, "log-request", json!({"household": "一组", "request": "路灯", "responsible": "李秀英", "deadline": "2026-02-01"}))
        .expect("logged")
        .awaiting;
    let to_sign: Vec<&str> = turns
        .iter()
        .filter(|a| a.subject.starts_with("commitments:"))
        .map(|a| a.subject.as_str())
        .collect();
    assert_eq!(
        to_sign,
        [
            "commitments:p-secretary",
            "commitments:p-member",
            "commitments:p-member-2"
        ]
    );
    let unticked = h
        .act_as(Role::Member, "sign-commitments", json!({}))
        .expect_err("not ticked");
    assert_eq!(field_of(unticked), "agree");
    let signed = h
        .act_as(Role::Member, "sign-commitments", json!({"agree": true}))
        .expect("signed");
    assert_eq!(signed.signoffs[0].subject, "commitments:p-member");
    assert!(signed.signoffs[0].statement.zh.contains("建成柚子冷链仓库"));
    assert!(
        !signed
            .awaiting
            .iter()
            .any(|a| a.subject == "commitments:p-member")
    );
    let twice = h
        .act_as(Role::Member, "sign-commitments", json!({"agree": true}))
        .expect_err("once");
    assert!(matches!(twice, Rejection::Conflict(_)));
    h.context_mut().actor = baton_sdk::testing::public();
    let public = h.view();
    assert_eq!(public.data["signed_by"], json!(["李秀英"]));
}
